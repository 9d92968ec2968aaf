"""The demo page ``/``, the privacy page ``/confidentialite``, the probe ``/sante``, favicon, static files.

The demo page looks like the ACS member-space login page so that the widget is
seen where members meet it (template ``demo.html``). Its scripts are our own
files, so its Content-Security-Policy only adds ``script-src 'self'`` and
``connect-src 'self'`` (for ``POST /chat``) to the site's policy.

The static files are read once, when the app is built: nothing is fetched from
disk or the network per request, and only these names exist (no path to walk up).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, JSONResponse, Response

from bot.privacy.notice import PAGE_PATH, privacy_notice
from bot.web.state import StaticFile, WebConfig, web_config
from bot.web.templating import render

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
STATIC_CACHE_CONTROL = "public, max-age=3600"

# The site-wide policy (bot.web.middleware.SECURITY_HEADERS) plus our own scripts and
# requests; still nothing from another origin, no inline script, no eval.
DEMO_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
FORGOT_PAYLOAD = "/forgot_access_code"
FORGOT_LABEL = "J'ai oublié mon code d'accès"
DEMO_NOTE = (
    "Ceci est une page de démonstration : elle ne connecte à aucun compte. "
    "Pour de l'aide, discutez avec Sésame, en bas à droite de la page."
)

router = APIRouter(include_in_schema=False)


def load_static_files(directory: Path = STATIC_DIR) -> dict[str, StaticFile]:
    return {
        path.name: StaticFile(path.read_bytes(), STATIC_TYPES[path.suffix])
        for path in sorted(directory.iterdir())
        if path.suffix in STATIC_TYPES
    }


@router.api_route("/", methods=["GET", "HEAD"])
def demo_page(config: Annotated[WebConfig, Depends(web_config)]) -> HTMLResponse:
    body = render(
        "demo.html",
        demo_note=DEMO_NOTE,
        forgot_payload=FORGOT_PAYLOAD,
        forgot_label=FORGOT_LABEL,
        retention_days=config.settings.retention_conversations_days,
        privacy_path=PAGE_PATH,
    )
    return HTMLResponse(body, headers={"Content-Security-Policy": DEMO_CONTENT_SECURITY_POLICY})


@router.api_route(PAGE_PATH, methods=["GET", "HEAD"])
def privacy_page(config: Annotated[WebConfig, Depends(web_config)]) -> HTMLResponse:
    """What Sésame records, why, for how long (the settings' periods), and the member's rights."""
    return HTMLResponse(render("confidentialite.html", notice=privacy_notice(config.settings)))


@router.get("/sante")
async def health(config: Annotated[WebConfig, Depends(web_config)]) -> JSONResponse:
    """The balancer's and the orchestrator's probe: 200 while this worker serves.

    The member database's state is in the body, not in the status: when it is down, it is
    down for every worker, and taking them all out of the rotation would also stop the
    answers that do not need it (the whole help document) and the French « service
    momentanément indisponible » of those that do.
    """
    try:
        await run_in_threadpool(_database_answers, config.engine)
    except SQLAlchemyError:
        return JSONResponse({"etat": "ok", "base_adherents": "injoignable"})
    return JSONResponse({"etat": "ok", "base_adherents": "ok"})


def _database_answers(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


@router.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for it on every page; an empty answer keeps 404s out of the log."""
    return Response(status_code=204)


@router.api_route("/static/{name}", methods=["GET", "HEAD"])
def static_file(name: str, config: Annotated[WebConfig, Depends(web_config)]) -> Response:
    found = config.static_files.get(name)
    if found is None:
        raise HTTPException(404)
    return Response(
        found.content, media_type=found.content_type, headers={"Cache-Control": STATIC_CACHE_CONTROL}
    )
