"""``python -m bot.production`` (``make run-prod``): Sésame as replicas behind HAProxy.

On this machine, with the PostgreSQL and Redis already running here: ``REPLICAS`` Rasa
servers (PostgreSQL conversation store, Redis lock), as many action servers and web
workers, the mail worker, and Debian's HAProxy in front (``bot.production.haproxy``).
Settings come from ``.env.production`` (created from ``.env.production.example`` with
fresh secrets the first time), the process environment winning as everywhere.

Before starting anything: the settings are checked (production refuses development
keys), both databases are created if missing and migrated, Redis must answer, and
HAProxy checks its configuration. Then ``bot.production.supervisor`` keeps every
process running; Ctrl-C or SIGTERM stops them all.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import FrameType

from bot.launcher import DEFAULT_MODEL, child_environment, read_procfile, smtp_sink_wanted
from bot.production import haproxy
from bot.production.setup import DEFAULT_ENV_FILE, SetupError, check_redis, create_env_file, prepare_databases
from bot.production.supervisor import Supervisor
from bot.production.topology import HAPROXY_BINARY, production_processes, replica_ports
from bot.releases import history
from bot.releases.loading import REPLICAS_VARIABLE
from bot.settings import PROJECT_ROOT, SettingsError, load_settings

DEFAULT_RUN_DIR = PROJECT_ROOT / "var" / "production"


def say(text: str, error: bool = False) -> None:
    print(text, file=sys.stderr if error else sys.stdout, flush=True)


def banner(web_port: int, replicas: int, log_dir: Path, env_file: Path) -> str:
    return f"""
Sésame (production) est prêt : http://127.0.0.1:{web_port}/
  {replicas} serveur(s) Rasa, {replicas} serveur(s) d'actions et {replicas} processus web derrière HAProxy
  Réglages :  {env_file}
  Journaux :  {log_dir}/
  Adhérents :  ./sesame members import FICHIER.csv   (aucun adhérent fictif en production)
Ctrl-C pour tout arrêter."""


class _Stopped(Exception):
    pass


def _stop(signum: int, _frame: FrameType | None) -> None:
    raise _Stopped(signal.Signals(signum).name)


def run(env_file: Path, run_dir: Path, model: Path, ready_file: Path | None) -> int:
    """Prepare, start, supervise until a signal; the exit status."""
    if create_env_file(env_file):
        say(f"Réglages de production créés : {env_file} (secrets tirés au hasard, droits 600).")
    os.environ["SESAME_ENV_FILE"] = str(env_file)
    try:
        settings = load_settings(env_file)
        settings.check_safe_to_serve()
    except SettingsError as error:
        say(f"ERREUR : {error}", error=True)
        return 2
    if settings.replicas < 1:
        say("ERREUR : REPLICAS doit valoir au moins 1.", error=True)
        return 2
    if not Path(HAPROXY_BINARY).exists():
        say(f"ERREUR : HAProxy introuvable ({HAPROXY_BINARY}) : « make run-prod » l'installe.", error=True)
        return 1
    if not model.exists():
        say(f"ERREUR : pas de modèle entraîné ({model}) : lancez « make model ».", error=True)
        return 1
    if adopted := history.adopt_at_start(model, dt.datetime.now(dt.timezone.utc)):
        say(f"Modèle de démarrage inscrit dans l'historique, actif : models/history/{adopted}.")
    log_dir = (run_dir / "log").resolve()
    mail_dir = (run_dir / "mail").resolve()
    log_dir.mkdir(parents=True, exist_ok=True)
    mail_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        check_redis(settings.redis_host, settings.redis_port)
        say("Bases PostgreSQL : création si besoin, puis migration…")
        for name in prepare_databases(settings):
            say(f"  base « {name} » créée.")
        config = haproxy.write(settings, run_dir.resolve() / "haproxy.cfg")
    except (SetupError, haproxy.BalancerConfigError) as error:
        say(f"ERREUR : {error}", error=True)
        return 1
    env = child_environment(settings, mail_dir, model.resolve())
    env["SESAME_ENV_FILE"] = str(env_file.resolve())
    # A model loaded from the workbench or ./sesame model load goes to every Rasa replica.
    env[REPLICAS_VARIABLE] = ",".join(
        f"http://{settings.internal_host}:{port}" for port in replica_ports(settings).rasa
    )
    migrated = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if migrated.returncode != 0:
        say((migrated.stdout + migrated.stderr).strip(), error=True)
        say("ERREUR : « ./sesame db upgrade » a échoué ; rien n'a été lancé.", error=True)
        return 1
    processes = production_processes(settings, read_procfile(), config, smtp_sink_wanted(settings))
    supervisor = Supervisor(processes, env, PROJECT_ROOT, log_dir, say)
    if ready_file is not None:
        ready_file.unlink(missing_ok=True)
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    status = 0
    try:
        ports = replica_ports(settings)
        say(
            f"Démarrage de {len(processes)} processus (Rasa {ports.rasa}, actions {ports.actions}, "
            f"web {ports.web}, répartiteur sur {settings.web_port})…"
        )
        supervisor.start_all()
        waiter = threading.Thread(
            target=_announce,
            args=(supervisor, settings.web_port, settings.replicas, log_dir, env_file, ready_file),
            daemon=True,
        )
        waiter.start()
        while not supervisor.failed.is_set():
            supervisor.watch_once()
            time.sleep(0.2)
        status = 1
    except _Stopped:
        say("\nArrêt de Sésame (production)…")
    finally:
        for sig in handlers:  # a second Ctrl-C must not cut the stop short: it is bounded anyway
            signal.signal(sig, signal.SIG_IGN)
        supervisor.stop_all()
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        if ready_file is not None:
            ready_file.unlink(missing_ok=True)
    say(
        "Sésame (production) est arrêté." if status == 0 else "Tous les services sont arrêtés.",
        error=status != 0,
    )
    return status


def _announce(
    supervisor: Supervisor,
    web_port: int,
    replicas: int,
    log_dir: Path,
    env_file: Path,
    ready_file: Path | None,
) -> None:
    if not supervisor.wait_until_ready():
        return
    say(banner(web_port, replicas, log_dir, env_file))
    if ready_file is not None:
        ready_file.parent.mkdir(parents=True, exist_ok=True)
        ready_file.write_text("ready\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.production",
        description="Lance Sésame en mode production (copies derrière HAProxy) ; Ctrl-C arrête tout.",
    )
    parser.add_argument("--env-file", type=Path, default=DEFAULT_ENV_FILE, help="défaut : .env.production")
    parser.add_argument("--run-dir", type=Path, default=DEFAULT_RUN_DIR, help="journaux, e-mails, HAProxy")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--ready-file", type=Path, help="créé quand tout répond (tests, banc d'essai)")
    args = parser.parse_args(argv)
    return run(args.env_file, args.run_dir, args.model, args.ready_file)


if __name__ == "__main__":
    sys.exit(main())
