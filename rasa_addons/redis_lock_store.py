"""A Redis lock store for several Rasa replicas: every ticket operation is one atomic step.

Rasa makes each message of a conversation wait for the previous one with a *ticket
lock*: a message takes a ticket, waits until its ticket is the oldest one still
valid, does its turn (read the tracker, run the actions, save the tracker), then
gives the ticket back. Rasa OSS 3.6's ``RedisLockStore`` keeps the whole queue of
tickets as one JSON value and changes it in Python: GET, add or remove a ticket,
SET. Two replicas doing that at the same moment for the same conversation both
read the same queue, and the second SET overwrites the first: a ticket is lost, or
two messages get the same number, and both believe they hold the lock; two turns
then read the same tracker and the second save drops the first one's events
(``rasa_addons/tests/test_redis_lock_store.py`` shows it).

Here the queue lives in Redis and is only ever changed by Lua scripts, which Redis
runs one at a time, so each operation is atomic:

- ``{prefix}:lock:{conversation_id}``, a hash: ticket number → expiry (milliseconds,
  the Redis server's clock, so the replicas' clocks do not matter). The key expires
  with its last ticket.
- ``{prefix}:lock-tickets``, one counter for every conversation (``INCR``), which
  starts from the server's time in microseconds: numbers are never reused, even after a
  Redis restart that lost the data, so a replica giving back a ticket that expired long
  ago, or that Redis forgot, cannot remove somebody else's.

The scripts (see ``_ISSUE``, ``_STATUS``, ``_RELEASE``, ``_SNAPSHOT``, ``_PRUNE``,
``_REPLACE``) drop expired tickets first, so a replica that died holding or waiting
for a ticket blocks the conversation for at most the ticket's lifetime (Rasa's
``TICKET_LOCK_LIFETIME``, 60 s by default). The holder is the smallest number still
valid. Taking the lock costs one round trip when nobody is ahead (the issue script
says how many tickets are ahead), otherwise the waiter polls with a growing delay
(2 ms, then ×1.5 each time, at most ``wait_time_in_seconds`` and ``max_poll_interval``,
0.1 s), instead of Rasa's fixed second; giving it back is one more round trip.

Configuration, in the endpoints file (``endpoints.production.yml``)::

    lock_store:
      type: rasa_addons.redis_lock_store.AtomicRedisLockStore
      url: ${REDIS_HOST}          # a host name, or a whole redis://[:password@]host:port/db URL
      port: ${REDIS_PORT}         # 6379 by default
      db: ${REDIS_LOCK_DB}        # 1 by default, as Rasa's
      key_prefix: sesame          # letters, digits, "_", "-", "." only
      # password, username, use_ssl, socket_timeout as for Rasa's store

The store pings Redis when it is created: a production Rasa that cannot reach its
lock store does not start (a ``ConnectionException`` that says so).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import deque
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

import redis
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import (
    DEFAULT_SOCKET_TIMEOUT_IN_SECONDS,
    LOCK_LIFETIME,
    LockError,
    LockStore,
)
from rasa.shared.exceptions import ConnectionException

logger = logging.getLogger(__name__)

DEFAULT_KEY_PREFIX = "sesame"
DEFAULT_DB = 1
FIRST_POLL_INTERVAL = 0.002
POLL_BACKOFF = 1.5
MAX_POLL_INTERVAL = 0.1
_PREFIX_PATTERN = re.compile(r"[A-Za-z0-9_.\-]{1,64}")

# Every script starts by dropping the expired tickets of the conversation's hash
# (KEYS[1]) and knows the time from the server. Ticket numbers are hash fields
# written with "%d" (Lua 5.1's tostring would switch to exponent notation).
_PRELUDE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local flat = redis.call('HGETALL', KEYS[1])
local live = {}
for i = 1, #flat, 2 do
  local expires = tonumber(flat[i + 1])
  if expires <= now then
    redis.call('HDEL', KEYS[1], flat[i])
  else
    live[#live + 1] = {tonumber(flat[i]), expires}
  end
end
"""

# KEYS[1] the conversation's hash, KEYS[2] the counter; ARGV[1] the lifetime (ms).
# Returns {ticket number, how many valid tickets are ahead of it}.
_ISSUE = (
    _PRELUDE
    + """
local lifetime = tonumber(ARGV[1])
local number = redis.call('INCR', KEYS[2])
if number == 1 then
  -- a new counter (first use, or a Redis that lost its data) starts at the server's time in
  -- microseconds: above every number issued before, unless more than one per microsecond.
  number = tonumber(t[1]) * 1000000 + tonumber(t[2])
  redis.call('SET', KEYS[2], string.format('%d', number))
end
redis.call('HSET', KEYS[1], string.format('%d', number), now + lifetime)
if redis.call('PTTL', KEYS[1]) < lifetime then
  redis.call('PEXPIRE', KEYS[1], lifetime)
end
return {number, #live}
"""
)

# ARGV[1] a ticket number. Returns -1 if the ticket is gone (expired), otherwise how
# many valid tickets are ahead of it (0: it holds the lock).
_STATUS = (
    _PRELUDE
    + """
local mine = tonumber(ARGV[1])
local found = false
local ahead = 0
for _, ticket in ipairs(live) do
  if ticket[1] == mine then
    found = true
  elseif ticket[1] < mine then
    ahead = ahead + 1
  end
end
if not found then
  return -1
end
return ahead
"""
)

# ARGV[1] a ticket number. Removes it, and the conversation's hash once empty.
# Returns how many valid tickets remain.
_RELEASE = (
    _PRELUDE
    + """
local mine = string.format('%d', tonumber(ARGV[1]))
local remaining = 0
for _, ticket in ipairs(live) do
  if string.format('%d', ticket[1]) == mine then
    redis.call('HDEL', KEYS[1], mine)
  else
    remaining = remaining + 1
  end
end
if remaining == 0 then
  redis.call('DEL', KEYS[1])
end
return remaining
"""
)

# The valid tickets, and the server's time: {now, number, expires, number, expires...}.
_SNAPSHOT = (
    _PRELUDE
    + """
local out = {now}
for _, ticket in ipairs(live) do
  out[#out + 1] = ticket[1]
  out[#out + 1] = ticket[2]
end
return out
"""
)

# Drops the expired tickets only. Returns how many remain.
_PRUNE = (
    _PRELUDE
    + """
if #live == 0 then
  redis.call('DEL', KEYS[1])
end
return #live
"""
)

# Replaces the queue with ARGV: {number, remaining lifetime (ms), ...}, and keeps the
# counter ahead of every number in it (Rasa's ``save_lock``; Rasa itself never calls
# it on this store).
_REPLACE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('DEL', KEYS[1])
local longest = 0
for i = 1, #ARGV, 2 do
  local number = tonumber(ARGV[i])
  local lifetime = tonumber(ARGV[i + 1])
  if lifetime > 0 then
    redis.call('HSET', KEYS[1], string.format('%d', number), now + lifetime)
    if lifetime > longest then longest = lifetime end
    if tonumber(redis.call('GET', KEYS[2]) or '0') < number then
      redis.call('SET', KEYS[2], string.format('%d', number))
    end
  end
end
if longest > 0 then
  redis.call('PEXPIRE', KEYS[1], longest)
end
return longest
"""


class AtomicRedisLockStore(LockStore):
    """Rasa's ``LockStore`` on Redis, where taking, checking and giving back a ticket are atomic."""

    def __init__(
        self,
        host: str = "localhost",
        port: int | str = 6379,
        db: int | str = DEFAULT_DB,
        username: str | None = None,
        password: str | None = None,
        use_ssl: bool = False,
        key_prefix: str | None = None,
        socket_timeout: float = DEFAULT_SOCKET_TIMEOUT_IN_SECONDS,
        max_poll_interval: float = MAX_POLL_INTERVAL,
        endpoint_config: Any = None,
        **kwargs: Any,
    ) -> None:
        if endpoint_config is not None:  # `type: rasa_addons.redis_lock_store.AtomicRedisLockStore`
            settings = dict(endpoint_config.kwargs)
            host = endpoint_config.url or settings.pop("host", host)
            port = settings.pop("port", port)
            db = settings.pop("db", db)
            username = settings.pop("username", username)
            password = settings.pop("password", password)
            use_ssl = str(settings.pop("use_ssl", use_ssl)).lower() in {"true", "1", "yes"}
            key_prefix = settings.pop("key_prefix", key_prefix)
            socket_timeout = float(settings.pop("socket_timeout", socket_timeout))
            max_poll_interval = float(settings.pop("max_poll_interval", max_poll_interval))
            kwargs = {**settings, **kwargs}
        if kwargs:
            logger.warning("Réglages du lock store ignorés : %s", ", ".join(sorted(kwargs)))
        host = str(host or "localhost")
        if "://" in host:
            self.red = redis.Redis.from_url(host, socket_timeout=socket_timeout)
        else:
            self.red = redis.Redis(
                host=host,
                port=int(port or 6379),
                db=int(db if db not in (None, "") else DEFAULT_DB),
                username=username or None,
                password=password or None,
                ssl=use_ssl,
                socket_timeout=socket_timeout,
            )
        prefix = str(key_prefix) if key_prefix else DEFAULT_KEY_PREFIX
        if not _PREFIX_PATTERN.fullmatch(prefix):
            raise ValueError(
                f"key_prefix du lock store invalide : {prefix!r} (lettres, chiffres, « _ », « - », « . »)."
            )
        self.key_prefix = prefix
        self.counter_key = f"{prefix}:lock-tickets"
        self.max_poll_interval = max_poll_interval
        self._issue = self.red.register_script(_ISSUE)
        self._status = self.red.register_script(_STATUS)
        self._release = self.red.register_script(_RELEASE)
        self._snapshot = self.red.register_script(_SNAPSHOT)
        self._prune = self.red.register_script(_PRUNE)
        self._replace = self.red.register_script(_REPLACE)
        try:
            self.red.ping()
        except redis.RedisError as error:
            raise ConnectionException(
                f"Le lock store Redis ne répond pas ({type(error).__name__}: {error})."
            ) from error
        super().__init__()

    # --- keys -----------------------------------------------------------------------

    def key(self, conversation_id: str) -> str:
        """The Redis key of ``conversation_id``'s queue of tickets."""
        return f"{self.key_prefix}:lock:{conversation_id}"

    def _keys(self, conversation_id: str) -> list[str]:
        return [self.key(conversation_id), self.counter_key]

    # --- the atomic operations ----------------------------------------------------------

    def issue(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> tuple[int, int]:
        """Take a ticket: its number, and how many valid tickets are ahead of it."""
        lifetime_ms = max(1, round(lock_lifetime * 1000))
        try:
            number, ahead = self._issue(keys=self._keys(conversation_id), args=[lifetime_ms])
        except redis.RedisError as error:
            raise LockError(
                f"Could not issue a ticket for conversation '{conversation_id}': {error}"
            ) from error
        return int(number), int(ahead)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Issue a new ticket valid ``lock_lifetime`` seconds (one atomic step in Redis)."""
        return self.issue(conversation_id, lock_lifetime)[0]

    def tickets_ahead(self, conversation_id: str, ticket_number: int) -> int:
        """How many valid tickets are ahead of ``ticket_number`` (0: it holds the lock), -1 if it expired."""
        return int(self._status(keys=self._keys(conversation_id), args=[ticket_number]))

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Give ``ticket_number`` back (and delete the queue once empty), in one step."""
        self._release(keys=self._keys(conversation_id), args=[ticket_number])

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Give the ticket back; the queue disappears with its last ticket (same step)."""
        try:
            self.finish_serving(conversation_id, ticket_number)
        except redis.RedisError as error:
            # The ticket then expires on its own: the conversation waits at most its lifetime.
            logger.error(
                "Ticket %s de la conversation %s non rendu (%s) : il expirera de lui-même.",
                ticket_number,
                conversation_id,
                error,
            )

    def update_lock(self, conversation_id: str) -> None:
        """Drop the expired tickets."""
        self._prune(keys=self._keys(conversation_id))

    def is_someone_waiting(self, conversation_id: str) -> bool:
        """Whether any valid ticket remains for ``conversation_id``."""
        return int(self._prune(keys=self._keys(conversation_id))) > 0

    # --- Rasa's snapshot interface (read or replace the whole queue) ---------------------

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        """A copy of the valid tickets, expiries in this machine's clock (``None`` if none)."""
        now_ms, *flat = (int(value) for value in self._snapshot(keys=self._keys(conversation_id)))
        if not flat:
            return None
        offset = time.time() - now_ms / 1000
        tickets = sorted(
            (
                Ticket(number, expires / 1000 + offset)
                for number, expires in zip(flat[::2], flat[1::2], strict=True)
            ),
            key=lambda ticket: ticket.number,
        )
        return TicketLock(conversation_id, deque(tickets))

    def save_lock(self, lock: TicketLock) -> None:
        """Replace the queue with ``lock``'s tickets, in one step."""
        now = time.time()
        args: list[int] = []
        for ticket in lock.tickets:
            args += [int(ticket.number), max(0, round((ticket.expires - now) * 1000))]
        self._replace(keys=self._keys(lock.conversation_id), args=args)

    def delete_lock(self, conversation_id: str) -> None:
        """Delete the whole queue of ``conversation_id``."""
        self._log_deletion(conversation_id, bool(self.red.delete(self.key(conversation_id))))

    # --- what Rasa calls: ``async with lock_store.lock(conversation_id): ...`` ----------

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncGenerator[TicketLock, None]:
        """Hold ``conversation_id``'s lock for the block (at most ``lock_lifetime`` seconds).

        Waits its turn, polling every 2 ms at first, then less often, at most every
        ``wait_time_in_seconds`` and ``max_poll_interval``. Raises ``LockError`` if the
        ticket expires before its turn.
        """
        ticket, ahead = self.issue(conversation_id, lock_lifetime)
        try:
            yield await self._wait_for_turn(
                conversation_id, ticket, ahead, lock_lifetime, wait_time_in_seconds
            )
        finally:
            self.cleanup(conversation_id, ticket)

    async def _wait_for_turn(
        self,
        conversation_id: str,
        ticket: int,
        ahead: int,
        lock_lifetime: float,
        wait_time_in_seconds: float,
    ) -> TicketLock:
        ceiling = max(0.001, min(wait_time_in_seconds, self.max_poll_interval))
        delay = min(FIRST_POLL_INTERVAL, ceiling)
        while ahead > 0:
            logger.debug(
                "Conversation %s : %d message(s) avant le ticket %d, nouvel essai dans %.3f s.",
                conversation_id,
                ahead,
                ticket,
                delay,
            )
            await asyncio.sleep(delay)
            delay = min(delay * POLL_BACKOFF, ceiling)
            ahead = self.tickets_ahead(conversation_id, ticket)
        if ahead < 0:
            raise LockError(
                f"Could not acquire lock for conversation_id '{conversation_id}': "
                f"ticket {ticket} expired while waiting."
            )
        logger.debug("Acquired lock for conversation '%s' (ticket %d).", conversation_id, ticket)
        return TicketLock(conversation_id, deque([Ticket(ticket, time.time() + lock_lifetime)]))
