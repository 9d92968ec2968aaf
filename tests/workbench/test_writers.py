"""A new question written without YAML: every file the repository checks, validated by Rasa, trainable."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.workbench import consistency
from bot.workbench.intent_checks import WriterError, name_from_label
from bot.workbench.training_data import examples_in
from bot.workbench.writers import add_intent, edit_intent, link_section
from tests.conftest import ROOT, load_yaml
from tests.support.nirs import with_key

LABEL = "Mon code peut-il commencer par un zéro ?"
EXAMPLES = [
    "mon code peut il commencer par un zero",
    "est ce que le code d'acces peut debuter par 0",
    "un zero au debut du code c'est autorise",
    "le premier chiffre de mon code peut etre zero ?",
    "code qui commence par zero refuse ?",
    "je peux mettre un 0 en premier dans mon code",
    "zero en premiere position du code d'acces",
    "mon code commence par 0 est ce normal",
    "le chiffre zero au debut du code est il accepte",
    "peut on choisir un code debutant par zero",
]
HOLDOUT = [
    "Est-il permis que mon code d'accès démarre par le chiffre 0 ?",
    "un code perso qui debute avec zero ca passe ?",
    "le 0 devant dans mon code, ça pose souci ?",
    "ai je le droit de commencer mon code secret par zero",
    "mon nouveau code a un zéro en tête, est-ce valable",
    "zero comme premier chiffre c'est ok pour le site ?",
    "Bonjour, un code d'accès peut-il débuter par 0 ?",
    "le code peut commencer par 0 ou pas",
    "j'aimerais un code qui commence par un zéro, possible ?",
    "est ce grave si mon code demarre par 0",
    "Un zéro initial est-il accepté dans le code ?",
    "code d'acces avec 0 au debut autorisé ?",
    "mettre 0 comme 1er chiffre du code c possible",
    "les codes qui commencent par zéro sont-ils refusés ?",
    "puis-je garder le zéro au début de mon code personnalisé",
]
ANSWER = (
    "Oui : votre code d'accès personnalisé se compose de 6 chiffres, et le premier peut être un 0. "
    "Vous vous connectez sur https://acs-assurances.cpms.fr"
)
BUTTONS = [("J'ai oublié mon code", "/forgot_access_code")]
_NIR = with_key("2910975006373")  # generated, valid by its key
ISSUE_NIR_GROUPS = [_NIR[0], _NIR[1:3], _NIR[3:5], _NIR[5:7], _NIR[7:10], _NIR[10:13], _NIR[13:]]
RASA = ROOT / ".venv" / "rasa" / "bin" / "rasa"


def add(repo: Path, **changes: object) -> object:
    arguments: dict[str, object] = {
        "label": LABEL,
        "examples": EXAMPLES,
        "answer": ANSWER,
        "topic": "code_acces",
        "holdout": HOLDOUT,
        "reviewer": "marie",
        "buttons": BUTTONS,
        "root": repo,
    }
    arguments.update(changes)
    return add_intent(**arguments)  # type: ignore[arg-type]


def rasa(repo: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONPATH": str(ROOT),
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    return subprocess.run(  # noqa: S603 - the project's own Rasa, on a copy of its data
        [str(RASA), *args, "--domain", str(repo / "domain"), "--config", str(repo / "config.yml")],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_the_name_comes_from_the_label() -> None:
    assert name_from_label(LABEL) == "code_peut_commencer_zero"
    assert name_from_label("???") == ""


def test_a_new_question_is_written_everywhere_and_passes_the_checks_and_rasa_validate(repo: Path) -> None:
    shutil.copy(ROOT / "couverture.yml", repo / "couverture.yml")
    written = add(repo, section="3.2")
    name = written.name  # type: ignore[attr-defined]
    assert name == "code_peut_commencer_zero"
    registry = load_yaml(repo / "intents.yml")["intents"]
    assert registry[name] == {"label": LABEL, "button": True}
    assert name in load_yaml(repo / "domain/intents.yml")["intents"]
    responses = load_yaml(repo / "domain/responses/code_acces.yml")["responses"]
    assert responses[f"utter_{name}"] == [
        {"text": ANSWER, "buttons": [{"title": "J'ai oublié mon code", "payload": "/forgot_access_code"}]}
    ]
    rules = load_yaml(repo / "data/rules/questions.yml")["rules"]
    assert {"rule": LABEL, "steps": [{"intent": name}, {"action": f"utter_{name}"}]} in rules
    assert examples_in(repo / "data/nlu/code_acces.yml")[name] == EXAMPLES
    assert examples_in(repo / "tests/holdout/nlu_holdout.yml")[name] == HOLDOUT
    story = load_yaml(repo / "tests/stories/test_code_acces.yml")["stories"][0]
    # One of its examples, not a held-out phrase the model never saw: the story tests the answer
    # (issue #22: the story of the new question failed in the first report).
    assert story["steps"] == [{"user": EXAMPLES[0] + "\n", "intent": name}, {"action": f"utter_{name}"}]
    coverage = (repo / "couverture.yml").read_text(encoding="utf-8")
    assert f'  "3.2": [access_code_rules, {name}]\n' in coverage
    for path in ("intents.yml", "domain/responses/code_acces.yml", "data/nlu/code_acces.yml"):
        assert "# Atelier : ajoutée le" in (repo / path).read_text(
            encoding="utf-8"
        ) or "# Atelier : ajouté" in (repo / path).read_text(encoding="utf-8")
    assert consistency.problems(repo) == []
    result = rasa(repo, "data", "validate", "--data", str(repo / "data"), "--fail-on-warnings")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_the_written_question_trains(repo: Path, tmp_path: Path) -> None:
    add(repo)
    result = rasa(repo, "train", "nlu", "--nlu", str(repo / "data/nlu"), "--out", str(tmp_path / "models"))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert list((tmp_path / "models").glob("*.tar.gz"))


def test_a_digression_gets_its_rules_in_the_three_forms(repo: Path) -> None:
    add(repo, digression=True)
    assert load_yaml(repo / "intents.yml")["intents"]["code_peut_commencer_zero"]["digression"] is True
    assert consistency.problems(repo) == []
    result = rasa(repo, "data", "validate", "--data", str(repo / "data"), "--fail-on-warnings")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"examples": EXAMPLES[:9]}, "au moins 10 exemples"),
        ({"holdout": HOLDOUT[:14]}, "au moins 15 phrases de contrôle"),
        ({"label": "Oui"}, "libellé fait de 5 à 80"),
        ({"label": "Parler à un conseiller"}, "déjà celui de"),
        ({"topic": "ailleurs"}, "Choisissez un thème"),
        ({"examples": [*EXAMPLES, "mon code 482913 commence par zero"]}, "code d'accès"),
        # Issue 20: the demo NIR and a code in the spellings the form once accepted.
        ({"examples": [*EXAMPLES, f"mon nir {'|'.join(ISSUE_NIR_GROUPS)} et zero"]}, "code d'accès"),
        ({"examples": [*EXAMPLES, f"mon nir {chr(0x2063).join(ISSUE_NIR_GROUPS)}"]}, "code d'accès"),
        ({"examples": [*EXAMPLES, f"mon nir {chr(0x034F).join(ISSUE_NIR_GROUPS)}"]}, "code d'accès"),
        ({"examples": [*EXAMPLES, "mon code 48|29|13 commence par zero"]}, "code d'accès"),
        ({"holdout": [*HOLDOUT[:14], "code ⁴⁸²⁹¹³ avec un zero ?"]}, "code d'accès"),
        ({"examples": [*EXAMPLES[:9], "bonjour"]}, "déjà un exemple"),
        ({"answer": ANSWER + " Voir https://exemple.com/aide"}, "n'est pas le site ACS"),
        ({"answer": "Appelez le 01 23 45 67 89"}, "téléphone"),
        ({"answer": "Oui, {name}"}, "accolades"),
        ({"buttons": [("Au revoir", "/provide_nir")]}, "intention à bouton"),
        ({"holdout": [*HOLDOUT[:14], EXAMPLES[0]]}, "presque l'exemple"),
        ({"name": "forgot_access_code"}, "existe déjà"),
    ],
)
def test_mistakes_are_listed_in_french_and_nothing_is_written(
    repo: Path, changes: dict[str, object], complaint: str
) -> None:
    before = {p: p.read_text(encoding="utf-8") for p in repo.rglob("*.yml")}
    with pytest.raises(WriterError) as error:
        add(repo, **changes)
    assert any(complaint in problem for problem in error.value.problems), error.value.problems
    assert {p: p.read_text(encoding="utf-8") for p in repo.rglob("*.yml")} == before


def test_editing_examples_and_answer_of_an_existing_question(repo: Path) -> None:
    add(repo)
    name = "code_peut_commencer_zero"
    edit_intent(
        name,
        reviewer="paul",
        root=repo,
        add=["un code qui demarre par zero c'est bon ?"],
        remove=[EXAMPLES[0]],
        answer="Oui, un code d'accès de 6 chiffres peut commencer par 0.",
    )
    examples = examples_in(repo / "data/nlu/code_acces.yml")[name]
    assert EXAMPLES[0] not in examples and "un code qui demarre par zero c'est bon ?" in examples
    responses = load_yaml(repo / "domain/responses/code_acces.yml")["responses"]
    assert responses[f"utter_{name}"][0]["text"] == "Oui, un code d'accès de 6 chiffres peut commencer par 0."
    assert responses[f"utter_{name}"][0]["buttons"] == [
        {"title": "J'ai oublié mon code", "payload": "/forgot_access_code"}
    ]
    assert "# Atelier : modifiée le" in (repo / "domain/responses/code_acces.yml").read_text(encoding="utf-8")
    assert consistency.problems(repo) == []
    with pytest.raises(WriterError, match="il en faut au moins 10"):
        edit_intent(name, reviewer="paul", root=repo, remove=EXAMPLES[1:3])
    with pytest.raises(WriterError, match="action programmée"):
        edit_intent("email_not_received", reviewer="paul", root=repo, answer="Texte")


def test_a_section_without_a_line_gets_one_and_a_wrong_number_is_refused(tmp_path: Path) -> None:
    coverage = tmp_path / "couverture.yml"
    coverage.write_text('sections:\n  "1": []\n', encoding="utf-8")
    link_section(coverage, "1", "how_to_login")
    link_section(coverage, "4.3", "code_peut_commencer_zero")
    assert load_yaml(coverage)["sections"] == {"1": ["how_to_login"], "4.3": ["code_peut_commencer_zero"]}
    with pytest.raises(WriterError, match="n'est pas un numéro de section"):
        link_section(coverage, '1": [x]', "x")
