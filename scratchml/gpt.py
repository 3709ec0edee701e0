"""The tiny GPT: a decoder-only language model built from the pieces of Part II.

Token ids go in, and for every position comes out a vector of logits, one per
vocabulary entry: the model's scores for the *next* token::

    ids (B, T) -> token embedding + position embedding   (B, T, d_model)
               -> n_layers transformer blocks             (B, T, d_model)
               -> final layer norm -> unembedding         (B, T, vocab_size)

Causal attention makes position ``t`` depend on tokens ``0..t`` only, so one sequence
of ``T`` tokens is ``T`` training examples at once.
"""

# --8<-- [start:imports]
import numpy as np

from scratchml._checks import (
    ArgumentTypeError,
    as_numeric_array,
    as_token_ids,
    check_float_dtype,
    check_positive_int,
    check_rng,
    check_shape,
)
from scratchml.embedding import Embedding, Unembedding
from scratchml.kv_cache import KVCache
from scratchml.layers import Layer
from scratchml.normalization import LayerNorm
from scratchml.positional import PositionalEmbedding
from scratchml.transformer import TransformerBlock

# --8<-- [end:imports]


# --8<-- [start:sequential]
class Sequential(Layer):
    """Layers applied one after another; children are named ``"0"``, ``"1"``, ...

    ``backward`` visits them in reverse order, each receiving the gradient its
    successor returned.

    Parameters
    ----------
    layers : iterable of Layer
        The layers, in the order ``forward`` applies them.
    """

    def __init__(self, layers) -> None:
        super().__init__()
        if isinstance(layers, Layer) or not hasattr(layers, "__iter__"):
            raise ArgumentTypeError(
                f"Sequential: layers must be a list of layers, got {layers!r:.60}"
            )
        self.layers = list(layers)
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, Layer):
                raise ArgumentTypeError(
                    f"Sequential: layers[{i}] must be a Layer, got "
                    f"{type(layer).__name__}"
                )
        self.children = {str(i): layer for i, layer in enumerate(self.layers)}
        self._out_shape = None

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, i: int) -> Layer:
        return self.layers[i]

    def forward(self, x):
        x = as_numeric_array(
            "Sequential.forward", "x", x
        )  # floats or ids: the layers check more
        for layer in self.layers:
            x = layer(x)
        self._out_shape = np.shape(x)
        return x

    def backward(self, dy):
        check_shape(
            "Sequential.backward", "dy", dy, self._cached("_out_shape"), "the output"
        )
        for layer in reversed(self.layers):
            dy = layer.backward(dy)
        return dy


# --8<-- [end:sequential]


# --8<-- [start:gpt]
class GPT(Layer):
    """A decoder-only transformer language model.

    Parameters
    ----------
    vocab_size : int
        Number of distinct tokens.
    d_model : int
        Size of the residual stream vectors.
    n_heads : int
        Attention heads per block; ``d_model`` must be divisible by it.
    n_layers : int
        Number of transformer blocks.
    context_length : int
        The longest input sequence (the number of learned positions).
    d_hidden : int, optional
        Hidden width of each block's MLP, ``4 * d_model`` by default.
    rng : int or numpy.random.Generator, optional
        Seed or generator for every initial weight.
    dtype : numpy dtype, default float32

    Attributes
    ----------
    config : dict
        The constructor's size arguments: ``GPT(**model.config)`` builds a model of
        the same shape (for checkpoints).
    blocks : Sequential
        The transformer blocks; ``model.blocks[i].attn.last_weights`` holds block
        ``i``'s attention weights after a forward pass.

    Notes
    -----
    Children ``tok_emb`` (``W_E``), ``pos_emb`` (learned positions ``W_P``, as in
    GPT-2), ``blocks`` (``"0"``, ``"1"``, ...), ``ln_f`` and ``unembed`` (``W_U``), so
    parameter names read ``tok_emb.W_E``, ``blocks.0.attn.W_q``, ``unembed.W_U``.
    """

    def __init__(
        self,
        vocab_size: int,
        d_model: int,
        n_heads: int,
        n_layers: int,
        context_length: int,
        d_hidden=None,
        rng=None,
        dtype=np.float32,
    ) -> None:
        super().__init__()
        sizes = dict(vocab_size=vocab_size, d_model=d_model, n_heads=n_heads)
        sizes.update(n_layers=n_layers, context_length=context_length)
        for name, value in sizes.items():
            check_positive_int("GPT", name, value)
        if d_model % n_heads:
            raise ValueError(
                f"GPT: d_model ({d_model}) must be divisible by n_heads ({n_heads})"
            )
        if d_hidden is not None:
            check_positive_int("GPT", "d_hidden", d_hidden)
        dtype = check_float_dtype("GPT", "dtype", dtype)
        self.config = dict(sizes, d_hidden=d_hidden)
        self.vocab_size, self.context_length = vocab_size, context_length
        rng = check_rng("GPT", "rng", rng)
        self.tok_emb = Embedding(vocab_size, d_model, rng=rng, dtype=dtype)
        self.pos_emb = PositionalEmbedding(
            context_length, d_model, rng=rng, dtype=dtype
        )
        self.blocks = Sequential(
            TransformerBlock(d_model, n_heads, d_hidden, rng=rng, dtype=dtype)
            for _ in range(n_layers)
        )
        self.ln_f = LayerNorm(d_model, dtype=dtype)
        self.unembed = Unembedding(d_model, vocab_size, rng=rng, dtype=dtype)
        self.children = {
            "tok_emb": self.tok_emb,
            "pos_emb": self.pos_emb,
            "blocks": self.blocks,
            "ln_f": self.ln_f,
            "unembed": self.unembed,
        }

    # --8<-- [start:gpt_forward]
    def forward(self, ids) -> np.ndarray:
        """Logits for the next token at every position: ``(B, T, vocab_size)``.

        ``ids`` is ``(B, T)`` or ``(T,)`` with ``T <= context_length``.
        """
        ids = as_token_ids("GPT.forward", "ids", ids, self.vocab_size)
        if ids.ndim not in (1, 2):
            raise ValueError(
                f"GPT.forward: ids has shape {ids.shape} but must be (B, T) or (T,)"
            )
        if ids.shape[-1] > self.context_length:
            raise ValueError(
                f"GPT.forward: ids has shape {ids.shape}, longer than context_length = "
                f"{self.context_length}; crop to the last {self.context_length} tokens"
            )
        x = self.tok_emb(ids)  # (B, T, d_model): one vector per token
        x = self.pos_emb(x)  # (B, T, d_model): plus one vector per position
        x = self.blocks(x)  # (B, T, d_model)
        x = self.ln_f(x)  # (B, T, d_model)
        return self.unembed(x)  # (B, T, vocab_size)

    # --8<-- [end:gpt_forward]

    # --8<-- [start:gpt_backward]
    def backward(self, dlogits: np.ndarray) -> None:
        """Fill ``grads`` of every parameter from ``dlogits``, the loss gradient ``(B, T, V)``.

        Returns ``None``: token ids have no gradient.
        """
        x = self.unembed._cached(
            "_x", "GPT.backward"
        )  # (B, T, d_model): the last input
        check_shape(
            "GPT.backward",
            "dlogits",
            dlogits,
            x.shape[:-1] + (self.vocab_size,),
            "the logits",
        )
        dx = self.unembed.backward(dlogits)  # (B, T, d_model)
        dx = self.ln_f.backward(dx)  # (B, T, d_model)
        dx = self.blocks.backward(dx)  # (B, T, d_model)
        dx = self.pos_emb.backward(dx)  # (B, T, d_model)
        return self.tok_emb.backward(dx)  # None

    # --8<-- [end:gpt_backward]

    # --8<-- [start:gpt_new_kv_cache]
    def new_kv_cache(self, batch: int = 1) -> list[KVCache]:
        """An empty ``KVCache`` per block, for ``batch`` sequences of up to ``context_length``.

        Together they hold ``2 * n_layers * d_model`` numbers per token and sequence.
        """
        batch = check_positive_int("GPT.new_kv_cache", "batch", batch)
        dtype = self.tok_emb.params["W_E"].dtype
        return [
            KVCache(
                batch, b.attn.n_heads, self.context_length, b.attn.d_head, dtype=dtype
            )
            for b in self.blocks
        ]

    # --8<-- [end:gpt_new_kv_cache]

    def _check_cached_call(self, ids, cache) -> np.ndarray:
        where = "GPT.forward_cached"
        ids = as_token_ids(where, "ids", ids, self.vocab_size)
        if ids.ndim not in (1, 2):
            raise ValueError(
                f"{where}: ids has shape {ids.shape} but must be (B, n) or (n,)"
            )
        if not isinstance(cache, list | tuple) or len(cache) != len(self.blocks):
            raise TypeError(
                f"{where}: cache must be a list of {len(self.blocks)} KVCache (one per "
                "block, "
                f"from new_kv_cache()), got {type(cache).__name__}"
                + (
                    f" of length {len(cache)}"
                    if isinstance(cache, list | tuple)
                    else ""
                )
            )
        if not all(isinstance(c, KVCache) for c in cache):
            raise TypeError(
                f"{where}: cache must hold KVCache objects (from new_kv_cache())"
            )
        lengths = {c.length for c in cache}
        if len(lengths) != 1:
            raise ValueError(
                f"{where}: the caches of the blocks hold different lengths {lengths}"
            )
        batch = ids.shape[0] if ids.ndim == 2 else 1
        if cache[0].keys.shape[0] != batch:
            raise ValueError(
                f"{where}: ids has shape {ids.shape} ({batch} sequence(s)) but the "
                "cache was "
                f"made for batch = {cache[0].keys.shape[0]}"
            )
        start = cache[0].length
        if start + ids.shape[-1] > self.context_length:
            raise ValueError(
                f"{where}: the cache holds {start} positions and ids adds "
                f"{ids.shape[-1]}, "
                f"more than context_length = {self.context_length}"
            )
        return ids

    # --8<-- [start:gpt_forward_cached]
    def forward_cached(self, ids, cache, last_only: bool = False) -> np.ndarray:
        """Logits for new tokens only, reusing the keys and values stored in ``cache``.

        Parameters
        ----------
        ids : array_like of int, shape (B, n) or (n,)
            The new tokens; they sit at positions ``start .. start + n - 1``, where
            ``start = cache[0].length`` counts the tokens fed before.
        cache : list of KVCache
            One per block, from ``new_kv_cache``; extended by ``n`` positions.
        last_only : bool, default False
            Unembed only the last new position (all a generation step needs).

        Returns
        -------
        numpy.ndarray, shape (B, n, vocab_size), or (B, 1, vocab_size) if ``last_only``
            The same logits ``forward`` gives at those positions for the whole sequence.
        """
        ids = self._check_cached_call(ids, cache)
        if not isinstance(last_only, bool | np.bool_):
            raise TypeError(
                "GPT.forward_cached: last_only must be True or False, got "
                f"{last_only!r}"
            )
        start, n = cache[0].length, ids.shape[-1]
        x = self.tok_emb(ids)  # (B, n, d_model)
        x = (
            x + self.pos_emb.params["W_P"][start : start + n]
        )  # (B, n, d_model): positions offset
        for block, block_cache in zip(self.blocks, cache, strict=True):
            x = block.forward_cached(x, block_cache)  # (B, n, d_model)
        if last_only:
            x = x[
                ..., -1:, :
            ]  # (B, 1, d_model): the unembedding is the largest product
        x = self.ln_f(x)  # (B, n, d_model)
        return self.unembed(x)  # (B, n, vocab_size)

    # --8<-- [end:gpt_forward_cached]


# --8<-- [end:gpt]
