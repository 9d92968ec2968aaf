"""The balancer's configuration, written from the settings before HAProxy starts.

HAProxy comes from Debian's package (``make run-prod`` installs it). The template
(``haproxy.cfg.j2`` beside this module) says why each choice; this module only fills
in the ports and checks the result with ``haproxy -c`` so that a bad configuration is
a French error at start, not a balancer that dies later.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.production.topology import HAPROXY_BINARY, replica_ports
from bot.settings import Settings
from bot.web.rasa import CONVERSATION_HEADER

TEMPLATE_DIR = Path(__file__).resolve().parent
# The public frontend listens on the machine itself: on a server, a TLS terminator or the
# platform's load balancer stands in front (deploy/).
PUBLIC_HOST = "127.0.0.1"


class BalancerConfigError(RuntimeError):
    """``haproxy -c`` refused the written configuration; ``str()`` is French."""


def render(settings: Settings) -> str:
    environment = Environment(  # noqa: S701 - a configuration file, not HTML
        loader=FileSystemLoader(TEMPLATE_DIR), undefined=StrictUndefined, keep_trailing_newline=True
    )
    ports = replica_ports(settings)
    return environment.get_template("haproxy.cfg.j2").render(
        public_host=PUBLIC_HOST,
        internal_host=settings.internal_host,
        web_port=settings.web_port,
        rasa_port=settings.rasa_port,
        actions_port=settings.actions_port,
        web_ports=ports.web,
        rasa_ports=ports.rasa,
        actions_ports=ports.actions,
        conversation_header=CONVERSATION_HEADER,
    )


def write(settings: Settings, path: Path, binary: str = HAPROXY_BINARY) -> Path:
    """Write the configuration to ``path`` and have HAProxy check it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(settings), encoding="utf-8")
    checked = subprocess.run(  # noqa: S603 - Debian's haproxy, our own file
        [binary, "-c", "-q", "-f", str(path)], capture_output=True, text=True, check=False
    )
    if checked.returncode != 0:
        raise BalancerConfigError(
            f"Configuration du répartiteur refusée par HAProxy ({path}) :\n{checked.stdout}{checked.stderr}"
        )
    return path
