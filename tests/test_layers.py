"""Layers: Dense, ReLU and Sigmoid follow the protocol; their backward is exact."""

import numpy as np
import pytest

from scratchml import (
    SGD,
    Dense,
    ReLU,
    Sigmoid,
    check_gradients,
    numerical_gradient,
    relative_error,
    relu,
    sigmoid,
)


def away_from_zero(shape, rng=0) -> np.ndarray:
    """Random inputs with |x| >= 0.1: finite differences never straddle ReLU's kink."""
    rng = np.random.default_rng(rng)
    x = rng.uniform(0.1, 2.0, size=shape)
    return x * rng.choice([-1.0, 1.0], size=shape)


# ---------------------------------------------------------------- gradient checks


@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4)])
def test_dense_backward_matches_finite_differences(shape):
    layer = Dense(4, 3, rng=0)
    layer.params["b"] += np.random.default_rng(1).standard_normal(3)  # a nonzero bias
    errors = check_gradients(layer, np.random.default_rng(2).standard_normal(shape))
    assert set(errors) == {"W", "b", "x"}
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("layer_cls", [ReLU, Sigmoid])
@pytest.mark.parametrize("shape", [(6, 5), (2, 3, 4)])
def test_activation_backward_matches_finite_differences(layer_cls, shape):
    errors = check_gradients(layer_cls(), away_from_zero(shape))
    assert set(errors) == {"x"}
    assert errors["x"] < 1e-6, errors


def test_activation_layers_compute_their_functions():
    x = away_from_zero((3, 4))
    np.testing.assert_array_equal(ReLU().forward(x), relu(x))
    np.testing.assert_array_equal(Sigmoid().forward(x), sigmoid(x))


def test_relu_backward_blocks_the_gradient_where_the_input_was_negative():
    layer = ReLU()
    layer.forward(np.array([[-1.0, 2.0, -3.0, 4.0]]))
    np.testing.assert_array_equal(
        layer.backward(np.ones((1, 4))), [[0.0, 1.0, 0.0, 1.0]]
    )


def test_activation_layers_have_no_parameters():
    for layer in (ReLU(), Sigmoid()):
        assert (
            layer.params == {}
            and layer.grads == {}
            and list(layer.named_params()) == []
        )


# ---------------------------------------------------------------- the classic bug


def test_dense_passes_down_the_gradient_of_the_weights_used_in_forward():
    """dx must use W as it was in forward, even though an optimizer step follows.

    The bug this guards against: updating W first and then computing ``dy @ W.T`` with
    the new weights, which sends the layer below a gradient of a function nobody ran.
    """
    rng = np.random.default_rng(0)
    layer = Dense(4, 3, rng=1, dtype=np.float64)
    x, dy = rng.standard_normal((5, 4)), rng.standard_normal((5, 3))
    W_before = layer.params["W"].copy()
    layer.forward(x)
    dx = layer.backward(dy)
    SGD(layer, lr=0.5).step()
    assert not np.allclose(layer.params["W"], W_before)  # the step did change W
    np.testing.assert_allclose(dx, dy @ W_before.T, rtol=1e-12)

    # and it is the true gradient of sum(forward(x) * dy) at the pre-update weights
    fresh = Dense(4, 3, rng=1, dtype=np.float64)
    x2 = x.copy()
    numeric = numerical_gradient(lambda: float(np.sum(fresh.forward(x2) * dy)), x2)
    assert relative_error(dx, numeric) < 1e-6


def test_backward_fills_grads_and_never_touches_params():
    layer = Dense(3, 2, rng=0)
    before = {k: v.copy() for k, v in layer.params.items()}
    layer.forward(np.ones((4, 3), dtype=np.float32))
    layer.backward(np.ones((4, 2), dtype=np.float32))
    for key, value in before.items():
        np.testing.assert_array_equal(layer.params[key], value)
        assert layer.grads[key].shape == value.shape


# ---------------------------------------------------------------- dtypes and errors


@pytest.mark.parametrize(
    "layer",
    [Dense(4, 3, rng=0), ReLU(), Sigmoid()],
    ids=lambda layer: type(layer).__name__,
)
def test_float32_in_float32_out(layer):
    x = away_from_zero((5, 4)).astype(np.float32)
    y = layer.forward(x)
    dx = layer.backward(np.ones_like(y))
    assert y.dtype == np.float32 and dx.dtype == np.float32
    assert all(g.dtype == np.float32 for g in layer.grads.values())


@pytest.mark.parametrize("layer_cls", [ReLU, Sigmoid])
def test_backward_before_forward_is_explained(layer_cls):
    with pytest.raises(
        RuntimeError, match=f"{layer_cls.__name__}.backward called before forward"
    ):
        layer_cls().backward(np.ones((2, 3)))


@pytest.mark.parametrize("layer_cls", [ReLU, Sigmoid])
def test_backward_with_a_wrong_shape_is_named(layer_cls):
    layer = layer_cls()
    layer.forward(np.ones((2, 3)))
    name = layer_cls.__name__
    with pytest.raises(
        ValueError, match=rf"{name}.backward: dy has shape \(3, 2\) but"
    ):
        layer.backward(np.ones((3, 2)))


def test_activation_layers_reject_nan():
    with pytest.raises(ValueError, match="relu: z contains NaN"):
        ReLU().forward(np.array([[np.nan]]))
    with pytest.raises(ValueError, match="sigmoid: z contains NaN"):
        Sigmoid().forward(np.array([[np.nan]]))


def test_dense_init_scales_lecun_and_he():
    for init, variance in [("lecun", 1 / 400), ("he", 2 / 400)]:
        W = Dense(400, 300, rng=0, init=init).params["W"]
        assert W.dtype == np.float32
        assert abs(W.var() / variance - 1) < 0.02  # 120,000 draws: within 2 %


def test_dense_he_init_keeps_the_spread_through_relu_layers():
    x = np.random.default_rng(1).standard_normal((2000, 128)).astype(np.float32)
    spreads = {}
    for init in ["lecun", "he"]:
        h = x
        for seed in range(6):
            h = np.maximum(Dense(128, 128, rng=seed, init=init)(h), 0)
        # root mean square after 6 ReLU layers
        spreads[init] = float(np.sqrt((h**2).mean()))
    assert 0.8 < spreads["he"] < 1.25  # He: the mean square stays near 1
    assert spreads["lecun"] < 0.2  # LeCun: it halves per layer, 2**-3 = 0.125


def test_dense_rejects_an_unknown_init():
    with pytest.raises(
        ValueError, match="Dense: init must be 'lecun' or 'he', got 'xavier'"
    ):
        Dense(3, 2, init="xavier")
