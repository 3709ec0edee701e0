"""Byte-pair encoding: GPT-2's tokenizer, learned from scratch.

A character tokenizer gives every character one id; GPT-2 gives frequent *pieces* of
text one id each (``" the"``, ``"ing"``, ``"def"``), so the same text takes fewer
tokens. The pieces are learned by byte-pair encoding (BPE):

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
from itertools import pairwise
from pathlib import Path

import numpy as np

from scratchml._checks import (
    check_bpe_ids,
    check_bpe_tokenizer,
    check_bpe_train,
    check_merges_found,
    check_path,
    check_text,
    read_bpe_files,
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
    # 188 byte values that are visible Latin-1 characters
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
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
        tokens, merges, self._regex = check_bpe_tokenizer(tokens, merges, pattern)
        self.tokens = tokens  # id -> bytes
        self.token_id = {t: i for i, t in enumerate(tokens)}  # bytes -> id
        self.merges = merges  # (a, b) pairs of ids, in the order they were learned
        self.ranks = {  # (a, b) -> (rank, id of the merged token): what encode needs
            (a, b): (rank, self.token_id[tokens[a] + tokens[b]])
            for rank, (a, b) in enumerate(merges)
        }
        self.pattern = pattern
        self.eot_id = len(tokens)  # <|endoftext|> gets the last id
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
            At least 257: the 256 bytes and ``<|endoftext|>``; each merge adds one
            token.
        pattern : str
            The pre-tokenization pattern, GPT-2's by default.

        Returns
        -------
        BPETokenizer

        Notes
        -----
        Pairs are counted once per distinct pre-token, weighted by how often it occurs
        (``" the"`` is counted once, times 9,000). The merges are those of
        ``_learn_merges``; ``_learn_merges_fast`` finds them faster, recounting after
        each merge only the pre-tokens that contain the merged pair. Ties between
        equally frequent pairs go to the pair with the smaller ids.
        """
        text, vocab_size, splitter = check_bpe_train(text, vocab_size, pattern)
        counts = Counter()  # pre-token -> how often it occurs
        for part in text.split(END_OF_TEXT):  # no pre-token spans <|endoftext|>
            counts.update(splitter.findall(part))
        words = [list(w.encode("utf-8")) for w in counts]  # each: its bytes, as ids
        freq = list(counts.values())  # how often each word occurs
        # Optimisation: _learn_merges_fast gives _learn_merges' merges, far faster.
        tokens, merges = _learn_merges_fast(words, freq, vocab_size - 257)
        return cls(tokens, check_merges_found(merges, vocab_size), pattern)

    # --8<-- [end:train]

    # --8<-- [start:encode]
    def encode(self, text: str) -> np.ndarray:
        """Return the token ids of ``text``: int64 array, shape ``(n_tokens,)``.

        ``<|endoftext|>`` in the text becomes the special id ``eot_id``.
        """
        text = check_text("BPETokenizer.encode", text)
        ids = []
        for k, part in enumerate(text.split(END_OF_TEXT)):
            if k > 0:
                ids.append(self.eot_id)  # the special token between two parts
            for word in self._regex.findall(part):
                ids.extend(self._encode_word(word))
        return np.array(ids, dtype=np.int64)  # (n_tokens,)

    def _encode_word(self, word: str) -> list[int]:
        """One pre-token: its bytes, then the merges, lowest rank first."""
        if word in self._cache:
            return self._cache[word]
        ids = [self.token_id[bytes([b])] for b in word.encode("utf-8")]  # its bytes
        while len(ids) > 1:
            found = [(self.ranks[p], p) for p in pairwise(ids) if p in self.ranks]
            if not found:
                break  # no learned merge applies any more
            (rank, new_id), pair = min(found)  # the earliest-learned merge present
            ids = merge_pair(ids, pair, new_id)
        self._cache[word] = ids
        return ids

    # --8<-- [end:encode]

    # --8<-- [start:decode]
    def decode(self, ids) -> str:
        """Return the text of a 1-D sequence of ids.

        The bytes of the tokens are joined and read as UTF-8; a sequence that stops in
        the middle of a character gets U+FFFD for the broken part, as GPT-2 does.
        """
        ids = check_bpe_ids(ids, self.vocab_size)  # a list of ints
        pieces = [
            END_OF_TEXT.encode() if i == self.eot_id else self.tokens[i] for i in ids
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
        directory = check_path("BPETokenizer.save", "directory", directory, True)
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
            merge of tokens that are not in the vocabulary, ids that are not 0..n-1, a
            single byte missing); the message names the file and, for ``merges.txt``,
            the line.
        """
        vocab, merge_lines = read_bpe_files(directory)
        return cls(*_parse_files(Path(directory), vocab, merge_lines))

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


def _parse_files(directory: Path, vocab, merge_lines: list[str]):
    """Check the two files' contents and return ``(tokens, merges)``: everything
    ``BPETokenizer`` would refuse is reported here, naming the file."""

    def fail(name: str, problem: str):
        raise ValueError(
            f"BPETokenizer.from_pretrained: {name} {problem} (in {str(directory)!r})"
        )

    if not isinstance(vocab, dict) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in vocab.values()
    ):
        fail("vocab.json", "must be one object mapping tokens to int ids")
    if vocab.get(END_OF_TEXT) != len(vocab) - 1:
        fail("vocab.json", f"must give {END_OF_TEXT} the last id")
    if sorted(vocab.values()) != list(range(len(vocab))):
        fail("vocab.json", f"has ids that are not 0..{len(vocab) - 1}")
    tokens = [b""] * (len(vocab) - 1)
    for symbols, i in vocab.items():
        if symbols == END_OF_TEXT:
            continue
        if not symbols or any(c not in _CHAR_TO_BYTE for c in symbols):
            fail(
                "vocab.json",
                f"has the token {symbols!r:.40}, not written with GPT-2's "
                "byte-to-unicode characters",
            )
        tokens[i] = bytes(_CHAR_TO_BYTE[c] for c in symbols)
    missing = [b for b in range(256) if _BYTE_TO_CHAR[b] not in vocab]
    if missing:
        b = missing[0]
        fail("vocab.json", f"lacks the single byte {b:#04x} ({_BYTE_TO_CHAR[b]!r})")
    first = 1  # the line number of merge_lines[0]
    if merge_lines and merge_lines[0].startswith("#version"):
        merge_lines, first = merge_lines[1:], 2
    merges = []
    for n, line in enumerate(merge_lines, first):
        parts = line.split(" ")
        if len(parts) != 2 or not all(p in vocab and p != END_OF_TEXT for p in parts):
            fail(
                "merges.txt", f"line {n} ({line!r:.40}) is not two tokens of vocab.json"
            )
        if parts[0] + parts[1] not in vocab:
            fail(
                "merges.txt",
                f"line {n} ({line!r:.40}) makes {parts[0] + parts[1]!r:.40}, which is "
                "not in vocab.json",
            )
        merges.append((vocab[parts[0]], vocab[parts[1]]))
    return tokens, merges


# --8<-- [start:learn_merges]
def _learn_merges(words: list[list[int]], freq: list[int], n_merges: int):
    """The plain BPE loop: count the pairs, merge the most frequent; n_merges times.

    ``words`` are the distinct pre-tokens as lists of byte ids and ``freq`` how often
    each occurs. Returns ``(tokens, merges)``; fewer merges if the pairs run out.
    """
    tokens = [bytes([b]) for b in range(256)]  # id -> bytes: the 256 single bytes
    merges = []
    for _ in range(n_merges):
        pairs = Counter()  # (a, b) -> how often it occurs in the whole text
        for ids, n in zip(words, freq, strict=True):
            for pair in pairwise(ids):
                pairs[pair] += n  # a pre-token that occurs n times counts n times
        if not pairs:
            break  # every pre-token is a single token: nothing left to merge
        pair = min(pairs, key=lambda p: (-pairs[p], p))  # most frequent; ties: smaller
        new_id = len(tokens)  # mint the next id
        tokens.append(tokens[pair[0]] + tokens[pair[1]])
        merges.append(pair)
        words = [merge_pair(ids, pair, new_id) for ids in words]  # merge it everywhere
    return tokens, merges


# --8<-- [end:learn_merges]


# --8<-- [start:learn_merges_fast]
def _learn_merges_fast(words: list[list[int]], freq: list[int], n_merges: int):
    """``_learn_merges``, faster: after a merge, recount only the words it changed.

    Optimisation: counting every pair again after every merge repeats almost all of
    the work. Here the counts are kept up to date instead: a merge changes only the
    words that hold the merged pair (``where_pair`` knows which), and a heap keeps the
    most frequent pair at hand. The merges are those of ``_learn_merges`` (tested).
    """
    words = [list(ids) for ids in words]  # updated in place below
    tokens = [bytes([b]) for b in range(256)]
    merges = []
    pairs, where_pair = _count_pairs(words, freq)
    heap = [(-n, pair) for pair, n in pairs.items()]  # most frequent first
    heapq.heapify(heap)
    while len(merges) < n_merges:
        pair = _pop_most_frequent(heap, pairs)
        if pair is None:
            break
        new_id = len(tokens)
        tokens.append(tokens[pair[0]] + tokens[pair[1]])
        merges.append(pair)
        for w in where_pair.pop(pair):
            _recount(words, freq, w, pair, new_id, pairs, where_pair, heap)
    return tokens, merges


def _count_pairs(words: list[list[int]], freq: list[int]):
    """Every adjacent pair's count, and which words hold it."""
    pairs = defaultdict(int)  # (a, b) -> occurrences in the whole text
    where_pair = defaultdict(set)  # (a, b) -> indices of the words that contain it
    for w, (ids, n) in enumerate(zip(words, freq, strict=True)):
        for pair in pairwise(ids):
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
    for p in pairwise(old):
        if p != pair:
            pairs[p] -= n
            changed.add(p)
    for p in pairwise(new):
        pairs[p] += n
        where_pair[p].add(w)
        changed.add(p)
    for p in changed:
        heapq.heappush(heap, (-pairs[p], p))  # the newest count; older entries go stale
    words[w] = new


# --8<-- [end:learn_merges_fast]
