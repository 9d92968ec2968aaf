"""Faults of one turn said to the member, never silence, and never a silent memory store.

Rasa 3.6, left alone, handles the production faults of issue #14 badly:

- the action server down: ``RemoteAction.run`` raises, the processor logs it and goes on
  without the action's events; the member gets nothing, or half an answer;
- the conversation store (PostgreSQL) down: ``FailSafeTrackerStore`` logs an error, then
  *retrieves nothing* (the conversation restarts from zero) and *saves into memory*
  (the turn is lost when the replica stops, and other replicas never see it);
- any exception of a turn: the REST channel logs the member's message in clear (a NIR
  maybe) and answers 200 with whatever was collected so far.

What this module does instead, for each REST request (``rasa_addons.channels``):

- every tracker-store failure is logged at CRITICAL and raised, so the turn fails as a
  whole; nothing goes to memory (``LoudTrackerStore`` replaces ``FailSafeTrackerStore``);
- a turn that fails (store, lock store, anything) answers 503 with a French error: the
  web tier tells the member « momentanément indisponible » and the widget keeps the
  message and sends it again (``bot.web.rasa.RasaUnavailable``). The message was not
  stored (Rasa saves a turn at its end), so sending it again loses and repeats nothing;
- a turn during which the action server could not be reached ends with
  ``ACTION_SERVER_DOWN_TEXT`` after whatever the bot managed to say.

The state of a turn lives in a ``TurnProblems`` object put in a context variable when
the request starts; code deeper in the same request (also in tasks it starts, which
copy the context) marks it. Installed by ``python -m rasa_addons`` on Rasa 3.6.21 only.
"""

from __future__ import annotations

import contextvars
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.agent import Agent
from rasa.core.tracker_store import FailSafeTrackerStore, TrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

ACTION_SERVER_DOWN_TEXT = (
    "Désolé, une partie de Sésame est momentanément indisponible : je ne peux pas traiter "
    "cette demande pour l'instant. Réessayez dans quelques minutes."
)
TURN_FAILED_TEXT = (
    "Sésame est momentanément indisponible : votre message n'a pas été traité. "
    "Il sera renvoyé automatiquement."
)


@dataclass
class TurnProblems:
    """What went wrong during one member's turn (one REST request)."""

    action_server_down: bool = False
    failed: bool = False
    # Whether the action server was called: only its actions open hand-offs, so the web
    # tier looks for one only after such a turn (``rasa_addons.channels.ACTIONS_HEADER``).
    actions_called: bool = False


_CURRENT: contextvars.ContextVar[TurnProblems | None] = contextvars.ContextVar(
    "sesame_turn_problems", default=None
)


def start_turn() -> TurnProblems:
    """A fresh record for the request that starts now (in its own context)."""
    problems = TurnProblems()
    _CURRENT.set(problems)
    return problems


def current_turn() -> TurnProblems | None:
    return _CURRENT.get()


def with_contact(text: str) -> str:
    """``text``, plus how to reach ACS when the operator set it (never invented)."""
    phone = os.environ.get("ACS_CONTACT_PHONE", "").strip()
    hours = os.environ.get("ACS_CONTACT_HOURS", "").strip()
    if not phone:
        return text
    return f"{text} Vous pouvez aussi appeler ACS au {phone}" + (f" ({hours})." if hours else ".")


class TrackerStoreFailed(RuntimeError):
    """The conversation store failed during a turn; the turn fails with it."""


class LoudTrackerStore(FailSafeTrackerStore):
    """Rasa's fail-safe wrapper, minus the fallback: a failure is logged loudly and raised."""

    def _fail(self, operation: str, error: Exception) -> TrackerStoreFailed:
        # The error's text may hold the database URL (user, host), never a member's data.
        logger.critical(
            "TRACKER STORE FAILURE during %s (%s): the turn fails, nothing is kept in memory. "
            "Base des conversations injoignable : les messages des adhérents sont refusés (503) "
            "jusqu'à son retour.",
            operation,
            type(error).__name__,
        )
        turn = current_turn()
        if turn is not None:
            turn.failed = True
        return TrackerStoreFailed(f"{operation}: {type(error).__name__}")

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        try:
            return await self._tracker_store.retrieve(sender_id)
        except Exception as error:
            raise self._fail("retrieve", error) from error

    async def retrieve_full_tracker(self, sender_id: str) -> DialogueStateTracker | None:
        try:
            return await self._tracker_store.retrieve_full_tracker(sender_id)
        except Exception as error:
            raise self._fail("retrieve_full_tracker", error) from error

    async def keys(self) -> Iterable[str]:
        try:
            keys: Iterable[str] = await self._tracker_store.keys()
            return keys
        except Exception as error:
            raise self._fail("keys", error) from error

    async def save(self, tracker: DialogueStateTracker) -> None:
        try:
            await self._tracker_store.save(tracker)
        except Exception as error:
            raise self._fail("save", error) from error


_ORIGINAL_CREATE = Agent._create_tracker_store
_ORIGINAL_REMOTE_RUN = RemoteAction.run


def _create_tracker_store(store: TrackerStore | None, domain: Any) -> TrackerStore:
    wrapped = _ORIGINAL_CREATE(store, domain)
    if isinstance(wrapped, FailSafeTrackerStore) and not isinstance(wrapped, LoudTrackerStore):
        return LoudTrackerStore(wrapped._tracker_store)
    return wrapped


async def _remote_run(self: RemoteAction, *args: Any, **kwargs: Any) -> Any:
    turn = current_turn()
    if turn is not None:
        turn.actions_called = True
    try:
        return await _ORIGINAL_REMOTE_RUN(self, *args, **kwargs)
    except ActionExecutionRejection:  # a form refusing a value: the normal flow
        raise
    except Exception:
        turn = current_turn()
        if turn is not None:
            turn.action_server_down = True
        logger.error("action server unreachable or failing while running %s", self.name())
        raise


def install() -> None:
    Agent._create_tracker_store = staticmethod(_create_tracker_store)
    RemoteAction.run = _remote_run


def uninstall() -> None:
    Agent._create_tracker_store = staticmethod(_ORIGINAL_CREATE)
    RemoteAction.run = _ORIGINAL_REMOTE_RUN
