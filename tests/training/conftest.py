"""A small project that passes every check, written in a temporary directory.

Each lint test breaks one thing in it and expects that rule, with its file and line.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

HOW = [
    "comment me connecter",
    "je veux entrer dans mon espace",
    "quels identifiants faut il saisir",
    "acceder a mon compte adherent",
    "ou taper mon numero de secu pour entrer",
    "procedure de connexion",
    "je me logue comment",
    "comment on rentre sur le site",
    "que faut il pour ouvrir sa session",
    "marche a suivre pour se connecter",
    "je dois mettre quoi pour aller dans mon espace",
    "connexion espace adherent mode d emploi",
    "c est quoi les identifiants",
    "ou saisir le code d acces",
    "comment s identifier",
    "aidez moi a me connecter",
    "je sais pas comment entrer",
    "etapes pour acceder au compte",
    "on se connecte avec quoi",
    "explique moi la connexion",
    "login espace adherent",
    "quelle demarche pour entrer sur mon espace",
    "ouvrir mon espace perso",
    "se connecter au site acs",
    "comment faire pour accéder à l'espace adhérent",
]
GREET = ["bonjour", "salut", "bonsoir", "coucou", "hello", "yo", "bjr", "slt", "hey", "re bonjour"]
HELP_DOCUMENT = """AIDE

1. COMMENT SE CONNECTER ?

- Je me connecte au site acs-assurances.cpms.fr.
"""


def examples(phrases: list[str]) -> str:
    return "".join(f"    - {p}\n" for p in phrases)


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text) if text.startswith("\n") else text, encoding="utf-8")
    return path


def make_project(root: Path) -> Path:
    write(
        root,
        "intents.yml",
        "intents:\n"
        "  how_to_login:\n"
        '    label: "Comment me connecter"\n'
        "    button: true\n"
        "    help_document: true\n"
        "  greet:\n",
    )
    write(
        root,
        "data/nlu/connexion.yml",
        'version: "3.1"\nnlu:\n'
        f"- intent: how_to_login\n  examples: |\n{examples(HOW)}"
        f"- intent: greet\n  examples: |\n{examples(GREET)}",
    )
    write(
        root,
        "data/rules/questions.yml",
        'version: "3.1"\nrules:\n'
        '- rule: "connexion"\n  steps:\n  - intent: how_to_login\n  - action: utter_how_to_login\n'
        '- rule: "bonjour"\n  steps:\n  - intent: greet\n  - action: utter_greet\n',
    )
    write(
        root,
        "domain/responses/connexion.yml",
        'version: "3.1"\nresponses:\n'
        "  utter_how_to_login:\n"
        '    - text: "Rendez-vous sur https://acs-assurances.cpms.fr, « Espace Adhérent »."\n'
        "  utter_greet:\n"
        '    - text: "Bonjour !"\n',
    )
    write(
        root,
        "tests/stories/test_stories.yml",
        'version: "3.1"\nstories:\n'
        '- story: "connexion"\n  steps:\n'
        "  - user: |\n      comment je fais pour entrer\n    intent: how_to_login\n"
        "  - action: utter_how_to_login\n",
    )
    write(
        root,
        "tests/holdout/holdout.yml",
        'version: "3.1"\nnlu:\n- intent: how_to_login\n  examples: |\n'
        "    - par ou on passe pour voir ses remboursements en ligne\n",
    )
    write(root, "couverture.yml", 'sections:\n  "1": [how_to_login]\n')
    write(root, "aide.txt", HELP_DOCUMENT)
    return root


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    return make_project(tmp_path / "projet")
