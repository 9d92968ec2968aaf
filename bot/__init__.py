"""Sésame's own help-desk logic.

Nothing in this package imports ``rasa`` or ``rasa_sdk``: the dialogue adapters in
``actions/`` (and the Rasa-side extensions in ``rasa_addons/``) call into it, so it
can be tested on its own.
"""
