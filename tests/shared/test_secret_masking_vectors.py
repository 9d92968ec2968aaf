"""The chat widget and the server mask the same secrets the same way.

The widget (bot/web/static/chat.js, ``maskSecrets``) masks what the browser keeps in
sessionStorage; ``bot.shared.patterns.redact`` masks what the server stores and
logs. Two regex dialects drift apart silently, so both run against one file of
vectors, tests/vectors/secret_masking.json. Each implementation has its own mask
text ("[NIR masqué]" here, "[numéro masqué]" in the widget): the vectors write
``{NIR}`` and ``{CODE}`` in their place.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bot.shared.patterns import CODE_MASK, NIR_MASK, SEPARATORS, redact
from tests.support.postgres import in_ci

ROOT = Path(__file__).resolve().parents[2]
VECTORS: list[dict[str, Any]] = json.loads(
    (ROOT / "tests" / "vectors" / "secret_masking.json").read_text(encoding="utf-8")
)["vectors"]
CHAT_JS = ROOT / "bot" / "web" / "static" / "chat.js"
RUNNER = ROOT / "tests" / "support" / "chat_js_masking.js"
JS_NIR_MASK, JS_CODE_MASK = "[numéro masqué]", "[code masqué]"


def expected(vector: dict[str, Any], nir_mask: str, code_mask: str) -> str:
    return str(vector["expected"]).replace("{NIR}", nir_mask).replace("{CODE}", code_mask)


def test_the_vectors_are_consistent() -> None:
    names = [vector["name"] for vector in VECTORS]
    assert len(names) == len(set(names))
    for vector in VECTORS:
        assert vector["masked"] == (vector["expected"] != vector["text"]), vector["name"]
    assert any(vector["masked"] for vector in VECTORS)
    assert any(not vector["masked"] for vector in VECTORS)


@pytest.mark.parametrize("vector", VECTORS, ids=[vector["name"] for vector in VECTORS])
def test_python_redact(vector: dict[str, Any]) -> None:
    assert redact(vector["text"]) == expected(vector, NIR_MASK, CODE_MASK)


def run_chat_js(*options: str, stdin: str = "") -> Any:
    node = shutil.which("node")
    if node is None:
        message = "Node.js introuvable : le masquage de chat.js n'est pas testé (installez node)."
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    result = subprocess.run(  # noqa: S603 - node on our own files, fixed arguments
        [node, str(RUNNER), str(CHAT_JS), *options],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_chat_js_mask_secrets() -> None:
    masked = run_chat_js(stdin=json.dumps([vector["text"] for vector in VECTORS]))
    mismatches = {
        vector["name"]: (got, expected(vector, JS_NIR_MASK, JS_CODE_MASK))
        for vector, got in zip(VECTORS, masked, strict=True)
        if got != expected(vector, JS_NIR_MASK, JS_CODE_MASK)
    }
    assert mismatches == {}


def test_the_js_mask_texts_are_the_widgets() -> None:
    """The widget's mask texts, as this file assumes them, are still in chat.js."""
    source = CHAT_JS.read_text(encoding="utf-8")
    assert f'masked: "{JS_NIR_MASK}"' in source
    assert f'maskedCode: "{JS_CODE_MASK}"' in source


def test_chat_js_has_the_same_separators() -> None:
    """One set of separators: what the server masks across, the widget masks across too."""
    assert set(run_chat_js("--separators")) == set(SEPARATORS)
