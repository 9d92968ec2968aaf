"""The HTML of every page, as small functions over one layout.

Inline strings rather than a template engine: a handful of pages does not
justify a dependency, and building them here keeps escaping in one place —
every piece of text goes through ``fr`` (``html.escape`` plus French
non-breaking spaces, so « and : never end up alone at the start of a line on a
phone). All text is French: members read it. No inline script or style, so the
Content-Security-Policy stays strict.
"""

from __future__ import annotations

import re
from html import escape
from http import HTTPStatus

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


def fr(text: str) -> str:
    """``text`` escaped for HTML, with the non-breaking spaces French punctuation wants."""
    escaped = _SPACE_BEFORE_MARK.sub(_NBSP + r"\1", escape(text))
    return escaped.replace("« ", "«" + _NBSP)


def _p(text: str) -> str:
    return f"<p>{fr(text)}</p>"


def _h1(text: str) -> str:
    return f"<h1>{fr(text)}</h1>"


def _site_link() -> str:
    return f'<a class="site" href="https://{SITE}/">{SITE}</a>'


def _with_site_link(text: str) -> str:
    """``text`` as HTML, the site's name turned into a link that never breaks at its hyphen."""
    return fr(text).replace(SITE, _site_link())


def layout(title: str, main: str) -> bytes:
    """A whole page around ``main`` (already HTML); ``title`` is plain text."""
    return f"""<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{fr(title)} — Sésame · ACS</title>
<link rel="stylesheet" href="/static/sesame.css">
</head>
<body>
<header class="site-header">
<p class="brand"><span class="brand-name">Sésame</span>
<span class="brand-tag">Aide à la connexion · ACS</span></p>
</header>
<main class="card">
{main}
</main>
<footer class="site-footer">
{_p("ACS ne vous demandera jamais votre code d'accès, ni par e-mail, ni par téléphone.")}
</footer>
</body>
</html>
""".encode()


def _how_to_get_a_new_code() -> str:
    first = _with_site_link(
        f"Sur {SITE}, rubrique « Espace Adhérent » : cliquez sur « {FORGOT_LINK_TEXT} », "
        "puis suivez les indications."
    )
    second = fr("Ou demandez à Sésame, l'assistant virtuel ACS : il vous guide pas à pas.")
    return f"<h2>Obtenir un nouveau code</h2>\n<ul>\n<li>{first}</li>\n<li>{second}</li>\n</ul>"


def reset_form(action: str, csrf_value: str, rule_text: str, code_length: int, error: str | None) -> bytes:
    """The new-code form. It never carries what the member typed: the fields come back empty."""
    error_id = "erreur-code"
    invalid = ' aria-invalid="true"' if error else ""
    described = f" {error_id}" if error else ""
    error_html = (
        f'<p id="{error_id}" class="error" role="alert"><strong>{fr("Erreur :")}</strong> {fr(error)}</p>\n'
        if error
        else ""
    )
    autofocus = " autofocus" if error else ""
    common = (
        f'type="password" inputmode="numeric" autocomplete="new-password" '
        f'maxlength="{code_length}" required{invalid}'
    )
    intro = (
        "Ce code vous servira, avec votre numéro de Sécurité sociale, "
        "à vous connecter à votre Espace Adhérent."
    )
    note = "Ce lien ne sert qu'une seule fois et n'est valable que pendant une durée limitée."
    main = f"""<h1>{fr("Créez votre code d'accès personnalisé")}</h1>
{_p(intro)}
{error_html}<form method="post" action="{escape(action)}" novalidate>
<input type="hidden" name="csrf" value="{escape(csrf_value)}">
<div class="field">
<label for="code">{fr("Nouveau code d'accès")}</label>
<p id="regle-code" class="hint">{fr(rule_text)}</p>
<input id="code" name="code" {common} aria-describedby="regle-code{described}"{autofocus}>
</div>
<div class="field">
<label for="confirmation">{fr("Confirmez le nouveau code")}</label>
<p id="aide-confirmation" class="hint">{fr("Saisissez le même code une seconde fois.")}</p>
<input id="confirmation" name="confirmation" {common} aria-describedby="aide-confirmation{described}">
</div>
<button type="submit">{fr("Enregistrer mon code")}</button>
</form>
<p class="note">{fr(note)}</p>"""
    title = "Créez votre code d'accès personnalisé"
    return layout(f"Erreur : {title}" if error else title, main)


def success_page() -> bytes:
    main = "\n".join(
        [
            _h1("Code d'accès enregistré"),
            f"<p>{_with_site_link(SUCCESS_TEXT)}</p>",
            _p("Gardez ce code pour vous : ne le communiquez à personne."),
        ]
    )
    return layout("Code d'accès enregistré", main)


def unknown_link_page() -> bytes:
    main = "\n".join(
        [
            _h1("Ce lien n'est pas valide"),
            _p(
                "Nous ne reconnaissons pas ce lien de réinitialisation. Vérifiez qu'il a été copié en entier "
                "depuis l'e-mail reçu : un lien coupé sur deux lignes ne fonctionne pas. Le plus simple est "
                "de cliquer directement sur le lien dans l'e-mail."
            ),
            _p(
                "Si vous avez reçu plusieurs e-mails de réinitialisation, seul le lien du plus récent "
                "fonctionne : utilisez celui-là."
            ),
            _p("Si le problème continue, demandez un nouveau code."),
            _how_to_get_a_new_code(),
        ]
    )
    return layout("Lien non valide", main)


def expired_link_page() -> bytes:
    main = "\n".join(
        [
            _h1("Ce lien a expiré"),
            _p(
                "Pour votre sécurité, un lien de réinitialisation n'est valable que pendant une durée "
                "limitée, et celui-ci ne l'est plus. Votre code d'accès n'a pas été modifié."
            ),
            _how_to_get_a_new_code(),
        ]
    )
    return layout("Lien expiré", main)


def used_link_page() -> bytes:
    connect = (
        "Votre code d'accès a déjà été changé avec ce lien, qui ne sert qu'une seule fois. "
        f"Connectez-vous sur {SITE}, rubrique « Espace Adhérent », avec le code que vous avez choisi."
    )
    main = "\n".join(
        [
            _h1("Ce lien a déjà été utilisé"),
            f"<p>{_with_site_link(connect)}</p>",
            _p(
                "Vous avez oublié ce code, ou vous n'êtes pas à l'origine de ce changement ? "
                "Demandez un nouveau code."
            ),
            _how_to_get_a_new_code(),
        ]
    )
    return layout("Lien déjà utilisé", main)


_ERRORS: dict[int, tuple[str, str]] = {
    400: (
        "Demande incorrecte",
        "Votre navigateur a envoyé une demande incomplète. Revenez en arrière et réessayez.",
    ),
    404: (
        "Page introuvable",
        "Cette adresse n'existe pas. Si vous avez suivi un lien reçu par e-mail, "
        "vérifiez qu'il a été copié en entier.",
    ),
    405: ("Action non autorisée", "Cette page ne permet pas cette action."),
    411: ("Demande incorrecte", "Votre navigateur a envoyé une demande incomplète. Réessayez."),
    413: (
        "Demande trop volumineuse",
        "Les informations envoyées sont trop longues. Revenez en arrière et réessayez.",
    ),
    415: ("Demande incorrecte", "Ce format d'envoi n'est pas accepté. Revenez en arrière et réessayez."),
    500: ("Une erreur est survenue", "Votre demande n'a pas pu aboutir. Réessayez dans quelques minutes."),
}


def error_page(status: HTTPStatus) -> bytes:
    title, text = _ERRORS.get(status.value, ("Une erreur est survenue", "Réessayez dans quelques minutes."))
    return layout(title, f"<h1>{fr(title)}</h1>\n{_p(text)}")
