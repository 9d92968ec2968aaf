"""Settings from the environment, with ``.env`` read through python-dotenv.

The process environment wins over ``.env``; defaults below are the embedded
setup (SQLite under ``var/``, local SMTP sink). ``.env.example`` documents the same
names and defaults, and a test keeps the two in step.

Values are parsed once, when a process starts (``get_settings``), into a frozen
dataclass with typed fields: a bad value stops the process at start-up with a
French message naming the setting, instead of failing on the first member's request.
"""

from __future__ import annotations

import functools
import os
import shlex
from dataclasses import dataclass, fields
from pathlib import Path

from dotenv import dotenv_values

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Where the models live (models/: the startup model, the history, the evaluations); tests
# and benches point SESAME_MODELS_DIR to a throw-away folder, so that a promotion they
# make never replaces the model of this project.
MODELS_VARIABLE = "SESAME_MODELS_DIR"


def models_dir() -> Path:
    """The models folder: ``SESAME_MODELS_DIR`` if set, else ``models/`` of this project."""
    return Path(os.environ.get(MODELS_VARIABLE) or PROJECT_ROOT / "models")


# Where the reset page lives when RESET_URL_BASE does not say.
DEFAULT_RESET_PATH = "/reinitialiser"

DEFAULTS: dict[str, str] = {
    # "demo": the embedded set-up of `make run` (demo members, development keys allowed,
    # a banner says so). "production": every service refuses the development keys.
    "SESAME_MODE": "demo",
    # Where Rasa and the action server listen: loopback, or a private interface in production.
    "INTERNAL_HOST": "127.0.0.1",
    "RASA_PORT": "5005",
    "ACTIONS_PORT": "5055",
    "WEB_PORT": "8080",
    "DATABASE_URL": "sqlite:///var/sesame.db",
    "TRACKER_STORE_URL": "sqlite:///var/tracker.db",
    "NIR_HASH_KEY": "dev-only-change-me",
    "CSRF_SECRET": "dev-only-change-me-too",
    # Shared by Rasa and the action server; empty: the launcher draws one per run.
    "ACTIONS_TOKEN": "",
    # Shared by the web tier and Rasa's channel (which trusts the client label only
    # from a signed request); empty: the launcher draws one per run.
    "CHANNEL_TOKEN": "",
    "SMTP_HOST": "127.0.0.1",
    "SMTP_PORT": "1025",
    "SMTP_USER": "",
    "SMTP_PASSWORD": "",
    "SMTP_STARTTLS": "false",
    "MAIL_FROM": "Sésame ACS <no-reply@acs-assurances.example>",
    # The reset link's start, as members' browsers reach the site. Empty: the web tier's own
    # address, http://127.0.0.1:<WEB_PORT>/reinitialiser (the link follows the port).
    "RESET_URL_BASE": "",
    "RESET_TOKEN_TTL_MINUTES": "60",
    # How members reach ACS, said when they ask for an agent and none is available. Facts the bot may not
    # invent: empty (the default) means the bot says nothing about them.
    "ACS_CONTACT_PHONE": "",
    "ACS_CONTACT_HOURS": "",
    # When agents take live chats, Paris time, e.g. "lun-ven 08:30-18:00; sam 09:00-12:00"
    # (bot.rules.opening_hours). Empty: at any hour, as long as an agent is available.
    "HANDOFF_HOURS": "",
    # The project folder the trainers' workbench (/atelier/) reads and writes: data/,
    # domain/, intents.yml, tests/stories/, reports/. Empty: this project itself. Tests point
    # it to a throw-away copy, so that they never change the real training files.
    "WORKBENCH_ROOT": "",
    # How much worse, in percentage points, a new model may do than the one in service on
    # the held-out phrases, their badly typed copies or the test stories before the
    # workbench refuses to put it in service (a superviseur may still, with a written reason).
    "PROMOTION_TOLERANCE": "1",
    # PostgreSQL connection pools (bot.db.pools has the formula that keeps every replica
    # together under max_connections). DB_*: each engine on the member database (web
    # tier, action server, mail worker); SQL_*: the Rasa server's conversation store
    # (Rasa reads these two names itself; its own defaults, 50 + 100, would exhaust
    # PostgreSQL with two replicas).
    "DB_POOL_SIZE": "5",
    "DB_MAX_OVERFLOW": "5",
    "SQL_POOL_SIZE": "5",
    "SQL_MAX_OVERFLOW": "5",
    # Production mode (`make run-prod`, bot/production/): how many Rasa servers, action
    # servers and web workers run behind the balancer. Each service's port above is the
    # balancer's; replica i listens on that port + i (web 8081, 8082; Rasa 5006, 5007…).
    "REPLICAS": "2",
    # The Redis that holds the lock of each conversation across Rasa replicas
    # (rasa_addons.redis_lock_store); production mode only.
    "REDIS_HOST": "127.0.0.1",
    "REDIS_PORT": "6379",
    "REDIS_LOCK_DB": "0",
    "REDIS_LOCK_PREFIX": "sesame",
    # Seconds after which a conversation's lock held by a replica that died is given up
    # (Rasa reads this name itself; a turn takes well under a second).
    "TICKET_LOCK_LIFETIME": "15",
    # Look-ups by NIR per minute, all members together, above which look-ups pause for the
    # rest of the minute (bot.limits.lookups): sized to the expected traffic of real members.
    "LOOKUPS_PER_MINUTE": "120",
    # Reset requests per minute, all members together (bot.resets.requests), above which
    # they pause for the rest of the minute: sized to the expected traffic.
    "RESET_REQUESTS_PER_MINUTE": "30",
    # Members' files one agent may open (or ask a code for) in an hour (bot.agents.lookup_limit):
    # a call needs one or two; an agent going through numbers is stopped and supervisors told.
    "AGENT_LOOKUPS_PER_HOUR": "40",
    # The console's assistant shows the two likeliest answers side by side when their
    # confidences are at most this many points (out of 100) apart (54 % and 45 %: 9 points).
    "ASSISTANT_CLOSE_CALL_POINTS": "15",
    # Failed agent sign-ins from one address, all logins together, within 15 minutes, above
    # which that address waits (bot.agents.throttle): sized for a call centre whose agents all
    # share one address (NAT). Failures for one login from one address are slowed separately.
    "SIGN_IN_FAILURES_PER_ADDRESS": "50",
    # How long personal data is kept, in days (bot.privacy.retention has the reasons for each
    # default). A purge runs every hour in the mail worker and with `./sesame privacy purge`.
    # None may be 0 or negative: nothing is kept for ever. Conversations: the conversation store's
    # events, counted from the conversation's last message, and the trainers' decisions about them.
    "RETENTION_CONVERSATIONS_DAYS": "90",
    # Closed hand-offs and call-backs: transcript, messages, call-back number.
    "RETENTION_HANDOFFS_DAYS": "90",
    # Look-ups by NIR, agents' sign-in attempts and ended console sessions (keyed hashes only).
    "RETENTION_NIR_LOOKUPS_DAYS": "180",
    # Reset requests with their emails and letters (proof that a code was sent, and where).
    "RETENTION_RESETS_DAYS": "365",
    # Both audit logs; at least 180: the database refuses to delete an agents' audit line younger
    # than that (migration 0010), so that the log cannot be rewritten.
    "RETENTION_AUDIT_DAYS": "365",
    # Where members exercise their rights (access, erasure…), shown on /confidentialite: an email
    # address or a postal address of ACS's data-protection officer. Empty: the page tells members
    # to ask ACS's customer service.
    "PRIVACY_CONTACT": "",
    # An agent counts as « disponible » only while their console shows a sign of life (its
    # queue read or its push stream) within this many seconds (bot.agents.presence): a
    # console closed without signing out stops taking members after that long.
    "AGENT_PRESENCE_SECONDS": "60",
    # After this many seconds in the queue for a live chat, Sésame offers the member a
    # call-back (the member keeps their place if they stay); 0: never offered for the wait.
    "HANDOFF_WAIT_OFFER_SECONDS": "300",
    # Per cent of the confident answers to real questions that the trainers' inbox shows for a
    # check (« Contrôle au hasard »), always the same ones; 0: none. From 0 to 100.
    "INBOX_SPOT_CHECK_PERCENT": "5",
}

# Settings that must never be printed in clear.
SECRETS = frozenset({"NIR_HASH_KEY", "CSRF_SECRET", "ACTIONS_TOKEN", "CHANNEL_TOKEN", "SMTP_PASSWORD"})
_TRUE = frozenset({"1", "true", "yes", "oui", "on"})
_FALSE = frozenset({"0", "false", "no", "non", "off", ""})


class SettingsError(ValueError):
    """A setting has a value Sésame cannot use; ``str()`` is French, for the operator."""


def _as_int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"Le réglage {name} doit être un nombre entier (lu : {raw!r}).") from None


def _as_points(name: str, raw: str) -> float:
    """A number of percentage points, 0 to 100 (« 1 », « 0.5 » or « 0,5 »)."""
    try:
        value = float(raw.strip().replace(",", "."))
    except ValueError:
        value = -1.0
    if not 0 <= value <= 100:
        raise SettingsError(
            f"Le réglage {name} doit être un nombre de points de pourcentage entre 0 et 100, "
            f"par exemple 1 ou 0,5 (lu : {raw!r})."
        )
    return value


def _as_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingsError(f"Le réglage {name} doit valoir true ou false (lu : {raw!r}).")


MODES = frozenset({"demo", "production"})
# The youngest agents' audit line the database lets a purge delete (migration 0010's triggers).
AUDIT_RETENTION_FLOOR_DAYS = 180


def _check_retention(parsed: dict[str, object]) -> None:
    """Refuse a retention period that keeps nothing (0), or one the audit log's triggers would refuse."""
    for name, value in parsed.items():
        if name.startswith("retention_") and isinstance(value, int) and value < 1:
            raise SettingsError(
                f"Le réglage {name.upper()} doit être un nombre de jours supérieur ou égal à 1 "
                f"(lu : {value}) : chaque donnée a une durée de conservation, ni nulle ni illimitée."
            )
    audit_days = parsed["retention_audit_days"]
    if isinstance(audit_days, int) and audit_days < AUDIT_RETENTION_FLOOR_DAYS:
        raise SettingsError(
            f"Le réglage RETENTION_AUDIT_DAYS doit valoir au moins {AUDIT_RETENTION_FLOOR_DAYS} jours "
            f"(lu : {audit_days}) : le journal d'audit est gardé six mois au moins, et la base refuse "
            "d'en effacer une ligne plus récente."
        )


# Secrets whose development default must never protect real members.
DEVELOPMENT_SECRETS = ("NIR_HASH_KEY", "CSRF_SECRET")


@dataclass(frozen=True)
class Settings:
    """Every setting Sésame reads, typed; field ``x_y`` is the variable ``X_Y``."""

    sesame_mode: str
    internal_host: str
    rasa_port: int
    actions_port: int
    web_port: int
    database_url: str
    tracker_store_url: str
    nir_hash_key: str
    csrf_secret: str
    actions_token: str
    channel_token: str
    smtp_host: str
    smtp_port: int
    smtp_user: str
    smtp_password: str
    smtp_starttls: bool
    mail_from: str
    reset_url_base: str
    reset_token_ttl_minutes: int
    acs_contact_phone: str
    acs_contact_hours: str
    handoff_hours: str
    db_pool_size: int
    db_max_overflow: int
    sql_pool_size: int
    sql_max_overflow: int
    workbench_root: str
    promotion_tolerance: float
    replicas: int
    redis_host: str
    redis_port: int
    redis_lock_db: int
    redis_lock_prefix: str
    ticket_lock_lifetime: int
    lookups_per_minute: int
    reset_requests_per_minute: int
    agent_lookups_per_hour: int
    assistant_close_call_points: int
    sign_in_failures_per_address: int
    retention_conversations_days: int
    retention_handoffs_days: int
    retention_nir_lookups_days: int
    retention_resets_days: int
    retention_audit_days: int
    privacy_contact: str
    agent_presence_seconds: int
    handoff_wait_offer_seconds: int
    inbox_spot_check_percent: int

    @classmethod
    def from_values(cls, values: dict[str, str]) -> Settings:
        """Parse raw ``NAME: text`` values (missing names take their default)."""
        merged = {**DEFAULTS, **values}
        parsed: dict[str, object] = {}
        for spec in fields(cls):
            name = spec.name.upper()
            raw = merged[name]
            if spec.type == "int":
                parsed[spec.name] = _as_int(name, raw)
            elif spec.type == "bool":
                parsed[spec.name] = _as_bool(name, raw)
            elif spec.type == "float":
                parsed[spec.name] = _as_points(name, raw)
            else:
                parsed[spec.name] = raw
        if not str(parsed["reset_url_base"]).strip():
            parsed["reset_url_base"] = f"http://127.0.0.1:{parsed['web_port']}{DEFAULT_RESET_PATH}"
        presence, offer = parsed["agent_presence_seconds"], parsed["handoff_wait_offer_seconds"]
        if isinstance(presence, int) and presence < 1:
            raise SettingsError("Le réglage AGENT_PRESENCE_SECONDS doit valoir au moins 1 (secondes).")
        if isinstance(offer, int) and offer < 0:
            raise SettingsError(
                "Le réglage HANDOFF_WAIT_OFFER_SECONDS ne peut pas être négatif (0 : jamais)."
            )
        spot = parsed["inbox_spot_check_percent"]
        if isinstance(spot, int) and not 0 <= spot <= 100:
            raise SettingsError(
                f"Le réglage INBOX_SPOT_CHECK_PERCENT doit être un pourcentage de 0 à 100 (lu : {spot})."
            )
        if parsed["sesame_mode"] not in MODES:
            raise SettingsError(
                f"Le réglage SESAME_MODE doit valoir demo ou production (lu : {merged['SESAME_MODE']!r})."
            )
        _check_retention(parsed)
        return cls(**parsed)  # type: ignore[arg-type]

    @property
    def is_demo(self) -> bool:
        return self.sesame_mode == "demo"

    @property
    def workbench_path(self) -> Path:
        """The project folder of the trainers' workbench (``WORKBENCH_ROOT``, or this project)."""
        return Path(self.workbench_root).resolve() if self.workbench_root else PROJECT_ROOT

    def development_secrets_in_use(self) -> list[str]:
        """The secrets still at their development value (or empty)."""
        env = self.as_env()
        return [name for name in DEVELOPMENT_SECRETS if env[name] in {"", DEFAULTS[name]}]

    def check_safe_to_serve(self) -> None:
        """Raise ``SettingsError`` (French) when production would run with development keys.

        With the development NIR_HASH_KEY, a NIR can be recovered from the member
        database in seconds (birth year, month and department narrow it down): no
        service may hold real members' data with it.
        """
        if self.is_demo:
            return
        weak = self.development_secrets_in_use()
        if weak:
            raise SettingsError(
                "Démarrage refusé : "
                + (
                    f"{weak[0]} a encore sa valeur"
                    if len(weak) == 1
                    else " et ".join(weak) + " ont encore leur valeur"
                )
                + " de développement (ou vide). Donnez une valeur longue et aléatoire (par exemple "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`), "
                "ou lancez la démonstration avec SESAME_MODE=demo."
            )
        for name, value in (("ACTIONS_TOKEN", self.actions_token), ("CHANNEL_TOKEN", self.channel_token)):
            if not value:
                raise SettingsError(f"Démarrage refusé : {name} est vide en production.")

    def as_env(self) -> dict[str, str]:
        """The settings as environment variables, e.g. for a child process."""
        env: dict[str, str] = {}
        for spec in fields(self):
            value = getattr(self, spec.name)
            if isinstance(value, bool):
                env[spec.name.upper()] = "true" if value else "false"
            else:
                env[spec.name.upper()] = f"{value:g}" if isinstance(value, float) else str(value)
        return env

    def __repr__(self) -> str:
        """Never shows a secret, even in a traceback or a debugger."""
        shown = {name: ("***" if name in SECRETS else value) for name, value in self.as_env().items()}
        return f"Settings({shown})"


def raw_values(env_file: Path | None = None, environ: dict[str, str] | None = None) -> dict[str, str]:
    """``NAME: text`` for every setting: process environment, then ``.env``, then the defaults."""
    environ = dict(os.environ) if environ is None else environ
    # SESAME_ENV_FILE: production mode's processes read .env.production (bot.production).
    path = env_file if env_file is not None else Path(environ.get("SESAME_ENV_FILE") or PROJECT_ROOT / ".env")
    from_file = {k: v for k, v in dotenv_values(path).items() if v is not None} if path.exists() else {}
    return {name: environ.get(name, from_file.get(name, default)) for name, default in DEFAULTS.items()}


def load_settings(env_file: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Resolve and parse the settings; ``SettingsError`` (French) if one is unusable."""
    return Settings.from_values(raw_values(env_file, environ))


@functools.cache
def get_settings() -> Settings:
    """This process's settings, read once: what services and actions use."""
    return load_settings()


def shell_exports(settings: Settings) -> str:
    """``export NAME=value`` lines, for the shell scripts that start the services.

    Secrets are left out: every Python process reads them itself through
    ``load_settings``, so they never pass through a shell or a terminal.
    """
    return "\n".join(
        f"export {name}={shlex.quote(value)}"
        for name, value in settings.as_env().items()
        if name not in SECRETS
    )


__all__ = [
    "AUDIT_RETENTION_FLOOR_DAYS",
    "DEFAULTS",
    "SECRETS",
    "Settings",
    "SettingsError",
    "get_settings",
    "load_settings",
    "raw_values",
    "shell_exports",
]
