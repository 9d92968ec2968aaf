"""Hand-offs from the chat to agents: the queue in the database, summaries, call-backs."""
