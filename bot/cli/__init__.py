"""``./sesame``: the operator's command line, one module per group of commands."""
