"""Signed double-submit cookie, so another site cannot post our forms.

Showing a form sets a random cookie (HttpOnly, SameSite=Strict) and puts
HMAC(key, cookie | token hash) in a hidden field. A post must bring both, and
they must agree: a foreign page can neither read the cookie nor compute the
HMAC, and SameSite keeps the browser from sending the cookie along anyway. Tying
the value to the reset token's hash makes it worthless for any other link.

The key is derived from the ``CSRF_SECRET`` setting, so every worker (and every
replica behind a load balancer) accepts the forms the others served, and a
restart does not invalidate the forms members have open. Derived, not used as
is: the same secret could one day key something else without the two
signatures ever being interchangeable.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

COOKIE_NAME = "sesame_csrf"
FIELD_NAME = "csrf"
_NONCE = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


_KEY_PURPOSE = b"sesame/reset-form-csrf/v1"


def key_from_secret(secret: str) -> bytes:
    """The HMAC key of the forms, the same in every process that shares ``secret``."""
    return hmac.new(secret.encode("utf-8"), _KEY_PURPOSE, hashlib.sha256).digest()


def new_nonce() -> str:
    return secrets.token_urlsafe(32)


def usable_nonce(cookie_value: str | None) -> str | None:
    """The cookie's nonce if it has our shape, so a second tab keeps the first tab's form valid."""
    if cookie_value is not None and _NONCE.fullmatch(cookie_value):
        return cookie_value
    return None


def form_value(key: bytes, nonce: str, token_hash: str) -> str:
    return hmac.new(key, f"{nonce}|{token_hash}".encode(), hashlib.sha256).hexdigest()


def is_valid(key: bytes, cookie_value: str | None, token_hash: str, submitted: str | None) -> bool:
    nonce = usable_nonce(cookie_value)
    if nonce is None or not submitted:
        return False
    return hmac.compare_digest(form_value(key, nonce, token_hash), submitted)


def cookie_header(nonce: str, path: str, secure: bool) -> str:
    """A ``Set-Cookie`` value; ``Secure`` whenever the site is served over HTTPS."""
    attributes = [f"{COOKIE_NAME}={nonce}", f"Path={path}", "HttpOnly", "SameSite=Strict"]
    if secure:
        attributes.append("Secure")
    return "; ".join(attributes)
