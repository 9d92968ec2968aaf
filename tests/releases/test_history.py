"""The model history: the active model, the one to roll back to, and the file a restart uses."""

from __future__ import annotations

import datetime as dt
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
