"""The noise generator never writes a secret into the training data (issue 20, finding 3).

« Nouvelle question » once accepted "48|29|13"; the noise dropped the bars and
data/nlu/variantes.yml got "48 29 13", trained and put in service.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.settings import PROJECT_ROOT
from bot.shared.patterns import holds_secret, secrets
from bot.training.noise import makes_secret, noisy, unchecked_noisy
from bot.training.variants import examples, variants
from tests.support.unicode_forms import joiner

NLU_HEADER = 'version: "3.1"\nnlu:\n'


def test_a_copy_the_noise_turned_into_a_code_is_not_given() -> None:
    phrase = "le dossier 12h3456 est bloque"  # "h" dropped by a slip: "123456"
    drawn = {seed: unchecked_noisy(phrase, seed) for seed in range(50)}
    made = [seed for seed, copy in drawn.items() if holds_secret(copy)]
    assert made, "no draw joins the digits: the test proves nothing"
    assert all(noisy(phrase, seed) is None for seed in made)
    assert all(noisy(phrase, seed) == drawn[seed] for seed in drawn if seed not in made)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["mon", "code", "rien", "c'est", "pourquoi", "h", "a", "numero", "le"]),
            st.text("0123456789", min_size=1, max_size=4),
            st.lists(joiner, min_size=1, max_size=3).map("".join),
        ),
        min_size=1,
        max_size=12,
    ).map(" ".join),
    st.integers(0, 10_000),
)
def test_the_noise_never_adds_a_secret(phrase: str, seed: int) -> None:
    copy = noisy(phrase, seed)
    if copy is not None:
        assert len(secrets(copy)) <= len(secrets(phrase))
        assert not makes_secret(phrase, copy)


def test_variants_hold_no_secret_even_from_a_secret_source(tmp_path: Path) -> None:
    nlu = tmp_path / "nlu"
    holdout = tmp_path / "holdout"
    nlu.mkdir()
    holdout.mkdir()
    sources = [
        "mon code 48|29|13 ne marche pas",
        "mon numero 2\u206391\u206309\u206375\u2063006\u2063373\u206388 svp",
        "le dossier 12h3456 est bloque depuis hier",
        "mon code de 6 chiffres ne marche plus du tout",
    ]
    (nlu / "exemples.yml").write_text(
        NLU_HEADER + "- intent: cannot_login\n  examples: |\n" + "".join(f"    - {x}\n" for x in sources),
        encoding="utf-8",
    )
    (holdout / "h.yml").write_text(
        NLU_HEADER + "- intent: greet\n  examples: |\n    - salut\n", encoding="utf-8"
    )
    found = {seed: variants(nlu, holdout, seed) for seed in range(8)}
    copies = [copy for drawn in found.values() for phrases in drawn.values() for copy in phrases]
    assert copies, "no variant at all: the test proves nothing"
    assert not any(holds_secret(copy) for copy in copies), copies


def test_the_committed_variants_hold_no_secret() -> None:
    committed = examples([PROJECT_ROOT / "data" / "nlu" / "variantes.yml"])
    phrases = [phrase for found in committed.values() for phrase in found]
    assert phrases
    assert [phrase for phrase in phrases if holds_secret(phrase)] == []
