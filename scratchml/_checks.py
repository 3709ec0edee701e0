"""Input checks shared by every module: clear errors instead of broadcasting tracebacks.

Every public function validates its arguments with these helpers, so that a wrong shape
or a NaN is reported where it enters, naming the function, the argument, what was
expected and what was received.
"""

import contextlib
import functools
import json
import math
import numbers
import os

import numpy as np


class ArgumentTypeError(TypeError, ValueError):
    """An argument of the wrong type: both a ``TypeError`` and a ``ValueError``.

    So ``except ValueError`` catches every bad argument (as numpy's ``AxisError`` is
    both).
    """


def _shown(value) -> str:
    """``repr`` of a received value on one line, cut to 60 characters, with its type
    if unclear; an array of more than one dimension is shown by its shape and dtype."""
    if isinstance(value, np.ndarray) and value.ndim > 1:
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    text = " ".join(repr(value).split())
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
    if finite:
        check_finite(where, name, arr)
    return arr


def check_finite(where: str, what: str, x: np.ndarray, error=ValueError) -> None:
    """Raise ``error`` if the float array ``x`` holds NaN or infinity. ``isfinite``
    then ``all`` is one fast pass (about twice as fast as a ``sum`` on float32)."""
    if not np.isfinite(x).all():
        bad = "NaN" if np.isnan(x).any() else "infinity"
        raise error(f"{where}: {what} contains {bad}")


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


MAX_COUNT = 2**31 - 1  # the largest size or count accepted (numpy's limit is 2**63)


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
    if value > MAX_COUNT:  # a size or count that no array here can have
        raise ValueError(
            f"{where}: {name} must be {want} up to 2**31 - 1, got {_shown(value)}"
        )
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

    The type and shape checks are free; the finiteness check is one pass
    (``check_finite``).
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
    check_finite(where, f"the gradient of {name!r}", g, NonFiniteError)


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
    where: str, name: str, x: np.ndarray, expected: tuple, what: str, finite=True
) -> None:
    """Require a float array with ``x.shape == expected``, finite unless ``finite`` is
    false; ``what`` names where ``expected`` comes from. Used for every ``dy`` handed to
    a ``backward``: a NaN there would come back as NaN gradients (``check_finite``)."""
    if type(x) is not np.ndarray or x.dtype.kind != "f":
        _not_array(where, name, x)
    if x.shape != tuple(expected):
        raise ValueError(
            f"{where}: {name} has shape {np.shape(x)} but {what} has shape "
            f"{tuple(expected)}"
        )
    if finite:
        check_finite(where, name, x)


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


def check_mlp(layer_sizes, activation, init, rng, dtype) -> tuple:
    """``MLP``'s arguments; return ``(sizes, rng, dtype)``, ``sizes`` a list of ints.

    ``activation`` is one of the keys of ``scratchml.mlp.ACTIVATIONS``.
    """
    scalar = isinstance(layer_sizes, np.ndarray) and layer_sizes.ndim == 0
    if (
        scalar
        or isinstance(layer_sizes, str | bytes)
        or not hasattr(layer_sizes, "__iter__")
    ):
        layer_sizes = [layer_sizes]  # MLP(64): a single number is not a list of sizes
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
    """Logits ``(..., C)`` and integer labels ``(...)`` in ``0..C-1``; float16 logits
    come back as float32, where a loss's sums and differences cannot overflow."""
    logits = as_float_array(where, "logits", logits)
    if logits.dtype == np.float16:  # 65504 at most: a sum of row losses overflows
        logits = logits.astype(np.float32)
    if logits.ndim < 2:
        raise ValueError(
            f"{where}: logits has shape {logits.shape} but must have at least 2 "
            "dimensions "
            "(rows, classes)"
        )
    labels = as_labels(where, "labels", labels, logits.shape[:-1], logits.shape[-1])
    return logits, labels


def check_xy(where: str, X, y, names=("X", "y")) -> tuple[np.ndarray, np.ndarray]:
    """Inputs ``X`` (float) and targets ``y`` with the same number of rows; ``names``
    are the arguments' names (``("X_val", "y_val")`` for ``fit``'s held-out set)."""
    X = as_float_array(where, names[0], X)
    y = as_array(where, names[1], y)
    if X.ndim < 1 or y.ndim < 1 or len(X) != len(y):
        raise ValueError(
            f"{where}: {names[0]} has shape {X.shape} and {names[1]} has shape "
            f"{y.shape}; they must have the same number of rows"
        )
    return X, y


def check_minibatches(X, y, batch_size, rng) -> tuple:
    """``iterate_minibatches``' arguments; return ``(X, y, batch_size, rng)``."""
    X, y = check_xy("iterate_minibatches", X, y)
    batch_size = check_positive_int("iterate_minibatches", "batch_size", batch_size)
    return X, y, batch_size, check_rng("iterate_minibatches", "rng", rng)


def check_split(X, y, test_fraction, rng) -> tuple:
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
    X, y = check_xy(where, X, y, names)
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


def check_epoch_losses(where: str, epoch: int, history: dict) -> None:
    """The losses an epoch of ``fit`` just added to ``history``: finite, or training
    stops there, naming the epoch (an infinite loss can have finite gradients: a float32
    sum of squared errors overflows long before the predictions do)."""
    for key, what in (("loss", "training loss"), ("val_loss", "validation loss")):
        value = history[key][-1] if key in history else 0.0
        if not math.isfinite(value):
            raise NonFiniteError(
                f"{where}: the {what} of epoch {epoch} is {value} (a number "
                "overflowed: lower the learning rate or scale the data)"
            )


def check_grad(where: str, name: str, layer, key: str) -> np.ndarray:
    """The gradient of one parameter, or a clear error if backward has not filled it, or
    filled it with the wrong shape, NaN or infinity."""
    g = layer.grads.get(key)
    if g is None:
        raise RuntimeError(f"{where}: no gradient for {name!r}; call backward first")
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

# tokenizer.py


def check_chars(where: str, chars) -> list[str]:
    """A vocabulary: an iterable of single characters, without repeats, not empty."""
    if not isinstance(chars, str) and not hasattr(chars, "__iter__"):
        raise ArgumentTypeError(
            f"{where}: chars must be an iterable of characters, got {_shown(chars)}"
        )
    chars = list(chars)
    for c in chars:
        if not isinstance(c, str):
            raise ArgumentTypeError(
                f"{where}: every entry of chars must be a str, got {_shown(c)}"
            )
        if len(c) != 1:
            raise ValueError(
                f"{where}: every entry of chars must be one character, got {c!r}"
            )
    if len(set(chars)) != len(chars):
        repeated = next(c for c in chars if chars.count(c) > 1)
        raise ValueError(f"{where}: chars contains a repeated character, {repeated!r}")
    if not chars:
        raise ValueError(f"{where}: chars is empty")
    return chars


def check_nonempty_text(where: str, text) -> str:
    """A non-empty str."""
    if not isinstance(text, str) or not text:
        error = ValueError if isinstance(text, str) else ArgumentTypeError
        raise error(f"{where}: text must be a non-empty str, got {text!r:.40}")
    return text


def check_encodable(where: str, text, stoi: dict) -> str:
    """A str whose every character is a key of ``stoi`` (the first unknown one is
    named with its position)."""
    if not isinstance(text, str):
        raise TypeError(f"{where}: text must be a str, got {type(text).__name__}")
    if not stoi.keys() >= set(text):
        pos = next(i for i, c in enumerate(text) if c not in stoi)
        raise ValueError(
            f"{where}: character {text[pos]!r} at position {pos} is not in the "
            "vocabulary"
        )
    return text


def check_decodable(where: str, ids, vocab_size: int) -> np.ndarray:
    """A 1-D sequence of ids in ``[0, vocab_size)``; an empty one is allowed."""
    ids = as_array(where, "ids", ids)
    if ids.ndim != 1:
        raise ValueError(f"{where}: ids has shape {ids.shape} but must be 1-D")
    if ids.size == 0:
        return ids
    return as_token_ids(where, "ids", ids, vocab_size)


# embedding.py, positional.py, normalization.py, dropout.py: constructors and inputs


def _sizes_rng_dtype(where: str, sizes: dict, rng, dtype) -> tuple:
    """Each of ``sizes`` (name -> value, in order) a positive int, then ``rng`` and a
    float ``dtype``: returns ``(*sizes, rng, dtype)`` validated."""
    ints = tuple(check_positive_int(where, name, n) for name, n in sizes.items())
    return *ints, check_rng(where, "rng", rng), check_float_dtype(where, "dtype", dtype)


def check_embedding(vocab_size, d_model, rng, dtype) -> tuple:
    """``Embedding``'s arguments: returns ``(vocab_size, d_model, rng, dtype)``."""
    sizes = {"vocab_size": vocab_size, "d_model": d_model}
    return _sizes_rng_dtype("Embedding", sizes, rng, dtype)


def check_unembedding(d_model, vocab_size, rng, dtype) -> tuple:
    """``Unembedding``'s arguments: returns ``(d_model, vocab_size, rng, dtype)``."""
    sizes = {"d_model": d_model, "vocab_size": vocab_size}
    return _sizes_rng_dtype("Unembedding", sizes, rng, dtype)


def check_positional_embedding(n_positions, d_model, rng, dtype) -> tuple:
    """``PositionalEmbedding``'s arguments: ``(n_positions, d_model, rng, dtype)``."""
    sizes = {"n_positions": n_positions, "d_model": d_model}
    return _sizes_rng_dtype("PositionalEmbedding", sizes, rng, dtype)


def check_positional_encoding(n_positions, d_model, dtype) -> tuple:
    """``positional_encoding``'s arguments: ``(n_positions, d_model, dtype)``."""
    where = "positional_encoding"
    n_positions = check_positive_int(where, "n_positions", n_positions)
    d_model = check_positive_int(where, "d_model", d_model)
    return n_positions, d_model, check_float_dtype(where, "dtype", dtype)


def check_positions(x, n_positions: int, d_model: int) -> np.ndarray:
    """``PositionalEmbedding.forward``'s ``x``: ``(B, T, d_model)`` or
    ``(T, d_model)`` with ``T <= n_positions``."""
    where = "PositionalEmbedding.forward"
    x = as_float_array(where, "x", x)
    check_ndim(where, "x", x, (2, 3))
    if x.shape[-2] > n_positions or x.shape[-1] != d_model:
        raise ValueError(
            f"{where}: x has shape {x.shape} but must be (B, T, {d_model}) or "
            f"(T, {d_model}) with T <= {n_positions}"
        )
    return x


def check_layer_norm(d_model, eps, dtype) -> tuple[int, float, np.dtype]:
    """``LayerNorm``'s ``d_model`` (positive int), ``eps`` (> 0) and ``dtype``."""
    d_model = check_positive_int("LayerNorm", "d_model", d_model)
    eps = check_positive("LayerNorm", "eps", eps)  # a Python float: float32 stays
    return d_model, eps, check_float_dtype("LayerNorm", "dtype", dtype)


def check_dropout(p, rng) -> tuple[float, np.random.Generator]:
    """``Dropout``'s ``p`` in ``[0, 1)`` and its ``rng``."""
    p = check_float("Dropout", "p", p, low=0, high=1, high_open=True)
    return p, check_rng("Dropout", "rng", rng)


def check_vectors(where: str, x, d_model: int) -> np.ndarray:
    """``x`` as a finite float array whose last dimension is ``d_model``."""
    x = as_float_array(where, "x", x)
    check_last_dim(where, "x", x, d_model)
    return x


# The layer protocol's checks, which ``Layer.__init_subclass__`` wraps around every
# subclass's ``forward`` and ``backward``: no layer checks its gradient itself.
_BACKWARDS_RUNNING = [0]  # > 0 while a backward runs: its children get computed dy


def checked_forward(forward):
    """``forward``, keeping the shape of what it returns for ``backward`` to check."""

    @functools.wraps(forward)
    def wrapper(self, x, *args, **kwargs):
        self._output_shape = None  # a forward that fails leaves nothing to go back over
        y = forward(self, x, *args, **kwargs)
        self._output_shape = np.shape(y)
        return y

    return wrapper


def checked_backward(backward):
    """``backward``, refusing a gradient of another shape than the last ``forward``'s
    output, or one called before any forward. A ``dy`` from outside must be finite
    (one pass); the ones a parent layer computes are not searched again: a NaN born
    inside reaches the parameters' gradients, which the optimizer checks."""
    name = backward.__code__.co_varnames[1]  # dy, or dlogits for a model

    @functools.wraps(backward)
    def wrapper(self, dy):
        where = f"{type(self).__name__}.backward"
        shape = getattr(self, "_output_shape", None)
        if shape is None:
            raise RuntimeError(f"{where} called before forward")
        outside = _BACKWARDS_RUNNING[0] == 0
        check_shape(where, name, dy, shape, "the output", finite=outside)
        _BACKWARDS_RUNNING[0] += 1
        try:
            return backward(self, dy)
        finally:
            _BACKWARDS_RUNNING[0] -= 1

    return wrapper


# softmax.py


def check_scores(where: str, x, axis) -> np.ndarray:
    """Any-dtype ``x`` as a float array, at least 1-D and non-empty, with a valid
    ``axis``. NaN and infinity are left to ``check_row_max``."""
    if type(x) is not np.ndarray or x.dtype.kind != "f":
        x = as_float_array(where, "x", x, finite=False)
    if x.ndim == 0 or x.size == 0:
        raise ValueError(
            f"{where}: x has shape {x.shape} but must be a non-empty array of scores"
        )
    check_axis(where, "axis", axis, x.ndim)
    return x


def check_temperature(where: str, temperature, dtype) -> float:
    """A temperature ``> 0`` that does not round to 0 in ``dtype``."""
    try:
        t = check_positive(where, "temperature", temperature)
    except ValueError as err:  # ArgumentTypeError (a string, None) stays a TypeError
        raise type(err)(
            f"{where}: temperature must be a finite number > 0, got {temperature!r} "
            "(for greedy decoding use generate(..., temperature=0))"
        ) from None
    if dtype.type(t) == 0:  # e.g. 1e-50 in float32: dividing by it gives inf or NaN
        raise ValueError(
            f"{where}: temperature={temperature!r} rounds to 0 in {dtype}; "
            f"the smallest usable temperature is about {np.finfo(dtype).tiny:.1e}"
        )
    return t


def check_row_max(where: str, row_max: np.ndarray, temperature: float) -> None:
    """The row maxima reveal every bad input at once: NaN, +inf, or a row that is
    all -inf."""
    if np.isfinite(row_max).all():
        return
    if np.isnan(row_max).any():
        raise ValueError(f"{where}: x contains NaN")
    if np.isneginf(row_max).any():
        raise ValueError(
            f"{where}: a row of x is -inf everywhere, so no entry can get probability"
        )
    raise ValueError(
        f"{where}: x / temperature reaches +inf (x holds +inf, or "
        f"temperature={temperature} is too small for these logits)"
    )


def check_softmax(where: str, x, axis, temperature=1.0) -> tuple[np.ndarray, float]:
    """``softmax``'s arguments: scores ``x``, ``axis``, ``temperature``; every row of
    ``x / temperature`` must have a finite maximum. Returns ``(x, temperature)``."""
    x = check_scores(where, x, axis)
    t = check_temperature(where, temperature, x.dtype)
    # Cheap proof that every row's maximum of x / t is finite: no NaN or +inf anywhere
    # (the overall maximum is finite), a finite first entry in every row, and t >= 1
    # (so x / t cannot overflow). Otherwise the row maxima are computed and checked.
    first = np.take(x, 0, axis=axis)  # one entry per row
    if t < 1 or not (np.isfinite(x.max()) and np.isfinite(first).all()):
        # max(x / t) == max(x) / t exactly (division by t > 0 keeps the order)
        check_row_max(where, x.max(axis=axis, keepdims=True) / x.dtype.type(t), t)
    return x, t


def check_softmax_backward(where: str, p, dp, axis) -> tuple[np.ndarray, np.ndarray]:
    """``p`` and ``dp``: float arrays of one shape, with a valid ``axis``."""
    p = as_float_array(where, "p", p, finite=False)
    dp = as_float_array(where, "dp", dp, finite=False)
    check_same_shape(where, "p", p, "dp", dp)
    check_axis(where, "axis", axis, p.ndim)
    return p, dp


# text.py


def check_path_like(where: str, name: str, path) -> None:
    """A str or an ``os.PathLike``."""
    if not isinstance(path, str | os.PathLike):
        raise ArgumentTypeError(
            f"{where}: {name} must be a str or a path, got {path!r:.60}"
        )


def as_id_sequence(where: str, ids) -> np.ndarray:
    """``ids`` as a non-empty 1-D integer array (a str gets a hint to encode it)."""
    if isinstance(ids, str):
        raise ArgumentTypeError(
            f"{where}: ids must be integer token ids, got a str "
            "(encode the text with a tokenizer first)"
        )
    arr = as_array(where, "ids", ids)
    if arr.dtype.kind not in "iu":
        raise ArgumentTypeError(
            f"{where}: ids must be integer token ids, got dtype {arr.dtype} "
            "(encode the text with a tokenizer first)"
        )
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(
            f"{where}: ids has shape {arr.shape} but must be a non-empty 1-D array"
        )
    return arr


def check_id_split(where: str, ids, val_fraction) -> tuple[np.ndarray, float]:
    """A 1-D id sequence and a fraction in (0, 1) leaving both parts non-empty."""
    ids = as_id_sequence(where, ids)
    parts = "training or validation part"
    held_out_size(where, "val_fraction", val_fraction, len(ids), "ids", parts)
    return ids, val_fraction


def check_get_batch(where: str, ids, batch_size, context_length, rng) -> tuple:
    """``get_batch``'s arguments: 1-D ids at least ``context_length + 1`` long, two
    positive ints and a seed or Generator. Returns ``(ids, B, T, rng)``."""
    ids = as_id_sequence(where, ids)
    B = check_positive_int(where, "batch_size", batch_size)
    T = check_positive_int(where, "context_length", context_length)
    if len(ids) < T + 1:
        raise ValueError(
            f"{where}: the text has {len(ids)} tokens but one window needs "
            f"context_length + 1 = {T + 1}; use a longer text or a shorter context"
        )
    return ids, B, T, check_rng(where, "rng", rng)


# (end of Parts II-III's checkers)


# --------------------------------------------------------------------------------------
# Checkers of attention, the transformer block, the KV cache, the GPT and GPT-2 models,
# safetensors and checkpoints.
# --------------------------------------------------------------------------------------


def check_attention(q, k, v, mask, where="scaled_dot_product_attention"):
    """The arguments of ``scaled_dot_product_attention``: float arrays that fit.

    ``q``, ``k``, ``v`` as float arrays of at least 2 dimensions whose shapes fit
    (``(..., T_q, d)``, ``(..., T_k, d)``, ``(..., T_k, d_v)``), and ``mask`` None or a
    boolean array that broadcasts to the scores and leaves every query a key.
    ``attention_backward`` checks its ``q``, ``k``, ``v`` with it too (``where``).
    """
    q, k, v = (
        as_float_array(where, name, a) for name, a in (("q", q), ("k", k), ("v", v))
    )
    for name, a in (("q", q), ("k", k), ("v", v)):
        if a.ndim < 2:
            raise ValueError(
                f"{where}: {name} has shape {a.shape} but must be (..., T, d)"
            )
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(
            f"{where}: q has shape {q.shape} but k has shape {k.shape}; "
            "the last dimensions must match"
        )
    if k.shape[:-1] != v.shape[:-1]:
        raise ValueError(
            f"{where}: k has shape {k.shape} but v has shape {v.shape}; all but the "
            "last "
            "dimensions must match (one value per key)"
        )
    if q.shape[:-2] != k.shape[:-2]:
        raise ValueError(
            f"{where}: q has shape {q.shape} but k has shape {k.shape}; "
            "the leading (batch) dimensions must match"
        )
    if mask is not None:
        mask = as_array(where, "mask", mask)
        if mask.dtype != bool:
            raise TypeError(
                f"{where}: mask must be boolean (True = may attend), got dtype "
                f"{mask.dtype}"
            )
        scores_shape = q.shape[:-1] + (k.shape[-2],)
        try:
            ok = np.broadcast_shapes(mask.shape, scores_shape) == scores_shape
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(
                f"{where}: mask has shape {mask.shape} but the scores have shape "
                f"{scores_shape}; the mask must broadcast to it"
            )
        if not mask.any(axis=-1).all():
            raise ValueError(
                f"{where}: mask hides every key from some query (a row of mask is all "
                "False)"
            )
    return q, k, v, mask


def check_attention_backward(d_out, q, k, v, weights):
    """The arguments of ``attention_backward``: ``q``, ``k``, ``v`` checked as the
    forward pass checks them, the ``weights`` it returned and a gradient of the output's
    shape; returns ``q, k, v, weights`` as float arrays."""
    where = "attention_backward"
    q, k, v, _ = check_attention(q, k, v, None, where)  # as the forward checks them
    weights = as_float_array(where, "weights", weights)
    if weights.shape != q.shape[:-1] + k.shape[-2:-1]:
        raise ValueError(
            f"{where}: weights has shape {weights.shape} but q {q.shape} and k "
            f"{k.shape} need (..., T_q, T_k) = {q.shape[:-1] + k.shape[-2:-1]}"
        )
    check_shape(where, "d_out", d_out, weights.shape[:-1] + v.shape[-1:], "the output")
    return q, k, v, weights


def check_mha_args(x, W_q, W_k, W_v, W_o, n_heads, causal) -> np.ndarray:
    """The arguments of ``multi_head_attention``: returns ``x`` as a float array."""
    where = "multi_head_attention"
    d_model = np.shape(W_q)[0] if np.ndim(W_q) == 2 else -1
    for name, W in zip(("W_q", "W_k", "W_v", "W_o"), (W_q, W_k, W_v, W_o), strict=True):
        check_shape(
            where, name, W, (d_model, d_model), "a square matrix as wide as W_q"
        )
        as_float_array(where, name, W)  # NaN or infinity: an error, as in x
    x = as_float_array(where, "x", x)
    check_ndim(where, "x", x, (3,))
    check_last_dim(where, "x", x, d_model)
    check_positive_int(where, "n_heads", n_heads)
    if d_model % n_heads:
        raise ValueError(
            f"{where}: d_model ({d_model}) must be divisible by n_heads ({n_heads})"
        )
    check_bool(where, "causal", causal)
    return x


def check_cached_mask(start, n) -> tuple[int, int]:
    """The arguments of ``cached_causal_mask``: ``start >= 0`` and ``n >= 1``."""
    start = check_int("cached_causal_mask", "start", start, minimum=0)
    return start, check_positive_int("cached_causal_mask", "n", n)


def check_sequence(where: str, x, d_model: int, finite: bool = True) -> np.ndarray:
    """A float array ``(B, T, d_model)`` or ``(T, d_model)``; ``finite=False`` leaves
    NaN to a later checked layer (one scan of the input per step is enough)."""
    x = as_float_array(where, "x", x, finite=finite)
    check_ndim(where, "x", x, (2, 3))
    check_last_dim(where, "x", x, d_model)
    return x


def check_cached_attention(where: str, layer, x, cache, n_heads: int) -> np.ndarray:
    """``x`` as for ``forward``, a causal ``layer`` and a ``KVCache`` shaped for it with
    room for ``x``'s tokens; returns ``x`` as a float array."""
    from scratchml.kv_cache import KVCache  # here: kv_cache imports this module

    x = check_sequence(where, x, layer.d_model)
    if not layer.causal:
        raise ValueError(
            f"{where}: a KV cache needs causal attention (this layer has causal=False)"
        )
    batch = x.shape[0] if x.ndim == 3 else 1
    want = (batch, n_heads, layer.d_head)
    if not isinstance(cache, KVCache):
        raise TypeError(f"{where}: cache must be a KVCache, got {type(cache).__name__}")
    got = (cache.keys.shape[0], cache.keys.shape[1], cache.keys.shape[3])
    if got != want:
        raise ValueError(
            f"{where}: cache has (batch, n_heads, d_head) = {got} but x needs {want}"
        )
    if cache.length + x.shape[-2] > cache.max_len:
        raise ValueError(
            f"{where}: cache holds {cache.length} of {cache.max_len} positions, no "
            "room for "
            f"the {x.shape[-2]} new ones in x"
        )
    return x


def check_self_attention(d_model, d_head, causal, rng, dtype) -> tuple:
    """The arguments of ``SelfAttention``: ``(d_model, d_head, causal, rng, dtype)``
    validated, ``d_head`` defaulting to ``d_model``, ``rng`` a Generator."""
    where = "SelfAttention"
    d_model = check_positive_int(where, "d_model", d_model)
    d_head = check_positive_int(where, "d_head", d_model if d_head is None else d_head)
    causal = check_bool(where, "causal", causal)
    rng = check_rng(where, "rng", rng)
    return d_model, d_head, causal, rng, check_float_dtype(where, "dtype", dtype)


def check_divisible(where: str, d_model: int, n_heads: int) -> None:
    """Require ``n_heads`` to divide ``d_model`` (both already positive integers)."""
    if d_model % n_heads:
        raise ValueError(
            f"{where}: d_model ({d_model}) must be divisible by n_heads ({n_heads})"
        )


def check_mha(d_model, n_heads, causal, rng, dtype, bias) -> tuple:
    """The arguments of ``MultiHeadAttention``: ``(causal, rng, dtype, bias)`` validated
    (and ``d_model``, ``n_heads`` positive, the second dividing the first)."""
    where = "MultiHeadAttention"
    check_positive_int(where, "d_model", d_model)
    check_positive_int(where, "n_heads", n_heads)
    check_divisible(where, d_model, n_heads)
    causal = check_bool(where, "causal", causal)
    rng = check_rng(where, "rng", rng)
    dtype = check_float_dtype(where, "dtype", dtype)
    return causal, rng, dtype, check_bool(where, "bias", bias)


def check_feed_forward(d_model, d_hidden, rng, dtype, activation, choices) -> tuple:
    """The arguments of ``FeedForward``: ``(d_hidden, rng, dtype)`` validated, the
    hidden width defaulting to ``4 * d_model``."""
    where = "FeedForward"
    d_model = check_positive_int(where, "d_model", d_model)
    check_choice(where, "activation", activation, choices)
    d_hidden = 4 * d_model if d_hidden is None else d_hidden
    d_hidden = check_positive_int(where, "d_hidden", d_hidden)
    return (
        d_hidden,
        check_rng(where, "rng", rng),
        check_float_dtype(where, "dtype", dtype),
    )


def check_block(
    where,
    d_model,
    n_heads,
    d_hidden,
    causal,
    bias,
    activation,
    eps,
    rng,
    dtype,
    choices,
) -> tuple:
    """The arguments of ``TransformerBlock`` (``where`` names the class, so a
    ``GPT2Block``'s errors name ``GPT2Block``); returns ``(rng, dtype)``."""
    d_model = check_positive_int(where, "d_model", d_model)
    n_heads = check_positive_int(where, "n_heads", n_heads)
    check_divisible(where, d_model, n_heads)
    if d_hidden is not None:
        check_positive_int(where, "d_hidden", d_hidden)
    check_bool(where, "causal", causal)
    check_bool(where, "bias", bias)
    check_choice(where, "activation", activation, choices)
    check_positive(where, "eps", eps)
    return check_rng(where, "rng", rng), check_float_dtype(where, "dtype", dtype)


def check_kv_cache(batch, n_heads, max_len, d_head, dtype) -> np.dtype:
    """The arguments of ``KVCache``: positive sizes, a float dtype (float16 allowed)."""
    sizes = dict(batch=batch, n_heads=n_heads, max_len=max_len, d_head=d_head)
    for name, value in sizes.items():
        check_positive_int("KVCache", name, value)
    return check_float_dtype("KVCache", "dtype", dtype, half=True)


def check_kv_append(cache, k, v) -> tuple[np.ndarray, np.ndarray]:
    """The arguments of ``KVCache.append``: keys and values ``(B, H, n, d_head)`` that
    fit the cache and its free room; returns them as float arrays."""
    k = as_float_array("KVCache.append", "k", k)
    v = as_float_array("KVCache.append", "v", v)
    B, H, _, d_head = cache.keys.shape
    n = k.shape[-2] if k.ndim == 4 else 0
    if k.ndim != 4 or k.shape != (B, H, n, d_head) or v.shape != k.shape:
        raise ValueError(
            f"KVCache.append: k has shape {k.shape} and v has shape {v.shape} but "
            "both "
            f"must be (batch, n_heads, n, d_head) = ({B}, {H}, n, {d_head})"
        )
    if cache.length + n > cache.max_len:
        raise ValueError(
            f"KVCache.append: the cache holds {cache.length} of {cache.max_len} "
            f"positions, no room for {n} more (the context is full)"
        )
    dtype = cache.keys.dtype
    limit = float(np.finfo(dtype).max)  # 65504 for float16
    for name, a in (("k", k), ("v", v)):
        size = float(np.abs(a).max()) if np.finfo(a.dtype).max > limit else 0.0
        if size > limit:  # stored, it would become inf
            raise ValueError(
                f"KVCache.append: {name} holds {size:.6g}, but the cache's dtype "
                f"{dtype} holds at most {limit:.6g} (it would store inf); make the "
                "cache float32"
            )
    return k, v


def check_layers(layers) -> list:
    """The argument of ``Sequential``: an iterable of layers; returns them as a list."""
    from scratchml.layers import Layer  # here: layers imports this module

    if isinstance(layers, Layer) or not hasattr(layers, "__iter__"):
        raise ArgumentTypeError(
            f"Sequential: layers must be a list of layers, got {layers!r:.60}"
        )
    layers = list(layers)
    for i, layer in enumerate(layers):
        if not isinstance(layer, Layer):
            raise ArgumentTypeError(
                f"Sequential: layers[{i}] must be a Layer, got {type(layer).__name__}"
            )
    return layers


def check_gpt(
    where, sizes, d_hidden, rng, dtype, block, block_options, unembedding, eps
) -> tuple:
    """The arguments of ``GPT`` (``where`` names the class, ``GPT`` or ``GPT2``):
    positive sizes, ``n_heads`` dividing ``d_model``, a block class, a dict of block
    options, a callable unembedding and ``eps > 0``; returns ``(rng, dtype)``."""
    from scratchml.layers import Layer  # here: layers imports this module

    for name, value in sizes.items():
        check_positive_int(where, name, value)
    check_divisible(where, sizes["d_model"], sizes["n_heads"])
    if d_hidden is not None:
        check_positive_int(where, "d_hidden", d_hidden)
    if not (isinstance(block, type) and issubclass(block, Layer)):
        raise ArgumentTypeError(
            f"{where}: block must be a Layer class, got {_shown(block)}"
        )
    if block_options is not None and not isinstance(block_options, dict):
        raise ArgumentTypeError(
            f"{where}: block_options must be a dict or None, got "
            f"{_shown(block_options)}"
        )
    if unembedding is not None:
        check_callable(where, "unembedding", unembedding)
    check_positive(where, "eps", eps)
    dtype = check_float_dtype(where, "dtype", dtype)
    return check_rng(where, "rng", rng), dtype


def check_ids(where: str, ids, vocab_size: int, context_length: int) -> np.ndarray:
    """Token ids as an integer array ``(B, T)`` or ``(T,)``, ``T <= context_length``."""
    ids = as_token_ids(where, "ids", ids, vocab_size)
    if ids.ndim not in (1, 2):
        raise ValueError(
            f"{where}: ids has shape {ids.shape} but must be (B, T) or (T,)"
        )
    if ids.shape[-1] > context_length:
        raise ValueError(
            f"{where}: ids has shape {ids.shape}, longer than context_length = "
            f"{context_length}; crop to the last {context_length} tokens"
        )
    return ids


def check_cached_call(model, ids, cache, last_only) -> np.ndarray:
    """The arguments of ``GPT.forward_cached``: ids, one ``KVCache`` per block (all of
    the same length, of the ids' batch, with room for them) and a bool; returns ids."""
    from scratchml.kv_cache import KVCache  # here: kv_cache imports this module

    where = "GPT.forward_cached"
    ids = as_token_ids(where, "ids", ids, model.vocab_size)
    if ids.ndim not in (1, 2):
        raise ValueError(
            f"{where}: ids has shape {ids.shape} but must be (B, n) or (n,)"
        )
    n_blocks = len(model.blocks)
    if not isinstance(cache, list | tuple) or len(cache) != n_blocks:
        length = f" of length {len(cache)}" if isinstance(cache, list | tuple) else ""
        raise TypeError(
            f"{where}: cache must be a list of {n_blocks} KVCache (one per block, "
            f"from new_kv_cache()), got {type(cache).__name__}{length}"
        )
    if not all(isinstance(c, KVCache) for c in cache):
        raise TypeError(
            f"{where}: cache must hold KVCache objects (from new_kv_cache())"
        )
    for i, c in enumerate(cache):
        first = next(j for j, other in enumerate(cache) if other is c)
        if first < i:  # two blocks would append their keys to one cache
            raise ValueError(
                f"{where}: cache[{i}] is the same KVCache as cache[{first}]; each "
                "block needs its own (new_kv_cache() makes one per block)"
            )
    lengths = {c.length for c in cache}
    if len(lengths) != 1:
        raise ValueError(
            f"{where}: the caches of the blocks hold different lengths {lengths}"
        )
    batch = ids.shape[0] if ids.ndim == 2 else 1
    if cache[0].keys.shape[0] != batch:
        raise ValueError(
            f"{where}: ids has shape {ids.shape} ({batch} sequence(s)) but the "
            f"cache was made for batch = {cache[0].keys.shape[0]}"
        )
    start = cache[0].length
    if start + ids.shape[-1] > model.context_length:
        raise ValueError(
            f"{where}: the cache holds {start} positions and ids adds "
            f"{ids.shape[-1]}, more than context_length = {model.context_length}"
        )
    if not isinstance(last_only, bool | np.bool_):
        raise TypeError(f"{where}: last_only must be True or False, got {last_only!r}")
    return ids


def check_gpt2_block(dropout, rng) -> np.random.Generator:
    """``GPT2Block``'s own arguments (the rest are ``TransformerBlock``'s): a dropout
    probability in ``[0, 1)``; returns ``rng`` as a Generator, for every child."""
    rng = check_rng("GPT2Block", "rng", rng)
    check_float("GPT2Block", "dropout", dropout, low=0, high=1, high_open=True)
    return rng


def check_gpt2(dropout, rng) -> np.random.Generator:
    """``GPT2``'s own argument (``GPT`` checks the rest, naming ``GPT2``): ``dropout``
    in ``[0, 1)``; returns ``rng`` as a Generator, shared by every child."""
    check_float("GPT2", "dropout", dropout, low=0, high=1, high_open=True)
    return check_rng("GPT2", "rng", rng)


def check_gpt2_sizes(vocab_size, d_model, n_layers, context_length, d_hidden) -> None:
    """The arguments of ``gpt2_num_params``: positive integers, ``d_hidden`` or None."""
    sizes = dict(vocab_size=vocab_size, d_model=d_model, n_layers=n_layers)
    for name, n in dict(sizes, context_length=context_length).items():
        check_positive_int("gpt2_num_params", name, n)
    if d_hidden is not None:
        check_positive_int("gpt2_num_params", "d_hidden", d_hidden)


def check_tied_embedding(where: str, embedding):
    """Require an ``Embedding`` (the matrix a tied unembedding reads)."""
    from scratchml.embedding import Embedding  # here: embedding imports this module

    if not isinstance(embedding, Embedding):
        raise TypeError(
            f"{where}: embedding must be an Embedding, got {type(embedding).__name__}"
        )
    return embedding


# Sanity bounds on a config.json's sizes, checked before anything is built: far above
# any GPT-2 (XL: 50,257 tokens, 1,024 positions, width 1,600, 48 layers), low enough
# that a hostile number fails at once instead of allocating or looping.
GPT2_LIMITS = dict(
    vocab_size=10_000_000,
    n_embd=65_536,
    n_head=65_536,
    n_layer=1_024,
    n_positions=1_048_576,
    n_inner=262_144,
)
MAX_CONFIG_BYTES = 1_000_000  # GPT-2's config.json has about 700


def _gpt2_config_error(path, problem: str, where: str = "load_gpt2") -> ValueError:
    return ValueError(
        f"{where}: {os.fspath(path)!r} is not a GPT-2 config.json: {problem}"
    )


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_gpt2_config(config, path, where: str = "load_gpt2") -> None:
    """A Hugging Face ``config.json`` (parsed) that this GPT-2 can run: ``model_type``
    gpt2, the tanh GELU, tied embeddings, GPT-2's attention scaling, sizes that are
    positive integers within ``GPT2_LIMITS``, a positive ``layer_norm_epsilon``."""

    def fail(problem: str):
        raise _gpt2_config_error(path, problem, where)

    if not isinstance(config, dict):
        fail(f"expected a JSON object, got {type(config).__name__}")
    if config.get("model_type") != "gpt2":
        fail(f"model_type is {config.get('model_type')!r:.40}, not 'gpt2'")
    act = config.get("activation_function", "gelu_new")
    if act not in ("gelu_new", "gelu_pytorch_tanh"):
        fail(f"activation_function is {act!r:.40}, not the tanh GELU 'gelu_new'")
    if config.get("tie_word_embeddings", True) is not True:
        fail("tie_word_embeddings is not true; GPT-2 ties them")
    if config.get("scale_attn_by_inverse_layer_idx", False) is not False or (
        config.get("scale_attn_weights", True) is not True
    ):
        fail("the attention scaling is not GPT-2's 1/sqrt(d_head)")
    keys = ("vocab_size", "n_embd", "n_head", "n_layer", "n_positions")
    missing = [k for k in keys if k not in config]
    if missing:
        fail(f"missing {', '.join(missing)}")
    sizes = {k: config[k] for k in keys}
    if config.get("n_inner") is not None:
        sizes["n_inner"] = config["n_inner"]
    bad = [k for k, v in sizes.items() if not _is_count(v) or v < 1]
    if bad:
        shown = ", ".join(f"{k} = {sizes[k]!r:.30}" for k in bad)
        fail(f"{', '.join(bad)} must be positive integers, got {shown}")
    big = [k for k, v in sizes.items() if v > GPT2_LIMITS[k]]
    if big:
        shown = ", ".join(f"{k} = {sizes[k]} (limit {GPT2_LIMITS[k]:,})" for k in big)
        fail(f"a size beyond any GPT-2: {shown}")
    if "n_ctx" in config and config["n_ctx"] != config["n_positions"]:
        fail(
            f"n_ctx ({config['n_ctx']!r:.30}) is not n_positions "
            f"({config['n_positions']}); GPT-2's are equal"
        )
    if config["n_embd"] % config["n_head"]:
        fail(
            f"n_embd ({config['n_embd']}) is not divisible by n_head "
            f"({config['n_head']})"
        )
    eps = config.get("layer_norm_epsilon", 1e-5)
    if not isinstance(eps, int | float) or isinstance(eps, bool) or not 0 < eps < 1:
        fail(f"layer_norm_epsilon must be a number in (0, 1), got {eps!r:.30}")


def check_gpt2_file(directory, name: str) -> str:
    """The path of file ``name`` in a Hugging Face GPT-2 directory, which must exist."""
    path = os.path.join(directory, name)
    if not os.path.isfile(path):
        raise ValueError(
            f"load_gpt2: directory {os.fspath(directory)!r} has no {name}; a Hugging "
            "Face GPT-2 directory holds config.json, model.safetensors, vocab.json "
            "and merges.txt"
        )
    return path


def check_gpt2_directory(directory) -> tuple[dict, str, str]:
    """A Hugging Face GPT-2 directory: returns its parsed ``config.json`` (a UTF-8
    JSON file of at most 1 MB), the config's path and the path of
    ``model.safetensors``."""
    if not isinstance(directory, str | os.PathLike):
        raise TypeError(
            f"load_gpt2: directory must be a path, got {type(directory).__name__}"
        )
    if not os.path.isdir(directory):
        raise ValueError(
            f"load_gpt2: directory {os.fspath(directory)!r} does not exist"
        )
    config_path = check_gpt2_file(directory, "config.json")
    weights_path = check_gpt2_file(directory, "model.safetensors")
    size = os.path.getsize(config_path)
    if size > MAX_CONFIG_BYTES:
        raise _gpt2_config_error(
            config_path, f"it has {size:,} bytes, more than {MAX_CONFIG_BYTES:,}"
        )
    with open(config_path, "rb") as f:
        try:
            config = strict_json(f.read())
        except JSONFileError as err:
            raise _gpt2_config_error(config_path, f"not JSON ({err})") from None
    check_gpt2_config(config, config_path)  # here, so its errors name load_gpt2
    return config, config_path, weights_path


def _gpt2_shapes(config: dict, names) -> dict[str, tuple]:
    """The shape each tensor of ``names`` must have for ``config`` (``GPT2``'s
    keyword arguments)."""
    V, d, T = config["vocab_size"], config["d_model"], config["context_length"]
    h = config["d_hidden"] or 4 * d  # the MLP's hidden width
    shapes = {"wte.weight": (V, d), "wpe.weight": (T, d)}
    shapes.update({"ln_1.weight": (d,), "ln_1.bias": (d,), "ln_2.weight": (d,)})
    shapes.update({"ln_2.bias": (d,), "ln_f.weight": (d,), "ln_f.bias": (d,)})
    shapes.update({"attn.c_attn.weight": (d, 3 * d), "attn.c_attn.bias": (3 * d,)})
    shapes.update({"attn.c_proj.weight": (d, d), "attn.c_proj.bias": (d,)})
    shapes.update({"mlp.c_fc.weight": (d, h), "mlp.c_fc.bias": (h,)})
    shapes.update({"mlp.c_proj.weight": (h, d), "mlp.c_proj.bias": (d,)})
    return {n: shapes[n.split(".", 2)[2] if n.startswith("h.") else n] for n in names}


def check_gpt2_tensors(path, names: dict, stored: dict, config: dict) -> None:
    """The tensors of a GPT-2 file against its config (``GPT2``'s keyword arguments),
    before the model is built: exactly the names ``hf_names`` lists, each of the shape
    of the parameter(s) it fills."""
    missing = sorted(set(names) - set(stored))
    unexpected = sorted(set(stored) - set(names))
    if missing or unexpected:
        raise ValueError(
            f"load_gpt2: {os.fspath(path)!r} does not hold the GPT-2 tensors that "
            f"config.json describes: missing {missing[:5]}, unexpected {unexpected[:5]}"
        )
    for hf_name, want in _gpt2_shapes(config, names).items():
        shape, kind = stored[hf_name].shape, stored[hf_name].dtype
        if kind.kind != "f":
            raise ValueError(
                f"load_gpt2: {hf_name} in {os.fspath(path)!r} holds {kind} numbers; "
                "GPT-2's weights are floating point (F16, F32 or F64)"
            )
        if shape == want:
            continue
        note = ""
        if "c_attn" in hf_name and shape and shape[-1] % 3:
            note = (
                f"; c_attn holds [W_q | W_k | W_v] side by side, and its width "
                f"{shape[-1]} is not divisible by 3"
            )
        raise ValueError(
            f"load_gpt2: {hf_name} in {os.fspath(path)!r} has shape {shape}, which "
            f"does not fit the shape {want} that config.json gives it{note}"
        )


def check_save_gpt2(model, directory) -> None:
    """The arguments of ``save_gpt2``: a ``GPT2`` and a path to a folder that exists
    or can be made (not a file, not inside one)."""
    from scratchml.gpt2 import GPT2  # here: gpt2 imports this module

    if not isinstance(model, GPT2):
        raise TypeError(f"save_gpt2: model must be a GPT2, got {type(model).__name__}")
    if not isinstance(directory, str | os.PathLike):
        raise TypeError(
            f"save_gpt2: directory must be a path, got {type(directory).__name__}"
        )
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise ValueError(
            f"save_gpt2: directory {str(directory)!r} is a file, not a directory"
        )
    _check_folder_of("save_gpt2", "directory", directory)


# The limits of a safetensors header: those of the format's reference reader for its
# length, numpy's for a tensor's size, and this book's for the dimensions of a tensor.
MAX_HEADER_BYTES = 100_000_000  # N: the reference reader refuses longer headers
MAX_DIMS = 8  # GPT-2's tensors have at most 4 (the old attention mask buffers)
MAX_DIGITS = 20  # an integer in a header or config: 2**64 has 20 digits


class JSONFileError(ValueError):
    """What makes a file's bytes unacceptable JSON (the callers name the file)."""


def _no_duplicate_keys(pairs: list) -> dict:
    seen = set()
    for key, _ in pairs:
        if key in seen:
            raise JSONFileError(f"the key {key!r:.60} appears twice")
        seen.add(key)
    return dict(pairs)


def _short_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise JSONFileError(f"a number with {len(text.lstrip('-'))} digits")
    return int(text)


def strict_json(raw: bytes):
    """``raw`` parsed as UTF-8 JSON, refusing what ``json.loads`` lets through: other
    encodings (it guesses UTF-16 and UTF-32), a key given twice (it keeps the last),
    integers of more than 20 digits; a ``JSONFileError`` says what is wrong."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        problem = f"not UTF-8: byte {err.start} is {raw[err.start]:#04x}"
        raise JSONFileError(problem) from None
    try:
        return json.loads(
            text, object_pairs_hook=_no_duplicate_keys, parse_int=_short_int
        )
    except RecursionError:
        raise JSONFileError("nested too deeply") from None
    except JSONFileError:
        raise
    except ValueError as err:  # json.JSONDecodeError
        raise JSONFileError(str(err)) from None


def _not_safetensors(path, problem: str):
    raise ValueError(
        f"load_safetensors: {os.fspath(path)!r} is not a valid safetensors file: "
        f"{problem}"
    )


def check_header_length(path, head: bytes) -> int:
    """``N``, the header length in the first 8 bytes of a safetensors file, which must
    be there, at most ``MAX_HEADER_BYTES`` and no more than the bytes that follow."""
    size = os.path.getsize(path)
    if len(head) < 8:
        _not_safetensors(
            path, f"it has {size} bytes, fewer than the 8 of the header length"
        )
    n = int.from_bytes(head, "little")  # the header's length, little-endian
    if n > size - 8:
        _not_safetensors(
            path, f"the header claims {n} bytes but only {size - 8} follow"
        )
    if n > MAX_HEADER_BYTES:
        _not_safetensors(
            path, f"the header claims {n} bytes, more than the limit {MAX_HEADER_BYTES}"
        )
    return n


def check_header_json(path, raw: bytes) -> dict:
    """The header bytes of a safetensors file parsed as a UTF-8 JSON object that starts
    with ``{`` (spaces may pad its end), each name once, ``__metadata__`` (if any) an
    object of strings."""
    try:
        header = strict_json(raw)
    except JSONFileError as err:
        _not_safetensors(path, f"the header is not JSON ({err})")
    if not isinstance(header, dict):
        _not_safetensors(
            path, f"the header is a JSON {type(header).__name__}, not an object"
        )
    if not raw.startswith(b"{"):
        _not_safetensors(path, f"the header starts with {raw[:1]!r}, not b'{{'")
    metadata = header.get("__metadata__", {})
    if not isinstance(metadata, dict) or not all(
        isinstance(v, str) for v in metadata.values()
    ):
        _not_safetensors(
            path, f"__metadata__ must map strings to strings, got {metadata!r:.60}"
        )
    return header


def _is_size(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_entry(path, name: str, entry, data_size: int, dtypes) -> tuple[int, int]:
    """One tensor entry of a header; returns its ``(begin, end)``."""
    if not isinstance(entry, dict) or not {"dtype", "shape", "data_offsets"} <= set(
        entry
    ):
        _not_safetensors(
            path,
            f"tensor {name!r:.60} needs dtype, shape and data_offsets, got "
            f"{entry!r:.80}",
        )
    dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
    if not isinstance(dtype, str) or dtype not in dtypes:
        raise ValueError(
            f"load_safetensors: tensor {name!r:.60} in {os.fspath(path)!r} has dtype "
            f"{dtype!r:.40}; supported: {', '.join(dtypes)}"
        )
    if (
        not isinstance(shape, list)
        or len(shape) > MAX_DIMS
        or not all(_is_size(n) for n in shape)
    ):
        _not_safetensors(
            path,
            f"tensor {name!r:.60} has shape {shape!r:.60}; a shape is a list of at "
            f"most {MAX_DIMS} non-negative integers",
        )
    if (
        not isinstance(offsets, list)
        or len(offsets) != 2
        or not all(_is_size(n) for n in offsets)
    ):
        _not_safetensors(
            path,
            f"tensor {name!r:.60} has data_offsets {offsets!r:.60}; they must be two "
            "non-negative integers [begin, end]",
        )
    begin, end = offsets
    if not begin <= end <= data_size:
        _not_safetensors(
            path,
            f"tensor {name!r:.60} has data_offsets {offsets} outside the {data_size} "
            "bytes of data",
        )
    itemsize = np.dtype(dtypes[dtype]).itemsize
    if math.prod(n for n in shape if n) * itemsize > np.iinfo(np.intp).max:
        _not_safetensors(
            path, f"tensor {name!r:.60} of shape {shape} is too large for numpy"
        )
    nbytes = math.prod(shape) * itemsize
    if end - begin != nbytes:
        _not_safetensors(
            path,
            f"tensor {name!r:.60} of shape {shape} and dtype {dtype} needs {nbytes} "
            f"bytes but its data_offsets {offsets} span {end - begin}",
        )
    return begin, end


def check_safetensors_entries(path, header: dict, data_size: int, dtypes) -> None:
    """Every tensor entry of a header (``__metadata__`` aside): a known dtype, a shape,
    ``data_offsets`` spanning exactly the tensor's bytes; and together, as the format's
    reference reader requires, the tensors cover the ``data_size`` bytes of data
    exactly: from byte 0, in order, no gap, no overlap, nothing after the last."""
    spans = sorted(
        (*_check_entry(path, name, entry, data_size, dtypes), name)
        for name, entry in header.items()
        if name != "__metadata__"
    )
    covered, last = 0, None  # the data up to byte `covered` belongs to tensor `last`
    for begin, end, name in spans:
        if begin < covered:
            _not_safetensors(
                path,
                f"tensors {last!r:.60} and {name!r:.60} overlap: both hold bytes "
                f"{begin} to {min(end, covered)} of the data",
            )
        if begin > covered:
            where = f"after tensor {last!r:.60}" if last else "before the first tensor"
            _not_safetensors(
                path,
                f"bytes {covered} to {begin} of the data, {where}, belong to no "
                "tensor (a gap or junk)",
            )
        covered, last = end, name
    if covered != data_size:
        _not_safetensors(
            path,
            f"the tensors end at byte {covered} of the data, but the file holds "
            f"{data_size - covered} more (trailing garbage, or a header length that "
            "is too small)",
        )


def check_load_safetensors(path, writable) -> None:
    """The arguments of ``load_safetensors``: an existing file and a bool."""
    if not isinstance(path, str | os.PathLike):
        raise ArgumentTypeError(
            f"load_safetensors: path must be a str or a path, got {_shown(path)}"
        )
    if not os.path.isfile(path):
        raise ValueError(f"load_safetensors: path {os.fspath(path)!r} is not a file")
    if not isinstance(writable, bool):
        raise TypeError(
            f"load_safetensors: writable must be True or False, got {writable!r}"
        )


def _check_folder_of(where: str, name: str, path) -> None:
    """The folder ``path`` is to be written into exists (for a file) or can be made
    (for a folder): its nearest existing ancestor is a directory."""
    parent = os.path.dirname(os.path.abspath(path))
    while not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent):
        raise ValueError(
            f"{where}: {name} {os.fspath(path)!r} is inside {parent!r}, which is a "
            "file, not a directory"
        )


def check_save_safetensors(path, tensors, dtypes, metadata) -> None:
    """The arguments of ``save_safetensors``: a file path (not a directory) in an
    existing folder, a dict of arrays of the ``dtypes`` safetensors names under str
    names other than ``__metadata__``, and ``metadata`` a dict or None."""
    check_path_like("save_safetensors", "path", path)
    if os.path.isdir(path):
        raise ValueError(
            f"save_safetensors: path {os.fspath(path)!r} is a directory, not a file"
        )
    _check_folder_of("save_safetensors", "path", path)
    if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        raise ValueError(
            f"save_safetensors: path {os.fspath(path)!r} is in a folder that does not "
            "exist"
        )
    if not isinstance(tensors, dict):
        raise TypeError(
            f"save_safetensors: tensors must be a dict, got {type(tensors).__name__}"
        )
    if "__metadata__" in tensors:
        raise ValueError(
            "save_safetensors: tensors has a tensor named '__metadata__', the name the "
            "format keeps for the header's metadata"
        )
    known = {np.dtype(v).newbyteorder("<") for v in dtypes.values()}
    for name, value in tensors.items():
        dtype = np.asarray(value).dtype
        if not isinstance(name, str) or dtype.newbyteorder("<") not in known:
            raise TypeError(
                f"save_safetensors: tensors[{name!r}] must be an array of one of "
                f"{', '.join(dtypes)} under a str name, got dtype {dtype}"
            )
    if metadata is not None and not isinstance(metadata, dict):
        raise ArgumentTypeError(
            f"save_safetensors: metadata must be a dict or None, got {_shown(metadata)}"
        )


# (end of the attention and model checkers)


# --------------------------------------------------------------------------------------
# Checkers of BPE, generation, language-model training and the command line.
# --------------------------------------------------------------------------------------

# BPE (bpe.py).


def check_bpe_tokenizer(tokens, merges, pattern):
    """``BPETokenizer``'s arguments: ``(tokens, merges, compiled pattern)``.

    ``tokens`` must be distinct non-empty bytes holding every single byte; ``merges``
    pairs of ids whose joined bytes are tokens too; ``pattern`` a valid ``regex``.
    """
    where = "BPETokenizer"
    if isinstance(tokens, str | bytes) or not hasattr(tokens, "__iter__"):
        raise ArgumentTypeError(
            f"{where}: tokens must be a list of bytes, got {tokens!r:.60}"
        )
    tokens = list(tokens)
    for t in tokens:
        if not isinstance(t, bytes) or not t:
            raise TypeError(
                f"{where}: tokens must be non-empty bytes objects, got {t!r:.40}"
            )
    token_id = {t: i for i, t in enumerate(tokens)}
    if len(token_id) != len(tokens):
        raise ValueError(f"{where}: tokens contains a repeated token")
    missing = [b for b in range(256) if bytes([b]) not in token_id]
    if missing:
        raise ValueError(f"{where}: tokens lacks the single byte {missing[0]:#04x}")
    merges = _check_merges(where, merges, len(tokens))
    for rank, (a, b) in enumerate(merges):
        if tokens[a] + tokens[b] not in token_id:
            raise ValueError(
                f"{where}: merges[{rank}] makes a token not in the vocabulary"
            )
    return tokens, merges, check_pattern(where, pattern)


def _check_merges(where: str, merges, n_tokens: int) -> list[tuple[int, int]]:
    """The merge rules as ``(a, b)`` pairs of ids in ``0..n_tokens-1``."""
    if isinstance(merges, str | bytes) or not hasattr(merges, "__iter__"):
        raise ArgumentTypeError(
            f"{where}: merges must be a list of (id, id) pairs, got {merges!r:.60}"
        )
    out = []
    for rank, pair in enumerate(merges):
        if (
            isinstance(pair, str | bytes)
            or not hasattr(pair, "__len__")
            or len(pair) != 2
        ):
            raise ValueError(
                f"{where}: merges[{rank}] must be a pair of ids, got {pair!r:.40}"
            )
        if not all(
            isinstance(i, int | np.integer) and not isinstance(i, bool) for i in pair
        ):
            raise ArgumentTypeError(
                f"{where}: merges[{rank}] must hold two integer ids, got {pair!r:.40}"
            )
        a, b = int(pair[0]), int(pair[1])
        if not (0 <= a < n_tokens and 0 <= b < n_tokens):
            raise ValueError(
                f"{where}: merges[{rank}] = {(a, b)} refers to an id outside the "
                "vocabulary "
                f"0..{n_tokens - 1}"
            )
        out.append((a, b))
    return out


# A text of every kind of character a pattern must cover: letters, digits, punctuation,
# runs of spaces, tabs and newlines, accented and CJK letters, an emoji.
PATTERN_PROBE = "Hello, world! It's 42.\n\n\tÉté 中文 🙂  x_y"


def check_pattern(where: str, pattern):
    """The pre-tokenization pattern, compiled; a clear error if it is not valid.

    ``encode`` keeps only what ``findall`` returns, so the pattern must not match the
    empty string and its matches must cover every character: both are checked on
    ``PATTERN_PROBE`` (one ``findall`` on 38 characters), as is the absence of
    capturing groups (with them ``findall`` returns the groups, not the matches).
    """
    import regex  # here, not at the top: only BPE needs it

    if not isinstance(pattern, str):
        raise TypeError(f"{where}: pattern must be a str, got {type(pattern).__name__}")
    try:
        compiled = regex.compile(pattern)
    except regex.error as err:
        raise ValueError(
            f"{where}: pattern {pattern!r:.60} is not a valid regular expression "
            f"({err})"
        ) from None
    problem = None
    pieces = [] if compiled.groups else compiled.findall(PATTERN_PROBE)
    if compiled.groups:
        problem = "has a capturing group, so findall returns it; write (?:...)"
    elif compiled.search("") or "" in pieces:
        problem = "matches the empty string (an empty pre-token gives no ids)"
    else:
        covered = "".join(pieces)
        if covered != PATTERN_PROBE:
            i = len(os.path.commonprefix([covered, PATTERN_PROBE]))  # first skipped
            problem = (
                f"skips {PATTERN_PROBE[i]!r} in {PATTERN_PROBE!r}: encode would drop "
                "every character that no match covers"
            )
    if problem:
        raise ValueError(f"{where}: pattern {pattern!r:.60} {problem}")
    return compiled


def check_text(where: str, text) -> str:
    """A ``str`` that has UTF-8 bytes (no lone surrogate)."""
    if not isinstance(text, str):
        raise TypeError(f"{where}: text must be a str, got {type(text).__name__}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise ValueError(
            f"{where}: text holds the lone surrogate {err.object[err.start]!r}, "
            "which "
            "has no UTF-8 bytes"
        ) from None
    return text


def check_bpe_train(text, vocab_size, pattern):
    """``BPETokenizer.train``'s arguments: ``(text, vocab_size, compiled pattern)``."""
    where = "BPETokenizer.train"
    if not isinstance(text, str):
        raise TypeError(f"{where}: text must be a str, got {type(text).__name__}")
    if not text:
        raise ValueError(f"{where}: text is empty")
    vocab_size = check_positive_int(where, "vocab_size", vocab_size)
    if vocab_size < 257:
        raise ValueError(
            f"{where}: vocab_size must be at least 257 (256 bytes + "
            "<|endoftext|>), "
            f"got {vocab_size}"
        )
    compiled = check_pattern(where, pattern)
    return check_text(where, text), vocab_size, compiled


def check_merges_found(merges: list, vocab_size: int) -> list:
    """Require ``vocab_size - 257`` merges: fewer means the text ran out of pairs."""
    if len(merges) < vocab_size - 257:
        raise ValueError(
            f"BPETokenizer.train: the text has no pair left to merge after "
            f"{len(merges)} merges; "
            f"vocab_size={vocab_size} needs {vocab_size - 257} (use a longer "
            "text "
            "or a smaller vocab_size)"
        )
    return merges


def check_bpe_ids(ids, vocab_size: int):
    """``BPETokenizer.decode``'s ids: a 1-D list of ids in ``[0, vocab_size)``."""
    where = "BPETokenizer.decode"
    arr = as_array(where, "ids", ids)
    if arr.ndim != 1:
        raise ValueError(f"{where}: ids has shape {arr.shape} but must be 1-D")
    if arr.size == 0:
        return []
    return as_token_ids(where, "ids", arr, vocab_size).tolist()


def check_path(where: str, name: str, value, directory: bool = False):
    """A ``str`` or ``Path``, returned as a ``Path``; with ``directory``, not a file."""
    from pathlib import Path

    if not isinstance(value, str | Path) or not str(value):
        raise TypeError(f"{where}: {name} must be a str or path, got {value!r:.40}")
    path = Path(value)
    if directory and path.exists() and not path.is_dir():
        raise ValueError(f"{where}: directory {str(path)!r} is a file, not a directory")
    return path


def read_bpe_files(directory) -> tuple:
    """``vocab.json`` (parsed as strict UTF-8 JSON) and the lines of ``merges.txt``
    (UTF-8) from ``directory``; errors name the file."""
    where = "BPETokenizer.from_pretrained"
    directory = check_path(where, "directory", directory)
    vocab_path, merges_path = directory / "vocab.json", directory / "merges.txt"
    for path in (vocab_path, merges_path):
        if not path.is_file():
            raise ValueError(f"{where}: no file {str(path)!r}")
    try:
        vocab = strict_json(vocab_path.read_bytes())
    except JSONFileError as err:
        raise ValueError(
            f"{where}: unreadable file {str(vocab_path)!r}: not JSON ({err})"
        ) from None
    raw = merges_path.read_bytes()
    try:
        merge_lines = raw.decode("utf-8").splitlines()
    except UnicodeDecodeError as err:
        raise ValueError(
            f"{where}: unreadable file {str(merges_path)!r}: not UTF-8, byte "
            f"{err.start} is {raw[err.start]:#04x}"
        ) from None
    return vocab, merge_lines


# Generation (generate.py).


def check_sampling_options(where: str, temperature, top_k, top_p=None) -> tuple:
    """``(temperature, top_k, top_p)``: ``>= 0``, a positive int or None, (0, 1] or
    None."""
    t = check_non_negative(where, "temperature", temperature)
    if top_k is not None:
        top_k = check_positive_int(where, "top_k", top_k)
    if top_p is not None:
        if isinstance(top_p, bool) or not isinstance(top_p, numbers.Real):
            raise ArgumentTypeError(
                f"{where}: top_p must be a number in (0, 1], got {top_p!r}"
            )
        if not 0 < top_p <= 1:  # NaN fails too
            raise ValueError(
                f"{where}: top_p must be a number in (0, 1], got {top_p!r}"
            )
        top_p = float(top_p)
    return t, top_k, top_p


def check_top_p_filter(probs, top_p) -> tuple:
    """``top_p_filter``'s arguments: ``(probs, top_p)``, ``probs`` a float array
    ``(V,)`` or ``(B, V)`` of distributions: entries ``>= 0``, each row summing to 1
    within 0.001 (ten epsilons of the dtype for float16, whose softmax rounds more)."""
    where = "top_p_filter"
    if top_p is None:  # "no nucleus" in generate(), but here a number is needed
        raise ArgumentTypeError(f"{where}: top_p must be a number in (0, 1], got None")
    _, _, top_p = check_sampling_options(where, 1.0, None, top_p)
    probs = as_float_array(where, "probs", probs)  # (B, V)
    check_ndim(where, "probs", probs, (1, 2))
    if (probs < 0).any():
        raise ValueError(
            f"{where}: probs must be probabilities >= 0, got {probs.min():.6g}"
        )
    sums = np.atleast_1d(probs.sum(axis=-1, dtype=np.float64))  # (B,)
    tol = max(1e-3, 10 * float(np.finfo(probs.dtype).eps))
    if (np.abs(sums - 1) > tol).any():
        row = int(np.argmax(np.abs(sums - 1) > tol))
        in_row = f" (row {row})" if probs.ndim == 2 else ""
        raise ValueError(
            f"{where}: probs must be distributions whose entries sum to 1 (within "
            f"{tol:g}), got a sum of {sums[row]:.6g}{in_row}"
        )
    return probs, top_p


def check_sample_next_token(logits, temperature, top_k, rng, top_p) -> tuple:
    """``sample_next_token``'s arguments: ``(logits as float64 (V,) or (B, V),
    temperature, top_k, rng as a Generator, top_p)``."""
    where = "sample_next_token"
    t, top_k, top_p = check_sampling_options(where, temperature, top_k, top_p)
    logits = as_float_array(where, "logits", logits).astype(np.float64)  # (B, V)
    check_ndim(where, "logits", logits, (1, 2))
    return logits, t, top_k, check_rng(where, "rng", rng), top_p


def check_generate(model, token_ids, n_new, temperature, top_k, rng, kv_cache, top_p):
    """``generate``'s arguments: ``(ids as int64 (T,) or (B, T), n_new, rng)``."""
    check_sampling_options("generate", temperature, top_k, top_p)
    if not callable(getattr(model, "forward", None)):
        raise TypeError(
            f"generate: model must have a forward(ids) method, got {model!r:.60}"
        )
    vocab_size = getattr(model, "vocab_size", np.iinfo(np.int64).max)
    ids = as_token_ids("generate", "token_ids", token_ids, vocab_size).astype(np.int64)
    if ids.ndim not in (1, 2):
        raise ValueError(
            f"generate: token_ids has shape {ids.shape} but must be (T,) or (B, T)"
        )
    n_new = check_int("generate", "n_new", n_new, minimum=0)
    if not isinstance(kv_cache, bool | np.bool_):
        raise TypeError(f"generate: kv_cache must be True or False, got {kv_cache!r}")
    return ids, n_new, check_rng("generate", "rng", rng)


# Language-model training (lm_training.py).


def check_schedule(where: str, lr, steps, warmup_steps, min_lr) -> None:
    """The schedule: positive lr and steps, warmup in [0, steps], min_lr <= lr."""
    lr = check_positive(where, "lr", lr)
    steps = check_positive_int(where, "steps", steps)
    warmup_steps = check_int(where, "warmup_steps", warmup_steps, minimum=0)
    if warmup_steps > steps:
        raise ValueError(
            f"{where}: warmup_steps={warmup_steps} is more than steps={steps}"
        )
    if min_lr is not None and check_non_negative(where, "min_lr", min_lr) > lr:
        raise ValueError(f"{where}: min_lr={min_lr!r} must be <= lr={lr!r}")


def check_scheduled_lr(step, lr, steps, warmup_steps, min_lr) -> int:
    """``scheduled_lr``'s arguments; returns ``step``, an int in ``1..steps``."""
    check_schedule("scheduled_lr", lr, steps, warmup_steps, min_lr)
    step = check_positive_int("scheduled_lr", "step", step)
    if step > steps:
        raise ValueError(f"scheduled_lr: step={step} is more than steps={steps}")
    return step


def check_evaluate_loss(model, batches):
    """``evaluate_loss``'s arguments: a model and a non-empty list of (x, y) pairs."""
    check_layer("evaluate_loss", "model", model)
    if isinstance(batches, str) or not hasattr(batches, "__len__"):
        raise ArgumentTypeError(
            "evaluate_loss: batches must be a list of (x, y) pairs, got "
            f"{batches!r:.60}"
        )
    if len(batches) == 0:
        raise ValueError(
            f"evaluate_loss: batches must not be empty, got {batches!r:.60}"
        )
    for i, batch in enumerate(batches):
        if not isinstance(batch, tuple | list) or len(batch) != 2:
            raise ValueError(f"evaluate_loss: batches[{i}] must be an (x, y) pair")
    return batches


@contextlib.contextmanager
def prefix_errors(prefix: str):
    """Re-raise a ``ValueError`` from inside the block with ``prefix: `` in front."""
    try:
        yield
    except ValueError as err:  # e.g. an id or a label outside the vocabulary
        raise type(err)(f"{prefix}: {err}") from None


def _check_lm_data(where: str, model, train_ids, val_ids, tokenizer) -> tuple:
    """The texts as token ids the model can read, each long enough for one window of
    ``context_length + 1`` tokens, and a tokenizer (if any) of the model's
    vocabulary."""
    vocab_size = getattr(model, "vocab_size", np.iinfo(np.int64).max)
    T = model.context_length
    texts = []
    for name, ids in (("train_ids", train_ids), ("val_ids", val_ids)):
        ids = as_token_ids(where, name, ids, vocab_size)
        if ids.ndim != 1:
            raise ValueError(f"{where}: {name} has shape {ids.shape} but must be 1-D")
        if len(ids) < T + 1:
            raise ValueError(
                f"{where}: {name}: the text has {len(ids)} tokens but one window needs "
                f"context_length + 1 = {T + 1}; use a longer text or a shorter context"
            )
        texts.append(ids)
    if tokenizer is not None:
        if not all(callable(getattr(tokenizer, f, None)) for f in ("encode", "decode")):
            raise ArgumentTypeError(
                f"{where}: tokenizer must have encode() and decode() (a CharTokenizer "
                "or "
                f"BPETokenizer), got {tokenizer!r:.60}"
            )
        if getattr(tokenizer, "vocab_size", vocab_size) != vocab_size:
            raise ValueError(
                f"{where}: tokenizer has {tokenizer.vocab_size} tokens but the model's "
                f"vocab_size is {vocab_size}; they must be equal"
            )
    return tuple(texts)


def check_finite_loss(which: str, loss) -> None:
    """A loss ``train`` measured: finite, or the run stops (train names the step)."""
    if not math.isfinite(loss):
        raise NonFiniteError(f"the {which} loss is {float(loss)}")


def check_train(
    model,
    train_ids,
    val_ids,
    *,
    steps,
    batch_size,
    lr,
    weight_decay,
    grad_clip,
    warmup_steps,
    min_lr,
    eval_every,
    eval_batches,
    sample_every,
    tokenizer,
    sample_length,
    temperature,
    rng,
    log,
    progress,
) -> tuple:
    """``train``'s arguments: ``(train_ids, val_ids, rng as a Generator)``."""
    check_layer("train", "model", model)
    if not isinstance(getattr(model, "context_length", None), int):
        raise TypeError(
            "train: model must be a language model with a context_length (a GPT), got "
            f"{type(model).__name__}"
        )
    steps = check_positive_int("train", "steps", steps)
    check_positive_int("train", "batch_size", batch_size)
    check_positive_int("train", "eval_every", eval_every)
    check_positive_int("train", "eval_batches", eval_batches)
    check_schedule("train", lr, steps, warmup_steps, min_lr)
    check_non_negative("train", "weight_decay", weight_decay)
    if grad_clip is not None:
        check_non_negative("train", "grad_clip", grad_clip)
    sample_every = check_int("train", "sample_every", sample_every, minimum=0)
    check_positive_int("train", "sample_length", sample_length)
    check_positive("train", "temperature", temperature)
    check_callable("train", "log", log)
    check_bool("train", "progress", progress)
    if sample_every and tokenizer is None:
        raise ValueError(
            "train: sample_every needs a tokenizer to turn samples into text"
        )
    train_ids, val_ids = _check_lm_data("train", model, train_ids, val_ids, tokenizer)
    return train_ids, val_ids, check_rng("train", "rng", rng)


# The command line (__main__.py).


def cli_number(kind, minimum: float, strict: bool):
    """An argparse ``type`` for numbers of ``kind`` above ``minimum`` (clear errors)."""
    import argparse

    noun = "an integer" if kind is int else "a number"
    bound = f"> {minimum}" if strict else f">= {minimum}"

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {noun} {bound}, got {text!r}"
            ) from None
        ok = value > minimum if strict else value >= minimum
        if not ok or not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"expected {noun} {bound}, got {text!r}")
        return value

    return parse


def _cli_above_zero(text: str, one_allowed: bool) -> float:
    """A number in (0, 1), or in (0, 1] with ``one_allowed``, for argparse."""
    import argparse

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (0 < value <= 1 if one_allowed else 0 < value < 1):
        interval = "(0, 1]" if one_allowed else "(0, 1)"
        raise argparse.ArgumentTypeError(
            f"expected a number in {interval}, got {text!r}"
        )
    return value


def cli_fraction(text: str) -> float:
    """An argparse ``type``: a number strictly between 0 and 1."""
    return _cli_above_zero(text, one_allowed=False)


def cli_top_p(text: str) -> float:
    """An argparse ``type`` for ``--top-p``: a number in (0, 1]."""
    return _cli_above_zero(text, one_allowed=True)


def check_cli_train(parser, args) -> None:
    """Every check that needs no text: before anything is read, built or written."""
    import os

    from scratchml.checkpoint import check_destination

    if args.d_model % args.n_heads:
        parser.error(
            f"argument --n-heads: {args.n_heads} does not divide --d-model "
            f"{args.d_model}"
        )
    if args.warmup > args.steps:
        parser.error(
            f"argument --warmup: {args.warmup} is more than --steps {args.steps}"
        )
    if args.min_lr is not None and args.min_lr > args.lr:
        parser.error(f"argument --min-lr: {args.min_lr} is more than --lr {args.lr}")
    if args.text is not None and not os.path.isfile(args.text):
        parser.error(f"argument --text: no such file: {args.text!r}")
    if args.tokenizer == "char" and (args.vocab_size, args.tokenizer_dir) != (
        None,
        None,
    ):
        parser.error(
            "argument --tokenizer: --vocab-size and --tokenizer-dir need --tokenizer "
            "bpe"
        )
    if args.vocab_size is not None and args.tokenizer_dir is not None:
        parser.error(
            "argument --tokenizer-dir: give --vocab-size or --tokenizer-dir, not both"
        )
    for name in ("vocab.json", "merges.txt") if args.tokenizer_dir is not None else ():
        path = os.path.join(args.tokenizer_dir, name)
        if not os.path.isfile(path):
            parser.error(f"argument --tokenizer-dir: no file {path!r}")
    try:
        check_destination("train", "--out", args.out)
    except ValueError as err:
        parser.error(f"argument --out: {str(err).removeprefix('train: --out ')}")


def check_cli_windows(args, n_tokens: int, n_val: int) -> None:
    """Both parts of the split text hold one window of ``--context + 1`` tokens."""
    if min(n_val, n_tokens - n_val) < args.context + 1:
        need = math.ceil(
            (args.context + 1) / min(args.val_fraction, 1 - args.val_fraction)
        )
        raise ValueError(
            f"the text has {n_tokens:,} tokens; with --val-fraction "
            f"{args.val_fraction} its "
            f"training and validation parts have {n_tokens - n_val:,} and {n_val:,}, "
            "but each "
            f"needs at least --context + 1 = {args.context + 1}: give a text of at "
            "least "
            f"{need:,} tokens or a shorter --context"
        )


def check_cli_prompt(prompt: str) -> None:
    """A prompt of at least one character."""
    if not prompt:
        raise ValueError("the prompt is empty; give at least one character")


def check_gpt2_dir(directory: str) -> None:
    """A folder holding GPT-2's four files in the Hugging Face layout."""
    import os

    if not os.path.isdir(directory):
        raise ValueError(f"--gpt2 {directory}: no such directory")
    missing = [
        name
        for name in ("config.json", "model.safetensors", "vocab.json", "merges.txt")
        if not os.path.isfile(os.path.join(directory, name))
    ]
    if missing:
        raise ValueError(
            f"--gpt2 {directory}: not a GPT-2 directory in the Hugging Face layout, "
            "missing " + ", ".join(missing)
        )


# (end of the BPE, generation and training checkers)
