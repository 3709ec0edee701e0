"""KV cache: cached steps give the logits of a full forward pass; generation agrees
with and without the cache (greedy, sampled, prompt longer than one token, context
overflow)."""

import re

import numpy as np
import pytest

from scratchml import (
    GPT,
    KVCache,
    MultiHeadAttention,
    SelfAttention,
    TransformerBlock,
    cached_causal_mask,
    causal_mask,
    generate,
)

TOL = {np.float32: dict(rtol=2e-5, atol=2e-5), np.float64: dict(rtol=1e-12, atol=1e-12)}


def tiny_gpt(dtype=np.float32, context_length=64, seed=0):
    """A small random GPT whose embeddings are scaled up, so that its greedy text
    varies."""
    model = GPT(
        vocab_size=11, d_model=16, n_heads=4, n_layers=2, context_length=context_length,
        rng=seed, dtype=dtype,
    )  # fmt: skip
    for layer in (model.tok_emb, model.pos_emb, model.unembed):
        for key in layer.params:
            layer.params[key] *= 30  # in place: the dtype stays
    return model


class Spy(GPT):
    """A GPT that records how many tokens each call is fed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fed = []

    def forward(self, ids):
        self.fed.append(("full", np.shape(ids)[-1]))
        return super().forward(ids)

    def forward_cached(self, ids, cache, last_only=False):
        self.fed.append(("cached", np.shape(ids)[-1]))
        return super().forward_cached(ids, cache, last_only)


def test_kv_cache_append_stores_and_returns_views():
    cache = KVCache(batch=2, n_heads=3, max_len=5, d_head=4, dtype=np.float64)
    rng = np.random.default_rng(0)
    k1, v1 = rng.standard_normal((2, 2, 3, 2, 4))
    keys, values = cache.append(k1, v1)
    assert cache.length == 2 and keys.shape == (2, 3, 2, 4)
    np.testing.assert_array_equal(keys, k1)
    k2, v2 = rng.standard_normal((2, 2, 3, 1, 4))
    keys, values = cache.append(k2, v2)
    assert cache.length == 3 and np.shares_memory(keys, cache.keys)
    np.testing.assert_array_equal(keys, np.concatenate([k1, k2], axis=2))
    np.testing.assert_array_equal(values, np.concatenate([v1, v2], axis=2))
    with pytest.raises(
        ValueError, match="KVCache.append: the cache holds 3 of 5 positions"
    ):
        cache.append(*rng.standard_normal((2, 2, 3, 3, 4)))
    cache.reset()
    assert cache.length == 0
    # memory: a key and a value of n_heads * d_head numbers, per sequence and position
    assert cache.bytes_per_token == 2 * 2 * 3 * 4 * 8
    assert cache.nbytes == 5 * cache.bytes_per_token


@pytest.mark.parametrize("start,n", [(0, 1), (0, 4), (3, 1), (3, 5), (7, 2)])
def test_cached_mask_is_the_rows_of_the_full_causal_mask(start, n):
    np.testing.assert_array_equal(
        cached_causal_mask(start, n), causal_mask(start + n)[start:]
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("make", ["mha", "self", "block"])
def test_layers_fed_in_chunks_equal_one_forward(make, dtype):
    d, T = 12, 9
    if make == "mha":
        layer, heads = MultiHeadAttention(d, 3, rng=1, dtype=dtype), 3
    elif make == "self":
        layer, heads = SelfAttention(d, d_head=5, rng=1, dtype=dtype), 1
    else:
        layer, heads = TransformerBlock(d, 3, rng=1, dtype=dtype), 3
    d_head = getattr(layer, "d_head", None) or layer.attn.d_head
    x = np.random.default_rng(2).standard_normal((2, T, d)).astype(dtype)
    full = layer.forward(x)
    cache = KVCache(2, heads, T, d_head, dtype=dtype)
    parts = [
        layer.forward_cached(x[:, a:b], cache)
        for a, b in [(0, 3), (3, 4), (4, 5), (5, 9)]
    ]
    cached = np.concatenate(parts, axis=1)
    assert cached.dtype == dtype and cache.length == T
    np.testing.assert_allclose(cached, full, **TOL[dtype])


def test_projection_biases_are_used_when_the_layer_has_them():
    attn = MultiHeadAttention(8, 2, rng=0, dtype=np.float64)
    rng = np.random.default_rng(5)
    for name in ("b_q", "b_k", "b_v", "b_o"):
        attn.params[name] = rng.standard_normal(8)  # as GPT-2's attention has
    x = rng.standard_normal((1, 5, 8))
    p = attn.params
    q, k, v = (x[0] @ p["W_" + c] + p["b_" + c] for c in "qkv")  # (5, 8) each
    heads = []
    for h in range(2):  # by hand, head by head
        s = slice(4 * h, 4 * h + 4)
        scores = q[:, s] @ k[:, s].T / 2.0 + np.where(causal_mask(5), 0.0, -np.inf)
        w = np.exp(scores - scores.max(axis=1, keepdims=True))
        heads.append((w / w.sum(axis=1, keepdims=True)) @ v[:, s])
    expected = np.concatenate(heads, axis=1) @ p["W_o"] + p["b_o"]
    cache = KVCache(1, 2, 5, 4, dtype=np.float64)
    got = np.concatenate(
        [attn.forward_cached(x[:, :3], cache), attn.forward_cached(x[:, 3:], cache)], 1
    )
    np.testing.assert_allclose(got[0], expected, rtol=1e-12, atol=1e-12)


def test_several_new_tokens_respect_the_causal_rule():
    attn = MultiHeadAttention(8, 2, rng=0, dtype=np.float64)
    x = np.random.default_rng(1).standard_normal((1, 6, 8))
    y = x.copy()
    y[:, 5] += 1.0  # change the last new token only
    outs = []
    for inp in (x, y):
        cache = KVCache(1, 2, 6, 4, dtype=np.float64)
        attn.forward_cached(inp[:, :2], cache)
        outs.append(attn.forward_cached(inp[:, 2:], cache))  # four new tokens at once
    np.testing.assert_array_equal(
        outs[0][:, :3], outs[1][:, :3]
    )  # earlier ones unchanged
    assert not np.allclose(outs[0][:, 3], outs[1][:, 3])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_cached_step_gives_the_logits_of_a_full_forward(dtype):
    model = tiny_gpt(dtype, context_length=24)
    ids = np.random.default_rng(3).integers(0, 11, size=(2, 24))
    full = model.forward(ids)  # (2, 24, V)
    cache = model.new_kv_cache(batch=2)
    prompt = model.forward_cached(ids[:, :5], cache)  # the prompt in one call
    assert prompt.dtype == dtype and prompt.shape == (2, 5, 11)
    np.testing.assert_allclose(prompt, full[:, :5], **TOL[dtype])
    for t in range(5, 24):  # then one token per step
        step = model.forward_cached(ids[:, t : t + 1], cache, last_only=True)
        assert step.shape == (2, 1, 11)
        np.testing.assert_allclose(step[:, 0], full[:, t], **TOL[dtype])
    assert all(c.length == 24 for c in cache)
    with pytest.raises(
        ValueError, match="GPT.forward_cached: the cache holds 24 positions"
    ):
        model.forward_cached(ids[:, :1], cache)


def test_positions_are_offset_by_the_cached_length():
    model = tiny_gpt(np.float64)
    cache = model.new_kv_cache()
    model.forward_cached([1, 2, 3], cache)
    step = model.forward_cached([4], cache)[-1]
    np.testing.assert_allclose(
        step, model.forward([1, 2, 3, 4])[-1], rtol=1e-12, atol=1e-12
    )
    # the same token with the same history, but at position 0, scores differently
    assert not np.allclose(step, model.forward_cached([4], model.new_kv_cache())[-1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_greedy_generation_is_identical_with_and_without_the_cache(dtype):
    model = tiny_gpt(dtype, context_length=64)
    prompt = [3, 1, 4, 1, 5]
    with_cache = generate(model, prompt, 50, temperature=0, kv_cache=True)
    without = generate(model, prompt, 50, temperature=0, kv_cache=False)
    np.testing.assert_array_equal(with_cache, without)
    ids = np.array(prompt)
    for _ in range(50):  # greedy by hand, from the full forward pass
        ids = np.append(ids, np.argmax(model(ids)[-1]))
    np.testing.assert_array_equal(with_cache, ids)
    assert len(set(with_cache[5:].tolist())) > 1  # not a degenerate constant output


def test_sampled_generation_is_identical_with_and_without_the_cache():
    model = tiny_gpt(np.float64)
    for top_p in (None, 0.8):
        a = generate(model, [[1, 2], [3, 4]], 30, temperature=1.3, rng=5, top_p=top_p)
        b = generate(
            model,
            [[1, 2], [3, 4]],
            30,
            temperature=1.3,
            rng=5,
            top_p=top_p,
            kv_cache=False,
        )
        np.testing.assert_array_equal(a, b)


def test_the_cache_feeds_the_prompt_once_then_one_token_per_step():
    spy = Spy(vocab_size=11, d_model=8, n_heads=2, n_layers=1, context_length=32, rng=0)
    generate(spy, [1, 2, 3, 4], 6, temperature=0)
    assert spy.fed == [("cached", 4)] + [("cached", 1)] * 5
    spy.fed.clear()
    generate(spy, [1, 2, 3, 4], 3, temperature=0, kv_cache=False)
    assert spy.fed == [("full", 4), ("full", 5), ("full", 6)]


def test_context_overflow_slides_the_window_and_agrees_without_the_cache():
    spy = Spy(vocab_size=11, d_model=8, n_heads=2, n_layers=2, context_length=6, rng=4)
    spy.astype(np.float64)
    out = generate(spy, [1, 2, 3], 8, temperature=0)
    # fills positions 0..5 with the cache, then the window slides and is refed whole
    assert (
        spy.fed
        == [("cached", 3), ("cached", 1), ("cached", 1), ("cached", 1)]
        + [("cached", 6)] * 4
    )
    np.testing.assert_array_equal(
        out, generate(spy, [1, 2, 3], 8, temperature=0, kv_cache=False)
    )
    ids = np.array([1, 2, 3])
    for _ in range(8):  # by hand: the last 6 tokens every time
        ids = np.append(ids, np.argmax(spy.forward(ids[-6:])[-1]))
    np.testing.assert_array_equal(out, ids)
    long_prompt = np.arange(9) % 11  # longer than the context from the start
    np.testing.assert_array_equal(
        generate(spy, long_prompt, 4, temperature=0),
        generate(spy, long_prompt, 4, temperature=0, kv_cache=False),
    )


def test_forward_cached_leaves_the_parameters_alone():
    model = tiny_gpt()
    before = {
        name: layer.params[key].copy() for name, layer, key in model.named_params()
    }
    model.forward_cached([1, 2, 3], model.new_kv_cache())
    for name, layer, key in model.named_params():
        np.testing.assert_array_equal(layer.params[key], before[name])


def test_new_kv_cache_memory_is_two_n_layers_d_model_per_token():
    model = tiny_gpt(np.float32, context_length=64)
    cache = model.new_kv_cache(batch=1)
    assert len(cache) == 2 and all(c.keys.dtype == np.float32 for c in cache)
    per_token = sum(c.bytes_per_token for c in cache)
    assert per_token == 2 * 2 * 16 * 4  # 2 (k and v) * n_layers * d_model * 4 bytes


@pytest.mark.parametrize("size", [1e6, -7e4])
def test_a_float16_cache_refuses_values_it_would_store_as_infinity(size):
    # float16 holds at most 65504 in size: 1e6 used to be stored as inf.
    cache = KVCache(1, 1, 4, 2, dtype=np.float16)
    fits = np.full((1, 1, 1, 2), 65504.0)  # float64, but every value fits
    keys, values = cache.append(fits, -fits)
    assert np.isfinite(keys).all() and keys.dtype == np.float16
    big = np.full((1, 1, 1, 2), size)
    shown = re.escape(f"{abs(size):g}")  # 1e+06, 70000
    for k, v, name in ((big, fits, "k"), (fits, big, "v")):
        with pytest.raises(
            ValueError,
            match=rf"^KVCache.append: {name} holds {shown}, but the cache's dtype "
            r"float16 holds at most 65504",
        ):
            cache.append(k, v)
    assert cache.length == 1  # nothing was stored


def test_one_cache_for_two_blocks_is_refused():
    # The second block would append its keys after the first block's, in one cache.
    model = tiny_gpt()
    cache = model.new_kv_cache()
    with pytest.raises(
        ValueError,
        match=r"^GPT.forward_cached: cache\[1\] is the same KVCache as cache\[0\]",
    ):
        model.forward_cached([1, 2, 3], [cache[0], cache[0]])
    assert cache[0].length == 0  # refused before anything was appended


def _model():
    return tiny_gpt()


def _attn():
    return MultiHeadAttention(8, 2, rng=0)


BAD_INPUT_PROBES = [
    (
        "KVCache",
        "batch 0",
        lambda: KVCache(0, 2, 4, 4),
        ValueError,
        r"KVCache: batch must be",
    ),
    (
        "KVCache",
        "max_len 1.5",
        lambda: KVCache(1, 2, 1.5, 4),
        ValueError,
        r"KVCache: max_len",
    ),
    (
        "KVCache",
        "int dtype",
        lambda: KVCache(1, 2, 4, 4, dtype=int),
        TypeError,
        r"KVCache: dtype",
    ),
    (
        "KVCache.append",
        "k of the wrong shape",
        lambda: KVCache(1, 2, 4, 4).append(
            np.zeros((1, 3, 1, 4)), np.zeros((1, 3, 1, 4))
        ),
        ValueError,
        r"KVCache.append: k has shape \(1, 3, 1, 4\)",
    ),
    (
        "KVCache.append",
        "v unlike k",
        lambda: KVCache(1, 2, 4, 4).append(
            np.zeros((1, 2, 1, 4)), np.zeros((1, 2, 2, 4))
        ),
        ValueError,
        r"KVCache.append: k has shape .* and v has shape \(1, 2, 2, 4\)",
    ),
    (
        "KVCache.append",
        "k with NaN",
        lambda: KVCache(1, 1, 4, 1).append(
            np.full((1, 1, 1, 1), np.nan), np.zeros((1, 1, 1, 1))
        ),
        ValueError,
        r"KVCache.append: k contains NaN",
    ),
    (
        "KVCache.append",
        "too many positions",
        lambda: KVCache(1, 1, 2, 1).append(
            np.zeros((1, 1, 3, 1)), np.zeros((1, 1, 3, 1))
        ),
        ValueError,
        r"KVCache.append: the cache holds 0 of 2 positions, no room for 3",
    ),
    (
        "cached_causal_mask",
        "negative start",
        lambda: cached_causal_mask(-1, 2),
        ValueError,
        r"cached_causal_mask: start must be an integer >= 0",
    ),
    (
        "cached_causal_mask",
        "n 0",
        lambda: cached_causal_mask(0, 0),
        ValueError,
        r"cached_causal_mask: n must be a positive integer",
    ),
    (
        "MultiHeadAttention.forward_cached",
        "cache not a KVCache",
        lambda: _attn().forward_cached(np.zeros((1, 1, 8)), [1]),
        TypeError,
        r"MultiHeadAttention.forward_cached: cache must be a KVCache, got list",
    ),
    (
        "MultiHeadAttention.forward_cached",
        "cache with other heads",
        lambda: _attn().forward_cached(np.zeros((1, 1, 8)), KVCache(1, 4, 4, 2)),
        ValueError,
        r"MultiHeadAttention.forward_cached: cache has \(batch, n_heads, d_head\) = "
        r"\(1, 4, 2\)",
    ),
    (
        "MultiHeadAttention.forward_cached",
        "x of the wrong width",
        lambda: _attn().forward_cached(np.zeros((1, 1, 5)), KVCache(1, 2, 4, 4)),
        ValueError,
        r"MultiHeadAttention.forward_cached: x has shape \(1, 1, 5\)",
    ),
    (
        "MultiHeadAttention.forward_cached",
        "full cache",
        lambda: _attn().forward_cached(np.zeros((1, 5, 8)), KVCache(1, 2, 4, 4)),
        ValueError,
        r"MultiHeadAttention.forward_cached: cache holds 0 of 4 positions, no room for "
        r"the 5",
    ),
    (
        "MultiHeadAttention.forward_cached",
        "non-causal layer",
        lambda: MultiHeadAttention(8, 2, causal=False).forward_cached(
            np.zeros((1, 1, 8)), KVCache(1, 2, 4, 4)
        ),
        ValueError,
        r"MultiHeadAttention.forward_cached: a KV cache needs causal attention",
    ),
    (
        "SelfAttention.forward_cached",
        "cache with two heads",
        lambda: SelfAttention(8).forward_cached(
            np.zeros((1, 1, 8)), KVCache(1, 2, 4, 8)
        ),
        ValueError,
        r"SelfAttention.forward_cached: cache has \(batch, n_heads, d_head\) = \(1, 2, "
        r"8\)",
    ),
    (
        "SelfAttention.forward_cached",
        "x with NaN",
        lambda: SelfAttention(2).forward_cached([[np.nan, 0.0]], KVCache(1, 1, 4, 2)),
        ValueError,
        r"SelfAttention.forward_cached: x contains NaN",
    ),
    (
        "TransformerBlock.forward_cached",
        "cache not a KVCache",
        lambda: TransformerBlock(8, 2, rng=0).forward_cached(np.zeros((1, 1, 8)), None),
        TypeError,
        r"MultiHeadAttention.forward_cached: cache must be a KVCache, got NoneType",
    ),
    (
        "GPT.new_kv_cache",
        "batch 0",
        lambda: _model().new_kv_cache(0),
        ValueError,
        r"GPT.new_kv_cache: batch must be a positive integer, got 0",
    ),
    (
        "GPT.forward_cached",
        "cache of the wrong length",
        lambda: _model().forward_cached([1], _model().new_kv_cache()[:1]),
        TypeError,
        r"GPT.forward_cached: cache must be a list of 2 KVCache .* of length 1",
    ),
    (
        "GPT.forward_cached",
        "cache not a list",
        lambda: _model().forward_cached([1], "cache"),
        TypeError,
        r"GPT.forward_cached: cache must be a list of 2 KVCache .* got str",
    ),
    (
        "GPT.forward_cached",
        "cache for another batch",
        lambda: _model().forward_cached([[1], [2]], _model().new_kv_cache(batch=1)),
        ValueError,
        r"GPT.forward_cached: ids has shape \(2, 1\) \(2 sequence\(s\)\) but the cache",
    ),
    (
        "GPT.forward_cached",
        "ids outside the vocabulary",
        lambda: _model().forward_cached([11], _model().new_kv_cache()),
        ValueError,
        r"GPT.forward_cached: ids holds id 11",
    ),
    (
        "GPT.forward_cached",
        "ids of rank 3",
        lambda: _model().forward_cached([[[1]]], _model().new_kv_cache()),
        ValueError,
        r"GPT.forward_cached: ids has shape \(1, 1, 1\)",
    ),
    (
        "GPT.forward_cached",
        "last_only not a bool",
        lambda: _model().forward_cached([1], _model().new_kv_cache(), last_only="yes"),
        TypeError,
        r"GPT.forward_cached: last_only must be True or False",
    ),
    (
        "GPT.forward_cached",
        "more than the context",
        lambda: _model().forward_cached(
            np.zeros(65, dtype=int), _model().new_kv_cache()
        ),
        ValueError,
        r"GPT.forward_cached: the cache holds 0 positions and ids adds 65, more than "
        r"context",
    ),
    (
        "generate",
        "kv_cache not a bool",
        lambda: generate(_model(), [1], 2, kv_cache="yes"),
        TypeError,
        r"generate: kv_cache must be True or False, got 'yes'",
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


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gpt2_cached_steps_equal_its_full_forward(dtype):
    from scratchml.gpt2 import GPT2

    model = GPT2(
        vocab_size=30, d_model=16, n_heads=4, n_layers=2, context_length=16, rng=0
    )
    model.astype(dtype)
    for (
        _,
        layer,
        key,
    ) in model.named_params():  # nonzero biases, so that they are tested
        if key.startswith("b_"):
            layer.params[key] += np.random.default_rng(1).standard_normal(
                layer.params[key].shape
            )
    ids = np.random.default_rng(2).integers(0, 30, size=16)
    full = model.forward(ids)
    cache = model.new_kv_cache()
    got = [model.forward_cached(ids[:6], cache)]
    got += [model.forward_cached(ids[t : t + 1], cache) for t in range(6, 16)]
    np.testing.assert_allclose(np.concatenate(got), full, **TOL[dtype])
    np.testing.assert_array_equal(
        generate(model, ids[:3], 13, temperature=0),
        generate(model, ids[:3], 13, temperature=0, kv_cache=False),
    )
