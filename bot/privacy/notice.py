"""What members are told about their data: the widget's sentence and the page /confidentialite.

Every period comes from the settings (``bot.privacy.retention``), so that what members
read is what the purge does. The contact for their rights is ``PRIVACY_CONTACT`` (ACS's
data-protection officer); when it is unset the page sends them to ACS's customer
service, with its phone number if ``ACS_CONTACT_PHONE`` is set, and invents nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.privacy.retention import RetentionPolicy, in_words
from bot.settings import Settings

PAGE_PATH = "/confidentialite"


def widget_sentence(days: int) -> str:
    """The widget's one sentence (chat.js builds the same from ``data-retention-days``)."""
    return (
        "Vos messages sont enregistrés pour vous répondre et améliorer l'assistant, "
        f"puis effacés après {in_words(days)}."
    )


@dataclass(frozen=True)
class Record:
    """One kind of record on the page: its name, what is recorded, why, for how long, who may see it."""

    title: str
    what: str
    why: str
    how_long: str
    who: str


@dataclass(frozen=True)
class PrivacyNotice:
    records: tuple[Record, ...]
    contact: str  # an email address or a postal address, or "" (see ``fallback_contact``)
    contact_is_email: bool
    fallback_contact: str


def privacy_notice(settings: Settings) -> PrivacyNotice:
    policy = RetentionPolicy.from_settings(settings)
    records = (
        Record(
            "Vos conversations avec Sésame",
            "Vos messages à Sésame et ses réponses, et votre « Oui » ou « Non » si vous répondez à "
            "« Cette réponse vous a aidé ? ». Un numéro de Sécurité sociale ou un code d'accès "
            "y est masqué avant d'être enregistré.",
            "Vous répondre pendant la discussion, puis améliorer les réponses de l'assistant.",
            f"{in_words(policy.conversations.days)} après votre dernier message",
            "Les formateurs qui améliorent l'assistant ; un conseiller si vous demandez à lui parler.",
        ),
        Record(
            "Vos échanges avec un conseiller",
            "Vos échanges avec un conseiller et, si vous demandez à être rappelé, votre numéro de "
            "téléphone et le créneau choisi.",
            "Vous mettre en relation avec un conseiller et vous rappeler.",
            f"{in_words(policy.handoffs.days)} après votre demande, une fois l'échange terminé",
            "Les conseillers ACS.",
        ),
        Record(
            "Les vérifications de votre numéro de Sécurité sociale",
            "La trace de chaque vérification de votre numéro de Sécurité sociale, sous une forme "
            "chiffrée qui ne permet pas de le retrouver.",
            "Protéger votre compte contre les essais de numéros en masse.",
            in_words(policy.nir_lookups.days),
            "Les superviseurs ACS, en cas d'incident de sécurité.",
        ),
        Record(
            "Vos demandes de nouveau code d'accès",
            "Vos demandes de nouveau code d'accès, avec l'adresse e-mail ou postale utilisée.",
            "Vous envoyer votre code, et pouvoir vérifier qu'il est bien parti si vous ne le recevez pas.",
            in_words(policy.resets.days),
            "Les conseillers ACS.",
        ),
        Record(
            "Le journal des consultations de votre dossier",
            "Le journal de qui a consulté votre dossier ou agi pour vous, et quand.",
            "La sécurité de vos données : toute consultation de votre dossier laisse une trace.",
            in_words(policy.audit.days),
            "Les superviseurs ACS.",
        ),
    )
    phone = f" au {settings.acs_contact_phone}" if settings.acs_contact_phone else ""
    return PrivacyNotice(
        records=records,
        contact=settings.privacy_contact.strip(),
        contact_is_email="@" in settings.privacy_contact and " " not in settings.privacy_contact.strip(),
        fallback_contact=f"au service adhérents d'ACS{phone}, en précisant « protection des données »",
    )
