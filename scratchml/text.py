"""Text for a language model: load it, split it, and cut it into training batches.

A character-level language model learns from one long string. Encoded by a tokenizer,
the string becomes one long array of token ids, ``ids``. A training example is a window
of ``T + 1`` consecutive ids: the first ``T`` are the input ``x``, the last ``T`` (the
same window shifted by one) are the targets ``y``. Causal attention lets position ``t``
see ``x[0..t]`` only, and its target is ``y[t] = x[t + 1]``, the token that comes
next, so one window holds ``T`` examples at once: every prefix of it is one::

    window  = ids[s : s + T + 1] x       = window[:-1]      # "The c"   predicts -> y
    = window[1:]       # "he ca"   (the next character at every position)

The default text ships with every Python: the reference manual's topic help (the text
``help("assert")`` shows), about 465 thousand characters of English prose and code. No
network is needed. ``load_tiny_shakespeare`` downloads the classic alternative.
"""

# --8<-- [start:imports]
import os
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

from scratchml._checks import check_get_batch, check_id_split, check_path_like

# --8<-- [end:imports]

TINY_SHAKESPEARE_URL = (
    "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/"
    "tinyshakespeare/input.txt"
)


# --8<-- [start:load_text]
def load_text(path=None) -> str:
    """Return a training text: the file at ``path``, or Python's own help topics.

    Parameters
    ----------
    path : str or os.PathLike, optional
        A UTF-8 text file. Without it, the default text is the Python reference manual's
        topic help that ships with every CPython (``pydoc_data.topics``), joined in
        sorted order of the topic names: about 465 thousand characters, offline.

    Returns
    -------
    str

    Notes
    -----
    The help topics change a little with each Python release, so the default text (and
    its vocabulary) can differ slightly between Python versions.
    """
    if path is None:
        from pydoc_data.topics import topics  # part of the standard library

        return "".join(topics[name] for name in sorted(topics))
    check_path_like("load_text", "path", path)
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"load_text: no such file: {str(path)!r}") from None
    except IsADirectoryError:
        raise ValueError(
            f"load_text: {str(path)!r} is a directory, not a text file"
        ) from None
    except UnicodeDecodeError as err:
        raise ValueError(
            f"load_text: {str(path)!r} is not UTF-8 text (byte {err.start} cannot be "
            "decoded)"
        ) from None
    if not text:
        raise ValueError(f"load_text: {str(path)!r} is empty")
    return text


# --8<-- [end:load_text]


# --8<-- [start:load_tiny_shakespeare]
def load_tiny_shakespeare(cache_dir=None) -> str:
    """Return Tiny Shakespeare (about 1.1 million characters), downloading it once.

    Parameters
    ----------
    cache_dir : str or os.PathLike, optional
        Where the file is kept after the first download. Default: ``~/.cache/scratchml``
        (or ``$XDG_CACHE_HOME/scratchml``).

    Raises
    ------
    RuntimeError
        If the file is not cached and cannot be downloaded (no network). ``load_text()``
        works offline.
    """
    if cache_dir is None:
        cache_home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        cache_dir = Path(cache_home) / "scratchml"
    check_path_like("load_tiny_shakespeare", "cache_dir", cache_dir)
    path = Path(cache_dir) / "tinyshakespeare.txt"
    if not path.exists():
        try:
            with urllib.request.urlopen(TINY_SHAKESPEARE_URL, timeout=30) as response:
                data = response.read()
        except (urllib.error.URLError, OSError) as err:
            raise RuntimeError(
                f"load_tiny_shakespeare: could not download {TINY_SHAKESPEARE_URL} "
                f"({err}). "
                "Offline? load_text() returns a text that ships with Python."
            ) from None
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(path)  # complete or absent: never a half-written cache
    return load_text(path)


# --8<-- [end:load_tiny_shakespeare]


# --8<-- [start:train_val_split]
def train_val_split(ids, val_fraction: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Split 1-D token ids into a training part and, at their end, a validation part.

    The split is contiguous, not shuffled: windows drawn from the validation part are
    text the model never trained on (shuffled windows would overlap the training ones).

    Parameters
    ----------
    ids : array_like of int, shape (n,)
    val_fraction : float
        Strictly between 0 and 1; validation gets the last ``round(n * val_fraction)``
        ids.

    Returns
    -------
    train_ids, val_ids : numpy.ndarray
        Views: ``ids[:n - n_val]`` and ``ids[n - n_val:]``.
    """
    ids, val_fraction = check_id_split("train_val_split", ids, val_fraction)
    n_val = round(len(ids) * val_fraction)  # the last n_val ids are held out
    return ids[: len(ids) - n_val], ids[len(ids) - n_val :]  # (n - n_val,), (n_val,)


# --8<-- [end:train_val_split]


# --8<-- [start:get_batch]
def get_batch(ids, batch_size: int, context_length: int, rng=None):
    """Draw ``batch_size`` random windows of ``context_length + 1`` tokens from ids.

    Parameters
    ----------
    ids : array_like of int, shape (n,)
        The encoded text, ``n >= context_length + 1``.
    batch_size : int
        Number of windows (rows).
    context_length : int
        ``T``, the length of each input row.
    rng : int or numpy.random.Generator, optional
        Pass one ``Generator`` for a whole training run: each call draws new windows.

    Returns
    -------
    x, y : numpy.ndarray
        int64, shape ``(batch_size, T)`` each. ``y`` is ``x`` shifted by one:
        ``y[b, t] == x[b, t + 1]``, and ``y[b, T - 1]`` is the token after the window.
    """
    ids, B, T, rng = check_get_batch("get_batch", ids, batch_size, context_length, rng)
    starts = rng.integers(0, len(ids) - T, size=B)  # (B,)
    windows = starts[:, None] + np.arange(T + 1)  # (B, T + 1): indices of each window
    batch = ids[windows].astype(np.int64)  # (B, T + 1)
    return batch[:, :-1], batch[:, 1:]  # x (B, T), y (B, T): y is x shifted by one


# --8<-- [end:get_batch]
