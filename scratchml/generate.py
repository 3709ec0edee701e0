"""Generating text: predict a distribution over the next token, draw one, append, repeat.

The temperature ``T`` *divides* the logits before the softmax: ``T < 1`` sharpens the
distribution (the likeliest tokens win more often), ``T > 1`` flattens it, and ``T = 0``
is the limit where the single likeliest token always wins (greedy decoding). Top-k
sampling first throws away every token outside the ``k`` likeliest.

Drawing a token from probabilities ``p`` is done by inverse transform sampling: pick
``u`` uniformly in ``[0, 1)`` and take the first token whose cumulative probability
exceeds ``u``. Token ``i`` owns an interval of length ``p_i``, so it is drawn with
probability exactly ``p_i``.
"""

# --8<-- [start:imports]

import numpy as np

from scratchml._checks import (
    as_float_array,
    as_token_ids,
    check_int,
    check_layer,
    check_ndim,
    check_non_negative,
    check_positive_int,
    check_rng,
)
from scratchml.softmax import softmax

# --8<-- [end:imports]


def _check_sampling(where: str, temperature, top_k) -> tuple[float, int | None]:
    t = check_non_negative(where, "temperature", temperature)
    if top_k is not None:
        top_k = check_positive_int(where, "top_k", top_k)
    return t, top_k


# --8<-- [start:sample_next_token]
def sample_next_token(logits, temperature: float = 1.0, top_k=None, rng=None) -> np.ndarray:
    """Draw one token id from ``softmax(logits / temperature)``, row by row.

    Parameters
    ----------
    logits : array_like, shape (V,) or (B, V)
        Scores for every vocabulary entry.
    temperature : float, default 1.0
        ``> 0`` divides the logits; ``0`` means greedy: always the largest logit.
    top_k : int, optional
        Keep only the ``k`` largest logits (ties with the ``k``-th are kept too);
        ``k >= V`` keeps all.
    rng : int or numpy.random.Generator, optional
        Source of randomness; the same seed gives the same draws.

    Returns
    -------
    numpy.ndarray
        int64 token ids, shape ``()`` for one row of logits or ``(B,)``.
    """
    t, top_k = _check_sampling("sample_next_token", temperature, top_k)
    logits = as_float_array("sample_next_token", "logits", logits).astype(np.float64)  # (B, V)
    check_ndim("sample_next_token", "logits", logits, (1, 2))
    rng = check_rng("sample_next_token", "rng", rng)
    if top_k is not None and top_k < logits.shape[-1]:
        kth = np.sort(logits, axis=-1)[..., -top_k, None]  # (B, 1): the k-th largest logit
        logits = np.where(logits < kth, -np.inf, logits)  # (B, V): the rest get probability 0
    if t == 0:
        return logits.argmax(axis=-1)  # (B,): greedy
    probs = softmax(logits, axis=-1, temperature=t)  # (B, V): the tempered distribution
    cdf = np.cumsum(probs, axis=-1)  # (B, V): cumulative probabilities
    u = np.random.default_rng(rng).random(cdf.shape[:-1] + (1,)) * cdf[..., -1:]  # (B, 1)
    return (cdf <= u).sum(axis=-1)  # (B,): the first token whose cdf exceeds u


# --8<-- [end:sample_next_token]


# --8<-- [start:generate]
def generate(model, token_ids, n_new: int, temperature=1.0, top_k=None, rng=None) -> np.ndarray:
    """Extend ``token_ids`` by ``n_new`` tokens sampled from ``model``, one at a time.

    Parameters
    ----------
    model : Layer
        A language model such as ``GPT``: ``forward(ids)`` returns logits
        ``(..., T, V)``. If it has a ``context_length``, only the last that many tokens
        are fed to it.
    token_ids : array_like of int, shape (T,) or (B, T)
        The prompt (at least one token).
    n_new : int
        Number of tokens to append (0 returns the prompt).
    temperature, top_k, rng
        As in ``sample_next_token``. Pass a seed or generator for reproducible text.

    Returns
    -------
    numpy.ndarray
        int64 ids, shape ``(T + n_new,)`` or ``(B, T + n_new)``: the prompt, then the
        new tokens.
    """
    t, top_k = _check_sampling("generate", temperature, top_k)
    check_layer("generate", "model", model)
    vocab_size = getattr(model, "vocab_size", np.iinfo(np.int64).max)
    ids = as_token_ids("generate", "token_ids", token_ids, vocab_size).astype(np.int64)
    if ids.ndim not in (1, 2):
        raise ValueError(f"generate: token_ids has shape {ids.shape} but must be (T,) or (B, T)")
    n_new = check_int("generate", "n_new", n_new, minimum=0)
    rng = check_rng("generate", "rng", rng)
    context = getattr(model, "context_length", ids.shape[-1] + n_new)
    for _ in range(n_new):
        logits = model.forward(ids[..., -context:])[..., -1, :]  # (B, V): the last position
        next_id = sample_next_token(logits, t, top_k, rng)  # (B,)
        ids = np.concatenate([ids, next_id[..., None]], axis=-1)  # (B, T + 1)
    return ids


# --8<-- [end:generate]
