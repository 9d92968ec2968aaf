"""Rasa's calls to the action server over kept-alive connections, not a new one per call.

Rasa 3.6 opens a new ``aiohttp.ClientSession`` (its own connector, so a new TCP
connection, and in production a new connection through HAProxy) for every request to
an endpoint, and closes it after: about 3 % of the Rasa server's CPU under load
(issue #24). ``install()`` makes ``EndpointConfig.session()`` hand out one session per
endpoint and event loop, kept open, whose idle connections are closed by the client after
``KEEPALIVE_SECONDS``: below the action server's own keep-alive (Sanic, 5 s) and
HAProxy's (10 s), so a connection is never reused just as the other end closes it.

The same headers, authentication and timeout as Rasa's own session; requests and
answers are unchanged (``rasa_addons/tests/test_kept_connections.py`` compares both).
Installed by ``rasa_addons.speedups`` (``python -m rasa_addons``).
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any

import aiohttp
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

KEEPALIVE_SECONDS = 2.0
_ORIGINAL = EndpointConfig.session
_KEPT = "_sesame_kept_session"


class KeptSession:
    """``async with`` gives the endpoint's shared session and leaves it open for the next call."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None


def new_session(endpoint: EndpointConfig) -> aiohttp.ClientSession:
    """Rasa's session for ``endpoint`` (same headers, authentication, timeout), keeping connections."""
    auth = None
    if endpoint.basic_auth:
        auth = aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
    return aiohttp.ClientSession(
        headers=endpoint.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
    )


def kept_session(self: EndpointConfig) -> Any:
    """The endpoint's session on the running loop: created once, then reused (a new loop gets its own)."""
    loop = asyncio.get_running_loop()
    kept = self.__dict__.get(_KEPT)
    if kept is None or kept[0] is not loop or kept[1].closed:
        kept = (loop, new_session(self))
        self.__dict__[_KEPT] = kept
    return KeptSession(kept[1])


async def close(endpoint: EndpointConfig) -> None:
    """Close the endpoint's kept session, if any (the tests; a server's ends with its process)."""
    kept = endpoint.__dict__.pop(_KEPT, None)
    if kept is not None:
        await kept[1].close()


def install() -> None:
    setattr(EndpointConfig, "session", kept_session)  # noqa: B010 - typed differently by each Rasa build


def uninstall() -> None:
    """Rasa's own session per call (used by the tests)."""
    setattr(EndpointConfig, "session", _ORIGINAL)  # noqa: B010 - typed differently by each Rasa build
