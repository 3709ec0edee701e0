"""Known answers worked out by hand: BPE ids, GPT-2's epsilon, GPT-2's pre-tokenizer.

Each test fixes an output that a plausible one-line bug would change and that no
statistical check (a compression ratio, a loss that falls) pins down:

- BPE encoding where several merges compete in one word: the earliest-learned merge
  present goes first, which is not always the leftmost pair (``tools/mutants.py``:
  ``bpe-encode-max-rank``, ``bpe-train-reversed-ranks``);
- a GPT-2 with ``layer_norm_epsilon=1e-6`` saved and loaded back: the epsilon travels
  through ``config.json`` and the loaded logits are bitwise the original's
  (``gpt2-config-ignores-epsilon``);
- GPT-2's pre-tokenization pattern on whitespace runs, contractions, digits,
  punctuation and letters of other scripts (``gpt2-pattern-no-lookahead``).

Every expected value below was worked out by hand (the reasoning is in the comments),
not copied from the code under test; the pattern's splits are also checked against
OpenAI's published pattern, compiled here from its own text.
"""

import json

import numpy as np
import pytest
import regex

from scratchml import (
    GPT2,
    BPETokenizer,
    gpt2_config,
    load_gpt2,
    load_gpt2_model,
    save_gpt2,
)
from scratchml.bpe import GPT2_PATTERN

# Byte values of the letters used below.
A, B, C, D, SPACE = 97, 98, 99, 100, 32


def tokenizer_with(*merges: tuple[bytes, bytes]) -> BPETokenizer:
    """The 256 bytes, then one token per merge (ids 256, 257, ... in that order)."""
    tokens = [bytes([b]) for b in range(256)]
    ids = {t: i for i, t in enumerate(tokens)}
    pairs = []
    for left, right in merges:
        pairs.append((ids[left], ids[right]))
        ids[left + right] = len(tokens)
        tokens.append(left + right)
    return BPETokenizer(tokens, pairs)


# --- BPE: merges that compete inside one word ------------------------------------


def test_earlier_merge_wins_over_leftmost_pair():
    # merges: 0 = (b, c) -> 256, 1 = (a, b) -> 257. "abc" holds (a, b) and (b, c);
    # (b, c) was learned first, so it is applied although (a, b) is further left:
    # [a, bc]. Applying the later merge would give [ab, c] = [257, 99].
    tok = tokenizer_with((b"b", b"c"), (b"a", b"b"))
    assert tok.encode("abc").tolist() == [A, 256]
    assert tok.encode("ab").tolist() == [257]  # alone, (a, b) still applies
    assert tok.encode("bc").tolist() == [256]


def test_rank_order_against_left_to_right_order():
    # merges: 0 = (c, d) -> 256, 1 = (b, c) -> 257, 2 = (a, b) -> 258.
    tok = tokenizer_with((b"c", b"d"), (b"b", b"c"), (b"a", b"b"))
    # "bcd": (b, c) rank 1 is leftmost, (c, d) rank 0 wins: [b, cd]; then no merge
    # (b, cd) exists. Left to right, or the latest merge first, would give [bc, d].
    assert tok.encode("bcd").tolist() == [B, 256]
    # "abcd": (c, d) first -> [a, b, cd]; then (a, b) -> [ab, cd].
    assert tok.encode("abcd").tolist() == [258, 256]
    # "abc": (b, c) rank 1 beats (a, b) rank 2 -> [a, bc].
    assert tok.encode("abc").tolist() == [A, 257]


def test_overlapping_pairs():
    # merges: 0 = (b, a) -> 256, 1 = (a, b) -> 257. "abab" holds ab, ba, ab: the
    # middle (b, a) has the lower rank -> [a, ba, b], and no merge joins a or b to ba.
    # The later merge first would give [ab, ab] = [257, 257].
    tok = tokenizer_with((b"b", b"a"), (b"a", b"b"))
    assert tok.encode("abab").tolist() == [A, 256, B]
    assert tok.encode("aba").tolist() == [A, 256]


def test_a_merge_builds_on_an_earlier_one():
    # merges: 0 = (a, b) -> 256, 1 = (ab, c) -> 257, 2 = (b, c) -> 258.
    # "abc": (a, b) rank 0 -> [ab, c]; then (ab, c) rank 1 -> [abc]. Taking (b, c)
    # rank 2 first would strand the word at [a, bc] = [97, 258].
    tok = tokenizer_with((b"a", b"b"), (b"ab", b"c"), (b"b", b"c"))
    assert tok.encode("abc").tolist() == [257]
    assert tok.encode("bc").tolist() == [258]
    assert tok.encode("abcbc").tolist() == [257, 258]


def test_repeated_pair_merges_left_to_right():
    # merges: 0 = (a, a) -> 256, 1 = (aa, aa) -> 257.
    tok = tokenizer_with((b"a", b"a"), (b"aa", b"aa"))
    assert tok.encode("aaa").tolist() == [256, A]  # "aa" then the lone "a"
    assert tok.encode("aaaa").tolist() == [257]  # [aa, aa] -> [aaaa]
    assert tok.encode("aaaaa").tolist() == [257, A]


def test_merges_stop_at_pretoken_boundaries():
    # merges: 0 = (c, " ") -> 256, 1 = (" ", a) -> 257, 2 = (b, c) -> 258.
    # "bc abc" is cut into "bc" and " abc" first: (c, " ") spans the cut, never used.
    # "bc" -> [bc]; " abc": (" ", a) rank 0 and (b, c) rank 2 -> [" a", bc].
    tok = tokenizer_with((b"c", b" "), (b" ", b"a"), (b"b", b"c"))
    assert tok.encode("bc abc").tolist() == [258, 257, 258]
    assert tok.encode("c c").tolist() == [C, SPACE, C]


def test_multibyte_character_and_end_of_text():
    # "é" is the two bytes c3 a9; merge 0 joins them -> 256.
    tok = tokenizer_with((b"\xc3", b"\xa9"))
    assert tok.encode("é").tolist() == [256]
    assert tok.encode("éa<|endoftext|>é").tolist() == [256, A, tok.eot_id, 256]
    assert tok.eot_id == 257  # 257 tokens, so the special token gets id 257
    assert tok.decode([0xC3]) == "\ufffd"  # half a character: the replacement char


@pytest.mark.parametrize(
    ("merges", "text"),
    [
        (((b"b", b"c"), (b"a", b"b")), "abc abcabc bca"),
        (((b"c", b"d"), (b"b", b"c"), (b"a", b"b")), "abcd bcd dcba"),
        (((b"b", b"a"), (b"a", b"b")), "abab baba aabb"),
        (((b"a", b"b"), (b"ab", b"c"), (b"b", b"c")), "abcbc cab"),
        (((b"\xc3", b"\xa9"),), "café éé <|endoftext|> e"),
    ],
)
def test_decode_round_trips(merges, text):
    tok = tokenizer_with(*merges)
    assert tok.decode(tok.encode(text)) == text


def test_training_picks_the_hand_counted_merges():
    # "aaabdaaabac" is one pre-token. Pair counts: aa 4, ab 2, bd da ba ac 1 each.
    # 1st merge (a, a) -> 256, left to right: [aa, a, b, d, aa, a, b, a, c].
    # Counts: (aa, a) 2, (a, b) 2, the rest 1; the tie goes to the smaller ids,
    # (97, 98) < (256, 97): 2nd merge (a, b) -> 257: [aa, ab, d, aa, ab, a, c].
    # Counts: (aa, ab) 2, the rest 1: 3rd merge (256, 257) -> 258 = "aaab".
    tok = BPETokenizer.train("aaabdaaabac", vocab_size=260)
    assert tok.merges == [(A, A), (A, B), (256, 257)]
    assert [tok.tokens[i] for i in (256, 257, 258)] == [b"aa", b"ab", b"aaab"]
    assert tok.encode("aaabdaaabac").tolist() == [258, D, 258, A, C]
    # "aab": (a, a) rank 0 beats (a, b) rank 1 -> [aa, b]; no (aa, b) merge.
    assert tok.encode("aab").tolist() == [256, B]


# --- GPT-2's layer_norm_epsilon through save and load ----------------------------

EPS_SIZES = dict(vocab_size=257, d_model=8, n_heads=2, n_layers=2, context_length=8)
EPS_IDS = np.array([[3, 1, 4, 1, 5, 9, 2, 6]])


def small_input_model(eps: float) -> GPT2:
    """A float64 GPT-2 whose embeddings are tiny, so every layer norm's input has a
    variance far below 1e-5 and the epsilon decides the size of its output."""
    model = GPT2(**EPS_SIZES, eps=eps, rng=0, dtype=np.float64).eval()
    for name, layer, key in model.named_params():
        if name in ("tok_emb.W_E", "pos_emb.W_P"):
            layer.params[key] = layer.params[key] * 1e-3  # entries about 2e-5
    return model


def layer_norm_epsilons(model) -> set:
    """The eps of every layer norm of ``model`` (the layers that own a ``gamma``)."""
    return {layer.eps for _, layer, key in model.named_params() if key == "gamma"}


def test_epsilon_changes_the_logits_of_the_small_input_model():
    # Without this, an epsilon that is read and then ignored would go unnoticed.
    model = small_input_model(1e-6)
    assert layer_norm_epsilons(model) == {1e-6}
    fine = model(EPS_IDS)
    coarse = small_input_model(1e-5)(EPS_IDS)  # the same weights, eps 1e-5
    assert np.abs(fine - coarse).max() > 1e-3 * np.abs(fine).max()


def test_epsilon_survives_save_and_load(tmp_path):
    model = small_input_model(1e-6)
    expected = model(EPS_IDS)
    save_gpt2(model, tmp_path)
    BPETokenizer([bytes([b]) for b in range(256)], []).save(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text("utf-8"))
    assert config["layer_norm_epsilon"] == 1e-6
    assert gpt2_config(config)["eps"] == 1e-6
    loaded = load_gpt2_model(tmp_path, dtype=np.float64)
    assert layer_norm_epsilons(loaded) == {1e-6}
    assert np.array_equal(loaded(EPS_IDS), expected)
    loaded, tokenizer = load_gpt2(tmp_path, dtype=np.float64)
    assert layer_norm_epsilons(loaded) == {1e-6}
    assert np.array_equal(loaded(EPS_IDS), expected)
    assert tokenizer.vocab_size == 257


def test_gpt2_config_reads_epsilon_and_defaults_to_gpt2s():
    config = dict(model_type="gpt2", vocab_size=5, n_embd=4, n_head=2, n_layer=1)
    config.update(n_positions=4)
    assert gpt2_config(config)["eps"] == 1e-5  # GPT-2's value when the file omits it
    assert gpt2_config({**config, "layer_norm_epsilon": 1e-6})["eps"] == 1e-6
    assert gpt2_config({**config, "layer_norm_epsilon": 3e-7})["eps"] == 3e-7


# --- GPT-2's pre-tokenization pattern ---------------------------------------------

# OpenAI's gpt-2 src/encoder.py, copied from there, not from scratchml.
PUBLISHED = (
    r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
)

SPLITS = {
    # Whitespace: a run of spaces before a word leaves its last space to the word.
    "a  b": ["a", " ", " b"],
    "a   b": ["a", "  ", " b"],
    "  a": [" ", " a"],
    "a  !": ["a", " ", " !"],
    "a  1": ["a", " ", " 1"],
    # ... at the end of the text the whole run stays together.
    "a ": ["a", " "],
    "a  ": ["a", "  "],
    "hello\n": ["hello", "\n"],
    # Newlines and tabs never join the word: only a plain space does.
    "a\nb": ["a", "\n", "b"],
    "a\n\nb": ["a", "\n", "\n", "b"],
    "a \n b": ["a", " \n", " b"],
    "x\t\ty": ["x", "\t", "\t", "y"],
    "a\u00a0b": ["a", "\u00a0", "b"],  # no-break space: whitespace, not " "
    # Contractions, lower case only.
    "it's": ["it", "'s"],
    "don't": ["don", "'t"],
    "we're": ["we", "'re"],
    "I've": ["I", "'ve"],
    "I'm": ["I", "'m"],
    "we'll": ["we", "'ll"],
    "he'd": ["he", "'d"],
    "I'M": ["I", "'", "M"],  # the wart: upper case is punctuation + letters
    "DON'T": ["DON", "'", "T"],
    "'sup": ["'s", "up"],  # and "'s" is cut off wherever it appears
    "rock 'n' roll": ["rock", " '", "n", "'", " roll"],
    # Digits: runs of digits, with their leading space, apart from letters.
    "in 2024!": ["in", " 2024", "!"],
    "3.14": ["3", ".", "14"],
    "1,000,000": ["1", ",", "000", ",", "000"],
    "x2y": ["x", "2", "y"],
    "\u0663\u0664 \u00bd": ["\u0663\u0664", " \u00bd"],  # Arabic-Indic digits, 1/2
    # Punctuation: runs of symbols, with their leading space.
    "Hello, world!": ["Hello", ",", " world", "!"],
    "wait...what?!": ["wait", "...", "what", "?!"],
    "a -> b": ["a", " ->", " b"],
    "(x)": ["(", "x", ")"],
    "$5": ["$", "5"],
    "e-mail": ["e", "-", "mail"],
    # Letters of any script.
    "café naïve": ["café", " naïve"],
    "Привет мир": ["Привет", " мир"],
    "日本語のテキスト": ["日本語のテキスト"],
    "a 🙂 b": ["a", " 🙂", " b"],
    "e\u0301": ["e", "\u0301"],  # a combining accent is a mark, not a letter
}


@pytest.mark.parametrize(("text", "expected"), list(SPLITS.items()))
def test_pattern_splits(text, expected):
    assert regex.findall(PUBLISHED, text) == expected  # the hand-worked split is right
    assert regex.findall(GPT2_PATTERN, text) == expected
    assert "".join(expected) == text


def test_pattern_matches_the_published_one_on_prose():
    text = (
        "The  quick brown fox's 2 jumps -- over   the lazy dog.\n\n"
        "  It's 3:45 PM;\tweren't we   done?  \n\t\n 'Yes!!' she said... 100 %\n"
    )
    assert regex.findall(GPT2_PATTERN, text) == regex.findall(PUBLISHED, text)


def test_tokenizer_pretokenizes_with_the_pattern_by_default():
    # merge 0 = (" ", b) -> 256. "a  b" is cut ["a", " ", " b"]: the second space
    # joins b, so the merge applies -> [a, " ", " b"].
    tok = tokenizer_with((b" ", b"b"))
    assert tok.encode("a  b").tolist() == [A, SPACE, 256]
    assert tok.encode("a\n\n b").tolist() == [A, 10, 10, 256]
    assert tok.encode("a  ").tolist() == [A, SPACE, SPACE]
