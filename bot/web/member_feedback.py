"""The widget's « Cette réponse vous a aidé ? »: when to ask it, and the member's answer.

After each turn, ``offer`` tells the widget whether to ask, and about which member
message (``bot.workbench.feedback.offered_message``): only after an answer to a real
question, never after a greeting, a menu, a misunderstanding or a hand-off. The
widget sends the choice to ``POST /chat/avis`` (``bot.web.routes.chat_feedback``).

Asking is a courtesy, never a condition: when the conversation store cannot be read,
the widget simply does not ask (the member's answer from Sésame is never held up).
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.workbench.feedback import offered_message

logger = logging.getLogger("bot.web.chat")


def offer(tracker: Engine, sender: str) -> dict[str, int] | None:
    """``{"message": <event id>}`` for the widget to ask about, or None (not after this turn)."""
    try:
        message = offered_message(tracker, sender)
    except SQLAlchemyError as exc:
        logger.warning("chat: conversation store unreadable, no feedback question (%s)", type(exc).__name__)
        return None
    return {"message": message} if message is not None else None
