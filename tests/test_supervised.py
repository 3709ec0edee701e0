"""Training: minibatches, the split, accuracy, and fit (step order, results, errors)."""

import numpy as np
import pytest

from scratchml import (
    MLP,
    SGD,
    Adam,
    Dense,
    accuracy,
    cross_entropy,
    fit,
    iterate_minibatches,
    load_digits,
    make_moons,
    make_regression_1d,
    train_test_split,
)

# ---------------------------------------------------------------- minibatches


def numbered(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows that carry their own index, so shuffling and pairing can be checked."""
    X = np.repeat(np.arange(n, dtype=np.float64)[:, None], 3, axis=1)  # (n, 3)
    return X, np.arange(n)


def test_minibatches_cover_every_row_once_and_keep_the_last_partial_batch():
    X, y = numbered(10)
    batches = list(iterate_minibatches(X, y, batch_size=4, rng=0))
    assert [len(xb) for xb, _ in batches] == [4, 4, 2]
    seen = np.concatenate([yb for _, yb in batches])
    assert sorted(seen) == list(range(10))
    assert not np.array_equal(seen, np.arange(10))  # shuffled
    for xb, yb in batches:  # inputs and targets stay paired
        np.testing.assert_array_equal(xb[:, 0], yb)


def test_minibatch_order_is_seeded_and_changes_every_epoch_with_one_generator():
    X, y = numbered(20)

    def order(rng):
        return np.concatenate([yb for _, yb in iterate_minibatches(X, y, 8, rng)])

    np.testing.assert_array_equal(order(3), order(3))
    gen = np.random.default_rng(3)
    first, second = order(gen), order(gen)
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(first, order(3))


def test_minibatch_errors_are_named():
    X, y = numbered(5)
    with pytest.raises(
        ValueError,
        match=r"iterate_minibatches: X has shape \(5, 3\) and y has shape \(4,\)",
    ):
        list(iterate_minibatches(X, y[:4], 2))
    with pytest.raises(
        ValueError,
        match="iterate_minibatches: batch_size must be a positive integer, got 0",
    ):
        list(iterate_minibatches(X, y, 0))


# ---------------------------------------------------------------- split and accuracy


def test_train_test_split_is_a_seeded_partition():
    X, y = numbered(50)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_fraction=0.2, rng=0)
    assert len(X_train) == 40 and len(X_test) == 10
    assert sorted(np.concatenate([y_train, y_test])) == list(range(50))
    np.testing.assert_array_equal(X_test[:, 0], y_test)
    again = train_test_split(X, y, test_fraction=0.2, rng=0)
    np.testing.assert_array_equal(again[3], y_test)
    other = train_test_split(X, y, test_fraction=0.2, rng=1)
    assert not np.array_equal(other[3], y_test)


def test_train_test_split_errors_are_named():
    X, y = numbered(5)
    with pytest.raises(
        ValueError,
        match=r"train_test_split: test_fraction must be in \(0, 1\), got 1.5",
    ):
        train_test_split(X, y, test_fraction=1.5)
    with pytest.raises(
        ValueError,
        match="train_test_split: test_fraction=0.01 of 5 rows leaves an empty",
    ):
        train_test_split(X, y, test_fraction=0.01)


def test_accuracy_from_logits_or_labels():
    logits = np.array([[2.0, 1.0], [0.0, 3.0], [5.0, 4.0], [0.0, 1.0]])
    y = np.array([0, 1, 1, 1])
    assert accuracy(logits, y) == 0.75
    assert accuracy(np.array([0, 1, 0, 1]), y) == 0.75
    assert isinstance(accuracy(logits, y), float)


def test_accuracy_errors_are_named():
    with pytest.raises(
        ValueError,
        match=r"accuracy: logits_or_labels has shape \(3,\) and y has shape \(4,\)",
    ):
        accuracy(np.zeros(3), np.zeros(4, dtype=int))


# ---------------------------------------------------------------- fit: the order of the
# steps


def test_every_layer_runs_backward_before_any_weight_changes():
    """The loop is forward -> loss -> backward (all layers) -> step, every minibatch."""
    X, y = make_moons(n_per_class=20, rng=0)
    model = MLP([2, 8, 8, 2], rng=0)
    events = []
    for i, layer in enumerate(model.layers):
        for method in ("forward", "backward"):
            original = getattr(layer, method)

            def spy(arr, i=i, method=method, original=original):
                events.append((method, i))
                return original(arr)

            setattr(layer, method, spy)

    class RecordingSGD(SGD):
        def step(self):
            events.append(("step", None))
            super().step()

    fit(
        model,
        X,
        y,
        optimizer=RecordingSGD(model, lr=0.1),
        epochs=1,
        batch_size=40,
        rng=0,
    )
    last = events.index(("step", None))
    one_batch = events[last - 10 : last + 1]  # the events of the (only full) batch
    n = len(model.layers)
    assert one_batch == (
        [("forward", i) for i in range(n)]
        + [("backward", i) for i in reversed(range(n))]
        + [("step", None)]
    )
    assert events.count(("step", None)) == 1


def test_a_step_does_not_change_the_gradients_backward_computed():
    """Grads are new arrays, not views of params: updating W cannot corrupt them."""
    X, y = make_moons(n_per_class=8, rng=0)
    model = MLP([2, 4, 2], rng=0)
    fit(model, X, y, optimizer=SGD(model, lr=0.5), epochs=1, batch_size=16, rng=0)
    for _, layer, key in model.named_params():
        assert not np.shares_memory(layer.grads[key], layer.params[key])


# ---------------------------------------------------------------- fit: results


@pytest.mark.parametrize("seed", [0, 1])
def test_mlp_reaches_97_percent_on_held_out_digits(seed):
    """Promise 4 of the book: >= 97 % test accuracy on real handwritten digits."""
    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(
        X / 16, y, test_fraction=0.2, rng=0
    )
    model = MLP([64, 128, 10], rng=seed)
    history = fit(
        model,
        X_train,
        y_train,
        optimizer=Adam(model, lr=3e-3),
        epochs=20,
        batch_size=32,
        rng=seed,
        X_val=X_test,
        y_val=y_test,
    )
    assert accuracy(model.predict(X_test), y_test) >= 0.97
    assert history["val_accuracy"][-1] == accuracy(model.predict(X_test), y_test)
    assert history["loss"][-1] < 0.1 < history["loss"][0]
    assert len(history["loss"]) == len(history["val_loss"]) == 20


def test_fit_is_reproducible_from_a_seed():
    X, y = make_moons(n_per_class=30, rng=0)
    runs = []
    for _ in range(2):
        model = MLP([2, 8, 2], rng=0)
        runs.append(
            fit(
                model, X, y, optimizer=SGD(model, lr=0.5), epochs=3, batch_size=8, rng=4
            )
        )
    assert runs[0] == runs[1]


def test_fit_learns_moons_with_a_hidden_layer():
    X, y = make_moons(n_per_class=100, noise=0.1, rng=0)
    model = MLP([2, 16, 16, 2], rng=0)
    fit(model, X, y, optimizer=Adam(model, lr=0.01), epochs=60, batch_size=16, rng=0)
    assert accuracy(model(X), y) > 0.97


def test_fit_regression_with_negative_targets_under_mse():
    X, y = make_regression_1d(n=100, noise=0.05, rng=0, slope=2.0, intercept=-3.0)
    assert y.max() < 0  # every target is negative: a ReLU output could never fit them
    model = MLP([1, 8, 1], rng=0)
    history = fit(
        model,
        X,
        y,
        loss="mse",
        optimizer=Adam(model, lr=0.02),
        epochs=80,
        batch_size=16,
        rng=0,
    )
    assert history["loss"][-1] < 0.01 and "val_accuracy" not in history


def test_fit_keeps_float32_and_casts_float64_inputs():
    X, y = make_moons(n_per_class=10, rng=0)
    model = MLP([2, 4, 2], rng=0)
    fit(model, X.astype(np.float64), y, epochs=2, batch_size=8)
    for _, layer, key in model.named_params():
        assert layer.params[key].dtype == np.float32
        assert layer.grads[key].dtype == np.float32
    assert model.layers[0]._x.dtype == np.float32  # what forward saw
    out = model(X)  # activations and loss after the steps
    assert out.dtype == np.float32 and cross_entropy(out, y).dtype == np.float32


def test_fit_verbose_prints_one_line_per_epoch(capsys):
    X, y = make_moons(n_per_class=10, rng=0)
    model = MLP([2, 4, 2], rng=0)
    fit(model, X, y, epochs=3, batch_size=8, X_val=X, y_val=y, verbose=True)
    lines = capsys.readouterr().out.strip().splitlines()
    assert (
        len(lines) == 3
        and lines[0].startswith("epoch   1  loss ")
        and "val_accuracy" in lines[0]
    )


# ---------------------------------------------------------------- fit: errors


def test_fit_errors_are_named():
    X, y = make_moons(n_per_class=5, rng=0)
    model = MLP([2, 3, 2], rng=0)
    with pytest.raises(
        ValueError,
        match=r"fit: loss must be one of \['cross_entropy', 'mse'\], got 'hinge'",
    ):
        fit(model, X, y, loss="hinge")
    with pytest.raises(
        TypeError, match="fit: y must be integer class indices, got dtype float64"
    ):
        fit(model, X, y.astype(np.float64))
    with pytest.raises(
        ValueError, match=r"fit: y contains 2, outside the valid range 0..1"
    ):
        fit(model, X, y + 1)
    with pytest.raises(
        ValueError, match=r"fit: X has shape \(10, 2\) and y has shape \(9,\)"
    ):
        fit(model, X, y[:9])
    with pytest.raises(
        ValueError,
        match=r"fit: y has shape \(10,\) but the model outputs rows of shape \(2,\)",
    ):
        fit(model, X, y.astype(np.float32), loss="mse")
    with pytest.raises(ValueError, match="fit: give both X_val and y_val, or neither"):
        fit(model, X, y, X_val=X)
    with pytest.raises(ValueError, match="fit: X contains NaN"):
        fit(model, np.where(X > 0, np.nan, X), y)
    with pytest.raises(
        ValueError, match="fit: epochs must be a positive integer, got 0"
    ):
        fit(model, X, y, epochs=0)


def test_fit_stops_at_the_first_epoch_whose_loss_is_infinite():
    # At lr = 3.0 the line's float32 squared errors add up past 3.4e38 in epoch 28,
    # while every prediction and gradient is still finite: fit used to train on, for
    # 28 more epochs, until the predictions themselves overflowed.
    X, y = make_regression_1d(n=50, rng=0)
    line = Dense(1, 1, rng=0)
    steps = []
    optimizer = SGD(line, lr=3.0)
    step = optimizer.step
    optimizer.step = lambda: (steps.append(1), step())
    with np.errstate(over="ignore"), pytest.raises(ValueError) as info:
        fit(line, X, y, "mse", optimizer, epochs=100, batch_size=50)
    assert str(info.value).startswith("fit: the training loss of epoch 28 is inf (")
    assert len(steps) == 28  # one step per epoch: none after the loss overflowed
    with np.errstate(over="ignore"):
        errors = line.forward(X.astype(np.float32)) - y  # (50, 1): still finite
    assert np.isfinite(errors).all() and (errors.astype(np.float64) ** 2).sum() > 3.4e38


def test_fit_stops_when_the_validation_loss_is_infinite():
    X, y = make_regression_1d(n=20, rng=0)
    line = Dense(1, 1, rng=0)
    far = np.full_like(y, 1e20)  # float32 holds it, but not its square
    with (
        np.errstate(over="ignore"),
        pytest.raises(
            ValueError, match=r"^fit: the validation loss of epoch 1 is inf \("
        ),
    ):
        fit(line, X, y, "mse", epochs=3, X_val=X, y_val=far)


def test_fit_names_the_validation_arguments_in_their_errors():
    X, y = make_moons(n_per_class=5, rng=0)
    model = MLP([2, 3, 2], rng=0)
    with pytest.raises(
        ValueError,
        match=r"^fit: X_val has shape \(10, 2\) and y_val has shape \(9,\); they must",
    ):
        fit(model, X, y, X_val=X, y_val=y[:9])
    with pytest.raises(ValueError, match="^fit: X_val contains NaN"):
        fit(model, X, y, X_val=np.where(X > 0, np.nan, X), y_val=y)
    with pytest.raises(TypeError, match="^fit: X_val must hold numbers"):
        fit(model, X, y, X_val=np.full(X.shape, "a"), y_val=y)
    with pytest.raises(TypeError, match="^fit: y_val must be an array of numbers"):
        fit(model, X, y, X_val=X, y_val="abc")
