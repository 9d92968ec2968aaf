"""The JSON bodies of the workbench's saved test stories (``/atelier/api/histoires``): listed
turn by turn in French, edited (a turn removed, another question chosen), deleted.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class StoryTurnView(BaseModel):
    numero: int = Field(description="Le numéro du passage, à partir de 1.")
    texte: str = Field(description="Le message de l'adhérent, masqué.")
    intention: str | None
    libelle: str = Field(description="La question attendue, par son libellé français.")
    reponses: list[str] = Field(description="Ce que Sésame répond ensuite, en français.")


class SavedStoryView(BaseModel):
    fichier: str = Field(description="Le nom du fichier dans tests/stories/.")
    titre: str
    tours: list[StoryTurnView]
    avertissements: list[str] = Field(
        description="Ce qui contredit une décision de la boîte de revue ou les données d'aujourd'hui."
    )
    histoire: str = Field(description="Le fichier de test, au format des histoires de Rasa.")


class SavedStoriesView(BaseModel):
    histoires: list[SavedStoryView]


class TurnIntent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    numero: int = Field(ge=1, le=1000)
    intention: str = Field(min_length=1, max_length=80)


class StoryEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    retirer: list[int] = Field(default_factory=list, max_length=1000, description="Les passages à retirer.")
    changer: list[TurnIntent] = Field(
        default_factory=list, max_length=1000, description="Les passages dont la question change."
    )


class StoryEdited(BaseModel):
    histoire: SavedStoryView
    message: str


class StoryDeleted(BaseModel):
    fichier: str
    message: str
