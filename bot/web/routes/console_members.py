"""A member's file in the console, and a new code asked for on the member's behalf.

``POST /conseiller/api/adherent`` checks the number the member reads out, finds the
member and shows their requests (``bot.agents.member_file``);
``POST /adherent/nouveau-code`` asks for a new code by the channel the agent chose
and confirmed, through the same service as the member's own request
(``bot.resets.service``), told from the same table (``bot.resets.wording``).
``POST /adherent/verifier-email`` says whether the address a caller reads out is the
one on file (``bot.agents.email_check``). All are audited under the agent's login,
refusals included. Guards:
``bot.web.routes.console_pages``.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.agents import audit
from bot.agents.email_check import DIFFERS, MATCHES, same_address
from bot.agents.lookup_limit import check_agent_lookups
from bot.agents.member_file import NirProblem, file_of, find_for_agent
from bot.db.engine import session_scope
from bot.db.enums import AgentAction, ResetChannel
from bot.db.models import Member, utcnow
from bot.resets.service import ByAgent, NoEmailOnFile, ask_for_new_code
from bot.resets.wording import NO_EMAIL_CODE, NO_EMAIL_ON_FILE, agent_words
from bot.rules import french_time
from bot.web.deps import AgentIdentity, Config, ConsoleError, PageApi, SignedIn, from_console_page
from bot.web.errors import CONSOLE_API_PREFIX
from bot.web.schemas.console import EmailCheck, EmailChecked, MemberView, NirQuery, ResetDone, ResetOnBehalf
from bot.web.state import WebConfig

NOT_CONFIRMED = "Confirmez l'envoi en nommant le canal choisi (e-mail ou courrier)."

CHANNEL_WORDS: dict[str, ResetChannel] = {"email": ResetChannel.EMAIL, "courrier": ResetChannel.LETTER}

api = PageApi(CONSOLE_API_PREFIX, "console des conseillers", from_console_page)
router = api.router


def _within_agent_limit(config: WebConfig, agent: AgentIdentity) -> None:
    """429 once the agent has opened AGENT_LOOKUPS_PER_HOUR files in the last hour.

    Checked in a unit of work of its own, so that the supervisors' alert it may write
    is kept although the request is refused.
    """
    now = utcnow()
    with session_scope(config.engine) as session:
        reached = check_agent_lookups(session, agent.login, config.settings.agent_lookups_per_hour, now)
    if reached is not None:
        seconds = max(1, int((reached.retry_at - now).total_seconds()))
        raise ConsoleError(
            429,
            f"Vous avez ouvert {reached.per_hour} dossiers en une heure : c'est la limite. "
            f"Prochain dossier possible {french_time.retry_when(reached.retry_at, now)} ; "
            "un superviseur en est informé.",
            headers={"Retry-After": str(seconds)},
        )


def _find(session: Session, nir: str, config: WebConfig) -> Member:
    """The member, or 422 with the precise reason (audited by ``_audit_refusal``)."""
    found = find_for_agent(session, nir, config.settings.nir_hash_key)
    if isinstance(found, NirProblem):
        raise ConsoleError(422, found.message, code=found.code, nir_hash=found.nir_hash)
    return found


def _audit_refusal(
    config: WebConfig, agent: AgentIdentity, action: AgentAction, refused: ConsoleError
) -> None:
    """A refused look-up is audited too, in its own unit of work (the request's was rolled back).

    An unknown member is recorded with the keyed hash of the number (a valid NIR), so
    that a supervisor sees which numbers an agent tried; a malformed number has none.
    """
    if refused.code:
        with session_scope(config.engine) as session:
            audit.record(session, agent.login, action, nir_hash=refused.nir_hash, resultat=refused.code)


@api.post("/adherent", "Le dossier d'un adhérent", MemberView, (400, 401, 403, 422, 429))
def member_file(body: NirQuery, agent: SignedIn, config: Config) -> MemberView:
    """Vérifie le numéro, retrouve l'adhérent et ses demandes de nouveau code. Journalisé ; au plus
    AGENT_LOOKUPS_PER_HOUR dossiers par conseiller et par heure.
    """
    _within_agent_limit(config, agent)
    try:
        with session_scope(config.engine) as session:
            member = _find(session, body.nir, config)
            file = file_of(session, member, full_email=agent.is_supervisor, now=utcnow())
            audit.record(
                session,
                agent.login,
                AgentAction.MEMBER_LOOKUP,
                nir_hash=member.nir_hash,
                resultat="trouve",
                email_complet=file.email_is_full,
            )
            return MemberView.of(file)
    except ConsoleError as refused:
        _audit_refusal(config, agent, AgentAction.MEMBER_LOOKUP, refused)
        raise


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
    _within_agent_limit(config, agent)
    try:
        with session_scope(config.engine) as session:
            member = _find(session, body.nir, config)
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
        _audit_refusal(config, agent, AgentAction.EMAIL_CHECKED, refused)
        raise


@api.post(
    "/adherent/nouveau-code", "Demander un nouveau code pour l'adhérent", ResetDone, (400, 401, 403, 422, 429)
)
def reset_on_behalf(body: ResetOnBehalf, agent: SignedIn, config: Config) -> ResetDone:
    """Par e-mail (adresse connue) ou par courrier, après confirmation nommant le canal. Mêmes limites
    et même file d'envoi que pour l'adhérent ; enregistré au nom du conseiller.
    """
    if body.confirmation.strip().lower() != body.canal:
        raise ConsoleError(400, NOT_CONFIRMED)
    by = ByAgent(agent.id, CHANNEL_WORDS[body.canal])
    _within_agent_limit(config, agent)
    try:
        with session_scope(config.engine) as session:
            member = _find(session, body.nir, config)
            now = utcnow()
            outcome = ask_for_new_code(session, member, by, now, config.settings.reset_requests_per_minute)
            if isinstance(outcome, NoEmailOnFile):
                raise ConsoleError(422, NO_EMAIL_ON_FILE, code=NO_EMAIL_CODE)
            code, message = agent_words(outcome, now)
            audit.record(
                session,
                agent.login,
                AgentAction.RESET_ON_BEHALF,
                nir_hash=member.nir_hash,
                canal=body.canal,
                resultat=code,
            )
            session.flush()
            file = file_of(session, member, full_email=agent.is_supervisor, now=now)
            return ResetDone(resultat=code, message=message, dossier=MemberView.of(file))
    except ConsoleError as refused:
        _audit_refusal(config, agent, AgentAction.RESET_ON_BEHALF, refused)
        raise
