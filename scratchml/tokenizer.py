"""Tokens and the vocabulary: a character-level tokenizer.

A language model reads integers, not text. A tokenizer fixes a vocabulary (here: every
distinct character of a training text, sorted) and maps each character to its index in
that list (``encode``) and back (``decode``). GPT-2 uses pieces of words instead of
single characters, but the idea is the same: text in, one integer per token out.
"""

# --8<-- [start:imports]
import numpy as np

from scratchml._checks import (
    check_chars,
    check_decodable,
    check_encodable,
    check_nonempty_text,
)

# --8<-- [end:imports]


# --8<-- [start:char_tokenizer]
class CharTokenizer:
    """Map characters to integer ids and back.

    Parameters
    ----------
    chars : iterable of str
        The vocabulary, one single character per entry, without repeats. The id of a
        character is its position in this list.

    Attributes
    ----------
    chars : list[str]
        The vocabulary, id -> character.
    stoi : dict[str, int]
        Character -> id.
    vocab_size : int
        Number of distinct tokens.

    Examples
    --------
    >>> tok = CharTokenizer.from_text("hello")
    >>> tok.chars
    ['e', 'h', 'l', 'o']
    >>> tok.encode("hole").tolist()
    [1, 3, 2, 0]
    """

    def __init__(self, chars) -> None:
        self.chars = check_chars("CharTokenizer", chars)  # id -> character
        self.stoi = {c: i for i, c in enumerate(self.chars)}  # character -> id

    @classmethod
    def from_text(cls, text: str) -> "CharTokenizer":
        """Build the vocabulary from ``text``: its distinct characters, sorted."""
        text = check_nonempty_text("CharTokenizer.from_text", text)
        return cls(sorted(set(text)))

    @property
    def vocab_size(self) -> int:
        """Number of distinct tokens."""
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """Return the id of every character of ``text``, shape ``(len(text),)``.

        Raises
        ------
        TypeError
            If ``text`` is not a str.
        ValueError
            If a character of ``text`` is not in the vocabulary (the first one is
            named, with its position).
        """
        text = check_encodable("CharTokenizer.encode", text, self.stoi)
        return np.array([self.stoi[c] for c in text], dtype=np.int64)  # (len(text),)

    def decode(self, ids) -> str:
        """Return the text spelled by a 1-D sequence of ids.

        Raises
        ------
        ValueError
            If ``ids`` is not 1-D or holds an id outside ``[0, vocab_size)``.
        """
        ids = check_decodable("CharTokenizer.decode", ids, self.vocab_size)  # (n,)
        return "".join(self.chars[i] for i in ids.tolist())


# --8<-- [end:char_tokenizer]
