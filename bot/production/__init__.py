"""Production mode (``make run-prod``): Rasa, action and web replicas behind HAProxy."""
