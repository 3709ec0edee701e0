"""The tiny GPT: shapes, parameter names, causality, gradients of every tensor,
learning."""

import numpy as np
import pytest

from scratchml import (
    GPT,
    Adam,
    Layer,
    check_gradients,
    cross_entropy,
    cross_entropy_grad,
    generate,
)

SMALL = dict(vocab_size=7, d_model=8, n_heads=2, n_layers=2, context_length=5)
rng = np.random.default_rng(0)


def test_logits_shape():
    model = GPT(**SMALL, rng=0)
    assert model(rng.integers(0, 7, (3, 5))).shape == (3, 5, 7)
    assert model(rng.integers(0, 7, (3, 2))).shape == (3, 2, 7)
    assert model(np.array([1, 2, 3])).shape == (3, 7)  # one unbatched sequence


def test_parameter_names_read_well():
    names = [name for name, _, _ in GPT(**SMALL, rng=0).named_params()]
    assert names[:2] == ["tok_emb.W_E", "pos_emb.W_P"]
    assert "blocks.0.attn.W_q" in names and "blocks.1.ffn.fc2.b" in names
    assert names[-3:] == ["ln_f.gamma", "ln_f.beta", "unembed.W_U"]
    assert len(names) == 2 + 2 * 12 + 3
    assert not any(name.startswith("blocks.2.") for name in names)


def test_parameter_shapes_and_count():
    model = GPT(**SMALL, rng=0)
    shapes = {
        name: layer.params[key].shape for name, layer, key in model.named_params()
    }
    assert shapes["tok_emb.W_E"] == (7, 8)
    assert shapes["pos_emb.W_P"] == (5, 8)
    assert shapes["blocks.1.attn.W_o"] == (8, 8)
    assert shapes["blocks.0.ffn.fc1.W"] == (8, 32)
    assert shapes["unembed.W_U"] == (8, 7)
    per_block = 2 * 8 + 4 * 8 * 8 + 2 * 8 + (8 * 32 + 32) + (32 * 8 + 8)
    assert model.num_params() == 7 * 8 + 5 * 8 + 2 * per_block + 2 * 8 + 8 * 7


def test_config_rebuilds_the_same_model():
    model = GPT(**SMALL, rng=0)
    assert model.config == dict(SMALL, d_hidden=None)
    twin = GPT(**model.config, rng=0)
    for (name, a, key), (_, b, _) in zip(
        model.named_params(), twin.named_params(), strict=True
    ):
        assert np.array_equal(a.params[key], b.params[key]), name
    other = GPT(**SMALL, rng=1)
    assert not np.array_equal(other.tok_emb.params["W_E"], model.tok_emb.params["W_E"])


def test_input_errors():
    model = GPT(**SMALL, rng=0)
    with pytest.raises(
        ValueError,
        match=r"GPT.forward: ids has shape \(2, 6\), longer than context_length = 5",
    ):
        model(np.zeros((2, 6), dtype=int))
    with pytest.raises(
        ValueError, match=r"GPT.forward: ids holds id 7 at index \(0, 1\), outside"
    ):
        model(np.array([[0, 7]]))
    with pytest.raises(TypeError, match="GPT.forward: ids must be integer token ids"):
        model(np.zeros((1, 3)))
    with pytest.raises(
        ValueError, match=r"ids has shape \(1, 1, 3\) but must be \(B, T\) or"
    ):
        model(np.zeros((1, 1, 3), dtype=int))
    with pytest.raises(
        ValueError, match=r"GPT: d_model \(8\) must be divisible by n_heads \(3\)"
    ):
        GPT(**dict(SMALL, n_heads=3))
    with pytest.raises(ValueError, match="GPT: n_layers must be a positive integer"):
        GPT(**dict(SMALL, n_layers=0))
    with pytest.raises(RuntimeError, match="backward called before forward"):
        GPT(**SMALL, rng=0).backward(np.zeros((1, 2, 7)))


def test_gradient_check_every_parameter():
    model = GPT(**SMALL, rng=0)
    errors = check_gradients(model, rng.integers(0, 7, (2, 5)))
    assert set(errors) == {
        name for name, _, _ in model.named_params()
    }  # no input entry
    assert max(errors.values()) < 1e-6, errors


def test_gradient_check_under_cross_entropy():
    model = GPT(**SMALL, rng=0)
    ids, targets = rng.integers(0, 7, (2, 5)), rng.integers(0, 7, (2, 5))
    loss = (
        lambda y: float(cross_entropy(y, targets)),
        lambda y: cross_entropy_grad(y, targets),
    )
    errors = check_gradients(model, ids, loss=loss)
    assert max(errors.values()) < 1e-6, errors


def test_causal_bit_for_bit():
    model = GPT(
        vocab_size=11, d_model=16, n_heads=4, n_layers=2, context_length=10, rng=0
    )
    ids = rng.integers(0, 11, (3, 10))
    logits = model(ids)
    for t in range(9):
        changed = ids.copy()
        changed[:, t + 1 :] = (changed[:, t + 1 :] + 1 + t) % 11  # rewrite the future
        later = model(changed)
        assert np.array_equal(logits[:, : t + 1], later[:, : t + 1]), t
        assert not np.array_equal(logits[:, t + 1 :], later[:, t + 1 :]), t


def test_prefix_gives_the_same_logits():
    """Every prefix of a training sequence is its own example: the first t logits
    agree."""
    model = GPT(**SMALL, rng=0)
    ids = rng.integers(0, 7, (2, 5))
    np.testing.assert_allclose(
        model(ids[:, :3]), model(ids)[:, :3], rtol=1e-5, atol=1e-6
    )


def test_untrained_model_predicts_nearly_uniformly():
    V = 65
    model = GPT(
        vocab_size=V, d_model=32, n_heads=4, n_layers=2, context_length=16, rng=0
    )
    ids = rng.integers(0, V, (4, 16))
    loss = float(cross_entropy(model(ids), rng.integers(0, V, (4, 16))))
    assert abs(loss - np.log(V)) < 0.3


def float_arrays(value):
    """Every float array held in ``value`` (an array, or a tuple of arrays)."""
    items = value if isinstance(value, tuple) else (value,)
    return [a for a in items if isinstance(a, np.ndarray) and a.dtype.kind == "f"]


def all_layers(layer: Layer):
    yield layer
    for child in layer.children.values():
        yield from all_layers(child)


def test_float32_everywhere():
    """No float64 constant sneaks in: cached activations, outputs and gradients stay
    float32."""
    model = GPT(**SMALL, rng=0)
    ids = rng.integers(0, 7, (2, 5))
    logits = model(ids)
    assert logits.dtype == np.float32
    model.backward(cross_entropy_grad(logits, rng.integers(0, 7, (2, 5))))
    cached = [
        a
        for layer in all_layers(model)
        for v in vars(layer).values()
        for a in float_arrays(v)
    ]
    assert len(cached) > 20
    assert {a.dtype for a in cached} == {np.dtype(np.float32)}
    grads = [layer.grads[key] for _, layer, key in model.named_params()]
    assert {g.dtype for g in grads} == {np.dtype(np.float32)}


def test_astype_float64_runs_in_float64():
    model = GPT(**SMALL, rng=0).astype(np.float64)
    assert model(np.array([[1, 2]])).dtype == np.float64


def test_attention_weights_are_kept_for_plots():
    model = GPT(**SMALL, rng=0)
    model(rng.integers(0, 7, (2, 4)))
    w = model.blocks[1].attn.last_weights
    assert w.shape == (2, 2, 4, 4)
    np.testing.assert_allclose(w.sum(axis=-1), 1.0, rtol=1e-5)


def test_learns_a_repeating_sequence():
    """Seeded: Adam drives the loss on a pattern that needs context close to 0."""
    seq = np.array([3, 1, 4, 1, 5, 2, 6, 0] * 20)  # after a 1 comes 4 or 5: look back
    model = GPT(
        vocab_size=7, d_model=16, n_heads=2, n_layers=2, context_length=8, rng=0
    )
    opt = Adam(model, lr=1e-2)
    data_rng = np.random.default_rng(0)
    for _ in range(60):
        starts = data_rng.integers(0, len(seq) - 9, 16)
        x = np.stack([seq[s : s + 8] for s in starts])  # (16, 8)
        y = np.stack([seq[s + 1 : s + 9] for s in starts])  # (16, 8): the next tokens
        logits = model(x)
        loss = float(cross_entropy(logits, y))
        model.backward(cross_entropy_grad(logits, y))
        opt.step()
    assert loss < 0.05
    out = generate(model, seq[:3], 13, temperature=0)
    np.testing.assert_array_equal(out, seq[:16])
