"""What ``POST /chat/avis`` takes and answers (``bot.web.routes.chat_feedback``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# The widget's conversation id, the same shape as POST /chat accepts.
SENDER_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"


class FeedbackRequest(BaseModel):
    """The member's answer to « Cette réponse vous a aidé ? »."""

    model_config = ConfigDict(strict=True, extra="forbid")

    sender: str = Field(pattern=SENDER_PATTERN, description="L'identifiant de la conversation du widget.")
    message: int = Field(
        ge=1, description="Le message de l'adhérent dont la réponse est jugée (reçu de POST /chat)."
    )
    avis: Literal["oui", "non"] = Field(
        description="« oui » : la réponse a aidé ; « non » : elle n'a pas aidé."
    )


class FeedbackDone(BaseModel):
    merci: str = Field(description="Le remerciement, en français.")


class FeedbackRefused(BaseModel):
    error: str = Field(description="Une phrase en français.")
