"""The trainers' checks and measures: ``make check-data`` (lint) and ``make report``.

Pure Python (env B, no Rasa import), so that the web tier's workbench can call the
same functions as the command line. Everything a trainer reads is French and names
the file and the line to change.
"""
