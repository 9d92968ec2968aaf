"""Times shown to members are Paris time, in French, across both daylight-saving changes.

Stored times are UTC; a member reads "hier à 23 h 30" in their own clock. The
day boundaries ("aujourd'hui", "hier", "demain") are Paris days, not UTC days,
and the hour shifts by one on the last Sundays of March and October.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.rules import french_time
from bot.rules.french_time import clock, day, moment, until

UTC = dt.timezone.utc


def utc(year: int, month: int, day_of_month: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(year, month, day_of_month, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (dt.date(2025, 1, 1), "1er janvier"),
        (dt.date(2024, 12, 5), "5 décembre"),
        (dt.date(2024, 8, 15), "15 août"),
        (dt.date(2024, 2, 29), "29 février"),
    ],
)
def test_day_is_french(value: dt.date, text: str) -> None:
    assert day(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (utc(2024, 1, 15, 8, 5), "9 h 05"),  # winter: UTC+1
        (utc(2024, 7, 15, 8, 5), "10 h 05"),  # summer: UTC+2
        (utc(2024, 12, 31, 23, 30), "0 h 30"),  # already the next day in Paris
    ],
)
def test_clock_is_paris_time(value: dt.datetime, text: str) -> None:
    assert clock(value) == text


def test_an_aware_time_in_another_zone_is_shown_in_paris_time() -> None:
    new_york = dt.timezone(dt.timedelta(hours=-5))
    assert clock(dt.datetime(2024, 1, 15, 3, 5, tzinfo=new_york)) == "9 h 05"


@pytest.mark.parametrize(
    ("value", "now", "text"),
    [
        (utc(2024, 12, 5, 8, 5), utc(2024, 12, 5, 15, 0), "aujourd'hui à 9 h 05"),
        (utc(2024, 12, 4, 17, 40), utc(2024, 12, 5, 8, 0), "hier à 18 h 40"),
        (utc(2024, 12, 6, 8, 5), utc(2024, 12, 5, 8, 0), "demain à 9 h 05"),
        (utc(2024, 12, 3, 8, 5), utc(2024, 12, 5, 8, 0), "le 3 décembre à 9 h 05"),
        (utc(2024, 12, 7, 8, 5), utc(2024, 12, 5, 8, 0), "le 7 décembre à 9 h 05"),
        # 23:30 UTC on the 4th is 0:30 on the 5th in Paris: today, not yesterday.
        (utc(2024, 12, 4, 23, 30), utc(2024, 12, 5, 10, 0), "aujourd'hui à 0 h 30"),
        # 22:30 UTC on the 5th is still the 5th in Paris, but "now" (23:30 UTC) is the 6th.
        (utc(2024, 12, 5, 22, 30), utc(2024, 12, 5, 23, 30), "hier à 23 h 30"),
        (utc(2024, 12, 31, 22, 0), utc(2025, 1, 1, 9, 0), "hier à 23 h 00"),
    ],
)
def test_moment_counts_paris_days(value: dt.datetime, now: dt.datetime, text: str) -> None:
    assert moment(value, now) == text


def test_spring_forward_last_sunday_of_march() -> None:
    """31 March 2024: at 1:00 UTC, Paris jumps from 2:00 (UTC+1) to 3:00 (UTC+2)."""
    assert clock(utc(2024, 3, 31, 0, 59)) == "1 h 59"
    assert clock(utc(2024, 3, 31, 1, 0)) == "3 h 00"
    # A request the evening before, read the morning after the change.
    assert moment(utc(2024, 3, 30, 22, 30), utc(2024, 3, 31, 7, 0)) == "hier à 23 h 30"
    # A day later in UTC is a day later in Paris too, one hour later on the clock.
    assert moment(utc(2024, 4, 1, 8, 0), utc(2024, 3, 31, 8, 0)) == "demain à 10 h 00"


def test_fall_back_last_sunday_of_october() -> None:
    """27 October 2024: at 1:00 UTC, Paris goes back from 3:00 (UTC+2) to 2:00 (UTC+1)."""
    assert clock(utc(2024, 10, 27, 0, 30)) == "2 h 30"
    assert clock(utc(2024, 10, 27, 1, 30)) == "2 h 30"  # the same wall time, an hour later
    assert moment(utc(2024, 10, 26, 21, 45), utc(2024, 10, 27, 7, 0)) == "hier à 23 h 45"
    # 23:30 UTC on the 27th is 0:30 on the 28th in winter time: tomorrow.
    assert moment(utc(2024, 10, 27, 23, 30), utc(2024, 10, 27, 12, 0)) == "demain à 0 h 30"
    # …whereas the day before (summer time) 22:30 UTC was already the next day.
    assert moment(utc(2024, 10, 26, 22, 30), utc(2024, 10, 26, 12, 0)) == "demain à 0 h 30"


@pytest.mark.parametrize(
    ("value", "now", "text"),
    [
        (utc(2024, 12, 5, 9, 5), utc(2024, 12, 5, 8, 5), "à 10 h 05"),
        (utc(2024, 12, 6, 9, 5), utc(2024, 12, 5, 8, 5), "au 6 décembre à 10 h 05"),
        # A link valid for an hour, across the October change: same Paris day.
        (utc(2024, 10, 27, 1, 30), utc(2024, 10, 27, 0, 30), "à 2 h 30"),
        (utc(2024, 3, 31, 1, 30), utc(2024, 3, 31, 0, 30), "à 3 h 30"),
    ],
)
def test_until_says_the_day_only_when_it_is_not_today(
    value: dt.datetime, now: dt.datetime, text: str
) -> None:
    assert until(value, now) == text


def test_retry_when_counts_minutes_within_the_hour_then_gives_the_time() -> None:
    now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)  # 10 h 00 in Paris
    assert french_time.retry_when(now + dt.timedelta(seconds=5), now) == "dans 1 minute"
    assert french_time.retry_when(now + dt.timedelta(minutes=39, seconds=1), now) == "dans 40 minutes"
    assert french_time.retry_when(now + dt.timedelta(minutes=75), now) == "aujourd'hui à 11 h 15"
