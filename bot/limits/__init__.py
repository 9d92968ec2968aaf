"""Limits that protect members from enumeration and abuse, held in the database.

Counted across processes and restarts (never per conversation, which a new
sender id resets): NIR look-ups per client and overall, reset requests per client
and overall. Clients are known only by a keyed hash of their address.
"""
