"""The workbench's test stories, apart from HTTP: a conversation saved as a story, the saved ones
listed, edited and deleted (routes: ``bot.web.routes.workbench_stories``).

Every story is checked against the trainers' decisions and today's data
(``bot.workbench.stories.honesty_of``): a preview uses the intents decided in the review
inbox, and says in French what still contradicts them. A refusal is a ``ConsoleError``
(French message, HTTP status); every change is audited with the trainer's login.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.db.engine import session_scope
from bot.web.deps import AgentIdentity, ConsoleError
from bot.web.schemas.workbench import StoryAsked, StoryView
from bot.web.schemas.workbench_stories import (
    SavedStoriesView,
    SavedStoryView,
    StoryDeleted,
    StoryEdit,
    StoryEdited,
    StoryTurnView,
)
from bot.web.state import WebConfig
from bot.web.workbench_deps import Workbench
from bot.workbench.saved_stories import (
    SavedStory,
    StoryMissing,
    delete_saved,
    edit_saved,
    saved_stories,
    story_of_text,
)
from bot.workbench.stories import (
    Honesty,
    StoryError,
    honesty_of,
    next_story_path,
    save_story,
    story_from_conversation,
    story_from_handoff,
)
from bot.workbench.story_steps import response_texts
from bot.workbench.tracker import conversation_named

NO_SOURCE = "Indiquez la référence d'une conversation ou le numéro d'une prise en charge."
UNKNOWN_REFERENCE = (
    "Aucune conversation enregistrée n'a cette référence (10 caractères, par exemple C7F3-K9QX-2M)."
)
PREVIEW_ONLY = "Aperçu : rien n'est encore écrit."
# What a trainer does next: the workbench's own button, never a command.
REPLAYED = "« Produire le rapport » (page « Vérifier et mesurer ») la rejouera."
DELETED = "Histoire de test supprimée : les rapports ne la rejoueront plus."
BOT_ACTION = "(Sésame agit : vérification, démarche ou passage à un conseiller)"


def _honesty(session: Session, bench: Workbench, conversation_id: str = "") -> Honesty:
    return honesty_of(session, bench.root, dict(bench.registry().staff_labels), conversation_id)


def story(
    body: StoryAsked, agent: AgentIdentity, config: WebConfig, bench: Workbench, write: bool
) -> StoryView:
    """A conversation or a handoff as a test story (numbers masked); ``write=False``: its preview."""
    if not body.conversation and body.prise_en_charge is None:
        raise ConsoleError(422, NO_SOURCE)
    title = " ".join((body.nom or "").split()) or None
    try:
        with session_scope(config.engine) as session:
            if body.conversation:
                conversation_id = conversation_named(bench.tracker, config.refs, body.conversation)
                if conversation_id is None:
                    raise StoryError(UNKNOWN_REFERENCE)
                made = story_from_conversation(
                    bench.tracker, conversation_id, title, _honesty(session, bench, conversation_id)
                )
            else:
                assert body.prise_en_charge is not None  # noqa: S101 - checked above
                made = story_from_handoff(
                    session,
                    bench.tracker,
                    body.prise_en_charge,
                    title,
                    lambda conversation_id: _honesty(session, bench, conversation_id),
                )
            if not write:
                path = next_story_path(bench.root)
                return StoryView(
                    histoire=made.text,
                    fichier=path.relative_to(bench.root).as_posix(),
                    ecrit=False,
                    message=PREVIEW_ONLY,
                    notes=made.notes,
                    avertissements=made.warnings,
                    tours=_turns(made.text, bench),
                )
            path = save_story(made.text, reviewer=agent.login, root=bench.root, session=session)
    except StoryError as error:
        raise ConsoleError(422, str(error)) from None
    written = path.relative_to(bench.root).as_posix()
    return StoryView(
        histoire=made.text,
        fichier=written,
        ecrit=True,
        message=f"Histoire de test enregistrée : {REPLAYED}",
        notes=made.notes,
        avertissements=made.warnings,
        tours=_turns(made.text, bench),
    )


def _turns(text: str, bench: Workbench) -> list[StoryTurnView]:
    """A story just made, turn by turn in French (its warnings are the ``MadeStory``'s)."""
    labels = dict(bench.registry().staff_labels)
    story = story_of_text(text, "apercu.yml", Honesty(labels=labels))
    return _view(story, Honesty(labels=labels), response_texts(bench.root)).tours


def _view(story: SavedStory, honesty: Honesty, said: dict[str, str]) -> SavedStoryView:
    def reply(step: dict[str, object]) -> str | None:
        if "bot" in step:
            return str(step["bot"])
        action = str(step.get("action") or "")
        if not action:
            return None
        return said.get(action) or BOT_ACTION

    turns = []
    for number, turn in enumerate(story.turns, start=1):
        replies = [r for r in (reply(s) for s in turn.after) if r]
        turns.append(
            StoryTurnView(
                numero=number,
                texte=turn.text,
                intention=turn.intent,
                libelle=honesty.label(turn.intent) if turn.intent else "—",
                reponses=list(dict.fromkeys(replies)),
            )
        )
    return SavedStoryView(
        fichier=story.file.rsplit("/", 1)[-1],
        titre=story.title,
        tours=turns,
        avertissements=story.warnings,
        histoire=story.text if story.turns else "",
    )


def saved_view(config: WebConfig, bench: Workbench) -> SavedStoriesView:
    with session_scope(config.engine) as session:
        honesty = _honesty(session, bench)
    said = response_texts(bench.root)
    return SavedStoriesView(histoires=[_view(s, honesty, said) for s in saved_stories(bench.root, honesty)])


def _refused(error: StoryError) -> ConsoleError:
    return ConsoleError(404 if isinstance(error, StoryMissing) else 422, str(error))


def edit(
    name: str, body: StoryEdit, agent: AgentIdentity, config: WebConfig, bench: Workbench
) -> StoryEdited:
    """A turn removed, another question chosen for a turn; audited."""
    try:
        with session_scope(config.engine) as session:
            honesty = _honesty(session, bench)
            story, done = edit_saved(
                bench.root,
                name,
                remove=set(body.retirer),
                intents={c.numero: c.intention for c in body.changer},
                reviewer=agent.login,
                honesty=honesty,
                session=session,
            )
    except StoryError as error:
        raise _refused(error) from None
    return StoryEdited(
        histoire=_view(story, honesty, response_texts(bench.root)),
        message="Histoire modifiée. " + " ".join(done),
    )


def delete(name: str, agent: AgentIdentity, config: WebConfig, bench: Workbench) -> StoryDeleted:
    """The saved story deleted; audited."""
    try:
        with session_scope(config.engine) as session:
            delete_saved(bench.root, name, reviewer=agent.login, session=session)
    except StoryError as error:
        raise _refused(error) from None
    return StoryDeleted(fichier=name, message=DELETED)
