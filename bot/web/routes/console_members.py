"""A member's file in the console, and a new code asked for on the member's behalf.

``POST /conseiller/api/adherent`` checks the number the member reads out, finds the
member and shows their requests (``bot.agents.member_file``);
``POST /adherent/nouveau-code`` asks for a new code by the channel the agent chose
and confirmed, through the same service as the member's own request
(``bot.resets.service``), told from the same table (``bot.resets.wording``).
Both are audited under the agent's login, refusals included, and share their limits
with the same file opened from a hand-off (``bot.web.member_file_flow``).
``POST /adherent/verifier-email`` says whether the address a caller reads out is the
one on file (``bot.agents.email_check``), audited and counted the same way. Guards:
``bot.web.routes.console_pages``.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.agents import audit
from bot.agents.email_check import DIFFERS, MATCHES, same_address
from bot.agents.member_file import NirProblem, find_for_agent
from bot.db.engine import session_scope
from bot.db.enums import AgentAction
from bot.db.models import Member
from bot.resets.wording import NO_EMAIL_CODE, NO_EMAIL_ON_FILE
from bot.web.deps import Config, ConsoleError, PageApi, SignedIn, from_console_page
from bot.web.errors import CONSOLE_API_PREFIX
from bot.web.member_file_flow import NOT_CONFIRMED as NOT_CONFIRMED
from bot.web.member_file_flow import (
    FindMember,
    audit_refusal,
    open_member_file,
    send_new_code,
    within_agent_limit,
)
from bot.web.schemas.console import EmailCheck, EmailChecked, MemberView, NirQuery, ResetDone, ResetOnBehalf
from bot.web.state import WebConfig

api = PageApi(CONSOLE_API_PREFIX, "console des conseillers", from_console_page)
router = api.router


def _by_number(nir: str, config: WebConfig) -> FindMember:
    """The member with the number read out, or 422 with the precise reason (audited by the flow)."""

    def find(session: Session) -> Member:
        found = find_for_agent(session, nir, config.settings.nir_hash_key)
        if isinstance(found, NirProblem):
            raise ConsoleError(422, found.message, code=found.code, nir_hash=found.nir_hash)
        return found

    return find


@api.post("/adherent", "Le dossier d'un adhérent", MemberView, (400, 401, 403, 422, 429))
def member_file(body: NirQuery, agent: SignedIn, config: Config) -> MemberView:
    """Vérifie le numéro, retrouve l'adhérent et ses demandes de nouveau code. Journalisé ; au plus
    AGENT_LOOKUPS_PER_HOUR dossiers par conseiller et par heure.
    """
    return open_member_file(config, agent, _by_number(body.nir, config))


EMAIL_MATCHES = "C'est bien l'adresse e-mail connue d'ACS pour cet adhérent."
EMAIL_DIFFERS = (
    "Ce n'est pas l'adresse e-mail connue d'ACS pour cet adhérent. Faites-la épeler ; "
    "si elle a changé, le nouveau code partira vers l'ancienne adresse : proposez plutôt le courrier."
)


@api.post(
    "/adherent/verifier-email",
    "Vérifier l'adresse e-mail que lit l'appelant",
    EmailChecked,
    (400, 401, 403, 422, 429),
)
def check_email(body: EmailCheck, agent: SignedIn, config: Config) -> EmailChecked:
    """Dit seulement si l'adresse lue est celle du dossier (l'adresse n'est jamais envoyée en entier
    à un conseiller). Journalisé, sans l'adresse ; compté avec les dossiers ouverts.
    """
    within_agent_limit(config, agent)
    try:
        with session_scope(config.engine) as session:
            member = _by_number(body.nir, config)(session)
            if not member.email:
                raise ConsoleError(422, NO_EMAIL_ON_FILE, code=NO_EMAIL_CODE)
            matches = same_address(member.email, body.email)
            audit.record(
                session,
                agent.login,
                AgentAction.EMAIL_CHECKED,
                nir_hash=member.nir_hash,
                resultat=MATCHES if matches else DIFFERS,
            )
            return EmailChecked(correspond=matches, message=EMAIL_MATCHES if matches else EMAIL_DIFFERS)
    except ConsoleError as refused:
        audit_refusal(config, agent, AgentAction.EMAIL_CHECKED, refused)
        raise


@api.post(
    "/adherent/nouveau-code", "Demander un nouveau code pour l'adhérent", ResetDone, (400, 401, 403, 422, 429)
)
def reset_on_behalf(body: ResetOnBehalf, agent: SignedIn, config: Config) -> ResetDone:
    """Par e-mail (adresse connue) ou par courrier, après confirmation nommant le canal. Mêmes limites
    et même file d'envoi que pour l'adhérent ; enregistré au nom du conseiller.
    """
    return send_new_code(config, agent, _by_number(body.nir, config), body.canal, body.confirmation)
