"""The member a live chat names: a NIR typed to the agent, checked before the gate masks it.

In a live chat the member's messages go to the agent masked (``[NIR masqué]``): a
number typed there reached nobody, and the agent, who must never read it, could not
open the member's file either. The web tier takes the NIR out of the raw message
(``bot.rules.nir.nir_typed_in``) just before the message is stored masked
(``bot.web.member_handoff``) and looks it up here, as the chat's own look-ups are:
behind the same limits per client, per network and for everyone
(``bot.limits.lookups``, one ``nir_lookups`` row each). Only the member's keyed hash
comes back, for ``Handoff.member_ref``. The number itself is neither kept nor
logged, and the member is told nothing (the agent's console offers the file): a
live chat is no quieter way to test numbers.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.limits.clients import client_hash, network_of
from bot.limits.lookups import LookupRefused, record_outcome, reserve_lookup
from bot.members.lookup import find_by_ref, hash_nir
from bot.rules.nir_windows import remember_windows


def member_ref_of_typed(
    session: Session, nir: str, key: str, client: str, now: dt.datetime, per_minute: int
) -> str | None:
    """The keyed hash of the ACS member whose NIR (canonical, valid) this is, or None.

    ``client``: the member's client label (``bot.web.rasa.client_label``), counted
    against the look-up limits like the bot's own look-ups; a refused look-up is None.
    """
    reserved = reserve_lookup(
        session, client_hash(client, key), now, per_minute, client_hash(network_of(client), key)
    )
    if isinstance(reserved, LookupRefused):
        return None
    member_ref = hash_nir(nir, key)
    member = find_by_ref(session, member_ref)
    record_outcome(reserved, member_ref, member is not None)
    if member is None:
        return None
    remember_windows(member, nir, key)  # as any look-up in clear: the reset page's rule needs them
    return member_ref
