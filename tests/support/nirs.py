"""Generated NIRs for tests: random, valid by checksum, never a real person's."""

from __future__ import annotations

from hypothesis import strategies as st
from stdnum.fr import nir


def with_key(body: str) -> str:
    """Append the 2-digit key that python-stdnum computes for a 13-character body."""
    return body + nir.calc_check_digits(body)


valid_nirs = st.builds(
    lambda sex, year, month, dep, commune, order: with_key(
        f"{sex}{year:02d}{month:02d}{dep}{commune:03d}{order:03d}"
    ),
    st.sampled_from("12"),
    st.integers(0, 99),
    st.integers(1, 12),
    st.sampled_from([f"{d:02d}" for d in range(1, 96) if d != 20] + ["2A", "2B"]),
    st.integers(1, 990),
    st.integers(1, 999),
)


def spellings(number: str) -> list[str]:
    """The ways members write the same NIR: grouped by spaces, dots, dashes, or not."""
    groups = [number[0], number[1:3], number[3:5], number[5:7], number[7:10], number[10:13], number[13:]]
    return [number] + [sep.join(groups) for sep in (" ", ".", "-", " . ")]
