"""What a member's next message says about the bot's answer to the previous one.

The classifier can be sure of itself and wrong: « mon espace me dit identifiants
invalides » answered with the login steps has a confidence of 90 %, and the inbox
never saw it. The member usually says so in the next message, in one of three ways,
and this module reads them (without a database: ``bot.workbench.inbox`` applies it):

- a **denial**: « non ce n'est pas ça », « vous ne comprenez pas », « pas du tout ».
  A bare « non » is a denial only when the bot asked nothing: « non » or « non merci »
  after « Puis-je vous aider pour autre chose ? » answers the question, it does not
  deny the answer. Polite closings (« non merci », « non c'est bon ») never are;
- a **rephrasing**: the same question in other words (« identifiants invalides »,
  « le site me dit identifiant ou code invalide »), whatever intent the classifier
  gave either one: their content words share most of their character n-grams;
- a **request for an agent** right after the answer.

Only an answer to a real question counts (``is_question``): a greeting answered by a
greeting and then « je veux un conseiller » is no mistake. A small sample of the
confident answers (``spot_checked``) goes to the inbox too, so that trainers also see
mistakes nobody complained about; it is drawn from the message's identity, so the
inbox shows the same sample at every page load.
"""

from __future__ import annotations

import hashlib
import math
import re

from bot.training.similarity import char_wb_ngrams, plain
from bot.workbench.tracker import FALLBACK_INTENT

# Intents that are no question about the member space: greetings, thanks, yes and no, a number
# given when asked for it…
NOT_QUESTIONS = frozenset(
    {
        "greet",
        "goodbye",
        "thank",
        "affirm",
        "deny",
        "request_human",
        "bot_challenge",
        "ask_more",
        "provide_nir",
        "share_access_code",
        "other_language",
    }
)
AGENT_INTENT = "request_human"
# Content words of two messages this close (cosine of their n-grams) are one question.
REPHRASING_SIMILARITY = 0.3

# Said whatever the bot asked: the member says the bot is answering something else.
_DENIALS = (
    r"(?:ce n est|c est|cest|c|non) pas (?:ca|cela|ma question|la question)",
    r"(?:ce n est|c est|cest|c) pas ce que je (?:demande|veux|cherche)",
    r"^(?:non )*pas ca",
    r"pas du tout",
    r"(?:vous|tu) (?:ne |n )?(?:me )?compren(?:ez|ds|d) (?:pas|rien)",
    r"(?:vous|tu) (?:n )?(?:avez|as) (?:pas|rien) compris",
    r"(?:ne|n) repon(?:dez|ds|d) pas a (?:ma|la) question",
    r"rien a voir",
    r"a cote de la plaque",
    r"hors sujet",
    r"mauvaise reponse",
    r"n importe quoi",
    r"(?:ca|cela|vous) (?:ne |n )?m aide(?:z)? pas",
    r"je (?:ne |n )?(?:vous |t )?ai pas demande (?:ca|cela)",
)
DENIAL = re.compile("|".join(rf"\b(?:{p})\b" for p in _DENIALS))
# A whole message of these: a denial only when the bot had asked nothing.
BARE_NO = re.compile(
    r"^(?:non|nan|nn|no|nope|toujours pas|absolument pas|pas vraiment)"
    r"(?: (?:non|nan|pas vraiment|toujours pas))*$"
)
# Words that do not make a question different: « le », « mon », « pas »… (after ``plain``).
_FILLERS = frozenset(
    (
        "a ai au aux avec c ca ce cela d dans de des dit du elle en est et il j je l la le les m ma mais me "
        "mes mon n ne nous on ou pas par peut pour qu quand que qui s sa se ses son sur svp t te tu un une "
        "veut veux voudrais vous votre vos y comment bonjour merci marche marchent fonctionne"
    ).split()
)


def is_question(intent: str | None) -> bool:
    """True for a message the bot answered as a question about the member space (not small talk)."""
    return bool(intent) and intent != FALLBACK_INTENT and intent not in NOT_QUESTIONS


def is_payload(text: str) -> bool:
    """A button's choice (« /where_is_access_code »), not words the member typed."""
    return text.lstrip().startswith("/")


def is_denial(text: str, bot_asked: bool) -> bool:
    """True when ``text`` says the bot's last answer was wrong; ``bot_asked``: it ended with a question."""
    if is_payload(text):
        return False
    words = plain(text)
    if DENIAL.search(words):
        return True
    return not bot_asked and BARE_NO.fullmatch(words) is not None


def content_words(text: str) -> str:
    """The message without its filler words: what it is about."""
    return " ".join(word for word in plain(text).split() if word not in _FILLERS)


def similarity(first: str, second: str) -> float:
    """Cosine of the character n-grams of the two messages' content words (0 to 1)."""
    a, b = char_wb_ngrams(content_words(first)), char_wb_ngrams(content_words(second))
    if not a or not b:
        return 0.0
    dot = sum(count * b.get(gram, 0) for gram, count in a.items())
    norm_a = math.sqrt(sum(c * c for c in a.values()))
    norm_b = math.sqrt(sum(c * c for c in b.values()))
    return dot / (norm_a * norm_b)


def is_rephrasing(first: str, second: str) -> bool:
    """True when ``second`` asks ``first`` again in other words (not a button, not a denial)."""
    if is_payload(second) or is_denial(second, bot_asked=True):
        return False
    return similarity(first, second) >= REPHRASING_SIMILARITY


def asks_for_agent(
    intent: str | None, next_actions: list[str] | tuple[str, ...], handoff_action: str
) -> bool:
    """True when the member's message asks for a person (its intent, or the bot handed it over)."""
    return intent == AGENT_INTENT or handoff_action in next_actions


def spot_checked(conversation_id: str, event_id: int, percent: float) -> bool:
    """True for about ``percent`` % of messages, always the same ones (drawn from their identity)."""
    if percent <= 0:
        return False
    digest = hashlib.sha256(f"{conversation_id}|{event_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 10_000 < percent * 100
