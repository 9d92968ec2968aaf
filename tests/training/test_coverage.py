"""The help document's sections, couverture.yml, and the coverage table."""

from __future__ import annotations

from pathlib import Path

from bot.training.coverage import coverage, default_help_document, parse_help_document, table
from bot.training.project import ROOT, load_project
from tests.training.conftest import write

DOCUMENT = """\
AIDE POUR VOUS CONNECTER

1. COMMENT SE CONNECTER ?

1.1. Je suis en possession de mon code d'accès :

- Je me connecte au site.

3.4. Accepter

les Conditions Générales d'Utilisation

4. JE N'ARRIVE PAS À ME CONNECTER

- Je peux réinitialiser mon code en me référant au 2 du présent document.
"""


def test_the_help_document_is_cut_into_numbered_sections() -> None:
    sections = parse_help_document(DOCUMENT)
    assert [(s.number, s.title, s.line) for s in sections] == [
        ("1", "Comment se connecter ?", 3),
        ("1.1", "Je suis en possession de mon code d'accès", 5),
        ("3.4", "Accepter", 9),
        ("4", "Je n'arrive pas à me connecter", 13),
    ]
    # A short step title is shown with the start of its text; a body line citing « 2 » is no section.
    assert sections[2].summary == "Accepter les Conditions Générales d'Utilisation"
    assert "réinitialiser" in sections[3].text


def test_the_real_help_document_has_its_twelve_sections() -> None:
    document = default_help_document(ROOT)
    assert document.exists(), f"document d'aide introuvable : {document}"
    numbers = [s.number for s in parse_help_document(document.read_text(encoding="utf-8"))]
    assert numbers == ["1", "1.1", "1.2", "2", "3", "3.1", "3.2", "3.3", "3.4", "4", "4.1", "4.2"]


def test_every_section_of_the_real_document_is_covered() -> None:
    result = coverage(load_project(ROOT))
    assert result.problems == []
    assert all(row.complete for row in result.rows)


def test_the_small_project_is_covered(project_dir: Path) -> None:
    result = coverage(load_project(project_dir), project_dir / "aide.txt")
    assert result.problems == []
    text = table(result.rows)
    assert "how_to_login" in text and "utter_how_to_login" in text and "couverte" in text


def test_a_section_with_no_intent(project_dir: Path) -> None:
    write(project_dir, "aide.txt", DOCUMENT)
    result = coverage(load_project(project_dir), project_dir / "aide.txt")
    messages = [str(p) for p in result.problems]
    assert any(
        "section 1.1" in m and "aucune intention" in m and m.startswith("couverture.yml") for m in messages
    )
    assert any("section 4 " in m for m in messages)
    assert "À COMPLÉTER" in table(result.rows)


def test_an_intent_without_answer_nor_test_story(project_dir: Path) -> None:
    (project_dir / "tests/stories/test_stories.yml").unlink()
    (project_dir / "domain/responses/connexion.yml").write_text(
        'responses:\n  utter_greet:\n    - text: "Bonjour !"\n', encoding="utf-8"
    )
    (project_dir / "data/rules/questions.yml").write_text("rules: []\n", encoding="utf-8")
    result = coverage(load_project(project_dir), project_dir / "aide.txt")
    (problem,) = result.problems
    assert str(problem).startswith("couverture.yml, ligne 2 : how_to_login, qui répond à la section 1")
    assert "pas de réponse" in problem.message and "aucune histoire de test" in problem.message
    assert not result.rows[0].complete


def test_an_answer_given_by_a_rule_counts(project_dir: Path) -> None:
    """cannot_login starts a form: its rule's first action is its answer."""
    (project_dir / "domain/responses/connexion.yml").write_text(
        'responses:\n  utter_greet:\n    - text: "Bonjour !"\n', encoding="utf-8"
    )
    (project_dir / "data/rules/questions.yml").write_text(
        'rules:\n- rule: "x"\n  steps:\n  - intent: how_to_login\n  - action: login_problem_form\n',
        encoding="utf-8",
    )
    result = coverage(load_project(project_dir), project_dir / "aide.txt")
    assert result.problems == []
    assert result.rows[0].answers == {"how_to_login": "login_problem_form"}


def test_mistakes_in_the_coverage_file(project_dir: Path) -> None:
    write(project_dir, "couverture.yml", 'sections:\n  "1": [how_to_logn]\n  1.5: [greet]\n  "9": [greet]\n')
    messages = [str(p) for p in coverage(load_project(project_dir), project_dir / "aide.txt").problems]
    assert any("couverture.yml, ligne 2" in m and "how_to_logn n'existe pas" in m for m in messages)
    assert any("couverture.yml, ligne 3" in m and "entre guillemets" in m for m in messages)
    assert any("couverture.yml, ligne 4" in m and "section 9 n'existe pas" in m for m in messages)
    assert any("how_to_login est marquée « help_document: true »" in m for m in messages)


def test_a_missing_help_document_is_a_problem(project_dir: Path) -> None:
    result = coverage(load_project(project_dir), project_dir / "absent.txt")
    assert any("introuvable" in p.message for p in result.problems)
