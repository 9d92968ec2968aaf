"""Sésame's own web pages, served by one small standard-library HTTP server.

The page where a member sets a new access code from a reset link, the demo page
with the chat widget (``demo_page``) and the widget's endpoint ``POST /chat``
(``chat_proxy``, forwarded to Rasa). All hang off the same router (see
``bot.web.server.make_server``) so there is one process and one set of security
headers to get right.
"""
