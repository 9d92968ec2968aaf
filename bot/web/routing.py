"""Requests, responses and a tiny router for the standard-library server.

Handlers are plain functions ``Request -> Response``, so they can be tested
without sockets and the server module stays the only place that speaks HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import parse_qsl

# A form of ours has a handful of fields; more is not a member typing.
MAX_FORM_FIELDS = 10


class BadRequest(ValueError):
    """The request is malformed (the server answers 400)."""


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: Mapping[str, str]
    cookies: Mapping[str, str]
    body: bytes = b""
    content_type: str = ""
    params: Mapping[str, str] = field(default_factory=dict)

    def form(self) -> dict[str, str]:
        """The url-encoded form fields, first value of each; BadRequest otherwise."""
        if self.content_type != "application/x-www-form-urlencoded":
            raise BadRequest("not a url-encoded form")
        try:
            text = self.body.decode("utf-8")
            pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS, errors="strict")
        except (UnicodeDecodeError, ValueError):
            raise BadRequest("unreadable form") from None
        fields: dict[str, str] = {}
        for name, value in pairs:
            fields.setdefault(name, value)
        return fields


@dataclass
class Response:
    status: HTTPStatus
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    # Extra or overriding headers (e.g. a looser Content-Security-Policy for the demo page).
    headers: dict[str, str] = field(default_factory=dict)
    cookies: list[str] = field(default_factory=list)


Handler = Callable[[Request], Response]


@dataclass(frozen=True)
class Match:
    handler: Handler
    params: dict[str, str]


class Router:
    """Routes ``(method, path)`` to a handler; patterns are regexes with named groups."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method.upper(), re.compile(pattern), handler))

    def resolve(self, method: str, path: str) -> Match | HTTPStatus:
        """The handler for this request, or 404 / 405 when there is none."""
        path_known = False
        for route_method, pattern, handler in self._routes:
            found = pattern.fullmatch(path)
            if found is None:
                continue
            path_known = True
            if route_method == method or (method == "HEAD" and route_method == "GET"):
                return Match(handler, found.groupdict())
        return HTTPStatus.METHOD_NOT_ALLOWED if path_known else HTTPStatus.NOT_FOUND
