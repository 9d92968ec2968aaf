"""``make check-data``: Rasa's own validation, then the trainers' lint, in French.

Usable alone (``python -m bot.training.check``) and from the workbench
(``run_checks``). Exit status 0 when everything is fine, 1 when anything must be
fixed, 2 when the project cannot be read at all.

    python -m bot.training.check [--sans-rasa] [--json] [--aide FICHIER]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bot.training.coverage import Row, coverage, default_help_document, table
from bot.training.lint import Problem, lint
from bot.training.project import ROOT, ProjectError, Where, load_project

RULE_TITLES = {
    "rasa": "Validation de Rasa",
    "doublon": "Même phrase sous deux intentions",
    "quasi-doublon": "Phrases presque identiques sous deux intentions",
    "plus-proche-d-une-autre-intention": "Exemples qui ressemblent plus à une autre intention qu'à la leur",
    "trop-peu-d-exemples": "Intentions avec trop peu d'exemples",
    "phrase-de-controle": "Exemples copiés des phrases de contrôle",
    "reponse-inutilisee": "Réponses que rien n'utilise",
    "lien": "Liens qui ne sont pas le site d'ACS",
    "secret": "Exemples qui contiennent un numéro de Sécurité sociale ou un code d'accès",
    "couverture": "Document d'aide : sections sans intention, réponse ou histoire de test",
}
# Rasa's warnings that say nothing a trainer can act on (the lint's « réponses que rien
# n'utilise » says it better: Rasa does not see the responses said by the actions).
_RASA_NOISE = re.compile(
    r"is not used in any story or rule|DeprecationWarning|declare_namespace|pkg_resources|"
    r"MovedIn20Warning|declarative_base|xla_computation|Base: DeclarativeMeta|^\s*$"
)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
RASA_TIMEOUT_SECONDS = 600


@dataclass
class CheckResult:
    problems: list[Problem] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    rasa_ran: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "rasa_ran": self.rasa_ran,
            "problems": [
                {"rule": p.rule, "file": p.where.path, "line": p.where.line, "message": p.message}
                for p in self.problems
            ],
            "coverage": [
                {
                    "section": r.section.number,
                    "title": r.section.summary,
                    "intents": [
                        {
                            "name": i,
                            "examples": r.examples.get(i),
                            "answer": r.answers.get(i),
                            "tests": r.tests.get(i),
                        }
                        for i in r.intents
                    ],
                    "complete": r.complete,
                }
                for r in self.rows
            ],
        }


def rasa_validate(root: Path, rasa: Path) -> list[Problem]:
    """``rasa data validate --fail-on-warnings``, as ``make validate`` runs it (env A)."""
    if not rasa.exists():
        return [
            Problem(
                "rasa",
                Where(rasa.as_posix(), 0),
                "Rasa n'est pas installé ici : lancez « make venvs », ou vérifiez sans Rasa (--sans-rasa).",
            )
        ]
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONPATH": str(root),
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    command = [str(rasa), "data", "validate", "--domain", "domain", "--fail-on-warnings", "--quiet"]
    try:
        done = subprocess.run(  # noqa: S603 - fixed arguments, our own Rasa
            command,
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=RASA_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return [Problem("rasa", Where("domain/", 0), "la validation de Rasa n'a pas fini en 10 minutes.")]
    if done.returncode == 0:
        return []
    said = [
        _ANSI.sub("", line).strip()
        for line in (done.stdout + "\n" + done.stderr).splitlines()
        if not _RASA_NOISE.search(_ANSI.sub("", line))
    ]
    detail = "\n    ".join(said[-30:]) or "(aucun détail)"
    return [
        Problem(
            "rasa",
            Where("data/ et domain/", 0),
            "Rasa refuse les données. Ses messages (en anglais) disent quel fichier et quel nom "
            f"corriger :\n    {detail}",
        )
    ]


def run_checks(
    root: Path = ROOT,
    help_document: Path | None = None,
    with_rasa: bool = True,
    rasa: Path | None = None,
    allowed_bases: tuple[str, ...] | None = None,
) -> CheckResult:
    """Every check of ``make check-data`` on the project at ``root``."""
    result = CheckResult()
    if with_rasa:
        result.problems.extend(rasa_validate(root, rasa or root / ".venv" / "rasa" / "bin" / "rasa"))
        result.rasa_ran = True
    project = load_project(root)
    if allowed_bases is None:
        from bot.settings import get_settings

        allowed_bases = (get_settings().reset_url_base,)
    result.problems.extend(lint(project, allowed_bases))
    covered = coverage(project, help_document or default_help_document(root))
    result.problems.extend(covered.problems)
    result.rows = covered.rows
    return result


# What to do once the problems are corrected: on the terminal, and in the workbench (its button).
AGAIN_ON_THE_TERMINAL = "relancez « make check-data » ensuite."
AGAIN_IN_THE_WORKBENCH = "cliquez à nouveau sur « Lancer la vérification » ensuite."


def render(result: CheckResult, again: str = AGAIN_ON_THE_TERMINAL) -> str:
    """The French text printed on the terminal: problems by rule, the coverage table, a verdict.

    ``again``: how to check again, for its reader (trainers in the workbench have a button, not make).
    """
    out: list[str] = []
    if result.rasa_ran and not any(p.rule == "rasa" for p in result.problems):
        out.append("Validation de Rasa (rasa data validate) : rien à signaler.")
    for rule, title in RULE_TITLES.items():
        found = [p for p in result.problems if p.rule == rule]
        if not found:
            continue
        out.append("")
        out.append(f"{title} ({len(found)}) :")
        out.extend(f"  - {p}" for p in found)
    if result.rows:
        out.append("")
        out.append("Couverture du document d'aide :")
        out.append(table(result.rows))
    out.append("")
    if result.ok:
        out.append("Données vérifiées : aucun problème.")
    else:
        count = len(result.problems)
        out.append(
            f"{count} problème{'s' if count > 1 else ''} à corriger. Chaque ligne dit le fichier "
            f"et la ligne à modifier ; {again}"
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.training.check", description="Vérifie les données d'entraînement de Sésame."
    )
    parser.add_argument("--sans-rasa", action="store_true", help="ne pas lancer « rasa data validate »")
    parser.add_argument("--json", action="store_true", help="résultat en JSON (pour l'atelier)")
    parser.add_argument("--aide", type=Path, default=None, help="le document d'aide (texte)")
    parser.add_argument("--racine", type=Path, default=ROOT, help="le dossier du projet")
    args = parser.parse_args(argv)
    try:
        result = run_checks(args.racine.resolve(), args.aide, with_rasa=not args.sans_rasa)
    except ProjectError as error:
        print(f"Impossible de lire le projet : {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(render(result))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
