"""The member's side of a hand-off: messages go to the agent, the agent's come back by server push.

While a conversation has an open live hand-off (``bot.handoffs.queue``), ``POST /chat``
does not ask Rasa: the member's message is stored for the agent (masked as the
conversation store masks it) and the bot stays silent. The agent's messages reach
the widget through ``GET /chat/flux`` (Server-Sent Events): the widget keeps its
REST send path, and EventSource reconnects by itself (``Last-Event-ID``), also
after a restart of the web tier, since everything is read from the database.

Who sees what: a conversation is named by its sender id, a random secret of 16 to
64 characters that only the member's tab holds; the stream shows that
conversation's latest hand-off and nothing else. Agent messages are sent as JSON
strings and the widget renders them as text.

That id is the chat's one credential, so nobody else is ever shown it: agents,
trainers, the audit log and the command line see its reference
(``bot.rules.conversation_refs``), which cannot be reversed and which ``/chat`` and
``/chat/flux`` refuse (too short for a sender id). The widget draws the id itself
(192 bits from ``crypto.getRandomValues``) rather than receiving one from the
server or a cookie: it is as unguessable either way, one per tab (a cookie would be
shared by every tab of the browser), kept across reloads in ``sessionStorage``, and
never in a logged URL (the access log drops query strings, HAProxy logs no path).

The database is the truth, read by every web worker: the stream re-reads it when
woken. On PostgreSQL the wake-up is the worker's notification hub (``bot.web.push``):
whichever worker or process wrote the message, every worker hears of it, and a
stream re-reads at the latest every ``push.FALLBACK_SECONDS`` anyway (or every
second while the hub is disconnected). On SQLite (one process) the stream re-reads
every ``POLL_SECONDS``, well under the one second an agent's message may take.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from bot.db.engine import session_scope
from bot.db.enums import HandoffAuthor, HandoffKind
from bot.handoffs import queue
from bot.handoffs.waiting import WaitPolicy
from bot.web import push
from bot.web.member_handoff import handoff_view, message_view, wait_policy
from bot.web.push import Hub, Subscription
from bot.web.state import WebConfig, push_hub, web_config

logger = logging.getLogger("bot.web.live")

STREAM_PATH = "/chat/flux"
POLL_SECONDS = 0.2
KEEPALIVE_SECONDS = 15.0
# A stream ends after this long; EventSource reconnects at once, from its last event.
STREAM_SECONDS = 600.0
SENDER = re.compile(r"[A-Za-z0-9_-]{16,64}")

router = APIRouter(include_in_schema=False)


def _event(name: str, data: dict[str, Any], event_id: int | None = None) -> str:
    lines = [f"event: {name}"]
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append("data: " + json.dumps(data, ensure_ascii=False))
    return "\n".join(lines) + "\n\n"


def _snapshot(
    engine: Engine, sender: str, after_id: int, policy: WaitPolicy | None = None
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The latest hand-off's state and the agent's and Sésame's messages after ``after_id``.

    While it waits, the state carries the estimate and the call-back offer (``policy``):
    re-read on every wake-up, so a member hears at once that the last agent has gone.
    """
    with session_scope(engine) as session:
        handoff = queue.latest_for_conversation(session, sender)
        if handoff is None or handoff.kind != HandoffKind.LIVE:
            return None, []
        messages = [
            message_view(m)
            for m in queue.messages_after(session, handoff.id, after_id)
            if m.author != HandoffAuthor.MEMBER
        ]
        return handoff_view(session, handoff, policy), messages


def _topics(view: dict[str, Any]) -> set[str]:
    """What may change what the member sees: the hand-off, and the queue while waiting (position)."""
    topics = {push.handoff_topic(view["id"])}
    if view["etat"] == "attente":
        topics.add(push.QUEUE)
    return topics


async def _pause(subscription: Subscription | None, hub: Hub | None, seconds_left: float) -> None:
    """Until a notification concerns this stream (PostgreSQL), or the next timed re-read."""
    if subscription is None or hub is None:
        await asyncio.sleep(POLL_SECONDS)
        return
    await subscription.wait(max(0.05, min(hub.wait_seconds, seconds_left)))


async def _stream(
    request: Request, engine: Engine, hub: Hub | None, sender: str, after_id: int, policy: WaitPolicy
) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    started = last_sent = loop.time()
    last_state: dict[str, Any] | None = None
    yield "retry: 1000\n\n"
    # Subscribed before the first read: a change between a read and the wait still wakes it.
    with hub.subscribe() if hub is not None else contextlib.nullcontext() as subscription:
        while True:
            view, messages = await run_in_threadpool(_snapshot, engine, sender, after_id, policy)
            if view is None:
                return
            if subscription is not None:
                subscription.follow(_topics(view))
            for message in messages:
                yield _event("message", message, message["id"])
                after_id = message["id"]
                last_sent = loop.time()
            if view != last_state:
                yield _event("etat", view)
                last_state = view
                last_sent = loop.time()
            if view["etat"] == "terminee":
                return
            now = loop.time()
            if now - last_sent >= KEEPALIVE_SECONDS:
                yield ": toujours là\n\n"
                last_sent = now
            if now - started > STREAM_SECONDS or await request.is_disconnected():
                return
            await _pause(subscription, hub, KEEPALIVE_SECONDS - (now - last_sent))


@router.get(STREAM_PATH)
async def stream(
    request: Request,
    config: Annotated[WebConfig, Depends(web_config)],
    hub: Annotated[Hub | None, Depends(push_hub)],
    sender: Annotated[str, Query(max_length=64)] = "",
    apres: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """Server-Sent Events of the conversation's hand-off; 204 when it has none (EventSource stops)."""
    if not SENDER.fullmatch(sender):
        return Response(status_code=400)
    last_event = request.headers.get("last-event-id", "")
    after_id = int(last_event) if last_event.isdigit() else apres
    policy = wait_policy(config.settings)
    view, pending = await run_in_threadpool(_snapshot, config.engine, sender, after_id, policy)
    if view is None or (view["etat"] == "terminee" and not pending):
        return Response(status_code=204)
    return StreamingResponse(
        _stream(request, config.engine, hub, sender, after_id, policy),
        media_type="text/event-stream; charset=utf-8",
        headers={"X-Accel-Buffering": "no"},
    )
