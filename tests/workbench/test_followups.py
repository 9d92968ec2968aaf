"""What the member's next message says about an answer: denial, rephrasing, agent, spot checks."""

from __future__ import annotations

import pytest

from bot.workbench.followups import (
    asks_for_agent,
    is_denial,
    is_question,
    is_rephrasing,
    spot_checked,
)


@pytest.mark.parametrize(
    "text",
    [
        "non ce n'est pas ça",
        "Non, ce n’est pas ça !",
        "c'est pas ça",
        "cest pas ca du tout",
        "pas ça",
        "non pas ça",
        "pas du tout",
        "vous ne comprenez pas",
        "tu comprends rien",
        "vous n'avez pas compris",
        "ça n'a rien à voir",
        "ce n'est pas ma question",
        "ce n'est pas ce que je demande",
        "ça ne répond pas à ma question",
        "n'importe quoi",
        "ça ne m'aide pas",
    ],
)
def test_a_denial_is_one_whatever_the_bot_asked(text: str) -> None:
    assert is_denial(text, bot_asked=True)
    assert is_denial(text, bot_asked=False)


@pytest.mark.parametrize("text", ["non", "Non.", "nan", "non non", "toujours pas", "absolument pas"])
def test_a_bare_no_denies_an_answer_but_answers_a_question(text: str) -> None:
    assert is_denial(text, bot_asked=False)
    # « Avez-vous une autre question ? » « non »: the member answers the question.
    assert not is_denial(text, bot_asked=True)


@pytest.mark.parametrize(
    "text",
    [
        "non merci",
        "Non merci, c'est bon",
        "non c'est bon",
        "non laisse",
        "pas maintenant",
        "ça ne marche pas",  # a problem to solve, not a wrong answer
        "je ne comprends pas",
        "je ne trouve pas ça",
        "merci",
        "/deny",  # a button's choice
    ],
)
def test_polite_closings_problems_and_buttons_are_no_denial(text: str) -> None:
    assert not is_denial(text, bot_asked=False)
    assert not is_denial(text, bot_asked=True)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("mon espace me dit identifiants invalides", "le site me dit identifiant ou code invalide"),
        ("mon espace me dit identifiants invalides", "identifiants invalides"),
        ("le code de la lettre marche pas", "le code du courrier ne marche pas"),
        ("mon mari veut accéder à mon compte", "mon mari peut il se connecter sur mon compte"),
        ("comment me connecter a mon espace", "comment je me connecte a mon espace adherent"),
    ],
)
def test_the_same_question_in_other_words_is_a_rephrasing(first: str, second: str) -> None:
    assert is_rephrasing(first, second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # A new question: the words that tell questions apart differ, only « le », « ne pas » are shared.
        ("le lien ne marche pas", "le code ne marche pas"),
        ("où trouver mon code d'accès", "comment personnaliser mon code"),
        ("comment me connecter", "j'ai oublié mon code"),
        ("où trouver mon code d'accès", "merci"),
        ("où trouver mon code d'accès", "non ce n'est pas ça"),  # a denial, not the question again
        ("où trouver mon code d'accès", "/where_is_access_code"),  # a button
    ],
)
def test_a_new_question_a_thanks_a_denial_or_a_button_is_no_rephrasing(first: str, second: str) -> None:
    assert not is_rephrasing(first, second)


def test_questions_are_what_the_member_space_is_about() -> None:
    assert is_question("postal_letter") and is_question("out_of_scope")
    for intent in ("greet", "thank", "deny", "affirm", "request_human", "provide_nir", "nlu_fallback", None):
        assert not is_question(intent)


def test_an_agent_asked_by_intent_or_by_the_bots_hand_off() -> None:
    assert asks_for_agent("request_human", [], "action_request_human")
    assert asks_for_agent("cannot_login", ["action_request_human"], "action_request_human")
    assert not asks_for_agent("thank", ["utter_thank"], "action_request_human")


def test_the_spot_check_draws_the_same_few_messages_every_time() -> None:
    drawn = [n for n in range(10_000) if spot_checked("conv-x", n, 5)]
    assert 400 < len(drawn) < 600  # about 5 %
    assert drawn == [n for n in range(10_000) if spot_checked("conv-x", n, 5)]
    assert not any(spot_checked("conv-x", n, 0) for n in range(1000))
    assert all(spot_checked("conv-x", n, 100) for n in range(1000))
