"""How members type on a phone: the noise shared by the robustness set and the training variants.

Lower case, no accents, no punctuation, some SMS spellings ("pk", "jsp", "c", "mdp",
"tjs"…) and one or two slips of the finger on a French AZERTY keyboard (a neighbouring
key, a letter dropped, doubled or swapped). Used by ``bot.training.robust``
(the held-out phrases typed badly, to measure) and ``bot.training.variants``
(the training examples typed badly, to learn), each with its own seed: one model of
noise, never the same draws.

Entity annotations (``[…](nir)``) and digits are left exactly as they are: a typo in a
social-security number is another number, not the same message typed badly.

The noise never makes a secret. Dropping punctuation, a letter or a word can join
digits into what the secret gate (``bot.shared.patterns``) masks: "12h3456" with its
"h" dropped is a code. Such a copy is not given (``noisy`` returns None); a phrase
that already held a secret (the held-out codes the robustness set measures) keeps
it, no more.
"""

from __future__ import annotations

import random
import re

from bot.shared.patterns import secrets
from bot.training.similarity import plain

ANNOTATION = re.compile(r"\[[^\]]+\]\([^)]+\)")

# Letters next to each other on a French AZERTY keyboard (same row and the rows around).
AZERTY_ROWS = ("azertyuiop", "qsdfghjklm", "wxcvbn")
NEIGHBOURS: dict[str, str] = {}
for _r, _row in enumerate(AZERTY_ROWS):
    for _i, _key in enumerate(_row):
        near = {_row[j] for j in (_i - 1, _i + 1) if 0 <= j < len(_row)}
        for _other in (_r - 1, _r + 1):
            if 0 <= _other < len(AZERTY_ROWS):
                near.update(AZERTY_ROWS[_other][max(0, _i - 1) : _i + 2])
        NEIGHBOURS[_key] = "".join(sorted(near))

# Whole words or phrases (already without accents) and how they are texted.
SMS = (
    ("je ne sais pas", "jsp"),
    ("je sais pas", "jsp"),
    ("mot de passe", "mdp"),
    ("s il vous plait", "svp"),
    ("s il te plait", "stp"),
    ("pourquoi", "pk"),
    ("c est", "c"),
    ("toujours", "tjs"),
    ("quoi", "koi"),
    ("beaucoup", "bcp"),
    ("bonjour", "bjr"),
    ("quand", "qd"),
    ("pour", "pr"),
    ("dans", "ds"),
    ("avec", "avc"),
    ("merci", "mrc"),
    ("je suis", "jsuis"),
    ("j ai", "g"),
    ("numero", "num"),
    ("maintenant", "mnt"),
    ("comment", "cmt"),
    ("quelque", "qq"),
    ("rien", "ri1"),
)
SMS_PROBABILITY = 0.6


def texted(text: str, rng: random.Random) -> str:
    """Some of the SMS spellings that apply to ``text``."""
    for long, short in SMS:
        pattern = re.compile(rf"\b{long}\b")
        if pattern.search(text) and rng.random() < SMS_PROBABILITY:
            text = pattern.sub(short, text)
    return text


def slip(word: str, rng: random.Random) -> str:
    """One slip of the finger in a word: neighbour key, dropped, doubled or swapped letter."""
    positions = [i for i, ch in enumerate(word) if ch in NEIGHBOURS]
    if not positions:
        return word
    i = rng.choice(positions)
    kind = rng.choice(("neighbour", "drop", "double", "swap"))
    if kind == "neighbour":
        return word[:i] + rng.choice(NEIGHBOURS[word[i]]) + word[i + 1 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    j = i + 1 if i + 1 < len(word) else i - 1
    a, b = sorted((i, j))
    return word[:a] + word[b] + word[a] + word[b + 1 :]


def noisy_text(text: str, rng: random.Random) -> str:
    """``text`` typed badly: plain, texted, then a slip per 40 characters (at least one).

    ``plain`` turns an apostrophe into a space, so that « j'ai » is texted « g ».
    """
    words = texted(plain(text), rng).split()
    # Not in a word of three letters or fewer (a slip there makes another word: "les" →
    # "des"), nor in an SMS spelling, typed on purpose and short.
    deliberate = {short for _, short in SMS}
    candidates = [k for k, w in enumerate(words) if len(w) >= 4 and not w.isdigit() and w not in deliberate]
    for k in rng.sample(candidates, min(len(candidates), 1 + len(text) // 40)):
        words[k] = slip(words[k], rng)
    return " ".join(words)


def makes_secret(phrase: str, copy: str) -> bool:
    """True when ``copy`` holds more secrets than ``phrase``, entity annotations aside."""
    return len(secrets(ANNOTATION.sub(" ", copy))) > len(secrets(ANNOTATION.sub(" ", phrase)))


def noisy(phrase: str, seed: int | str) -> str | None:
    """The noisy copy of one phrase, drawn from ``seed`` and the phrase; entities kept verbatim.

    None when the noise would have made a secret (see the module docstring).
    """
    copy = unchecked_noisy(phrase, seed)
    return None if makes_secret(phrase, copy) else copy


def unchecked_noisy(phrase: str, seed: int | str) -> str:
    """The noisy copy as drawn, before the secret check of ``noisy`` (use ``noisy``)."""
    rng = random.Random(f"{seed}:{phrase}")  # noqa: S311 - reproducible noise, no secret
    parts: list[str] = []
    last = 0
    for match in ANNOTATION.finditer(phrase):
        parts.append(noisy_text(phrase[last : match.start()], rng))
        parts.append(match.group(0))
        last = match.end()
    parts.append(noisy_text(phrase[last:], rng))
    return " ".join(p for p in parts if p) or phrase
