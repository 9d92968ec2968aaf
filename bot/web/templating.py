"""Jinja2 for every page: one environment, autoescape on, and the ``fr`` filter.

Templates live in ``bot/web/templates/``; every variable is escaped unless it is
``Markup``. French typography wants a non-breaking space before « : ; ? ! » and
after «, so that a lone « ? » never starts a line on a phone: the ``fr`` filter
adds them, to a plain string (escaped first) or to a block of template HTML
(``{% filter fr %}…{% endfilter %}``, where only the text between tags is
touched). No inline script or style in any template: the Content-Security-Policy
stays strict.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
SITE = "acs-assurances.cpms.fr"
FORGOT_LINK_TEXT = "Vous avez oublié votre code d'accès ou vous souhaitez l'obtenir ?"
SUCCESS_TEXT = (
    "Votre code d'accès personnalisé est enregistré. Connectez-vous sur acs-assurances.cpms.fr, "
    "rubrique « Espace Adhérent », avec votre numéro de Sécurité sociale et ce nouveau code."
)
CSRF_ERROR = (
    "Pour votre sécurité, ce formulaire a expiré. "
    "Saisissez de nouveau votre code et sa confirmation, puis validez."
)

_NBSP = "\u00a0"
_SPACE_BEFORE_MARK = re.compile(r" ([:;?!»])")
_TAG = re.compile(r"(<[^>]*>)")


def _nbsp(text: str) -> str:
    return _SPACE_BEFORE_MARK.sub(_NBSP + r"\1", text).replace("« ", "«" + _NBSP)


def fr(text: object) -> Markup:
    """``text`` escaped for HTML (unless already ``Markup``), with French non-breaking spaces.

    In markup, tags are left alone: only the text between them changes.
    """
    escaped = escape(text)
    parts = _TAG.split(str(escaped))
    # Safe: every part comes from ``escaped``, and non-breaking spaces add no markup.
    return Markup("".join(part if part.startswith("<") else _nbsp(part) for part in parts))  # noqa: S704


def site_link(text: object) -> Markup:
    """``text`` through ``fr``, the site's name turned into a link (it never breaks at its hyphen)."""
    link = Markup('<a class="site" href="https://{0}/">{0}</a>').format(SITE)
    return fr(text).replace(SITE, link)  # Markup.replace keeps ``link`` as markup, escapes nothing else


def make_environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["fr"] = fr
    environment.filters["site_link"] = site_link
    environment.globals.update(SITE=SITE, FORGOT_LINK_TEXT=FORGOT_LINK_TEXT, SUCCESS_TEXT=SUCCESS_TEXT)
    return environment


_ENVIRONMENT = make_environment()


def render(name: str, **context: Any) -> str:
    """The page ``name`` rendered with ``context`` (a missing variable is an error, not a blank)."""
    return _ENVIRONMENT.get_template(name).render(**context)
