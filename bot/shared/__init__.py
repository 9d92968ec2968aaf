"""What the Rasa server may import too: the secret gate (normal form, patterns), redaction, input cleaning.

Everything here uses the standard library only (a test enforces it): these
modules run inside the Rasa server (env A) as well as the action server (env B).
"""
