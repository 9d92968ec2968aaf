"""make check-data: the small project passes; each rule, broken once, names its file and line."""

from __future__ import annotations

from pathlib import Path

from bot.training.check import CheckResult, main, render, run_checks
from bot.training.lint import (
    closer_to_another,
    foreign_links,
    holdout_leaks,
    near_duplicates,
    same_example_two_intents,
    secrets_in_examples,
    too_few_examples,
    unused_responses,
)
from bot.training.project import load_project
from tests.training.conftest import GREET, HOW, examples, write

RESET_BASE = "http://127.0.0.1:8080/reinitialiser"


def check(root: Path) -> CheckResult:
    return run_checks(root, root / "aide.txt", with_rasa=False, allowed_bases=(RESET_BASE,))


def line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if text in line)


def add_nlu(root: Path, name: str, body: str) -> Path:
    return write(root, f"data/nlu/{name}", 'version: "3.1"\nnlu:\n' + body)


def test_the_small_project_passes(project_dir: Path) -> None:
    result = check(project_dir)
    assert result.problems == []
    assert "aucun problème" in render(result)


def test_examples_keep_their_file_and_line(project_dir: Path) -> None:
    project = load_project(project_dir)
    salut = next(x for x in project.examples if x.text == "salut")
    assert salut.where.path == "data/nlu/connexion.yml"
    assert salut.where.line == line_of(project_dir / "data/nlu/connexion.yml", "- salut")


def test_the_same_example_under_two_intents(project_dir: Path) -> None:
    other = add_nlu(
        project_dir, "autre.yml", "- intent: greet\n  examples: |\n    - Comment me connecter !\n"
    )
    problems = same_example_two_intents(load_project(project_dir))
    assert len(problems) == 1
    first = f"data/nlu/autre.yml, ligne {line_of(other, 'Comment me connecter')}"
    nlu = project_dir / "data/nlu/connexion.yml"
    second = f"data/nlu/connexion.yml, ligne {line_of(nlu, 'comment me connecter')}"
    assert str(problems[0]).startswith(second)
    assert first in problems[0].message
    assert "how_to_login" in problems[0].message and "greet" in problems[0].message


def test_near_duplicates_across_intents(project_dir: Path) -> None:
    other = add_nlu(project_dir, "autre.yml", "- intent: greet\n  examples: |\n    - comment me connecterr\n")
    problems = near_duplicates(load_project(project_dir))
    assert len(problems) == 1
    assert f"data/nlu/autre.yml, ligne {line_of(other, 'connecterr')}" in str(problems[0])
    assert "data/nlu/connexion.yml, ligne" in str(problems[0])
    assert "presque" in problems[0].message and "similarité" in problems[0].message


def test_a_negation_is_a_contrast_not_a_near_duplicate(project_dir: Path) -> None:
    add_nlu(
        project_dir,
        "oui_non.yml",
        "- intent: greet\n  examples: |\n    - absolument\n"
        "- intent: how_to_login\n  examples: |\n    - absolument pas\n",
    )
    assert near_duplicates(load_project(project_dir)) == []


def test_the_noisy_copies_do_not_flood_the_near_duplicates(project_dir: Path) -> None:
    """variantes.yml (generated) holds near-copies of every example by construction."""
    noisy = [p.replace("o", "0", 1) for p in HOW]
    write(
        project_dir,
        "data/nlu/variantes.yml",
        "# Généré par bot/training/variants.py (make nlu-variants) — ne pas modifier à la main.\n"
        'version: "3.1"\nnlu:\n'
        f"- intent: greet\n  examples: |\n{examples(noisy)}",
    )
    assert near_duplicates(load_project(project_dir)) == []
    # ... and do not count as examples written by trainers.
    assert too_few_examples(load_project(project_dir)) == []


def test_an_example_that_looks_like_another_intent(project_dir: Path) -> None:
    """A greeting that says the login intent's words is flagged where it is written; a short one is not."""
    nlu = add_nlu(
        project_dir,
        "autre.yml",
        "- intent: greet\n  examples: |\n    - bonjour comment se connecter au site acs\n    - coucou toi\n",
    )
    problems = closer_to_another(load_project(project_dir))
    assert [str(p).split(" : ")[0] for p in problems] == [
        f"data/nlu/autre.yml, ligne {line_of(nlu, 'comment se connecter au site')}"
    ]
    assert "how_to_login" in problems[0].message and "(greet)" in problems[0].message


def test_too_few_examples(project_dir: Path) -> None:
    nlu = project_dir / "data/nlu/connexion.yml"
    nlu.write_text(
        'version: "3.1"\nnlu:\n'
        f"- intent: how_to_login\n  examples: |\n{examples(HOW[:24])}"
        f"- intent: greet\n  examples: |\n{examples(GREET[:9])}",
        encoding="utf-8",
    )
    problems = too_few_examples(load_project(project_dir))
    messages = {p.message.split(" ")[0]: p for p in problems}
    assert set(messages) == {"how_to_login", "greet"}
    assert (
        "24 exemple(s)" in messages["how_to_login"].message
        and "au moins 25" in messages["how_to_login"].message
    )
    assert "9 exemple(s)" in messages["greet"].message and "au moins 10" in messages["greet"].message
    assert messages["greet"].where.path == "data/nlu/connexion.yml" and messages["greet"].where.line > 0


def test_an_example_that_is_also_in_the_holdout(project_dir: Path) -> None:
    path = add_nlu(
        project_dir,
        "fuite.yml",
        "- intent: how_to_login\n  examples: |\n"
        "    - Par où on passe pour voir ses remboursements en ligne ?\n"
        "    - par ou on pase pour voir ses remboursements en ligne\n",
    )
    problems = holdout_leaks(load_project(project_dir))
    assert [(p.where.path, p.where.line) for p in problems] == [
        ("data/nlu/fuite.yml", line_of(path, "Par où")),
        ("data/nlu/fuite.yml", line_of(path, "pase")),
    ]
    assert "est aussi une phrase de contrôle (tests/holdout/holdout.yml, ligne 5" in problems[0].message
    assert "est presque (similarité" in problems[1].message


def test_an_answer_nothing_uses(project_dir: Path) -> None:
    path = write(
        project_dir,
        "domain/responses/extra.yml",
        'version: "3.1"\nresponses:\n  utter_orphan:\n    - text: "personne ne me dit"\n'
        '  utter_said_by_code:\n    - text: "dit par une action"\n'
        '  utter_ask_phone:\n    - text: "votre numéro ?"\n'
        '  utter_how_to_login_detail:\n    - text: "en détail"\n',
    )
    write(project_dir, "domain/forms.yml", "forms:\n  callback_form:\n    required_slots:\n      - phone\n")
    write(
        project_dir,
        "actions/talk.py",
        'def run(dispatcher):\n    dispatcher.utter_message(response="utter_said_by_code")\n',
    )
    problems = unused_responses(load_project(project_dir))
    assert [(p.where.path, p.where.line) for p in problems] == [
        ("domain/responses/extra.yml", line_of(path, "utter_orphan"))
    ]
    assert "utter_orphan" in problems[0].message


def test_an_answer_named_by_the_console_is_used(project_dir: Path) -> None:
    write(project_dir, "domain/responses/extra.yml", 'responses:\n  utter_for_agents:\n    - text: "x"\n')
    write(
        project_dir,
        "domain/responses/console_conseillers.yml",
        "console:\n  intentions:\n    greet:\n      reponse: utter_for_agents\n",
    )
    assert unused_responses(load_project(project_dir)) == []


def test_a_link_that_is_not_the_acs_site(project_dir: Path) -> None:
    path = write(
        project_dir,
        "domain/responses/liens.yml",
        "# un commentaire peut citer https://exemple.org\n"
        "responses:\n"
        "  utter_greet_more:\n"
        '    - text: "Voir http://acs-assurances.cpms.fr (pas en https)"\n'
        '    - text: "Ou www.concurrent.fr/offres et https://phishing.example.com/acs"\n'
        '    - text: "Le site acs-assurances.cpms.fr, https://acs-assurances.cpms.fr/espace"\n'
        f'    - text: "Votre lien : {RESET_BASE}?jeton=abc, ecrivez a contact@acs.fr"\n',
    )
    problems = foreign_links(load_project(project_dir), (RESET_BASE,))
    found = [(p.where.line, p.message.split(" ")[2]) for p in problems]
    assert found == [
        (line_of(path, "pas en https"), "http://acs-assurances.cpms.fr"),
        (line_of(path, "concurrent"), "https://phishing.example.com/acs"),
        (line_of(path, "concurrent"), "www.concurrent.fr/offres"),
    ]
    assert all(p.where.path == "domain/responses/liens.yml" for p in problems)


def test_a_secret_in_any_spelling_in_the_examples(project_dir: Path) -> None:
    """Issue 20: "48|29|13" in an example passed the data check, then trained."""
    variants = add_nlu(
        project_dir,
        "variantes.yml",
        "- intent: greet\n  examples: |\n"
        "    - mon code 48|29|13\n    - code ⁴⁸²⁹¹³ svp\n    - bonjour 12 fois\n",
    )
    write(
        project_dir,
        "data/nlu/secrets.yml",
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - 482913\n',
    )
    problems = secrets_in_examples(load_project(project_dir))
    assert [str(p.where) for p in problems] == [
        f"data/nlu/variantes.yml, ligne {line_of(variants, '48|29|13')}",
        f"data/nlu/variantes.yml, ligne {line_of(variants, 'svp')}",
    ]
    assert all("[code masqué]" in p.message and "48" not in p.message for p in problems)


def test_the_command_fails_and_says_where(project_dir: Path, capsys: object) -> None:
    add_nlu(project_dir, "autre.yml", "- intent: greet\n  examples: |\n    - comment me connecter\n")
    code = main(["--sans-rasa", "--racine", str(project_dir), "--aide", str(project_dir / "aide.txt")])
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert code == 1
    assert "Même phrase sous deux intentions (1)" in out
    assert "data/nlu/autre.yml, ligne 5" in out
    assert "1 problème à corriger" in out


def test_the_command_speaks_json_for_the_workbench(project_dir: Path, capsys: object) -> None:
    import json

    code = main(
        ["--sans-rasa", "--json", "--racine", str(project_dir), "--aide", str(project_dir / "aide.txt")]
    )
    data = json.loads(capsys.readouterr().out)  # type: ignore[attr-defined]
    assert code == 0
    assert data["ok"] is True
    assert data["coverage"][0]["section"] == "1"
    assert data["coverage"][0]["intents"][0]["name"] == "how_to_login"
