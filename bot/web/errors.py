"""Every error answer of the site, in French: an HTML page, or JSON for ``POST /chat``.

One place decides what an error looks like, so a 404 from the router, a 413 from
the body limit and a 500 from a crash all read the same. The chat widget shows
``{"error": "<sentence>"}`` as it is, so those sentences are written for members.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus

from starlette.responses import HTMLResponse, JSONResponse, Response

from bot.web.templating import render

CHAT_PATH = "/chat"
CONSOLE_PREFIX = "/conseiller"
CONSOLE_API_PREFIX = f"{CONSOLE_PREFIX}/api"
MAX_MESSAGE_CHARS = 2000
JSON_CONTENT_TYPE = "application/json; charset=utf-8"

# What the member sees on an HTML page: (title, text).
PAGE_TEXTS: dict[int, tuple[str, str]] = {
    400: (
        "Demande incorrecte",
        "Votre navigateur a envoyé une demande incomplète. Revenez en arrière et réessayez.",
    ),
    404: (
        "Page introuvable",
        "Cette adresse n'existe pas. Si vous avez suivi un lien reçu par e-mail, "
        "vérifiez qu'il a été copié en entier.",
    ),
    405: ("Action non autorisée", "Cette page ne permet pas cette action."),
    413: (
        "Demande trop volumineuse",
        "Les informations envoyées sont trop longues. Revenez en arrière et réessayez.",
    ),
    415: ("Demande incorrecte", "Ce format d'envoi n'est pas accepté. Revenez en arrière et réessayez."),
    500: ("Une erreur est survenue", "Votre demande n'a pas pu aboutir. Réessayez dans quelques minutes."),
}
DEFAULT_PAGE_TEXT = ("Une erreur est survenue", "Réessayez dans quelques minutes.")

_UNREADABLE = "Votre message n'a pas pu être lu. Rechargez la page puis réessayez."
# What the chat widget shows.
CHAT_TEXTS: dict[int, str] = {
    400: _UNREADABLE,
    403: "Cette demande ne vient pas de la page de discussion de Sésame : elle est refusée.",
    404: "Cette adresse n'existe pas.",
    405: "Cette adresse ne permet pas cette action.",
    413: (
        f"Votre message est trop long : {MAX_MESSAGE_CHARS:,} caractères au plus. ".replace(",", "\u202f")
        + "Raccourcissez-le, puis envoyez-le de nouveau."
    ),
    415: _UNREADABLE,
    500: "Une erreur est survenue. Réessayez dans quelques instants.",
    502: "Sésame n'a pas pu traiter ce message. Reformulez-le, ou réessayez dans quelques minutes.",
    503: "Sésame est momentanément indisponible. Nouvelle tentative en cours…",
}
# What the agents' console shows for errors of its JSON API.
CONSOLE_TEXTS: dict[int, str] = {
    400: "Requête illisible : rechargez la page puis réessayez.",
    401: "Votre session a expiré ou vous n'êtes pas connecté(e) : reconnectez-vous.",
    403: "Action refusée.",
    404: "Cette adresse n'existe pas.",
    405: "Cette adresse ne permet pas cette action.",
    413: "Requête trop volumineuse.",
    415: "Requête illisible : rechargez la page puis réessayez.",
    500: "Une erreur est survenue. Réessayez dans quelques instants.",
}
EMPTY_MESSAGE_TEXT = "Votre message est vide : écrivez votre question, puis envoyez-la."
# Seconds the widget waits before it sends the message again after a 503.
RETRY_AFTER_SECONDS = 2


def chat_error(status: int, text: str | None = None, headers: Mapping[str, str] | None = None) -> Response:
    """``{"error": "<French sentence>"}`` with ``status``; 503 also says when to come back."""
    message = text if text is not None else CHAT_TEXTS.get(status, CHAT_TEXTS[500])
    sent = dict(headers or {})
    if status == HTTPStatus.SERVICE_UNAVAILABLE:
        sent["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return JSONResponse({"error": message}, status_code=status, headers=sent, media_type=JSON_CONTENT_TYPE)


def error_page(status: int, headers: Mapping[str, str] | None = None) -> Response:
    """Our French page for an HTTP error (never Starlette's English one)."""
    title, text = PAGE_TEXTS.get(status, DEFAULT_PAGE_TEXT)
    return HTMLResponse(render("error.html", title=title, text=text), status_code=status, headers=headers)


def error_for(path: str, status: int, headers: Mapping[str, str] | None = None) -> Response:
    """The error answer that fits ``path``: JSON for the chat endpoint, a page everywhere else."""
    if path == CHAT_PATH:
        return chat_error(status, headers=headers)
    if path.startswith(f"{CONSOLE_API_PREFIX}/"):
        return chat_error(status, CONSOLE_TEXTS.get(status, CONSOLE_TEXTS[500]), headers)
    return error_page(status, headers)
