"""Byte-pair encoding: GPT-2's tokenizer, learned from scratch.

A character tokenizer gives every character one id; GPT-2 gives frequent *pieces* of
text
one id each (``" the"``, ``"ing"``, ``"def"``), so the same text takes fewer tokens. The
pieces are learned by byte-pair encoding (BPE):

1. write the text as UTF-8 bytes: 256 starting tokens, enough for any text;
2. cut it into pre-tokens with GPT-2's pattern (words with their leading space, numbers,
   punctuation runs, whitespace), so that no token ever spans two of them;
3. count every adjacent pair of tokens, merge the most frequent pair into a new token,
   and repeat until the vocabulary has the size asked for.

Encoding a new text replays the merges in the order they were learned. Saved with
``save``, a tokenizer is two files in GPT-2's own format, ``vocab.json`` and
``merges.txt``, and ``BPETokenizer.from_pretrained`` reads the files of a real GPT-2
download as well as its own.
"""

# --8<-- [start:imports]
import heapq
import json
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import regex

from scratchml._checks import (
    ArgumentTypeError,
    as_array,
    as_token_ids,
    check_positive_int,
)

# --8<-- [end:imports]

# --8<-- [start:pattern]
# GPT-2's pre-tokenization pattern: contractions, words and numbers with their leading
# space, runs of other symbols, and whitespace (a run of spaces leaves its last space to
# the word after it).
GPT2_PATTERN = (
    r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
)

# GPT-2's one special token: it marks a document boundary and gets the last id.
END_OF_TEXT = "<|endoftext|>"
# --8<-- [end:pattern]

# GPT-2's own vocab.json and merges.txt, shipped with the package (see its README).
GPT2_FILES = Path(__file__).parent / "_data" / "gpt2"


# --8<-- [start:bytes_to_unicode]
def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's table from the 256 byte values to 256 printable characters.

    ``vocab.json`` and ``merges.txt`` are text files, and a token is a string of bytes
    that need not be valid UTF-8 (half of a two-byte character, a lone space). GPT-2
    writes each byte as one visible character: the 188 bytes that are already printable
    Latin-1 characters stand for themselves (``"a"`` is ``"a"``); the other 68 (control
    codes, the space, ...) are shifted to the characters from U+0100 up, so the space
    ``0x20`` is written ``"Ġ"`` and the newline ``0x0A`` is ``"Ċ"``.

    Returns
    -------
    dict[int, str]
        Byte value -> one character; 256 entries, all distinct.
    """
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]  # 188 byte values that are visible Latin-1 characters
    table = {b: chr(b) for b in printable}
    shifted = 0
    for b in range(256):
        if b not in table:
            table[b] = chr(256 + shifted)  # the next unused character from U+0100
            shifted += 1
    return dict(sorted(table.items()))


# --8<-- [end:bytes_to_unicode]

_BYTE_TO_CHAR = bytes_to_unicode()
_CHAR_TO_BYTE = {c: b for b, c in _BYTE_TO_CHAR.items()}


def _to_symbols(token: bytes) -> str:
    """A token's bytes written with GPT-2's characters (how the files spell it)."""
    return "".join(_BYTE_TO_CHAR[b] for b in token)


# --8<-- [start:merge_pair]
def merge_pair(ids: list[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """Replace every occurrence of ``pair`` in ``ids``, left to right, by ``new_id``.

    >>> merge_pair([5, 6, 6, 6, 5, 6], (5, 6), 9)
    [9, 6, 6, 9]
    """
    out = []
    i = 0
    while i < len(ids):
        if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


# --8<-- [end:merge_pair]


# --8<-- [start:bpe_tokenizer]
class BPETokenizer:
    """A byte-level BPE tokenizer in GPT-2's format.

    Build one with ``BPETokenizer.train`` (learned from a text) or
    ``BPETokenizer.from_pretrained`` (read from ``vocab.json`` and ``merges.txt``).

    Parameters
    ----------
    tokens : list[bytes]
        The vocabulary without the special token: id -> bytes. Every single byte must be
        in it.
    merges : list[tuple[int, int]]
        The merge rules in the order they were learned: rule ``r`` joins the tokens with
        ids ``(a, b)`` into the token whose bytes are ``tokens[a] + tokens[b]``.
    pattern : str
        The pre-tokenization regular expression (``regex`` syntax).

    Attributes
    ----------
    vocab_size : int
        ``len(tokens) + 1``: the special token ``<|endoftext|>`` has the last id,
        ``eot_id``.
    """

    def __init__(self, tokens, merges, pattern: str = GPT2_PATTERN) -> None:
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
        self.token_id = {t: i for i, t in enumerate(tokens)}  # bytes -> id
        if len(self.token_id) != len(tokens):
            raise ValueError(f"{where}: tokens contains a repeated token")
        missing = [b for b in range(256) if bytes([b]) not in self.token_id]
        if missing:
            raise ValueError(f"{where}: tokens lacks the single byte {missing[0]:#04x}")
        self.tokens = tokens
        self.merges = _check_merges(where, merges, len(tokens))
        self.ranks = {}  # (a, b) -> (rank, id of the merged token)
        for rank, (a, b) in enumerate(self.merges):
            merged = self.token_id.get(tokens[a] + tokens[b])
            if merged is None:
                raise ValueError(
                    f"{where}: merges[{rank}] makes a token not in the vocabulary"
                )
            self.ranks[(a, b)] = (rank, merged)
        self.pattern = pattern
        self._regex = _compile(where, pattern)
        self.eot_id = len(tokens)
        self._cache: dict[str, list[int]] = {}  # pre-token -> its ids

    @property
    def vocab_size(self) -> int:
        return len(self.tokens) + 1

    # --8<-- [end:bpe_tokenizer]

    # --8<-- [start:train]
    @classmethod
    def train(
        cls, text: str, vocab_size: int, pattern: str = GPT2_PATTERN
    ) -> "BPETokenizer":
        """Learn ``vocab_size - 257`` merges from ``text``.

        Parameters
        ----------
        text : str
            The training text. ``<|endoftext|>`` in it is a boundary, never merged.
        vocab_size : int
            At least 257: the 256 bytes and ``<|endoftext|>``; each merge adds one token.
        pattern : str
            The pre-tokenization pattern, GPT-2's by default.

        Returns
        -------
        BPETokenizer

        Notes
        -----
        Pairs are counted once per distinct pre-token, weighted by how often it occurs
        (``" the"`` is counted once, times 9,000), and after each merge only the
        pre-tokens that contain the merged pair are recounted. Ties between equally
        frequent pairs go to the pair with the smaller ids.
        """
        where = "BPETokenizer.train"
        if not isinstance(text, str):
            raise TypeError(f"{where}: text must be a str, got {type(text).__name__}")
        if not text:
            raise ValueError(f"{where}: text is empty")
        vocab_size = check_positive_int(where, "vocab_size", vocab_size)
        if vocab_size < 257:
            raise ValueError(
                f"{where}: vocab_size must be at least 257 (256 bytes + "
                f"{END_OF_TEXT}), "
                f"got {vocab_size}"
            )
        compiled = _compile(where, pattern)
        counts = Counter()  # pre-token -> how often it occurs
        for part in text.split(END_OF_TEXT):
            counts.update(compiled.findall(part))
        words = [list(_utf8(where, "text", w)) for w in counts]  # each: a list of ids
        freq = list(counts.values())
        tokens = [bytes([b]) for b in range(256)]
        merges = []
        pairs, where_pair = _count_pairs(words, freq)
        heap = [(-n, pair) for pair, n in pairs.items()]
        heapq.heapify(heap)
        while len(tokens) + 1 < vocab_size:
            pair = _pop_most_frequent(heap, pairs)
            if pair is None:
                raise ValueError(
                    f"{where}: the text has no pair left to merge after {len(merges)} "
                    "merges; "
                    f"vocab_size={vocab_size} needs {vocab_size - 257} (use a longer "
                    "text "
                    "or a smaller vocab_size)"
                )
            new_id = len(tokens)
            tokens.append(tokens[pair[0]] + tokens[pair[1]])
            merges.append(pair)
            for w in where_pair.pop(pair):
                _recount(words, freq, w, pair, new_id, pairs, where_pair, heap)
        return cls(tokens, merges, pattern)

    # --8<-- [end:train]

    # --8<-- [start:encode]
    def encode(self, text: str) -> np.ndarray:
        """Return the token ids of ``text``: int64 array, shape ``(n_tokens,)``.

        ``<|endoftext|>`` in the text becomes the special id ``eot_id``.
        """
        where = "BPETokenizer.encode"
        if not isinstance(text, str):
            raise TypeError(f"{where}: text must be a str, got {type(text).__name__}")
        ids = []
        for k, part in enumerate(text.split(END_OF_TEXT)):
            if k > 0:
                ids.append(self.eot_id)
            for word in self._regex.findall(part):
                ids.extend(self._encode_word(where, word))
        return np.array(ids, dtype=np.int64)  # (n_tokens,)

    def _encode_word(self, where: str, word: str) -> list[int]:
        """One pre-token: its bytes, then the merges, lowest rank first."""
        if word in self._cache:
            return self._cache[word]
        ids = list(_utf8(where, "text", word))  # byte values are the first 256 ids...
        ids = [
            self.token_id[bytes([b])] for b in ids
        ]  # ...unless the files say otherwise
        while len(ids) > 1:
            candidates = [
                self.ranks[p]
                for p in zip(ids, ids[1:], strict=False)
                if p in self.ranks
            ]
            if not candidates:
                break
            rank, new_id = min(candidates)  # the earliest-learned merge present
            ids = merge_pair(ids, self.merges[rank], new_id)
        self._cache[word] = ids
        return ids

    # --8<-- [end:encode]

    # --8<-- [start:decode]
    def decode(self, ids) -> str:
        """Return the text of a 1-D sequence of ids.

        The bytes of the tokens are joined and read as UTF-8; a sequence that stops in
        the middle of a character gets U+FFFD for the broken part, as GPT-2 does.
        """
        where = "BPETokenizer.decode"
        arr = as_array(where, "ids", ids)
        if arr.ndim != 1:
            raise ValueError(f"{where}: ids has shape {arr.shape} but must be 1-D")
        if arr.size == 0:
            return ""
        arr = as_token_ids(where, "ids", arr, self.vocab_size)
        pieces = [
            END_OF_TEXT.encode() if i == self.eot_id else self.tokens[i]
            for i in arr.tolist()
        ]
        return b"".join(pieces).decode("utf-8", errors="replace")

    # --8<-- [end:decode]

    # --8<-- [start:save]
    def save(self, directory) -> Path:
        """Write ``vocab.json`` and ``merges.txt`` in GPT-2's format into ``directory``.

        ``vocab.json`` maps every token, spelled with ``bytes_to_unicode``, to its id;
        ``merges.txt`` has the line ``#version: 0.2`` and then one merge per line, the
        two tokens separated by a space, in the order they were learned.

        Returns
        -------
        pathlib.Path
            The directory (created if needed).
        """
        directory = _as_path("BPETokenizer.save", "directory", directory)
        if directory.exists() and not directory.is_dir():
            raise ValueError(
                f"BPETokenizer.save: directory {str(directory)!r} is a file, not a "
                "directory"
            )
        directory.mkdir(parents=True, exist_ok=True)
        vocab = {_to_symbols(t): i for i, t in enumerate(self.tokens)}
        vocab[END_OF_TEXT] = self.eot_id
        (directory / "vocab.json").write_text(
            json.dumps(vocab, ensure_ascii=False), "utf-8"
        )
        lines = ["#version: 0.2"]
        lines += [
            f"{_to_symbols(self.tokens[a])} {_to_symbols(self.tokens[b])}"
            for a, b in self.merges
        ]
        (directory / "merges.txt").write_text("\n".join(lines) + "\n", "utf-8")
        return directory

    # --8<-- [end:save]

    # --8<-- [start:from_pretrained]
    @classmethod
    def from_pretrained(cls, directory) -> "BPETokenizer":
        """Read ``vocab.json`` and ``merges.txt`` (GPT-2's format) from ``directory``.

        Works for the files ``save`` writes and for those of a GPT-2 download (50,257
        tokens, 50,000 merges). ``<|endoftext|>`` must have the last id.

        Raises
        ------
        ValueError
            If a file is missing, is not valid JSON or UTF-8, or the files disagree (a
            merge of tokens that are not in the vocabulary, ids that are not 0..n-1).
        """
        where = "BPETokenizer.from_pretrained"
        directory = _as_path(where, "directory", directory)
        vocab_path, merges_path = directory / "vocab.json", directory / "merges.txt"
        for path in (vocab_path, merges_path):
            if not path.is_file():
                raise ValueError(f"{where}: no file {str(path)!r}")
        try:
            vocab = json.loads(vocab_path.read_text("utf-8"))
            merge_lines = merges_path.read_text("utf-8").splitlines()
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ValueError(
                f"{where}: {str(directory)!r}: unreadable file ({err})"
            ) from None
        return cls(*_parse_files(where, vocab, merge_lines))

    # --8<-- [end:from_pretrained]

    # --8<-- [start:gpt2]
    @classmethod
    def gpt2(cls) -> "BPETokenizer":
        """GPT-2's own tokenizer: OpenAI's 50,257 tokens and 50,000 merges, offline.

        The files ship with the package (``scratchml/_data/gpt2/``, under OpenAI's
        licence for GPT-2, copied beside them); they are byte for byte the
        ``encoder.json`` and ``vocab.bpe`` published with the GPT-2 models.

        Returns
        -------
        BPETokenizer
            ``encode("hello world")`` gives ``[31373, 995]``, as tiktoken's ``gpt2``
            encoding does; ``<|endoftext|>`` is id 50256.
        """
        return cls.from_pretrained(GPT2_FILES)

    # --8<-- [end:gpt2]


def _parse_files(where: str, vocab, merge_lines: list[str]):
    """Check the two files' contents and return ``(tokens, merges)``."""
    if not isinstance(vocab, dict) or not all(
        isinstance(i, int) for i in vocab.values()
    ):
        raise ValueError(
            f"{where}: vocab.json must be one object mapping tokens to int ids"
        )
    if vocab.get(END_OF_TEXT) != len(vocab) - 1:
        raise ValueError(f"{where}: vocab.json must give {END_OF_TEXT} the last id")
    if sorted(vocab.values()) != list(range(len(vocab))):
        raise ValueError(f"{where}: the ids in vocab.json are not 0..{len(vocab) - 1}")
    tokens = [b""] * (len(vocab) - 1)
    for symbols, i in vocab.items():
        if symbols != END_OF_TEXT:
            tokens[i] = _from_symbols(where, "vocab.json", symbols)
    if merge_lines and merge_lines[0].startswith("#version"):
        merge_lines = merge_lines[1:]
    merges = []
    for n, line in enumerate(merge_lines):
        parts = line.split(" ")
        if len(parts) != 2 or parts[0] not in vocab or parts[1] not in vocab:
            raise ValueError(
                f"{where}: merges.txt line {n + 2} ({line!r:.40}) is not two tokens of "
                "vocab.json"
            )
        merges.append((vocab[parts[0]], vocab[parts[1]]))
    return tokens, merges


def _from_symbols(where: str, name: str, symbols: str) -> bytes:
    try:
        return bytes(_CHAR_TO_BYTE[c] for c in symbols)
    except KeyError:
        raise ValueError(
            f"{where}: {name} has the token {symbols!r:.40}, not written with GPT-2's "
            "byte-to-unicode characters"
        ) from None


def _utf8(where: str, name: str, text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise ValueError(
            f"{where}: {name} holds the lone surrogate {err.object[err.start]!r}, "
            "which "
            "has no UTF-8 bytes"
        ) from None


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


def _compile(where: str, pattern):
    """The pre-tokenization pattern, compiled; a clear error if it is not a valid one."""
    if not isinstance(pattern, str):
        raise TypeError(f"{where}: pattern must be a str, got {type(pattern).__name__}")
    try:
        return regex.compile(pattern)
    except regex.error as err:
        raise ValueError(
            f"{where}: pattern {pattern!r:.60} is not a valid regular expression "
            f"({err})"
        ) from None


def _as_path(where: str, name: str, value) -> Path:
    if not isinstance(value, str | Path) or not str(value):
        raise TypeError(f"{where}: {name} must be a str or path, got {value!r:.40}")
    return Path(value)


# --8<-- [start:training_helpers]
def _count_pairs(words: list[list[int]], freq: list[int]):
    """Every adjacent pair's count, and which words hold it."""
    pairs = defaultdict(int)  # (a, b) -> occurrences in the whole text
    where_pair = defaultdict(set)  # (a, b) -> indices of the words that contain it
    for w, (ids, n) in enumerate(zip(words, freq, strict=False)):
        for pair in zip(ids, ids[1:], strict=False):
            pairs[pair] += n
            where_pair[pair].add(w)
    return pairs, where_pair


def _pop_most_frequent(heap: list, pairs: dict):
    """The most frequent pair (smaller ids on a tie); stale heap entries are skipped."""
    while heap:
        neg_count, pair = heapq.heappop(heap)
        if pairs.get(pair, 0) == -neg_count and -neg_count > 0:
            del pairs[pair]
            return pair
    return None


def _recount(words, freq, w, pair, new_id, pairs, where_pair, heap) -> None:
    """Merge ``pair`` in word ``w`` and update the counts of the pairs it changes."""
    old = words[w]
    new = merge_pair(old, pair, new_id)
    n = freq[w]
    changed = set()
    for p in zip(old, old[1:], strict=False):
        if p != pair:
            pairs[p] -= n
            changed.add(p)
    for p in zip(new, new[1:], strict=False):
        pairs[p] += n
        where_pair[p].add(w)
        changed.add(p)
    for p in changed:
        heapq.heappush(heap, (-pairs[p], p))  # the newest count; older entries go stale
    words[w] = new


# --8<-- [end:training_helpers]
