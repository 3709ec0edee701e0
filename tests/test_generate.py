"""Sampling: draws follow the tempered distribution, T = 0 is greedy, top-k, errors."""

import math

import numpy as np
import pytest

from scratchml import GPT, Layer, generate, sample_next_token, softmax

LOGITS = np.array([2.0, 1.0, 0.5, 0.0, -1.0, -2.5])


class FixedLogits(Layer):
    """A stand-in model: the same logits at every position; records what it was fed."""

    def __init__(self, logits, context_length=4):
        super().__init__()
        self.logits, self.context_length, self.vocab_size = (
            logits,
            context_length,
            len(logits),
        )
        self.seen = []

    def forward(self, ids):
        self.seen.append(ids.copy())
        # (..., T, V)
        return np.broadcast_to(self.logits, ids.shape + self.logits.shape)


def chi_square_bound(df: int, z: float = 3.719) -> float:
    """Wilson-Hilferty upper quantile of chi-square(df).

    z = 3.719 is the 0.9999 quantile of the normal distribution.
    """
    a = 2 / (9 * df)
    return df * (1 - a + z * math.sqrt(a)) ** 3


def chi_square(draws: np.ndarray, p: np.ndarray) -> float:
    counts = np.bincount(draws, minlength=len(p))
    expected = len(draws) * p
    keep = expected > 0
    assert counts[~keep].sum() == 0  # nothing drawn where the probability is 0
    return float(((counts[keep] - expected[keep]) ** 2 / expected[keep]).sum())


@pytest.mark.parametrize("temperature", [0.5, 1.0, 2.0])
def test_draws_follow_the_tempered_distribution(temperature):
    n = 20000
    logits = np.broadcast_to(LOGITS, (n, len(LOGITS)))  # (n, V): n independent draws
    draws = sample_next_token(logits, temperature=temperature, rng=0)
    p = softmax(LOGITS, temperature=temperature)
    bound = chi_square_bound(len(LOGITS) - 1)  # about 26.3 for 5 degrees of freedom
    assert chi_square(draws, p) < bound
    # ... and not the untempered distribution: temperature changes what is sampled.
    if temperature != 1.0:
        assert chi_square(draws, softmax(LOGITS)) > 10 * bound


def test_generate_samples_from_the_tempered_distribution():
    model = FixedLogits(LOGITS)
    ids = generate(model, [0], 4000, temperature=1.5, rng=1)
    assert chi_square(ids[1:], softmax(LOGITS, temperature=1.5)) < chi_square_bound(5)


def test_temperature_zero_is_greedy():
    assert sample_next_token(LOGITS, temperature=0) == 0
    rows = np.array([[0.0, 3.0, 1.0], [5.0, -1.0, 4.9]])
    np.testing.assert_array_equal(sample_next_token(rows, temperature=0), [1, 0])
    model = GPT(vocab_size=7, d_model=8, n_heads=2, n_layers=1, context_length=6, rng=0)
    out = generate(model, [1, 2], 8, temperature=0)
    ids = np.array([1, 2])
    for _ in range(8):  # greedy by hand
        ids = np.append(ids, np.argmax(model(ids[-6:])[-1]))
    np.testing.assert_array_equal(out, ids)


def test_top_k_never_samples_outside_the_k_largest():
    logits = np.array([0.3, 2.0, -1.0, 1.5, 1.9, 0.0])
    draws = sample_next_token(
        np.broadcast_to(logits, (5000, 6)), temperature=3.0, top_k=3, rng=0
    )
    assert set(np.unique(draws)) == {1, 3, 4}
    p = np.zeros(6)
    # renormalized over the top 3
    p[[1, 3, 4]] = softmax(logits[[1, 3, 4]], temperature=3.0)
    assert chi_square(draws, p) < chi_square_bound(2)
    assert np.all(
        sample_next_token(np.broadcast_to(logits, (50, 6)), top_k=1, rng=0) == 1
    )
    assert sample_next_token(logits, top_k=100, temperature=0) == 1  # k >= V keeps all


def test_same_seed_same_output():
    model = GPT(vocab_size=7, d_model=8, n_heads=2, n_layers=1, context_length=6, rng=0)
    a = generate(model, [1, 2, 3], 12, temperature=1.0, rng=42)
    b = generate(model, [1, 2, 3], 12, temperature=1.0, rng=42)
    c = generate(model, [1, 2, 3], 12, temperature=1.0, rng=43)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    gen = np.random.default_rng(7)  # a Generator is accepted and advanced
    assert not np.array_equal(
        generate(model, [1], 12, rng=gen), generate(model, [1], 12, rng=gen)
    )


def test_returns_prompt_then_new_tokens():
    model = FixedLogits(LOGITS)
    out = generate(model, [5, 4, 3], 6, rng=0)
    assert out.dtype == np.int64 and out.shape == (9,)
    np.testing.assert_array_equal(out[:3], [5, 4, 3])
    assert out.min() >= 0 and out.max() < 6
    np.testing.assert_array_equal(generate(model, [5, 4], 0), [5, 4])


def test_batched_prompts():
    out = generate(FixedLogits(LOGITS), np.array([[0, 1], [2, 3], [4, 5]]), 5, rng=0)
    assert out.shape == (3, 7)
    np.testing.assert_array_equal(out[:, :2], [[0, 1], [2, 3], [4, 5]])


def test_context_is_cropped_to_the_last_context_length_tokens():
    model = FixedLogits(LOGITS, context_length=4)
    out = generate(model, [0, 1, 2, 3, 4, 5], 3, rng=0)
    assert [len(s) for s in model.seen] == [4, 4, 4]
    np.testing.assert_array_equal(model.seen[0], [2, 3, 4, 5])
    np.testing.assert_array_equal(model.seen[2], out[-5:-1])
    real = GPT(vocab_size=7, d_model=8, n_heads=2, n_layers=1, context_length=4, rng=0)
    # prompt longer than 4
    assert generate(real, np.arange(7) % 7, 3, rng=0).shape == (10,)


@pytest.mark.parametrize("bad", [-0.5, np.nan, np.inf, "warm", None])
def test_invalid_temperature_is_a_clear_error(bad):
    with pytest.raises(
        ValueError, match="generate: temperature must be (a finite number )?>= 0"
    ):
        generate(FixedLogits(LOGITS), [0], 3, temperature=bad)
    with pytest.raises(ValueError, match="sample_next_token: temperature must be"):
        sample_next_token(LOGITS, temperature=bad)


def test_other_argument_errors():
    model = FixedLogits(LOGITS)
    with pytest.raises(
        ValueError, match="generate: top_k must be a positive integer, got 0"
    ):
        generate(model, [0], 3, top_k=0)
    with pytest.raises(
        ValueError, match="generate: n_new must be an integer >= 0, got -1"
    ):
        generate(model, [0], -1)
    with pytest.raises(
        TypeError, match="generate: token_ids must be integer token ids"
    ):
        generate(model, [0.5], 3)
    with pytest.raises(ValueError, match="generate: token_ids holds id 6 at index"):
        generate(model, [6], 3)
    with pytest.raises(ValueError, match=r"generate: token_ids has shape \(1, 1, 1\)"):
        generate(model, [[[0]]], 3)
    with pytest.raises(ValueError, match="sample_next_token: logits contains NaN"):
        sample_next_token([0.0, np.nan])


@pytest.mark.parametrize("prompt_len, n_new", [(3, 10), (6, 20)])
def test_cached_loop_samples_the_same_tokens_as_the_plain_loop(prompt_len, n_new):
    """The KV cache optimisation: the same sampled text, batched, window sliding."""
    model = GPT(
        vocab_size=11, d_model=16, n_heads=2, n_layers=2, context_length=8, rng=3
    )
    model = model.astype(np.float64)
    prompt = np.random.default_rng(1).integers(0, 11, size=(2, prompt_len))
    options = {"temperature": 1.3, "top_k": 7, "top_p": 0.9, "rng": 5}
    cached = generate(model, prompt, n_new, kv_cache=True, **options)
    plain = generate(model, prompt, n_new, kv_cache=False, **options)
    assert cached.shape == (2, prompt_len + n_new)
    np.testing.assert_array_equal(cached, plain)
