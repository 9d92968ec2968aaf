"""Email: composing the reset email, the outbox, SMTP, the delivery worker and
the local SMTP sink used by the demo and the tests."""
