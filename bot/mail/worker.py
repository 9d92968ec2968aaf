"""The delivery worker: passes over the outbox, sending each due email once.

A pass claims one email at a time (``bot.mail.outbox``), composes it
(``bot.mail.compose``) and hands it to SMTP (``bot.mail.smtp``). When the SMTP
server cannot be reached the pass stops and nothing is lost: the email goes back
to the queue, uncounted.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from bot.db.engine import session_scope
from bot.db.models import utcnow
from bot.mail.compose import compose_reset_email, reset_url
from bot.mail.outbox import FailureOutcome, claim_next, mark_sent, reclaim_stale, record_failure
from bot.mail.smtp import SmtpConnection, SmtpUnavailable, describe_error
from bot.settings import Settings

logger = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    """What one pass over the outbox did."""

    sent: int = 0
    postponed: int = 0
    failed: int = 0
    reclaimed: int = 0
    smtp_unavailable: bool = False


def deliver_due(
    engine: Engine, settings: Settings, now: dt.datetime | None = None, *, stop: threading.Event | None = None
) -> DeliveryReport:
    """Send every email that is due, each once; ``now`` fixes the clock (tests).

    If the SMTP server cannot be reached the pass stops after the first email
    (rescheduled with a backoff): the others stay pending, untouched, for the next pass.
    """
    if now is not None and now.tzinfo is None:
        raise ValueError("naive datetime: use timezone-aware UTC datetimes")

    def clock() -> dt.datetime:
        return now if now is not None else utcnow()

    ttl = settings.reset_token_ttl_minutes
    report = DeliveryReport(reclaimed=reclaim_stale(engine, clock()))
    connection = SmtpConnection(settings)
    try:
        while stop is None or not stop.is_set():
            with session_scope(engine) as session:
                claim = claim_next(session, clock(), ttl)
            if claim is None:
                break
            try:
                message = compose_reset_email(
                    claim.first_name,
                    claim.to_address,
                    reset_url(settings, claim.token),
                    ttl,
                    settings.mail_from,
                )
                connection.send(message)
            except Exception as exc:
                cause = exc.cause if isinstance(exc, SmtpUnavailable) else exc
                outcome = record_failure(
                    engine, claim, cause, clock(), server_unreachable=isinstance(exc, SmtpUnavailable)
                )
                logger.warning(
                    "E-mail n°%s non envoyé (%s) : %s.",
                    claim.outbox_id,
                    describe_error(cause),
                    "abandonné" if outcome == FailureOutcome.FAILED else "nouvel essai plus tard",
                )
                if outcome == FailureOutcome.FAILED:
                    report.failed += 1
                elif outcome == FailureOutcome.POSTPONED:
                    report.postponed += 1
                if isinstance(exc, SmtpUnavailable):
                    report.smtp_unavailable = True
                    break
                continue
            if mark_sent(engine, claim, clock()):
                report.sent += 1
                logger.info("E-mail de réinitialisation n°%s envoyé.", claim.outbox_id)
            else:
                logger.warning(
                    "E-mail n°%s envoyé après la fin de son bail : il a pu partir deux fois.", claim.outbox_id
                )
    finally:
        connection.close()
    return report


def run_worker(
    engine: Engine,
    settings: Settings,
    stop_event: threading.Event,
    poll_seconds: float = 5.0,
    housekeeping: Callable[[], object] | None = None,
) -> None:
    """Pass over the outbox every ``poll_seconds`` until ``stop_event`` is set.

    A failed pass (database unreachable…) is logged and retried at the next tick:
    the worker itself never dies of it. ``housekeeping`` is called after each pass
    (the retention purge, which decides itself when it is due and never raises).
    """
    logger.info("Worker d'envoi démarré (une passe toutes les %s s).", poll_seconds)
    while not stop_event.is_set():
        try:
            report = deliver_due(engine, settings, stop=stop_event)
        except Exception as exc:
            # The type only: database errors may quote the parameters of the statement.
            logger.error(
                "Passe d'envoi interrompue (%s) ; nouvel essai au prochain tour.", type(exc).__name__
            )
        else:
            if report.sent or report.postponed or report.failed or report.reclaimed:
                logger.info(
                    "Passe d'envoi : %d envoyé(s), %d reporté(s), %d abandonné(s), %d repris.",
                    report.sent,
                    report.postponed,
                    report.failed,
                    report.reclaimed,
                )
        if housekeeping is not None and not stop_event.is_set():
            housekeeping()
        stop_event.wait(poll_seconds)
    logger.info("Worker d'envoi arrêté.")
