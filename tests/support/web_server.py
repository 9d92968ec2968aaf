"""Run the project's real web server on a free port for one test."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from bot.settings import Settings
from bot.web.server import make_server


@contextmanager
def running_server(engine: Engine, settings: Settings) -> Iterator[int]:
    """The port of a started server; it is shut down when the block ends."""
    server = make_server("127.0.0.1", 0, engine, settings)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
