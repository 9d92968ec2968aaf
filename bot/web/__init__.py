"""Sésame's own web pages: one FastAPI application (``bot.web.app.create_app``) under uvicorn.

The demo page with the chat widget (``routes.pages``), the page where a member
sets a new access code from a reset link (``routes.reset``) and the widget's
endpoint ``POST /chat``, forwarded to Rasa (``routes.chat``). All hang off the
same app so there is one process and one set of security headers, limits and
error pages to get right (``middleware``, ``errors``). Pages are Jinja2
templates (``templates/``), rendered by ``templating``.

The agents' console (``routes.console_*``) and the trainers' workbench
(``routes.workbench_*``, over ``workbench_service``) share one sign-in (``sign_in``).
Every router is gathered in ``routes/__init__.py``; what routes share (the Origin
check, the session cookie, API refusals, form parsing) is in ``deps``; API bodies
are in ``schemas``.
"""
