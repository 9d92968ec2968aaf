"""The evaluation of one model, as members see it, computed once per model and kept.

The measures are those of ``make test``: the held-out phrases (``tests/holdout/``),
their badly typed copies (``bot.training.robust``, fixed seed) and the test stories
(``tests/stories/``), all in one Rasa process that loads the model once
(``rasa_addons.evaluation``, env A). A phrase counts as the member sees it: the
intent after the fallback threshold. It is right when it is the expected intent,
or, for an out-of-scope phrase, when the bot says it did not understand; « non
compris » when the fallback answered a question the bot should have recognised;
wrong otherwise (the member got another question's answer).

An evaluation is stored under ``models/evaluations/<sha256 of the model file>.json``
with Rasa's files beside it (``<sha256>/``, numbers masked), and reused as long as
the test sets have not changed (their fingerprint is in the file). So the shipped
model's evaluation, written when ``make model`` builds it, is the baseline of the
first report and of the first promotion; ``make nlu-eval``, ``nlu-robust`` and
``story-test`` copy its files to ``reports/`` (``--rapports``) and keep their bars.

The phrase sets are a list (``PhraseSet``): another set is one more entry.

    python -m bot.training.evaluation --modele models/sesame.tar.gz [--rapports reports]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bot.settings import PROJECT_ROOT, models_dir
from bot.training.report_masking import mask_secrets
from bot.training.robust import SEED, robust_examples, to_yaml

# Bump when what an evaluation measures changes: older stored evaluations are then redone.
VERSION = 1
OUT_OF_SCOPE = "out_of_scope"
FALLBACK = "nlu_fallback"
STORIES = "histoires"
TIMEOUT_SECONDS = 1800


@dataclass(frozen=True)
class PhraseSet:
    """One set of phrases with their expected intent: a file or folder of Rasa NLU data."""

    name: str  # the folder of Rasa's files, and the key in the stored evaluation
    label: str  # French, for trainers
    path: Path


@dataclass
class IntentTally:
    support: int = 0
    correct: int = 0
    not_understood: int = 0  # the fallback answered (« Vouliez-vous dire… »)

    @property
    def wrong(self) -> int:
        return self.support - self.correct - self.not_understood


@dataclass
class SetResult:
    name: str
    label: str
    intents: dict[str, IntentTally] = field(default_factory=dict)

    @property
    def phrases(self) -> int:
        return sum(t.support for t in self.intents.values())

    @property
    def correct(self) -> int:
        return sum(t.correct for t in self.intents.values())

    @property
    def errors(self) -> int:
        return self.phrases - self.correct

    @property
    def rate(self) -> float:
        return self.correct / self.phrases if self.phrases else 0.0


@dataclass
class StoriesResult:
    total: int
    correct: int
    failed: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.correct / self.total if self.total else 1.0


@dataclass
class Evaluation:
    model_hash: str
    tests: str  # the fingerprint of the test sets it was measured on
    created: str
    sets: list[SetResult]
    stories: StoriesResult | None

    def set_named(self, name: str) -> SetResult | None:
        return next((s for s in self.sets if s.name == name), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "modele": self.model_hash,
            "jeux": self.tests,
            "cree": self.created,
            "phrases": [
                {
                    "nom": s.name,
                    "libelle": s.label,
                    "intentions": {n: asdict(t) for n, t in s.intents.items()},
                }
                for s in self.sets
            ],
            "histoires": asdict(self.stories) if self.stories else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evaluation:
        stories = data.get("histoires")
        return cls(
            model_hash=str(data["modele"]),
            tests=str(data["jeux"]),
            created=str(data.get("cree", "")),
            sets=[
                SetResult(
                    str(s["nom"]),
                    str(s["libelle"]),
                    {name: IntentTally(**tally) for name, tally in s["intentions"].items()},
                )
                for s in data.get("phrases", [])
            ],
            stories=StoriesResult(**stories) if stories else None,
        )


# --- scoring what Rasa wrote -----------------------------------------------------------------


def member_outcome(expected: str, intent: str | None) -> str:
    """« correct », « non_compris » or « faux » for one phrase, as the member lives it."""
    if expected == OUT_OF_SCOPE:
        return "correct" if intent in (OUT_OF_SCOPE, FALLBACK) else "faux"
    if intent == expected:
        return "correct"
    return "non_compris" if intent == FALLBACK else "faux"


def score_phrases(name: str, label: str, view: Sequence[Mapping[str, Any]]) -> SetResult:
    """Per intent, how many phrases of ``member_view.json`` the member got right."""
    result = SetResult(name, label)
    for phrase in view:
        expected = str(phrase["expected"])
        tally = result.intents.setdefault(expected, IntentTally())
        tally.support += 1
        outcome = member_outcome(expected, phrase.get("intent"))
        if outcome == "correct":
            tally.correct += 1
        elif outcome == "non_compris":
            tally.not_understood += 1
    result.intents = dict(sorted(result.intents.items()))
    return result


def score_stories(folder: Path) -> StoriesResult | None:
    """``story_report.json`` of ``rasa test core --e2e``: a story with any prediction error failed."""
    report_path = folder / "story_report.json"
    if not report_path.is_file():
        return None
    accuracy = json.loads(report_path.read_text(encoding="utf-8")).get("conversation_accuracy") or {}
    failed = []
    failed_path = folder / "failed_test_stories.yml"
    if failed_path.is_file():
        for line in failed_path.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith("- story:"):
                failed.append(line.strip()[len("- story:") :].strip().strip("\"'"))
    return StoriesResult(int(accuracy.get("total", 0)), int(accuracy.get("correct", 0)), failed)


def read_raw(folder: Path, phrase_sets: Sequence[PhraseSet], model_hash: str, tests: str) -> Evaluation:
    sets = []
    for phrase_set in phrase_sets:
        view_path = folder / phrase_set.name / "member_view.json"
        view = json.loads(view_path.read_text(encoding="utf-8")) if view_path.is_file() else []
        sets.append(score_phrases(phrase_set.name, phrase_set.label, view))
    created = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    return Evaluation(model_hash, tests, created, sets, score_stories(folder / STORIES))


# --- what is measured, and the fingerprints ----------------------------------------------------


def model_hash(model: Path) -> str:
    digest = hashlib.sha256()
    with model.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def default_sets(root: Path, work: Path) -> list[PhraseSet]:
    """The held-out phrases and their noisy copy (written into ``work``)."""
    holdout = root / "tests" / "holdout"
    robust = work / "robust.yml"
    work.mkdir(parents=True, exist_ok=True)
    robust.write_text(to_yaml(robust_examples(holdout, SEED)), encoding="utf-8")
    return [
        PhraseSet("controle", "Phrases de contrôle", holdout),
        PhraseSet("robustesse", "Phrases de contrôle mal tapées", robust),
    ]


def tests_fingerprint(root: Path) -> str:
    """What the evaluation depends on besides the model: the test files and this module's version."""
    digest = hashlib.sha256(f"v{VERSION} seed {SEED}".encode())
    for folder in (root / "tests" / "holdout", root / "tests" / "stories"):
        for path in sorted(folder.rglob("*.yml")):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


# --- running Rasa, storing, reusing ------------------------------------------------------------

Runner = Callable[[Path, Path, Sequence[PhraseSet], Path, Path], None]


def run_rasa(model: Path, root: Path, phrase_sets: Sequence[PhraseSet], stories: Path, out: Path) -> None:
    """``rasa_addons.evaluation`` in env A, the model loaded once; ``EvaluationFailed`` if it fails."""
    python = PROJECT_ROOT / ".venv" / "rasa" / "bin" / "python"
    command = [
        str(python),
        "-m",
        "rasa_addons.evaluation",
        "--model",
        str(model),
        "--domain",
        str(root / "domain"),
    ]
    command += ["--out", str(out), "--stories", str(stories)]
    for phrase_set in phrase_sets:
        command += ["--nlu", f"{phrase_set.name}={phrase_set.path}"]
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    log = out / "evaluation.log"
    with log.open("w", encoding="utf-8") as sink:
        try:
            done = subprocess.run(  # noqa: S603 - our own module, fixed arguments
                command, cwd=root, env=env, stdout=sink, stderr=subprocess.STDOUT, timeout=TIMEOUT_SECONDS
            )
        except (subprocess.TimeoutExpired, OSError) as error:
            raise EvaluationFailed(
                f"L'évaluation du modèle n'a pas abouti ({type(error).__name__})."
            ) from None
    if done.returncode != 0:
        raise EvaluationFailed("L'évaluation du modèle a échoué : voir le journal evaluation.log.")


class EvaluationFailed(RuntimeError):
    """Rasa could not evaluate the model; French message."""


class Evaluations:
    """The evaluations of this project's models, under ``models/evaluations/``."""

    def __init__(
        self, root: Path = PROJECT_ROOT, store: Path | None = None, runner: Runner = run_rasa
    ) -> None:
        self.root, self.runner = root, runner
        self.store = store if store is not None else models_dir() / "evaluations"

    def stored(self, model: Path) -> Evaluation | None:
        """The kept evaluation of ``model`` on the current test sets, if there is one."""
        return self._stored(model_hash(model), tests_fingerprint(self.root))

    def _stored(self, key: str, tests: str) -> Evaluation | None:
        path = self.store / f"{key}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if data.get("version") != VERSION or data.get("jeux") != tests:
            return None
        return Evaluation.from_dict(data)

    def raw_folder(self, model: Path) -> Path:
        return self.store / model_hash(model)

    def evaluate(self, model: Path) -> Evaluation:
        """The kept evaluation of ``model``, or a new one (Rasa run once, a minute or so)."""
        key, tests = model_hash(model), tests_fingerprint(self.root)
        kept = self._stored(key, tests)
        if kept is not None:
            return kept
        work = self.store / key
        shutil.rmtree(work, ignore_errors=True)
        phrase_sets = default_sets(self.root, work)
        self.runner(model, self.root, phrase_sets, self.root / "tests" / "stories", work)
        mask_secrets(work)  # Rasa copied the phrases and stories, generated numbers included
        evaluation = read_raw(work, phrase_sets, key, tests)
        temporary = self.store / f"{key}.json.tmp"
        temporary.write_text(
            json.dumps(evaluation.as_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        os.replace(temporary, self.store / f"{key}.json")
        return evaluation


# --- make test: the same files as `rasa test`, in reports/ -------------------------------------

# reports/ folder of each part, as make nlu-eval, nlu-robust and story-test have always written them.
REPORT_FOLDERS = {"controle": "nlu", "robustesse": "nlu_robust", STORIES: "stories"}


def copy_reports(raw: Path, reports: Path) -> None:
    """Rasa's files of one evaluation into ``reports/nlu``, ``reports/nlu_robust``, ``reports/stories``."""
    for part, name in REPORT_FOLDERS.items():
        target = reports / name
        shutil.rmtree(target, ignore_errors=True)
        if (raw / part).is_dir():
            shutil.copytree(raw / part, target)
        else:
            target.mkdir(parents=True)
    if (raw / "robust.yml").is_file():
        shutil.copy2(raw / "robust.yml", reports / "nlu_robust" / "robust.yml")


def headline(evaluation: Evaluation) -> str:
    lines = [f"{s.label} : {s.correct}/{s.phrases} justes pour l'adhérent" for s in evaluation.sets]
    if evaluation.stories:
        lines.append(f"Histoires de test suivies : {evaluation.stories.correct}/{evaluation.stories.total}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.training.evaluation", description=__doc__)
    parser.add_argument("--modele", type=Path, default=models_dir() / "sesame.tar.gz")
    parser.add_argument("--racine", type=Path, default=PROJECT_ROOT)
    parser.add_argument(
        "--rapports", type=Path, default=None, help="copier les fichiers de Rasa dans ce dossier"
    )
    args = parser.parse_args(argv)
    evaluations = Evaluations(args.racine.resolve())
    try:
        evaluation = evaluations.evaluate(args.modele)
    except EvaluationFailed as failure:
        print(f"{failure} ({evaluations.raw_folder(args.modele)})", file=sys.stderr)
        return 1
    print(headline(evaluation))
    if args.rapports is not None:
        copy_reports(evaluations.raw_folder(args.modele), args.rapports)
    return 0


if __name__ == "__main__":
    sys.exit(main())
