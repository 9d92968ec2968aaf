"""Only a model file directly inside models/history/ can be named to the model channel."""

from __future__ import annotations

from pathlib import Path

from rasa_addons.model_channel import model_path


def test_only_a_tar_gz_inside_the_history_is_accepted(tmp_path: Path) -> None:
    history = tmp_path / "models" / "history"
    history.mkdir(parents=True)
    assert model_path("models/history/sesame-1.tar.gz", tmp_path) == history / "sesame-1.tar.gz"
    for refused in (
        "models/sesame.tar.gz",
        "models/history/../sesame.tar.gz",
        "models/history/sub/sesame.tar.gz",
        "/etc/passwd",
        "models/history/sesame.zip",
        "models/history/x.tar.gz\x00.txt",
        None,
        3,
    ):
        assert model_path(refused, tmp_path) is None, refused


def test_the_history_of_a_models_folder_set_apart(tmp_path: Path) -> None:
    """SESAME_MODELS_DIR (a test's throw-away folder): the same names, read in that folder."""
    models = tmp_path / "ailleurs"
    (models / "history").mkdir(parents=True)
    named = model_path("models/history/sesame-1.tar.gz", tmp_path / "projet", models)
    assert named == models / "history" / "sesame-1.tar.gz"
    for refused in ("models/history/../sesame.tar.gz", "history/sesame-1.tar.gz", "models/sesame.tar.gz"):
        assert model_path(refused, tmp_path / "projet", models) is None, refused
