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
import os

import numpy as np

from scratchml._checks import (
    check_header_json,
    check_header_length,
    check_load_safetensors,
    check_safetensors_entries,
    check_save_safetensors,
)

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


# --8<-- [start:read_header]
def read_safetensors_header(path) -> tuple[dict, int]:
    """The parsed JSON header of a safetensors file and the offset of its data.

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

    Raises
    ------
    ValueError
        Unless the file is valid as the format's reference reader defines it: a header
        of at most 100 MB, a UTF-8 JSON object naming each tensor once, every tensor of
        a known dtype and a shape of at most 8 dimensions, and the tensors' bytes
        covering the data exactly, in order, from its first byte to the file's end.
    """
    with open(path, "rb") as f:
        n = check_header_length(path, f.read(8))  # N: 8 bytes, little-endian
        header = check_header_json(path, f.read(n))  # N bytes of JSON: an object
    data_size = os.path.getsize(path) - 8 - n
    check_safetensors_entries(path, header, data_size, DTYPES)  # cover the data exactly
    return header, 8 + n


# --8<-- [end:read_header]


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
        For a file the format's reference reader would refuse (see
        ``read_safetensors_header``): a truncated or corrupt header, an unknown dtype,
        tensors that overlap, leave gaps or do not reach the end of the file.
    """
    check_load_safetensors(path, writable)  # an existing file, a bool
    header, data_start = read_safetensors_header(path)  # checked against the data
    header.pop("__metadata__", None)
    if os.path.getsize(path) == data_start:  # np.memmap cannot map zero bytes
        return {n: np.zeros(e["shape"], DTYPES[e["dtype"]]) for n, e in header.items()}
    mode = "c" if writable else "r"  # "c": copy-on-write
    data = np.memmap(path, dtype=np.uint8, mode=mode, offset=data_start)  # bytes
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

    Raises
    ------
    ValueError
        If ``path`` is a directory or its folder does not exist, or a tensor is named
        ``"__metadata__"`` (the key the format keeps for the metadata).
    TypeError
        For a dtype the format has no name for, a name that is not a str.
    OSError
        If the file cannot be written; nothing is left behind.
    """
    check_save_safetensors(path, tensors, DTYPES, metadata)  # arrays by str names
    names = {np.dtype(v): k for k, v in DTYPES.items()}
    header, arrays, offset = {}, [], 0
    for name, value in tensors.items():
        a = np.asarray(value)  # tobytes() writes C order whatever the layout
        kind = names[a.dtype.newbyteorder("<")]  # "F32", ...: little-endian names
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
    except BaseException as err:
        if os.path.exists(part):
            os.remove(part)
        if isinstance(err, OSError):  # disk full, no permission: name the target
            problem = err.strerror or err
            raise type(err)(
                f"save_safetensors: cannot write {os.fspath(path)!r}: {problem}"
            ) from err
        raise


# --8<-- [end:save_safetensors]
