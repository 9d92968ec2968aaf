"""Settings from the environment, with ``.env`` read through python-dotenv.

The process environment wins over ``.env``; defaults below are the embedded
setup (SQLite under ``var/``, local SMTP sink). ``.env.example`` documents the same
names and defaults, and a test keeps the two in step.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, str] = {
    "RASA_PORT": "5005",
    "ACTIONS_PORT": "5055",
    "WEB_PORT": "8080",
    "DATABASE_URL": "sqlite:///var/sesame.db",
    "TRACKER_STORE_URL": "sqlite:///var/tracker.db",
    "NIR_HASH_KEY": "dev-only-change-me",
    "SMTP_HOST": "127.0.0.1",
    "SMTP_PORT": "1025",
    "SMTP_USER": "",
    "SMTP_PASSWORD": "",
    "SMTP_STARTTLS": "false",
    "MAIL_FROM": "Sésame ACS <no-reply@acs-assurances.example>",
    "RESET_URL_BASE": "http://127.0.0.1:8080/reinitialiser",
    "RESET_TOKEN_TTL_MINUTES": "60",
}

# Settings that must never be printed in clear.
SECRETS = frozenset({"NIR_HASH_KEY", "SMTP_PASSWORD"})


@dataclass(frozen=True)
class Settings:
    """Every setting Sésame reads, resolved once per process."""

    values: dict[str, str]

    def __getitem__(self, name: str) -> str:
        return self.values[name]

    def as_int(self, name: str) -> int:
        """An integer setting; a clear French error if it is not one."""
        raw = self.values[name]
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"Le réglage {name} doit être un nombre entier (lu : {raw!r}).") from None

    def as_bool(self, name: str) -> bool:
        return self.values[name].strip().lower() in {"1", "true", "yes", "oui", "on"}


def load_settings(env_file: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Resolve settings: process environment, then ``.env``, then the defaults."""
    environ = dict(os.environ) if environ is None else environ
    path = env_file if env_file is not None else PROJECT_ROOT / ".env"
    from_file = {k: v for k, v in dotenv_values(path).items() if v is not None} if path.exists() else {}
    resolved = {name: environ.get(name, from_file.get(name, default)) for name, default in DEFAULTS.items()}
    return Settings(resolved)


def shell_exports(settings: Settings) -> str:
    """``export NAME=value`` lines, for the shell scripts that start the services.

    Secrets are left out: every Python process reads them itself through
    ``load_settings``, so they never pass through a shell or a terminal.
    """
    return "\n".join(
        f"export {name}={shlex.quote(value)}"
        for name, value in settings.values.items()
        if name not in SECRETS
    )


__all__ = ["DEFAULTS", "SECRETS", "Settings", "load_settings", "shell_exports"]
