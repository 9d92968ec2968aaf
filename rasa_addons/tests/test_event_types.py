"""Events find the same class through the table as through Rasa's own walk."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses

from rasa_addons import event_types


@pytest.fixture(autouse=True)
def rasa_as_it_comes() -> Iterator[None]:
    event_types.uninstall()
    yield
    event_types.uninstall()


def resolve_all(names: list[str]) -> list[Any]:
    return [Event.resolve_by_type(name) for name in names]


def test_every_event_type_resolves_to_the_same_class() -> None:
    names = [event_class.type_name for event_class in all_subclasses(Event)]
    rasa_own = resolve_all(names)
    event_types.install()
    assert resolve_all(names) == rasa_own
    # rasa.core.test (imported by RulePolicy) adds a second class named "user": names may repeat.
    assert len(set(rasa_own)) == len(set(names)) > 20


def test_unknown_names_behave_as_in_rasa() -> None:
    event_types.install()
    with pytest.raises(ValueError, match="Unknown event name 'nope'"):
        Event.resolve_by_type("nope")
    assert Event.resolve_by_type("nope", SlotSet) is SlotSet
    assert Event.resolve_by_type("topic") is None


def test_an_event_class_defined_afterwards_is_still_found() -> None:
    event_types.install()

    class LateEvent(Event):
        type_name = "sesame_late_event"

        def __eq__(self, other: Any) -> bool:
            return isinstance(other, LateEvent)

        def as_story_string(self) -> str:
            return "late"

    assert Event.resolve_by_type("sesame_late_event") is LateEvent


def test_a_conversation_round_trips_through_its_stored_form() -> None:
    events = [
        ActionExecuted("action_listen"),
        UserUttered("bonjour", {"name": "greet", "confidence": 0.9}),
        SlotSet("requested_slot", "nir"),
        BotUttered("Bonjour !", metadata={"utter_action": "utter_greet"}),
    ]
    event_types.install()
    assert [Event.from_parameters(event.as_dict()) for event in events] == events
