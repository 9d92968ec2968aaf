"""The reset form's decisions that do not need a database (issue #10)."""

from __future__ import annotations

from bot.dialogue.reset import (
    CheckedNir,
    KeptNir,
    LookupPaused,
    MemberFound,
    NirRefused,
    Reply,
    checked_nir,
    kept_for_later,
    nir_in_message,
    offer_question,
    reset_wanted_for_known_number,
    slots_to_ask,
    volunteered_slots,
    wants_reset_now,
    words_ask_for_a_code,
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


CAMILLE = "2 91 09 75 006 373 88"


def test_no_email_address_beside_a_number_asks_for_a_code() -> None:
    """Gap 2: the number makes the classifier read a bare provide_nir; the words still count."""
    for text in [
        f"je n'ai pas d'e-mail, mon numéro est {CAMILLE}",
        f"{CAMILLE} pas d'adresse mail",
        f"mon numero de secu {CAMILLE}, j'ai pas de mail",
        f"je n\u2019ai pas d\u2019adresse électronique : {CAMILLE}",
        f"sans courriel, voici mon n° {CAMILLE}",
        f"{CAMILLE}, je voudrais un nouveau code",
        f"j'ai perdu mon code, mon numéro {CAMILLE}",
        f"{CAMILLE} oublié mon mot de passe",
    ]:
        assert words_ask_for_a_code(text), text
        assert wants_reset_now("provide_nir", None, text), text


def test_a_number_with_other_words_is_only_offered() -> None:
    for text in [
        CAMILLE,
        f"mon numéro de sécu est le {CAMILLE} merci",
        f"j'ai pas reçu le mail, mon numéro {CAMILLE}",  # a reset is on its way: no new one
        f"le mail ne marche pas {CAMILLE}",
    ]:
        assert not words_ask_for_a_code(text), text
        assert not wants_reset_now("provide_nir", None, text), text


def test_the_digits_of_the_number_are_not_read_as_words() -> None:
    assert not words_ask_for_a_code("2 91 09 75 006 373 88")
    assert not words_ask_for_a_code("")


def test_a_wish_after_a_checked_number_answers_the_offer() -> None:
    """Gap 3: "Recevoir un nouveau code" after a number checked in the diagnostic."""
    assert reset_wanted_for_known_number(None, "ref", "c•••@a•••.example", "forgot_access_code") == {
        "reset_wanted": True
    }
    assert reset_wanted_for_known_number(None, "ref", "", "no_email_address") == {"reset_wanted": True}
    # Not without a number checked for this request, nor for another intent, nor twice.
    assert reset_wanted_for_known_number(None, "ref", None, "forgot_access_code") == {}
    assert reset_wanted_for_known_number(None, None, None, "forgot_access_code") == {}
    assert reset_wanted_for_known_number(None, "ref", "", "provide_nir") == {}
    assert reset_wanted_for_known_number(None, "ref", "", "affirm") == {}
    assert reset_wanted_for_known_number(False, "ref", "", "forgot_access_code") == {}


def test_a_number_found_during_the_diagnostic_is_kept_hashed() -> None:
    found = checked_nir(MemberFound("ref", "2 91 ** ** *** *** 88", "c•••@a•••.example"), 0)
    kept = kept_for_later(found)
    assert kept == KeptNir(
        {"member_ref": "ref", "reset_destination": "c•••@a•••.example"},
        (Reply("utter_provide_nir_kept"),),
    )
    assert "nir" not in kept.slots and "reset_wanted" not in kept.slots


def test_a_number_refused_during_the_diagnostic_is_said_and_will_be_asked_again() -> None:
    kept = kept_for_later(checked_nir(NirRefused(reply=Reply("utter_nir_unknown")), 0))
    assert kept.slots == {"member_ref": None, "nir_attempts": 1.0}
    assert kept.said == (Reply("utter_nir_unknown"), Reply("utter_provide_nir_out_of_context"))
    bad_key = kept_for_later(checked_nir(NirRefused(message="La clé ne correspond pas."), 1))
    assert bad_key.said == ("La clé ne correspond pas.", Reply("utter_provide_nir_out_of_context"))


def test_a_paused_look_up_during_the_diagnostic_does_not_end_a_later_request() -> None:
    paused = checked_nir(LookupPaused(Reply("utter_lookup_limited", {"retry_after": "dans 5 minutes"})), 0)
    kept = kept_for_later(paused)
    assert "lookup_paused" not in kept.slots and "nir" not in kept.slots
    assert kept.said == (Reply("utter_lookup_limited", {"retry_after": "dans 5 minutes"}),)
    assert kept_for_later(None) == KeptNir({}, (Reply("utter_provide_nir_out_of_context"),))
