"""The agents' audit log in the console, for supervisors: ``GET /conseiller/api/journal``.

Reading it is itself audited (with the filter used). Each line comes with its action
and details in French (``bot.agents.journal_words``) beside the stored codes.
Guards: ``bot.web.routes.console_pages``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from bot.agents import audit, journal_words
from bot.db.engine import session_scope
from bot.db.enums import AgentAction
from bot.web.deps import Config, PageApi, Supervisor, from_console_page
from bot.web.errors import CONSOLE_API_PREFIX
from bot.web.schemas.console import JournalLine

JOURNAL_LINES = 200

api = PageApi(CONSOLE_API_PREFIX, "console des conseillers", from_console_page)
router = api.router


@api.get("/journal", "Le journal des actions des conseillers (superviseurs)", list[JournalLine], (401, 403))
def journal(
    agent: Supervisor,
    config: Config,
    conseiller: Annotated[str | None, Query(max_length=64)] = None,
) -> list[JournalLine]:
    with session_scope(config.engine) as session:
        lines = audit.entries(session, actor=conseiller or None, limit=JOURNAL_LINES, newest_first=True)
        shown = []
        for line in lines:
            # Old lines named a conversation by its id (a member's credential): shown by reference only.
            detail = audit.shown_detail(line.detail, config.refs)
            shown.append(
                JournalLine(
                    date=line.created_at,
                    acteur=line.actor,
                    action=line.action,
                    libelle=journal_words.action_label(line.action),
                    detail_texte=journal_words.detail_text(detail),
                    adherent=line.nir_hash,
                    detail=detail,
                )
            )
        audit.record(session, agent.login, AgentAction.AUDIT_READ, filtre=conseiller or "")
        return shown
