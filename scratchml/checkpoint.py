"""Checkpoints: a trained model and its tokenizer in one ``.npz`` file, loaded back
exactly.

A checkpoint holds everything needed to use a model again without the code that trained
it:

- every parameter, stored under its ``named_params`` name (``"blocks.0.attn.W_q"``);
- the model's ``config`` (``GPT(**config)`` rebuilds the architecture);
- the tokenizer's vocabulary (a model is useless without the ids it was trained on): the
  characters of a ``CharTokenizer``, or the tokens (as hex bytes), merges and pattern of
  a ``BPETokenizer`` (then ``"tokenizer": "bpe"``);
- a format version and a SHA-256 checksum of the parameters.

Loading builds a fresh model, checks every parameter's name, shape and dtype, then the
checksum, and only then puts the numbers in: a truncated, corrupted or mismatched file
raises a ``ValueError`` that names the file and the problem, and never half-loads a
model. ``np.load`` runs with ``allow_pickle=False``, so a file cannot execute code.

``load_shipped()`` loads the checkpoint that ships with the package, a small GPT trained
on Python's help topics with the command in ``SHIPPED_COMMAND``.
"""

# --8<-- [start:imports]
import hashlib
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from scratchml._checks import ArgumentTypeError, check_layer
from scratchml.bpe import BPETokenizer
from scratchml.gpt import GPT
from scratchml.tokenizer import CharTokenizer

# --8<-- [end:imports]

FORMAT = "scratchml-checkpoint"
FORMAT_VERSION = 1
_META_KEY = (
    "meta.json"  # one JSON string: format, version, config, vocabulary, checksum
)
_PARAM_PREFIX = "param:"  # every parameter array is stored as "param:<full name>"

# --8<-- [start:shipped]
SHIPPED_CHECKPOINT = Path(__file__).parent / "_data" / "gpt_pydoc.npz"
"""The shipped checkpoint: 834,048 float32 parameters, 3.1 MB."""

SHIPPED_COMMAND = (
    "OPENBLAS_NUM_THREADS=1 python -m scratchml train --steps 1500 --lr 3e-3 --min-lr "
    "3e-4 "
    "--warmup 100 --eval-every 250 --sample-every 500 --out "
    "scratchml/_data/gpt_pydoc.npz"
)
"""The command that trained it, run from the repository root.

Every other setting is the command's default: the text is ``load_text()`` (Python's help
topics, here those of Python 3.11.7: 464,970 characters, 103 distinct), the last 10 % of
it held out for validation; ``--d-model 128 --n-heads 4 --n-layers 4 --context 128
--batch-size 32 --weight-decay 0.1 --grad-clip 1.0 --seed 0 --dtype float32``. The
learning rate warms up linearly over 100 steps to 3e-3, then follows a cosine down to
3e-4 at step 1,500. The same schedule stretched over 2,500 steps overfitted: its
validation loss was lowest (1.19) near step 1,500 and rose to 1.29 at the end while the
training loss kept falling, the model memorizing its 418,000 training characters.
``OPENBLAS_NUM_THREADS=1`` only chose one BLAS thread on a 2-core machine shared with
other jobs; with another thread count the float32 sums round differently and the losses
differ slightly (in the third decimal after a few hundred steps).
"""

SHIPPED_CONFIG = dict(
    vocab_size=103,
    d_model=128,
    n_heads=4,
    n_layers=4,
    context_length=128,
    d_hidden=None,
)
SHIPPED_TRAIN_LOSS = 0.8527  # mean training loss of steps 1251-1500
SHIPPED_VAL_LOSS = (
    1.1888  # on 10 fixed batches of 32 x 128 characters of the held-out 10 %
)
SHIPPED_SECONDS = (
    906  # wall time, numpy 2.4.6, Python 3.11.7, 1 thread, shared AMD EPYC VM
)
# --8<-- [end:shipped]


# --8<-- [start:params_sha256]
def params_sha256(params: dict) -> str:
    """SHA-256 over every parameter's name, dtype, shape and bytes, in sorted name
    order."""
    digest = hashlib.sha256()
    for name in sorted(params):
        a = np.ascontiguousarray(params[name])
        digest.update(f"{name}|{a.dtype.str}|{a.shape}|".encode())
        digest.update(a.tobytes())
    return digest.hexdigest()


# --8<-- [end:params_sha256]


def _check_path(where: str, name: str, path) -> Path:
    if not isinstance(path, str | os.PathLike) or not str(path):
        raise ArgumentTypeError(
            f"{where}: {name} must be a file name (str or path), got {path!r:.60}"
        )
    return Path(path)


def check_destination(where: str, name: str, path) -> Path:
    """A file that can be written: not a directory, in an existing, writable directory.

    Writability is tried, not guessed from permission bits (root ignores them, and a
    read-only file system or ``/proc`` refuses whatever they say): an empty file is
    created beside ``path`` and removed again.
    """
    path = _check_path(where, name, path)
    if path.is_dir():
        raise ValueError(
            f"{where}: {name} {str(path)!r} is a directory; give a file name"
        )
    parent = path.parent
    if not parent.is_dir():
        raise ValueError(
            f"{where}: {name} {str(path)!r}: the directory {str(parent)!r} does not "
            "exist"
        )
    try:
        fd, probe = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".check", dir=parent
        )
    except OSError as err:
        raise ValueError(
            f"{where}: {name} {str(path)!r}: the directory {str(parent)!r} is not "
            "writable "
            f"({err.strerror})"
        ) from None
    os.close(fd)
    os.remove(probe)
    return path


def _check_save(where: str, path, model, tokenizer, extra) -> Path:
    """Everything ``load_checkpoint`` would reject, rejected before anything is
    written."""
    check_layer(where, "model", model)
    if not isinstance(getattr(model, "config", None), dict):
        raise ArgumentTypeError(
            f"{where}: model must have a config dict (a GPT), got {model!r:.60}"
        )
    if not isinstance(tokenizer, CharTokenizer | BPETokenizer):
        raise ArgumentTypeError(
            f"{where}: tokenizer must be a CharTokenizer or BPETokenizer, got "
            f"{tokenizer!r:.60}"
        )
    if tokenizer.vocab_size != model.config.get("vocab_size"):
        raise ValueError(
            f"{where}: tokenizer has {tokenizer.vocab_size} tokens but the model's "
            f"vocab_size is {model.config.get('vocab_size')}; they must be equal"
        )
    if extra is not None and not isinstance(extra, dict):
        raise ArgumentTypeError(
            f"{where}: extra must be a dict or None, got {extra!r:.60}"
        )
    try:
        json.dumps(extra)
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"{where}: extra must hold only what JSON can store ({err})"
        ) from None
    return check_destination(where, "path", path)


# --8<-- [start:save_checkpoint]
def save_checkpoint(path, model, tokenizer, extra=None) -> Path:
    """Write ``model`` (with its ``config``) and ``tokenizer`` to one ``.npz`` file.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write (the name is used as given; ``.npz`` is the usual suffix).
        It is written to a temporary file first and then renamed, so an interrupted
        save never leaves a half-written checkpoint under ``path``.
    model : GPT
        Any layer with a ``config`` dict that ``GPT(**config)`` accepts.
    tokenizer : CharTokenizer or BPETokenizer
    extra : dict, optional
        Anything JSON can hold (training command, losses, ...), returned by
        ``load_checkpoint`` as ``meta["extra"]``.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValueError
        Before anything is written, if ``load_checkpoint`` would reject the file:
        ``path`` is a directory or not writable, ``model`` has no ``config``, the
        tokenizer's vocabulary differs from the model's, or ``extra`` is not a
        JSON-storable dict (a ``TypeError`` too, for an argument of the wrong type).
    """
    path = _check_save("save_checkpoint", path, model, tokenizer, extra)
    params = {name: layer.params[key] for name, layer, key in model.named_params()}
    meta = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "config": model.config,
        "vocab": list(tokenizer.chars)
        if isinstance(tokenizer, CharTokenizer)
        else None,
        "sha256": params_sha256(params),
        "extra": extra or {},
    }
    if isinstance(tokenizer, BPETokenizer):
        meta["tokenizer"] = "bpe"
        meta["vocab"] = [t.hex() for t in tokenizer.tokens]
        meta["merges"] = [list(pair) for pair in tokenizer.merges]
        meta["pattern"] = tokenizer.pattern
    elif not isinstance(tokenizer, CharTokenizer):
        raise TypeError(
            "save_checkpoint: tokenizer must be a CharTokenizer or BPETokenizer, got "
            f"{type(tokenizer).__name__}"
        )
    arrays = {_PARAM_PREFIX + name: a for name, a in params.items()}
    arrays[_META_KEY] = np.array(
        json.dumps(meta, ensure_ascii=True)
    )  # a 0-d unicode array
    partial = path.with_name(path.name + ".part")
    try:
        with open(partial, "wb") as f:  # a file object: numpy does not append ".npz"
            np.savez_compressed(f, **arrays)
        os.replace(partial, path)
    except (
        BaseException
    ):  # a full disk, an interrupt: leave nothing half-written behind
        partial.unlink(missing_ok=True)
        raise
    return path


# --8<-- [end:save_checkpoint]


class _CheckpointError(Exception):
    """A problem found while validating a checkpoint (turned into a ValueError)."""


def _read(path: Path) -> tuple[dict, dict]:
    """Read the meta data and every parameter array, or raise ``_CheckpointError``."""
    if not path.is_file():
        raise _CheckpointError("no such file")
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()  # reads the zip's table of contents only
        if _META_KEY + ".npy" not in names:
            raise _CheckpointError(
                f"no {_META_KEY!r} entry: not a scratchml checkpoint"
            )
        with np.load(path, allow_pickle=False) as npz:  # every entry is CRC-checked
            meta = json.loads(str(npz[_META_KEY]))
            arrays = {k: npz[k] for k in npz.files if k != _META_KEY}
    except _CheckpointError:
        raise
    except zipfile.BadZipFile as err:
        raise _CheckpointError(f"not a readable .npz (zip) file ({err})") from None
    except (
        Exception
    ) as err:  # zlib.error, EOFError, ValueError, ...: the file is damaged
        raise _CheckpointError(f"unreadable, truncated or corrupted ({err})") from None
    unexpected = [k for k in arrays if not k.startswith(_PARAM_PREFIX)]
    if unexpected:
        raise _CheckpointError(f"unexpected entries {unexpected}")
    return meta, {k[len(_PARAM_PREFIX) :]: a for k, a in arrays.items()}


def _validate_meta(meta) -> None:
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise _CheckpointError(
            "not a scratchml checkpoint (missing or wrong 'format' in meta.json)"
        )
    if meta.get("version") != FORMAT_VERSION:
        raise _CheckpointError(
            f"format version {meta.get('version')!r}, but this scratchml reads version "
            f"{FORMAT_VERSION}"
        )
    for key, kind in (
        ("config", dict),
        ("vocab", list),
        ("sha256", str),
        ("extra", dict),
    ):
        if not isinstance(meta.get(key), kind):
            raise _CheckpointError(
                f"meta.json: {key!r} is missing or not a {kind.__name__}"
            )
    kind = meta.get("tokenizer", "char")
    if kind not in ("char", "bpe"):
        raise _CheckpointError(
            f"meta.json: unknown tokenizer {kind!r} (expected 'char' or 'bpe')"
        )
    if kind == "bpe":
        for key, want in (("merges", list), ("pattern", str)):
            if not isinstance(meta.get(key), want):
                raise _CheckpointError(
                    f"meta.json: {key!r} is missing or not a {want.__name__} (BPE "
                    "tokenizer)"
                )
    elif "merges" in meta or "pattern" in meta:
        raise _CheckpointError(
            "meta.json: 'merges'/'pattern' given for a character tokenizer"
        )


def _tokenizer(meta: dict):
    """The tokenizer the meta data describes (its constructor checks it)."""
    if meta.get("tokenizer", "char") == "char":
        return CharTokenizer(meta["vocab"])
    if not all(isinstance(t, str) for t in meta["vocab"]):
        raise ValueError("the BPE tokens must be hex strings")
    return BPETokenizer(
        [bytes.fromhex(t) for t in meta["vocab"]], meta["merges"], meta["pattern"]
    )


def _check_sizes(meta: dict, arrays: dict, vocab_size: int) -> None:
    """The config's sizes against what the file holds, so that no claimed size is
    trusted."""
    config = meta["config"]
    for key in ("vocab_size", "d_model", "context_length", "n_layers"):
        if isinstance(config.get(key), bool) or not isinstance(config.get(key), int):
            raise _CheckpointError(
                f"invalid config or vocabulary (config {key!r} is missing or not an "
                "integer)"
            )
    if config["vocab_size"] != vocab_size:
        raise _CheckpointError(
            f"the vocabulary has {vocab_size} tokens but the config says "
            f"vocab_size={config['vocab_size']}"
        )
    want = {
        "tok_emb.W_E": (config["vocab_size"], config["d_model"]),
        "pos_emb.W_P": (config["context_length"], config["d_model"]),
    }
    for name, shape in want.items():
        if name not in arrays or arrays[name].shape != shape:
            got = arrays[name].shape if name in arrays else "nothing"
            raise _CheckpointError(
                f"parameter {name!r} has shape {got} but the config needs {shape}"
            )
    blocks = {k.split(".")[1] for k in arrays if k.startswith("blocks.")}
    if len(blocks) != config["n_layers"]:
        raise _CheckpointError(
            f"the config says n_layers={config['n_layers']} but the file holds "
            f"{len(blocks)} blocks"
        )


# --8<-- [start:load_checkpoint]
def load_checkpoint(path=None):
    """Load a checkpoint written by ``save_checkpoint``; all or nothing.

    Parameters
    ----------
    path : str or os.PathLike, optional
        Default: the shipped checkpoint, ``SHIPPED_CHECKPOINT``.

    Returns
    -------
    model : GPT
        Bitwise equal to the saved model, in the dtype it was saved in (float16
        parameters, a space saver, come back as float32).
    tokenizer : CharTokenizer or BPETokenizer
        Whichever was saved.
    meta : dict
        ``"config"``, ``"version"``, ``"sha256"`` and ``"extra"`` (what the caller of
        ``save_checkpoint`` passed).

    Raises
    ------
    ValueError
        If the file is missing, not an ``.npz``, truncated or corrupted, of another
        format version, fails its checksum, or its parameters do not fit its config
        (missing, unexpected or mis-shaped). The message names the file and the problem.
    """
    path = _check_path(
        "load_checkpoint", "path", SHIPPED_CHECKPOINT if path is None else path
    )
    try:
        meta, arrays = _read(path)
        _validate_meta(meta)
        try:
            tokenizer = _tokenizer(meta)
            _check_sizes(meta, arrays, tokenizer.vocab_size)  # no size is trusted
            model = GPT(**meta["config"], rng=0)  # a fresh model: the file fills it
        except (TypeError, ValueError) as err:
            raise _CheckpointError(f"invalid config or vocabulary ({err})") from None
        if tokenizer.vocab_size != model.vocab_size:
            unit = "characters" if isinstance(tokenizer, CharTokenizer) else "tokens"
            raise _CheckpointError(
                f"the vocabulary has {tokenizer.vocab_size} {unit} but the config "
                f"says vocab_size={model.vocab_size}"
            )
        expected = {
            name: layer.params[key] for name, layer, key in model.named_params()
        }
        missing = sorted(set(expected) - set(arrays))
        unexpected = sorted(set(arrays) - set(expected))
        if missing or unexpected:
            raise _CheckpointError(
                f"parameters do not match the config: missing {missing}, unexpected "
                f"{unexpected}"
            )
        for name, a in arrays.items():
            if a.shape != expected[name].shape:
                raise _CheckpointError(
                    f"parameter {name!r} has shape {a.shape} but the config needs "
                    f"{expected[name].shape}"
                )
        dtypes = sorted({str(a.dtype) for a in arrays.values()})
        if dtypes not in (["float16"], ["float32"], ["float64"]):
            raise _CheckpointError(
                f"the parameters must share one float dtype, got {dtypes}"
            )
        if params_sha256(arrays) != meta["sha256"]:
            raise _CheckpointError(
                "checksum mismatch: the parameters are not the ones that were saved"
            )
    except _CheckpointError as err:
        raise ValueError(f"load_checkpoint: {str(path)!r}: {err}") from None
    # Everything is checked: only now does the model receive the saved numbers.
    for name, layer, key in model.named_params():
        a = arrays[name]
        layer.params[key] = a.astype(np.float32) if a.dtype == np.float16 else a
    meta = {k: meta[k] for k in ("version", "config", "sha256", "extra")}
    return model, tokenizer, meta


# --8<-- [end:load_checkpoint]


# --8<-- [start:load_shipped]
def load_shipped():
    """The checkpoint that ships with scratchml: ``(model, tokenizer, meta)``.

    A GPT trained from scratch, in numpy, on Python's help topics (``load_text()``);
    ``SHIPPED_COMMAND`` is the command that trained it and ``meta["extra"]`` records its
    losses and training time.
    """
    return load_checkpoint(SHIPPED_CHECKPOINT)


# --8<-- [end:load_shipped]
