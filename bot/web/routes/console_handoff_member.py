"""Act for the member of a hand-off: open their file and send a new code, without their number.

When the conversation checked the member's NIR, the hand-off keeps the member's keyed
hash (``Handoff.member_ref``); the agent who may read the hand-off
(``bot.handoffs.access.may_read``: the chat they hold, a waiting call-back, anything
for a superviseur) opens « Dossier de l'adhérent » by the hand-off's id. The hash
stays on the server: the console never sends or receives a number, and the answer
is the same file as by number, with the same limits and audit
(``bot.web.member_file_flow``), each audit line naming the hand-off. Anything the
agent may not read answers 404, like an unknown id (audited, without a member).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.agents.member_file import NirProblem, find_for_handoff
from bot.db.models import Handoff, Member
from bot.handoffs import access
from bot.web.deps import AgentIdentity, Config, ConsoleError, PageApi, SignedIn, from_console_page
from bot.web.errors import CONSOLE_API_PREFIX
from bot.web.member_file_flow import FindMember, open_member_file, send_new_code
from bot.web.schemas.console import MemberView, ResetDone, ResetForHandoff

api = PageApi(CONSOLE_API_PREFIX, "console des conseillers", from_console_page)
router = api.router

# The audit line of a hand-off the agent may not read (or that does not exist): no member reached.
NOT_YOURS_CODE = "prise_en_charge_introuvable"


def _by_handoff(handoff_id: int, agent: AgentIdentity) -> FindMember:
    """The member the hand-off's conversation checked; 404 if the agent may not read it, 422 if none."""

    def find(session: Session) -> Member:
        handoff = session.get(Handoff, handoff_id)
        if handoff is None or not access.may_read(handoff, agent.id, agent.is_supervisor):
            raise ConsoleError(404, access.NOT_YOURS, code=NOT_YOURS_CODE)
        found = find_for_handoff(session, handoff)
        if isinstance(found, NirProblem):
            raise ConsoleError(422, found.message, code=found.code, nir_hash=found.nir_hash)
        return found

    return find


@api.post(
    "/prises-en-charge/{handoff_id}/adherent",
    "Le dossier de l'adhérent de la prise en charge",
    MemberView,
    (401, 403, 404, 422, 429),
)
def handoff_member_file(handoff_id: int, agent: SignedIn, config: Config) -> MemberView:
    """Le dossier de l'adhérent dont le numéro a été vérifié dans la conversation, sans ce numéro.
    Réservé à qui peut lire la prise en charge ; journalisé et compté comme un dossier ouvert par numéro.
    """
    return open_member_file(config, agent, _by_handoff(handoff_id, agent), handoff_id=handoff_id)


@api.post(
    "/prises-en-charge/{handoff_id}/adherent/nouveau-code",
    "Demander un nouveau code pour l'adhérent de la prise en charge",
    ResetDone,
    (400, 401, 403, 404, 422, 429),
)
def handoff_reset(handoff_id: int, body: ResetForHandoff, agent: SignedIn, config: Config) -> ResetDone:
    """Par e-mail ou par courrier, après confirmation nommant le canal. Mêmes limites, même file d'envoi
    et même journal que depuis le dossier ouvert par numéro.
    """
    return send_new_code(
        config,
        agent,
        _by_handoff(handoff_id, agent),
        body.canal,
        body.confirmation,
        handoff_id=handoff_id,
    )
