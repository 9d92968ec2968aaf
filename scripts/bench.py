"""Speed of Sésame next to the stock `rasa init` bot, measured the same way.

For each bot: training time (forced, from scratch), model size, then median and
p95 round-trip latency of 100 sequential REST messages against a running server
(Sésame with its action server, so custom actions are included). Results go to
reports/bench-sequential.json and are printed as a table. Not part of ``make bench``
any more: scripts/bench_prod.py measures production mode under load against the same
stock bot, and reuses this module's training and serving helpers.

Sésame is started by the launcher (``bot.launcher``, the Procfile: the action server
and the Rasa server, as ``make run`` starts them) with the freshly trained model;
the stock bot is another project, with no Procfile, so it gets a plain ``rasa run``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from tests.support.background import in_background

ROOT = Path(__file__).resolve().parent.parent
RASA = ROOT / ".venv" / "rasa" / "bin" / "rasa"
MESSAGES = 100
BENCH_RASA_PORT = 5105
BENCH_ACTIONS_PORT = 5155

SESAME_CONVERSATION = [
    "bonjour",
    "jarrive pas a me connecter",
    "on me demande un captcha",
    "j'ai oublié mon code d'accès",
    "c'est quoi le site deja",
    "mon code doit faire combien de chiffres ?",
    "je me suis jamais connecte",
    "je n'ai pas recu le mail",
    "merci beaucoup",
    "au revoir",
]
STOCK_CONVERSATION = [
    "hello",
    "I am sad",
    "yes",
    "great",
    "are you a bot?",
    "good morning",
    "very good",
    "no",
    "bye",
    "hi there",
]


@dataclass
class Result:
    bot: str
    training_seconds: float
    model_megabytes: float
    median_ms: float
    p95_ms: float
    messages: int


def env(workdir: Path) -> dict[str, str]:
    """A fresh tracker store per run: conversations of earlier runs must not weigh on this one."""
    variables = dict(os.environ)
    variables.update(
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        PYTHONPATH=str(ROOT),
        RASA_PORT=str(BENCH_RASA_PORT),
        ACTIONS_PORT=str(BENCH_ACTIONS_PORT),
        TRACKER_STORE_URL="sqlite:///" + str(workdir / "tracker.db"),
        DATABASE_URL="sqlite:///" + str(workdir / "members.db"),
    )
    return variables


def train(project: Path, out: Path) -> tuple[float, Path]:
    """Seconds to train from scratch, and the model file.

    Sésame's domain is a directory (``domain/``, split by topic); the stock bot's is
    ``domain.yml``: Rasa only looks for the latter unless told.
    """
    domain = "domain" if (project / "domain").is_dir() else "domain.yml"
    command = [str(RASA), "train", "--force", "--domain", domain, "--fixed-model-name", "bench"]
    started = time.perf_counter()
    subprocess.run(
        [*command, "--out", str(out), "--quiet"],
        cwd=project,
        env=env(out),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started, out / "bench.tar.gz"


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited while starting ({url})")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"server not up after {seconds}s: {url}")


Serve = Callable[[Path, Path], AbstractContextManager[None]]


@contextmanager
def serve_sesame(workdir: Path, model: Path) -> Iterator[None]:
    """The action server and the Rasa server, started by the launcher as `make run` does."""
    with in_background(workdir / "run", env(workdir), ["actions", "rasa"], model):
        yield


@contextmanager
def run_stock(
    project: Path, workdir: Path, model: Path, port: int = BENCH_RASA_PORT
) -> Iterator[subprocess.Popen[bytes]]:
    """`rasa run` in the stock project (no action server, no Procfile), answering on ``port``.

    The server leads its own process group (its memory is the group's); ``GET /`` only
    answers once the model is loaded (Rasa loads it before the server starts serving).
    """
    server = subprocess.Popen(
        [str(RASA), "run", "--model", str(model), "--interface", "127.0.0.1", "--port", str(port)],
        cwd=project, env=env(workdir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", server)
        yield server
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


@contextmanager
def serve_stock(project: Path, workdir: Path, model: Path) -> Iterator[None]:
    """`rasa run` in the stock project on ``BENCH_RASA_PORT``."""
    with run_stock(project, workdir, model):
        yield


def send(sender: str, text: str, must_answer: bool = True) -> float:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{BENCH_RASA_PORT}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.loads(response.read())
    elapsed = time.perf_counter() - started
    if must_answer and not answer:
        raise RuntimeError(f"no answer to {text!r}")
    return elapsed


def measure(name: str, project: Path, conversation: list[str], serve: Serve, with_actions: bool) -> Result:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        training_seconds, model = train(project, workdir)
        with serve(workdir, model):
            send(f"warm-up-{uuid.uuid4().hex}", conversation[0])
            # New conversations every run; the stock bot stays silent on some turns,
            # Sésame must answer every message.
            run = uuid.uuid4().hex
            turns = len(conversation)
            timings = [
                send(f"bench-{run}-{i // turns}", conversation[i % turns], with_actions)
                for i in range(MESSAGES)
            ]
        timings_ms = sorted(t * 1000 for t in timings)
        return Result(
            bot=name,
            training_seconds=round(training_seconds, 1),
            model_megabytes=round(model.stat().st_size / 1e6, 2),
            median_ms=round(statistics.median(timings_ms), 1),
            p95_ms=round(timings_ms[int(0.95 * len(timings_ms)) - 1], 1),
            messages=len(timings_ms),
        )


def stock_project(where: Path) -> Path:
    """The project `rasa init` creates, copied from Rasa's own template (no model)."""
    template = next(
        (ROOT / ".venv" / "rasa" / "lib").glob("python3.10/site-packages/rasa/cli/initial_project")
    )
    project = where / "stock"
    shutil.copytree(template, project, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    shutil.rmtree(project / "models", ignore_errors=True)
    return project


def main() -> int:
    results = [measure("Sésame", ROOT, SESAME_CONVERSATION, serve_sesame, with_actions=True)]
    with tempfile.TemporaryDirectory() as tmp:
        stock = stock_project(Path(tmp))

        def serve(workdir: Path, model: Path) -> AbstractContextManager[None]:
            return serve_stock(stock, workdir, model)

        results.append(measure("rasa init (stock)", stock, STOCK_CONVERSATION, serve, False))
    report = ROOT / "reports" / "bench-sequential.json"
    report.parent.mkdir(exist_ok=True)
    report.write_text(json.dumps([asdict(r) for r in results], indent=2, ensure_ascii=False))
    print(f"{'bot':<20}{'training s':>12}{'model MB':>10}{'median ms':>11}{'p95 ms':>9}")
    for r in results:
        print(f"{r.bot:<20}{r.training_seconds:>12}{r.model_megabytes:>10}{r.median_ms:>11}{r.p95_ms:>9}")
    print(f"({MESSAGES} sequential REST messages per bot; written to {report.relative_to(ROOT)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
