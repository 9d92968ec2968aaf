"""The bodies of the console's hand-off queue API (``/conseiller/api/file``, ``/prises-en-charge``)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.handoffs import queue


class QueueItem(BaseModel):
    id: int
    type: Literal["discussion", "rappel"]
    etat: str
    attente_secondes: int
    depuis: str = Field(description="« il y a 3 min »")
    motif: Literal["demande", "incomprehension"]
    resume: str
    conseiller: str | None
    a_moi: bool
    telephone: str | None = Field(description="Le numéro à rappeler (rappels seulement).")
    creneau: str | None = Field(description="Le moment du rappel, dans les mots de l'adhérent.")
    fenetre: str | None = Field(
        description=(
            "Ce moment lu en heure de Paris (« aujourd'hui entre 16 h 30 et 17 h 30 ») ; "
            "null : à tout moment, ou pas un rappel."
        )
    )


class QueueView(BaseModel):
    disponible: bool
    conseillers_disponibles: int
    en_attente: int = Field(description="Discussions et rappels qui attendent un conseiller.")
    elements: list[QueueItem]
    presence_secondes: int = Field(
        default=60,
        description="AGENT_PRESENCE_SECONDS : la console relit la file au moins trois fois dans ce délai, "
        "sinon le conseiller n'est plus compté disponible.",
    )
    absence: bool = Field(
        default=False,
        description="La console était fermée plus longtemps que ce délai : "
        "« disponible » vient d'être retiré.",
    )


class Availability(BaseModel):
    model_config = ConfigDict(extra="forbid")

    disponible: bool


class Line(BaseModel):
    id: int
    qui: Literal["adherent", "conseiller", "sesame"]
    texte: str
    date: dt.datetime


class HandoffDetail(BaseModel):
    element: QueueItem
    reference: str | None = Field(
        default=None,
        description="La référence de la conversation (« C7F3-K9QX-2M »), à donner aux formateurs ; "
        "jamais son identifiant, qui est le sésame du chat de l'adhérent.",
    )
    transcription: list[dict[str, str]] = Field(description="La conversation avec Sésame, numéros masqués.")
    messages: list[Line] = Field(description="Les messages de la prise en charge après « apres ».")
    adherent_verifie: bool = Field(
        default=False,
        description="Le numéro de l'adhérent a été vérifié dans la conversation : son dossier s'ouvre "
        "depuis la prise en charge (POST …/adherent), sans le numéro.",
    )


class Said(BaseModel):
    model_config = ConfigDict(extra="forbid")

    texte: str = Field(min_length=1, max_length=queue.MAX_MESSAGE_CHARS)


class Transfer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conseiller: str = Field(
        min_length=1, max_length=64, description="L'identifiant du conseiller qui reprend."
    )


class CallbackOutcome(BaseModel):
    model_config = ConfigDict(extra="forbid")

    joint: bool = Field(description="true : l'adhérent a été rappelé ; false : injoignable.")


class Colleague(BaseModel):
    login: str
    nom: str
    disponible: bool


class Flag(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(
        default="", max_length=500, description="Pourquoi (facultatif) ; masquée comme une conversation."
    )


class Flagged(BaseModel):
    message: str
