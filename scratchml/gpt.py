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
    as_numeric_array,
    check_cached_call,
    check_gpt,
    check_ids,
    check_layers,
    check_positive_int,
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
        self.layers = check_layers(layers)
        self.children = {str(i): layer for i, layer in enumerate(self.layers)}

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, i: int) -> Layer:
        return self.layers[i]

    def forward(self, x):
        x = as_numeric_array("Sequential.forward", "x", x)  # the layers check more
        for layer in self.layers:
            x = layer(x)
        return x

    def backward(self, dy):
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
    block : type, default TransformerBlock
        The class of the blocks, called as ``block(d_model, n_heads, d_hidden,
        rng=rng, dtype=dtype, **block_options)`` (GPT-2 passes ``GPT2Block``).
    block_options : dict, optional
        More keyword arguments for every block (``bias=True``, ``activation="gelu"``,
        ``eps``, ...).
    unembedding : callable, optional
        Builds the unembedding from the token embedding, ``unembedding(tok_emb)``
        (GPT-2 passes ``TiedUnembedding``: ``W_U = W_E^T``, no new parameter). By
        default a separate ``Unembedding`` with its own matrix ``W_U``.
    eps : float, default 1e-5
        The final layer norm's ``eps``.

    Raises
    ------
    ValueError
        If a size is not a positive integer, ``n_heads`` does not divide ``d_model``
        or ``eps`` is not positive; also a ``TypeError`` for an ``rng``, ``dtype``,
        ``block``, ``block_options`` or ``unembedding`` of the wrong kind.

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
        block=TransformerBlock,
        block_options=None,
        unembedding=None,
        eps=1e-5,
    ) -> None:
        super().__init__()
        sizes = dict(vocab_size=vocab_size, d_model=d_model, n_heads=n_heads)
        sizes.update(n_layers=n_layers, context_length=context_length)
        rng, dtype = check_gpt(
            type(self).__name__, sizes, d_hidden, rng, dtype, block, block_options,
            unembedding, eps,
        )  # fmt: skip
        self.config = dict(sizes, d_hidden=d_hidden)
        self.vocab_size, self.context_length = vocab_size, context_length
        self.tok_emb = Embedding(vocab_size, d_model, rng=rng, dtype=dtype)
        self.pos_emb = PositionalEmbedding(
            context_length, d_model, rng=rng, dtype=dtype
        )
        options = block_options or {}  # e.g. bias=True, activation="gelu"
        self.blocks = Sequential(
            block(d_model, n_heads, d_hidden, rng=rng, dtype=dtype, **options)
            for _ in range(n_layers)
        )
        self.ln_f = LayerNorm(d_model, eps=eps, dtype=dtype)
        if unembedding is None:  # its own matrix W_U
            self.unembed = Unembedding(d_model, vocab_size, rng=rng, dtype=dtype)
        else:  # built from the token embedding (tied: W_U = W_E^T)
            self.unembed = unembedding(self.tok_emb)
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
        ids = check_ids("GPT.forward", ids, self.vocab_size, self.context_length)
        x = self.tok_emb(ids)  # (B, T, d_model): one vector per token
        x = self.pos_emb(x)  # (B, T, d_model): plus one vector per position
        x = self.blocks(x)  # (B, T, d_model)
        x = self.ln_f(x)  # (B, T, d_model)
        return self.unembed(x)  # (B, T, vocab_size)

    # --8<-- [end:gpt_forward]

    # --8<-- [start:gpt_backward]
    def backward(self, dlogits: np.ndarray) -> None:
        """Fill every parameter's ``grads`` from ``dlogits``, the gradient (B, T, V).

        Returns ``None``: token ids have no gradient.
        """
        dx = self.unembed.backward(dlogits)  # (B, T, d_model)
        dx = self.ln_f.backward(dx)  # (B, T, d_model)
        dx = self.blocks.backward(dx)  # (B, T, d_model)
        dx = self.pos_emb.backward(dx)  # (B, T, d_model)
        return self.tok_emb.backward(dx)  # None

    # --8<-- [end:gpt_backward]

    # --8<-- [start:gpt_new_kv_cache]
    def new_kv_cache(self, batch: int = 1) -> list[KVCache]:
        """An empty ``KVCache`` per block, for ``batch`` sequences of full context.

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

    # --8<-- [start:gpt_forward_cached]
    def forward_cached(self, ids, cache, last_only: bool = False) -> np.ndarray:
        """Logits for new tokens only, reusing the keys and values in ``cache``.

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
        ids = check_cached_call(self, ids, cache, last_only)
        start, n = cache[0].length, ids.shape[-1]
        x = self.tok_emb(ids)  # (B, n, d_model)
        x = x + self.pos_emb.params["W_P"][start : start + n]  # positions offset
        for block, block_cache in zip(self.blocks, cache, strict=True):
            x = block.forward_cached(x, block_cache)  # (B, n, d_model)
        if last_only:  # the unembedding is the largest product of a step
            x = x[..., -1:, :]  # (B, 1, d_model)
        x = self.ln_f(x)  # (B, n, d_model)
        return self.unembed(x)  # (B, n, vocab_size)

    # --8<-- [end:gpt_forward_cached]


# --8<-- [end:gpt]
