"""The console's wake-ups: ``GET /conseiller/api/flux``, Server-Sent Events for a signed-in agent.

The console used to ask for the queue and the held conversation on timers; with
several web workers, a change written through another worker (or by the action
server, which queues hand-offs) reaches this one by the database's notifications
(``bot.web.push``), and this stream tells the page what to re-read:

- ``event: file``: the queue changed (re-read ``/file``);
- ``event: messages`` with ``{"id": N}``: hand-off N or its messages changed
  (``{"id": null}``: any of them may have, re-read the one shown).

The stream carries no data of its own, only hand-off ids the agent's queue shows
anyway; what the page shows still comes from the usual API calls, with their
checks. Same session as the rest of the console API (401 without one, 403 for a
trainer's account), but a stream is not the agent's activity: it never refreshes
the session's idle timer (EventSource cannot send ``X-Sesame-Poll``). It is the
console's sign of life, though (``bot.agents.presence``): an open stream keeps the
agent « disponible », a closed console stops it. The session is checked again every
``CHECK_SECONDS`` (a third of ``AGENT_PRESENCE_SECONDS`` if shorter) and the stream ends when it has ended;
EventSource then reconnects, gets 401, and the page goes back to the sign-in form.

SQLite (one process, the demo) has no notifications: the stream then carries no
wake-up, only ``event: presence`` at its start (the page keeps its timers) and the
session checks that say the console is open, so that a console in a background tab,
whose timers the browser slows down, stays present.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from bot.agents.presence import heartbeat_seconds
from bot.web import push
from bot.web.deps import (
    COOKIE_NAME,
    AgentIdentity,
    Config,
    ConsoleError,
    console_agent,
    console_is_open,
    errors,
    presence_of,
)
from bot.web.errors import CONSOLE_API_PREFIX
from bot.web.push import Hub
from bot.web.state import WebConfig, push_hub

router = APIRouter(prefix=CONSOLE_API_PREFIX, tags=["console des conseillers"])

STREAM_PATH = "/flux"
# The session is checked again (and a comment keeps proxies from closing the stream) this often.
CHECK_SECONDS = 15.0
# A stream ends after this long; EventSource reconnects at once.
STREAM_SECONDS = 600.0
TOPIC_PREFIX = push.handoff_topic(0)[:-1]


RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/event-stream": {}}, "description": "Le flux des réveils."},
    **errors(401, 403),
}


def streaming_agent(request: Request, config: Config) -> AgentIdentity:
    """The console's session, never touched: a stream is not the agent's activity."""
    return console_agent(config, request.cookies.get(COOKIE_NAME), touch=False)


def still_signed_in(config: WebConfig, token: str | None) -> bool:
    """The session is live; its console's sign of life is recorded (the stream is open)."""
    try:
        console_agent(config, token, touch=False)
    except ConsoleError:
        return False
    console_is_open(config, token)
    return True


def check_seconds(config: WebConfig) -> float:
    """How often the stream checks the session and says the console is open."""
    return min(CHECK_SECONDS, heartbeat_seconds(presence_of(config)))


def _event(name: str, data: dict[str, Any]) -> str:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"


def wake_ups(topics: set[str], listening: bool) -> list[str]:
    """The events for what the hub delivered; a timed wake-up without notifications re-reads all."""
    if push.EVERYTHING in topics or (not topics and not listening):
        return [_event("file", {}), _event("messages", {"id": None})]
    events = [_event("file", {})] if push.QUEUE in topics else []
    ids = sorted(int(topic[len(TOPIC_PREFIX) :]) for topic in topics if topic.startswith(TOPIC_PREFIX))
    return events + [_event("messages", {"id": handoff_id}) for handoff_id in ids]


async def _presence_only(request: Request, config: WebConfig) -> AsyncIterator[str]:
    """No notifications (SQLite): the stream only says the console is open, and checks the session."""
    token = request.cookies.get(COOKIE_NAME)
    every = check_seconds(config)
    loop = asyncio.get_running_loop()
    started = loop.time()
    yield "retry: 2000\n\n"
    yield _event("presence", {})
    while loop.time() - started <= STREAM_SECONDS:
        await asyncio.sleep(every)
        # A closed console is no sign of life: asked before the session check records one.
        if await request.is_disconnected() or not await run_in_threadpool(still_signed_in, config, token):
            return
        yield ": toujours là\n\n"


async def _stream(request: Request, config: WebConfig, hub: Hub) -> AsyncIterator[str]:
    token = request.cookies.get(COOKIE_NAME)
    every = check_seconds(config)
    loop = asyncio.get_running_loop()
    started = checked = loop.time()
    # Every hand-off's changes: the queue shows them all, the page keeps those it shows.
    with hub.subscribe(None) as subscription:
        yield "retry: 2000\n\n"
        while True:
            seconds_left = every - (loop.time() - checked)
            topics = await subscription.wait(max(0.05, min(hub.wait_seconds, seconds_left)))
            for event in wake_ups(topics, hub.listening):
                yield event
            now = loop.time()
            if now - checked >= every:
                # A closed console is no sign of life: asked before the session check records one.
                if await request.is_disconnected():
                    return
                if not await run_in_threadpool(still_signed_in, config, token):
                    return
                yield ": toujours là\n\n"
                checked = now
            if now - started > STREAM_SECONDS or await request.is_disconnected():
                return


@router.get(
    STREAM_PATH,
    summary="Les réveils de la console (Server-Sent Events)",
    description="« file » : la file a changé ; « messages » {id} : la prise en charge n° id a changé. "
    "Sans données : la console relit l'API. Sans PostgreSQL, « presence » seulement : le flux dit que "
    "la console est ouverte et la console relit à intervalles.",
    response_class=StreamingResponse,
    responses=RESPONSES,
)
async def stream(
    request: Request,
    agent: Annotated[AgentIdentity, Depends(streaming_agent)],
    config: Config,
    hub: Annotated[Hub | None, Depends(push_hub)],
) -> Response:
    return StreamingResponse(
        _stream(request, config, hub) if hub is not None else _presence_only(request, config),
        media_type="text/event-stream; charset=utf-8",
        headers={"X-Accel-Buffering": "no"},
    )
