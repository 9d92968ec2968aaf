"""The training data and its measures: the trainers' checks, ``make report``, and the NLU data tools.

- ``check``, ``lint``, ``coverage``, ``project``: ``make check-data`` (lint in French,
  coverage of the help document); ``report``: ``make report``.
- ``similarity``: when two phrases are one, or almost (the classifier's n-grams);
  ``noise``: how members type on a phone; ``variants``: the training examples typed
  badly (``make nlu-variants``); ``robust``: the held-out phrases typed badly
  (``make nlu-robust``); ``secret_examples``: ``data/nlu/secrets.yml``, fictitious numbers.
- ``nlu_scores``, ``story_scores``: the bars of ``make nlu-eval``, ``nlu-robust`` and
  ``story-test``.

Pure Python (env B, no Rasa import), so that the web tier's workbench can call the
same functions as the command line. Everything a trainer reads is French and names
the file and the line to change. Each command is ``python -m bot.training.<module>``.
"""
