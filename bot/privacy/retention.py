"""How long each kind of personal record is kept, from the settings, and why these defaults.

The CNIL asks for a period per purpose, never "for ever", and for members to be told
it. The defaults (``bot.settings.DEFAULTS``), with their reasons:

- **Conversations, 90 days** after the conversation's last message (the conversation
  store's events, already masked, and the trainers' decisions about its messages):
  long enough for trainers to review what members asked and to answer a complaint
  about an answer, short enough that a chat is not an archive. The CNIL's guidance on
  chatbots asks for a short period tied to improving the service.
- **Hand-offs, 90 days** after they were opened, once closed (transcript, messages,
  call-back number): the same purpose as conversations; an open one is never purged.
- **Look-ups by NIR, 180 days** (with agents' sign-in attempts and ended console
  sessions): security traces made only of keyed hashes, kept as the CNIL's
  recommendation on logging (2021) advises for access traces, six months to a year,
  to find an enumeration of NIRs after the fact.
- **Reset requests, 365 days** (with their emails and letters): the proof that a new
  code was sent, when and where, for a member who says they never got it; a letter
  not yet exported or an email not yet sent is kept until it is.
- **Audit logs, 365 days** (never fewer than 180): who did what to whose file, the
  upper end of the CNIL's six months to a year for traces of access to personal data.
  The database itself refuses to delete an agents' audit line younger than
  ``AUDIT_RETENTION_FLOOR_DAYS`` (migration 0010), so the log still cannot be rewritten.

The members' file itself is ACS's (``./sesame members import``), not a record of what
members did: it is kept while ACS sends it, and ``./sesame privacy erase`` removes one member.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.settings import Settings


@dataclass(frozen=True)
class Category:
    """One kind of record with its own period: a code name, and French words for people."""

    key: str
    label: str  # what the purge and the page call it, e.g. "conversations"
    days: int

    def cutoff(self, now: dt.datetime) -> dt.datetime:
        """Records older than this moment are past their period."""
        return now - dt.timedelta(days=self.days)


@dataclass(frozen=True)
class RetentionPolicy:
    """The five periods, in days, as the settings give them (never 0: ``bot.settings`` refuses it)."""

    conversations: Category
    handoffs: Category
    nir_lookups: Category
    resets: Category
    audit: Category

    @classmethod
    def from_settings(cls, settings: Settings) -> RetentionPolicy:
        return cls(
            conversations=Category(
                "conversations", "conversations avec Sésame", settings.retention_conversations_days
            ),
            handoffs=Category(
                "handoffs", "échanges avec un conseiller et rappels", settings.retention_handoffs_days
            ),
            nir_lookups=Category(
                "nir_lookups",
                "traces des recherches par numéro de Sécurité sociale",
                settings.retention_nir_lookups_days,
            ),
            resets=Category(
                "resets", "demandes de nouveau code, e-mails et courriers", settings.retention_resets_days
            ),
            audit=Category("audit", "journaux d'audit", settings.retention_audit_days),
        )

    def categories(self) -> tuple[Category, ...]:
        return (self.conversations, self.handoffs, self.nir_lookups, self.resets, self.audit)


def in_words(days: int) -> str:
    """A period as people say it: "90 jours", "1 an", "2 ans" (exact days unless whole years)."""
    if days % 365 == 0:
        years = days // 365
        return f"{years} an" if years == 1 else f"{years} ans"
    return "1 jour" if days == 1 else f"{days} jours"
