"""The page behind a reset link: the member sets a new access code of their own.

``GET {prefix}/{token}`` shows the form, or why the link no longer works;
``POST`` sets the code. Reading never changes anything; the code is set and the
token burnt in one transaction (``bot.resets.links``). The code is hashed with
Argon2 before that transaction (slow on purpose; the row lock should not be)
and is never echoed, logged or kept in clear. The form is protected by the
signed double-submit cookie of ``bot.web.csrf``.

The database and Argon2 are blocking, so they run in the thread pool: a slow
hash never holds up the chat of other members.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from bot.resets.links import LinkState, birth_month_of_link, current_state, nir_windows_of_link, use_link
from bot.rules.access_code import ACCESS_CODE_LENGTH, RULE_TEXT, check_new_code
from bot.rules.nir_windows import taken_from_nir
from bot.rules.tokens import hash_token
from bot.web import csrf
from bot.web.deps import BadForm, Config, parse_form
from bot.web.errors import error_page
from bot.web.state import WebConfig
from bot.web.templating import CSRF_ERROR, render

_STATUS_PAGES = {
    LinkState.UNKNOWN: (404, "link_unknown.html"),
    LinkState.EXPIRED: (410, "link_expired.html"),
    LinkState.USED: (410, "link_used.html"),
}


def _status_page(state: LinkState) -> HTMLResponse:
    status, template = _STATUS_PAGES[state]
    return HTMLResponse(render(template), status_code=status)


def _form(config: WebConfig, request: Request, token: str, error: str | None, status: int) -> HTMLResponse:
    nonce = csrf.usable_nonce(request.cookies.get(csrf.COOKIE_NAME)) or csrf.new_nonce()
    body = render(
        "reset_form.html",
        action=f"{config.reset_prefix}/{token}",
        csrf_value=csrf.form_value(config.csrf_key, nonce, hash_token(token)),
        rule_text=RULE_TEXT,
        code_length=ACCESS_CODE_LENGTH,
        error=error,
    )
    response = HTMLResponse(body, status_code=status)
    response.headers.append(
        "Set-Cookie", csrf.cookie_header(nonce, f"{config.reset_prefix}/", config.secure_cookie)
    )
    return response


async def _link_problem(config: WebConfig, token: str) -> HTMLResponse | None:
    """The page that says why link ``token`` no longer works, or None while it does."""
    state = await run_in_threadpool(current_state, config.engine, token)
    return None if state is LinkState.VALID else _status_page(state)


def reset_router(prefix: str) -> APIRouter:
    """The reset page under ``prefix`` (the path of ``RESET_URL_BASE``)."""
    router = APIRouter(prefix=prefix, include_in_schema=False)

    @router.api_route("/{token}", methods=["GET", "HEAD"])
    async def show(token: str, request: Request, config: Config) -> HTMLResponse:
        return await _link_problem(config, token) or _form(config, request, token, error=None, status=200)

    @router.post("/{token}")
    async def submit(token: str, request: Request, config: Config) -> Response:
        problem = await _link_problem(config, token)
        if problem is not None:
            return problem
        try:
            form = parse_form(request.headers.get("content-type", ""), await request.body())
        except BadForm:
            return error_page(400)
        if not csrf.is_valid(
            config.csrf_key,
            request.cookies.get(csrf.COOKIE_NAME),
            hash_token(token),
            form.get(csrf.FIELD_NAME),
        ):
            return _form(config, request, token, error=CSRF_ERROR, status=403)
        code = form.get("code", "")
        birth = await run_in_threadpool(birth_month_of_link, config.engine, token)
        windows = await run_in_threadpool(nir_windows_of_link, config.engine, token)
        key = config.settings.nir_hash_key
        error = check_new_code(
            code, form.get("confirmation", ""), birth, lambda typed: taken_from_nir(typed, windows, key)
        )
        if error is not None:
            return _form(config, request, token, error=error, status=400)
        code_hash = await run_in_threadpool(config.hasher.hash, code)
        state = await run_in_threadpool(use_link, config.engine, token, code_hash)
        if state is not LinkState.VALID:
            return _status_page(state)
        return HTMLResponse(render("success.html"))

    return router
