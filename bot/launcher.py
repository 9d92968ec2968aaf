"""``./sesame run`` (``make run``): start Sésame's processes from the ``Procfile``, together.

Why one launcher: ``make run``, the browser test, the end-to-end test and the bench
used to start the same processes with three copies of the start-up code, which
drifted (one forgot the mail worker, one the interface). Now the process list lives
in the ``Procfile`` at the root, and this module runs it with honcho *as a library*:
honcho starts every process in its own session, gathers their output and stops them
all when one ends. What honcho does not do, and this module adds:

* the member database first (``db upgrade``, then ``members seed-demo``; exit status 2
  means real members are present, so no demo ones, and start-up carries on);
* the local SMTP sink is skipped, with a French line, when something already listens
  on ``SMTP_PORT`` (or when ``SMTP_HOST`` is another machine);
* each process's output goes to ``<log dir>/<name>.log``, never to the terminal; honcho's
  own lines go to ``launcher.log``;
* French lines for a person, and a banner with the URL printed only once every service
  answers its health check (the ready file, if asked for, is written at that moment);
* Ctrl-C or SIGTERM stops everything, with a bounded wait (then SIGKILL); if a process
  dies on its own, the launcher names it in French, stops the others and exits 1;
* the startup model joins the model history as the active one (``bot.releases``), and
  a CHANNEL_TOKEN drawn for the run goes to a private run file (``bot.run_token``).

It lives in ``bot/`` (env B, which holds honcho): ``./sesame run`` and ``python -m
bot.launcher``; it imports neither rasa nor rasa_sdk, it only starts them. Tests and
``scripts/bench.py`` run it as a subprocess (``tests/support/background.py``) with their
own environment, a subset of the processes, ``--log-dir``, ``--mail-dir`` and
``--ready-file``, and stop it with SIGTERM. Settings come from the environment as
everywhere; the resolved non-secret settings are exported to the processes, because the
Rasa server reads ``endpoints.yml`` from its environment only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import ipaddress
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from honcho.environ import parse_procfile
from honcho.manager import Manager
from honcho.printer import Printer

from bot import run_token
from bot.mail.sink import busy_message
from bot.releases import history
from bot.run_token import with_internal_tokens
from bot.settings import PROJECT_ROOT, SECRETS, Settings, SettingsError, load_settings

PROCFILE = PROJECT_ROOT / "Procfile"
DEFAULT_LOG_DIR = PROJECT_ROOT / "var" / "log"
DEFAULT_MAIL_DIR = PROJECT_ROOT / "var" / "mail"
DEFAULT_MODEL = PROJECT_ROOT / "models" / "sesame.tar.gz"
# After SIGTERM, how long processes get to finish before SIGKILL (honcho adds its own,
# shorter, bound once one of them has stopped).
STOP_SECONDS = 20.0
SEED_REFUSED = 2  # `members seed-demo`: real members present, nothing added


@dataclass(frozen=True)
class Service:
    """What the launcher says about one Procfile process and how it knows it is up."""

    name: str
    starting: str  # the French line printed when it starts
    noun: str  # "le serveur Rasa", in French error messages
    ready: Callable[[], bool] | None  # None: running is enough
    ready_seconds: float = 60.0


def _http_ok(url: str) -> Callable[[], bool]:
    def check() -> bool:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never a proxy
        try:
            with opener.open(url, timeout=5) as answer:
                return int(answer.status) == 200
        except (urllib.error.URLError, OSError):
            return False

    return check


def _shown(path: Path) -> str:
    """A path as the operator reads it: relative to the project when inside it."""
    try:
        return str(path.relative_to(PROJECT_ROOT)) + "/"
    except ValueError:
        return str(path) + "/"


def services_for(settings: Settings, mail_dir: Path) -> dict[str, Service]:
    """The known Procfile processes; a process not listed here gets generic lines."""
    smtp = settings.smtp_port
    return {
        service.name: service
        for service in (
            Service(
                "smtp-sink",
                f"Démarrage du puits SMTP local (port {smtp}, e-mails dans {_shown(mail_dir)})…",
                "le puits SMTP local",
                lambda: (busy_message(settings.smtp_host, smtp) or "").startswith("un serveur SMTP"),
                30,
            ),
            Service(
                "mail-worker",
                "Démarrage de l'envoi des e-mails (file d'attente)…",
                "l'envoi des e-mails",
                None,
            ),
            Service(
                "web",
                f"Démarrage des pages web (port {settings.web_port})…",
                "les pages web",
                _http_ok(f"http://127.0.0.1:{settings.web_port}/"),
                60,
            ),
            Service(
                "actions",
                f"Démarrage du serveur d'actions (port {settings.actions_port})…",
                "le serveur d'actions",
                _http_ok(f"http://{settings.internal_host}:{settings.actions_port}/health"),
                120,
            ),
            Service(
                "rasa",
                f"Démarrage du serveur Rasa (port {settings.rasa_port})…",
                "le serveur Rasa",
                _http_ok(f"http://{settings.internal_host}:{settings.rasa_port}/"),
                300,  # loading the model on a busy two-core machine
            ),
        )
    }


def banner(settings: Settings, names: list[str], log_dir: Path, mail_dir: Path) -> str:
    """What the operator reads once everything answers (the full version needs the web and Rasa)."""
    if "web" not in names or "rasa" not in names:
        listed = ", ".join(names)
        return f"Sésame est prêt ({listed}).\n  Journaux :  {_shown(log_dir)}\nCtrl-C pour tout arrêter."
    mails = f"  E-mails reçus (puits local) :  {_shown(mail_dir)}\n" if "smtp-sink" in names else ""
    return f"""
Ouvrez http://127.0.0.1:{settings.web_port}/ dans votre navigateur
Sésame est prêt : sur cette page, la bulle « Besoin d'aide ? » en bas à droite ouvre la discussion.
  Discuter en ligne de commande :  ./sesame chat
  Console des conseillers :  http://127.0.0.1:{settings.web_port}/conseiller/
      premier compte :  ./sesame agents add demo --role superviseur   (mot de passe demandé)
{mails}  Courriers à imprimer :  ./sesame letters export
  API REST :  curl -s http://127.0.0.1:{settings.rasa_port}/webhooks/rest/webhook \\
                -H 'Content-Type: application/json' \\
                -d '{{"sender": "essai", "message": "j ai oublie mon code"}}'
  Journaux :  {_shown(log_dir)}
Ctrl-C pour tout arrêter."""


def say(text: str, error: bool = False) -> None:
    print(text, file=sys.stderr if error else sys.stdout, flush=True)


class LogPrinter(Printer):  # type: ignore[misc] # honcho ships no types
    """honcho's printer, turned into one log file per process; honcho's own lines to launcher.log."""

    def __init__(self, log_dir: Path, names: list[str], launcher_log: IO[str]) -> None:
        super().__init__(output=launcher_log, colour=False)
        self.files = {name: (log_dir / f"{name}.log").open("w", encoding="utf-8") for name in names}

    def write(self, message: Any) -> None:
        file = self.files.get(message.name)
        if file is None:
            super().write(message)
            return
        data = message.data
        file.write(data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data))
        file.flush()

    def close(self) -> None:
        for file in self.files.values():
            file.close()


class _WatchedEvents:
    """honcho's event queue, seen by the launcher first: which process stopped, and when all started.

    The children put events (they get this object through fork), honcho's loop gets them.
    """

    def __init__(self, queue: Any, supervisor: Supervisor) -> None:
        self._queue = queue
        self._supervisor = supervisor

    def put(self, message: Any) -> None:
        self._queue.put(message)

    def get(self, timeout: float | None = None) -> Any:
        message = self._queue.get(timeout=timeout)
        self._supervisor.seen(message)
        return message


class Supervisor(Manager):  # type: ignore[misc] # honcho ships no types
    """honcho's Manager, plus why it stopped: asked to, a process died, or one never answered."""

    events: Any  # honcho's queue of process events, then our watched wrapper around it

    def __init__(self, printer: LogPrinter, services: dict[str, Service], log_dir: Path) -> None:
        super().__init__(printer=printer)
        self.events = _WatchedEvents(self.events, self)
        self.services = services
        self.log_dir = log_dir
        self.reason: str | None = None  # "asked", "died" or "unready"
        self.stopping = threading.Event()
        self.all_started = threading.Event()
        self._started: set[str] = set()
        self._lock = threading.Lock()

    def _claim(self, reason: str) -> bool:
        with self._lock:
            if self.reason is not None:
                return False
            self.reason = reason
            return True

    def seen(self, message: Any) -> None:
        if message.type == "start":
            self._started.add(message.name)
            if self._started >= set(self.services):
                self.all_started.set()
        elif message.type == "stop" and self._claim("died"):
            code = message.data["returncode"]
            noun = self.services[message.name].noun
            say(
                f"ERREUR : le processus « {message.name} » ({noun}) s'est arrêté (code {code}) : "
                f"voir {_shown(self.log_dir)}{message.name}.log. Arrêt des autres services…",
                error=True,
            )

    def fail(self, text: str) -> None:
        """A service never became ready: say why and stop everything."""
        if self._claim("unready"):
            say(text, error=True)
        self.terminate()

    def terminate(self) -> None:
        """Called by honcho on SIGINT/SIGTERM and once a process has stopped, and by ``fail``."""
        if self._claim("asked"):
            say("\nArrêt de Sésame…")
        if not self.stopping.is_set():
            self.stopping.set()
            timer = threading.Timer(STOP_SECONDS, self.kill)  # a bounded wait, whatever happens
            timer.daemon = True
            timer.start()
        super().terminate()


def _wait_until_ready(
    supervisor: Supervisor, settings: Settings, log_dir: Path, mail_dir: Path, ready_file: Path | None
) -> None:
    """Runs in a thread beside honcho's loop: the banner once every service answers."""
    if not supervisor.all_started.wait(60) or supervisor.stopping.is_set():
        return
    started = time.monotonic()
    for service in supervisor.services.values():
        if service.ready is None:
            continue
        while not service.ready():
            if supervisor.stopping.is_set():
                return
            if time.monotonic() - started > service.ready_seconds:
                supervisor.fail(
                    f"ERREUR : le processus « {service.name} » ({service.noun}) ne répond pas après "
                    f"{service.ready_seconds:g} s : voir {_shown(log_dir)}{service.name}.log."
                )
                return
            time.sleep(0.5)
    if supervisor.stopping.is_set():
        return
    say(banner(settings, list(supervisor.services), log_dir, mail_dir))
    if ready_file is not None:
        ready_file.parent.mkdir(parents=True, exist_ok=True)
        ready_file.write_text("ready\n", encoding="utf-8")


DEMO_BANNER = (
    "*** DÉMONSTRATION (SESAME_MODE=demo) : adhérents fictifs et clés de développement. "
    "N'y mettez jamais de vrais adhérents ; en production, SESAME_MODE=production. ***"
)


def child_environment(settings: Settings, mail_dir: Path, model: Path) -> dict[str, str]:
    """The processes' environment: ours, the resolved non-secret settings, and what Rasa needs.

    Secrets stay out (each Python process reads them itself from the environment or
    ``.env``), as with ``./sesame env`` — except ACTIONS_TOKEN, which Rasa reads from its
    environment only (``endpoints.yml``), and CHANNEL_TOKEN: both may have been drawn for this run.
    """
    env = dict(os.environ)
    env.update({name: value for name, value in settings.as_env().items() if name not in SECRETS})
    env["ACTIONS_TOKEN"] = settings.actions_token
    env["CHANNEL_TOKEN"] = settings.channel_token
    python_path = [str(PROJECT_ROOT), *filter(None, [env.get("PYTHONPATH")])]
    env.update(
        PYTHONPATH=os.pathsep.join(python_path),
        PYTHONUNBUFFERED="1",  # logs reach var/log/ as they are written
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        SESAME_MAIL_DIR=str(mail_dir),
        SESAME_MODEL=str(model),
    )
    return env


def prepare_database(env: dict[str, str], launcher_log: IO[str]) -> bool:
    """Migrations, then the demo members; False (and the French reason printed) on failure."""
    say("Base des adhérents : migration et adhérents de démonstration…")
    for command in (["db", "upgrade"], ["members", "seed-demo"]):
        done = subprocess.run(  # noqa: S603 - our own command line, fixed arguments
            [sys.executable, "-m", "bot", *command],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        launcher_log.write(done.stdout + done.stderr)
        launcher_log.flush()
        if command[-1] == "seed-demo" and done.returncode == SEED_REFUSED:
            say(done.stderr.strip())  # real members there: no demo ones, carry on
        elif done.returncode != 0:
            say((done.stdout + done.stderr).strip(), error=True)
            say(f"ERREUR : « ./sesame {' '.join(command)} » a échoué ; rien n'a été lancé.", error=True)
            return False
    return True


def _is_local(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def smtp_sink_wanted(settings: Settings) -> bool:
    """False, with a French line, when mail goes elsewhere than to a sink we would start."""
    if not _is_local(settings.smtp_host):
        say(f"Puits SMTP local non lancé : les e-mails partent vers {settings.smtp_host}.")
        return False
    busy = busy_message(settings.smtp_host, settings.smtp_port)
    if busy is not None:
        say(f"Puits SMTP local non lancé : {busy}.")
        return False
    return True


def read_procfile(path: Path = PROCFILE) -> dict[str, str]:
    """``name: command`` in the Procfile's order."""
    return dict(parse_procfile(path.read_text(encoding="utf-8")).processes)


def run(
    names: list[str] | None = None,
    log_dir: Path = DEFAULT_LOG_DIR,
    mail_dir: Path = DEFAULT_MAIL_DIR,
    model: Path = DEFAULT_MODEL,
    ready_file: Path | None = None,
    procfile: Path = PROCFILE,
) -> int:
    """Start the processes (all by default) until a signal or a failure; the exit status.

    honcho sets its own SIGINT/SIGTERM handlers; ours are back when this returns.
    """
    commands = read_procfile(procfile)
    unknown = sorted(set(names or []) - set(commands))
    if unknown:
        say(f"Processus inconnu : {', '.join(unknown)} (le Procfile a : {', '.join(commands)}).", error=True)
        return 2
    try:
        configured = load_settings()
        settings = with_internal_tokens(configured)
        settings.check_safe_to_serve()
    except SettingsError as error:
        say(f"ERREUR : {error}", error=True)
        return 2
    if settings.is_demo:
        say(DEMO_BANNER)
    wanted = [name for name in commands if not names or name in names]
    if "rasa" in wanted and not model.exists():
        say(f"ERREUR : pas de modèle entraîné ({model}) : lancez « make model ».", error=True)
        return 1
    if "rasa" in wanted and (adopted := history.adopt_at_start(model, dt.datetime.now(dt.timezone.utc))):
        say(f"Modèle de démarrage inscrit dans l'historique, actif : models/history/{adopted}.")
    if "rasa" in wanted:
        model, replaced = history.model_to_serve(model)
        if replaced:
            say(replaced)
    drawn = settings.channel_token if "rasa" in wanted and not configured.channel_token else ""
    log_dir, mail_dir = log_dir.resolve(), mail_dir.resolve()
    log_dir.mkdir(parents=True, exist_ok=True)
    mail_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    if ready_file is not None:
        ready_file.unlink(missing_ok=True)
    env = child_environment(settings, mail_dir, model.resolve())
    with (
        (log_dir / "launcher.log").open("w", encoding="utf-8") as launcher_log,
        run_token.published(drawn, settings.rasa_port),  # for ./sesame model from another shell
    ):
        if not prepare_database(env, launcher_log):
            return 1
        if "smtp-sink" in wanted and not smtp_sink_wanted(settings):
            wanted.remove("smtp-sink")
        known = services_for(settings, mail_dir)
        services = {
            name: known.get(name, Service(name, f"Démarrage de {name}…", name, None)) for name in wanted
        }
        printer = LogPrinter(log_dir, wanted, launcher_log)
        supervisor = Supervisor(printer, services, log_dir)
        for name in wanted:
            say(services[name].starting)
            supervisor.add_process(name, commands[name], env=env, cwd=str(PROJECT_ROOT))
        watcher = threading.Thread(
            target=_wait_until_ready,
            args=(supervisor, settings, log_dir, mail_dir, ready_file),
            name="sesame-ready",
            daemon=True,
        )
        handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        watcher.start()
        try:
            supervisor.loop()
        finally:
            for sig, handler in handlers.items():
                signal.signal(sig, handler)
            printer.close()
            if ready_file is not None:
                ready_file.unlink(missing_ok=True)
    if supervisor.reason == "asked":
        say("Sésame est arrêté.")
        return 0
    say("Tous les services de Sésame sont arrêtés.", error=True)
    return 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``python -m bot.launcher`` and ``./sesame run``."""
    parser.add_argument(
        "processes",
        nargs="*",
        metavar="PROCESSUS",
        help="les processus du Procfile à lancer (défaut : tous) : " + ", ".join(read_procfile()),
    )
    parser.add_argument(
        "--log-dir", type=Path, default=DEFAULT_LOG_DIR, help="dossier des journaux (défaut : var/log/)"
    )
    parser.add_argument(
        "--mail-dir",
        type=Path,
        default=DEFAULT_MAIL_DIR,
        help="dossier des e-mails du puits SMTP local (défaut : var/mail/)",
    )
    parser.add_argument(
        "--model", type=Path, default=DEFAULT_MODEL, help="modèle Rasa (défaut : models/sesame.tar.gz)"
    )
    parser.add_argument(
        "--ready-file",
        type=Path,
        help="fichier créé quand tout répond (et supprimé à l'arrêt), pour les tests et scripts",
    )


def from_args(args: argparse.Namespace) -> int:
    return run(args.processes, args.log_dir, args.mail_dir, args.model, args.ready_file)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.launcher",
        description="Lance Sésame (les processus du Procfile) ; Ctrl-C ou SIGTERM arrête tout.",
    )
    add_arguments(parser)
    return from_args(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
