"""The CHANNEL_TOKEN that ``make run`` drew for this run, for ``./sesame model`` from another shell.

When CHANNEL_TOKEN is not set, the launcher draws one per run (safe without any
configuration), which a command started from another shell cannot know: Rasa would
refuse its request. So the launcher writes the drawn token to a private run file,
``var/run/channel-token-<RASA_PORT>`` (directory 0700, file 0600, like ``.env``), and
removes it when it stops; the command reads it for the Rasa on its port. Nothing is
written when the token comes from the settings, and nothing goes to ``.env``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from bot.settings import PROJECT_ROOT, Settings

RUN_DIR = PROJECT_ROOT / "var" / "run"


def with_internal_tokens(settings: Settings) -> Settings:
    """``settings`` with the secrets the processes share: the ones set, or fresh ones.

    ACTIONS_TOKEN (Rasa → action server) and CHANNEL_TOKEN (web tier → Rasa's channel)
    are drawn per run when not set, so ``make run`` is safe without any configuration.
    """
    return dataclasses.replace(
        settings,
        actions_token=settings.actions_token or secrets.token_urlsafe(32),
        channel_token=settings.channel_token or secrets.token_urlsafe(32),
    )


def token_file(rasa_port: int, run_dir: Path = RUN_DIR) -> Path:
    """One file per Rasa port: two launchers (tests, a second checkout) never share one."""
    return run_dir / f"channel-token-{rasa_port}"


def write(token: str, rasa_port: int, run_dir: Path = RUN_DIR) -> Path:
    """Write the token readable by this user only (created 0600, then renamed into place)."""
    run_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = token_file(rasa_port, run_dir)
    temporary = target.with_name(target.name + ".tmp")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(token)
    os.replace(temporary, target)
    return target


def read(rasa_port: int, run_dir: Path = RUN_DIR) -> str:
    """The token of the Sésame running with Rasa on ``rasa_port``; empty when none wrote one."""
    try:
        return token_file(rasa_port, run_dir).read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def remove(rasa_port: int, run_dir: Path = RUN_DIR) -> None:
    token_file(rasa_port, run_dir).unlink(missing_ok=True)


@contextlib.contextmanager
def published(token: str, rasa_port: int, run_dir: Path = RUN_DIR) -> Iterator[None]:
    """The token in its run file while the block runs (nothing when ``token`` is empty)."""
    if not token:
        yield
        return
    write(token, rasa_port, run_dir)
    try:
        yield
    finally:
        remove(rasa_port, run_dir)
