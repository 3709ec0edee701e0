"""The character tokenizer: a sorted vocabulary, exact round trips, clear errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scratchml import CharTokenizer

TEXT = "to be, or not to be"


def test_vocabulary_is_the_sorted_distinct_characters():
    tok = CharTokenizer.from_text(TEXT)
    assert tok.chars == [" ", ",", "b", "e", "n", "o", "r", "t"]
    assert tok.vocab_size == 8
    assert tok.stoi == {c: i for i, c in enumerate(tok.chars)}


def test_encode_gives_int64_ids_in_vocabulary_order():
    tok = CharTokenizer.from_text(TEXT)
    ids = tok.encode("bet")
    assert ids.dtype == np.int64
    assert ids.shape == (3,)
    assert ids.tolist() == [2, 3, 7]


def test_round_trip():
    tok = CharTokenizer.from_text(TEXT)
    assert tok.decode(tok.encode(TEXT)) == TEXT
    assert tok.decode([7, 5]) == "to"
    assert tok.decode(np.array([], dtype=np.int64)) == ""
    assert tok.encode("").shape == (0,)


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=1, max_size=60))
def test_round_trip_any_text(text):
    tok = CharTokenizer.from_text(text)
    ids = tok.encode(text)
    assert tok.decode(ids) == text
    assert ids.min() >= 0 and ids.max() < tok.vocab_size
    assert tok.vocab_size == len(set(text))


def test_unknown_character_names_character_and_position():
    tok = CharTokenizer.from_text(TEXT)
    with pytest.raises(
        ValueError, match=r"character 'x' at position 3 is not in the vocabulary"
    ):
        tok.encode("to x")


@pytest.mark.parametrize("bad", [[8], [-1], [0, 99]])
def test_out_of_range_id_is_a_clear_error(bad):
    tok = CharTokenizer.from_text(TEXT)
    with pytest.raises(
        ValueError, match=r"CharTokenizer.decode: ids holds id -?\d+ at index"
    ):
        tok.decode(bad)


def test_decode_rejects_float_and_2d_ids():
    tok = CharTokenizer.from_text(TEXT)
    with pytest.raises(TypeError, match="must be integer token ids, got dtype float64"):
        tok.decode([1.0, 2.0])
    with pytest.raises(ValueError, match=r"ids has shape \(1, 2\) but must be 1-D"):
        tok.decode([[1, 2]])


def test_invalid_vocabularies_are_rejected():
    with pytest.raises(ValueError, match="repeated character"):
        CharTokenizer(["a", "b", "a"])
    with pytest.raises(ValueError, match="must be one character"):
        CharTokenizer(["ab"])
    with pytest.raises(ValueError, match="non-empty str"):
        CharTokenizer.from_text("")
    with pytest.raises(TypeError, match="text must be a str"):
        CharTokenizer.from_text("ab").encode([0, 1])
