"""Which processes production mode runs, on which ports, and how each one says it is up.

Why a convention rather than a list of ports in the settings: the balancer owns the
ports that everything else already uses (``WEB_PORT``, ``RASA_PORT``, ``ACTIONS_PORT``:
the web tier reaches Rasa, and Rasa the action servers, through it without knowing how
many replicas there are), and replica ``i`` of a service listens on that port + ``i``.
One setting, ``REPLICAS``, then changes the whole layout (the bench runs 1 and 2).

The commands are the ``Procfile``'s, so production runs exactly what ``make run`` runs;
each replica differs only by its environment (its port, Rasa's endpoints file with the
Redis lock, the web tier's trust in the balancer's ``X-Forwarded-For``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.settings import Settings

PRODUCTION_ENDPOINTS = "endpoints.production.yml"
# Where the balancer's configuration is written (under the log directory's parent).
HAPROXY_BINARY = "/usr/sbin/haproxy"


@dataclass(frozen=True)
class Process:
    """One process of production mode."""

    name: str  # "rasa-1", "web-2", "balancer"…
    command: str  # through /bin/sh, from the project root
    noun: str  # French, for the operator's messages: "le serveur Rasa n° 1"
    env: dict[str, str] = field(default_factory=dict)  # on top of the shared environment
    ready_url: str | None = None  # answers 200 once the process serves
    ready_seconds: float = 60.0
    # More URLs that must answer too (the balancer: its Rasa frontend, once a replica is UP).
    also_ready: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ports:
    """The balancer's ports and the replicas' (balancer port + i)."""

    web: list[int]
    rasa: list[int]
    actions: list[int]


def replica_ports(settings: Settings) -> Ports:
    count = range(1, settings.replicas + 1)
    return Ports(
        web=[settings.web_port + i for i in count],
        rasa=[settings.rasa_port + i for i in count],
        actions=[settings.actions_port + i for i in count],
    )


def production_processes(
    settings: Settings, procfile: dict[str, str], haproxy_config: Path, with_smtp_sink: bool
) -> list[Process]:
    """Every process, in start order: mail, action servers, Rasa replicas, web workers, balancer."""
    ports = replica_ports(settings)
    host = settings.internal_host
    processes: list[Process] = []
    if with_smtp_sink:
        processes.append(Process("smtp-sink", procfile["smtp-sink"], "le puits SMTP local"))
    processes.append(Process("mail-worker", procfile["mail-worker"], "l'envoi des e-mails"))
    for i, port in enumerate(ports.actions, start=1):
        processes.append(
            Process(
                f"actions-{i}",
                procfile["actions"],
                f"le serveur d'actions n° {i}",
                {"ACTIONS_PORT": str(port)},
                f"http://{host}:{port}/health",
                120,
            )
        )
    for i, port in enumerate(ports.rasa, start=1):
        processes.append(
            Process(
                f"rasa-{i}",
                procfile["rasa"],
                f"le serveur Rasa n° {i}",
                {"RASA_PORT": str(port), "RASA_ENDPOINTS": PRODUCTION_ENDPOINTS},
                f"http://{host}:{port}/",
                420,  # several replicas load their model at once on a two-core machine
            )
        )
    for i, port in enumerate(ports.web, start=1):
        processes.append(
            Process(
                f"web-{i}",
                procfile["web"],
                f"le processus web n° {i}",
                # Behind the balancer: believe its X-Forwarded-For, so that each member is
                # counted as themselves (look-up limits), not as the balancer's address.
                {"WEB_PORT": str(port), "WEB_OPTIONS": "--proxy-headers"},
                f"http://127.0.0.1:{port}/sante",
                60,
            )
        )
    processes.append(
        Process(
            "balancer",
            f"{HAPROXY_BINARY} -db -f {haproxy_config}",
            "le répartiteur HAProxy",
            ready_url=f"http://127.0.0.1:{settings.web_port}/sante",
            ready_seconds=60,
            # Ready means a member's message can be answered: HAProxy has marked a Rasa
            # replica and an action server up (its checks need a few seconds after they answer).
            also_ready=(
                f"http://{host}:{settings.rasa_port}/",
                f"http://{host}:{settings.actions_port}/health",
            ),
        )
    )
    return processes
