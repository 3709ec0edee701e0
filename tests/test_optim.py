"""Optimizers: exact SGD and momentum updates, Adam's bias correction, clipping."""

import math

import numpy as np
import pytest

from scratchml import MLP, SGD, Adam, Layer, clip_grad_norm, cross_entropy_grad


class Quadratic(Layer):
    """A 'model' whose loss is ``sum(scale * (x - target)**2)``: a known minimum."""

    def __init__(self, start, target, scale, dtype=np.float64):
        super().__init__()
        self.params["x"] = np.array(start, dtype=dtype)
        self.target = np.array(target, dtype=dtype)
        self.scale = np.array(scale, dtype=dtype)

    def loss(self) -> float:
        return float(np.sum(self.scale * (self.params["x"] - self.target) ** 2))

    def compute_grads(self) -> None:
        self.grads["x"] = 2 * self.scale * (self.params["x"] - self.target)


def model_with_grads(dtype=np.float32, rng=0) -> MLP:
    """A small MLP whose grads are filled by one forward/backward pass."""
    model = MLP([4, 6, 3], rng=rng, dtype=dtype)
    x = np.random.default_rng(rng).standard_normal((8, 4)).astype(dtype)
    model.backward(cross_entropy_grad(model(x), np.arange(8) % 3))
    return model


def snapshot(model: Layer, what: str = "params") -> dict[str, np.ndarray]:
    return {
        name: getattr(layer, what)[key].copy()
        for name, layer, key in model.named_params()
    }


# ---------------------------------------------------------------- SGD


def test_sgd_step_is_exactly_p_minus_lr_g_in_place():
    model = model_with_grads()
    before, grads = snapshot(model), snapshot(model, "grads")
    arrays = {name: layer.params[key] for name, layer, key in model.named_params()}
    SGD(model, lr=0.1).step()
    for name, layer, key in model.named_params():
        assert layer.params[key] is arrays[name]  # updated in place, not replaced
        np.testing.assert_array_equal(
            layer.params[key], before[name] - 0.1 * grads[name]
        )


def test_sgd_momentum_accumulates_a_velocity():
    model = Quadratic([1.0, -2.0], [0.0, 0.0], [1.0, 1.0])
    opt = SGD(model, lr=0.1, momentum=0.9)
    g = np.array([0.5, -1.0])
    model.grads["x"] = g.copy()
    opt.step()  # v = g
    np.testing.assert_allclose(model.params["x"], [1.0, -2.0] - 0.1 * g, rtol=1e-15)
    opt.step()  # v = 0.9 g + g
    np.testing.assert_allclose(model.params["x"], [1.0, -2.0] - 0.1 * g - 0.1 * 1.9 * g)
    assert set(opt.velocity) == {"x"}


def test_sgd_minimizes_a_quadratic():
    model = Quadratic([3.0, -4.0], [1.0, 2.0], [1.0, 0.5])
    opt = SGD(model, lr=0.1, momentum=0.5)
    for _ in range(200):
        model.compute_grads()
        opt.step()
    np.testing.assert_allclose(model.params["x"], [1.0, 2.0], atol=1e-6)


# ---------------------------------------------------------------- Adam


def test_adam_first_step_moves_every_entry_by_lr_against_its_gradient():
    model = model_with_grads(dtype=np.float64)
    before, grads = snapshot(model), snapshot(model, "grads")
    Adam(model, lr=1e-3).step()
    for name, layer, key in model.named_params():
        moved = layer.params[key] - before[name]
        g = grads[name]
        big = np.abs(g) > 1e-4  # where eps = 1e-8 is negligible next to |g|
        assert big.any()
        np.testing.assert_allclose(moved[big], -1e-3 * np.sign(g[big]), rtol=1e-3)


def test_adam_matches_the_textbook_formula_over_several_steps():
    rng = np.random.default_rng(0)
    model = Quadratic(rng.standard_normal(5), np.zeros(5), np.ones(5))
    opt = Adam(model, lr=0.01, betas=(0.8, 0.99), eps=1e-6)
    p, m, v = model.params["x"].copy(), np.zeros(5), np.zeros(5)
    for t in range(1, 6):
        g = rng.standard_normal(5)
        model.grads["x"] = g.copy()
        opt.step()
        m = 0.8 * m + 0.2 * g
        v = 0.99 * v + 0.01 * g**2
        m_hat, v_hat = m / (1 - 0.8**t), v / (1 - 0.99**t)
        p = p - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-6)
        np.testing.assert_allclose(model.params["x"], p, rtol=1e-12)
    np.testing.assert_allclose(opt.m["x"], m, rtol=1e-12)
    np.testing.assert_allclose(opt.v["x"], v, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_adam_step_folded_form_equals_textbook_step(dtype):
    # step folds the bias corrections into the step size; textbook_step writes them out.
    rng = np.random.default_rng(3)
    folded, plain = model_with_grads(dtype=dtype), model_with_grads(dtype=dtype)
    opt_folded = Adam(folded, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)
    opt_plain = Adam(plain, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    for _ in range(6):
        for (_name, layer, key), (_twin_name, twin, _twin_key) in zip(
            folded.named_params(), plain.named_params(), strict=True
        ):
            g = rng.standard_normal(layer.params[key].shape).astype(dtype)
            layer.grads[key][...] = g
            twin.grads[key][...] = g
        opt_folded.step()
        opt_plain.textbook_step()
        for (_name, layer, key), (_twin_name, twin, _twin_key) in zip(
            folded.named_params(), plain.named_params(), strict=True
        ):
            assert twin.params[key].dtype == dtype
            np.testing.assert_allclose(
                twin.params[key], layer.params[key], rtol=rtol, atol=0
            )


def test_adam_minimizes_a_badly_scaled_quadratic():
    model = Quadratic([3.0, -4.0, 0.5], [1.0, 2.0, -1.0], [100.0, 1.0, 0.01])
    opt = Adam(model, lr=0.05)
    start = model.loss()
    for _ in range(3000):
        model.compute_grads()
        opt.step()
    assert model.loss() < 1e-6 * start
    np.testing.assert_allclose(model.params["x"], [1.0, 2.0, -1.0], atol=1e-2)


def test_adam_state_is_keyed_by_full_parameter_names():
    model = model_with_grads()
    opt = Adam(model)
    opt.step()
    assert set(opt.m) == set(opt.v) == {"0.W", "0.b", "2.W", "2.b"}


def test_adam_weight_decay_shrinks_weight_matrices_but_not_biases():
    model = model_with_grads(dtype=np.float64)
    for _, layer, key in model.named_params():
        layer.params[key] += 1.0  # nonzero biases, so leaving them alone is visible
        layer.grads[key][...] = 0.0  # zero gradients: only the decay can move anything
    before = snapshot(model)
    Adam(model, lr=0.1, weight_decay=0.5).step()
    for name, layer, key in model.named_params():
        factor = 1 - 0.1 * 0.5 if layer.params[key].ndim >= 2 else 1.0
        np.testing.assert_allclose(layer.params[key], before[name] * factor, rtol=1e-12)


# ---------------------------------------------------------------- clipping


def test_clip_grad_norm_scales_to_max_norm_and_returns_the_norm_before():
    model = model_with_grads(dtype=np.float64)
    grads = snapshot(model, "grads")
    norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads.values()))
    returned = clip_grad_norm(model, max_norm=norm / 4)
    assert returned == pytest.approx(norm, rel=1e-12)
    after = snapshot(model, "grads")
    new_norm = math.sqrt(sum(float(np.sum(g * g)) for g in after.values()))
    assert new_norm == pytest.approx(norm / 4, rel=1e-5)
    for name in grads:  # same direction: every gradient scaled by one factor
        np.testing.assert_allclose(
            after[name], grads[name] * (new_norm / norm), rtol=1e-9
        )


def test_clip_grad_norm_leaves_small_gradients_alone():
    model = model_with_grads()
    grads = snapshot(model, "grads")
    norm = clip_grad_norm(model, max_norm=1e6)
    assert norm > 0
    for name, layer, key in model.named_params():
        np.testing.assert_array_equal(layer.grads[key], grads[name])


# ---------------------------------------------------------------- dtypes and errors


@pytest.mark.parametrize(
    "make_opt",
    [
        lambda m: SGD(m, lr=np.float64(0.1), momentum=np.float64(0.9)),
        lambda m: Adam(
            m, lr=np.float64(1e-3), betas=np.array([0.9, 0.999]), weight_decay=0.1
        ),
    ],
    ids=["sgd", "adam"],
)
def test_float32_stays_float32_after_steps_even_with_numpy_hyperparameters(make_opt):
    model = model_with_grads()
    opt = make_opt(model)
    for _ in range(3):
        opt.step()
    clip_grad_norm(model, 1e-3)
    for name, layer, key in model.named_params():
        assert layer.params[key].dtype == np.float32, name
        assert layer.grads[key].dtype == np.float32, name
    for state in (
        getattr(opt, "m", {}),
        getattr(opt, "v", {}),
        getattr(opt, "velocity", {}),
    ):
        assert all(s.dtype == np.float32 for s in state.values())


def test_step_before_backward_is_explained():
    model = MLP([2, 3], rng=0)
    with pytest.raises(
        RuntimeError, match="SGD.step: no gradient for '0.W'; call backward"
    ):
        SGD(model).step()
    with pytest.raises(
        RuntimeError, match="Adam.step: no gradient for '0.W'; call backward"
    ):
        Adam(model).step()


def test_bad_hyperparameters_are_named():
    model = MLP([2, 3], rng=0)
    with pytest.raises(ValueError, match=r"SGD: lr must be > 0, got -0.1"):
        SGD(model, lr=-0.1)
    with pytest.raises(ValueError, match=r"SGD: momentum must be in \[0, 1\), got 1.0"):
        SGD(model, momentum=1.0)
    with pytest.raises(ValueError, match=r"Adam: weight_decay must be >= 0, got -1"):
        Adam(model, weight_decay=-1)
    with pytest.raises(ValueError, match=r"Adam: lr must be > 0, got nan"):
        Adam(model, lr=float("nan"))
    with pytest.raises(
        ValueError, match=r"Adam: betas\[1\] must be in \[0, 1\), got 1.5"
    ):
        Adam(model, betas=(0.9, 1.5))
    with pytest.raises(
        ValueError, match=r"clip_grad_norm: max_norm must be > 0, got 0.0"
    ):
        clip_grad_norm(model, 0.0)
