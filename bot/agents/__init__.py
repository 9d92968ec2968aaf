"""Call-centre agents: accounts, console sessions, the audit log, and what the console shows.

Everything here runs in the web tier or the command line, never in the Rasa
server: the member chat has no path to it.
"""
