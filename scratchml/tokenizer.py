"""Tokens and the vocabulary: a character-level tokenizer.

A language model reads integers, not text. A tokenizer fixes a vocabulary (here: every
distinct character of a training text, sorted) and maps each character to its index in
that list (``encode``) and back (``decode``). GPT-2 uses pieces of words instead of
single
characters, but the idea is the same: text in, one integer per token out.
"""

# --8<-- [start:imports]
import numpy as np

from scratchml._checks import ArgumentTypeError, as_array, as_token_ids

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
        if not isinstance(chars, str) and not hasattr(chars, "__iter__"):
            raise ArgumentTypeError(
                "CharTokenizer: chars must be an iterable of characters, got "
                f"{chars!r:.60}"
            )
        chars = list(chars)
        for c in chars:
            if not isinstance(c, str):
                raise ArgumentTypeError(
                    f"CharTokenizer: every entry of chars must be a str, got {c!r:.40}"
                )
            if len(c) != 1:
                raise ValueError(
                    "CharTokenizer: every entry of chars must be one character, got "
                    f"{c!r}"
                )
        if len(set(chars)) != len(chars):
            repeated = next(c for c in chars if chars.count(c) > 1)
            raise ValueError(
                f"CharTokenizer: chars contains a repeated character, {repeated!r}"
            )
        if not chars:
            raise ValueError("CharTokenizer: chars is empty")
        self.chars = chars
        self.stoi = {c: i for i, c in enumerate(chars)}

    @classmethod
    def from_text(cls, text: str) -> "CharTokenizer":
        """Build the vocabulary from ``text``: its distinct characters, sorted."""
        if not isinstance(text, str) or not text:
            error = ValueError if isinstance(text, str) else ArgumentTypeError
            raise error(
                "CharTokenizer.from_text: text must be a non-empty str, got "
                f"{text!r:.40}"
            )
        return cls(sorted(set(text)))

    @property
    def vocab_size(self) -> int:
        return len(self.chars)

    # --8<-- [start:char_tokenizer_encode]
    def encode(self, text: str) -> np.ndarray:
        """Return the id of every character of ``text``: int64 array, shape ``(len(text),)``."""
        if not isinstance(text, str):
            raise TypeError(
                f"CharTokenizer.encode: text must be a str, got {type(text).__name__}"
            )
        try:
            ids = [self.stoi[c] for c in text]
        except KeyError as err:
            pos = next(i for i, c in enumerate(text) if c not in self.stoi)
            raise ValueError(
                f"CharTokenizer.encode: character {text[pos]!r} at position {pos} "
                "is not in the vocabulary"
            ) from err
        return np.array(ids, dtype=np.int64)  # (len(text),)

    # --8<-- [end:char_tokenizer_encode]

    # --8<-- [start:char_tokenizer_decode]
    def decode(self, ids) -> str:
        """Return the text spelled by a 1-D sequence of ids."""
        ids = as_array("CharTokenizer.decode", "ids", ids)
        if ids.ndim != 1:
            raise ValueError(
                f"CharTokenizer.decode: ids has shape {ids.shape} but must be 1-D"
            )
        if ids.size == 0:
            return ""
        ids = as_token_ids("CharTokenizer.decode", "ids", ids, self.vocab_size)
        return "".join(self.chars[i] for i in ids.tolist())

    # --8<-- [end:char_tokenizer_decode]


# --8<-- [end:char_tokenizer]
