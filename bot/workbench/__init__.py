"""The trainers' workbench (issue 13), without Rasa: what ``/atelier/`` and ``./sesame review`` call.

- ``tracker``: reading Rasa's conversation store (table ``events``);
- ``inbox``: the member messages worth a trainer's look, redacted again;
- ``flags``: an agent asks trainers to review a conversation;
- ``training_data``: adding or removing examples in ``data/nlu/``, refused when secret;
- ``decisions``: accept, move, out of scope, discard — stored, audited, written;
- ``writers``: a new question (intent) or an edited one, in every file the repository checks;
- ``stories``: a real conversation saved as a test story;
- ``stats``: fallback rate, top intents, hand-off rate and resets per day.
"""
