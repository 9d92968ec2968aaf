"""The member's call-back words read as a Paris-time window (issue 21, item 5).

The agent calls at the time the member asked for: « vers 17h » must become 16 h 30 –
17 h 30 in Paris, not « l'après-midi »; noon, midnight and the daylight-saving days
are where a naive reading goes wrong.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rules.callback_time import ANY_TIME, parse_callback_time, short_clock, window_text
from bot.rules.french_time import PARIS

UTC = dt.timezone.utc


def paris(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS)


# Monday 7 December 2026, 10 h in Paris (winter time, UTC+1).
MONDAY_MORNING = paris(2026, 12, 7, 10)


def shown(text: str, now: dt.datetime = MONDAY_MORNING) -> str | None:
    window = parse_callback_time(text, now)
    return None if window is None else window_text(window.start, window.end, now)


@pytest.mark.parametrize(
    ("said", "window"),
    [
        ("vers 17h", "aujourd'hui entre 16 h 30 et 17 h 30"),
        ("Vers 17 h 30 svp", "aujourd'hui entre 17 h et 18 h"),
        ("17:30", "aujourd'hui entre 17 h et 18 h"),
        ("demain matin", "demain entre 8 h et midi"),
        ("après 18 h 30", "aujourd'hui entre 18 h 30 et 20 h 30"),
        ("à partir de 18h", "aujourd'hui entre 18 h et 20 h"),
        ("avant 12h", "aujourd'hui entre 10 h et midi"),
        ("entre midi et deux", "aujourd'hui entre midi et 14 h"),
        ("entre 14h et 16h", "aujourd'hui entre 14 h et 16 h"),
        ("de 14 à 16h", "aujourd'hui entre 14 h et 16 h"),
        ("l'après midi", "aujourd'hui entre 14 h et 18 h"),
        ("L'après-midi", "aujourd'hui entre 14 h et 18 h"),
        ("aprem vers 3h", "aujourd'hui entre 14 h 30 et 15 h 30"),
        ("vers 5h", "aujourd'hui entre 16 h 30 et 17 h 30"),  # not 5 a.m.
        ("demain vers 7h du matin", "demain entre 6 h 30 et 7 h 30"),
        ("vers 9 h du soir", "aujourd'hui entre 20 h 30 et 21 h 30"),
        ("fin d'après-midi", "aujourd'hui entre 16 h et 18 h"),
        ("ce soir", "aujourd'hui entre 18 h et 20 h"),
        ("après-demain vers 11h", "le mercredi 9 décembre entre 10 h 30 et 11 h 30"),
        ("samedi matin", "le samedi 12 décembre entre 8 h et midi"),
        ("Le matin", "aujourd'hui entre 8 h et midi"),  # the old buttons still work
    ],
)
def test_french_times_become_a_paris_window(said: str, window: str) -> None:
    assert shown(said) == window


@pytest.mark.parametrize("said", ["Peu importe", "quand vous voulez", "n'importe quand"])
def test_any_time_is_accepted_without_a_window(said: str) -> None:
    assert parse_callback_time(said, MONDAY_MORNING) == ANY_TIME
    assert window_text(None, None, MONDAY_MORNING) == "à tout moment"


@pytest.mark.parametrize(
    "said", ["", "bonjour", "oui", "06 12 34 56 78", "0612345678", "à 25h", "vers 17h75"]
)
def test_no_time_is_not_a_window(said: str) -> None:
    assert parse_callback_time(said, MONDAY_MORNING) is None


def test_a_time_already_past_today_means_tomorrow() -> None:
    assert shown("vers 9h") == "demain entre 8 h 30 et 9 h 30"
    assert shown("le matin", paris(2026, 12, 7, 12)) == "demain entre 8 h et midi"


def test_noon_is_twelve_not_midnight() -> None:
    assert shown("vers midi") == "aujourd'hui entre 11 h 30 et 12 h 30"
    assert shown("à 12h") == "aujourd'hui entre 11 h 30 et 12 h 30"
    assert shown("midi et demi") == "aujourd'hui entre midi et 13 h"


def test_midnight_ends_the_day() -> None:
    assert shown("entre 22h et minuit") == "aujourd'hui entre 22 h et minuit"
    assert shown("vers minuit") == "entre aujourd'hui 23 h 30 et demain 0 h 30"
    window = parse_callback_time("vers minuit", MONDAY_MORNING)
    assert window is not None and window.end is not None
    assert window.end.astimezone(PARIS) == paris(2026, 12, 8, 0, 30)


def test_the_window_is_paris_time_in_summer_and_winter() -> None:
    summer = parse_callback_time("vers 17h", paris(2026, 7, 1, 9))
    winter = parse_callback_time("vers 17h", paris(2026, 1, 5, 9))
    assert summer is not None and winter is not None
    assert summer.start == dt.datetime(2026, 7, 1, 14, 30, tzinfo=UTC)  # UTC+2
    assert winter.start == dt.datetime(2026, 1, 5, 15, 30, tzinfo=UTC)  # UTC+1


def test_daylight_saving_days_keep_the_wall_clock() -> None:
    # 29 March 2026: 2 h becomes 3 h. « Demain vers 17h » said the day before is 17 h in summer time.
    before = parse_callback_time("demain vers 17h", paris(2026, 3, 28, 10))
    assert before is not None and before.start is not None
    assert before.start.astimezone(PARIS) == paris(2026, 3, 29, 16, 30)
    assert before.start.utcoffset() == dt.timedelta(0) and before.start.hour == 14
    # 25 October 2026: 3 h becomes 2 h again; an afternoon window is still 4 hours long.
    autumn = parse_callback_time("l'après-midi", paris(2026, 10, 25, 9))
    assert autumn is not None and autumn.start is not None and autumn.end is not None
    assert autumn.end - autumn.start == dt.timedelta(hours=4)
    assert shown("l'après-midi", paris(2026, 10, 25, 9)) == "aujourd'hui entre 14 h et 18 h"


def test_a_window_inside_the_missing_hour_still_has_a_length() -> None:
    window = parse_callback_time("vers 2h30 du matin", paris(2026, 3, 29, 0, 10))
    assert window is not None and window.start is not None and window.end is not None
    assert window.end > window.start


def test_short_clock_names_noon_and_midnight() -> None:
    assert short_clock(paris(2026, 12, 7, 12)) == "midi"
    assert short_clock(paris(2026, 12, 7, 0)) == "minuit"
    assert short_clock(paris(2026, 12, 7, 9, 5)) == "9 h 05"


moments = st.datetimes(
    min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2030, 12, 31), timezones=st.just(UTC)
)


@given(now=moments, hour=st.integers(min_value=8, max_value=22), minute=st.sampled_from([0, 15, 30, 45]))
def test_around_a_time_is_that_paris_time_plus_or_minus_half_an_hour(
    now: dt.datetime, hour: int, minute: int
) -> None:
    window = parse_callback_time(f"vers {hour}h{minute:02d}", now)
    assert window is not None and window.start is not None and window.end is not None
    middle = (window.start + dt.timedelta(minutes=30)).astimezone(PARIS)
    assert (middle.hour, middle.minute) == (hour, minute)
    assert window.end - window.start == dt.timedelta(hours=1)  # no DST change between 7 h 30 and 22 h 30
    assert window.end > now  # a past time means the next day
    assert window.start - now < dt.timedelta(days=1, hours=1)


@given(now=moments, text=st.text(max_size=40))
def test_any_text_gives_a_window_that_ends_after_it_starts_or_nothing(now: dt.datetime, text: str) -> None:
    window = parse_callback_time(text, now)
    if window is not None and not window.any_time:
        assert window.start is not None and window.end is not None and window.start < window.end
        assert window_text(window.start, window.end, now)
