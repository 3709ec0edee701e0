"""GPT-2's pieces: GELU, attention biases, dropout, tied embeddings, init, the model,
the safetensors reader and the Hugging Face loader (parity with transformers:
test_gpt2_parity)."""

import json
import math

import numpy as np
import pytest

from scratchml import (
    GELU,
    GPT2,
    Dropout,
    Embedding,
    FeedForward,
    MultiHeadAttention,
    TiedUnembedding,
    check_gradients,
    cross_entropy,
    cross_entropy_grad,
    gelu,
    gelu_grad,
    gpt2_config,
    gpt2_num_params,
    load_gpt2,
    load_gpt2_model,
    load_safetensors,
    numerical_gradient,
    relative_error,
    save_gpt2,
    save_safetensors,
)
from scratchml.gpt2 import GPT2Block

SMALL = dict(vocab_size=11, d_model=8, n_heads=2, n_layers=2, context_length=6)
TINY = dict(
    vocab_size=5, d_model=4, n_heads=2, n_layers=2, context_length=4, d_hidden=6
)
rng = np.random.default_rng(0)


def _jitter(model, scale=0.3, seed=1):
    """Move every parameter away from its init (biases 0, gamma 1) so each gradient is
    sizable."""
    r = np.random.default_rng(seed)
    for _, layer, key in model.named_params():
        layer.params[key] = layer.params[key] + scale * r.standard_normal(
            layer.params[key].shape
        )
    return model


def _worst(errors):
    """The largest relative error, leaving out the key biases ``b_k``.

    ``b_k`` adds ``q . b_k`` to every score of a query's row, and the softmax ignores a
    constant added to a whole row: its true gradient is exactly 0, so the relative error
    compares two rounding noises. ``test_key_bias_gradient_is_zero`` checks it instead.
    """
    return max(v for k, v in errors.items() if not k.endswith("b_k"))


def _fix_masks(model, seed=2):
    """Give every dropout layer one mask per shape, drawn once: the forward is
    repeatable."""
    from scratchml.gpt2 import _walk

    for layer in _walk(model):
        if isinstance(layer, Dropout):
            masks, r = {}, np.random.default_rng(seed)

            def draw(shape, dtype, masks=masks, r=r, p=layer.p):
                if shape not in masks:
                    masks[shape] = (r.random(shape) >= p) / (1 - p)
                return masks[shape].astype(dtype)

            layer._draw_mask = draw
    return model


# ---------------------------------------------------------------- GELU


def _gelu_by_hand(z: float) -> float:
    return 0.5 * z * (1 + math.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z**3)))


def test_gelu_matches_the_formula_and_is_close_to_the_exact_erf_gelu():
    z = np.linspace(-6, 6, 241)
    assert np.allclose(gelu(z), [_gelu_by_hand(v) for v in z], rtol=1e-14, atol=1e-15)
    exact = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in z])
    assert np.abs(gelu(z) - exact).max() < 1e-3  # the tanh form approximates x * Phi(x)
    assert gelu(np.array([10.0]))[0] == pytest.approx(10.0)
    assert abs(gelu(np.array([-10.0]))[0]) < 1e-12
    assert gelu(z).min() == pytest.approx(-0.17, abs=0.01)


def test_gelu_grad_matches_finite_differences():
    z = np.random.default_rng(3).normal(0, 2, (5, 7))
    numeric = numerical_gradient(lambda: float(gelu(z).sum()), z)
    assert relative_error(gelu_grad(z), numeric) < 1e-6


def test_gelu_layer_gradients():
    errors = check_gradients(GELU(), rng.normal(0, 2, (3, 4, 5)))
    assert errors["x"] < 1e-6


@pytest.mark.parametrize("f", [gelu, gelu_grad, lambda z: GELU()(z)])
def test_gelu_float32_stays_float32(f):
    assert f(np.ones((2, 3), dtype=np.float32)).dtype == np.float32


def test_gelu_layer_backward_float32():
    layer = GELU()
    layer(np.ones((2, 3), np.float32))
    assert layer.backward(np.ones((2, 3), np.float32)).dtype == np.float32


# ---------------------------------------------------------------- biases, MLP
# activation


def test_attention_without_bias_is_unchanged_and_with_bias_adds_four():
    plain = MultiHeadAttention(8, 2, rng=0)
    biased = MultiHeadAttention(8, 2, rng=0, bias=True)
    assert list(plain.params) == ["W_q", "W_k", "W_v", "W_o"]
    assert list(biased.params) == [
        "W_q",
        "W_k",
        "W_v",
        "W_o",
        "b_q",
        "b_k",
        "b_v",
        "b_o",
    ]
    x = rng.normal(size=(2, 5, 8)).astype(np.float32)
    assert np.array_equal(plain(x), biased(x))  # zero biases change nothing
    biased.params["b_o"][:] = 1.0
    assert np.allclose(biased(x), plain(x) + 1.0, atol=1e-6)


@pytest.mark.parametrize("causal", [True, False])
def test_attention_bias_gradients(causal):
    layer = _jitter(MultiHeadAttention(8, 2, causal=causal, rng=0, bias=True))
    errors = check_gradients(layer, rng.normal(size=(2, 5, 8)))
    assert {"b_q", "b_k", "b_v", "b_o"} <= set(errors)
    assert _worst(errors) < 1e-6, errors


def test_key_bias_gradient_is_zero():
    layer = _jitter(MultiHeadAttention(8, 2, rng=0, bias=True)).astype(np.float64)
    y = layer(rng.normal(size=(2, 5, 8)))
    layer.backward(rng.normal(size=y.shape))
    assert np.abs(layer.grads["b_k"]).max() < 1e-12
    assert np.abs(layer.grads["b_q"]).max() > 1e-3


def test_feed_forward_gelu_gradients():
    layer = _jitter(FeedForward(6, 10, rng=0, activation="gelu"))
    assert isinstance(layer.act, GELU)
    errors = check_gradients(layer, rng.normal(size=(2, 3, 6)))
    assert max(errors.values()) < 1e-6, errors


def test_gpt2_block_gradients_with_dropout_masks_fixed():
    block = _fix_masks(_jitter(GPT2Block(4, 2, 6, dropout=0.25, rng=0)))
    errors = check_gradients(block, rng.normal(size=(2, 4, 4)))
    assert _worst(errors) < 1e-6, errors


def test_bias_float32_grads():
    layer = MultiHeadAttention(8, 2, rng=0, bias=True)
    y = layer(np.ones((1, 3, 8), np.float32))
    layer.backward(np.ones_like(y))
    assert y.dtype == np.float32
    assert all(g.dtype == np.float32 for g in layer.grads.values())


# ---------------------------------------------------------------- dropout


def test_dropout_drops_about_p_and_keeps_the_mean():
    layer = Dropout(0.25, rng=0)
    y = layer(np.ones((200, 500), np.float32))
    assert y.dtype == np.float32
    assert set(np.unique(y)) == {0.0, np.float32(1 / 0.75)}
    assert abs((y == 0).mean() - 0.25) < 0.01
    assert abs(y.mean() - 1.0) < 0.01


def test_dropout_is_seeded_and_off_in_eval():
    x = rng.normal(size=(4, 10))
    assert np.array_equal(Dropout(0.5, rng=3)(x), Dropout(0.5, rng=3)(x))
    layer = Dropout(0.5, rng=3)
    assert not np.array_equal(layer(x), layer(x))  # a fresh mask every call
    layer.training = False
    assert layer(x) is x or np.array_equal(layer(x), x)
    assert np.array_equal(layer.backward(x), x)
    assert np.array_equal(Dropout(0.0)(x), x)


def test_dropout_backward_uses_the_forward_mask():
    layer = Dropout(0.5, rng=1)
    y = layer(np.ones((3, 8)))
    assert np.array_equal(layer.backward(np.ones((3, 8))), y)  # same mask, same scale


def test_dropout_gradient_with_a_fixed_mask():
    layer = Dropout(0.3, rng=0)
    mask = (np.random.default_rng(5).random((3, 7)) >= 0.3) / 0.7
    layer._draw_mask = lambda shape, dtype: mask.astype(dtype)
    assert check_gradients(layer, rng.normal(size=(3, 7)))["x"] < 1e-6


def test_model_train_and_eval_switch_every_dropout():
    model = GPT2(**SMALL, dropout=0.5, rng=0)
    ids = rng.integers(0, 11, (2, 6))
    a, b = model(ids), model(ids)
    assert not np.array_equal(a, b)  # training by default: dropout acts
    model.eval()
    assert np.array_equal(model(ids), model(ids))
    assert model.train() is model and not np.array_equal(model(ids), model(ids))


# ---------------------------------------------------------------- tying


def test_tied_weights_are_one_parameter():
    model = GPT2(**SMALL, rng=0)
    names = [name for name, _, _ in model.named_params()]
    assert names.count("tok_emb.W_E") == 1
    assert not any(name.startswith("unembed.") for name in names)
    assert model.unembed.embedding.params["W_E"] is model.tok_emb.params["W_E"]
    ids = rng.integers(0, 11, (2, 6))
    x = model.ln_f(model.blocks(model.pos_emb(model.tok_emb(ids))))
    assert np.allclose(model(ids), x @ model.tok_emb.params["W_E"].T, atol=1e-6)


def test_tied_gradient_is_the_sum_of_both_uses():
    model = _jitter(GPT2(**SMALL, rng=0)).astype(np.float64)
    ids, targets = rng.integers(0, 11, (2, 6)), rng.integers(0, 11, (2, 6))
    logits = model(ids)
    dlogits = cross_entropy_grad(logits, targets)
    model.backward(dlogits)
    x = model.unembed._x.reshape(-1, 8)
    unembed_use = dlogits.reshape(-1, 11).T @ x  # (V, d): through logits = x @ W_E^T
    embed_use = model.tok_emb.grads["W_E"] - unembed_use
    one_hot = np.eye(11)[ids.reshape(-1)]  # (N, V)
    dx0 = model.pos_emb.backward(
        model.blocks.backward(model.ln_f.backward(model.unembed.backward(dlogits)))
    )
    assert np.allclose(embed_use, one_hot.T @ dx0.reshape(-1, 8))
    assert np.abs(unembed_use).max() > 1e-3 and np.abs(embed_use).max() > 1e-3


def test_tied_unembedding_gradients_alone():
    emb = Embedding(5, 4, rng=0)
    layer = TiedUnembedding(emb)
    assert layer.params == {}
    x = rng.normal(size=(2, 3, 4))
    emb.astype(np.float64)
    r = np.random.default_rng(0).standard_normal((2, 3, 5))
    layer.backward(r) if False else None
    y = layer(x)
    dx = layer.backward(r)
    f = lambda: float(np.sum(layer(x) * r))  # noqa: E731
    assert (
        relative_error(layer.grad_W_E, numerical_gradient(f, emb.params["W_E"])) < 1e-6
    )
    assert relative_error(dx, numerical_gradient(f, x)) < 1e-6
    assert y.shape == (2, 3, 5)


# ---------------------------------------------------------------- the whole model


def test_gpt2_gradients_under_cross_entropy():
    model = _jitter(GPT2(**TINY, rng=0), scale=0.5)
    r = np.random.default_rng(1)
    ids, targets = r.integers(0, 5, (2, 4)), r.integers(0, 5, (2, 4))
    loss = (
        lambda y: float(cross_entropy(y, targets)),
        lambda y: cross_entropy_grad(y, targets),
    )
    # The query gradients of so small a model are about 1e-3: eps = 1e-5 keeps the
    # difference quotient's rounding noise (about 1e-16 / eps) well below them.
    errors = check_gradients(model, ids, loss=loss, eps=1e-5)
    assert set(errors) == {name for name, _, _ in model.named_params()}
    assert _worst(errors) < 1e-6, errors


def test_gpt2_gradients_with_dropout_masks_fixed():
    model = _fix_masks(_jitter(GPT2(**TINY, dropout=0.2, rng=0)))
    errors = check_gradients(
        model, np.random.default_rng(2).integers(0, 5, (2, 4)), eps=1e-5
    )
    assert _worst(errors) < 1e-6, errors


def test_gpt2_float32_activations_and_grads():
    model = GPT2(**SMALL, rng=0, dropout=0.1)
    logits = model(rng.integers(0, 11, (2, 6)))
    assert logits.dtype == np.float32
    model.backward(np.ones_like(logits))
    for name, layer, key in model.named_params():
        assert layer.params[key].dtype == np.float32, name
        assert layer.grads[key].dtype == np.float32, name


def test_gpt2_is_causal():
    model = GPT2(**SMALL, rng=0)
    ids = rng.integers(0, 11, (2, 6))
    logits = model(ids)
    changed = ids.copy()
    changed[:, 3:] = (changed[:, 3:] + 1) % 11
    assert np.array_equal(model(changed)[:, :3], logits[:, :3])
    assert not np.array_equal(model(changed)[:, 3:], logits[:, 3:])


def test_gpt2_initialization():
    model = GPT2(
        vocab_size=500, d_model=64, n_heads=4, n_layers=8, context_length=64, rng=0
    )
    p = {name: layer.params[key] for name, layer, key in model.named_params()}
    residual = 0.02 / math.sqrt(16)
    for name, value in p.items():
        if name.endswith(("attn.W_o", "fc2.W")):
            assert abs(value.std() - residual) < 0.05 * residual, name
        elif name.rsplit(".", 1)[-1].startswith("W"):
            assert abs(value.std() - 0.02) < 0.05 * 0.02, name
            assert abs(value.mean()) < 0.002, name
        elif name.endswith("gamma"):
            assert np.all(value == 1), name
        else:
            assert np.all(value == 0), name
    twin = GPT2(
        vocab_size=500, d_model=64, n_heads=4, n_layers=8, context_length=64, rng=0
    )
    assert np.array_equal(twin.tok_emb.params["W_E"], p["tok_emb.W_E"])


def test_parameter_count_formula():
    for sizes in (
        SMALL,
        dict(vocab_size=300, d_model=64, n_heads=4, n_layers=3, context_length=32),
    ):
        assert GPT2(**sizes, rng=0).num_params() == gpt2_num_params(
            sizes["vocab_size"],
            sizes["d_model"],
            sizes["n_layers"],
            sizes["context_length"],
        )
    assert GPT2(**SMALL, d_hidden=20, rng=0).num_params() == gpt2_num_params(
        11, 8, 2, 6, 20
    )
    assert gpt2_num_params(50257, 768, 12, 1024) == 124_439_808  # GPT-2 small


def test_gpt2_small_has_124_439_808_parameters():
    """Builds GPT-2 small's shapes (about 500 MB in float32, a few seconds)."""
    model = GPT2(rng=0)
    assert model.num_params() == 124_439_808
    assert model.config["d_model"] == 768 and len(model.blocks) == 12


def test_tiny_gpt_is_untouched_by_the_new_options():
    from scratchml import GPT

    names = [name for name, _, _ in GPT(**SMALL, rng=0).named_params()]
    assert "unembed.W_U" in names and not any(".b_q" in n for n in names)


# ---------------------------------------------------------------- safetensors


def test_safetensors_layout_byte_by_byte(tmp_path):
    path = tmp_path / "t.safetensors"
    save_safetensors(path, {"a": np.array([1.0, -2.0], np.float32)}, {"format": "np"})
    raw = path.read_bytes()
    n = int.from_bytes(raw[:8], "little")
    assert (8 + n) % 8 == 0
    header = json.loads(raw[8 : 8 + n])
    assert header["a"] == {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}
    assert header["__metadata__"] == {"format": "np"}
    assert raw[8 + n :] == np.array([1.0, -2.0], "<f4").tobytes()


@pytest.mark.parametrize(
    "dtype", ["<f8", "<f4", "<f2", "<i8", "<i4", "<i2", "i1", "u1", "?"]
)
def test_safetensors_round_trip(tmp_path, dtype):
    a = (np.arange(24).reshape(2, 3, 4) % 7).astype(dtype)
    b = np.array(3, dtype=dtype)  # a scalar: shape []
    save_safetensors(tmp_path / "x.safetensors", {"a": a, "b": b})
    back = load_safetensors(tmp_path / "x.safetensors")
    assert back["a"].dtype == a.dtype and back["a"].shape == (2, 3, 4)
    assert np.array_equal(back["a"], a) and np.array_equal(back["b"], b)


def test_safetensors_arrays_are_memory_mapped_views(tmp_path):
    save_safetensors(tmp_path / "x.safetensors", {"a": np.ones((100, 100), np.float32)})
    a = load_safetensors(tmp_path / "x.safetensors")["a"]
    base = a
    while base.base is not None and not isinstance(base, np.memmap):
        base = base.base
    assert isinstance(base, np.memmap)
    assert not a.flags.owndata and not a.flags.writeable


def test_safetensors_writable_arrays_are_copy_on_write(tmp_path):
    path = tmp_path / "x.safetensors"
    save_safetensors(path, {"a": np.ones((3, 4), np.float32)})
    before = path.read_bytes()
    a = load_safetensors(path, writable=True)["a"]
    a[1, 2] = 7.0  # allowed, and only this process sees it
    assert a.flags.writeable and a[1, 2] == 7.0
    assert path.read_bytes() == before
    assert load_safetensors(path)["a"][1, 2] == 1.0
    with pytest.raises(
        TypeError, match="load_safetensors: writable must be True or False"
    ):
        load_safetensors(path, writable="yes")


def test_save_safetensors_over_a_mapped_file_keeps_the_mapped_arrays(tmp_path):
    path = tmp_path / "x.safetensors"
    save_safetensors(path, {"a": np.full((50, 50), 2.0, np.float32)})
    mapped = load_safetensors(path)["a"]
    save_safetensors(
        path, {"a": np.full((10,), 5.0, np.float32)}
    )  # a new file, renamed over
    assert np.all(mapped == 2.0) and mapped.shape == (50, 50)
    assert np.all(load_safetensors(path)["a"] == 5.0)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "x.safetensors"
    ]  # no .part left


def test_save_safetensors_rejects_a_directory_and_leaves_nothing_on_failure(tmp_path):
    with pytest.raises(ValueError, match="save_safetensors: path .* is a directory"):
        save_safetensors(tmp_path, {"a": np.ones(2, np.float32)})
    path = tmp_path / "x.safetensors"
    save_safetensors(path, {"a": np.ones(2, np.float32)})
    before = path.read_bytes()
    with pytest.raises(TypeError):
        save_safetensors(path, {"a": np.ones(2, np.float32), "b": np.array(["s"])})
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.safetensors"]


def _write_raw(path, header_bytes, data=b"", n=None):
    n = len(header_bytes) if n is None else n
    path.write_bytes(n.to_bytes(8, "little") + header_bytes + data)
    return path


@pytest.mark.parametrize(
    "header, data, n, message",
    [
        (b"", b"", None, "not JSON"),
        (b"{not json", b"", None, "not JSON"),
        (b"[1, 2]", b"", None, "not an object"),
        (b"{}", b"", 1000, "claims 1000 bytes"),
        (
            b'{"a": {"dtype": "Q7", "shape": [1], "data_offsets": [0, 4]}}',
            b"1234",
            None,
            "dtype 'Q7'",
        ),
        (
            b'{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}',
            b"1234",
            None,
            "outside the 4 bytes",
        ),
        (
            b'{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}',
            b"1234",
            None,
            "needs 8 bytes",
        ),
        (
            b'{"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}',
            b"1234",
            None,
            "shape",
        ),
        (b'{"a": {"dtype": "F32"}}', b"", None, "needs dtype, shape and data_offsets"),
    ],
)
def test_safetensors_corrupt_files(tmp_path, header, data, n, message):
    path = _write_raw(tmp_path / "bad.safetensors", header, data, n)
    with pytest.raises(ValueError, match=message):
        load_safetensors(path)


def test_safetensors_truncated_and_missing(tmp_path):
    (tmp_path / "short").write_bytes(b"\x01\x02")
    with pytest.raises(ValueError, match="fewer than the 8"):
        load_safetensors(tmp_path / "short")
    with pytest.raises(ValueError, match="is not a file"):
        load_safetensors(tmp_path / "nope.safetensors")


# ---------------------------------------------------------------- the loader


def _saved(tmp_path, dtype=np.float64, **sizes):
    model = _jitter(GPT2(**(sizes or SMALL), rng=0)).astype(dtype)
    save_gpt2(model, tmp_path)
    return model


def test_save_and_load_round_trip(tmp_path):
    model = _saved(tmp_path)
    loaded = load_gpt2_model(tmp_path, dtype=np.float64)
    ids = rng.integers(0, 11, (2, 6))
    assert np.array_equal(loaded(ids), model.eval()(ids))
    f32 = load_gpt2_model(tmp_path)
    assert f32(ids).dtype == np.float32
    assert all(
        layer.params[k].dtype == np.float32 for _, layer, k in f32.named_params()
    )
    assert not any(d.training for d in _dropouts(loaded))


def test_loaded_parameters_are_views_of_the_file_and_training_leaves_it_alone(tmp_path):
    model = _saved(tmp_path, np.float32)
    before = (tmp_path / "model.safetensors").read_bytes()
    loaded = load_gpt2_model(tmp_path)  # float32 on disk and in memory: no copy
    shared = [layer.params[k] for _, layer, k in loaded.named_params()]
    assert all(not p.flags.owndata for p in shared)
    for p in shared:
        p += 0.5  # what an optimizer step does: in place
    assert (tmp_path / "model.safetensors").read_bytes() == before
    again = load_gpt2_model(tmp_path)
    ids = rng.integers(0, 11, (1, 6))
    assert np.array_equal(again(ids), model.eval()(ids))
    save_gpt2(loaded, tmp_path)  # onto the very file it is mapped from
    assert all(np.all(np.isfinite(p)) for p in shared)
    reread = load_gpt2_model(tmp_path)
    assert np.array_equal(reread(ids), loaded(ids))


def _dropouts(model):
    from scratchml.gpt2 import _walk

    return [layer for layer in _walk(model) if isinstance(layer, Dropout)]


def test_loader_reads_the_transformer_prefix_and_skips_buffers(tmp_path):
    _saved(tmp_path)
    stored = {
        k: np.array(v)
        for k, v in load_safetensors(tmp_path / "model.safetensors").items()
    }
    renamed = {
        "transformer." + k: v for k, v in stored.items()
    }  # copies: the file is rewritten
    renamed["transformer.h.0.attn.bias"] = np.ones(
        (1, 1, 6, 6), np.float32
    )  # old mask buffer
    renamed["lm_head.weight"] = stored["wte.weight"]
    save_safetensors(tmp_path / "model.safetensors", renamed)
    loaded = load_gpt2_model(tmp_path, np.float64)
    assert np.array_equal(loaded.tok_emb.params["W_E"], stored["wte.weight"])


def test_c_attn_is_split_into_q_k_v(tmp_path):
    _saved(tmp_path)
    stored = load_safetensors(tmp_path / "model.safetensors")
    c_attn = stored["h.1.attn.c_attn.weight"]
    assert c_attn.shape == (8, 24)
    attn = load_gpt2_model(tmp_path, np.float64).blocks[1].attn
    assert np.array_equal(attn.params["W_k"], c_attn[:, 8:16])
    assert np.array_equal(attn.params["b_v"], stored["h.1.attn.c_attn.bias"][16:])


def _edit_config(tmp_path, **changes):
    path = tmp_path / "config.json"
    config = json.loads(path.read_text())
    config.update(changes)
    path.write_text(json.dumps(config))


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(model_type="llama"), "model_type is 'llama'"),
        (dict(activation_function="relu"), "activation_function is 'relu'"),
        (dict(tie_word_embeddings=False), "tie_word_embeddings"),
        (dict(n_head=3), r"n_embd \(8\) is not divisible by n_head \(3\)"),
        (dict(n_embd=16), "does not fit"),
        (dict(n_layer=3), "missing"),
        (dict(vocab_size=12), "does not fit"),
        (dict(n_positions="6"), "positive integers"),
        (dict(scale_attn_by_inverse_layer_idx=True), "scaling"),
    ],
)
def test_loader_config_errors(tmp_path, changes, message):
    _saved(tmp_path)
    _edit_config(tmp_path, **changes)
    with pytest.raises(ValueError, match=message):
        load_gpt2_model(tmp_path)


def test_loader_file_errors(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        load_gpt2_model(tmp_path / "nowhere")
    with pytest.raises(ValueError, match="has no config.json"):
        load_gpt2_model(tmp_path)
    _saved(tmp_path)
    (tmp_path / "config.json").write_text("{oops")
    with pytest.raises(ValueError, match="not JSON"):
        load_gpt2_model(tmp_path)
    (tmp_path / "model.safetensors").unlink()
    with pytest.raises(ValueError, match="has no model.safetensors"):
        load_gpt2_model(tmp_path)
    with pytest.raises(TypeError, match="directory must be a path"):
        load_gpt2_model(42)


def test_loader_missing_and_extra_tensors(tmp_path):
    _saved(tmp_path)
    stored = {
        k: np.array(v)
        for k, v in load_safetensors(tmp_path / "model.safetensors").items()
    }
    del stored["h.1.mlp.c_fc.bias"]
    stored["h.9.ln_1.weight"] = np.ones(8)
    save_safetensors(tmp_path / "model.safetensors", stored)
    with pytest.raises(
        ValueError, match=r"missing \['h.1.mlp.c_fc.bias'\].*h.9.ln_1.weight"
    ):
        load_gpt2_model(tmp_path)


def test_gpt2_config_reads_hugging_face_names():
    config = dict(
        model_type="gpt2",
        vocab_size=50257,
        n_embd=768,
        n_head=12,
        n_layer=12,
        n_positions=1024,
        n_inner=None,
        layer_norm_epsilon=1e-5,
    )
    assert gpt2_config(config) == dict(
        vocab_size=50257,
        d_model=768,
        n_heads=12,
        n_layers=12,
        context_length=1024,
        d_hidden=None,
        eps=1e-5,
    )


def test_load_gpt2_needs_the_tokenizer_files(tmp_path):
    _saved(tmp_path)
    with pytest.raises(ValueError, match="has no vocab.json"):
        load_gpt2(tmp_path)


# ---------------------------------------------------------------- bad input (errors
# contract)

BAD_INPUT_PROBES = [
    ("gelu", "z strings", lambda: gelu(["a"]), TypeError, r"gelu: z must hold numbers"),
    (
        "gelu_grad",
        "z NaN",
        lambda: gelu_grad([np.nan]),
        ValueError,
        r"gelu_grad: z contains NaN",
    ),
    (
        "GELU.forward",
        "z NaN",
        lambda: GELU()([np.nan]),
        ValueError,
        r"GELU.forward: z contains",
    ),
    (
        "GELU.backward",
        "dy shape",
        lambda: (lambda g: (g([1.0, 2.0]), g.backward(np.ones(3))))(GELU()),
        ValueError,
        r"GELU.backward: dy has shape",
    ),
    ("Dropout", "p = 1", lambda: Dropout(1.0), ValueError, r"Dropout: p must be"),
    ("Dropout", "p str", lambda: Dropout("0.1"), ValueError, r"Dropout: p must be"),
    (
        "Dropout.forward",
        "x NaN",
        lambda: Dropout(0.1)([np.nan]),
        ValueError,
        r"Dropout.forward: x contains NaN",
    ),
    (
        "Dropout.backward",
        "dy shape",
        lambda: (lambda d: (d(np.ones(2)), d.backward(np.ones(3))))(Dropout(0.1)),
        ValueError,
        r"Dropout.backward: dy has shape",
    ),
    (
        "MultiHeadAttention",
        "bias with bad d_model",
        lambda: MultiHeadAttention(7, 2, bias=True),
        ValueError,
        r"MultiHeadAttention: d_model \(7\)",
    ),
    (
        "FeedForward",
        "activation",
        lambda: FeedForward(4, activation="tanh"),
        ValueError,
        r"FeedForward: activation must be one of",
    ),
    (
        "TiedUnembedding",
        "embedding",
        lambda: TiedUnembedding(np.ones((3, 2))),
        TypeError,
        r"TiedUnembedding: embedding must be an Embedding",
    ),
    (
        "TiedUnembedding.forward",
        "x last dim",
        lambda: TiedUnembedding(Embedding(3, 2))(np.ones((1, 5))),
        ValueError,
        r"TiedUnembedding.forward: x has shape",
    ),
    (
        "GPT2",
        "n_heads",
        lambda: GPT2(vocab_size=5, d_model=6, n_heads=4, n_layers=1, context_length=4),
        ValueError,
        r"GPT2: d_model \(6\) must be divisible by n_heads \(4\)",
    ),
    (
        "GPT2",
        "vocab_size",
        lambda: GPT2(vocab_size=0),
        ValueError,
        r"GPT2: vocab_size must be a positive integer",
    ),
    (
        "GPT2",
        "dropout",
        lambda: GPT2(**SMALL, dropout=1.5),
        ValueError,
        r"GPT2: dropout must be",
    ),
    (
        "GPT2.forward",
        "ids too long",
        lambda: GPT2(**SMALL, rng=0)(np.zeros(7, int)),
        ValueError,
        r"GPT2.forward: ids has shape \(7,\), longer than context_length",
    ),
    (
        "GPT2.forward",
        "ids out of range",
        lambda: GPT2(**SMALL, rng=0)([11]),
        ValueError,
        r"GPT2.forward: ids",
    ),
    (
        "gpt2_config",
        "not a dict",
        lambda: gpt2_config([1]),
        ValueError,
        r"^gpt2_config: .* expected a JSON object",
    ),
    (
        "gpt2_config",
        "model_type",
        lambda: gpt2_config({"model_type": "bert"}),
        ValueError,
        r"^gpt2_config: .*model_type is 'bert'",
    ),
    (
        "load_gpt2",
        "directory type",
        lambda: load_gpt2(3.5),
        TypeError,
        r"load_gpt2: directory must be a path",
    ),
    (
        "load_gpt2",
        "directory missing",
        lambda: load_gpt2("/nonexistent/gpt2"),
        ValueError,
        r"load_gpt2: directory '/nonexistent/gpt2' does not exist",
    ),
    (
        "load_gpt2_model",
        "directory missing",
        lambda: load_gpt2_model("/nonexistent/g"),
        ValueError,
        r"load_gpt2: directory '/nonexistent/g' does not exist",
    ),
    (
        "save_gpt2",
        "model",
        lambda: save_gpt2("model", "/tmp"),
        TypeError,
        r"save_gpt2: model must be a GPT2",
    ),
    (
        "save_gpt2",
        "directory",
        lambda: save_gpt2(GPT2(**SMALL, rng=0), 5),
        TypeError,
        r"save_gpt2: directory must be a path",
    ),
    (
        "load_safetensors",
        "path missing",
        lambda: load_safetensors("/nonexistent.st"),
        ValueError,
        r"load_safetensors: path '/nonexistent.st' is not a file",
    ),
    (
        "save_safetensors",
        "tensors",
        lambda: save_safetensors("/tmp/x.st", [1]),
        TypeError,
        r"save_safetensors: tensors must be a dict",
    ),
    (
        "save_safetensors",
        "dtype",
        lambda: save_safetensors("/tmp/x.st", {"a": np.array(["s"])}),
        TypeError,
        r"save_safetensors: tensors\['a'\] must be an array",
    ),
]


@pytest.mark.parametrize(
    "qualname, label, thunk, exc, message",
    BAD_INPUT_PROBES,
    ids=[f"{p[0]}-{p[1]}" for p in BAD_INPUT_PROBES],
)
def test_bad_input_probes(qualname, label, thunk, exc, message):
    with pytest.raises(exc, match=message):
        thunk()
