"""The promotion gate through the workbench's API, on the real databases (audit log included).

Training, Rasa's evaluation and the load into Rasa are replaced (a model file written,
evaluations given, the history recorded as ``loading.load`` would): what is tested is
what the server decides — refuse a worse candidate, let only a superviseur override it
and only with a reason, audit both with the figures — and what the page is told.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from bot.db.engine import session_scope
from bot.db.enums import AgentAction
from bot.db.models import AgentAuditEntry
from bot.releases import history, loading
from bot.training.check import CheckResult
from bot.training.evaluation import Evaluation
from bot.web import workbench_jobs
from tests.training.test_promotion import evaluation
from tests.web.test_atelier import db, post, project, sign_in, wait_for, web  # noqa: F401 - fixtures
from tests.workbench.conftest import repo, tracker  # noqa: F401 - fixtures

SHIPPED = "sesame-20261201-080000.tar.gz"
GOOD = evaluation(forgot=(95, 100), login=(100, 100))
WORSE = evaluation(forgot=(85, 100), login=(100, 100))


class FakeEvaluations:
    """Evaluations given per model file: the shipped one, then what the next candidate is to score."""

    def __init__(self) -> None:
        self.next: Evaluation = WORSE
        self.by_model: dict[str, Evaluation] = {SHIPPED: GOOD}

    def evaluate(self, model: Path) -> Evaluation:
        return self.by_model.setdefault(model.name, self.next)

    def stored(self, model: Path) -> Evaluation | None:
        return self.by_model.get(model.name)


@pytest.fixture
def models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A throw-away models folder with the shipped model active; training and loading replaced."""
    folder = tmp_path / "modeles"
    (folder / "history").mkdir(parents=True)
    (folder / "history" / SHIPPED).write_bytes(b"livre")
    (folder / "sesame.tar.gz").write_bytes(b"livre")
    (folder / "releases.json").write_text(f'{{"actif": "{SHIPPED}", "precedent": null}}', encoding="utf-8")
    for name, value in (
        ("MODELS_DIR", folder),
        ("HISTORY_DIR", folder / "history"),
        ("STARTUP_MODEL", folder / "sesame.tar.gz"),
        ("RELEASES_FILE", folder / "releases.json"),
    ):
        monkeypatch.setattr(history, name, value)
    trained = iter(["sesame-20261208-100000.tar.gz", "sesame-20261208-110000.tar.gz"])

    def train(root: Path) -> str:
        name = next(trained)
        (folder / "history" / name).write_bytes(name.encode())
        return name

    def load(engine: Engine, settings: Any, name: str, actor: str, **_: Any) -> history.Releases:
        releases = history.record_loaded(name, folder)
        with session_scope(engine) as session:
            from bot.agents import audit

            audit.record(session, actor, AgentAction.MODEL_LOADED, modele=name)
        return releases

    monkeypatch.setattr(loading, "train_candidate", train)
    monkeypatch.setattr(loading, "load", load)
    monkeypatch.setattr(workbench_jobs, "rasa_validate", lambda root, rasa: [])
    monkeypatch.setattr(workbench_jobs, "run_checks", lambda *args, **kwargs: CheckResult())
    yield folder


@pytest.fixture
def fake(web: TestClient) -> FakeEvaluations:  # noqa: F811 - the fixture imported above
    evaluations = FakeEvaluations()
    web.app.state.workbench.evaluations = evaluations  # type: ignore[attr-defined]
    return evaluations


def audit_lines(engine: Engine, action: AgentAction) -> list[tuple[str, dict[str, Any]]]:
    with session_scope(engine) as session:
        rows = session.scalars(select(AgentAuditEntry).where(AgentAuditEntry.action == action.value)).all()
        return [(row.actor, dict(row.detail or {})) for row in rows]


def test_a_worse_model_is_refused_then_put_in_service_only_by_a_superviseur_with_a_reason(
    web: TestClient,  # noqa: F811
    db: Engine,  # noqa: F811
    models: Path,
    fake: FakeEvaluations,
) -> None:
    sign_in(web, "sam")
    assert post(web, "/modele").status_code == 202
    status = wait_for(web, "/modele")
    job, comparison = status["tache"], status["comparaison"]
    assert job["etat"] == "echec" and job["message"].startswith("Nouveau modèle refusé")
    assert "Le modèle en service n'a pas changé" in job["message"]
    assert status["actif"] == SHIPPED and status["candidat_refuse"] == "sesame-20261208-100000.tar.gz"
    # The comparison in French: overall, and per question by its label (intents.yml), not its name.
    assert comparison["refuse"] is True and comparison["verdict"] == "moins bien"
    assert [m["libelle"] for m in comparison["ensemble"]] == [
        "Phrases de contrôle",
        "Phrases de contrôle mal tapées",
        "Histoires de test",
    ]
    assert comparison["ensemble"][0]["avant"] == "195/200 (97,5 %)"
    assert comparison["ensemble"][0]["apres"] == "185/200 (92,5 %)"
    [question] = comparison["questions"]
    assert question["verdict"] == "moins bien" and question["label"] == "J'ai oublié mon code d'accès"
    refusals = audit_lines(db, AgentAction.MODEL_REFUSED)
    assert refusals == [
        (
            "sam",
            {
                "modele": "sesame-20261208-100000.tar.gz",
                "phrases_de_controle": "195/200 (97,5 %) -> 185/200 (92,5 %)",
                "phrases_mal_tapees": "195/200 (97,5 %) -> 185/200 (92,5 %)",
                "histoires_de_test": "10/10 (100,0 %) -> 10/10 (100,0 %)",
            },
        )
    ]
    assert audit_lines(db, AgentAction.MODEL_LOADED) == []

    # A formateur cannot override, whatever the page shows.
    web.cookies.clear()
    sign_in(web, "fanny")
    asked = {"candidat": status["candidat_refuse"], "raison": "Je suis sûre de moi"}
    refused = post(web, "/modele/forcer", asked)
    assert refused.status_code == 403 and refused.json()["error"].startswith("Réservé aux superviseurs")
    # A superviseur must say why.
    web.cookies.clear()
    sign_in(web, "sam")
    empty = post(web, "/modele/forcer", {**asked, "raison": "   \n "})
    assert empty.status_code == 422 and "la raison est obligatoire" in empty.json()["error"]
    unknown = post(web, "/modele/forcer", {**asked, "candidat": "../sesame.tar.gz"})
    assert unknown.status_code == 404
    assert history.read(models).active == SHIPPED
    reason = "Les phrases perdues sont des formulations retirées du site ; validé avec la direction."
    forced = post(web, "/modele/forcer", {**asked, "raison": reason})
    assert forced.status_code == 200, forced.text
    view = forced.json()
    assert view["actif"] == "sesame-20261208-100000.tar.gz" and view["precedent"] == SHIPPED
    assert view["candidat_refuse"] is None
    assert "malgré la comparaison" in view["tache"]["message"]
    [(actor, detail)] = audit_lines(db, AgentAction.MODEL_FORCED)
    assert actor == "sam" and detail["raison"] == reason and detail["refuse_par_la_comparaison"] is True
    assert detail["phrases_de_controle"] == "195/200 (97,5 %) -> 185/200 (92,5 %)"
    assert detail["tolerance"] == "1 point"
    # After a reload, the page still tells the truth.
    again = web.get("/atelier/api/modele").json()
    assert again["candidat_refuse"] is None and "malgré la comparaison" in again["tache"]["message"]
    assert post(web, "/modele/forcer", {**asked, "raison": reason}).status_code == 409  # already active


def test_a_model_as_good_goes_into_service_and_a_rollback_is_not_hidden_by_a_stale_message(
    web: TestClient,  # noqa: F811
    db: Engine,  # noqa: F811
    models: Path,
    fake: FakeEvaluations,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake.next = GOOD
    sign_in(web, "sam")
    assert post(web, "/modele").status_code == 202
    status = wait_for(web, "/modele")
    assert status["tache"]["etat"] == "reussi", status["tache"]["message"]
    assert status["tache"]["message"].startswith("Nouveau modèle en service : sesame-20261208-100000.tar.gz.")
    assert "aussi bien que le modèle en service" in status["tache"]["message"]
    assert status["precedent"] == SHIPPED and status["comparaison"]["refuse"] is False

    def rollback(engine: Engine, settings: Any, actor: str) -> history.Releases:
        return history.record_loaded(history.rollback_target(models), models)

    monkeypatch.setattr(loading, "rollback", rollback)
    assert post(web, "/modele/retour").status_code == 200
    reloaded = web.get("/atelier/api/modele").json()
    assert reloaded["actif"] == SHIPPED
    assert "Nouveau modèle en service" not in reloaded["tache"]["message"]
    assert "ne répond plus" in reloaded["tache"]["message"]
