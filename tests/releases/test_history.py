"""The model history: the active model, the one to roll back to, and the file a restart uses."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from bot.releases import history

NOW = dt.datetime(2026, 11, 30, 9, 30, tzinfo=dt.timezone.utc)


def _model(models: Path, name: str, content: bytes) -> str:
    (models / "history").mkdir(parents=True, exist_ok=True)
    (models / "history" / name).write_bytes(content)
    return name


def test_the_first_training_adopts_the_startup_model_as_the_one_to_roll_back_to(tmp_path: Path) -> None:
    (tmp_path / "sesame.tar.gz").write_bytes(b"modele-de-depart")
    adopted = history.adopt_startup_model(NOW, tmp_path)
    assert adopted == "sesame-20261130-093000.tar.gz"
    assert history.read(tmp_path) == history.Releases(adopted, None)
    assert history.adopt_startup_model(NOW, tmp_path) is None  # only once
    new = _model(tmp_path, "sesame-20261130-100000.tar.gz", b"nouveau")
    releases = history.record_loaded(new, tmp_path)
    assert releases == history.Releases(new, adopted)
    assert (tmp_path / "sesame.tar.gz").read_bytes() == b"nouveau"  # a restart keeps the loaded model
    assert history.rollback_target(tmp_path) == adopted
    assert history.record_loaded(adopted, tmp_path) == history.Releases(adopted, new)
    assert (tmp_path / "sesame.tar.gz").read_bytes() == b"modele-de-depart"


def test_no_rollback_without_a_previous_model_and_no_unknown_file(tmp_path: Path) -> None:
    with pytest.raises(history.ReleaseError, match="Aucun modèle précédent"):
        history.rollback_target(tmp_path)
    with pytest.raises(history.ReleaseError, match="n'existe pas"):
        history.record_loaded("sesame-absent.tar.gz", tmp_path)


def test_old_models_are_pruned_but_never_the_active_or_previous_one(tmp_path: Path) -> None:
    names = [_model(tmp_path, f"sesame-20261101-{n:06d}.tar.gz", b"m") for n in range(history.KEEP + 3)]
    history.record_loaded(names[0], tmp_path)  # the oldest becomes active
    kept = history.listed(tmp_path)
    assert names[0] in kept and names[1] not in kept and names[2] not in kept
    assert len(kept) == history.KEEP + 1
    history.record_loaded(names[-1], tmp_path)  # the newest: the oldest is now the rollback
    assert names[0] in history.listed(tmp_path)
    assert history.rollback_target(tmp_path) == names[0]


def _shipped(models: Path, built: dt.datetime) -> Path:
    """``make model``'s output, dated as built then."""
    startup = models / "sesame.tar.gz"
    startup.write_bytes(b"modele-livre")
    os.utime(startup, (built.timestamp(), built.timestamp()))
    return startup


def test_the_model_in_service_at_the_first_start_is_recorded_as_the_active_one(tmp_path: Path) -> None:
    startup = _shipped(tmp_path, NOW - dt.timedelta(days=3))
    assert history.rollback_sentence(history.read(tmp_path)).startswith("Le modèle de démarrage")
    adopted = history.adopt_at_start(startup, NOW, tmp_path)
    assert adopted == "sesame-20261127-093000.tar.gz"  # named after its build: older than any retraining
    assert history.read(tmp_path) == history.Releases(adopted, None)
    assert (tmp_path / "history" / adopted).read_bytes() == b"modele-livre"
    assert history.adopt_at_start(startup, NOW + dt.timedelta(hours=1), tmp_path) is None  # next starts
    assert history.read(tmp_path) == history.Releases(adopted, None)
    other = tmp_path / "autre" / "sesame.tar.gz"  # `--model` elsewhere: not this history's model
    other.parent.mkdir()
    other.write_bytes(b"autre")
    assert history.adopt_at_start(other, NOW, tmp_path / "vide") is None


def test_after_the_first_promotion_the_shipped_model_is_the_rollback_even_within_the_same_second(
    tmp_path: Path,
) -> None:
    # The bug of issue 22: the shipped copy and the candidate got the same name in the same
    # second, the training overwrote the shipped model and no rollback was left.
    _shipped(tmp_path, NOW + dt.timedelta(minutes=5))  # a clock ahead: dated "after" now
    adopted = history.adopt_startup_model(NOW, tmp_path)
    candidate = history.free_name(NOW, tmp_path) + ".tar.gz"
    assert candidate != adopted
    _model(tmp_path, candidate, b"nouveau")
    assert history.record_loaded(candidate, tmp_path) == history.Releases(candidate, adopted)
    assert history.rollback_sentence(history.read(tmp_path)) == (
        f"Le modèle précédent, {adopted}, reste disponible pour un retour en un clic."
    )
    target = history.rollback_target(tmp_path)
    assert target == adopted
    assert history.record_loaded(target, tmp_path) == history.Releases(adopted, candidate)
    assert (tmp_path / "sesame.tar.gz").read_bytes() == b"modele-livre"


def test_the_rollback_sentence_never_promises_a_rollback_that_is_not_there() -> None:
    only_active = history.rollback_sentence(history.Releases("sesame-a.tar.gz", None))
    assert only_active.startswith("Aucun modèle précédent : le retour n'est pas possible.")
    assert "sesame-a.tar.gz restera disponible" in only_active
    assert "reste disponible" not in only_active
    starting = history.rollback_sentence(history.Releases(None, None))
    assert "reste disponible" not in starting and "models/sesame.tar.gz" in starting


def test_a_retrained_startup_file_is_not_served_behind_the_gates_back(tmp_path: Path) -> None:
    """« make model » or the trainers' report writes over models/sesame.tar.gz: the next start
    serves the model in service, says why, and the new file waits for a comparison."""
    startup = _shipped(tmp_path, NOW - dt.timedelta(days=3))
    adopted = history.adopt_at_start(startup, NOW, tmp_path)
    assert adopted is not None
    assert history.model_to_serve(startup, tmp_path) == (startup, None)  # the same model: as it is
    startup.write_bytes(b"modele-reentraine")
    served, said = history.model_to_serve(startup, tmp_path)
    assert served == tmp_path / "history" / adopted and served.read_bytes() == b"modele-livre"
    assert said is not None and adopted in said and "Entraîner et mettre en service" in said
    other = tmp_path / "autre.tar.gz"  # `--model` elsewhere: served as asked
    other.write_bytes(b"autre")
    assert history.model_to_serve(other, tmp_path) == (other, None)
    assert history.model_to_serve(startup, tmp_path / "vide") == (startup, None)  # no history yet
