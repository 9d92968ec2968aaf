"""The closed sets of words the member database stores: email statuses, reset channels, audit kinds.

Each value is the exact string already stored in the database, so these classes
change no row and need no data migration. They are ``str`` subclasses (Python 3.10
has no ``enum.StrEnum``): a member compares equal to its stored string, goes into
JSON and SQL as that string, and ``str()``/``%s`` give the value too, as 3.11's
``StrEnum`` would — a log line reads ``members_imported``, not ``AuditKind.MEMBERS_IMPORTED``.

Standard library only, so that light modules (dialogue replies) may import it.
"""

from __future__ import annotations

import enum


class StrEnum(str, enum.Enum):
    """``enum.StrEnum`` for Python 3.10: members are their value, also for ``str()``."""

    def __str__(self) -> str:
        return str(self.value)


class EmailStatus(StrEnum):
    """Where a reset email is in the outbox (``outbox.status``)."""

    PENDING = "pending"  # waiting for its turn (or for its next try)
    SENDING = "sending"  # claimed by a delivery worker, under lease
    SENT = "sent"
    FAILED = "failed"  # given up on: permanent error or too many tries
    WITHDRAWN = "withdrawn"  # not sent: a newer request (a letter) replaced it while it waited


class ResetChannel(StrEnum):
    """How a new access code reaches the member (``reset_requests.channel``)."""

    EMAIL = "email"
    LETTER = "letter"


class AuditKind(StrEnum):
    """What an audit event records (``audit_events.kind``).

    The column stays a plain string rather than this type: the audit log is history,
    and a row written by an older or newer version with a kind missing here must stay
    readable. Writers use these members so that a typo cannot invent a new kind.
    """

    RESET_REQUESTED = "reset_requested"
    RESET_REPEATED = "reset_repeated"
    RESET_LIMITED = "reset_limited"
    RESET_EMAIL_SENT = "reset_email_sent"
    RESET_EMAIL_FAILED = "reset_email_failed"
    RESET_LETTER_EXPORTED = "reset_letter_exported"
    ACCESS_CODE_CHANGED = "access_code_changed"  # written by bot/web/reset_page.py
    MEMBERS_IMPORTED = "members_imported"
    DEMO_MEMBERS_SEEDED = "demo_members_seeded"
    HANDOFF_LEFT = "handoff_left"  # the member left the live-chat queue (bot.handoffs.leaving)


class AgentRole(StrEnum):
    """What a call-centre agent may do (``agents.role``).

    A ``superviseur`` may do everything a ``conseiller`` does, and also read a
    member's full email address and the agents' audit log; and everything a
    ``formateur`` does. A ``formateur`` teaches the bot (the workbench) and has no
    access to members' files.
    """

    CONSEILLER = "conseiller"
    SUPERVISEUR = "superviseur"
    FORMATEUR = "formateur"

    @property
    def advises_members(self) -> bool:
        return self in (AgentRole.CONSEILLER, AgentRole.SUPERVISEUR)

    @property
    def trains_the_bot(self) -> bool:
        return self in (AgentRole.FORMATEUR, AgentRole.SUPERVISEUR)


class AgentAction(StrEnum):
    """What an agents' audit entry records (``agent_audit.action``).

    Like ``AuditKind``, the column stays a plain string: the log is history.
    """

    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_IN_LIMITED = "sign_in_limited"
    SIGN_OUT = "sign_out"
    SESSION_EXPIRED = "session_expired"
    ASSISTANT_QUESTION = "assistant_question"
    MEMBER_LOOKUP = "member_lookup"
    RESET_ON_BEHALF = "reset_on_behalf"
    # The address a caller read out checked against the member's (bot.agents.email_check).
    EMAIL_CHECKED = "email_checked"
    # An agent reached AGENT_LOOKUPS_PER_HOUR (bot.agents.lookup_limit): supervisors see it in the journal.
    LOOKUP_LIMIT_REACHED = "lookup_limit_reached"
    AUDIT_READ = "audit_read"
    AGENT_ADDED = "agent_added"
    AGENT_DISABLED = "agent_disabled"
    AGENT_PASSWORD_RESET = "agent_password_reset"  # noqa: S105 - an event name, not a password
    AGENT_UNLOCKED = "agent_unlocked"  # ./sesame agents unlock: the login's sign-in failures forgotten
    AVAILABILITY_CHANGED = "availability_changed"
    HANDOFF_TAKEN = "handoff_taken"
    HANDOFF_TRANSFERRED = "handoff_transferred"
    HANDOFF_CLOSED = "handoff_closed"
    HANDOFF_MESSAGE = "handoff_message"
    # A hand-off's transcript or a call-back's full phone number read (bot/handoffs/access.py).
    HANDOFF_READ = "handoff_read"
    CALLBACK_DONE = "callback_done"
    CALLBACK_UNREACHABLE = "callback_unreachable"
    MODEL_TRAINED = "model_trained"
    MODEL_LOADED = "model_loaded"
    MODEL_ROLLED_BACK = "model_rolled_back"
    # The promotion gate (bot/web/workbench_promotion.py): a new model worse than the one in
    # service was not loaded; a superviseur put one in service anyway, with a written reason.
    MODEL_REFUSED = "model_refused"
    MODEL_FORCED = "model_forced"
    # The trainers' workbench (bot/workbench/): a message of the review inbox decided,
    # flagged for review, or the training data changed (examples, a new question).
    REVIEW_DECIDED = "review_decided"
    REVIEW_FLAGGED = "review_flagged"
    TRAINING_DATA_CHANGED = "training_data_changed"
    TEST_STORY_SAVED = "test_story_saved"
    # A saved test story changed (a turn removed, an intent chosen) or deleted
    # (bot/workbench/saved_stories.py).
    TEST_STORY_EDITED = "test_story_edited"
    TEST_STORY_DELETED = "test_story_deleted"
    # Started from the workbench's « Vérifier et mesurer » (bot/web/routes/workbench_jobs.py).
    DATA_CHECK_STARTED = "data_check_started"
    REPORT_STARTED = "report_started"
    # Personal data (bot/privacy/, ./sesame privacy): the retention purge (by hand or every hour),
    # a member's data exported or erased for the data-protection officer.
    PRIVACY_PURGE = "privacy_purge"
    PRIVACY_EXPORT = "privacy_export"
    PRIVACY_ERASE = "privacy_erase"


class HandoffKind(StrEnum):
    """A live chat with an agent, or a call-back request (``handoffs.kind``)."""

    LIVE = "live"
    CALLBACK = "callback"


class HandoffState(StrEnum):
    """Where a hand-off stands (``handoffs.state``).

    ``waiting`` (in the queue), ``active`` (an agent holds a live chat), then
    ``closed``; a call-back goes from ``waiting`` to ``done`` or ``unreachable``.
    ``left``: the member left the queue before any agent took the chat (to be called
    back instead, or not at all; ``bot.handoffs.leaving``).
    """

    WAITING = "waiting"
    ACTIVE = "active"
    CLOSED = "closed"
    DONE = "done"
    UNREACHABLE = "unreachable"
    LEFT = "left"


class HandoffReason(StrEnum):
    """Why the member was handed to a person (``handoffs.reason``)."""

    ASKED = "asked"  # "je veux parler à un conseiller", or the button
    BOT_FAILED = "bot_failed"  # the bot did not understand twice in a row


class HandoffAuthor(StrEnum):
    """Who wrote a message of a hand-off (``handoff_messages.author``)."""

    MEMBER = "member"
    AGENT = "agent"
    SYSTEM = "system"  # what Sésame tells the member about the hand-off itself


class ReviewDecisionKind(StrEnum):
    """What a trainer decided about a member's message of the review inbox (``review_decisions.decision``)."""

    ACCEPTED = "accepted"  # the prediction was right: an example of the predicted intent
    MOVED = "moved"  # an example of another intent, chosen by the trainer
    OUT_OF_SCOPE = "out_of_scope"  # an example of out_of_scope
    DISCARDED = "discarded"  # not an example of anything (noise, a test, a secret)
