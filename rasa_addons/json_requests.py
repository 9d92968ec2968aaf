"""The request bodies of Sésame's webhooks on the Rasa server: one JSON object, bounded, French errors.

The member channel (``rasa_addons.channels``) and the agents' channel
(``rasa_addons.agent_channel``) read the same kind of body, checked before Rasa reads
anything: JSON only (415), at most ``MAX_BODY_BYTES`` (413), an object (400). Each
channel then checks its own fields and says, in its own 400 message, what it expects.
(Sanic itself refuses bodies above ``SANIC_REQUEST_MAX_SIZE``, set by the Procfile,
before they are read.)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sanic import response
from sanic.response import HTTPResponse

MAX_BODY_BYTES = 16 * 1024

# The refusals every channel words the same way; a channel adds its own 400 (and others).
REFUSALS = {
    413: f"Requête trop volumineuse : {MAX_BODY_BYTES // 1024} Ko au plus.",
    415: "Seul le JSON (Content-Type: application/json) est accepté.",
}


def json_object(content_type: str, body: bytes) -> dict[str, Any] | int:
    """The body's JSON object, or the HTTP status that refuses it (415, 413, 400)."""
    if content_type.split(";")[0].strip().lower() != "application/json":
        return 415
    if len(body) > MAX_BODY_BYTES:
        return 413
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return 400
    return data if isinstance(data, dict) else 400


def error_response(errors: Mapping[int, str], status: int) -> HTTPResponse:
    """``{"error": <the French sentence for status>}`` with that status."""
    return response.json({"error": errors[status]}, status=status, ensure_ascii=False)
