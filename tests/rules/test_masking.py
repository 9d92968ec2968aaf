"""Email addresses are shown just enough for their owner to recognise them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rules.masking import MASK, mask_email

# Few examples: each one runs many checks, and the suite should stay fast.
FEW = settings(max_examples=25, deadline=None)


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("jeanne.dupont@exemple.fr", "j•••@e•••.fr"),
        ("a@mail.exemple.co.uk", "a•••@e•••.co.uk"),
        ("a@exemple.co.uk", "a•••@e•••.co.uk"),
        ("agent@service.exemple.gouv.fr", "a•••@e•••.gouv.fr"),
        ("jeanne@mail.exemple.fr", "j•••@e•••.fr"),
        ("Jeanne.Dupont@Exemple.FR", "J•••@e•••.fr"),
        ("  jeanne@exemple.fr\n", "j•••@e•••.fr"),
        ("<jeanne@exemple.fr>", "j•••@e•••.fr"),
        ("jeanne@exemple.fr.", "j•••@e•••.fr"),
        ("a@b.fr", "a•••@b•••.fr"),
        ("a@co.uk", "a•••@c•••.uk"),
        ("jeanne@localhost", "j•••@l•••"),
        ("a@b@exemple.fr", "a•••@e•••.fr"),
        ("@exemple.fr", "•••@e•••.fr"),
        ("jeanne@", "j•••@•••"),
        ("jeanne@.", "j•••@•••"),
        ("@", "•••@•••"),
        ("", "•••"),
        ("pas une adresse", "•••"),
        ("élodie@exemple.fr", "é•••@e•••.fr"),
    ],
)
def test_examples(address: str, masked: str) -> None:
    assert mask_email(address) == masked


@FEW
@given(st.emails())
def test_any_address_keeps_only_first_letters_and_suffix(address: str) -> None:
    local, domain = address.rsplit("@", 1)
    masked = mask_email(address)
    shown_local, shown_domain = masked.split("@")
    assert shown_local == local[0] + MASK
    assert shown_domain.startswith(MASK, 1)
    assert shown_domain.endswith("." + domain.lower().rstrip(".").rsplit(".", 1)[-1])


@FEW
@given(st.text(max_size=60))
def test_odd_input_never_crashes_nor_comes_back_whole(text: str) -> None:
    masked = mask_email(text)
    assert MASK in masked
    if len(text.strip()) > 1:
        assert masked != text
