"""The sign-in form shared by the agents' console and the trainers' workbench.

One cookie signs an agent in to both (``bot.web.deps.COOKIE_NAME``), so one form
serves both: the hidden field ``suivant`` says where it leads, and only our own
pages (``NEXT_PAGES``, compared exactly) may be named there, so that no link can
make the form an open redirect.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import HTMLResponse

from bot.web.errors import CONSOLE_PREFIX
from bot.web.templating import render

CONSOLE_PAGE = f"{CONSOLE_PREFIX}/"
WORKBENCH_PAGE = "/atelier/"
NEXT_PAGES = frozenset({CONSOLE_PAGE, WORKBENCH_PAGE})
SIGN_IN_PLACES = {
    CONSOLE_PAGE: ("Connexion à la console des conseillers", "Console des conseillers · ACS"),
    WORKBENCH_PAGE: ("Connexion à l'atelier des formateurs", "Atelier des formateurs · ACS"),
}
CONSOLE_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def console_html(
    name: str, status: int = 200, headers: dict[str, str] | None = None, **context: Any
) -> HTMLResponse:
    """Template ``name`` as a page of the console (or its sign-in form), with their headers."""
    sent = {
        "Content-Security-Policy": CONSOLE_CONTENT_SECURITY_POLICY,
        # The site's "no-referrer" makes browsers send "Origin: null" on a form post or a
        # fetch POST; the console's POSTs are checked by their Origin, so same-origin
        # requests must carry it (other sites still get no referrer at all).
        "Referrer-Policy": "same-origin",
        **(headers or {}),
    }
    return HTMLResponse(render(name, **context), status_code=status, headers=sent)


def next_page(value: str | None, default: str = CONSOLE_PAGE) -> str:
    """``value`` if it is one of ``NEXT_PAGES``, else ``default``: never another site or page."""
    return value if value in NEXT_PAGES else default


def sign_in_page(
    status: int = 200,
    *,
    suivant: str = CONSOLE_PAGE,
    message: str | None = None,
    error: str | None = None,
    login: str = "",
    headers: dict[str, str] | None = None,
    elsewhere: tuple[str, str] | None = None,
) -> HTMLResponse:
    """The sign-in form, for the console or the workbench (``suivant``: where it leads).

    ``elsewhere``: (page, words) of a link to the page the signed-in account does have.
    """
    heading, tag = SIGN_IN_PLACES[next_page(suivant)]
    return console_html(
        "console_sign_in.html",
        status=status,
        headers=headers,
        message=message,
        error=error,
        login=login,
        elsewhere=elsewhere,
        suivant=next_page(suivant),
        heading=heading,
        brand_tag=tag,
    )
