"""GPT-2's own tokenizer, shipped with the package: the files, published ids, tiktoken.

``BPETokenizer.gpt2()`` loads OpenAI's GPT-2 vocabulary and merges from
``scratchml/_data/gpt2/``. These tests check that the files are OpenAI's (their SHA-256
digests are the ones tiktoken pins for its ``gpt2`` encoding), that known strings get
the ids published by reference projects, and that the tokenizer agrees with tiktoken,
built from the same ranks but with tiktoken's own copy of GPT-2's pattern, on 600+
varied strings.
"""

import hashlib

import numpy as np
import pytest
from _parity import require

from scratchml import BPETokenizer
from scratchml.bpe import GPT2_FILES
from scratchml.text import load_text

# tiktoken_ext/openai_public.py, gpt2(): the digests it checks before using the files
# it downloads (vocab_bpe_hash and encoder_json_hash).
PUBLISHED_SHA256 = {
    "merges.txt": "1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5",
    "vocab.json": "196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783",
}
# transformers, tests/models/gpt2/test_modeling_gpt2.py, test_lm_generate_gpt2: the
# prompt "The dog" and GPT-2 small's greedy continuation to 20 tokens, with the text the
# test states in its comment.
THE_DOG = [464, 3290, 373, 1043, 287, 257, 2214, 1474, 262, 16246, 286, 2688, 290]
THE_DOG += [2688, 27262, 13, 198, 198, 464, 3290]
THE_DOG_TEXT = (
    "The dog was found in a field near the intersection of West and West Streets."
    "\n\nThe dog"
)
# tiktoken's r50k/gpt2 pattern as tiktoken writes it (tiktoken_ext/openai_public.py),
# not the package's constant, so that a mistake in GPT2_PATTERN shows up here.
TIKTOKEN_GPT2_PATTERN = (
    r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
)


@pytest.fixture(scope="module")
def gpt2():
    return BPETokenizer.gpt2()


@pytest.mark.parametrize("name", sorted(PUBLISHED_SHA256))
def test_the_shipped_files_are_openais(name):
    digest = hashlib.sha256((GPT2_FILES / name).read_bytes()).hexdigest()
    assert digest == PUBLISHED_SHA256[name]


def test_the_licence_ships_beside_the_files():
    licence = (GPT2_FILES / "LICENSE").read_text("utf-8")
    assert "Copyright (c) 2019 OpenAI" in licence
    assert "Permission is hereby granted" in licence


def test_sizes_and_the_special_token(gpt2):
    assert gpt2.vocab_size == 50257
    assert len(gpt2.merges) == 50000
    assert gpt2.eot_id == 50256
    assert gpt2.encode("<|endoftext|>").tolist() == [50256]


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("hello world", [31373, 995]),  # tiktoken's tests/test_encoding.py
        ("The dog", [464, 3290]),  # transformers' GPT-2 generation test
        (" ", [220]),  # GPT-2's byte order: the space byte is not id 32
        ("\n", [198]),
        ("!", [0]),  # the first printable byte gets id 0
    ],
)
def test_published_and_byte_order_ids(gpt2, text, ids):
    assert gpt2.encode(text).tolist() == ids


def test_the_reference_continuation_decodes_to_its_stated_text(gpt2):
    assert gpt2.decode(THE_DOG) == THE_DOG_TEXT
    assert gpt2.encode(THE_DOG_TEXT).tolist() == THE_DOG


def test_the_first_merges_are_gpt2s(gpt2):
    first = [gpt2.decode([256 + i]) for i in range(7)]
    assert first == [" t", " a", "he", "in", "re", "on", " the"]


# gpt2() takes no argument: the one bad call is to pass one (collected by
# tests/test_bad_input.py with every other module's probes).
BAD_INPUT_PROBES = [
    (
        "BPETokenizer.gpt2",
        "an argument",
        lambda: BPETokenizer.gpt2("gpt2"),
        TypeError,
        r"gpt2\(\) takes 1 positional argument but 2 were given",
    ),
]


def _strings() -> list[str]:
    """600+ varied strings: help text cut at many lengths, and hard cases."""
    text = load_text()
    rng = np.random.default_rng(0)
    cuts = []
    for _ in range(560):
        start = int(rng.integers(0, len(text) - 400))
        cuts.append(text[start : start + int(rng.integers(1, 400))])
    hard = [
        "",
        " ",
        "  ",
        "a  b",
        "a   b ",
        "tab\there",
        "line\n\n\nbreaks \n ",
        "\r\n",
        "I'm",
        "I'M",
        "you'll",
        "YOU'LL",
        "it's",
        "don't",
        "we've",
        "they'd",
        "'s",
        "1234567",
        " 3.14159",
        "x=42;",
        "v2.0-beta",
        "$100,000",
        "50%",
        "2026-12-06",
        "café",
        "naïve",
        "Ünïcödé",
        "日本語のテキスト",
        "emoji 🙂👍🏽",
        "Straße",
        "שלום",
        "مرحبا",
        "Привет, мир!",
        "ﬁ ligature",
        "\u00a0nbsp",
        "zero\u200bwidth",
        "<|endoftext",
        "|endoftext|>",
        "<|end of text|>",
        "...!!!???",
        "((()))",
        "--",
        "    indented code():\n        return x",
        "def f(a, b):\n\treturn a+b",
    ]
    return cuts + hard + [s.upper() for s in cuts[:40]]


def test_tiktoken_from_the_same_ranks_gives_the_same_ids(gpt2):
    tiktoken = require("tiktoken")
    enc = tiktoken.Encoding(
        name="gpt2-from-scratchml-files",
        pat_str=TIKTOKEN_GPT2_PATTERN,
        mergeable_ranks={t: i for i, t in enumerate(gpt2.tokens)},
        special_tokens={"<|endoftext|>": 50256},
    )
    strings = _strings()
    assert len(strings) >= 600
    wrong = [s for s in strings if gpt2.encode(s).tolist() != enc.encode(s)]
    assert wrong == []
    for s in strings[:100]:
        assert gpt2.decode(enc.encode(s)) == s
