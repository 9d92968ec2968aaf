"""Find an event's class from its type name with one dictionary look-up.

Rasa 3.6 turns every stored event back into an object through
``Event.resolve_by_type``, which walks the whole class tree of ``Event`` (23
classes, recursively) for each event: about 23 µs, some forty times per message in
a form, since the conversation is read back from the tracker store at every
message. The classes do not change once Rasa is imported, so a table built once
gives the same class as the walk; a name missing from the table (an unknown name,
or an event class defined later) goes to Rasa's own search, errors included.

Installed by ``rasa_addons.speedups`` (``python -m rasa_addons``).
"""

from __future__ import annotations

from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

_ORIGINAL = Event.resolve_by_type


def _table() -> dict[str, type[Event]]:
    table: dict[str, type[Event]] = {}
    for event_class in all_subclasses(Event):  # Rasa's order: the first match wins, as in its walk
        table.setdefault(event_class.type_name, event_class)
    return table


def install() -> None:
    """Make ``Event.resolve_by_type`` look the name up in a table built now."""
    table = _table()

    def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
        found = table.get(type_name)
        return found if found is not None else _ORIGINAL(type_name, default)

    Event.resolve_by_type = staticmethod(resolve_by_type)


def uninstall() -> None:
    """Give Rasa its own search back (used by the tests)."""
    Event.resolve_by_type = staticmethod(_ORIGINAL)
