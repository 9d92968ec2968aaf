"""The chat widget and the server mask the same secrets the same way.

The widget (bot/web/static/chat.js, ``maskSecrets``) masks what the browser keeps in
sessionStorage; ``bot.shared.patterns.redact`` masks what the server stores and
logs. Two regex dialects and two Unicode databases drift apart silently, so both run
against one file of vectors, tests/vectors/secret_masking.json, and against texts
generated from the Unicode categories. Each implementation has its own mask
text ("[NIR masqué]" here, "[numéro masqué]" in the widget): the vectors write
``{NIR}`` and ``{CODE}`` in their place.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from bot.shared.normal_form import digit_value, is_joiner
from bot.shared.patterns import CODE_MASK, NIR_MASK, redact
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


def test_chat_js_knows_the_digits_outside_category_nd() -> None:
    """The widget's table of the digits NFKC leaves alone and Unicode does not call Nd."""
    table = {
        code: first_value + code - first
        for first, last, first_value in run_chat_js("--other-digits")
        for code in range(first, last + 1)
    }
    expected_table = {
        code: digit_value(chr(code))
        for code in range(sys.maxunicode + 1)
        if digit_value(chr(code)) is not None
        and unicodedata.category(chr(code)) != "Nd"
        and unicodedata.normalize("NFKC", chr(code)) == chr(code)
    }
    assert table == expected_table


def _pool(predicate: Any) -> list[str]:
    """Assigned characters (for Python's Unicode database) that ``predicate`` accepts."""
    return [
        chr(code)
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) not in ("Cn", "Cs") and predicate(chr(code))
    ]


def generated_texts(count: int, seed: int = 20) -> list[str]:
    """Texts mixing words, digits in every form and joiners of every category (reproducible)."""
    rng = random.Random(seed)  # noqa: S311 - test data
    digits = _pool(lambda ch: digit_value(unicodedata.normalize("NFKC", ch)[:1] or "x") is not None)
    joiners = _pool(is_joiner)
    words = ["mon code", "nir", "2A", "2 B", "fois", "le", "à", "é", "ﬁn", "m²", "Ⅻ"]
    texts = []
    for _ in range(count):
        pieces = []
        for _ in range(rng.randint(1, 25)):
            kind = rng.random()
            if kind < 0.5:
                pieces.append(rng.choice("0123456789") if rng.random() < 0.5 else rng.choice(digits))
            elif kind < 0.85:
                pieces.append(rng.choice(joiners) if rng.random() < 0.6 else rng.choice(" .-/,|"))
            else:
                pieces.append(rng.choice(words))
        texts.append("".join(pieces))
    return texts


def test_chat_js_masks_generated_texts_as_the_server_does() -> None:
    texts = generated_texts(600)
    masked = run_chat_js(stdin=json.dumps(texts))
    server = [redact(text).replace(NIR_MASK, JS_NIR_MASK) for text in texts]
    mismatches = [
        (text, got, want) for text, got, want in zip(texts, masked, server, strict=True) if got != want
    ]
    assert mismatches == []
    assert sum(got != text for text, got in zip(texts, masked, strict=True)) > len(texts) // 4
