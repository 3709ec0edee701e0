"""The safetensors file format, read and written with numpy alone.

A ``.safetensors`` file is three things, one after the other::

    8 bytes     N, the header's length: an unsigned 64-bit little-endian integer
    N bytes     the header: JSON, {"name": {"dtype": "F32", "shape": [768, 2304],
                "data_offsets": [begin, end]}, ..., "__metadata__": {...}}
    the rest    the data: each tensor's raw little-endian bytes, in C order, at
                [begin, end) counted from the first byte after the header

No code runs when a file is read (unlike a pickle), and because the bytes are already in
the layout numpy uses, ``load_safetensors`` maps the file into memory and hands out
views: nothing is copied, and the operating system reads a page only when it is used.
"""

# --8<-- [start:imports]
import json
import math
import os

import numpy as np

# --8<-- [end:imports]

# --8<-- [start:dtypes]
DTYPES = {  # safetensors' names -> little-endian numpy dtypes
    "F64": "<f8",
    "F32": "<f4",
    "F16": "<f2",
    "I64": "<i8",
    "I32": "<i4",
    "I16": "<i2",
    "I8": "i1",
    "U8": "u1",
    "BOOL": "?",
}
# --8<-- [end:dtypes]


def _fail(path, problem: str):
    raise ValueError(
        f"load_safetensors: {os.fspath(path)!r} is not a valid safetensors file: "
        f"{problem}"
    )


# --8<-- [start:read_header]
def read_safetensors_header(path) -> tuple[dict, int]:
    """The parsed JSON header of a safetensors file and the offset where its data starts.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    header : dict
        Tensor name -> ``{"dtype", "shape", "data_offsets"}``, plus ``"__metadata__"``
        (a dict of strings) when the file has one.
    data_start : int
        ``8 + N``: the byte where the data section begins.
    """
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        head = f.read(8)
        if len(head) < 8:
            _fail(path, f"it has {size} bytes, fewer than the 8 of the header length")
        n = int.from_bytes(head, "little")  # the header's length, little-endian
        if n > size - 8:
            _fail(path, f"the header claims {n} bytes but only {size - 8} follow")
        raw = f.read(n)
    try:
        header = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        _fail(path, f"the header is not JSON ({err})")
    if not isinstance(header, dict):
        _fail(path, f"the header is a JSON {type(header).__name__}, not an object")
    return header, 8 + n


# --8<-- [end:read_header]


def _check_entry(path, name: str, entry, data_size: int) -> None:
    """Every field of one tensor's header entry, against the size of the data section."""
    if not isinstance(entry, dict) or not {"dtype", "shape", "data_offsets"} <= set(
        entry
    ):
        _fail(
            path, f"tensor {name!r} needs dtype, shape and data_offsets, got {entry!r}"
        )
    if entry["dtype"] not in DTYPES:
        raise ValueError(
            f"load_safetensors: tensor {name!r} in {os.fspath(path)!r} has dtype "
            f"{entry['dtype']!r}; supported: {', '.join(DTYPES)}"
        )
    shape, offsets = entry["shape"], entry["data_offsets"]
    ints = (
        isinstance(v, int) and not isinstance(v, bool) and v >= 0
        for v in [*shape, *offsets]
    )
    if (
        not isinstance(shape, list)
        or not isinstance(offsets, list)
        or len(offsets) != 2
    ):
        _fail(path, f"tensor {name!r} has shape {shape!r} and data_offsets {offsets!r}")
    if not all(ints):
        _fail(path, f"tensor {name!r} has shape {shape!r} and data_offsets {offsets!r}")
    begin, end = offsets
    if not begin <= end <= data_size:
        _fail(
            path,
            f"tensor {name!r} has data_offsets {offsets} outside the {data_size} bytes "
            "of data",
        )
    nbytes = math.prod(shape) * np.dtype(DTYPES[entry["dtype"]]).itemsize
    if end - begin != nbytes:
        _fail(
            path,
            f"tensor {name!r} of shape {shape} and dtype {entry['dtype']} needs "
            f"{nbytes} bytes but its data_offsets {offsets} span {end - begin}",
        )


# --8<-- [start:load_safetensors]
def load_safetensors(path, writable: bool = False) -> dict[str, np.ndarray]:
    """Every tensor of a safetensors file, as arrays mapped from the file.

    Parameters
    ----------
    path : str or os.PathLike
    writable : bool, default False
        False: read-only arrays. True: copy-on-write arrays; writing to one copies the
        pages it touches into this process's memory and never changes the file.

    Returns
    -------
    dict[str, numpy.ndarray]
        Name -> array of the stored dtype and shape. The arrays are views of one memory
        map of the file: loading copies nothing.

    Raises
    ------
    ValueError
        For a truncated or corrupt header, an unknown dtype, or offsets out of range.
    """
    if not os.path.isfile(path):
        raise ValueError(f"load_safetensors: path {os.fspath(path)!r} is not a file")
    if not isinstance(writable, bool):
        raise TypeError(
            f"load_safetensors: writable must be True or False, got {writable!r}"
        )
    header, data_start = read_safetensors_header(path)
    header.pop("__metadata__", None)
    data_size = os.path.getsize(path) - data_start
    for name, entry in header.items():
        _check_entry(path, name, entry, data_size)
    if data_size == 0:  # np.memmap cannot map zero bytes
        return {n: np.zeros(e["shape"], DTYPES[e["dtype"]]) for n, e in header.items()}
    mode = "c" if writable else "r"  # "c": copy-on-write
    data = np.memmap(
        path, dtype=np.uint8, mode=mode, offset=data_start
    )  # (data_size,) bytes
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        raw = data[begin:end]  # (nbytes,) a view: nothing read yet
        tensors[name] = raw.view(DTYPES[entry["dtype"]]).reshape(entry["shape"])
    return tensors


# --8<-- [end:load_safetensors]


# --8<-- [start:save_safetensors]
def save_safetensors(path, tensors: dict, metadata=None) -> None:
    """Write arrays to ``path`` in the safetensors format.

    Parameters
    ----------
    path : str or os.PathLike
    tensors : dict[str, numpy.ndarray]
        Name -> array of a dtype listed in ``DTYPES``.
    metadata : dict[str, str], optional
        Stored as the header's ``"__metadata__"`` (Hugging Face writes ``{"format":
        "pt"}``).
    """
    if os.path.isdir(path):
        raise ValueError(
            f"save_safetensors: path {os.fspath(path)!r} is a directory, not a file"
        )
    if not isinstance(tensors, dict):
        raise TypeError(
            f"save_safetensors: tensors must be a dict, got {type(tensors).__name__}"
        )
    names = {np.dtype(v): k for k, v in DTYPES.items()}
    header, arrays, offset = {}, [], 0
    for name, value in tensors.items():
        a = np.asarray(value)  # tobytes() writes C order whatever the layout
        kind = names.get(
            a.dtype.newbyteorder("<") if a.dtype.byteorder == ">" else a.dtype
        )
        if not isinstance(name, str) or kind is None:
            raise TypeError(
                f"save_safetensors: tensors[{name!r}] must be an array of one of "
                f"{', '.join(DTYPES)} under a str name, got dtype {a.dtype}"
            )
        a = a.astype(DTYPES[kind], copy=False)  # little-endian bytes
        header[name] = {
            "dtype": kind,
            "shape": list(a.shape),
            "data_offsets": [offset, offset + a.nbytes],
        }
        arrays.append(a)
        offset += a.nbytes
    if metadata is not None:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)  # pad with spaces so the data starts 8-byte aligned
    # Written beside the target, then renamed over it: a model loaded from the old file
    # keeps reading it (it is mapped), and a failed write leaves the old file as it was.
    part = f"{os.fspath(path)}.part"
    try:
        with open(part, "wb") as f:
            f.write(len(raw).to_bytes(8, "little"))  # N, little-endian
            f.write(raw)
            for a in arrays:
                f.write(a.tobytes())
        os.replace(part, path)
    except BaseException:
        if os.path.exists(part):
            os.remove(part)
        raise


# --8<-- [end:save_safetensors]
