"""The benchmarks' asyncio client: simulated members who chat, each from its own address.

A *level* is ``users`` simulated members running conversations back to back for
``seconds`` (a conversation started before the deadline is finished). Each
conversation opens its own HTTP client bound to its own loopback source address
(127.0.0.2, 127.0.0.3, …: all of 127.0.0.0/8 is the loopback on Linux), so that the
web tier, which counts NIR look-ups and reset requests per client address (through
HAProxy's ``X-Forwarded-For``), sees one client per member, as in real life.

Every message is timed and classified: ``ok``, or an error (``http-503``…,
``timeout``, ``transport-<exception>``, ``wrong-answer``, ``refused-lookup``, ``refused-reset``).
A conversation stops at its first error. Turns are tagged ``form`` (inside the
reset conversation), ``faq`` (help questions, greetings) or ``stock``.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

MESSAGE_TIMEOUT_SECONDS = 45.0  # above the web tier's own 30 s wait for Rasa (then a 503)


class SourceAddresses:
    """127.0.0.2, 127.0.0.3, … 127.0.1.0 …: one fresh loopback address per call."""

    def __init__(self, first: int = 2) -> None:
        self._next = first

    def __next__(self) -> str:
        number = self._next
        self._next += 1
        if number >= 1 << 24:
            raise RuntimeError("no loopback address left")
        return f"127.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"

    def __iter__(self) -> Iterator[str]:
        return self


@dataclass(frozen=True)
class Turn:
    """One message: when it was answered, how long it took, and whether it went right."""

    kind: str  # form, faq, stock
    seconds: float
    outcome: str  # ok, or the error's name
    finished_at: float


class ConversationFailed(Exception):
    """The conversation cannot go on; ``str()`` is the outcome of its last message."""


class Endpoint(Protocol):
    """How one bot is reached: the request for a message, and its replies' texts."""

    def request(self, client: httpx.AsyncClient, sender: str, text: str) -> Awaitable[httpx.Response]: ...

    def texts(self, response: httpx.Response) -> list[str]: ...


@dataclass(frozen=True)
class WebChat:
    """Sésame's ``POST /chat`` (through the balancer), as the page's widget sends it."""

    base: str  # http://127.0.0.1:<WEB_PORT>

    def request(self, client: httpx.AsyncClient, sender: str, text: str) -> Awaitable[httpx.Response]:
        return client.post(
            f"{self.base}/chat", json={"sender": sender, "message": text}, headers={"Origin": self.base}
        )

    def texts(self, response: httpx.Response) -> list[str]:
        return [_text_and_buttons(message) for message in response.json()["messages"]]


@dataclass(frozen=True)
class RestWebhook:
    """Rasa's REST channel (the stock bot)."""

    base: str  # http://127.0.0.1:<port>

    def request(self, client: httpx.AsyncClient, sender: str, text: str) -> Awaitable[httpx.Response]:
        return client.post(f"{self.base}/webhooks/rest/webhook", json={"sender": sender, "message": text})

    def texts(self, response: httpx.Response) -> list[str]:
        return [_text_and_buttons(message) for message in response.json()]


def _text_and_buttons(message: dict[str, Any]) -> str:
    titles = [str(button.get("title", "")) for button in message.get("buttons") or []]
    return "\n".join([str(message.get("text") or ""), *titles])


@dataclass
class Session:
    """One conversation: its sender id, its own HTTP client, and the turns it recorded."""

    endpoint: Endpoint
    client: httpx.AsyncClient
    turns: list[Turn]
    sender: str = field(default_factory=lambda: f"banc-{uuid.uuid4().hex}")

    async def say(self, text: str, kind: str, check: Callable[[str], str | None] | None = None) -> str:
        """Send ``text``; the replies joined. ``check`` returns an error name, or None if right.

        Raises ``ConversationFailed`` on any error, after recording the turn.
        """
        started = time.perf_counter()
        outcome = "ok"
        answer = ""
        try:
            response = await self.endpoint.request(self.client, self.sender, text)
            if response.status_code != 200:
                outcome = f"http-{response.status_code}"
            else:
                answer = "\n".join(self.endpoint.texts(response))
                problem = check(answer) if check is not None else ("wrong-answer" if not answer else None)
                outcome = problem or "ok"
        except httpx.TimeoutException:
            outcome = "timeout"
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
            outcome = f"transport-{type(error).__name__}"
        finished = time.perf_counter()
        self.turns.append(Turn(kind, finished - started, outcome, finished))
        if outcome != "ok":
            raise ConversationFailed(outcome)
        return answer


Conversation = Callable[[Session], Awaitable[None]]


@dataclass
class Level:
    """What one level measured."""

    users: int
    seconds: float  # from the first message to the last answer
    turns: list[Turn]
    conversations: Counter[str]  # "<name>:ok" / "<name>:<error>"

    def summary(self) -> dict[str, Any]:
        """Throughput, latency percentiles and errors: all turns, then per kind."""
        result: dict[str, Any] = {
            "users": self.users,
            "seconds": round(self.seconds, 1),
            **stats(self.turns, self.seconds),
            "conversations": dict(sorted(self.conversations.items())),
        }
        kinds = sorted({turn.kind for turn in self.turns})
        if len(kinds) > 1:
            result["by_kind"] = {
                k: stats([t for t in self.turns if t.kind == k], self.seconds) for k in kinds
            }
        return result


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values (nan if empty)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), int(-(-fraction * len(sorted_values) // 1))))
    return sorted_values[rank - 1]


def stats(turns: Sequence[Turn], seconds: float) -> dict[str, Any]:
    """Messages, answered messages per second, p50/p95/p99 in ms (every message, failed ones
    included), p95 of the answered ones, errors."""
    times = sorted(turn.seconds * 1000 for turn in turns)
    answered = sorted(turn.seconds * 1000 for turn in turns if turn.outcome == "ok")
    errors = Counter(turn.outcome for turn in turns if turn.outcome != "ok")
    return {
        "messages": len(turns),
        "messages_per_second": round(len(answered) / seconds, 2) if seconds > 0 else 0.0,
        "p50_ms": round(percentile(times, 0.50), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "p99_ms": round(percentile(times, 0.99), 1),
        # The correctly answered messages alone (failed ones may be faster or slower).
        "p95_answered_ms": round(percentile(answered, 0.95), 1),
        "errors": sum(errors.values()),
        "error_kinds": dict(sorted(errors.items())),
    }


async def _one_conversation(
    endpoint: Endpoint, name: str, conversation: Conversation, address: str, turns: list[Turn]
) -> str:
    transport = httpx.AsyncHTTPTransport(local_address=address, retries=0)
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(
        transport=transport, trust_env=False, timeout=MESSAGE_TIMEOUT_SECONDS, limits=limits
    ) as client:
        try:
            await conversation(Session(endpoint, client, turns))
        except ConversationFailed as failed:
            return f"{name}:{failed}"
    return f"{name}:ok"


async def run_level(
    endpoint: Endpoint,
    users: int,
    seconds: float,
    pick: Callable[[int, int], tuple[str, Conversation]],
    addresses: SourceAddresses,
) -> Level:
    """``users`` members chatting for ``seconds``; ``pick(user, n)`` gives user's n-th conversation."""
    turns: list[Turn] = []
    outcomes: Counter[str] = Counter()
    started = time.perf_counter()
    deadline = started + seconds

    async def member(user: int) -> None:
        n = 0
        while time.perf_counter() < deadline:
            name, conversation = pick(user, n)
            outcomes[await _one_conversation(endpoint, name, conversation, next(addresses), turns)] += 1
            n += 1

    await asyncio.gather(*(member(user) for user in range(users)))
    finished = max((turn.finished_at for turn in turns), default=time.perf_counter())
    return Level(users, finished - started, turns, outcomes)
