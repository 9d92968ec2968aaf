"""The console's assistant: the member bot's own answers, laid out for an agent."""

from __future__ import annotations

import re

import pytest

from bot.agents.assistant import (
    NOT_QUESTIONS,
    AgentAnswer,
    answer_for,
    close_call,
    console_wording,
    fill,
    plain,
)
from bot.dialogue.intents import REGISTRY
from bot.settings import Settings, load_settings
from tests.conftest import ROOT, load_yaml

INTENTS = load_yaml(ROOT / "domain" / "intents.yml")["intents"]
RESPONSES = {
    name: variants[0]["text"]
    for path in sorted((ROOT / "domain" / "responses").glob("*.yml"))
    for name, variants in (load_yaml(path).get("responses") or {}).items()
}
CONSOLE = load_yaml(ROOT / "domain" / "responses" / "console_conseillers.yml")["console"]
UNFILLED = re.compile(r"{[a-z_]+}")


def answer(intent: str) -> AgentAnswer:
    return answer_for(intent, load_settings())


@pytest.mark.parametrize("intent", INTENTS)
def test_every_intent_gets_an_answer_with_nothing_left_to_fill(intent: str) -> None:
    given = answer(intent)
    assert given.intent == intent and given.label
    assert given.say or given.steps or given.to_do
    for text in (given.say or "", given.to_do or "", *given.steps):
        assert not UNFILLED.search(text), (intent, text)
        assert "](" not in text  # links are written out for reading aloud
    if given.say is None and not given.steps:
        assert given.to_do  # the agent is never left with nothing


def test_the_text_to_read_out_is_the_member_response_and_the_steps_its_long_version() -> None:
    given = answer("forgot_access_code")
    assert given.say == RESPONSES["utter_forgot_access_code"]
    detail = RESPONSES["utter_forgot_access_code_detail"]
    first = detail.split("\n")[0].removeprefix("Plus en détail : ")
    assert given.steps[0] == first[0].upper() + first[1:]  # the lead-in gone, a sentence starts
    assert given.steps[1:] == tuple(line.lstrip("• ").strip() for line in detail.split("\n")[1:])
    assert given.to_do == CONSOLE["intentions"]["forgot_access_code"]["a_faire"]
    assert given.label == REGISTRY.labels["forgot_access_code"] == REGISTRY.staff_labels["forgot_access_code"]
    assert given.in_help_document


def test_a_response_named_in_the_console_file_is_the_one_read_out_with_the_settings_filled_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RESET_TOKEN_TTL_MINUTES", "45")
    given = answer("reset_link_not_working")
    expected = RESPONSES[CONSOLE["intentions"]["reset_link_not_working"]["reponse"]]
    assert "{ttl_minutes}" in expected
    assert given.say == expected.replace("{ttl_minutes}", "45")
    assert "valable que 45 minutes" in (given.say or "")


def test_asking_for_an_agent_is_answered_by_the_agent_not_by_the_bot_s_text() -> None:
    # The member asked for an agent: they are talking to one (the bot would give {phone}).
    given = answer("request_human")
    assert given.say is None
    assert given.to_do == CONSOLE["intentions"]["request_human"]["a_faire"]
    assert "c'est vous" in (given.to_do or "")


@pytest.mark.parametrize("intent", ["greet", "thank", "affirm", "deny", "ask_more", "nlu_fallback"])
def test_small_talk_has_nothing_to_read_out_and_asks_what_brings_the_member(intent: str) -> None:
    given = answer(intent)
    assert (given.say, given.to_do) == (None, console_wording().not_a_question)
    assert "ce qui l'amène" in (given.to_do or "")


ENGLISH_NAME = re.compile(r"^[a-z]+(?: [a-z]+)*$")


@pytest.mark.parametrize("intent", REGISTRY.names)
def test_every_intent_is_named_in_french_for_the_agent(intent: str) -> None:
    """« out of scope — 63 % », « deny »: an English name on the console's buttons (issue 21, item 4)."""
    label = answer(intent).label
    assert label == REGISTRY.staff_labels[intent]
    assert not ENGLISH_NAME.match(label) and "_" not in label and label != intent.replace("_", " ")
    assert label[0].isupper()


@pytest.mark.parametrize(
    ("intent", "french"),
    [("out_of_scope", "Hors sujet"), ("deny", "Non"), ("share_access_code", "Donne son code d'accès")],
)
def test_the_names_the_issue_saw_in_english(intent: str, french: str) -> None:
    assert answer(intent).label == french


SENDS_TO_AN_AGENT = re.compile(r"conseiller|Sésame|assistant virtuel|je peux vous mettre", re.IGNORECASE)


@pytest.mark.parametrize("intent", REGISTRY.names)
def test_the_agent_is_never_told_to_send_the_member_to_an_agent(intent: str) -> None:
    """« À dire à l'adhérent : … un conseiller ACS pourra vous aider », said to that conseiller."""
    given = answer(intent)
    for text in (given.say or "", *given.steps):
        assert not re.search(r"un conseiller(?: ACS)? (?:peut|pourra)|mettre en relation", text), (
            intent,
            text,
        )
        assert "Sésame" not in text and "assistant virtuel" not in text, (intent, text)
    member_text = RESPONSES.get(f"utter_{intent}", "")
    if SENDS_TO_AN_AGENT.search(member_text) and intent not in NOT_QUESTIONS:
        assert "a_dire" in CONSOLE["intentions"].get(intent, {}), intent  # the agent's own wording


def test_out_of_scope_has_nothing_to_read_out_and_bot_challenge_is_the_agents_answer() -> None:
    outside = answer("out_of_scope")
    assert outside.say is None and "consignes du centre d'appel" in (outside.to_do or "")
    person = answer("bot_challenge")
    assert person.say == CONSOLE["intentions"]["bot_challenge"]["a_dire"]
    assert "une personne" in (person.say or "")


def ranked(*pairs: tuple[str, float]) -> list[dict[str, object]]:
    return [{"name": name, "confidence": confidence} for name, confidence in pairs]


def settings_with(points: str) -> Settings:
    return Settings.from_values({"ASSISTANT_CLOSE_CALL_POINTS": points})


def test_a_close_call_gives_the_second_intent() -> None:
    close = ranked(("forgot_access_code", 0.54), ("email_not_received", 0.45), ("greet", 0.01))
    assert close_call(close, settings_with("15")) == "email_not_received"
    assert close_call(close, settings_with("9")) == "email_not_received"  # 9 points apart: still close
    assert close_call(close, settings_with("8")) is None
    assert close_call(close, settings_with("0")) is None  # 0: always one answer
    clear = ranked(("forgot_access_code", 0.91), ("email_not_received", 0.05))
    assert close_call(clear, settings_with("15")) is None
    assert close_call(ranked(("forgot_access_code", 0.9)), settings_with("15")) is None


def test_an_intent_the_registry_does_not_know_gets_the_generic_text() -> None:
    given = answer("question_inconnue")
    assert (given.label, given.say, given.steps, given.in_help_document) == (
        "question inconnue",
        None,
        (),
        False,
    )
    assert given.to_do == CONSOLE["hors_document"]
    assert "n'est pas traitée par le document d'aide" in (given.to_do or "")


def test_markdown_links_are_read_as_label_and_address() -> None:
    assert plain(" Voir [l'Espace Adhérent](https://exemple.fr/espace) ") == (
        "Voir l'Espace Adhérent (https://exemple.fr/espace)"
    )


def test_a_placeholder_without_a_value_leaves_nothing_to_read_out() -> None:
    assert fill("valable {ttl_minutes} minutes", {"ttl_minutes": "60"}) == "valable 60 minutes"
    assert fill("joignez le {phone}, {hours}", {"phone": "01 23"}) is None
