"""RulePolicy predicts the same from the last states as from the whole conversation (Rasa's own)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.core.training_data.structures import StoryGraph

from rasa_addons import rule_history

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet, ask, inform, stop, thank, chitchat]
slots:
  name:
    type: text
    mappings:
      - type: from_text
        conditions:
          - active_loop: f
            requested_slot: name
forms:
  f:
    required_slots: [name]
responses:
  utter_greet: [{text: "bonjour"}]
  utter_thank: [{text: "de rien"}]
  utter_ask_name: [{text: "votre nom ?"}]
  utter_done: [{text: "c'est fait"}]
  utter_stop: [{text: "d'accord"}]
"""
)
RULES = """
version: "3.1"
rules:
- rule: greet
  steps: [{intent: greet}, {action: utter_greet}]
- rule: first greet
  conversation_start: true
  steps: [{intent: greet}, {action: utter_greet}]
- rule: thank
  steps: [{intent: thank}, {action: utter_thank}]
- rule: start form
  steps: [{intent: ask}, {action: f}, {active_loop: f}]
- rule: submit
  condition: [{active_loop: f}]
  steps: [{action: f}, {active_loop: null}, {slot_was_set: [{requested_slot: null}]}, {action: utter_done}]
- rule: stop in form
  condition: [{active_loop: f}]
  steps: [{intent: stop}, {action: utter_stop}, {action: f}, {active_loop: null}]
"""
INTENTS = ["greet", "ask", "inform", "stop", "thank", "chitchat"]


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> RulePolicy:
    where = tmp_path_factory.mktemp("rules")
    (where / "rules.yml").write_text(RULES)
    (where / "storage").mkdir()
    steps = YAMLStoryReader(DOMAIN).read_from_file(where / "rules.yml")
    trackers = TrainingDataGenerator(StoryGraph(steps), DOMAIN, augmentation_factor=0).generate()
    context = ExecutionContext(GraphSchema({}), "test")
    trained = RulePolicy.create(
        RulePolicy.get_default_config(), LocalModelStorage(where / "storage"), Resource("rules"), context
    )
    trained.train(trackers, DOMAIN)
    return trained


@pytest.fixture(autouse=True)
def rasa_as_it_comes() -> Iterator[None]:
    rule_history.uninstall()
    yield
    rule_history.uninstall()


def predict(policy: RulePolicy, tracker: DialogueStateTracker, ours: bool) -> Any:
    (rule_history.install if ours else rule_history.uninstall)()
    prediction, source = policy._predict(tracker, DOMAIN)
    return (
        prediction.probabilities,
        prediction.events,
        prediction.hide_rule_turn,
        prediction.is_end_to_end_prediction,
        source,
    )


def run_action(tracker: DialogueStateTracker, action: str) -> None:
    """The action's events, as the form and the responses would give them."""
    tracker.update(ActionExecuted(action, policy="RulePolicy", confidence=1.0))
    if action != "f":
        return
    if tracker.active_loop_name != "f":
        tracker.update_with_events([ActiveLoop("f"), SlotSet(REQUESTED_SLOT, "name")], DOMAIN)
    elif tracker.latest_message is not None and tracker.latest_message.intent.get("name") == "inform":
        tracker.update_with_events(
            [SlotSet("name", "Camille"), SlotSet(REQUESTED_SLOT, None), ActiveLoop(None)], DOMAIN
        )


def conversation(policy: RulePolicy, seed: int, turns: int) -> Iterator[tuple[Any, Any]]:
    """Rasa's and our prediction before every action of a random conversation."""
    rng = random.Random(seed)
    tracker = DialogueStateTracker("conv", DOMAIN.slots)
    tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
    for _ in range(turns):
        intent = rng.choice(INTENTS)
        tracker.update(UserUttered(f"texte {intent}", {"name": intent, "confidence": 1.0}))
        for _ in range(6):  # an action, the form's steps, then listening
            rasa_own, ours = predict(policy, tracker, False), predict(policy, tracker, True)
            yield rasa_own, ours
            probabilities = rasa_own[0]
            best = max(range(len(probabilities)), key=probabilities.__getitem__)
            action = DOMAIN.action_names_or_texts[best] if probabilities[best] > 0.5 else ACTION_LISTEN_NAME
            run_action(tracker, action)
            if action == ACTION_LISTEN_NAME:
                break


@pytest.mark.parametrize("seed", range(6))
def test_same_predictions_as_rasa_turn_after_turn(policy: RulePolicy, seed: int) -> None:
    compared = list(conversation(policy, seed, turns=25))
    assert len(compared) > 40
    for rasa_own, ours in compared:
        assert ours == rasa_own
    # The conversations took every path: rules, the form, and no rule at all (the fallback).
    sources = [rasa_own[4] for rasa_own, _ in compared]
    assert any(source in policy.lookup["rules"] for source in sources)
    assert any(source not in policy.lookup["rules"] for source in sources)


def test_only_the_longest_rule_s_states_are_made(policy: RulePolicy) -> None:
    tracker = DialogueStateTracker("conv", DOMAIN.slots)
    for number in range(30):
        tracker.update_with_events(
            [ActionExecuted(ACTION_LISTEN_NAME), UserUttered(f"{number}", {"name": "greet"})], DOMAIN
        )
        run_action(tracker, "utter_greet")
    every_state = tracker.past_states(DOMAIN)
    longest = rule_history.longest_rule(policy)
    assert longest == 3
    assert rule_history.last_states(tracker, DOMAIN, longest) == every_state[-longest:]
    assert rule_history.last_states(tracker, DOMAIN, 1000) == every_state
