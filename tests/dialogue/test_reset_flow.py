"""The reset form's decisions that do not need a database (issue #10)."""

from __future__ import annotations

from bot.dialogue.reset import (
    CheckedNir,
    LookupPaused,
    MemberFound,
    NirRefused,
    Reply,
    checked_nir,
    nir_in_message,
    offer_question,
    slots_to_ask,
    volunteered_slots,
    wants_reset_now,
)

SLOTS = ["reset_wanted", "nir", "reset_confirmed"]


def ask(**kwargs: object) -> list[str]:
    settled: dict[str, object] = {
        "reset_wanted": None,
        "attempts": 0.0,
        "member_ref": None,
        "destination": None,
        "lookup_paused": False,
    }
    settled.update(kwargs)
    return slots_to_ask(SLOTS, **settled)  # type: ignore[arg-type]


def test_the_form_ends_on_no_on_three_refusals_or_a_pause() -> None:
    assert ask() == SLOTS
    assert ask(reset_wanted=False) == []
    assert ask(attempts=3.0) == []
    assert ask(lookup_paused=True) == []


def test_a_number_verified_for_this_request_is_not_asked_again() -> None:
    assert ask(member_ref="ref", destination="") == ["reset_wanted", "reset_confirmed"]
    assert ask(member_ref="ref", destination=None) == SLOTS


def test_the_offer_for_a_given_number_does_not_say_whether_it_is_known() -> None:
    assert offer_question("ref", "c•••@a•••.example") == Reply("utter_ask_reset_with_given_nir")
    assert offer_question(None, None) == Reply("utter_ask_reset_wanted")


def test_a_wish_or_the_reset_topic_means_go_on() -> None:
    assert wants_reset_now("forgot_access_code", None)
    assert wants_reset_now("no_email_address", "utter_greet")
    assert wants_reset_now("provide_nir", "action_submit_reset")
    assert wants_reset_now("provide_nir", "utter_forgot_access_code")
    assert not wants_reset_now("provide_nir", "utter_thank")
    assert not wants_reset_now("provide_nir", None)


def test_the_number_is_taken_from_the_entity_else_from_the_text() -> None:
    assert nir_in_message("x", [{"entity": "nir", "value": "2 91"}]) == "2 91"
    assert nir_in_message("voici 2 91 09 75 006 373 88, merci", []) == "2 91 09 75 006 373 88"
    assert nir_in_message("rien", []) == "rien"


def test_a_volunteered_number_never_fills_the_nir_slot() -> None:
    found = checked_nir(MemberFound("ref", "2 91 ** ** *** *** 88", None), 0)
    assert found.slots["nir"] == "2 91 ** ** *** *** 88"  # the form's question shows it masked
    assert volunteered_slots(found, wish=False) == {
        "member_ref": "ref",
        "reset_destination": "",
        "reset_wanted": None,
    }
    assert volunteered_slots(found, wish=True)["reset_wanted"] is True


def test_refusals_count_and_the_last_one_says_nothing_itself() -> None:
    refused = checked_nir(NirRefused(message="Trop court."), 1)
    assert refused == CheckedNir(
        {"nir": None, "member_ref": None, "nir_attempts": 2.0}, message="Trop court."
    )
    last = checked_nir(NirRefused(reply=Reply("utter_nir_unknown")), 2)
    assert last.message is None and last.reply is None
    assert volunteered_slots(last, wish=False)["reset_wanted"] is True
    paused = checked_nir(LookupPaused(Reply("utter_lookup_limited", {"retry_after": "à 15 h"})), 0)
    assert paused.slots["lookup_paused"] is True and paused.reply is not None
