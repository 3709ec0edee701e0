"""Generating text: predict the next token's distribution, draw one, append, repeat.

The temperature ``T`` *divides* the logits before the softmax: ``T < 1`` sharpens the
distribution (the likeliest tokens win more often), ``T > 1`` flattens it, and ``T = 0``
is the limit where the single likeliest token always wins (greedy decoding). Top-k
sampling first throws away every token outside the ``k`` likeliest; top-p (nucleus)
sampling keeps the fewest likeliest tokens whose probabilities add up to at least ``p``.

Drawing a token from probabilities ``p`` is done by inverse transform sampling: pick
``u`` uniformly in ``[0, 1)`` and take the first token whose cumulative probability
exceeds ``u``. Token ``i`` owns an interval of length ``p_i``, so it is drawn with
probability exactly ``p_i``.
"""

# --8<-- [start:imports]
import numpy as np

from scratchml._checks import (
    check_generate,
    check_sample_next_token,
    check_top_p_filter,
)
from scratchml.softmax import softmax

# --8<-- [end:imports]


# --8<-- [start:top_p_filter]
def top_p_filter(probs, top_p: float) -> np.ndarray:
    """Keep the nucleus: the fewest likeliest tokens whose probabilities reach top_p.

    Parameters
    ----------
    probs : array_like, shape (V,) or (B, V)
        A probability distribution per row: entries ``>= 0`` that sum to 1 (within
        0.001; anything else, such as logits or counts, is an error).
    top_p : float in (0, 1]
        ``1`` keeps every token; a tiny ``top_p`` keeps only the likeliest.

    Returns
    -------
    numpy.ndarray, same shape
        ``probs`` with every token outside the nucleus set to 0 (not renormalized).
        Ties with the least likely token kept are kept too, so the result does not
        depend on the order of the vocabulary.
    """
    probs, top_p = check_top_p_filter(probs, top_p)  # (B, V), a float
    if top_p == 1:
        return probs.copy()  # everything: no rounding in a cumulative sum drops a token
    ranked = -np.sort(-probs, axis=-1)  # (B, V): likeliest first
    below = np.cumsum(ranked, axis=-1) < top_p  # (B, V): the total is not reached yet
    n_keep = below.sum(axis=-1, keepdims=True) + 1  # (B, 1): those, and one more
    n_keep = np.minimum(n_keep, probs.shape[-1])  # rounding may leave the total below p
    smallest = np.take_along_axis(ranked, n_keep - 1, axis=-1)  # (B, 1): last one kept
    return np.where(probs >= smallest, probs, 0.0)  # (B, V)


# --8<-- [end:top_p_filter]


# --8<-- [start:sample_next_token]
def sample_next_token(
    logits, temperature: float = 1.0, top_k=None, rng=None, top_p=None
) -> np.ndarray:
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
    top_p : float in (0, 1], optional
        Nucleus sampling: after the temperature (and ``top_k``), keep the fewest
        likeliest tokens whose probabilities add up to at least ``top_p`` (see
        ``top_p_filter``) and draw from them, renormalized. ``1`` keeps all.

    Returns
    -------
    numpy.ndarray
        int64 token ids, shape ``()`` for one row of logits or ``(B,)``.
    """
    logits, temperature, top_k, rng, top_p = check_sample_next_token(**locals())
    if top_k is not None and top_k < logits.shape[-1]:
        kth = np.sort(logits, axis=-1)[..., -top_k, None]  # (B, 1): the k-th largest
        logits = np.where(logits < kth, -np.inf, logits)  # (B, V): the rest get p = 0
    if temperature == 0:
        return logits.argmax(axis=-1)  # (B,): greedy
    probs = softmax(logits, axis=-1, temperature=temperature)  # (B, V): tempered
    if top_p is not None:
        probs = top_p_filter(probs, top_p)  # (B, V): 0 outside the nucleus
    cdf = np.cumsum(probs, axis=-1)  # (B, V): cumulative probabilities
    u = rng.random(cdf.shape[:-1] + (1,)) * cdf[..., -1:]  # (B, 1): in [0, total)
    return (cdf <= u).sum(axis=-1)  # (B,): the first token whose cdf exceeds u


# --8<-- [end:sample_next_token]


# --8<-- [start:generate]
def generate(
    model,
    token_ids,
    n_new: int,
    temperature=1.0,
    top_k=None,
    rng=None,
    kv_cache=True,
    top_p=None,
) -> np.ndarray:
    """Extend ``token_ids`` by ``n_new`` tokens drawn from ``model``, one at a time.

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
    temperature : float, default 1.0
        As in ``sample_next_token``: divides the logits; ``0`` is greedy.
    top_k : int, optional
        As in ``sample_next_token``: keep only the ``k`` largest logits.
    rng : int or numpy.random.Generator, optional
        As in ``sample_next_token``. Pass a seed or generator for reproducible text.
    kv_cache : bool, default True
        Use the model's KV cache if it has one (``new_kv_cache`` and ``forward_cached``,
        as ``GPT`` does): the prompt is fed once, then only the new token at each step.
        ``False`` recomputes the whole window at every step. Both give the same logits
        up to rounding for a model in evaluation mode; the cached pass never applies
        dropout, the full pass does if the model is in training mode (call ``eval()``).
    top_p : float in (0, 1], optional
        As in ``sample_next_token``: nucleus sampling, after the temperature and
        ``top_k``.

    Returns
    -------
    numpy.ndarray
        int64 ids, shape ``(T + n_new,)`` or ``(B, T + n_new)``: the prompt, then the
        new tokens.

    Notes
    -----
    When the sequence is longer than ``context_length``, the model sees the last
    ``context_length`` tokens, a window that slides by one token per step, with or
    without the cache. Sliding moves every token to a new position, and the cached keys
    were computed at the old ones, so the cache is emptied and refilled from the window:
    from then on every step costs a whole window, as without the cache.
    """
    ids, n_new, rng = check_generate(**locals())  # ids: (B, T) int64
    if kv_cache and hasattr(model, "forward_cached"):  # Optimisation: the KV cache
        return _generate_cached(model, ids, n_new, temperature, top_k, rng, top_p)
    # --8<-- [start:generate_loop]
    context = getattr(model, "context_length", ids.shape[-1] + n_new)
    for _ in range(n_new):
        window = ids[..., -context:]  # (B, <= context): crop to the last tokens
        logits = model.forward(window)[..., -1, :]  # (B, V): at the last position
        next_id = sample_next_token(logits, temperature, top_k, rng, top_p)  # (B,)
        ids = np.concatenate([ids, next_id[..., None]], axis=-1)  # (B, T + 1): append
    return ids
    # --8<-- [end:generate_loop]


# --8<-- [end:generate]


# --8<-- [start:generate_cached]
def _generate_cached(model, ids, n_new, temperature, top_k, rng, top_p) -> np.ndarray:
    """``generate``'s loop with the model's KV cache: each step feeds the new tokens.

    Optimisation: the plain loop recomputes the keys and values of the whole window at
    every step; here the cache keeps them, so the prompt is fed once and then one token
    per step. Same logits up to rounding, so the same tokens (tested).
    """
    context = getattr(model, "context_length", ids.shape[-1] + n_new)
    cache = model.new_kv_cache(ids.shape[0] if ids.ndim == 2 else 1)  # one per block
    offset = 0  # the position in the text of the cache's first token
    for _ in range(n_new):
        start = max(0, ids.shape[-1] - context)  # the window: the last `context` tokens
        if start != offset:  # the window slid: every cached key sits at a wrong place
            for layer_cache in cache:
                layer_cache.reset()
            offset = start
        new = ids[..., offset + cache[0].length :]  # (B, n): the tokens not yet cached
        logits = model.forward_cached(new, cache, last_only=True)[..., -1, :]  # (B, V)
        next_id = sample_next_token(logits, temperature, top_k, rng, top_p)  # (B,)
        ids = np.concatenate([ids, next_id[..., None]], axis=-1)  # (B, T + 1)
    return ids


# --8<-- [end:generate_cached]
