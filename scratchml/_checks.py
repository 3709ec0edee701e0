"""Input checks shared by every module: clear errors instead of broadcasting tracebacks.

Every public function validates its arguments with these helpers, so that a wrong shape
or a NaN is reported where it enters, naming the function, the argument, what was
expected and what was received.
"""

import math
import numbers

import numpy as np


class ArgumentTypeError(TypeError, ValueError):
    """An argument of the wrong type: both a ``TypeError`` and a ``ValueError``.

    So ``except ValueError`` catches every bad argument (as numpy's ``AxisError`` is
    both).
    """


def _shown(value) -> str:
    """``repr`` of a received value, cut to 60 characters, with its type if unclear."""
    text = repr(value)
    text = text if len(text) <= 60 else text[:57] + "..."
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool
    ):
        return text
    return f"{text} ({type(value).__name__})"


def as_array(where: str, name: str, x) -> np.ndarray:
    """``np.asarray(x)``, but ragged nested lists and None give a clear error."""
    if x is None:
        raise ArgumentTypeError(
            f"{where}: {name} must be an array of numbers, got None"
        )
    if isinstance(x, str | bytes):
        raise ArgumentTypeError(
            f"{where}: {name} must be an array of numbers, got {_shown(x)}"
        )
    try:
        return np.asarray(x)
    except (ValueError, TypeError):
        raise ValueError(
            f"{where}: {name} must be a rectangular array of numbers, got a ragged "
            f"{type(x).__name__} (rows of different lengths)"
        ) from None


def as_numeric_array(where: str, name: str, x) -> np.ndarray:
    """``as_array``, then require numbers (integers or floats, not strings or complex)
    and at least one of them. Cheap: no pass over the entries."""
    arr = x if type(x) is np.ndarray else as_array(where, name, x)
    if arr.dtype.kind not in "biuf":
        raise ArgumentTypeError(
            f"{where}: {name} must hold numbers, got dtype {arr.dtype}"
        )
    if arr.size == 0:
        raise ValueError(f"{where}: {name} is empty (shape {arr.shape})")
    return arr


def as_float_array(where: str, name: str, x, finite: bool = True) -> np.ndarray:
    """Return ``x`` as a floating-point array, rejecting NaN, infinity and empty input.

    ``finite=False`` skips the (full-array) NaN/infinity check, for inputs that a later
    checked layer reads anyway.
    """
    arr = x if type(x) is np.ndarray else as_array(where, name, x)
    if arr.dtype.kind not in "fiub":
        raise ArgumentTypeError(
            f"{where}: {name} must hold numbers, got dtype {arr.dtype}"
        )
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    if arr.size == 0:
        raise ValueError(f"{where}: {name} is empty (shape {arr.shape})")
    if finite and not np.all(np.isfinite(arr)):
        bad = "NaN" if np.isnan(arr).any() else "infinity"
        raise ValueError(f"{where}: {name} contains {bad}")
    return arr


def check_last_dim(where: str, name: str, x: np.ndarray, expected: int) -> None:
    """Require ``x.shape[-1] == expected``."""
    if x.ndim == 0 or x.shape[-1] != expected:
        raise ValueError(
            f"{where}: {name} has shape {x.shape} but its last dimension must be "
            f"{expected}"
        )


def check_ndim(where: str, name: str, x: np.ndarray, ndims: tuple[int, ...]) -> None:
    """Require ``x.ndim`` to be one of ``ndims``."""
    if x.ndim not in ndims:
        want = " or ".join(str(n) for n in ndims)
        raise ValueError(
            f"{where}: {name} has shape {x.shape} but must have {want} dimensions"
        )


def check_same_shape(
    where: str, a_name: str, a: np.ndarray, b_name: str, b: np.ndarray
) -> None:
    """Require two arrays to have the same shape."""
    if type(a) is not np.ndarray:
        _not_array(where, a_name, a)
    if a.shape != b.shape:
        raise ValueError(
            f"{where}: {a_name} has shape {a.shape} but {b_name} has shape {b.shape}; "
            "they must match"
        )


def check_int(where: str, name: str, value, minimum: int = 1) -> int:
    """Require a Python or numpy integer ``>= minimum``.

    Bools and floats (even ``3.0``) are rejected: a count is an integer, and a float
    count is usually a division that went wrong.
    """
    want = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ArgumentTypeError(f"{where}: {name} must be {want}, got {_shown(value)}")
    if value < minimum:
        raise ValueError(f"{where}: {name} must be {want}, got {value!r}")
    return int(value)


def check_positive_int(where: str, name: str, value) -> int:
    """Require a positive integer (bools and floats are rejected)."""
    return check_int(where, name, value, 1)


def check_float(
    where: str, name: str, value, low=None, high=None, low_open=False, high_open=False
) -> float:
    """Require a finite real number in the given range; return it as a Python float.

    Strings (even ``"0.1"``), None, bools, NaN and infinity are rejected. A Python float
    keeps float32 arrays float32 (a float64 numpy scalar would not).
    """
    parts = [f"{'>' if low_open else '>='} {low}"] if low is not None else []
    parts += [f"{'<' if high_open else '<='} {high}"] if high is not None else []
    if low is not None and high is not None:
        parts = [
            f"in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        ]
    want = " and ".join(parts)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ArgumentTypeError(
            f"{where}: {name} must be a finite number {want}".rstrip()
            + f", got {_shown(value)}"
        )
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(
            f"{where}: {name} must be {want or 'finite'}, got {v!r} (not finite)"
        )
    ok = (low is None or (v > low if low_open else v >= low)) and (
        high is None or (v < high if high_open else v <= high)
    )
    if not ok:
        raise ValueError(f"{where}: {name} must be {want}, got {v!r}")
    return v


def check_positive(where: str, name: str, value) -> float:
    """A finite number ``> 0`` (learning rates, eps, temperatures...)."""
    return check_float(where, name, value, low=0, low_open=True)


def check_non_negative(where: str, name: str, value) -> float:
    """A finite number ``>= 0`` (noise, weight decay, momentum...)."""
    return check_float(where, name, value, low=0)


def check_betas(where: str, name: str, value) -> tuple[float, float]:
    """A pair ``(b1, b2)``, each in ``[0, 1)``."""
    if (
        isinstance(value, str | bytes)
        or not hasattr(value, "__len__")
        or len(value) != 2
    ):
        raise ArgumentTypeError(
            f"{where}: {name} must be a pair (b1, b2) of numbers in [0, 1), got "
            f"{_shown(value)}"
        )
    return tuple(
        check_float(where, f"{name}[{i}]", b, low=0, high=1, high_open=True)
        for i, b in enumerate(value)
    )


def check_rng(where: str, name: str, rng) -> np.random.Generator:
    """``np.random.default_rng(rng)`` for None, a seed ``>= 0`` or a Generator."""
    if rng is None or isinstance(rng, np.random.Generator):
        return np.random.default_rng(rng)
    if isinstance(rng, bool) or not isinstance(rng, int | np.integer):
        raise ArgumentTypeError(
            f"{where}: {name} must be None, an integer seed >= 0 or a "
            "numpy.random.Generator, "
            f"got {_shown(rng)}"
        )
    if rng < 0:
        raise ValueError(f"{where}: {name} must be an integer seed >= 0, got {rng!r}")
    return np.random.default_rng(rng)


def check_float_dtype(where: str, name: str, dtype, half: bool = False) -> np.dtype:
    """Require float32 or float64 (no int or complex model; float16 only with ``half``,
    for storage); return the dtype."""
    allowed = ("float16", "float32", "float64") if half else ("float32", "float64")
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt is None or dt.name not in allowed or (dtype is None):
        raise ArgumentTypeError(
            f"{where}: {name} must be {' or '.join(allowed)}, got {_shown(dtype)}"
        )
    return dt


def check_axis(where: str, name: str, axis, ndim: int) -> int:
    """Require an integer axis in ``[-ndim, ndim)``; return it as a non-negative int."""
    if isinstance(axis, bool) or not isinstance(axis, int | np.integer):
        raise ArgumentTypeError(
            f"{where}: {name} must be an integer, got {_shown(axis)}"
        )
    if not -ndim <= axis < ndim:
        raise ValueError(
            f"{where}: {name}={axis} is out of range for an array of {ndim} dimensions"
        )
    return int(axis) % ndim


def check_callable(where: str, name: str, value) -> None:
    """Require a callable."""
    if not callable(value):
        raise ArgumentTypeError(
            f"{where}: {name} must be callable, got {_shown(value)}"
        )


def check_bool(where: str, name: str, value) -> bool:
    """Require True or False (a string such as ``"no"`` would count as true)."""
    if not isinstance(value, bool | np.bool_):
        raise ArgumentTypeError(
            f"{where}: {name} must be True or False, got {_shown(value)}"
        )
    return bool(value)


def check_choice(where: str, name: str, value, choices) -> None:
    """Require one of ``choices`` (strings such as ``"relu"``)."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(
            f"{where}: {name} must be one of {sorted(choices)}, got {value!r:.60}"
        )


def check_layer(where: str, name: str, model) -> None:
    """Require an object following the layer protocol (it has ``named_params``)."""
    if not callable(getattr(model, "named_params", None)):
        raise ArgumentTypeError(
            f"{where}: {name} must follow the layer protocol (have named_params()), "
            f"got {_shown(model)}"
        )


def check_finite_grad(where: str, name: str, g: np.ndarray, p: np.ndarray) -> None:
    """A parameter's gradient: a float array of the parameter's shape, finite.

    The type and shape checks are free; the finiteness check is one ``sum`` (no
    temporary
    array), and only when the sum is not finite is the array searched for NaN or
    infinity.
    """
    if type(g) is not np.ndarray or g.dtype.kind != "f":
        kind = f"dtype {g.dtype}" if isinstance(g, np.ndarray) else _shown(g)
        raise ArgumentTypeError(
            f"{where}: the gradient of {name!r} must be a float numpy array, got {kind}"
        )
    if g.shape != p.shape:
        raise ValueError(
            f"{where}: the gradient of {name!r} has shape {g.shape} but the parameter "
            f"has shape {p.shape}"
        )
    if not math.isfinite(g.sum()) and not np.isfinite(g).all():
        bad = "NaN" if np.isnan(g).any() else "infinity"
        raise NonFiniteError(f"{where}: the gradient of {name!r} contains {bad}")


class NonFiniteError(ValueError):
    """A NaN or infinity that appeared during training (a loss or a gradient)."""


def as_labels(
    where: str, name: str, labels, shape: tuple[int, ...], n_classes: int
) -> np.ndarray:
    """``labels`` as an integer array of ``shape`` with values in ``[0, n_classes)``."""
    arr = as_array(where, name, labels)
    if arr.dtype.kind not in "iu":
        raise TypeError(
            f"{where}: {name} must be integer class indices, got dtype {arr.dtype} "
            "(convert with .astype(int) if the values are whole numbers)"
        )
    if arr.shape != tuple(shape):
        raise ValueError(
            f"{where}: {name} has shape {arr.shape} but must have shape {shape}"
        )
    if arr.size == 0:
        raise ValueError(f"{where}: {name} is empty (shape {arr.shape})")
    low, high = int(arr.min()), int(arr.max())
    if low < 0 or high >= n_classes:
        bad = low if low < 0 else high
        raise ValueError(
            f"{where}: {name} contains {bad}, outside the valid range "
            f"0..{n_classes - 1}"
        )
    return arr


def as_token_ids(where: str, name: str, ids, vocab_size: int) -> np.ndarray:
    """``ids`` as an integer array, requiring every id to be in ``[0, vocab_size)``."""
    arr = ids if type(ids) is np.ndarray else as_array(where, name, ids)
    if arr.dtype.kind not in "iu":
        raise TypeError(
            f"{where}: {name} must be integer token ids, got dtype {arr.dtype}"
        )
    if arr.size == 0:
        raise ValueError(f"{where}: {name} is empty (shape {arr.shape})")
    bad = (arr < 0) | (arr >= vocab_size)
    if bad.any():
        pos = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{where}: {name} holds id {arr[pos]} at index {pos}, outside the "
            "vocabulary "
            f"[0, {vocab_size})"
        )
    return arr


def check_shape(
    where: str, name: str, x: np.ndarray, expected: tuple, what: str
) -> None:
    """Require a float array with ``x.shape == expected``; ``what`` names where
    ``expected`` comes from. Used for every ``dy`` handed to a ``backward``."""
    if type(x) is not np.ndarray or x.dtype.kind != "f":
        _not_array(where, name, x)
    if x.shape != tuple(expected):
        raise ValueError(
            f"{where}: {name} has shape {np.shape(x)} but {what} has shape "
            f"{tuple(expected)}"
        )


def _not_array(where: str, name: str, x) -> None:
    kind = f"dtype {x.dtype}" if isinstance(x, np.ndarray) else _shown(x)
    raise ArgumentTypeError(f"{where}: {name} must be a float numpy array, got {kind}")


def held_out_size(
    where: str, name: str, fraction, n: int, unit: str, parts: str
) -> int:
    """``round(n * fraction)``, the size of a held-out part, with both parts non-empty.

    ``unit`` names what is counted ("rows", "ids") and ``parts`` the two parts, for the
    message (e.g. "train or test set").
    """
    if isinstance(fraction, bool) or not isinstance(fraction, numbers.Real):
        raise ArgumentTypeError(
            f"{where}: {name} must be in (0, 1), got {_shown(fraction)}"
        )
    if not 0 < fraction < 1:
        raise ValueError(f"{where}: {name} must be in (0, 1), got {fraction!r}")
    n_held = round(n * fraction)
    if not 0 < n_held < n:
        raise ValueError(
            f"{where}: {name}={fraction} of {n} {unit} leaves an empty {parts}"
        )
    return n_held


# --------------------------------------------------------------------------------------
# Checkers of Part I's callables (neuron, activations, layers, losses, mlp, supervised,
# gradcheck, optim, data). Each returns the validated arguments, so that a function's
# body spends one line on them.
# --------------------------------------------------------------------------------------


def check_neuron(where: str, a, w, b) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A neuron's inputs ``a`` ``(n,)`` or ``(batch, n)``, weights ``(n,)``, bias."""
    a = as_float_array(where, "a", a)
    w = as_float_array(where, "w", w)
    b = as_float_array(where, "b", b)
    if w.ndim != 1 or b.ndim != 0:
        raise ValueError(
            f"{where}: w must have shape (n,) and b must be a number, "
            f"got w of shape {w.shape} and b of shape {b.shape}"
        )
    if a.shape[-1:] != w.shape:
        raise ValueError(
            f"{where}: a has shape {a.shape} but w has shape {w.shape}; "
            "a needs one entry per weight in its last dimension"
        )
    return a, w, b


def check_activation_input(where: str, z, nan_by: str) -> np.ndarray:
    """An activation layer's input: numbers (named by ``where``), then no NaN or
    infinity (named by ``nan_by``, the function the layer applies)."""
    z = as_float_array(where, "z", z, finite=False)
    return as_float_array(nan_by, "z", z)


def check_str(where: str, name: str, value) -> str:
    """Require a ``str``."""
    if not isinstance(value, str):
        raise ArgumentTypeError(f"{where}: {name} must be a str, got {value!r}")
    return value


def check_astype(layer, dtype) -> np.dtype:
    """``Layer.astype``'s dtype: float16, float32 or float64."""
    where = f"{type(layer).__name__}.astype"
    return check_float_dtype(where, "dtype", dtype, half=True)


def check_dense(n_in, n_out, rng, dtype, init) -> tuple:
    """``Dense``'s arguments: sizes, ``init``; return ``(n_in, n_out, rng, dtype)``."""
    n_in = check_positive_int("Dense", "n_in", n_in)
    n_out = check_positive_int("Dense", "n_out", n_out)
    if init not in ("lecun", "he"):
        raise ValueError(f"Dense: init must be 'lecun' or 'he', got {init!r}")
    rng = check_rng("Dense", "rng", rng)
    return n_in, n_out, rng, check_float_dtype("Dense", "dtype", dtype)


def check_features(where: str, x, n_in: int) -> np.ndarray:
    """``x`` as a float array of finite numbers whose last dimension is ``n_in``."""
    x = as_float_array(where, "x", x)
    check_last_dim(where, "x", x, n_in)
    return x


def check_layer_dy(where: str, dy, expected: tuple) -> np.ndarray:
    """A ``backward``'s ``dy``: a float array of the layer's output shape."""
    check_shape(where, "dy", dy, expected, "the output")
    return dy


def check_mlp(layer_sizes, activation, init, rng, dtype) -> tuple:
    """``MLP``'s arguments; return ``(sizes, rng, dtype)``, ``sizes`` a list of ints.

    ``activation`` is one of the keys of ``scratchml.mlp.ACTIVATIONS``.
    """
    if np.ndim(layer_sizes) == 0:  # MLP(64): a single number is not a list of sizes
        layer_sizes = [layer_sizes]
    sizes = [check_positive_int("MLP", "layer_sizes entry", n) for n in layer_sizes]
    if len(sizes) < 2:
        raise ValueError(
            "MLP: layer_sizes must list at least an input and an output size, got "
            f"{sizes}"
        )
    check_choice("MLP", "activation", activation, ("relu", "sigmoid"))
    check_choice("MLP", "init", init, ("lecun", "he"))
    rng = check_rng("MLP", "rng", rng)
    return sizes, rng, check_float_dtype("MLP", "dtype", dtype)


def check_predict(x, n_in: int, n_out: int) -> np.ndarray:
    """``MLP.predict``'s input, and a model with more than one output (a class each)."""
    x = check_features("MLP.predict", x, n_in)
    if n_out == 1:
        raise ValueError(
            "MLP.predict returns class labels, but this MLP has a single output; "
            "call model(x) to get regression values"
        )
    return x


def check_pred_target(where: str, pred, target) -> tuple[np.ndarray, np.ndarray]:
    """Predictions and targets: finite float arrays of the same shape."""
    pred = as_float_array(where, "pred", pred)
    target = as_float_array(where, "target", target)
    check_same_shape(where, "pred", pred, "target", target)
    return pred, target


def check_logits_labels(where: str, logits, labels) -> tuple[np.ndarray, np.ndarray]:
    """Logits ``(..., C)`` and integer labels ``(...)`` in ``0..C-1``."""
    logits = as_float_array(where, "logits", logits)
    if logits.ndim < 2:
        raise ValueError(
            f"{where}: logits has shape {logits.shape} but must have at least 2 "
            "dimensions "
            "(rows, classes)"
        )
    labels = as_labels(where, "labels", labels, logits.shape[:-1], logits.shape[-1])
    return logits, labels


def check_xy(where: str, X, y) -> tuple[np.ndarray, np.ndarray]:
    """Inputs ``X`` (float) and targets ``y`` with the same number of rows."""
    X = as_float_array(where, "X", X)
    y = as_array(where, "y", y)
    if X.ndim < 1 or y.ndim < 1 or len(X) != len(y):
        raise ValueError(
            f"{where}: X has shape {X.shape} and y has shape {y.shape}; "
            "they must have the same number of rows"
        )
    return X, y


def check_minibatches(X, y, batch_size, rng) -> tuple:
    """``iterate_minibatches``' arguments; return ``(X, y, batch_size, rng)``."""
    X, y = check_xy("iterate_minibatches", X, y)
    batch_size = check_positive_int("iterate_minibatches", "batch_size", batch_size)
    return X, y, batch_size, check_rng("iterate_minibatches", "rng", rng)


def check_train_test_split(X, y, test_fraction, rng) -> tuple:
    """``train_test_split``'s arguments; return ``(X, y, n_test, rng)``."""
    X, y = check_xy("train_test_split", X, y)
    n_test = held_out_size(
        "train_test_split",
        "test_fraction",
        test_fraction,
        len(X),
        "rows",
        "train or test set",
    )
    return X, y, n_test, check_rng("train_test_split", "rng", rng)


def check_accuracy(logits_or_labels, y) -> tuple[np.ndarray, np.ndarray]:
    """``accuracy``'s arguments: scores ``(n, C)`` or integer labels ``(n,)``, and
    integer labels ``y`` ``(n,)`` (in ``0..C-1`` for scores); return ``(pred, y)``."""
    pred = as_array("accuracy", "logits_or_labels", logits_or_labels)
    y = as_array("accuracy", "y", y)
    if y.dtype.kind not in "iu":
        raise ArgumentTypeError(
            f"accuracy: y must be integer class labels, got dtype {y.dtype}"
        )
    if y.ndim != 1:
        raise ValueError(f"accuracy: y has shape {y.shape} but must be 1-D labels (n,)")
    scores = pred.ndim == y.ndim + 1
    if scores:
        pred = as_float_array("accuracy", "logits_or_labels", pred)  # scores: no NaN
        as_labels("accuracy", "y", y, y.shape, pred.shape[-1])  # labels in 0..C-1
    if (pred.shape[:-1] if scores else pred.shape) != y.shape or y.size == 0:
        raise ValueError(
            f"accuracy: logits_or_labels has shape {np.shape(logits_or_labels)} and y "
            "has "
            f"shape {y.shape}; expected scores (n, C) or labels (n,) with n = len(y) > "
            "0"
        )
    if not scores and pred.dtype.kind not in "iu":
        raise ArgumentTypeError(
            f"accuracy: logits_or_labels of shape {pred.shape} are labels, which must "
            "be "
            f"integers, got dtype {pred.dtype} (or pass scores of shape "
            f"{y.shape + (-1,)})"
        )
    return pred, y


def check_fit_data(where: str, model, loss: str, X, y, names=("X", "y")) -> tuple:
    """A data set for ``model``, validated once, up front, with ``X`` (and ``y`` for
    mse) cast to the model's dtype; return ``(X, y)``."""
    X, y = check_xy(where, X, y)
    dtype = next(layer.params[key].dtype for _, layer, key in model.named_params())
    X = X.astype(dtype, copy=False)  # a float64 input would make every step float64
    try:
        out_shape = model.forward(X[:1]).shape  # (1, n_out): what one row becomes
    except ValueError as err:
        raise ValueError(
            f"{where}: {names[0]} has shape {X.shape}, which the model rejects ({err})"
        ) from None
    if loss == "cross_entropy":
        return X, as_labels(
            where, names[1], y, (len(X),) + out_shape[1:-1], out_shape[-1]
        )
    y = as_float_array(where, names[1], y).astype(dtype, copy=False)
    if y.shape[1:] != out_shape[1:]:
        raise ValueError(
            f"{where}: {names[1]} has shape {y.shape} but the model outputs rows of "
            "shape "
            f"{out_shape[1:]} (for mse the target must match the output)"
        )
    return X, y


def check_fit(
    losses, model, X, y, loss, optimizer, epochs, batch_size, rng, X_val, y_val, verbose
) -> tuple:
    """``fit``'s arguments (``losses`` its table of losses), in the order a reader
    would check them: the model, the options, then the data; return
    ``(X, y, X_val, y_val)``, cast to the model's dtype."""
    check_layer("fit", "model", model)
    if optimizer is not None and not callable(getattr(optimizer, "step", None)):
        raise ArgumentTypeError(
            f"fit: optimizer must have a step() method, got {optimizer!r:.60}"
        )
    check_positive_int("fit", "batch_size", batch_size)
    check_choice("fit", "loss", loss, losses)
    check_bool("fit", "verbose", verbose)
    if (X_val is None) != (y_val is None):
        raise ValueError("fit: give both X_val and y_val, or neither")
    check_positive_int("fit", "epochs", epochs)
    X, y = check_fit_data("fit", model, loss, X, y)
    if X_val is not None:
        X_val, y_val = check_fit_data(
            "fit", model, loss, X_val, y_val, ("X_val", "y_val")
        )
    check_rng("fit", "rng", rng)
    return X, y, X_val, y_val


def check_grad(where: str, name: str, layer, key: str) -> np.ndarray:
    """The gradient of one parameter, or a clear error if backward has not filled it, or
    filled it with the wrong shape, NaN or infinity."""
    g = layer.grads.get(key)
    if g is None:
        raise RuntimeError(
            f"{where}: no gradient for {name!r}; call backward before step"
        )
    check_finite_grad(where, name, g, layer.params[key])
    return g


def check_sgd(model, lr, momentum) -> tuple[float, float]:
    """``SGD``'s arguments; return ``(lr, momentum)`` as Python floats."""
    check_layer("SGD", "model", model)
    lr = check_positive("SGD", "lr", lr)
    return lr, check_float("SGD", "momentum", momentum, low=0, high=1, high_open=True)


def check_adam(model, lr, betas, eps, weight_decay) -> tuple:
    """``Adam``'s arguments; return ``(lr, (b1, b2), eps, weight_decay)``, floats."""
    check_layer("Adam", "model", model)
    betas = check_betas("Adam", "betas", betas)
    lr = check_positive("Adam", "lr", lr)
    eps = check_positive("Adam", "eps", eps)
    return lr, betas, eps, check_non_negative("Adam", "weight_decay", weight_decay)


def check_clip_grad_norm(model, max_norm) -> tuple[float, list]:
    """``clip_grad_norm``'s arguments; return ``max_norm`` and the filled gradients."""
    check_layer("clip_grad_norm", "model", model)
    max_norm = check_positive("clip_grad_norm", "max_norm", max_norm)
    grads = [
        check_grad("clip_grad_norm", n, layer, k)
        for n, layer, k in model.named_params()
    ]
    return max_norm, grads


def check_norm(where: str, total: float) -> float:
    """A global gradient norm: finite (every gradient is, but their squares may
    overflow)."""
    if not math.isfinite(total):
        raise NonFiniteError(f"{where}: the global gradient norm overflows ({total})")
    return total


def check_numerical_gradient(f, x, eps) -> float:
    """``numerical_gradient``'s arguments, and one call of ``f``; return ``eps``."""
    check_callable("numerical_gradient", "f", f)
    if type(x) is not np.ndarray or x.dtype != np.float64:
        got = f"dtype {x.dtype}" if isinstance(x, np.ndarray) else type(x).__name__
        raise ArgumentTypeError(
            "numerical_gradient: x must be a float64 numpy array for accuracy, got "
            f"{got}"
        )
    if x.size == 0:
        raise ValueError(f"numerical_gradient: x is empty (shape {x.shape})")
    eps = check_positive("numerical_gradient", "eps", eps)
    check_float("numerical_gradient", "f()", f())  # a finite number, or an error now
    return eps


def check_nudged(grad: np.ndarray) -> np.ndarray:
    """A central-difference gradient: finite (else ``f`` blew up near ``x``)."""
    if not np.isfinite(grad).all():
        raise NonFiniteError(
            "numerical_gradient: f() became NaN or infinite as x was nudged"
        )
    return grad


def check_relative_error(a, b, floor) -> tuple:
    """``relative_error``'s arguments: finite arrays of one shape, a ``floor >= 0``."""
    a = as_float_array("relative_error", "a", a)  # NaN or inf: an error, never NaN
    b = as_float_array("relative_error", "b", b)
    check_same_shape("relative_error", "a", a, "b", b)
    return a, b, check_non_negative("relative_error", "floor", floor)


def check_gradcheck(layer, x, loss, eps, rng) -> np.ndarray:
    """``check_gradients``' arguments; return ``x`` (floats, or integer token ids)."""
    check_layer("check_gradients", "layer", layer)
    if loss is not None and (not isinstance(loss, tuple | list) or len(loss) != 2):
        raise ArgumentTypeError(
            "check_gradients: loss must be a pair (value(y), grad(y)) of callables, "
            f"got {loss!r:.60}"
        )
    for fn in loss or ():
        check_callable("check_gradients", "loss", fn)
    check_positive("check_gradients", "eps", eps)
    check_rng("check_gradients", "rng", rng)
    return as_numeric_array("check_gradients", "x", x)


def check_regression_1d(n, noise, rng, slope, intercept) -> np.random.Generator:
    """``make_regression_1d``'s arguments; return ``rng`` as a Generator."""
    where = "make_regression_1d"
    check_positive_int(where, "n", n)
    check_non_negative(where, "noise", noise)
    check_float(where, "slope", slope)
    check_float(where, "intercept", intercept)
    return check_rng(where, "rng", rng)


def check_blobs(n_per_class, n_classes, spread, rng) -> np.random.Generator:
    """``make_blobs``' arguments; return ``rng`` as a Generator."""
    check_positive_int("make_blobs", "n_per_class", n_per_class)
    check_positive_int("make_blobs", "n_classes", n_classes)
    check_non_negative("make_blobs", "spread", spread)
    return check_rng("make_blobs", "rng", rng)


def check_moons(n_per_class, noise, rng) -> tuple:
    """``make_moons``' arguments; return them validated, ``rng`` a Generator."""
    n_per_class = check_positive_int("make_moons", "n_per_class", n_per_class)
    noise = check_non_negative("make_moons", "noise", noise)
    return n_per_class, noise, check_rng("make_moons", "rng", rng)


# (end of Part I's checkers)


# --------------------------------------------------------------------------------------
# Checkers of Parts II-III's callables (tokenizer, embedding, positional, softmax,
# normalization, text, dropout).
# --------------------------------------------------------------------------------------

# (end of Parts II-III's checkers)


# --------------------------------------------------------------------------------------
# Checkers of attention, the transformer block, the KV cache, the GPT and GPT-2 models,
# safetensors and checkpoints.
# --------------------------------------------------------------------------------------

# (end of the attention and model checkers)


# --------------------------------------------------------------------------------------
# Checkers of BPE, generation, language-model training and the command line.
# --------------------------------------------------------------------------------------

# (end of the BPE, generation and training checkers)
