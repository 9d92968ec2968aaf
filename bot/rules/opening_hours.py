"""Opening hours for live chats with agents: "lun-ven 08:30-18:00; sam 09:00-12:00".

Days are French abbreviations (lun mar mer jeu ven sam dim), alone or as a range;
times are Paris time, HH:MM-HH:MM. Several ranges are separated by ";". An empty
setting means no restriction: live chats then depend only on agents being available.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.rules.french_time import PARIS

DAYS = ("lun", "mar", "mer", "jeu", "ven", "sam", "dim")
_RANGE = re.compile(
    r"^\s*(?P<first>[a-z]{3})(?:\s*-\s*(?P<last>[a-z]{3}))?\s+"
    r"(?P<start>\d{1,2}):(?P<start_m>\d{2})\s*-\s*(?P<end>\d{1,2}):(?P<end_m>\d{2})\s*$"
)


class OpeningHoursError(ValueError):
    """The setting cannot be read; the message, in French, shows the expected form."""


@dataclass(frozen=True)
class OpeningRange:
    days: frozenset[int]  # 0 = Monday
    start: dt.time
    end: dt.time


def _time(hours: str, minutes: str, text: str) -> dt.time:
    h, m = int(hours), int(minutes)
    if h == 24 and m == 0:
        return dt.time(23, 59, 59)
    if not (0 <= h < 24 and 0 <= m < 60):
        raise OpeningHoursError(f"HANDOFF_HOURS : heure impossible dans « {text.strip()} ».")
    return dt.time(h, m)


def parse(spec: str) -> tuple[OpeningRange, ...]:
    """The ranges of ``spec``; empty for an empty setting; ``OpeningHoursError`` otherwise."""
    ranges: list[OpeningRange] = []
    for part in (p for p in spec.lower().split(";") if p.strip()):
        match = _RANGE.match(part)
        if not match or match["first"] not in DAYS or (match["last"] and match["last"] not in DAYS):
            raise OpeningHoursError(
                f"HANDOFF_HOURS : « {part.strip()} » n'est pas lisible. Forme attendue : "
                "« lun-ven 08:30-18:00; sam 09:00-12:00 » "
                "(jours lun mar mer jeu ven sam dim, heure de Paris)."
            )
        first = DAYS.index(match["first"])
        last = DAYS.index(match["last"]) if match["last"] else first
        if last < first:
            raise OpeningHoursError(
                f"HANDOFF_HOURS : « {part.strip()} » : les jours vont de lundi à dimanche."
            )
        start = _time(match["start"], match["start_m"], part)
        end = _time(match["end"], match["end_m"], part)
        if end <= start:
            raise OpeningHoursError(f"HANDOFF_HOURS : « {part.strip()} » finit avant de commencer.")
        ranges.append(OpeningRange(frozenset(range(first, last + 1)), start, end))
    return tuple(ranges)


def is_open(spec: str, now: dt.datetime) -> bool:
    """Whether live chats are open at ``now`` (aware datetime) under ``spec``."""
    ranges = parse(spec)
    if not ranges:
        return True
    local = now.astimezone(PARIS)
    moment = local.time()
    return any(local.weekday() in r.days and r.start <= moment < r.end for r in ranges)
