"""A change in plain French before its files (issue #22: « the new-question preview is 12 YAML files »)."""

from __future__ import annotations

from bot.workbench.previews import edit_summary, question_summary


def test_a_new_question_is_said_in_french_without_files_or_yaml() -> None:
    said = question_summary(
        label="Dois-je me reconnecter après avoir personnalisé mon code ?",
        examples=["faut il se reconnecter apres le code perso", "je dois me reconnecter ?"],
        answer="Oui : reconnectez-vous avec votre nouveau code personnalisé.",
        buttons=[("Recevoir un nouveau code", "J'ai oublié mon code d'accès")],
        holdout=15,
        topic="La première connexion",
        section="3.3 Me reconnecter avec le code personnalisé",
        digression=False,
    )
    assert said == [
        "Sésame apprendra 2 façons de dire « Dois-je me reconnecter après avoir personnalisé mon code ? ».",
        "Exemples ajoutés : « faut il se reconnecter apres le code perso » ; « je dois me reconnecter ? ».",
        "Réponse : Oui : reconnectez-vous avec votre nouveau code personnalisé.",
        "Boutons sous la réponse : « Recevoir un nouveau code » (pose « J'ai oublié mon code d'accès »).",
        "15 phrases de contrôle mesureront si Sésame comprend la question ; elles ne servent pas à "
        "l'apprentissage.",
        "Thème : La première connexion.",
        "Section du document d'aide : 3.3 Me reconnecter avec le code personnalisé.",
        "Une histoire de test vérifiera que Sésame donne cette réponse à « faut il se reconnecter apres le "
        "code perso ».",
    ]
    for word in ("active_loop", "slot_was_set", "utter_", ".yml", "intent"):
        assert not any(word in line for line in said)


def test_an_edit_is_said_in_french_and_nothing_is_nothing() -> None:
    assert edit_summary(
        label="Hors sujet", added=["vous vendez des voitures"], removed=["meteo"], answer=None, buttons=None
    ) == [
        "Exemples ajoutés à « Hors sujet » : « vous vendez des voitures ».",
        "Exemples retirés de « Hors sujet » : « meteo ».",
    ]
    assert edit_summary(label="x", added=[], removed=[], answer="Bonjour.", buttons=[]) == [
        "Nouvelle réponse : Bonjour.",
        "Boutons sous la réponse : aucun.",
    ]
    assert edit_summary(label="x", added=[], removed=[], answer=None, buttons=None) == ["Aucun changement."]
