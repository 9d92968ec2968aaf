"""Route the answer to "je n'arrive pas à me connecter" once we know the cause.

The diagnostic question offers a few causes; each maps to one section of the help
document, i.e. one answer of the domain. "J'ai oublié mon code" is not among them:
it leaves the diagnostic for the reset form (see data/rules/diagnostic.yml).
"""

from __future__ import annotations

from collections.abc import Mapping

# Values of the ``login_problem`` slot, in the order the question offers them.
PROBLEM_ANSWERS: Mapping[str, str] = {
    "captcha": "utter_too_many_attempts",
    "code_refuse": "utter_personalized_code_rejected",
    "premiere_connexion": "utter_first_login",
    "pas_de_code": "utter_where_is_access_code",
}

UNKNOWN_PROBLEM_ANSWER = "utter_login_problem_unknown"


def answer_for(problem: str | None) -> str:
    """The response that answers ``problem``; a safe general answer otherwise."""
    if problem is None:
        return UNKNOWN_PROBLEM_ANSWER
    return PROBLEM_ANSWERS.get(problem, UNKNOWN_PROBLEM_ANSWER)
