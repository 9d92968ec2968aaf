"""Sésame's own web pages, served by one small standard-library HTTP server.

Today: the page where a member sets a new access code from a reset link. Later:
the demo page with the chat widget. Both hang off the same router (see
``bot.web.server.make_server``) so there is one process and one set of security
headers to get right.
"""
