"""When to call a member back, read from their own French words.

The call-back form used to keep only « le matin », « l'après-midi » or « peu
importe »: a member who wrote « vers 17h » was stored as « L'après-midi » and the
agent never saw the hour. Now the member's words are kept, and read here into a
window of Paris time (``CallbackWindow``) that the console's card and
``./sesame handoffs list`` show beside them:

- « vers 17h », « à 17 h 30 », « 17:30 »: half an hour either side;
- « après 18 h 30 », « à partir de 18h »: from then, for two hours;
- « avant 10h », « jusqu'à 10h »: the two hours before;
- « entre 14h et 16h », « de 14h à 16h », « entre midi et deux » (12 h – 14 h);
- « le matin » (8 h – 12 h), « midi » (12 h – 14 h), « l'après-midi » (14 h – 18 h),
  « le soir » (18 h – 20 h), « début / fin de matinée / d'après-midi »;
- a day: « aujourd'hui », « ce soir », « demain », « après-demain », « lundi »…;
  without one, today, or tomorrow when the window is already over;
- « peu importe », « quand vous voulez »: accepted, with no window.

An hour from 1 to 7 with no « du matin » is read in the afternoon (« vers 5h »:
nobody asks a help desk to call at 5 a.m.). « Midi » is 12 h, « minuit » the end
of the day (24 h). Wall-clock times are Paris times; a window that crosses a
daylight-saving change keeps its wall-clock bounds. A message with six digits or
more is a phone number, not a time.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from bot.rules.french_time import PARIS, day

UTC = dt.timezone.utc
MINUTES_PER_DAY = 24 * 60
AROUND = 30  # « vers 17h »: 16 h 30 – 17 h 30
OPEN_ENDED = 120  # « après 18h » / « avant 10h »: two hours
_PHONE_DIGITS = 6

WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

# Periods of the day, in minutes of the Paris day; the longer phrases first.
_PERIODS: tuple[tuple[re.Pattern[str], tuple[int, int], bool], ...] = tuple(
    (re.compile(pattern), (start * 60, end * 60), afternoon)
    for pattern, start, end, afternoon in (
        (r"entre midi et (?:deux|2)\b", 12, 14, True),
        (r"debut de (?:la )?matinee|tot le matin", 8, 10, False),
        (r"fin de (?:la )?matinee", 10, 12, False),
        (r"debut (?:d'|de l')?(?:apresmidi|aprem)", 14, 16, True),
        (r"fin (?:d'|de l')?(?:apresmidi|aprem)", 16, 18, True),
        (r"apresmidi|\baprem\b|\bapm\b", 14, 18, True),
        (r"\bmatin(?:ee)?\b|\bmatinal", 8, 12, False),
        (r"\bsoir(?:ee)?\b", 18, 20, True),
        (r"heure du dejeuner|pause (?:dej|dejeuner)", 12, 14, True),
    )
)
_LUNCH = _PERIODS[0][0]  # « entre midi et deux »: no clock time « deux »
_ANY_TIME = re.compile(
    r"peu importe|n'?importe quand|indifferent|pas de preference|\begal\b|quand vous (?:voulez|pouvez)|"
    r"comme vous voulez|toute la journee|a tout moment|n'?importe"
)
# One clock time: « 17h », « 17 h 30 », « 17:30 », « 17 heures », « midi », « minuit et demi ».
_TIME = (
    r"(?:\b(?P<{n}h>\d{{1,2}})\s*(?:heures?|h|:)\s*(?P<{n}m>\d{{2}})?(?:\s*et (?P<{n}x>demie?|quart))?"
    r"|\b(?P<{n}w>midi|minuit)(?:\s*et (?P<{n}y>demie?|quart))?"
    r"|\b(?P<{n}b>\d{{1,2}})(?=\s*(?:$|et\b|a\b|-)))"
)
_RANGE = re.compile(r"(?:entre|de)\s+" + _TIME.format(n="a") + r"\s*(?:et|a|-)\s*" + _TIME.format(n="z"))
_AFTER = re.compile(r"(?:apres|a partir de|des|pas avant)\s+" + _TIME.format(n="a"))
_BEFORE = re.compile(r"(?:avant|jusqu'?a|au plus tard a)\s+" + _TIME.format(n="a"))
_AT = re.compile(r"(?:vers|a|autour de|aux alentours de|sur les|pour)?\s*" + _TIME.format(n="a"))
_MORNING_WORDS = re.compile(r"du matin|\bmatin")
_AFTERNOON_WORDS = re.compile(r"\bsoir|apresmidi|\baprem")


@dataclass(frozen=True)
class CallbackWindow:
    """When the member would like to be called: a window in UTC, or none (« peu importe »)."""

    start: dt.datetime | None
    end: dt.datetime | None

    @property
    def any_time(self) -> bool:
        return self.start is None


ANY_TIME = CallbackWindow(None, None)


def plain(text: str) -> str:
    """Lower case, no accents, one kind of apostrophe, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # « après-midi », « après midi »: one word, never « après » (« après 18h ») then « midi ».
    return re.sub(r"apres[ -]?midi", "apresmidi", " ".join(bare.split()))


def _minutes(match: re.Match[str], name: str) -> int | None:
    """Minutes of the day of the clock time captured under ``name``; None if impossible."""
    word = match.group(f"{name}w")
    if word:
        base, extra = (12 * 60 if word == "midi" else MINUTES_PER_DAY), match.group(f"{name}y")
    else:
        hour = match.group(f"{name}h") or match.group(f"{name}b")
        minute = int(match.group(f"{name}m") or 0)
        if hour is None or int(hour) > 24 or minute > 59 or (int(hour) == 24 and minute):
            return None
        base, extra = int(hour) * 60 + minute, match.group(f"{name}x")
    if extra:
        base += 15 if extra == "quart" else 30
    return base


def _afternoon(minutes: int, text: str, afternoon_period: bool) -> int:
    """« 5h », « 5h du soir », « demain après-midi vers 3h »: the afternoon hour (17 h, 15 h)."""
    if minutes >= 12 * 60 or minutes < 60:
        return minutes
    if _MORNING_WORDS.search(text) and not afternoon_period:
        return minutes
    if afternoon_period or _AFTERNOON_WORDS.search(text) or minutes < 8 * 60:
        return minutes + 12 * 60
    return minutes


def _period(text: str) -> tuple[tuple[int, int], bool] | None:
    for pattern, bounds, afternoon in _PERIODS:
        if pattern.search(text):
            return bounds, afternoon
    return None


def _clock_window(text: str, afternoon_period: bool) -> tuple[int, int] | None:
    """The window of an explicit clock time in ``text``, in minutes of the day."""
    found = _RANGE.search(text)
    if found:
        start, end = _minutes(found, "a"), _minutes(found, "z")
        if start is None or end is None:
            return None
        start, end = _afternoon(start, text, afternoon_period), _afternoon(end, text, afternoon_period)
        if end <= start < end + 12 * 60 and end < 12 * 60:  # « entre 11h et 1h »: 11 h – 13 h
            end += 12 * 60
        return (start, end) if start < end else None
    for pattern, before, after in ((_AFTER, 0, OPEN_ENDED), (_BEFORE, OPEN_ENDED, 0), (_AT, AROUND, AROUND)):
        found = pattern.search(text)
        if found:
            at = _minutes(found, "a")
            if at is None:
                return None
            at = _afternoon(at, text, afternoon_period)
            return max(0, at - before), at + after
    return None


def _day_offset(text: str, today: dt.date) -> tuple[int | None, str]:
    """Days after today the member named (None: not said), and the text without them."""
    for pattern, offset in (
        (r"apres[ -]?demain", 2),
        (r"\bdemain\b", 1),
        (r"aujourd'?hui|\bce (?:matin|midi|soir)\b|\bcet apres[ -]?midi\b|\bcette apres[ -]?midi\b", 0),
    ):
        found = re.search(pattern, text)
        if found:
            kept = text if offset == 0 else text[: found.start()] + " " + text[found.end() :]
            return offset, " ".join(kept.split())
    for number, name in enumerate(WEEKDAYS):
        found = re.search(rf"\b{name}\b", text)
        if found:
            return (number - today.weekday()) % 7, text
    return None, text


def _instant(date: dt.date, minutes: int) -> dt.datetime:
    """The Paris wall-clock time ``minutes`` after midnight of ``date``, in UTC."""
    wall = dt.datetime.combine(date, dt.time()) + dt.timedelta(minutes=minutes)
    return wall.replace(tzinfo=PARIS).astimezone(UTC)


def parse_callback_time(text: str, now: dt.datetime) -> CallbackWindow | None:
    """The window the member's words mean (``ANY_TIME`` for « peu importe »), or None if no time."""
    words = plain(text or "")
    if not words or sum(ch.isdigit() for ch in words) >= _PHONE_DIGITS:
        return None
    today = now.astimezone(PARIS).date()
    offset, rest = _day_offset(words, today)
    period = _period(rest)
    lunch = _LUNCH.search(rest)
    bounds = None if lunch else _clock_window(rest, period[1] if period else False)
    if bounds is None and period is not None:
        bounds = period[0]
    if bounds is None:
        if _ANY_TIME.search(rest):
            return ANY_TIME
        if offset is None:
            return None
        bounds = (8 * 60, 18 * 60)  # « demain »: the working day
    start_minutes, end_minutes = bounds
    date = today + dt.timedelta(days=offset or 0)
    if _instant(date, end_minutes) <= now and (offset is None or (offset == 0 and _named_weekday(rest))):
        date += dt.timedelta(days=7 if offset is not None else 1)
    start, end = _instant(date, start_minutes), _instant(date, end_minutes)
    if end <= start:  # a window inside the spring-forward gap: keep its length
        end = start + dt.timedelta(minutes=end_minutes - start_minutes)
    return CallbackWindow(start, end)


def _named_weekday(text: str) -> bool:
    return any(re.search(rf"\b{name}\b", text) for name in WEEKDAYS)


def short_clock(value: dt.datetime) -> str:
    """« 17 h », « 16 h 30 », « midi », « minuit », in Paris time."""
    local = value.astimezone(PARIS)
    if local.minute == 0 and local.hour in (0, 12):
        return "minuit" if local.hour == 0 else "midi"
    return f"{local.hour} h" + (f" {local.minute:02d}" if local.minute else "")


def _day_word(value: dt.date, today: dt.date) -> str:
    if value == today:
        return "aujourd'hui"
    if value == today + dt.timedelta(days=1):
        return "demain"
    if value == today - dt.timedelta(days=1):
        return "hier"
    return f"le {WEEKDAYS[value.weekday()]} {day(value)}"


def window_text(start: dt.datetime | None, end: dt.datetime | None, now: dt.datetime) -> str:
    """« aujourd'hui entre 16 h 30 et 17 h 30 », « demain entre 8 h et midi »; « à tout moment »."""
    if start is None or end is None:
        return "à tout moment"
    today = now.astimezone(PARIS).date()
    first = start.astimezone(PARIS).date()
    # A window ending at midnight belongs to the day it ends (« jusqu'à minuit »).
    last = (end - dt.timedelta(minutes=1)).astimezone(PARIS).date()
    if first == last:
        return f"{_day_word(first, today)} entre {short_clock(start)} et {short_clock(end)}"
    return (
        f"entre {_day_word(first, today)} {short_clock(start)} "
        f"et {_day_word(end.astimezone(PARIS).date(), today)} {short_clock(end)}"
    )
