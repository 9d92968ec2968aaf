"""Show an email address without giving it away: "jeanne.dupont@exemple.fr" -> "j•••@e•••.fr".

The bot tells a member where a reset email went, so they can recognise their own
address; whoever reads the screen (or the conversation log) must not learn it.
We keep the first character of the local part, the first character of the
registrable domain name and the public suffix ("fr", "co.uk"). The mask has a
fixed width so that it does not reveal the length of what it hides. Subdomains
("mail.exemple.co.uk") are hidden with the rest: the member recognises their
provider, not its mail server.
"""

from __future__ import annotations

MASK = "•••"

# Second-level labels under which a country suffix registers names ("exemple.co.uk",
# "exemple.gouv.fr"). Short on purpose: we only need a sensible display, not the
# full public-suffix list.
_SECOND_LEVEL = frozenset({"ac", "asso", "co", "com", "edu", "gouv", "gov", "net", "nom", "or", "org"})


def _mask(part: str) -> str:
    return (part[:1] + MASK) if part else MASK


def _mask_domain(domain: str) -> str:
    labels = [label for label in domain.lower().split(".") if label]
    if not labels:
        return MASK
    if len(labels) == 1:
        return _mask(labels[0])
    suffix_size = 2 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 1
    name = labels[-suffix_size - 1]
    return _mask(name) + "." + ".".join(labels[-suffix_size:])


def mask_email(address: str) -> str:
    """``address`` masked for display; never raises, never returns it whole.

    Odd inputs still give something displayable: no "@" masks the whole text,
    an empty local part or domain is shown as the bare mask.
    """
    text = address.strip().strip("<>").strip()
    if "@" not in text:
        return MASK
    local, domain = text.rsplit("@", 1)
    return f"{_mask(local.strip())}@{_mask_domain(domain.strip())}"
