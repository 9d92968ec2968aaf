"""The bodies of the agents' console API (``/conseiller/api``): the agent, the assistant,
a member's file, a reset on the member's behalf, the audit log.

The hand-off queue's bodies are in ``bot.web.schemas.console_queue``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.agents.assistant import AgentAnswer
from bot.agents.member_file import MemberFile
from bot.resets.wording import OutcomeCode

MAX_QUESTION_CHARS = 2000


class Me(BaseModel):
    login: str
    nom: str
    role: Literal["conseiller", "superviseur", "formateur"]


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        min_length=1, max_length=MAX_QUESTION_CHARS, description="La question de l'adhérent."
    )


class IntentChoice(BaseModel):
    intention: str
    libelle: str
    confiance: float = Field(description="Entre 0 et 1.")


class Answer(BaseModel):
    intention: str
    libelle: str
    a_dire: str | None = Field(description="« À dire à l'adhérent » : la réponse de Sésame aux adhérents.")
    etapes: list[str] = Field(description="La version détaillée, une étape par ligne.")
    a_faire: str | None = Field(description="Ce que le conseiller peut faire dans la console.")
    document_aide: bool

    @classmethod
    def of(cls, answer: AgentAnswer) -> Answer:
        return cls(
            intention=answer.intent,
            libelle=answer.label,
            a_dire=answer.say,
            etapes=list(answer.steps),
            a_faire=answer.to_do,
            document_aide=answer.in_help_document,
        )


class AssistantReply(BaseModel):
    intentions: list[IntentChoice] = Field(description="Les 3 intentions les plus probables.")
    reponse: Answer
    autre_reponse: Answer | None = Field(
        default=None,
        description=(
            "La réponse de la 2e intention quand les deux sont proches (ASSISTANT_CLOSE_CALL_POINTS) : "
            "à afficher côte à côte. null : la première l'emporte nettement."
        ),
    )


class NirQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nir: str = Field(
        min_length=1, max_length=64, description="Le numéro de Sécurité sociale lu par l'adhérent."
    )


class RequestView(BaseModel):
    demande: str = Field(description="Quand, en toutes lettres.")
    demande_le: dt.datetime
    canal: Literal["email", "letter"]
    par_conseiller: str | None
    etat: str
    code_etat: str
    arrivee_au_plus_tard: dt.date | None


class MemberView(BaseModel):
    nom: str
    ville: str
    email: str | None = Field(description="Masqué ; en entier pour un superviseur. null : pas d'e-mail.")
    email_complet: bool
    demandes: list[RequestView]
    demandes_restantes_24h: int
    prochaine_demande_possible: dt.datetime | None
    suggestion: str

    @classmethod
    def of(cls, file: MemberFile) -> MemberView:
        return cls(
            nom=file.name,
            ville=file.city,
            email=file.email_shown,
            email_complet=file.email_is_full,
            demandes=[
                RequestView(
                    demande=line.requested,
                    demande_le=line.requested_at,
                    canal=line.channel.value,
                    par_conseiller=line.by_agent,
                    etat=line.state,
                    code_etat=line.state_code,
                    arrivee_au_plus_tard=line.expected_by,
                )
                for line in file.requests
            ],
            demandes_restantes_24h=file.remaining_today,
            prochaine_demande_possible=file.next_request_possible_at,
            suggestion=file.suggestion,
        )


class EmailCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nir: str = Field(min_length=1, max_length=64)
    email: str = Field(
        min_length=1, max_length=254, description="L'adresse que l'appelant lit. Ni conservée ni journalisée."
    )


class EmailChecked(BaseModel):
    correspond: bool
    message: str


class ResetOnBehalf(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nir: str = Field(min_length=1, max_length=64)
    canal: Literal["email", "courrier"]
    confirmation: str = Field(
        max_length=20,
        description="Le canal, répété : la console le demande au conseiller avant d'envoyer.",
    )


class ResetForHandoff(BaseModel):
    """A new code for the member of a hand-off: no number, the server knows whose file it is."""

    model_config = ConfigDict(extra="forbid")

    canal: Literal["email", "courrier"]
    confirmation: str = Field(
        max_length=20,
        description="Le canal, répété : la console le demande au conseiller avant d'envoyer.",
    )


class ResetDone(BaseModel):
    resultat: OutcomeCode
    message: str
    dossier: MemberView


class JournalLine(BaseModel):
    date: dt.datetime
    acteur: str
    action: str = Field(description="Le code de l'action (member_lookup…), tel qu'enregistré.")
    libelle: str = Field(description="L'action en français (« Dossier d'adhérent consulté »).")
    detail_texte: str = Field(description="Le détail en français, codes traduits (bot.agents.journal_words).")
    adherent: str | None = Field(description="Empreinte du numéro (jamais le numéro).")
    detail: dict[str, Any]
