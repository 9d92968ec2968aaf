"""The device cookie vouches for one login, for a while, and cannot be forged."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from bot.agents import devices

KEY = "clé-de-test-" + "x" * 20
NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.timezone.utc)


def test_a_cookie_is_recognised_for_its_login_only() -> None:
    cookie = devices.issue("claire", KEY, NOW)
    device = devices.recognised(cookie, "claire", KEY, NOW)
    assert device is not None and device.startswith("appareil:") and len(device) <= 64
    assert devices.recognised(cookie, "sam", KEY, NOW) is None
    assert devices.recognised(cookie, "claire", "une-autre-clé-" + "y" * 20, NOW) is None


def test_two_cookies_are_two_devices() -> None:
    first = devices.recognised(devices.issue("claire", KEY, NOW), "claire", KEY, NOW)
    second = devices.recognised(devices.issue("claire", KEY, NOW), "claire", KEY, NOW)
    assert first != second


def test_a_cookie_expires_after_its_lifetime() -> None:
    cookie = devices.issue("claire", KEY, NOW)
    assert devices.recognised(cookie, "claire", KEY, NOW + devices.LIFETIME) is not None
    assert devices.recognised(cookie, "claire", KEY, NOW + devices.LIFETIME + dt.timedelta(days=1)) is None


def test_a_cookie_with_its_day_moved_forward_is_refused() -> None:
    nonce, day, signature = devices.issue("claire", KEY, NOW).split(".")
    moved = f"{nonce}.{int(day) + 60}.{signature}"
    assert devices.recognised(moved, "claire", KEY, NOW + dt.timedelta(days=120)) is None


@given(st.text(max_size=300))
def test_anything_else_is_a_stranger(cookie: str) -> None:
    assert devices.recognised(cookie, "claire", KEY, NOW) is None
