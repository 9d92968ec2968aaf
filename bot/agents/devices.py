"""Recognised devices: the browser an agent signed in from keeps its own sign-in count.

OWASP's "device cookies" (authentication cheat sheet, *Slow down online guessing
attacks with device cookies*). The throttle (``bot.agents.throttle``) counts failures
per (login, address) and per address. Behind a call centre's NAT every agent shares
one address, so a colleague, or malware on one workstation, could type wrong
passwords for « claire » and slow her down, or fill the address's ceiling and slow
everybody. A recognised device takes the agent out of that crowd:

- after a successful sign-in the browser receives a device cookie: a random nonce,
  the day it was issued and a keyed signature (HMAC-SHA-256) of both *with the
  login*, so it vouches for that login only and cannot be forged or moved to
  another account;
- when a sign-in for that login presents a valid cookie, its failures are counted
  for the device (the pair is (login, device) instead of (login, address)) and the
  address's ceiling does not apply: nobody else's failures slow it, and its own
  failures still meet the growing delays, so a stolen cookie buys no free guesses;
- the cookie lasts ``LIFETIME``, then the browser is a stranger again until its
  next successful sign-in. It holds nothing personal and is never a credential: the
  password is still required.

The key is the deployment's ``NIR_HASH_KEY`` under a purpose prefix of its own, as
for the other keyed hashes, so no signature here can match one made elsewhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

COOKIE_NAME = "sesame_appareil"
LIFETIME = dt.timedelta(days=90)
_PURPOSE = "sesame:appareil-reconnu:"
_NONCE_BYTES = 16
_MAX_COOKIE = 200


def _signature(login: str, nonce: str, issued_day: int, key: str) -> str:
    message = f"{_PURPOSE}{login}|{nonce}|{issued_day}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def _day(moment: dt.datetime) -> int:
    return moment.toordinal()


def issue(login: str, key: str, now: dt.datetime) -> str:
    """A new device cookie for ``login`` (the typed, normalised login), signed with ``key``."""
    nonce = secrets.token_urlsafe(_NONCE_BYTES)
    day = _day(now)
    return f"{nonce}.{day}.{_signature(login, nonce, day, key)}"


def recognised(cookie: str | None, login: str, key: str, now: dt.datetime) -> str | None:
    """The throttle's client key for this device when ``cookie`` vouches for ``login``; else None.

    None for a missing, malformed, forged, expired cookie, or one issued for another login.
    """
    if not cookie or len(cookie) > _MAX_COOKIE:
        return None
    parts = cookie.split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    nonce, day_text, signature = parts
    day = int(day_text)
    if not hmac.compare_digest(signature, _signature(login, nonce, day, key)):
        return None
    if not 0 <= _day(now) - day <= LIFETIME.days:
        return None
    return "appareil:" + hashlib.sha256(f"{_PURPOSE}{nonce}".encode()).hexdigest()[:48]
