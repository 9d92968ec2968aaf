"""The trainers' workbench's pages: ``/atelier/`` and its four tools, and the latest report.

Each page is rendered for the signed-in trainer (the sign-in form otherwise, 403 for a
conseiller); everything after the page load goes through the JSON API
(``/atelier/api``, ``static/atelier.js``). The pages allow our own scripts and
requests only; the report, a generated page, runs nothing at all.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from bot.db.enums import AgentRole
from bot.rules.conversation_refs import normalize_reference
from bot.web.deps import COOKIE_NAME, AgentIdentity, Config, identity_from_cookie
from bot.web.sign_in import WORKBENCH_PAGE, sign_in_page
from bot.web.state import WebConfig
from bot.web.templating import render
from bot.web.workbench_deps import PREFIX, REPORT_PATH, Workbench, WorkbenchDep
from bot.web.workbench_service import editable_intents, help_sections, intent_choices, latest_report_of
from bot.web.workbench_stats import default_since
from bot.workbench.inbox import REASON_LABELS
from bot.workbench.intent_checks import MIN_EXAMPLES, MIN_HOLDOUT, TOPICS

WORKBENCH_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
ADVISER_PAGE = (
    "Votre compte est un compte de conseiller : l'atelier des formateurs est réservé aux "
    "formateurs et aux superviseurs. La console des conseillers est à l'adresse /conseiller/."
)
NO_REPORT = "Aucun rapport pour l'instant : lancez-en un depuis « Vérifier et mesurer »."

NAVIGATION = (
    ("boite", f"{PREFIX}/", "Boîte de revue", "1"),
    ("question", f"{PREFIX}/question", "Nouvelle question", "2"),
    ("conversation", f"{PREFIX}/conversation", "Conversation → test", "3"),
    ("verifier", f"{PREFIX}/verifier", "Vérifier et mesurer", "4"),
    ("statistiques", f"{PREFIX}/statistiques", "Statistiques", "5"),
)

router = APIRouter(include_in_schema=False)


def _html(body: str, status: int = 200, csp: str = WORKBENCH_CONTENT_SECURITY_POLICY) -> HTMLResponse:
    return HTMLResponse(
        body,
        status_code=status,
        headers={"Content-Security-Policy": csp, "Referrer-Policy": "same-origin"},
    )


def _signed_in_page(request: Request, config: WebConfig) -> AgentIdentity | Response:
    """The trainer of the session cookie, or the sign-in page to show instead."""
    agent = identity_from_cookie(config, request.cookies.get(COOKIE_NAME))
    if agent is None:
        message = "Vous êtes déconnecté(e)." if request.query_params.get("sortie") == "1" else None
        return sign_in_page(suivant=WORKBENCH_PAGE, message=message)
    if not agent.role.trains_the_bot:
        return sign_in_page(403, suivant=WORKBENCH_PAGE, error=ADVISER_PAGE, login=agent.login)
    return agent


def _workbench_page(
    request: Request, config: WebConfig, bench: Workbench, template: str, current: str, **context: Any
) -> Response:
    agent = _signed_in_page(request, config)
    if not isinstance(agent, AgentIdentity):
        return agent
    return _html(
        render(
            template,
            agent=agent,
            roles=AgentRole,
            navigation=NAVIGATION,
            current=current,
            intents=intent_choices(bench.registry()),
            **context,
        )
    )


@router.get(PREFIX)
def workbench_root() -> Response:
    return RedirectResponse(f"{PREFIX}/", status_code=308)


@router.api_route(f"{PREFIX}/", methods=["GET", "HEAD"])
def inbox_page(request: Request, config: Config, bench: WorkbenchDep) -> Response:
    return _workbench_page(request, config, bench, "atelier_boite.html", "boite", reasons=REASON_LABELS)


@router.api_route(f"{PREFIX}/question", methods=["GET", "HEAD"])
def question_page(request: Request, config: Config, bench: WorkbenchDep) -> Response:
    return _workbench_page(
        request,
        config,
        bench,
        "atelier_question.html",
        "question",
        topics=TOPICS,
        min_examples=MIN_EXAMPLES,
        min_holdout=MIN_HOLDOUT,
        sections=help_sections(bench),
        editable=editable_intents(bench.registry()),
    )


@router.api_route(f"{PREFIX}/conversation", methods=["GET", "HEAD"])
def conversation_page(request: Request, config: Config, bench: WorkbenchDep) -> Response:
    return _workbench_page(
        request,
        config,
        bench,
        "atelier_conversation.html",
        "conversation",
        conversation=normalize_reference(request.query_params.get("conversation", "")[:32]) or "",
        editable=editable_intents(bench.registry()),
    )


@router.api_route(f"{PREFIX}/verifier", methods=["GET", "HEAD"])
def check_page(request: Request, config: Config, bench: WorkbenchDep) -> Response:
    return _workbench_page(
        request, config, bench, "atelier_verifier.html", "verifier", latest=latest_report_of(bench)
    )


@router.api_route(f"{PREFIX}/statistiques", methods=["GET", "HEAD"])
def stats_page(request: Request, config: Config, bench: WorkbenchDep) -> Response:
    since = default_since(dt.datetime.now(dt.timezone.utc).date()).isoformat()
    return _workbench_page(request, config, bench, "atelier_statistiques.html", "statistiques", since=since)


_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL | re.IGNORECASE)


def report_policy(page: str) -> str:
    """No script, no request anywhere; the report's own inline CSS by its hash, its images as data."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode("ascii") + "'"
        for style in _STYLE.findall(page)
    )
    return (
        f"default-src 'none'; style-src {hashes or chr(39) + 'none' + chr(39)}; img-src data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


@router.api_route(REPORT_PATH, methods=["GET", "HEAD"])
def report_page(request: Request, config: Config, bench: WorkbenchDep) -> Response:
    """The latest ``reports/index.html`` (our own generated file), under a policy that runs nothing."""
    agent = _signed_in_page(request, config)
    if not isinstance(agent, AgentIdentity):
        return agent
    path = bench.root / "reports" / "index.html"
    if not path.is_file():
        return _workbench_page(
            request, config, bench, "atelier_sans_rapport.html", "verifier", message=NO_REPORT
        )
    page = path.read_text(encoding="utf-8")
    return _html(page, csp=report_policy(page))
