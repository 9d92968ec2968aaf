"""The summary and the transcript an agent reads, from the conversation's events alone."""

from __future__ import annotations

from bot.db.enums import HandoffReason
from bot.handoffs.summary import (
    button_titles,
    nir_checked,
    one_line,
    resets,
    steps,
    summary,
    topics,
    transcript,
)
from bot.shared.patterns import CODE_MASK, NIR_MASK
from bot.shared.redaction import PHONE_MASK
from tests.handoffs.events import NIR, RESET_THEN_PERSON, action, bot, slot, user


def test_topics_are_the_labels_in_order_once_each_without_the_request_itself() -> None:
    assert topics(RESET_THEN_PERSON) == [
        "J'ai oublié mon code d'accès",
        "Comment me connecter à mon Espace Adhérent",
    ]


def test_the_summary_says_what_happened_and_never_the_number() -> None:
    text = summary(RESET_THEN_PERSON, HandoffReason.ASKED)
    assert text.splitlines() == [
        "Motif : l'adhérent a demandé à parler à un conseiller.",
        "Sujets abordés : J'ai oublié mon code d'accès; Comment me connecter à mon Espace Adhérent.",
        "Étapes faites : demande de nouveau code commencée; "
        "l'adhérent a tapé un code d'accès (masqué), averti de ne jamais le partager.",
        "Numéro de Sécurité sociale vérifié : oui.",
        "Nouveau code d'accès : nouveau code demandé, e-mail de réinitialisation envoyé.",
    ]
    assert "a1b2c3" not in text and "95 06" not in text


def test_a_conversation_with_nothing_recognised() -> None:
    events = [user("blabla", "nlu_fallback"), user("???", "nlu_fallback")]
    text = summary(events, HandoffReason.BOT_FAILED)
    assert "Motif : Sésame n'a pas compris l'adhérent deux fois de suite." in text
    assert "Sujets abordés : aucun sujet reconnu." in text
    assert "Numéro de Sécurité sociale vérifié : non." in text
    assert "Nouveau code d'accès : aucune demande." in text


def test_a_cleared_member_ref_was_still_checked_and_a_none_is_not() -> None:
    assert nir_checked([slot("member_ref", "x"), slot("member_ref", None)])
    assert not nir_checked([slot("member_ref", None), slot("nir", "[NIR masqué]")])


def test_resets_and_steps_come_from_the_responses_and_actions() -> None:
    events = [
        action("login_problem_form"),
        slot("login_problem", "captcha"),
        action("action_answer_login_problem"),
        bot("…", "utter_reset_letter_on_its_way"),
        bot("…", "utter_reset_daily_limit"),
        bot("…", "utter_reset_daily_limit"),
    ]
    assert resets(events) == [
        "un courrier était déjà en route (rien de nouveau envoyé)",
        "limite de demandes du jour atteinte (rien envoyé)",
    ]
    assert steps(events) == [
        "diagnostic « je n'arrive pas à me connecter » commencé",
        "problème de connexion : CAPTCHA après plusieurs essais",
        "cause du problème de connexion trouvée et expliquée",
    ]


def test_a_restart_forgets_what_came_before() -> None:
    events = [
        user("j'ai oublié mon code", "forgot_access_code"),
        {"event": "restart"},
        user("bonjour", "greet"),
    ]
    assert topics(events[2:]) == topics([]) == []
    assert "aucun sujet reconnu" in summary(events, HandoffReason.ASKED)
    assert transcript(events) == [{"qui": "adherent", "texte": "bonjour"}]


def test_the_transcript_is_masked_as_the_conversation_store_masks_it() -> None:
    lines = transcript(RESET_THEN_PERSON)
    assert lines[0] == {"qui": "adherent", "texte": "j'ai oublié mon code"}
    assert lines[1] == {"qui": "sesame", "texte": "Pas de panique…"}
    said = " ".join(line["texte"] for line in lines)
    assert NIR not in said and "482913" not in said
    assert {"qui": "adherent", "texte": NIR_MASK} in lines  # typed while the NIR was asked: masked whole
    assert {"qui": "adherent", "texte": f"mon code {CODE_MASK} marche pas"} in lines
    assert lines[-1] == {"qui": "adherent", "texte": "je veux parler à un conseiller"}


def test_a_phone_typed_for_a_call_back_is_masked_and_buttons_read_as_their_label() -> None:
    events = [
        user("/request_human", "request_human"),
        {"event": "active_loop", "name": "callback_form"},
        slot("requested_slot", "callback_phone"),
        bot("À quel numéro ?", "utter_ask_callback_phone"),
        user("06 12 34", "nlu_fallback"),
        bot("Il manque des chiffres…"),
        user("le 06 12 34 56 78", "provide_nir"),
    ]
    lines = transcript(events)
    assert lines[0] == {"qui": "adherent", "texte": "Parler à un conseiller"}
    assert [line["texte"] for line in lines if line["qui"] == "adherent"][1:] == [PHONE_MASK, PHONE_MASK]


def test_a_button_reads_as_the_title_the_member_pressed_not_its_payload() -> None:
    """« /affirm » in the transcript (issue 21): the agent reads « Oui, rappelez-moi »."""
    offer = bot("Voulez-vous qu'un conseiller ACS vous rappelle ?", "utter_ask_callback_wanted")
    offer["data"] = {
        "buttons": [
            {"title": "Oui, rappelez-moi", "payload": "/affirm"},
            {"title": "Non merci", "payload": "/deny"},
        ]
    }
    events = [offer, user("/affirm", "affirm"), bot("Quand ?"), user("/deny", "deny")]
    said = [line["texte"] for line in transcript(events) if line["qui"] == "adherent"]
    # The first from the buttons of the message before; the second from the domain's buttons.
    assert said[0] == "Oui, rappelez-moi"
    assert said[1] == button_titles()["/deny"] and not said[1].startswith("/")
    assert transcript([user("/deny", "deny")])[0]["texte"] == button_titles()["/deny"]
    assert transcript([user("/out_of_scope", "out_of_scope")])[0]["texte"] == "Autre chose"


def test_one_line_joins_and_cuts() -> None:
    assert one_line("a\n\nb") == "a | b"
    assert one_line("x" * 200, 10) == "x" * 9 + "…"
