"""Calls to an endpoint keep their connection, and send and receive what Rasa's own calls do."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from aiohttp import web
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from rasa_addons import kept_connections


@pytest.fixture(autouse=True)
def rasa_as_it_comes() -> Iterator[None]:
    kept_connections.uninstall()
    yield
    kept_connections.uninstall()


class Recorder:
    """A stand-in action server: what it was sent, over how many connections."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.connections: set[int] = set()

    async def webhook(self, request: web.Request) -> web.Response:
        transport = request.transport
        self.connections.add(id(transport))
        self.requests.append(
            {
                "path": request.path,
                "query": dict(request.query),
                "authorization": request.headers.get("Authorization"),
                "content_type": request.headers.get("Content-Type"),
                "body": await request.json(),
            }
        )
        if request.query.get("fail"):
            return web.Response(status=500, text="boom")
        return web.json_response({"events": [{"event": "slot", "name": "x", "value": 1}], "responses": []})


async def served(recorder: Recorder) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_post("/webhook", recorder.webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        await runner.cleanup()


async def three_calls(endpoint_kwargs: dict[str, Any]) -> tuple[list[Any], Recorder]:
    recorder = Recorder()
    answers: list[Any] = []
    async for url in served(recorder):
        endpoint = EndpointConfig(url, **endpoint_kwargs)
        for turn in range(3):
            answers.append(
                await endpoint.request(json={"next_action": "action_x", "turn": turn}, method="post")
            )
        with pytest.raises(ClientResponseError) as refused:
            await endpoint.request(json={"turn": 4}, method="post", params={"fail": "1"})
        answers.append((refused.value.status, refused.value.text))
    return answers, recorder


ENDPOINTS = [
    {"headers": {"Authorization": "Bearer s3cret"}},
    {"params": {"token": "t"}, "basic_auth": {"username": "u", "password": "p"}},
]


@pytest.mark.parametrize("endpoint_kwargs", ENDPOINTS)
def test_same_requests_and_answers_as_rasa_over_one_connection(endpoint_kwargs: dict[str, Any]) -> None:
    rasa_answers, rasa_seen = asyncio.run(three_calls(endpoint_kwargs))
    kept_connections.install()
    our_answers, our_seen = asyncio.run(three_calls(endpoint_kwargs))
    assert our_answers == rasa_answers
    assert our_seen.requests == rasa_seen.requests
    assert len(rasa_seen.connections) == 4  # Rasa: a new connection per call
    assert len(our_seen.connections) == 1


def test_a_new_event_loop_gets_its_own_session() -> None:
    kept_connections.install()
    endpoint = EndpointConfig("http://127.0.0.1:1/webhook")

    async def session() -> Any:
        async with endpoint.session() as opened:
            pass
        await kept_connections.close(endpoint)
        return opened

    first, second = asyncio.run(session()), asyncio.run(session())
    assert first is not second
