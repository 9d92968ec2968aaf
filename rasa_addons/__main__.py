"""``python -m rasa_addons run …``: Rasa's own command line, with Sésame's speed-ups.

Same arguments as ``rasa``; before handing over, it installs ``rasa_addons.speedups``.
``make run``, the browser tests and ``scripts/bench.py`` start the server this way.
Only Rasa's public entry point is imported here; the speed-ups import Rasa's internals
themselves, and only on the version they were written for.
"""

from __future__ import annotations

from rasa_addons import speedups

if __name__ == "__main__":
    speedups.install()
    if speedups.rasa_version() == speedups.SUPPORTED_RASA:
        from rasa_addons import turn_guard  # patches Rasa's internals: on the tested version only

        turn_guard.install()
    from rasa.__main__ import main  # Rasa's own command line, public in every version

    main()
