"""The MLP: Dense/activation stack, linear output, exact gradients, reverse backward."""

import numpy as np
import pytest

from scratchml import (
    MLP,
    Dense,
    ReLU,
    Sigmoid,
    check_gradients,
    cross_entropy,
    cross_entropy_grad,
    mse_loss,
    mse_loss_grad,
)


def test_layers_alternate_and_the_output_layer_is_linear():
    model = MLP([4, 5, 6, 3], rng=0)
    assert [type(layer) for layer in model.layers] == [Dense, ReLU, Dense, ReLU, Dense]
    assert model.children == {str(i): layer for i, layer in enumerate(model.layers)}
    names = [name for name, _, _ in model.named_params()]
    assert names == ["0.W", "0.b", "2.W", "2.b", "4.W", "4.b"]
    assert model.num_params() == 4 * 5 + 5 + 5 * 6 + 6 + 6 * 3 + 3


def test_single_layer_mlp_is_one_dense_layer():
    model = MLP([3, 2], rng=0)
    assert [type(layer) for layer in model.layers] == [Dense]


def test_sigmoid_activation():
    model = MLP([2, 3, 1], activation="sigmoid", rng=0)
    assert [type(layer) for layer in model.layers] == [Dense, Sigmoid, Dense]


def test_regression_outputs_can_be_negative():
    """No ReLU on the output: a regression net can predict negative numbers."""
    model = MLP([1, 8, 1], rng=0)
    x = np.linspace(-3, 3, 50, dtype=np.float32).reshape(50, 1)
    assert model(x).min() < 0  # a ReLU on the output would clip this to 0
    assert type(model.layers[-1]) is Dense


def test_same_seed_same_weights_and_one_stream_for_all_layers():
    a, b = MLP([3, 4, 4], rng=7), MLP([3, 4, 4], rng=7)
    for (_, la, ka), (_, lb, kb) in zip(
        a.named_params(), b.named_params(), strict=True
    ):
        np.testing.assert_array_equal(la.params[ka], lb.params[kb])
    W0, W2 = a.layers[0].params["W"], a.layers[2].params["W"]
    assert not np.allclose(W0[:3, :3], W2[:3, :3])  # not two copies of one draw


# ---------------------------------------------------------------- gradient checks


def inputs(shape, rng=0) -> np.ndarray:
    return np.random.default_rng(rng).uniform(-2, 2, size=shape)


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_mlp_gradients_under_mse(activation):
    model = MLP([3, 5, 4, 2], activation=activation, rng=1)
    target = np.random.default_rng(2).standard_normal((6, 2))
    loss = (lambda y: float(mse_loss(y, target)), lambda y: mse_loss_grad(y, target))
    errors = check_gradients(model, inputs((6, 3)), loss=loss)
    assert set(errors) == {"0.W", "0.b", "2.W", "2.b", "4.W", "4.b", "x"}
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_mlp_gradients_under_cross_entropy(activation):
    model = MLP([4, 6, 3], activation=activation, rng=3)
    labels = np.array([0, 2, 1, 1, 0])
    loss = (
        lambda y: float(cross_entropy(y, labels)),
        lambda y: cross_entropy_grad(y, labels),
    )
    errors = check_gradients(model, inputs((5, 4), rng=4), loss=loss)
    assert max(errors.values()) < 1e-6, errors


def test_mlp_gradients_with_random_output_weights():
    errors = check_gradients(MLP([2, 4, 4, 3], rng=5), inputs((3, 2), rng=6))
    assert max(errors.values()) < 1e-6, errors


def test_backward_runs_through_the_layers_in_reverse():
    model = MLP([3, 4, 2], rng=0)
    calls = []
    for i, layer in enumerate(model.layers):
        original = layer.backward

        def spy(dy, i=i, original=original):
            calls.append(i)
            return original(dy)

        layer.backward = spy
    model.backward(np.ones_like(model.forward(np.ones((2, 3), dtype=np.float32))))
    assert calls == [2, 1, 0]


def test_backward_checks_dy_against_the_last_forward_output_before_any_layer():
    model = MLP([3, 4, 2], rng=0)
    model.forward(np.ones((2, 3), dtype=np.float32))
    model.forward(np.ones((5, 3), dtype=np.float32))  # the shape dy must now have
    with pytest.raises(ValueError, match=r"MLP.backward: dy has shape \(2, 2\)"):
        model.backward(np.ones((2, 2), dtype=np.float32))
    assert all(not layer.grads for layer in model.layers)  # no layer ran backward
    dx = model.backward(np.ones((5, 2), dtype=np.float32))
    assert dx.shape == (5, 3)


# ---------------------------------------------------------------- predict, dtypes,
# errors


def test_predict_returns_the_index_of_the_largest_output():
    model = MLP([2, 3], rng=0)
    x = np.array([[1.0, -1.0], [0.5, 2.0]], dtype=np.float32)
    np.testing.assert_array_equal(model.predict(x), model(x).argmax(axis=1))


def test_predict_refuses_a_single_output():
    with pytest.raises(
        ValueError, match=r"MLP.predict returns class labels.*call model\(x\)"
    ):
        MLP([2, 1], rng=0).predict(np.zeros((1, 2)))


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_float32_model_keeps_float32_everywhere(activation):
    model = MLP([4, 8, 3], activation=activation, rng=0)
    x = inputs((5, 4)).astype(np.float32)
    out = model(x)
    dx = model.backward(cross_entropy_grad(out, np.array([0, 1, 2, 0, 1])))
    assert out.dtype == np.float32 and dx.dtype == np.float32
    for name, layer, key in model.named_params():
        assert layer.params[key].dtype == np.float32, name
        assert layer.grads[key].dtype == np.float32, name


def test_float64_model_on_request():
    model = MLP([2, 3, 1], rng=0, dtype=np.float64)
    assert all(
        layer.params[k].dtype == np.float64 for _, layer, k in model.named_params()
    )


def test_bad_arguments_are_named():
    with pytest.raises(
        ValueError,
        match=r"MLP: activation must be one of \['relu', 'sigmoid'\], got 'tanh'",
    ):
        MLP([2, 3, 1], activation="tanh")
    with pytest.raises(
        ValueError, match=r"MLP: layer_sizes must list at least an input and an output"
    ):
        MLP([4])
    with pytest.raises(
        ValueError, match=r"MLP: layer_sizes must list at least .* got \[64\]"
    ):
        MLP(64)
    with pytest.raises(
        ValueError, match="MLP: layer_sizes entry must be a positive integer, got 0"
    ):
        MLP([4, 0, 2])
    with pytest.raises(
        ValueError, match="MLP: layer_sizes entry must be a positive integer, got 2.5"
    ):
        MLP([4, 2.5, 2])


def test_wrong_input_width_is_named():
    with pytest.raises(
        ValueError,
        match=r"MLP.forward: x has shape \(2, 5\) but its last dimension must be 4",
    ):
        MLP([4, 3, 2], rng=0).forward(np.zeros((2, 5)))
