"""Make what a member types safe to hand to the NLU.

Rasa reads a message that starts with "/" as an intent payload, with entities in
JSON after it. Buttons rely on that ("/forgot_access_code"), but a member must not
be able to type "/provide_nir{...}" and inject entities, nor land on an intent the
bot does not know. Very long pastes are cut: nobody explains a login problem in
more than a few sentences, and the classifier's time grows with the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

MAX_MESSAGE_LENGTH = 1000
# The key, in a user message's metadata (and so in its tracker event), of the greeting the
# widget sends by itself when it opens: true means the member did not type it. Set by the web
# tier (bot.web.rasa), believed by Rasa's channel from a signed request only
# (rasa_addons.channels), read by the workbench (bot.workbench.tracker.is_automatic).
AUTOMATIC_FLAG = "automatique"

_PLAIN_PAYLOAD = re.compile(r"^/([a-z_]+)$")
_CONTROL_CATEGORIES = {"Cc", "Cf"}


def clean_message(text: str | None, button_intents: Collection[str]) -> str:
    """The message the NLU should see.

    A bare "/intent" payload is kept when ``intent`` is one a button may send
    (``button: true`` in ``intents.yml``, passed in by the caller: this module reads
    no file, so that it stays standard-library only);
    any other leading "/" is removed so the text goes through normal
    understanding. Control characters are dropped and the length is capped.
    """
    if not text:
        return ""
    text = "".join(
        ch if ch in "\n\t" or unicodedata.category(ch) not in _CONTROL_CATEGORIES else " " for ch in text
    ).strip()
    payload = _PLAIN_PAYLOAD.match(text)
    if payload and payload.group(1) in button_intents:
        return text
    text = text.lstrip("/").strip()
    return text[:MAX_MESSAGE_LENGTH]
