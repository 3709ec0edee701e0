"""Top-p (nucleus) sampling: the nucleus, ties, p = 1, tiny p, the draws, errors."""

import math

import numpy as np
import pytest
from test_generate import LOGITS, FixedLogits, chi_square, chi_square_bound

from scratchml import generate, sample_next_token, softmax, top_p_filter


def nucleus_by_hand(p: np.ndarray, top_p: float) -> np.ndarray:
    """The renormalized nucleus, by a plain loop over tokens from the likeliest down."""
    kept, total = [], 0.0
    for i in sorted(range(len(p)), key=lambda i: -p[i]):
        if total >= top_p:
            break
        kept.append(i)
        total += p[i]
    out = np.zeros_like(p)
    out[kept] = p[kept] / p[kept].sum()
    return out


def test_the_nucleus_is_the_fewest_likeliest_tokens_reaching_p():
    probs = np.array([0.15, 0.5, 0.05, 0.3])
    np.testing.assert_array_equal(top_p_filter(probs, 0.75), [0, 0.5, 0, 0.3])
    # reaching is enough
    np.testing.assert_array_equal(top_p_filter(probs, 0.5), [0, 0.5, 0, 0])
    np.testing.assert_array_equal(top_p_filter(probs, 0.9), [0.15, 0.5, 0, 0.3])
    np.testing.assert_array_equal(top_p_filter(probs, 1.0), probs)
    rows = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    np.testing.assert_array_equal(
        top_p_filter(rows, 0.85), [[0.7, 0.2, 0], [0.1, 0.1, 0.8]]
    )


def test_ties_with_the_last_kept_token_are_kept():
    probs = np.array([0.3, 0.4, 0.3])
    # both 0.3 or neither
    np.testing.assert_array_equal(top_p_filter(probs, 0.5), probs)
    # order-free
    np.testing.assert_array_equal(top_p_filter(probs[::-1], 0.5), probs[::-1])


def test_p_one_is_plain_sampling():
    logits = np.random.default_rng(0).standard_normal((500, 40))
    plain = sample_next_token(logits, temperature=0.7, rng=3)
    np.testing.assert_array_equal(
        sample_next_token(logits, temperature=0.7, rng=3, top_p=1), plain
    )


def test_tiny_p_is_greedy():
    logits = np.random.default_rng(1).standard_normal((500, 40))
    drawn = sample_next_token(logits, temperature=2.0, rng=0, top_p=1e-9)
    np.testing.assert_array_equal(drawn, logits.argmax(axis=-1))


@pytest.mark.parametrize(
    "temperature,top_p", [(1.0, 0.8), (1.5, 0.8), (0.5, 0.9), (2.0, 0.5)]
)
def test_draws_follow_the_tempered_truncated_distribution(temperature, top_p):
    n = 20000
    draws = sample_next_token(
        np.broadcast_to(LOGITS, (n, 6)), temperature=temperature, rng=0, top_p=top_p
    )
    p = nucleus_by_hand(softmax(LOGITS, temperature=temperature), top_p)
    df = int((p > 0).sum()) - 1
    assert df >= 1
    assert chi_square(draws, p) < chi_square_bound(df)
    # ... and not the distribution before truncation
    full = softmax(LOGITS, temperature=temperature)
    assert (
        np.bincount(draws, minlength=6)[p == 0].sum() == 0
        and (full[p == 0] > 0.01).any()
    )


def test_top_p_after_top_k_and_in_generate():
    draws = sample_next_token(
        np.broadcast_to(LOGITS, (4000, 6)), top_k=4, top_p=0.999, rng=0
    )
    # top-k cut first, p then keeps all four
    assert set(np.unique(draws)) == {
        0,
        1,
        2,
        3,
    }
    ids = generate(FixedLogits(LOGITS), [0], 4000, temperature=1.5, rng=1, top_p=0.8)
    p = nucleus_by_hand(softmax(LOGITS, temperature=1.5), 0.8)
    assert chi_square(ids[1:], p) < chi_square_bound(int((p > 0).sum()) - 1)


@pytest.mark.parametrize("bad", [0, -0.1, 1.5, math.nan, "0.5", True, None])
def test_invalid_top_p_is_a_clear_error(bad):
    if bad is None:  # None means "off", not an error
        assert sample_next_token(LOGITS, temperature=0, top_p=bad) == 0
        return
    with pytest.raises(
        ValueError, match=r"sample_next_token: top_p must be a number in \(0, 1\]"
    ):
        sample_next_token(LOGITS, top_p=bad)
    with pytest.raises(
        ValueError, match=r"generate: top_p must be a number in \(0, 1\]"
    ):
        generate(FixedLogits(LOGITS), [0], 3, top_p=bad)
    with pytest.raises(
        ValueError, match=r"top_p_filter: top_p must be a number in \(0, 1\]"
    ):
        top_p_filter([0.5, 0.5], bad)


BAD_INPUT_PROBES = [
    (
        "sample_next_token",
        "top_p 0",
        lambda: sample_next_token(LOGITS, top_p=0),
        ValueError,
        r"sample_next_token: top_p must be a number in \(0, 1\], got 0",
    ),
    (
        "generate",
        "top_p above 1",
        lambda: generate(FixedLogits(LOGITS), [0], 2, top_p=1.2),
        ValueError,
        r"generate: top_p must be a number in \(0, 1\], got 1.2",
    ),
    (
        "top_p_filter",
        "top_p a string",
        lambda: top_p_filter([0.5, 0.5], "0.9"),
        ValueError,
        r"top_p_filter: top_p must be a number in \(0, 1\], got '0.9'",
    ),
    (
        "top_p_filter",
        "negative probs",
        lambda: top_p_filter([1.5, -0.5], 0.9),
        ValueError,
        r"top_p_filter: probs must be probabilities >= 0",
    ),
    (
        "top_p_filter",
        "probs with NaN",
        lambda: top_p_filter([np.nan, 1.0], 0.9),
        ValueError,
        r"top_p_filter: probs contains NaN",
    ),
]


@pytest.mark.parametrize(
    "qualname,label,thunk,exc_type,pattern",
    BAD_INPUT_PROBES,
    ids=[p[1] for p in BAD_INPUT_PROBES],
)
def test_bad_input_probes(qualname, label, thunk, exc_type, pattern):
    with pytest.raises(exc_type, match=pattern):
        thunk()


@pytest.mark.parametrize(
    "probs, got",
    [
        (np.ones(3), r"got a sum of 3$"),  # counts, or logits, not probabilities
        ([0.25, 0.25], r"got a sum of 0\.5$"),
        ([[0.5, 0.5], [0.0, 0.0]], r"got a sum of 0 \(row 1\)$"),
        (np.array([0.6, 0.6], np.float32), r"got a sum of 1\.2$"),
        ([1.5, -0.5], r">= 0, got -0\.5$"),
    ],
)
def test_top_p_filter_refuses_rows_that_are_not_distributions(probs, got):
    # These used to be filtered as if they were probabilities, without a word.
    with pytest.raises(ValueError, match=rf"^top_p_filter: probs .*{got}"):
        top_p_filter(probs, 0.5)
