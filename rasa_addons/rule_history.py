"""RulePolicy looks at the end of the conversation only, as its rules do.

To find the rule for the next action, Rasa 3.6's ``RulePolicy`` turns the *whole*
conversation into states (one per action: the slots, the active loop, the last user
message and action), twice per prediction and several predictions per message: the
Rasa server's CPU per message grew with the length of the conversation (issue #24).

A rule is a few states long, and ``RulePolicy._get_possible_keys`` compares a rule
with the last states only: past the longest rule, every rule is applicable whatever
the state (``_is_rule_applicable``). So here the states are made for the last
``longest rule`` actions only; the conversation is still replayed from its start (the
slots of the last states depend on it), but the states of older actions, most of the
cost, are not built. The same rules match, so the same action is predicted.

One value depends on every state: when no rule matches, Rasa returns a key made of all
the states as the prediction's "source", which decides whether the turn is hidden from
ML policies. When the intent-based search (whose source is used) matches no rule, it
runs again over the whole conversation, as Rasa runs it: rare (the fallback), and exact.
The text-based search's source is used only when a rule matched.

The rules themselves are compared as Rasa compares them, but each rule is read from its
JSON key once per model (``_get_possible_keys``), not once per rule, state and message.

Only for a RulePolicy whose states are those of ``states_for_tracker_history`` without
rule-only turns removed (RulePolicy's own data), ``rasa_addons/tests/test_rule_history.py``
compares predictions with Rasa's own. Installed by ``rasa_addons.speedups``.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Callable
from typing import Any

from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer
from rasa.core.policies.policy import SupportedData
from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker

_ORIGINAL_FIND: Callable[..., tuple[str | None, str | None, bool]] = RulePolicy._find_action_from_rules
_ORIGINAL_STATES: Callable[..., list[State]] = RulePolicy._prediction_states
_ORIGINAL_KEYS: Callable[..., set[str]] = RulePolicy._get_possible_keys
_LONGEST = "_sesame_longest_rule"
_PREPARED = "_sesame_prepared_rules"
# A rule read once: from its last state back, whether the state has a previous action,
# and its (state type, [(feature, value)]) with lists made tuples, as Rasa compares them.
PreparedRule = list[tuple[bool, list[tuple[str, list[tuple[str, Any]]]]]]
# Set while RulePolicy searches its rules: the states it asks for may then end early.
_LAST_STATES_ONLY = contextvars.ContextVar("sesame_last_states_only", default=False)


def longest_rule(policy: RulePolicy) -> int:
    """The number of states of the policy's longest rule (rules and loops' unhappy paths)."""
    longest = policy.__dict__.get(_LONGEST)
    if longest is None:
        keys = [*policy.lookup.get(RULES, {}), *policy.lookup.get(RULES_FOR_LOOP_UNHAPPY_PATH, {})]
        longest = max((len(json.loads(key)) for key in keys), default=0)
        policy.__dict__[_LONGEST] = longest
    return int(longest)


def last_states(tracker: DialogueStateTracker, domain: Domain, keep: int) -> list[State]:
    """The last ``keep`` of ``domain.states_for_tracker_history(tracker)`` (its defaults), built alone.

    The same walk as ``DialogueStateTracker.generate_all_prior_trackers``: one state before
    each action, and one at the end.
    """
    applied = tracker.applied_events()
    total = 1 + sum(isinstance(event, ActionExecuted) for event in applied)
    first = total - keep
    states: list[State] = []
    prior = tracker.init_copy()
    index = 0
    for event in applied:
        if isinstance(event, ActionExecuted):
            if index >= first:
                states.append(domain._clean_state(domain.get_active_state(prior)))
            index += 1
        prior.update(event)
    states.append(domain._clean_state(domain.get_active_state(prior)))
    return states


def _prepare(rule_key: str) -> PreparedRule:
    prepared: PreparedRule = []
    for state in reversed(RulePolicy._rule_key_to_state(rule_key)):
        features = [
            (
                kind,
                [(name, tuple(value) if isinstance(value, list) else value) for name, value in sub.items()],
            )
            for kind, sub in state.items()
        ]
        prepared.append((bool(state.get(PREVIOUS_ACTION)), features))
    return prepared


def _matches(features: list[tuple[str, list[tuple[str, Any]]]], conversation_state: State) -> bool:
    """``RulePolicy._does_rule_match_state``, on a prepared rule state."""
    for kind, rule_features in features:
        conversation_features = conversation_state.get(kind, {})
        for name, from_rule in rule_features:
            from_conversation = conversation_features.get(name)
            if (from_rule and from_rule != SHOULD_NOT_BE_SET and from_conversation != from_rule) or (
                from_rule == SHOULD_NOT_BE_SET
                and from_conversation
                and from_conversation != SHOULD_NOT_BE_SET
            ):
                return False
    return True


def _get_possible_keys(self: RulePolicy, lookup: dict[str, str], states: list[State]) -> set[str]:
    """Rasa's rule filter (``_is_rule_applicable`` for every state from the last back)."""
    prepared_all = self.__dict__.setdefault(_PREPARED, {})
    if not any(lookup is self.lookup.get(name) for name in (RULES, RULES_FOR_LOOP_UNHAPPY_PATH)):
        return _ORIGINAL_KEYS(self, lookup, states)
    prepared = prepared_all.get(id(lookup))
    if prepared is None or len(prepared) != len(lookup):
        prepared = prepared_all[id(lookup)] = {key: _prepare(key) for key in lookup}
    possible = set(lookup.keys())
    for index, state in enumerate(reversed(states)):
        has_previous_action = bool(state.get(PREVIOUS_ACTION))
        kept = set()
        for key in possible:
            rule = prepared[key]
            if index >= len(rule):
                kept.add(key)
                continue
            rule_has_previous_action, features = rule[index]
            if not rule_has_previous_action and not has_previous_action:
                kept.add(key)
            elif rule_has_previous_action and has_previous_action and _matches(features, state):
                kept.add(key)
        possible = kept
    return possible


def _applies(policy: RulePolicy) -> bool:
    """States as ``last_states`` makes them: RulePolicy's own data, its featurizer's history."""
    return (
        policy.supported_data() != SupportedData.ML_DATA
        and isinstance(policy.featurizer, MaxHistoryTrackerFeaturizer)
        and longest_rule(policy) > 0
    )


def _prediction_states(
    self: RulePolicy,
    tracker: DialogueStateTracker,
    domain: Domain,
    use_text_for_last_user_input: bool = False,
    rule_only_data: dict[str, Any] | None = None,
) -> list[State]:
    if not _LAST_STATES_ONLY.get() or not _applies(self):
        return _ORIGINAL_STATES(self, tracker, domain, use_text_for_last_user_input, rule_only_data)
    states: list[State] = last_states(tracker, domain, longest_rule(self))
    states = self.featurizer.slice_state_history(states, self.featurizer.max_history)
    self.featurizer._choose_last_user_input([states], use_text_for_last_user_input)
    return states


def _find_action_from_rules(
    self: RulePolicy, tracker: DialogueStateTracker, domain: Domain, use_text_for_last_user_input: bool
) -> tuple[str | None, str | None, bool]:
    token = _LAST_STATES_ONLY.set(True)
    try:
        found = _ORIGINAL_FIND(self, tracker, domain, use_text_for_last_user_input)
    finally:
        _LAST_STATES_ONLY.reset(token)
    source = found[1]
    if use_text_for_last_user_input or source is None or source in self.lookup.get(RULES, {}):
        return found
    # No rule matched the intent: the source is the key of every state, as Rasa makes it.
    return _ORIGINAL_FIND(self, tracker, domain, use_text_for_last_user_input)


# RulePolicy's methods replaced: (name, Rasa's, ours).
PATCHES = (
    ("_get_possible_keys", _ORIGINAL_KEYS, _get_possible_keys),
    ("_find_action_from_rules", _ORIGINAL_FIND, _find_action_from_rules),
    ("_prediction_states", _ORIGINAL_STATES, _prediction_states),
)


def install() -> None:
    for name, _, ours in PATCHES:
        setattr(RulePolicy, name, ours)


def uninstall() -> None:
    """Rasa's own search over every state (used by the tests)."""
    for name, rasa_own, _ in PATCHES:
        setattr(RulePolicy, name, rasa_own)
