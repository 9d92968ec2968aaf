"""The JSON bodies of the workbench's API (``/atelier/api``): what it reads and what it answers.

Field names are French: they are the API's, documented in its OpenAPI schema and
read by ``static/atelier.js``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.web.schemas.workbench_stories import StoryTurnView

# --- the trainer, the intents ---


class TrainerView(BaseModel):
    login: str
    nom: str
    role: Literal["conseiller", "superviseur", "formateur"]


class IntentLabel(BaseModel):
    intention: str
    libelle: str


# --- the review inbox ---


Reason = Literal[
    "fallback",
    "low_confidence",
    "handoff",
    "flagged",
    "rephrased",
    "denied",
    "agent_after",
    "not_helpful",
    "spot_check",
]
DecisionName = Literal["accepter", "deplacer", "hors_sujet", "ecarter"]


class InboxLine(BaseModel):
    conversation: str = Field(
        description="La référence de la conversation (« C7F3-K9QX-2M »), jamais son identifiant."
    )
    evenement: int
    date: dt.datetime
    texte: str = Field(description="Le message de l'adhérent, masqué (jamais un NIR ni un code).")
    intention: str | None
    libelle: str
    confiance: float | None
    raisons: list[str] = Field(description="Les raisons, en français.")
    codes_raisons: list[str]
    explications: list[str] = Field(
        description="Pourquoi le message est là, une phrase par raison (avec le message suivant de "
        "l'adhérent, masqué, quand il a reformulé, contesté ou demandé un conseiller)."
    )
    decision: str | None = Field(description="La décision déjà prise, en français ; null : à traiter.")


class InboxView(BaseModel):
    elements: list[InboxLine]
    total: int
    page: int
    pages: int


class DecisionAsked(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation: str = Field(
        min_length=1,
        max_length=32,
        description="La référence de la conversation, telle que la boîte la montre.",
    )
    evenement: int = Field(ge=1)
    decision: DecisionName
    intention: str | None = Field(
        default=None, max_length=100, description="Pour « deplacer » : le nom ou le libellé de l'intention."
    )


class DecisionDone(BaseModel):
    decision: str
    intention: str | None
    libelle: str | None
    fichier: str | None = Field(description="Le fichier de data/nlu/ où l'exemple a été ajouté.")
    deja_decide: bool
    message: str


# --- a new question, an existing one edited ---


class AnswerButton(BaseModel):
    model_config = ConfigDict(extra="forbid")

    titre: str = Field(max_length=80)
    intention: str = Field(max_length=100, description="L'intention que le bouton envoie (son nom).")


class NewQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    libelle: str = Field(min_length=1, max_length=120)
    exemples: str = Field(max_length=20_000, description="Un exemple par ligne (10 au moins).")
    controle: str = Field(
        max_length=20_000,
        description="Les phrases de contrôle, une par ligne : elles ne servent qu'à mesurer.",
    )
    reponse: str = Field(max_length=2000)
    boutons: list[AnswerButton] = Field(default_factory=list, max_length=6)
    theme: str = Field(max_length=40)
    digression: bool = False
    section: str | None = Field(
        default=None,
        max_length=12,
        description="Le numéro de la section du document d'aide à laquelle la question répond (« 3.3 »).",
    )


class FileChange(BaseModel):
    chemin: str
    diff: str = Field(description="Les lignes ajoutées (+) et retirées (-), format diff unifié.")


class Written(BaseModel):
    intention: str
    fichiers: list[FileChange]
    ecrit: bool = Field(description="false : un aperçu, rien n'est écrit.")
    message: str
    resume: list[str] = Field(
        default_factory=list,
        description="Ce que le changement apprend à Sésame, en français (les fichiers : « fichiers »).",
    )


class IntentView(BaseModel):
    intention: str
    libelle: str
    exemples: list[str]
    reponse: str | None = Field(description="null : la réponse est une action programmée.")
    boutons: list[AnswerButton]


class IntentEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ajouter: str = Field(default="", max_length=20_000, description="Exemples à ajouter, un par ligne.")
    retirer: list[str] = Field(default_factory=list, max_length=500)
    reponse: str | None = Field(default=None, max_length=2000)
    boutons: list[AnswerButton] | None = Field(default=None, max_length=6)


# --- check, report and model: background jobs ---


class JobView(BaseModel):
    numero: int
    etat: Literal["en_cours", "reussi", "echec"]
    lance_par: str
    lance_le: dt.datetime
    fini_le: dt.datetime | None
    etape: int
    etapes: int
    etape_libelle: str
    pourcentage: int
    message: str
    lignes: list[str]
    resultat: dict[str, Any] | None


class JobStatus(BaseModel):
    tache: JobView | None
    dernier_rapport: dict[str, Any] | None = None


class ModelsView(BaseModel):
    actif: str | None = Field(description="Le modèle qui répond aux adhérents.")
    precedent: str | None = Field(description="Celui d'avant : le retour en un clic.")
    retour: str = Field(description="Ce qui est vrai du retour au modèle précédent, en une phrase.")
    tache: JobView | None
    comparaison: dict[str, Any] | None = Field(
        default=None,
        description="La dernière comparaison d'un nouveau modèle avec le modèle en service "
        "(ensemble et par question, en français).",
    )
    candidat_refuse: str | None = Field(
        default=None,
        description="Le nouveau modèle refusé par la comparaison, qu'un superviseur peut mettre en service "
        "malgré tout avec une raison écrite.",
    )


class ModelForced(BaseModel):
    model_config = ConfigDict(extra="forbid")

    candidat: str = Field(max_length=64, description="Le modèle refusé (« sesame-20261208-101500.tar.gz »).")
    raison: str = Field(
        max_length=1000, description="Pourquoi le mettre en service malgré la comparaison (obligatoire)."
    )


# --- a real conversation saved as a test story ---


class StoryAsked(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation: str | None = Field(
        default=None, max_length=32, description="La référence d'une conversation (« C7F3-K9QX-2M »)."
    )
    prise_en_charge: int | None = Field(default=None, ge=1, description="Le numéro d'une prise en charge.")
    nom: str | None = Field(default=None, max_length=120, description="Le titre de l'histoire (facultatif).")


class StoryView(BaseModel):
    histoire: str = Field(
        description="Le fichier de test, au format des histoires de Rasa ; numéros masqués."
    )
    fichier: str
    ecrit: bool
    message: str
    notes: list[str] = Field(
        default_factory=list,
        description="Ce qui a été fait pour que l'histoire soit juste : salutation automatique laissée "
        "de côté, questions décidées dans la boîte de revue.",
    )
    avertissements: list[str] = Field(
        default_factory=list,
        description="Ce qui contredit une décision de la boîte de revue ou les données d'aujourd'hui.",
    )
    tours: list[StoryTurnView] = Field(default_factory=list, description="L'histoire passage par passage.")


# --- statistics ---


class Fact(BaseModel):
    libelle: str
    valeur: str


class IntentCount(BaseModel):
    intention: str
    libelle: str
    messages: int


class StatsView(BaseModel):
    depuis: dt.date
    chiffres: list[Fact]
    intentions: list[IntentCount]
    colonnes: list[str]
    jours: list[list[str]] = Field(description="Une ligne par jour, dans l'ordre de « colonnes ».")
