"""Byte-level BPE: learned merges, GPT-2's files, parity with tiktoken and transformers.

The parity tests train a tokenizer on the default text, save it in GPT-2's format, build
tiktoken's and Hugging Face's tokenizers from the same merges, and compare the ids of
many strings: random Unicode (astral characters included), code, whitespace runs, emoji,
contractions, digits and the training text itself.
"""

import json
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scratchml import BPETokenizer, load_text
from scratchml.bpe import END_OF_TEXT, GPT2_PATTERN, bytes_to_unicode, merge_pair
from tests._parity import require

VOCAB_SIZE = 512


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A tokenizer trained on the default text, and the folder it is saved in."""
    tok = BPETokenizer.train(load_text(), VOCAB_SIZE)
    directory = tok.save(tmp_path_factory.mktemp("bpe"))
    return tok, directory


def _random_unicode(rng: random.Random, n: int) -> str:
    """Characters from every plane: ASCII, Latin-1, CJK, emoji, astral; no surrogate."""
    ranges = [
        (0, 0x7F),
        (0x80, 0x24F),
        (0x370, 0x3FF),
        (0x2000, 0x206F),
        (0x3000, 0x30FF),
        (0x4E00, 0x4EFF),
        (0x1F300, 0x1F6FF),
        (0x10000, 0x1FFFF),
        (0x20000, 0x2A6DF),
    ]
    out = []
    for _ in range(n):
        low, high = rng.choice(ranges)
        c = rng.randint(low, high)
        out.append(chr(c) if not 0xD800 <= c <= 0xDFFF else "x")
    return "".join(out)


HANDWRITTEN = [
    "",
    "hello world",
    "Hello, World!",
    "don't won't it's we're they've I'm you'll he'd",
    "DON'T IT'S 'S 's 'll 're",
    "def f(x):\n    return x ** 2  # square\n\n\n",
    "for i in range(10):\n\tprint(i, end='')\n",
    "    leading spaces",
    "trailing spaces    ",
    "a  b   c    d\n\n\n\ne",
    "\n\n\n",
    " \n \n ",
    "\r\n\r\nwindows\r\n",
    "tabs\t\t\tand\x0bvertical\x0cform feed",
    "1234567890 3.14159 1e-10 0x1F 1,000,000",
    "١٢٣ ٤٥٦ Ⅻ ½ ²³",
    "emoji 😀😃😄 👍🏽 👨‍👩‍👧‍👦 🇩🇪 ❤️",
    "naïve café résumé Zürich Ærøskøbing",
    "Привет мир, Γειά σου Κόσμε",
    "日本語のテキスト、中文文本。한국어",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕞𝕒𝕥𝕙 𓀀𓀁 𠀀𠀁",
    "nbsp\u00a0here and\u2009thin\u3000ideographic",
    "line\u2028separator\u2029paragraph",
    "zero\u200bwidth\ufeffbom",
    "<|endoftext|>",
    "before<|endoftext|>after",
    "two<|endoftext|><|endoftext|>in a row",
    "<|endoftext| almost <|endoftext",
    "!!!??? ... --- *** ===> <=> && || ::",
    "'''docstring''' \"\"\"quotes\"\"\"",
    "x = {'a': [1, 2, 3], \"b\": (4, 5)}",
    "\x00\x01\x02 control \x7f\x1b[0m",
]


def _strings(text: str) -> list[str]:
    """Every string the parity tests compare."""
    rng = random.Random(0)
    out = list(HANDWRITTEN)
    out += [_random_unicode(rng, rng.randint(1, 40)) for _ in range(300)]
    alphabet = [
        " ",
        "  ",
        "\n",
        "\t",
        "'s",
        "'",
        "a",
        "Z",
        "1",
        "99",
        "é",
        "😀",
        ".",
        "_",
        "\r",
    ]
    out += [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30)))
        for _ in range(300)
    ]
    starts = rng.sample(range(len(text) - 2000), 150)
    out += [text[s : s + rng.randint(1, 2000)] for s in starts]
    # all of it, in chunks
    out += [text[i : i + 50_000] for i in range(0, len(text), 50_000)]
    return out


def test_bytes_to_unicode_is_gpt2s_table():
    table = bytes_to_unicode()
    assert len(table) == 256 and len(set(table.values())) == 256
    assert table[ord("a")] == "a" and table[ord("!")] == "!"
    assert table[0x20] == "Ġ" and table[0x0A] == "Ċ" and table[0x00] == "Ā"
    assert all(c.isprintable() and not c.isspace() for c in table.values())


def test_merge_pair_left_to_right():
    assert merge_pair([1, 1, 1], (1, 1), 7) == [7, 1]
    assert merge_pair([1, 2, 3, 1, 2], (1, 2), 9) == [9, 3, 9]
    assert merge_pair([], (1, 2), 9) == []


def test_first_merge_is_the_most_frequent_pair():
    # pre-tokens "aaab", " aab", " ab": (a, a) 3 times, (a, b) 3 times
    text = "aaab aab ab"
    tok = BPETokenizer.train(text, 258)
    # (a, a): aaab has 2, aab has 1 -> 3; (a, b): 3; (" ", a): 2. Tie 3-3 -> smaller
    # ids.
    assert tok.merges == [(ord("a"), ord("a"))]
    assert tok.tokens[256] == b"aa"
    assert tok.vocab_size == 258 and tok.eot_id == 257


def test_merges_follow_counts_by_hand():
    tok = BPETokenizer.train("abab abab abab cd", 259)
    # Pre-tokens: "abab" x1, " abab" x2, " cd". (a,b) occurs 6 times: first merge.
    # Then "ab ab" -> (ab, ab) 3 times, (" ", ab) 2 times.
    assert tok.tokens[256:] == [b"ab", b"abab"]
    assert tok.encode("abab").tolist() == [257]
    assert tok.encode(" abab").tolist() == [ord(" "), 257]


def test_encode_is_int64_and_round_trips(trained):
    tok, _ = trained
    text = load_text()[:5000]
    ids = tok.encode(text)
    assert ids.dtype == np.int64 and ids.ndim == 1
    assert len(ids) < len(text.encode()) * 0.6  # merges compress the text
    assert tok.decode(ids) == text


def test_special_token_is_recognized_and_decoded(trained):
    tok, _ = trained
    ids = tok.encode("a<|endoftext|>b")
    assert ids.tolist() == [ord("a"), tok.eot_id, ord("b")]
    assert tok.decode(ids) == "a<|endoftext|>b"
    assert tok.eot_id == VOCAB_SIZE - 1


def test_training_text_special_token_is_never_merged():
    # Unsplit, "<|" would be the most frequent pair (5 times); split, "ab" (2 times) is.
    tok = BPETokenizer.train(END_OF_TEXT * 5 + "ab ab", 258)
    assert tok.tokens[256:] == [b"ab"]


def test_save_writes_gpt2_format(trained):
    tok, directory = trained
    lines = (directory / "merges.txt").read_text("utf-8").splitlines()
    assert lines[0] == "#version: 0.2"
    assert len(lines) == 1 + VOCAB_SIZE - 257
    vocab = json.loads((directory / "vocab.json").read_text("utf-8"))
    assert len(vocab) == VOCAB_SIZE and vocab[END_OF_TEXT] == VOCAB_SIZE - 1
    assert vocab["Ġ"] == 0x20 and vocab["a"] == ord("a")
    a, b = lines[1].split(" ")  # the first merge, spelled with GPT-2's characters
    table = bytes_to_unicode()
    first = tok.tokens[tok.merges[0][0]] + tok.tokens[tok.merges[0][1]]
    assert vocab[a + b] == 256 and a + b == "".join(table[x] for x in first)


def test_save_load_round_trip(trained, tmp_path):
    tok, directory = trained
    loaded = BPETokenizer.from_pretrained(directory)
    assert loaded.tokens == tok.tokens and loaded.merges == tok.merges
    assert loaded.vocab_size == tok.vocab_size
    text = load_text()[10_000:20_000]
    assert np.array_equal(loaded.encode(text), tok.encode(text))
    again = BPETokenizer.from_pretrained(loaded.save(tmp_path / "again"))
    assert (tmp_path / "again" / "merges.txt").read_bytes() == (
        directory / "merges.txt"
    ).read_bytes()
    assert again.merges == tok.merges


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_decode_encode_round_trip_property(text):
    tok = _small_tokenizer()
    ids = tok.encode(text)
    assert tok.decode(ids) == text
    assert ids.dtype == np.int64 and (len(ids) == 0 or ids.max() < tok.vocab_size)


_SMALL = []


def _small_tokenizer() -> BPETokenizer:
    if not _SMALL:
        _SMALL.append(BPETokenizer.train(load_text()[:50_000], 300))
    return _SMALL[0]


def test_decode_of_a_partial_character_is_replacement():
    tok = _small_tokenizer()
    ids = tok.encode("é")  # two bytes
    assert tok.decode(ids[:1]) == "\ufffd"


def test_training_is_deterministic():
    text = load_text()[:30_000]
    a, b = BPETokenizer.train(text, 300), BPETokenizer.train(text, 300)
    assert a.merges == b.merges


def test_incremental_counts_equal_recounting_from_scratch():
    """The fast trainer picks, at every step, the pair a full recount would pick."""
    text = load_text()[:20_000]
    tok = BPETokenizer.train(text, 290)
    words = [list(w.encode()) for w in __import__("regex").findall(GPT2_PATTERN, text)]
    for rank, (pair, new_id) in enumerate(
        zip(tok.merges, range(256, 290), strict=False)
    ):
        counts = {}
        for w in words:
            for p in zip(w, w[1:], strict=False):
                counts[p] = counts.get(p, 0) + 1
        best = max(counts.values())
        expected = min(p for p, n in counts.items() if n == best)
        assert pair == expected, f"merge {rank}"
        words = [merge_pair(w, pair, new_id) for w in words]


def test_tiktoken_parity(trained):
    tiktoken = require("tiktoken")
    tok, _ = trained
    enc = tiktoken.Encoding(
        name="scratchml-test",
        pat_str=GPT2_PATTERN,
        mergeable_ranks={t: i for i, t in enumerate(tok.tokens)},
        special_tokens={END_OF_TEXT: tok.eot_id},
    )
    strings = _strings(load_text())
    mismatches = [
        s
        for s in strings
        if tok.encode(s).tolist() != enc.encode(s, allowed_special="all")
    ]
    assert len(strings) == 792
    assert mismatches[:3] == [] and len(mismatches) == 0
    for s in strings[:200]:
        assert tok.decode(enc.encode(s, allowed_special="all")) == s


def test_transformers_parity(trained):
    transformers = require("transformers")
    tok, directory = trained
    # transformers 5 reads a folder with from_pretrained (vocab_file=/merges_file=
    # keywords are silently ignored there, leaving an empty vocabulary): check the size
    # it read.
    hf = transformers.GPT2TokenizerFast.from_pretrained(str(directory))
    assert len(hf) == tok.vocab_size
    strings = _strings(load_text())
    mismatches = [s for s in strings if tok.encode(s).tolist() != hf.encode(s)]
    assert len(strings) == 792
    assert mismatches[:3] == [] and len(mismatches) == 0


def _tok():
    return _small_tokenizer()


def _write(directory, vocab: str, merges: str):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "vocab.json").write_text(vocab, "utf-8")
    (directory / "merges.txt").write_text(merges, "utf-8")
    return directory


def _tmp(name: str):
    import tempfile
    from pathlib import Path

    return Path(tempfile.mkdtemp()) / name


BAD_INPUT_PROBES = [
    (
        "BPETokenizer.train",
        "text not a str",
        lambda: BPETokenizer.train(b"abc", 300),
        TypeError,
        r"BPETokenizer\.train: text must be a str",
    ),
    (
        "BPETokenizer.train",
        "empty text",
        lambda: BPETokenizer.train("", 300),
        ValueError,
        r"BPETokenizer\.train: text is empty",
    ),
    (
        "BPETokenizer.train",
        "vocab_size below 257",
        lambda: BPETokenizer.train("abc", 256),
        ValueError,
        r"BPETokenizer\.train: vocab_size must be at least 257",
    ),
    (
        "BPETokenizer.train",
        "vocab_size float",
        lambda: BPETokenizer.train("abc", 300.0),
        ValueError,
        r"BPETokenizer\.train: vocab_size must be a positive integer",
    ),
    (
        "BPETokenizer.train",
        "too few pairs",
        lambda: BPETokenizer.train("ab", 300),
        ValueError,
        r"BPETokenizer\.train: the text has no pair left to merge after 1 merges",
    ),
    (
        "BPETokenizer.train",
        "pattern not a str",
        lambda: BPETokenizer.train("ab", 257, 3),
        TypeError,
        r"BPETokenizer\.train: pattern must be a str",
    ),
    (
        "BPETokenizer.train",
        "lone surrogate",
        lambda: BPETokenizer.train("a\ud800b", 258),
        ValueError,
        r"BPETokenizer\.train: text holds the lone surrogate",
    ),
    (
        "BPETokenizer.encode",
        "text not a str",
        lambda: _tok().encode([1, 2]),
        TypeError,
        r"BPETokenizer\.encode: text must be a str, got list",
    ),
    (
        "BPETokenizer.encode",
        "lone surrogate",
        lambda: _tok().encode("x\udc80"),
        ValueError,
        r"BPETokenizer\.encode: text holds the lone surrogate",
    ),
    (
        "BPETokenizer.decode",
        "id out of range",
        lambda: _tok().decode([0, 300]),
        ValueError,
        r"BPETokenizer\.decode: ids holds id 300 at index \(1,\), outside",
    ),
    (
        "BPETokenizer.decode",
        "negative id",
        lambda: _tok().decode([-1]),
        ValueError,
        r"BPETokenizer\.decode: ids holds id -1",
    ),
    (
        "BPETokenizer.decode",
        "float ids",
        lambda: _tok().decode([1.0]),
        TypeError,
        r"BPETokenizer\.decode: ids must be integer token ids",
    ),
    (
        "BPETokenizer.decode",
        "2-D ids",
        lambda: _tok().decode([[1, 2]]),
        ValueError,
        r"BPETokenizer\.decode: ids has shape \(1, 2\) but must be 1-D",
    ),
    (
        "BPETokenizer.save",
        "directory not a path",
        lambda: _tok().save(3),
        TypeError,
        r"BPETokenizer\.save: directory must be a str or path",
    ),
    (
        "BPETokenizer.from_pretrained",
        "directory not a path",
        lambda: BPETokenizer.from_pretrained(None),
        TypeError,
        r"BPETokenizer\.from_pretrained: directory must be a str or path",
    ),
    (
        "BPETokenizer.from_pretrained",
        "missing files",
        lambda: BPETokenizer.from_pretrained(_tmp("nothing")),
        ValueError,
        r"BPETokenizer\.from_pretrained: no file .*vocab\.json",
    ),
    (
        "BPETokenizer.from_pretrained",
        "corrupt vocab.json",
        lambda: BPETokenizer.from_pretrained(
            _write(_tmp("bad"), "{not json", "#version: 0.2\n")
        ),
        ValueError,
        r"BPETokenizer\.from_pretrained: .*unreadable file",
    ),
    (
        "BPETokenizer.from_pretrained",
        "merge of unknown tokens",
        lambda: BPETokenizer.from_pretrained(
            _write(_tmp("m"), json.dumps(_vocab_of(_tok())), "#version: 0.2\nzz qq\n")
        ),
        ValueError,
        r"BPETokenizer\.from_pretrained: merges\.txt line 2 .* is not two tokens",
    ),
    (
        "BPETokenizer.from_pretrained",
        "special token not last",
        lambda: BPETokenizer.from_pretrained(
            _write(_tmp("s"), json.dumps({"<|endoftext|>": 0, "a": 1}), "")
        ),
        ValueError,
        r"BPETokenizer\.from_pretrained: vocab\.json must give <\|endoftext\|> the "
        r"last",
    ),
    (
        "BPETokenizer",
        "missing a byte",
        lambda: BPETokenizer([b"a"], []),
        ValueError,
        r"BPETokenizer: tokens lacks the single byte 0x00",
    ),
    (
        "BPETokenizer",
        "tokens not bytes",
        lambda: BPETokenizer(["a"], []),
        TypeError,
        r"BPETokenizer: tokens must be non-empty bytes",
    ),
]


def _vocab_of(tok):
    table = bytes_to_unicode()
    vocab = {"".join(table[b] for b in t): i for i, t in enumerate(tok.tokens)}
    vocab[END_OF_TEXT] = tok.eot_id
    return vocab


@pytest.mark.parametrize(
    "probe", BAD_INPUT_PROBES, ids=[f"{p[0]}-{p[1]}" for p in BAD_INPUT_PROBES]
)
def test_bad_input_probes(probe):
    _, _, thunk, exc_type, message = probe
    with pytest.raises(exc_type, match=message):
        thunk()


@pytest.mark.parametrize("start, length", [(0, 3_000), (10_000, 8_000), (50_000, 600)])
@pytest.mark.parametrize("n_merges", [1, 40, 300])
def test_fast_merges_equal_the_plain_loop(start, length, n_merges):
    """The optimisation (incremental counts, a heap) learns the plain loop's merges."""
    from collections import Counter

    import regex

    from scratchml.bpe import _learn_merges, _learn_merges_fast

    counts = Counter(regex.findall(GPT2_PATTERN, load_text()[start : start + length]))
    words = [list(w.encode("utf-8")) for w in counts]
    freq = list(counts.values())
    plain = _learn_merges(words, freq, n_merges)
    fast = _learn_merges_fast(words, freq, n_merges)
    assert fast == plain
    assert len(plain[1]) == n_merges or length == 600  # a short text may run out


def test_fast_merges_equal_the_plain_loop_when_pairs_run_out():
    words, freq = [[97, 98, 99], [97, 98], [120]], [2, 5, 9]
    from scratchml.bpe import _learn_merges, _learn_merges_fast

    plain = _learn_merges(words, freq, 10)
    assert plain == _learn_merges_fast(words, freq, 10)
    assert plain[1] == [(97, 98), (256, 99)]  # "ab" (7 times), then "abc" (2 times)


def test_encode_applies_competing_merges_in_learned_order():
    """With merges [(b, c), (a, b)], "abc" is [a, bc]: the earlier merge wins."""
    tokens = [bytes([b]) for b in range(256)] + [b"bc", b"ab"]
    a, b, c = ord("a"), ord("b"), ord("c")
    bc_first = BPETokenizer(tokens, [(b, c), (a, b)])
    assert bc_first.encode("abc").tolist() == [a, 256]
    ab_first = BPETokenizer(tokens, [(a, b), (b, c)])
    assert ab_first.encode("abc").tolist() == [257, c]
    assert bc_first.ranks[(b, c)] == (0, 256) and bc_first.ranks[(a, b)] == (1, 257)


@pytest.mark.parametrize(
    "pattern, problem",
    [
        ("", "matches the empty string"),
        (r"\w*", "matches the empty string"),
        (r"\w+", "skips ','"),
        (r"[a-z]+|\s+", "skips 'H'"),
        (r"(\w+)|\W+", "has a capturing group"),
    ],
)
def test_a_pattern_that_would_lose_text_is_refused(pattern, problem):
    # pattern='' encoded every text to no ids; \w+ dropped the spaces and commas, and a
    # capturing group made findall return the group: encode kept only what it matched.
    bytes_only = [bytes([b]) for b in range(256)]
    for where, make in (
        ("BPETokenizer", lambda: BPETokenizer(bytes_only, [], pattern=pattern)),
        ("BPETokenizer.train", lambda: BPETokenizer.train("ab ab, ab", 258, pattern)),
    ):
        with pytest.raises(ValueError, match=rf"^{where}: pattern .* {problem}"):
            make()
