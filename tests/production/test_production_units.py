"""Production mode's parts, without starting Sésame: layout, balancer file, settings file, supervisor."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import time
from pathlib import Path

import pytest

from bot.launcher import read_procfile
from bot.production import haproxy
from bot.production.setup import SetupError, check_redis, create_env_file
from bot.production.supervisor import Supervisor
from bot.production.topology import HAPROXY_BINARY, Process, production_processes, replica_ports
from bot.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]


def settings(**values: str) -> Settings:
    return Settings.from_values(values)


def test_replica_i_listens_on_the_balancers_port_plus_i() -> None:
    ports = replica_ports(settings(REPLICAS="3", WEB_PORT="8080", RASA_PORT="5005", ACTIONS_PORT="5055"))
    assert ports.web == [8081, 8082, 8083]
    assert ports.rasa == [5006, 5007, 5008]
    assert ports.actions == [5056, 5057, 5058]


def test_production_runs_the_procfiles_commands_once_per_replica(tmp_path: Path) -> None:
    procfile = read_procfile()
    processes = production_processes(settings(REPLICAS="2"), procfile, tmp_path / "haproxy.cfg", True)
    names = [process.name for process in processes]
    assert names == [
        "smtp-sink",
        "mail-worker",
        "actions-1",
        "actions-2",
        "rasa-1",
        "rasa-2",
        "web-1",
        "web-2",
        "balancer",
    ]
    by_name = {process.name: process for process in processes}
    assert by_name["rasa-2"].command == procfile["rasa"]
    assert by_name["rasa-2"].env == {"RASA_PORT": "5007", "RASA_ENDPOINTS": "endpoints.production.yml"}
    assert by_name["web-1"].env == {"WEB_PORT": "8081", "WEB_OPTIONS": "--proxy-headers"}
    assert by_name["actions-2"].ready_url == "http://127.0.0.1:5057/health"
    assert by_name["balancer"].ready_url == "http://127.0.0.1:8080/sante"
    # Ready once the balancer itself has a Rasa replica and an action server up.
    assert by_name["balancer"].also_ready == ("http://127.0.0.1:5005/", "http://127.0.0.1:5055/health")
    # The Procfile reads the replica's variables, so that every copy runs the same command.
    assert '"${RASA_ENDPOINTS:-endpoints.yml}"' in procfile["rasa"]
    assert "${WEB_OPTIONS:-}" in procfile["web"]


def test_the_balancer_hashes_conversations_to_rasa_and_checks_every_server() -> None:
    config = haproxy.render(settings(REPLICAS="2", RASA_PORT="6005"))
    rasa = config.split("backend rasa_replicas", 1)[1].split("frontend", 1)[0]
    assert "balance hdr(X-Sesame-Conversation)" in rasa and "hash-type consistent" in rasa
    assert re.findall(r"server (rasa-\d) 127\.0\.0\.1:(\d+) check", rasa) == [
        ("rasa-1", "6006"),
        ("rasa-2", "6007"),
    ]
    assert "option httpchk GET /sante" in config and "option httpchk GET /health" in config
    assert "option forwardfor" in config
    # No path in the log (a reset link's token is in its path) and only safe retries.
    log_format = next(line for line in config.splitlines() if line.strip().startswith("log-format"))
    fields = set(re.findall(r"%\w+", log_format))
    assert fields and not fields & {"%r", "%HU", "%HP", "%HQ", "%ci"}  # no request line, path, client
    assert "retry-on conn-failure empty-response" in config


@pytest.mark.skipif(not Path(HAPROXY_BINARY).exists(), reason="HAProxy absent (make run-prod l'installe)")
def test_haproxy_accepts_the_written_configuration_and_refuses_a_broken_one(tmp_path: Path) -> None:
    written = haproxy.write(settings(REPLICAS="2"), tmp_path / "haproxy.cfg")
    assert written.read_text(encoding="utf-8") == haproxy.render(settings(REPLICAS="2"))
    broken = tmp_path / "broken.cfg"
    broken.write_text(written.read_text(encoding="utf-8").replace("balance roundrobin", "balance au-hasard"))
    checked = subprocess.run(  # noqa: S603 - Debian's haproxy on our own file
        [HAPROXY_BINARY, "-c", "-q", "-f", str(broken)], capture_output=True, check=False
    )
    assert checked.returncode != 0  # the check that guards the start does catch mistakes


def test_a_configuration_haproxy_refuses_stops_the_start_in_french(tmp_path: Path) -> None:
    with pytest.raises(
        haproxy.BalancerConfigError, match=r"^Configuration du répartiteur refusée par HAProxy"
    ):
        haproxy.write(settings(), tmp_path / "haproxy.cfg", binary="/bin/false")


def test_the_settings_file_gets_fresh_secrets_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / ".env.production"
    assert create_env_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    content = path.read_text(encoding="utf-8")
    values = [
        line.split("=", 1)[1] for line in content.splitlines() if "=" in line and not line.startswith("#")
    ]
    assert "a-generer" not in values
    parsed = load_settings(path, environ={})
    assert parsed.sesame_mode == "production" and parsed.replicas == 2
    assert len(parsed.nir_hash_key) >= 40 and parsed.nir_hash_key != parsed.csrf_secret
    parsed.check_safe_to_serve()  # production accepts it as it is
    assert not create_env_file(path)  # never overwritten
    other = tmp_path / "autre"
    create_env_file(other)
    assert load_settings(other, environ={}).nir_hash_key != parsed.nir_hash_key


def test_every_setting_of_the_production_example_is_a_known_setting() -> None:
    names = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.production.example").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    }
    assert names == set(settings().as_env())


def test_redis_that_does_not_answer_is_a_french_error() -> None:
    with pytest.raises(SetupError, match=r"^Redis injoignable"):
        check_redis("127.0.0.1", 1, timeout=0.5)


def test_a_dead_replica_is_started_again_while_the_others_go_on(tmp_path: Path) -> None:
    said: list[str] = []
    processes = [
        Process("rasa-1", "sleep 60", "le serveur Rasa n° 1"),
        Process("rasa-2", "sleep 60", "le serveur Rasa n° 2"),
    ]
    supervisor = Supervisor(
        processes, dict(os.environ), tmp_path, tmp_path / "log", lambda text, _: said.append(text)
    )
    supervisor.start_all()
    try:
        first = json.loads(supervisor.state_file.read_text())
        os.killpg(first["rasa-1"], signal.SIGKILL)
        deadline = time.monotonic() + 10
        while True:
            supervisor.watch_once()
            now = json.loads(supervisor.state_file.read_text())
            if "rasa-1" in now and now["rasa-1"] != first["rasa-1"]:
                break
            assert time.monotonic() < deadline, said
            time.sleep(0.1)
        assert now["rasa-2"] == first["rasa-2"]  # the other replica was left alone
        assert said[0].startswith("ATTENTION : « rasa-1 » (le serveur Rasa n° 1) s'est arrêté")
        assert said[-1] == "« rasa-1 » redémarré."
    finally:
        supervisor.stop_all()
    for pid in now.values():
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
