"""Write data/nlu/secrets.yml: examples of members typing a NIR or an access code.

The numbers are generated, never real: NIRs are random but valid by checksum
(python-stdnum), access codes are random 6-digit strings. Run from env B:
``PYTHONPATH=. .venv/actions/bin/python -m bot.training.secret_examples``. The output is
committed; re-running with the same seed gives the same file.
"""

from __future__ import annotations

import random

from stdnum.fr import nir

from bot.settings import PROJECT_ROOT

SEED = 2026
OUTPUT = PROJECT_ROOT / "data" / "nlu" / "secrets.yml"

NIR_SENTENCES = [
    "{n}",
    "mon numéro de sécurité sociale est le {n}",
    "mon numero de secu c'est {n}",
    "n° ss : {n}",
    "voici mon numéro de sécu {n}",
    "numero securite sociale {n}",
    "c'est le {n}",
    "mon nir {n}",
    "Mon numéro : {n}",
    "le numero c {n}",
    "jvous donne mon num de secu {n}",
    "Bonjour, mon numéro de Sécurité sociale est {n}",
    "N° de sécurité sociale {n}",
    "voila {n}",
    "mon n° de ss est {n}",
    "{n} c'est mon numero",
]

# A NIR given together with the wish for a new code: the intent is the wish
# (forgot_access_code), the number is its nir entity; the bot then checks the number
# at once instead of asking for it.
FORGOT_WITH_NIR_SENTENCES = [
    "voici mon numéro {n}, je voudrais un nouveau code",
    "j'ai oublié mon code d'accès, mon numéro de sécu est le {n}",
    "bonjour j'ai perdu mon code, mon n° de sécurité sociale : {n}",
    "je voudrais un nouveau code d'accès pour le {n}",
    "{n} j'ai oublié mon code",
    "mon numero de secu {n} et j'ai perdu mon code d'acces",
    "pouvez-vous m'envoyer un nouveau code ? mon numéro est {n}",
    "code oublié, numéro de sécurité sociale {n}",
    "jai oublie mon code voila mon num {n}",
    "il me faut un nouveau code, n° ss {n}",
    "mot de passe oublié, voici mon numéro {n}",
    "je ne me souviens plus de mon code, je vous donne mon numéro : {n}",
]

CODE_SENTENCES = [
    "{c}",
    "{c}",
    "{c}",
    " {c}",
    "mon code c'est {c}",
    "mon code d'acces est {c}",
    "voici mon code {c}",
    "code {c}",
    "le code : {c}",
    "mon code perso {c}",
    "tenez mon code {c}",
    "mon mot de passe c {c}",
    "Mon code d'accès est le {c}",
    "c'est {c} mon code",
    "je vous donne mon code {c}",
    "{c} c'est mon code",
    "code d acces {c}",
    "voila le code {c}",
    "mdp {c}",
    "mon code secret {c}",
    "{c} voila",
    "mon code est {c} vous pouvez verifier",
    "voici le code à 6 chiffres {c}",
    "le code recu par courrier c'est {c}",
    "{c} ?",
]


# Questions about the code's rules with a code as the example: the secret guard keeps
# access_code_rules for them (and flags the code) when the classifier is confident.
RULES_QUESTION_SENTENCES = [
    "puis je prendre {c} comme code ?",
    "est-ce que {c} c'est un bon code ?",
    "je peux mettre {c} comme code perso ?",
    "{c} ca marche comme code personnalisé ?",
    "le code {c} est-il autorisé ?",
    "un code comme {c} c'est permis ?",
    "{c} c'est trop facile comme code ?",
    "j'ai le droit de choisir {c} ?",
    "ca passe {c} comme code a 6 chiffres ?",
    "si je choisis {c} ca respecte les regles ?",
    "code perso {c} accepte ou pas",
    "pourquoi {c} n'est pas accepté quand je personnalise mon code ?",
    "{c} c'est valable comme code d'accès ?",
    "est ce que {c} est un code trop simple",
]


def random_nir(rng: random.Random) -> str:
    """A structurally plausible NIR whose 2-digit key matches (never a real person's)."""
    body = (
        rng.choice("12")
        + f"{rng.randint(0, 99):02d}"
        + f"{rng.randint(1, 12):02d}"
        + rng.choice([f"{rng.randint(1, 95):02d}", "2A", "2B"]).replace("20", "21")
        + f"{rng.randint(1, 990):03d}"
        + f"{rng.randint(1, 999):03d}"
    )
    number = body + nir.calc_check_digits(body)
    if not nir.is_valid(number):
        raise ValueError(f"NIR généré invalide : {number}")
    return number


def spell(number: str, rng: random.Random) -> str:
    """Write a NIR the way members do: grouped with spaces, dots or dashes, or not."""
    groups = [number[0], number[1:3], number[3:5], number[5:7], number[7:10], number[10:13]]
    key = number[13:]
    style = rng.choice(["plain", "space", "dot", "dash", "space", "nokey"])
    if style == "plain":
        return number
    if style == "nokey":
        return " ".join(groups)
    sep = {"space": " ", "dot": ".", "dash": "-"}[style]
    return sep.join([*groups, key])


def secrets_yaml(seed: int = SEED) -> str:
    """The whole of ``data/nlu/secrets.yml``, drawn from ``seed``."""
    rng = random.Random(seed)  # noqa: S311 - fictitious numbers, reproducible on purpose
    nir_lines = []
    for template in NIR_SENTENCES * 3:
        written = spell(random_nir(rng), rng)
        nir_lines.append("    - " + template.format(n=f"[{written}](nir)"))
    code_lines = sorted(
        {"    - " + t.format(c=f"{rng.randint(0, 999999):06d}").strip() for t in CODE_SENTENCES}
    )
    # Drawn after the others, so adding this block left their numbers unchanged.
    rules_lines = sorted(
        {"    - " + t.format(c=f"{rng.randint(0, 999999):06d}") for t in RULES_QUESTION_SENTENCES}
    )
    forgot_lines = []
    for template in FORGOT_WITH_NIR_SENTENCES * 2:
        written = spell(random_nir(rng), rng)
        forgot_lines.append("    - " + template.format(n=f"[{written}](nir)"))
    header = (
        "# Généré par bot/training/secret_examples.py — ne pas modifier à la main.\n"
        "# Numéros FICTIFS : NIR tirés au hasard (clé valide), codes au hasard.\n"
        "# Ne mettez jamais ici le numéro ou le code d'une vraie personne.\n"
    )
    regex = (
        "- regex: nir\n"
        "  examples: |\n"
        r"    - (?<![0-9A-Za-z])[12378][\s.\-/]*\d{2}[\s.\-/]*\d{2}[\s.\-/]*(?:\d{2}|2[ABab])"
        r"[\s.\-/]*\d{3}[\s.\-/]*\d{3}(?:[\s.\-/]*\d{2})?(?![0-9A-Za-z])"
        "\n"
        "- regex: access_code\n"
        "  examples: |\n"
        r"    - ^\s*\d{6}\s*$"
        "\n"
        r"    - (?<![\d.\-/])\d{6}(?![\d.\-/])"
        "\n"
    )
    body = (
        'version: "3.1"\nnlu:\n'
        + "- intent: provide_nir\n  examples: |\n"
        + "\n".join(nir_lines)
        + "\n"
        + "- intent: share_access_code\n  examples: |\n"
        + "\n".join(code_lines)
        + "\n"
        + "- intent: access_code_rules\n  examples: |\n"
        + "\n".join(rules_lines)
        + "\n"
        + "- intent: forgot_access_code\n  examples: |\n"
        + "\n".join(forgot_lines)
        + "\n"
        + regex
    )
    return header + body


def main() -> None:
    OUTPUT.write_text(secrets_yaml(), encoding="utf-8")
    print(f"Exemples de numéros fictifs dans {OUTPUT}")


if __name__ == "__main__":
    main()
