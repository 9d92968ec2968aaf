"""Dates and times as a French member reads them, in metropolitan French time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


def day(value: dt.date) -> str:
    """« 5 décembre », « 1er janvier »."""
    number = "1er" if value.day == 1 else str(value.day)
    return f"{number} {MONTHS[value.month - 1]}"


def clock(value: dt.datetime) -> str:
    """« 9 h 05 » in Paris time."""
    local = value.astimezone(PARIS)
    return f"{local.hour} h {local.minute:02d}"


def moment(value: dt.datetime, now: dt.datetime) -> str:
    """« aujourd'hui à 9 h 05 », « hier à 18 h 40 », « le 3 décembre à 9 h 05 »."""
    local, today = value.astimezone(PARIS).date(), now.astimezone(PARIS).date()
    if local == today:
        return f"aujourd'hui à {clock(value)}"
    if local == today - dt.timedelta(days=1):
        return f"hier à {clock(value)}"
    if local == today + dt.timedelta(days=1):
        return f"demain à {clock(value)}"
    return f"le {day(local)} à {clock(value)}"


def until(value: dt.datetime, now: dt.datetime) -> str:
    """What follows « valable jusqu' »: « à 10 h 05 » today, « au 3 décembre à 10 h 05 » later."""
    if value.astimezone(PARIS).date() == now.astimezone(PARIS).date():
        return f"à {clock(value)}"
    return f"au {day(value.astimezone(PARIS).date())} à {clock(value)}"


def retry_when(value: dt.datetime, now: dt.datetime) -> str:
    """What follows « Réessayez »: « dans 12 minutes » within the hour, else « aujourd'hui à 10 h 05 »."""
    seconds = (value - now).total_seconds()
    if seconds < 3600:
        minutes = max(1, -(-int(seconds) // 60))  # rounded up: never "dans 0 minute"
        return f"dans {minutes} minute" + ("s" if minutes > 1 else "")
    return moment(value, now)


def ago(value: dt.datetime, now: dt.datetime) -> str:
    """« il y a 3 min » within the hour (« à l'instant » under a minute), else ``moment``."""
    seconds = (now - value).total_seconds()
    if 0 <= seconds < 60:
        return "à l'instant"
    if 60 <= seconds < 3600:
        return f"il y a {int(seconds) // 60} min"
    return moment(value, now)
