"""``GET /``: a demo of the ACS member-space login page, with Sésame's chat widget.

The page looks like the real login page (social-security number, access code,
the « Vous avez oublié votre code d'accès… » link) so that the widget is seen
where members meet it. The form connects to nothing: its fields have no
``name``, so even without JavaScript nothing typed can end up in a URL or a log,
and ``demo.js`` says so when it is submitted. The forgotten-code link opens the
chat on that topic.

The widget is two static files of ours, ``chat.js`` and ``chat.css``: no inline
script, so the page's Content-Security-Policy allows scripts from this origin
only, and network requests (``POST /chat``) to this origin only.
"""

from __future__ import annotations

from http import HTTPStatus

from bot.web.routing import Response
from bot.web.templates import FORGOT_LINK_TEXT, SITE, fr

# The site-wide policy (bot.web.server.SECURITY_HEADERS) plus our own scripts and
# requests; still nothing from another origin, no inline script, no eval.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
FORGOT_PAYLOAD = "/forgot_access_code"
FORGOT_LABEL = "J'ai oublié mon code d'accès"
BANNER = "Page de démonstration de Sésame, l'assistant virtuel ACS : aucun compte réel."
DEMO_NOTE = (
    "Ceci est une page de démonstration : elle ne connecte à aucun compte. "
    "Pour de l'aide, discutez avec Sésame, en bas à droite de la page."
)


def page() -> bytes:
    nir_hint = "15 caractères, clé comprise (les 2 derniers chiffres)."
    code_hint = "Le code figure sur vos décomptes Santé ACS."
    never = "ACS ne vous demandera jamais votre code d'accès, ni par e-mail, ni par téléphone."
    return f"""<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{fr("Espace Adhérent ACS — connexion (démonstration)")}</title>
<link rel="stylesheet" href="/static/sesame.css">
<link rel="stylesheet" href="/static/chat.css">
<script src="/static/chat.js" defer></script>
<script src="/static/demo.js" defer></script>
</head>
<body class="demo">
<header class="site-header">
<p class="brand"><span class="brand-name">ACS</span>
<span class="brand-tag">{fr("Assurances · Espace Adhérent")}</span></p>
</header>
<p class="demo-banner">{fr(BANNER)}</p>
<main class="card login">
<h1>{fr("Espace Adhérent ACS")}</h1>
<p>{fr("Connectez-vous avec votre numéro de Sécurité sociale et votre code d'accès.")}</p>
<form class="login-form" action="/" method="get" novalidate>
<div class="field">
<label for="nir">{fr("Numéro de Sécurité sociale")}</label>
<p id="aide-nir" class="hint">{fr(nir_hint)}</p>
<input id="nir" type="text" autocomplete="username" spellcheck="false" maxlength="21"
 aria-describedby="aide-nir">
</div>
<div class="field">
<label for="code-acces">{fr("Code d'accès")}</label>
<p id="aide-code" class="hint">{fr(code_hint)}</p>
<input id="code-acces" type="password" inputmode="numeric" autocomplete="current-password" maxlength="6"
 aria-describedby="aide-code">
</div>
<button type="submit">{fr("Se connecter")}</button>
<p id="note-demo" class="demo-note" role="status" data-text="{fr(DEMO_NOTE)}"></p>
</form>
<p class="forgot"><a href="https://{SITE}/" data-sesame-payload="{FORGOT_PAYLOAD}"
 data-sesame-label="{fr(FORGOT_LABEL)}">{fr(FORGOT_LINK_TEXT)}</a></p>
</main>
<footer class="site-footer">
<p>{fr(never)}</p>
<noscript><p>{fr("Pour discuter avec Sésame, l'assistant virtuel, activez JavaScript.")}</p></noscript>
</footer>
</body>
</html>
""".encode()


def response() -> Response:
    return Response(HTTPStatus.OK, page(), headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY})
