"""Hostile files: damaged, truncated or hand-crafted files are refused, cheaply.

A table of damaged copies of one small valid GPT-2 folder (``config.json``,
``model.safetensors``, ``vocab.json``, ``merges.txt``), each built here from the valid
files. Every one must be refused with a ``ValueError`` whose message starts with the
loader's name (``load_safetensors``, ``load_gpt2``, ``BPETokenizer.from_pretrained``)
and names the damaged file, while the loader's peak memory stays under ``MEMORY_BOUND``
(measured with ``tracemalloc``, which sees numpy's allocations too) and it answers
within ``TIME_BOUND`` seconds: a file that asks for gigabytes or a billion layers fails
the test instead of the machine. The reference is the safetensors format's own reader:
the header must describe the byte buffer exactly.
"""

import json
import math
import os
import re
import signal
import tracemalloc

import numpy as np
import pytest

from scratchml import (
    GPT2,
    BPETokenizer,
    load_gpt2,
    load_gpt2_model,
    load_safetensors,
    save_gpt2,
    save_safetensors,
)

MEMORY_BOUND = 32 * 2**20  # bytes: the peak a refusal may allocate
TIME_BOUND = 5  # seconds: a refusal is immediate
SIZES = dict(vocab_size=300, d_model=8, n_heads=2, n_layers=1, context_length=6)
TEXT = (  # enough pairs for 43 merges
    "the rain in the north falls on the tea, then the train leaves; "
    "a quick brown fox jumps over the lazy dog while seven wizards hex a jolly vixen. "
) * 5

# ------------------------------------------------------------------ the valid folder


def _pack(header: dict, data: bytes, pad: int = 8) -> bytes:
    """A safetensors file: N, the header's JSON padded with ``pad`` spaces, data."""
    text = json.dumps(header, separators=(",", ":")).encode() + b" " * pad
    return len(text).to_bytes(8, "little") + text + data


def _unpack(raw: bytes) -> tuple[dict, bytes]:
    n = int.from_bytes(raw[:8], "little")
    return json.loads(raw[8 : 8 + n]), raw[8 + n :]


def _build_good() -> dict[str, bytes]:
    """The four files of a small valid folder, read into memory."""
    import tempfile

    folder = tempfile.mkdtemp(prefix="scratchml-hostile-")
    model = GPT2(**SIZES, rng=0)
    save_gpt2(model, folder)
    tokenizer = BPETokenizer.train(TEXT, SIZES["vocab_size"])
    tokenizer.save(folder)
    files = {}
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), "rb") as f:
            files[name] = f.read()
        os.remove(os.path.join(folder, name))
    os.rmdir(folder)
    header, data = _unpack(files["model.safetensors"])
    files["model.safetensors"] = _pack(
        header, data
    )  # 8 spaces of padding: N - 1 parses
    return files


GOOD = _build_good()
HEADER, DATA = _unpack(GOOD["model.safetensors"])
CONFIG = json.loads(GOOD["config.json"])
VOCAB = json.loads(GOOD["vocab.json"].decode("utf-8"))
MERGES = GOOD["merges.txt"].decode("utf-8").splitlines()
TENSORS = {k: v for k, v in HEADER.items() if k != "__metadata__"}
FIRST, LAST = (
    min(TENSORS, key=lambda k: TENSORS[k]["data_offsets"]),
    max(TENSORS, key=lambda k: TENSORS[k]["data_offsets"]),
)
SECOND = sorted(TENSORS, key=lambda k: TENSORS[k]["data_offsets"])[1]


# ------------------------------------------------------------------ how damage is made


def header_bytes(text: bytes) -> dict:
    """model.safetensors with ``text`` as its header (its exact bytes) and the data."""
    return {"model.safetensors": len(text).to_bytes(8, "little") + text + DATA}


def with_header(change, data: bytes = DATA) -> dict:
    """model.safetensors with the header ``change(header)`` returns, and ``data``."""
    header = json.loads(json.dumps(HEADER))
    header = change(header) or header
    return {"model.safetensors": _pack(header, data)}


def entry(name: str, **fields):
    """A change of tensor ``name``'s entry: its fields replaced."""

    def change(header):
        header[name].update(fields)

    return change


def raw_edit(edit):
    """model.safetensors as bytes, edited by ``edit(raw) -> raw``."""
    return {"model.safetensors": edit(GOOD["model.safetensors"])}


def with_n(n: int) -> dict:
    """The same file with the header length field set to ``n``."""
    return raw_edit(lambda raw: n.to_bytes(8, "little") + raw[8:])


def shifted(after: str, by: int):
    """Every tensor from ``after`` on moved ``by`` bytes later, the bytes filled."""
    begin = TENSORS[after]["data_offsets"][0]
    data = DATA[:begin] + b"\x00" * by + DATA[begin:]

    def change(header):
        for e in header.values():
            if (
                isinstance(e, dict)
                and "data_offsets" in e
                and e["data_offsets"][0] >= begin
            ):
                e["data_offsets"] = [o + by for o in e["data_offsets"]]

    return with_header(change, data)


def config(**changes) -> dict:
    c = dict(CONFIG)
    for k, v in changes.items():
        if v is DROP:
            c.pop(k)
        else:
            c[k] = v
    return {"config.json": json.dumps(c).encode()}


DROP = object()


def tensors(change) -> dict:
    """model.safetensors saved from the valid tensors after ``change(tensors)``."""
    import tempfile

    arrays = {k: np.array(v) for k, v in _valid_arrays().items()}
    change(arrays)
    path = os.path.join(tempfile.mkdtemp(prefix="scratchml-hostile-"), "m.safetensors")
    save_safetensors(path, arrays, {"format": "pt"})
    with open(path, "rb") as f:
        raw = f.read()
    os.remove(path)
    os.rmdir(os.path.dirname(path))
    return {"model.safetensors": raw}


def _valid_arrays() -> dict:
    return {
        name: np.frombuffer(DATA[slice(*e["data_offsets"])], "<f4").reshape(e["shape"])
        for name, e in TENSORS.items()
    }


def set_tensor(name, value):
    def change(arrays):
        arrays[name] = value

    return change


def drop_tensor(name):
    def change(arrays):
        del arrays[name]

    return change


def vocab(change=None, text: bytes | None = None) -> dict:
    if text is not None:
        return {"vocab.json": text}
    v = dict(VOCAB)
    v = change(v) or v
    return {"vocab.json": json.dumps(v, ensure_ascii=False).encode()}


def merges(lines: list[str] | None = None, raw: bytes | None = None) -> dict:
    if raw is not None:
        return {"merges.txt": raw}
    return {"merges.txt": ("\n".join(lines) + "\n").encode()}


def _without_byte(v: dict) -> dict:
    """vocab.json without the token of one single byte, the ids above it moved down."""
    gone = v.pop("!")
    return {k: (i - 1 if i > gone else i) for k, i in v.items()}


def _renumbered(v: dict, key: str, i: int) -> dict:
    v = dict(v)
    v[key] = i
    return v


class Sparse(bytes):
    """A file's first bytes and its size: zeros fill the rest."""

    def __new__(cls, head: bytes, size: int):
        obj = super().__new__(cls, head)
        obj.size = size
        return obj


NESTED = b"[" * 100_000 + b"]" * 100_000
BIG_NUMBER = b"9" * 5000


def _two_keys(text: bytes, key: bytes) -> bytes:
    """``text`` (a JSON object) with its key ``key`` given a second time, first."""
    return b"{" + key + b":" + b'"x",' + text.lstrip()[1:]


GOOD_HEADER = json.dumps(HEADER, separators=(",", ":")).encode()
N = len(GOOD_HEADER) + 8  # the valid header length (8 spaces of padding)

# ------------------------------------------------------------------ the table

# (id, loader, file, changed files): loader "st" is load_safetensors on
# model.safetensors, "gpt2" load_gpt2 on the folder ("gpt2-st" too, for damage its
# safetensors reader reports), "tok" from_pretrained on it; file is the one the
# message must name.
ST = "model.safetensors"
CASES = [
    # --- the header length
    ("empty file", "st", ST, {ST: b""}),
    ("7 bytes", "st", ST, {ST: b"\x01" * 7}),
    ("length only, N = 0", "st", ST, {ST: (0).to_bytes(8, "little")}),
    ("N = 0 with data", "st", ST, with_n(0)),
    ("N = 2**63", "st", ST, with_n(2**63)),
    ("N = 2**64 - 1", "st", ST, with_n(2**64 - 1)),
    ("N one past the file", "st", ST, with_n(len(GOOD[ST]) - 7)),
    ("N = the whole file after it", "st", ST, with_n(len(GOOD[ST]) - 8)),
    ("N one byte too small (padding parses)", "st", ST, with_n(N - 1)),
    ("N 8 bytes too small (all padding)", "st", ST, with_n(N - 8)),
    ("N one byte too large", "st", ST, with_n(N + 1)),
    ("N 4 bytes too large", "st", ST, with_n(N + 4)),
    ("N cuts the JSON", "st", ST, with_n(N - 9)),
    ("N = 1", "st", ST, with_n(1)),
    ("N big-endian", "st", ST, raw_edit(lambda r: N.to_bytes(8, "big") + r[8:])),
    (  # the header limit: a 150 MB header in a 160 MB file (sparse: no disk used)
        "N = 150 MB, over the 100 MB limit",
        "st",
        ST,
        {ST: Sparse((150_000_000).to_bytes(8, "little") + b'{"a":', 160_000_000)},
    ),
    # --- truncated and padded files
    ("cut inside the header", "st", ST, raw_edit(lambda r: r[: 8 + N // 2])),
    ("cut after the header", "st", ST, raw_edit(lambda r: r[: 8 + N])),
    ("last byte cut", "st", ST, raw_edit(lambda r: r[:-1])),
    ("half the data cut", "st", ST, raw_edit(lambda r: r[: 8 + N + len(DATA) // 2])),
    ("one trailing byte", "st", ST, raw_edit(lambda r: r + b"\x00")),
    ("8 trailing bytes", "st", ST, raw_edit(lambda r: r + b"garbage!")),
    ("a second copy of the data", "st", ST, raw_edit(lambda r: r + DATA)),
    ("junk before the first tensor", "st", ST, shifted(FIRST, 8)),
    ("one junk byte before the first tensor", "st", ST, shifted(FIRST, 1)),
    ("a gap between two tensors", "st", ST, shifted(SECOND, 4)),
    ("a gap before the last tensor", "st", ST, shifted(LAST, 16)),
    (
        "a tensor dropped from the header",
        "st",
        ST,
        with_header(lambda h: h.pop(SECOND) and None),
    ),
    ("the last tensor dropped", "st", ST, with_header(lambda h: h.pop(LAST) and None)),
    # --- overlapping and aliased tensors
    (
        "two tensors on the same bytes",
        "st",
        ST,
        with_header(
            lambda h: h.update(alias=dict(h["ln_f.weight"])),
        ),
    ),
    (
        "ln_f.bias on ln_f.weight's bytes",
        "st",
        ST,
        with_header(
            entry("ln_f.bias", data_offsets=HEADER["ln_f.weight"]["data_offsets"])
        ),
    ),
    (
        "the second tensor starts 4 bytes early",
        "st",
        ST,
        with_header(
            entry(
                SECOND,
                data_offsets=[o - 4 for o in TENSORS[SECOND]["data_offsets"]],
            )
        ),
    ),
    (
        "a tensor inside another",
        "st",
        ST,
        with_header(
            lambda h: h.update(
                inner={
                    "dtype": "F32",
                    "shape": [1],
                    "data_offsets": [4, 8],
                }
            )
        ),
    ),
    # --- names
    (
        "a name given twice",
        "st",
        ST,
        header_bytes(_two_keys(GOOD_HEADER, b'"wte.weight"')),
    ),
    (
        "a field given twice in an entry",
        "st",
        ST,
        header_bytes(
            GOOD_HEADER.replace(b'{"dtype":"F32"', b'{"dtype":"F64","dtype":"F32"', 1)
        ),
    ),
    # --- dtypes
    ("dtype Q7", "st", ST, with_header(entry(FIRST, dtype="Q7"))),
    ("dtype BF16 (not supported)", "st", ST, with_header(entry(FIRST, dtype="BF16"))),
    ("dtype lowercase f32", "st", ST, with_header(entry(FIRST, dtype="f32"))),
    ("dtype as a list", "st", ST, with_header(entry(FIRST, dtype=["F32"]))),
    ("dtype null", "st", ST, with_header(entry(FIRST, dtype=None))),
    ("dtype as a number", "st", ST, with_header(entry(FIRST, dtype=32))),
    ("dtype as an object", "st", ST, with_header(entry(FIRST, dtype={"F32": 1}))),
    ("dtype F64 for F32 bytes", "st", ST, with_header(entry(FIRST, dtype="F64"))),
    ("dtype F16 for F32 bytes", "st", ST, with_header(entry(FIRST, dtype="F16"))),
    # --- shapes
    ("shape as an int", "st", ST, with_header(entry(FIRST, shape=88))),
    ("shape null", "st", ST, with_header(entry(FIRST, shape=None))),
    ("shape as a string", "st", ST, with_header(entry(FIRST, shape="[300, 8]"))),
    ("shape as an object", "st", ST, with_header(entry(FIRST, shape={"0": 300}))),
    ("a negative dimension", "st", ST, with_header(entry(FIRST, shape=[-300, -8]))),
    ("a float dimension", "st", ST, with_header(entry(FIRST, shape=[300.0, 8]))),
    ("a bool dimension", "st", ST, with_header(entry("ln_f.bias", shape=[8, True]))),
    ("a null dimension", "st", ST, with_header(entry(FIRST, shape=[None, 8]))),
    (
        "70 dimensions",
        "st",
        ST,
        with_header(entry("ln_f.bias", shape=[8] + [1] * 69)),
    ),
    ("9 dimensions", "st", ST, with_header(entry("ln_f.bias", shape=[8] + [1] * 8))),
    (
        "a shape too small for the bytes",
        "st",
        ST,
        with_header(entry("ln_f.bias", shape=[7])),
    ),
    (
        "a shape too large for the bytes",
        "st",
        ST,
        with_header(entry("ln_f.bias", shape=[9])),
    ),
    ("shape [] for 8 numbers", "st", ST, with_header(entry("ln_f.bias", shape=[]))),
    (
        "dimensions too large for numpy, size 0",
        "st",
        ST,
        with_header(
            lambda h: h.update(
                z={"dtype": "F32", "shape": [2**62, 0], "data_offsets": [0, 0]}
            )
        ),
    ),
    (
        "a dimension of 10**19, size 0",
        "st",
        ST,
        with_header(
            lambda h: h.update(
                z={"dtype": "F32", "shape": [10**19, 0], "data_offsets": [0, 0]}
            )
        ),
    ),
    (
        "a 5000-digit dimension",
        "st",
        ST,
        header_bytes(
            GOOD_HEADER.replace(b'"shape":[8]', b'"shape":[' + BIG_NUMBER + b"]", 1)
        ),
    ),
    (
        "a 25-digit dimension",
        "st",
        ST,
        header_bytes(
            GOOD_HEADER.replace(b'"shape":[8]', b'"shape":[' + b"1" * 25 + b"]", 1)
        ),
    ),
    (
        "a NaN dimension",
        "st",
        ST,
        header_bytes(GOOD_HEADER.replace(b'"shape":[8]', b'"shape":[NaN]', 1)),
    ),
    # --- data offsets
    ("offsets as an int", "st", ST, with_header(entry(FIRST, data_offsets=0))),
    ("offsets null", "st", ST, with_header(entry(FIRST, data_offsets=None))),
    (
        "offsets as strings",
        "st",
        ST,
        with_header(
            entry(FIRST, data_offsets=[str(o) for o in TENSORS[FIRST]["data_offsets"]])
        ),
    ),
    (
        "offsets reversed",
        "st",
        ST,
        with_header(entry(FIRST, data_offsets=TENSORS[FIRST]["data_offsets"][::-1])),
    ),
    ("one offset", "st", ST, with_header(entry(FIRST, data_offsets=[0]))),
    (
        "three offsets",
        "st",
        ST,
        with_header(entry(FIRST, data_offsets=TENSORS[FIRST]["data_offsets"] + [0])),
    ),
    (
        "offsets as floats",
        "st",
        ST,
        with_header(
            entry(
                FIRST, data_offsets=[float(o) for o in TENSORS[FIRST]["data_offsets"]]
            )
        ),
    ),
    ("negative offsets", "st", ST, with_header(entry(FIRST, data_offsets=[-4, 0]))),
    (
        "offsets past the data",
        "st",
        ST,
        with_header(entry(LAST, data_offsets=[len(DATA), len(DATA) + 32])),
    ),
    (
        "an end of 2**64",
        "st",
        ST,
        with_header(
            entry(LAST, data_offsets=[TENSORS[LAST]["data_offsets"][0], 2**64])
        ),
    ),
    (
        "offsets as an object",
        "st",
        ST,
        with_header(entry(FIRST, data_offsets={"a": 0})),
    ),
    # --- entries
    (
        "an entry that is a list",
        "st",
        ST,
        with_header(lambda h: h.update({FIRST: [1]})),
    ),
    (
        "an entry that is a string",
        "st",
        ST,
        with_header(lambda h: h.update({FIRST: "F32"})),
    ),
    ("an entry that is null", "st", ST, with_header(lambda h: h.update({FIRST: None}))),
    (
        "an entry without data_offsets",
        "st",
        ST,
        with_header(lambda h: h[FIRST].pop("data_offsets") and None),
    ),
    (
        "an entry without dtype",
        "st",
        ST,
        with_header(lambda h: h[FIRST].pop("dtype") and None),
    ),
    # --- the header's JSON
    ("the header a list", "st", ST, header_bytes(b"[1, 2]" + b" " * 6)),
    ("the header a string", "st", ST, header_bytes(b'"hello"')),
    ("the header a number", "st", ST, header_bytes(b"12345678")),
    ("the header null", "st", ST, header_bytes(b"null    ")),
    ("the header true", "st", ST, header_bytes(b"true    ")),
    ("the header deeply nested", "st", ST, header_bytes(b'{"a":' + NESTED + b"}")),
    ("the header a deep list", "st", ST, header_bytes(NESTED)),
    (
        "a 5000-digit number in the header",
        "st",
        ST,
        header_bytes(b'{"n":' + BIG_NUMBER + b"}"),
    ),
    (
        "the header in UTF-16",
        "st",
        ST,
        header_bytes(GOOD_HEADER.decode().encode("utf-16-le")),
    ),
    (
        "the header in UTF-16 with BOM",
        "st",
        ST,
        header_bytes(GOOD_HEADER.decode().encode("utf-16")),
    ),
    (
        "the header in UTF-32",
        "st",
        ST,
        header_bytes(GOOD_HEADER.decode().encode("utf-32")),
    ),
    (
        "the header with a UTF-8 BOM",
        "st",
        ST,
        header_bytes(b"\xef\xbb\xbf" + GOOD_HEADER),
    ),
    (
        "a name that is not UTF-8",
        "st",
        ST,
        header_bytes(GOOD_HEADER.replace(b'"wte.weight"', b'"wte.w\xe9ight"', 1)),
    ),
    ("the header starts with a space", "st", ST, header_bytes(b" " + GOOD_HEADER)),
    (
        "the header padded with NUL bytes",
        "st",
        ST,
        header_bytes(GOOD_HEADER + b"\x00" * 8),
    ),
    ("junk after the header's JSON", "st", ST, header_bytes(GOOD_HEADER + b"x" * 8)),
    ("the header cut short", "st", ST, header_bytes(GOOD_HEADER[:-1])),
    # --- __metadata__
    (
        "__metadata__ with a number",
        "st",
        ST,
        with_header(lambda h: h.update(__metadata__={"format": 1})),
    ),
    (
        "__metadata__ with null",
        "st",
        ST,
        with_header(lambda h: h.update(__metadata__={"format": None})),
    ),
    (
        "__metadata__ with a list",
        "st",
        ST,
        with_header(lambda h: h.update(__metadata__={"a": ["x"]})),
    ),
    (
        "__metadata__ nested",
        "st",
        ST,
        with_header(lambda h: h.update(__metadata__={"a": {"b": "c"}})),
    ),
    (
        "__metadata__ a list",
        "st",
        ST,
        with_header(lambda h: h.update(__metadata__=["pt"])),
    ),
    (
        "__metadata__ a string",
        "st",
        ST,
        with_header(lambda h: h.update(__metadata__="pt")),
    ),
    # --- the same damage, met through load_gpt2
    ("gpt2: N one byte too small", "gpt2-st", ST, with_n(N - 1)),
    ("gpt2: trailing garbage", "gpt2-st", ST, raw_edit(lambda r: r + b"\x00" * 8)),
    (
        "gpt2: ln_f.bias aliasing ln_f.weight",
        "gpt2-st",
        ST,
        with_header(
            entry("ln_f.bias", data_offsets=HEADER["ln_f.weight"]["data_offsets"])
        ),
    ),
    ("gpt2: the file cut", "gpt2-st", ST, raw_edit(lambda r: r[:-4])),
    # --- config.json: sizes
    ("vocab_size 2,000,000", "gpt2", "config.json", config(vocab_size=2_000_000)),
    ("vocab_size 2**40", "gpt2", "config.json", config(vocab_size=2**40)),
    ("vocab_size 301", "gpt2", "config.json", config(vocab_size=301)),
    ("vocab_size 0", "gpt2", "config.json", config(vocab_size=0)),
    ("vocab_size -1", "gpt2", "config.json", config(vocab_size=-1)),
    ("vocab_size true", "gpt2", "config.json", config(vocab_size=True)),
    ("vocab_size 300.0", "gpt2", "config.json", config(vocab_size=300.0)),
    ("vocab_size '300'", "gpt2", "config.json", config(vocab_size="300")),
    ("vocab_size null", "gpt2", "config.json", config(vocab_size=None)),
    ("vocab_size missing", "gpt2", "config.json", config(vocab_size=DROP)),
    ("n_layer 10**9", "gpt2", "config.json", config(n_layer=10**9)),
    ("n_layer 2 (one stored)", "gpt2", "config.json", config(n_layer=2)),
    ("n_layer 0", "gpt2", "config.json", config(n_layer=0)),
    ("n_layer 1.5", "gpt2", "config.json", config(n_layer=1.5)),
    ("n_embd 16", "gpt2", "config.json", config(n_embd=16)),
    ("n_embd 2**40", "gpt2", "config.json", config(n_embd=2**40)),
    ("n_embd 9 (not divisible by n_head)", "gpt2", "config.json", config(n_embd=9)),
    ("n_head 3", "gpt2", "config.json", config(n_head=3)),
    ("n_head 0", "gpt2", "config.json", config(n_head=0)),
    ("n_positions 7", "gpt2", "config.json", config(n_positions=7)),
    ("n_positions 2**40", "gpt2", "config.json", config(n_positions=2**40)),
    ("n_positions false", "gpt2", "config.json", config(n_positions=False)),
    ("n_ctx not n_positions", "gpt2", "config.json", config(n_ctx=1024)),
    ("n_inner 33", "gpt2", "config.json", config(n_inner=33)),
    ("n_inner 2**40", "gpt2", "config.json", config(n_inner=2**40)),
    ("n_inner -1", "gpt2", "config.json", config(n_inner=-1)),
    ("n_inner '32'", "gpt2", "config.json", config(n_inner="32")),
    (
        "layer_norm_epsilon '1e-5'",
        "gpt2",
        "config.json",
        config(layer_norm_epsilon="1e-5"),
    ),
    ("layer_norm_epsilon -1", "gpt2", "config.json", config(layer_norm_epsilon=-1.0)),
    ("layer_norm_epsilon 0", "gpt2", "config.json", config(layer_norm_epsilon=0)),
    ("layer_norm_epsilon null", "gpt2", "config.json", config(layer_norm_epsilon=None)),
    ("layer_norm_epsilon true", "gpt2", "config.json", config(layer_norm_epsilon=True)),
    (
        "layer_norm_epsilon NaN",
        "gpt2",
        "config.json",
        config(layer_norm_epsilon=math.nan),
    ),
    (
        "layer_norm_epsilon Infinity",
        "gpt2",
        "config.json",
        config(layer_norm_epsilon=math.inf),
    ),
    (
        "layer_norm_epsilon 1e300",
        "gpt2",
        "config.json",
        config(layer_norm_epsilon=1e300),
    ),
    # --- config.json: architecture and the file itself
    ("model_type bert", "gpt2", "config.json", config(model_type="bert")),
    ("model_type missing", "gpt2", "config.json", config(model_type=DROP)),
    ("activation relu", "gpt2", "config.json", config(activation_function="relu")),
    (
        "tie_word_embeddings false",
        "gpt2",
        "config.json",
        config(tie_word_embeddings=False),
    ),
    (
        "tie_word_embeddings 'no'",
        "gpt2",
        "config.json",
        config(tie_word_embeddings="no"),
    ),
    (
        "scale_attn_by_inverse_layer_idx",
        "gpt2",
        "config.json",
        config(scale_attn_by_inverse_layer_idx=True),
    ),
    (
        "config not UTF-8",
        "gpt2",
        "config.json",
        {"config.json": GOOD["config.json"].replace(b"gpt2", b"gpt\xe9")},
    ),
    (
        "config in UTF-16",
        "gpt2",
        "config.json",
        {"config.json": GOOD["config.json"].decode().encode("utf-16")},
    ),
    ("config a list", "gpt2", "config.json", {"config.json": b"[]"}),
    ("config null", "gpt2", "config.json", {"config.json": b"null"}),
    ("config empty", "gpt2", "config.json", {"config.json": b""}),
    (
        "config cut short",
        "gpt2",
        "config.json",
        {"config.json": GOOD["config.json"][:-2]},
    ),
    (
        "config with n_layer twice",
        "gpt2",
        "config.json",
        {"config.json": _two_keys(GOOD["config.json"], b'"n_layer"')},
    ),
    (
        "config deeply nested",
        "gpt2",
        "config.json",
        {"config.json": b'{"a":' + NESTED + b"}"},
    ),
    (
        "config with a 5000-digit number",
        "gpt2",
        "config.json",
        {
            "config.json": GOOD["config.json"].replace(
                b'"vocab_size": 300', b'"vocab_size": ' + BIG_NUMBER
            )
        },
    ),
    (
        "config of 2 MB",
        "gpt2",
        "config.json",
        {"config.json": GOOD["config.json"][:-1] + b" " * 2_000_000 + b"}"},
    ),
    # --- model.safetensors against config.json
    (
        "c_attn 25 wide",
        "gpt2",
        ST,
        tensors(set_tensor("h.0.attn.c_attn.weight", np.zeros((8, 25), np.float32))),
    ),
    (
        "c_attn bias 25 wide",
        "gpt2",
        ST,
        tensors(set_tensor("h.0.attn.c_attn.bias", np.zeros(25, np.float32))),
    ),
    (
        "c_attn bias a scalar",
        "gpt2",
        ST,
        tensors(set_tensor("h.0.attn.c_attn.bias", np.zeros((), np.float32))),
    ),
    (
        "c_attn weight transposed",
        "gpt2",
        ST,
        tensors(set_tensor("h.0.attn.c_attn.weight", np.zeros((24, 8), np.float32))),
    ),
    ("a tensor missing", "gpt2", ST, tensors(drop_tensor("h.0.mlp.c_fc.bias"))),
    ("wte missing", "gpt2", ST, tensors(drop_tensor("wte.weight"))),
    (
        "an unknown tensor",
        "gpt2",
        ST,
        tensors(set_tensor("h.0.attn.extra", np.zeros(8, np.float32))),
    ),
    (
        "a second layer not in the config",
        "gpt2",
        ST,
        tensors(set_tensor("h.1.ln_1.weight", np.zeros(8, np.float32))),
    ),
    (
        "wte transposed",
        "gpt2",
        ST,
        tensors(set_tensor("wte.weight", np.zeros((8, 300), np.float32))),
    ),
    (
        "wpe too short",
        "gpt2",
        ST,
        tensors(set_tensor("wpe.weight", np.zeros((5, 8), np.float32))),
    ),
    (
        "ln_f.weight 2-D",
        "gpt2",
        ST,
        tensors(set_tensor("ln_f.weight", np.zeros((8, 1), np.float32))),
    ),
    (
        "wte of int64",
        "gpt2",
        ST,
        tensors(set_tensor("wte.weight", np.zeros((300, 8), np.int64))),
    ),
    (
        "ln_f.bias of bools",
        "gpt2",
        ST,
        tensors(set_tensor("ln_f.bias", np.zeros(8, bool))),
    ),
    # --- vocab.json
    ("vocab not JSON", "tok", "vocab.json", vocab(text=b"{not json")),
    (
        "vocab not UTF-8",
        "tok",
        "vocab.json",
        vocab(text=GOOD["vocab.json"].replace(b'"a"', b'"\xe1"', 1)),
    ),
    (
        "vocab in UTF-16",
        "tok",
        "vocab.json",
        vocab(text=GOOD["vocab.json"].decode().encode("utf-16")),
    ),
    ("vocab a list", "tok", "vocab.json", vocab(text=b"[1, 2, 3]")),
    ("vocab empty object", "tok", "vocab.json", vocab(text=b"{}")),
    (
        "vocab with string ids",
        "tok",
        "vocab.json",
        vocab(lambda v: {k: str(i) for k, i in v.items()}),
    ),
    (
        "vocab with a bool id",
        "tok",
        "vocab.json",
        vocab(lambda v: _renumbered(v, "!", True)),
    ),
    (
        "vocab with a float id",
        "tok",
        "vocab.json",
        vocab(lambda v: _renumbered(v, "!", 0.0)),
    ),
    (
        "vocab with a negative id",
        "tok",
        "vocab.json",
        vocab(lambda v: _renumbered(v, "!", -1)),
    ),
    (
        "vocab with a repeated id",
        "tok",
        "vocab.json",
        vocab(lambda v: _renumbered(v, "!", 1)),
    ),
    (
        "vocab with a 5000-digit id",
        "tok",
        "vocab.json",
        vocab(text=b'{"!": ' + BIG_NUMBER + b"}"),
    ),
    (
        "vocab with a token twice",
        "tok",
        "vocab.json",
        vocab(text=_two_keys(GOOD["vocab.json"], b'"!"')),
    ),
    ("vocab deeply nested", "tok", "vocab.json", vocab(text=b'{"a":' + NESTED + b"}")),
    (
        "vocab without <|endoftext|>",
        "tok",
        "vocab.json",
        vocab(lambda v: v.pop("<|endoftext|>") and None),
    ),
    (
        "vocab with <|endoftext|> first",
        "tok",
        "vocab.json",
        vocab(
            lambda v: {
                k: (len(v) - 1 if i == 0 else 0 if k == "<|endoftext|>" else i)
                for k, i in v.items()
            }
        ),
    ),
    (
        "vocab with a raw space token",
        "tok",
        "vocab.json",
        vocab(lambda v: {(" " if k == "!" else k): i for k, i in v.items()}),
    ),
    (
        "vocab with a snowman token",
        "tok",
        "vocab.json",
        vocab(lambda v: {("\u2603" if k == "!" else k): i for k, i in v.items()}),
    ),
    (
        "vocab with an empty token",
        "tok",
        "vocab.json",
        vocab(lambda v: {("" if k == "!" else k): i for k, i in v.items()}),
    ),
    ("vocab without a single byte", "tok", "vocab.json", vocab(_without_byte)),
    # --- merges.txt
    (
        "merges not UTF-8",
        "tok",
        "merges.txt",
        merges(raw=GOOD["merges.txt"] + b"\xff\xfe\n"),
    ),
    (
        "merges in UTF-16",
        "tok",
        "merges.txt",
        merges(raw=GOOD["merges.txt"].decode().encode("utf-16")),
    ),
    ("a merge of unknown tokens", "tok", "merges.txt", merges(MERGES + ["zzz qqq"])),
    (
        "a merge of three tokens",
        "tok",
        "merges.txt",
        merges(MERGES[:2] + ["t h e"] + MERGES[2:]),
    ),
    ("a merge of one token", "tok", "merges.txt", merges(MERGES + ["t"])),
    (
        "a blank line among the merges",
        "tok",
        "merges.txt",
        merges(MERGES[:3] + [""] + MERGES[3:]),
    ),
    ("a merge with a tab", "tok", "merges.txt", merges(MERGES + ["t\th"])),
    ("a merge making an unknown token", "tok", "merges.txt", merges(MERGES + ["! !"])),
    (
        "a merge of <|endoftext|>",
        "tok",
        "merges.txt",
        merges(MERGES + ["<|endoftext|> t"]),
    ),
    (
        "no #version line, a bad merge",
        "tok",
        "merges.txt",
        merges(MERGES[1:] + ["zzz qqq"]),
    ),
]

# The bad merge is the last line: its number must be right with and without #version.
LINE_OF_LAST = {
    "a merge of unknown tokens": len(MERGES) + 1,
    "no #version line, a bad merge": len(MERGES),
}

LOADERS = {
    "st": lambda d: load_safetensors(os.path.join(d, ST)),
    "gpt2": load_gpt2,
    "gpt2-st": load_gpt2,  # format damage met by load_gpt2: its reader reports it
    "tok": BPETokenizer.from_pretrained,
}
PREFIX = {
    "st": "load_safetensors",
    "gpt2": "load_gpt2",
    "gpt2-st": "load_safetensors",
    "tok": "BPETokenizer.from_pretrained",
}


class TookTooLongError(Exception):
    pass


def _on_alarm(signum, frame):
    raise TookTooLongError(f"no answer within {TIME_BOUND} s")


def _folder(tmp_path, changed: dict):
    for name, raw in {**GOOD, **changed}.items():
        (tmp_path / name).write_bytes(raw)
        if isinstance(raw, Sparse):
            os.truncate(tmp_path / name, raw.size)  # zeros the disk does not store
    return tmp_path


def _refusal(loader: str, folder):
    """The loader's exception on ``folder`` and its peak memory, within TIME_BOUND."""
    old = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, TIME_BOUND)
    tracemalloc.start()
    try:
        LOADERS[loader](str(folder))
    except Exception as err:  # noqa: BLE001 -- the test looks at what was raised
        error = err
    else:
        error = None
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    return error, peak


@pytest.mark.parametrize(
    "loader, file, changed", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_a_damaged_file_is_refused_clearly_and_cheaply(tmp_path, loader, file, changed):
    folder = _folder(tmp_path, changed)
    error, peak = _refusal(loader, folder)
    assert peak <= MEMORY_BOUND, f"peak {peak / 2**20:.1f} MB before refusing"
    assert error is not None, "the damaged file was accepted"
    assert isinstance(error, ValueError), f"{type(error).__name__}: {error}"
    message = str(error)
    assert message.startswith(f"{PREFIX[loader]}: "), message
    # The file, by its path or by its name and its folder's path (a size of config.json
    # that does not fit a tensor is reported at the tensor, in model.safetensors).
    assert repr(str(folder / file)) in message or (
        file in message and str(folder) in message
    ), message
    assert "\n" not in message and len(message) < 600, message


def test_the_table_has_over_a_hundred_damaged_files():
    kinds = {c[2] for c in CASES}
    assert len(CASES) >= 100 and kinds == {
        ST,
        "config.json",
        "vocab.json",
        "merges.txt",
    }
    assert len({c[0] for c in CASES}) == len(CASES)  # one id each
    raws = [
        c[1] + json.dumps(sorted((k, v.hex()) for k, v in c[3].items())) for c in CASES
    ]
    assert len(set(raws)) == len(raws)  # no two cases the same files for one loader


@pytest.mark.parametrize("case", sorted(LINE_OF_LAST))
def test_merges_errors_give_the_line_number(tmp_path, case):
    changed = next(c[3] for c in CASES if c[0] == case)
    folder = _folder(tmp_path, changed)
    lines = (folder / "merges.txt").read_text("utf-8").splitlines()
    assert lines[LINE_OF_LAST[case] - 1] == "zzz qqq"  # counted from 1, as editors do
    with pytest.raises(ValueError, match=rf"merges\.txt line {LINE_OF_LAST[case]} "):
        BPETokenizer.from_pretrained(folder)


def test_the_valid_folder_loads(tmp_path):
    """The table's damage is the only reason for its refusals."""
    folder = _folder(tmp_path, {})
    model, tokenizer = load_gpt2(str(folder))
    assert model.vocab_size == tokenizer.vocab_size == 300
    assert len(load_safetensors(folder / ST)) == 4 + 12 * SIZES["n_layers"]


# ------------------------------------------------------------------ buffers and saving


@pytest.mark.parametrize("buffer", ["attn.bias", "attn.masked_bias"])
@pytest.mark.parametrize("shape", [(), (6,), (1, 1, 6, 6)], ids=["rank 0", "1", "4"])
def test_mask_buffers_of_any_rank_are_skipped(tmp_path, buffer, shape):
    """transformers stored ``masked_bias`` as a 0-d tensor (-1e4), ``attn.bias`` as
    the (1, 1, n, n) causal mask; neither is a parameter."""
    arrays = {"transformer." + k: v for k, v in _valid_arrays().items()}
    arrays[f"transformer.h.0.{buffer}"] = np.full(shape, -1e4, np.float32)
    folder = _folder(tmp_path, {})
    save_safetensors(folder / ST, arrays, {"format": "pt"})
    model = load_gpt2_model(folder)
    assert np.array_equal(model.tok_emb.params["W_E"], _valid_arrays()["wte.weight"])


def test_save_gpt2_writes_transformers_format_and_plain_numbers(tmp_path):
    """numpy integers and a float32 eps in the model's sizes are written as JSON
    numbers (they are not JSON serializable as they are)."""
    sizes = {k: np.int64(v) for k, v in SIZES.items()}
    model = GPT2(**sizes, eps=np.float32(1e-5), rng=0)
    save_gpt2(model, tmp_path)
    config = json.loads((tmp_path / "config.json").read_text("utf-8"))
    assert config["n_layer"] == 1 and type(config["n_layer"]) is int
    assert config["layer_norm_epsilon"] == pytest.approx(1e-5)
    assert _unpack((tmp_path / ST).read_bytes())[0]["__metadata__"] == {"format": "pt"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.json", ST]


def test_a_failed_save_gpt2_leaves_the_folder_as_it_was(tmp_path, monkeypatch):
    import scratchml.gpt2

    save_gpt2(GPT2(**SIZES, rng=0), tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def full_disk(path, *args, **kwargs):
        with open(path, "wb") as f:
            f.write(b"\0" * 100)  # half a file, then the disk is full
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(scratchml.gpt2, "save_safetensors", full_disk)
    bigger = GPT2(**dict(SIZES, n_layers=2), rng=1)
    with pytest.raises(OSError, match="save_gpt2: cannot write into .*No space left"):
        save_gpt2(bigger, tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_save_gpt2_refuses_a_model_its_loader_would_refuse_before_writing(tmp_path):
    model = GPT2(
        vocab_size=3, d_model=2, n_heads=1, n_layers=1, context_length=2**20 + 1
    )
    target = tmp_path / "out"
    with pytest.raises(ValueError, match=r"^save_gpt2: .*n_positions = 1048577"):
        save_gpt2(model, target)
    assert not target.exists()


def test_save_safetensors_write_errors_name_the_path_given(tmp_path, monkeypatch):
    import builtins

    real_open = builtins.open

    def no_permission(path, mode="r", *args, **kwargs):
        if "w" in mode:
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", no_permission)
    target = tmp_path / "x.safetensors"
    with pytest.raises(PermissionError) as info:
        save_safetensors(target, {"a": np.ones(2, np.float32)})
    message = str(info.value)
    assert message == (
        f"save_safetensors: cannot write {str(target)!r}: Permission denied"
    ), message
    assert list(tmp_path.iterdir()) == []


def test_the_size_bounds_the_docstring_states_are_the_checked_ones():
    from scratchml._checks import GPT2_LIMITS
    from scratchml.gpt2 import gpt2_config

    doc = " ".join(gpt2_config.__doc__.split())
    for key, words in [
        ("n_layer", "layers"),
        ("n_embd", "width"),
        ("vocab_size", "tokens"),
        ("n_positions", "positions"),
    ]:
        number = f"{GPT2_LIMITS[key]:,}"
        assert re.search(rf"(?<![\d,]){number} {words}|{words} {number}", doc), key
