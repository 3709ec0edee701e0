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
    as_token_ids,
    check_float_dtype,
    check_positive_int,
    check_rng,
    check_shape,
)
from scratchml.embedding import Embedding, Unembedding
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
                    f"Sequential: layers[{i}] must be a Layer, got {type(layer).__name__}"
                )
        self.children = {str(i): layer for i, layer in enumerate(self.layers)}

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, i: int) -> Layer:
        return self.layers[i]

    def forward(self, x):
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
            raise ValueError(f"GPT: d_model ({d_model}) must be divisible by n_heads ({n_heads})")
        if d_hidden is not None:
            check_positive_int("GPT", "d_hidden", d_hidden)
        dtype = check_float_dtype("GPT", "dtype", dtype)
        self.config = dict(sizes, d_hidden=d_hidden)
        self.vocab_size, self.context_length = vocab_size, context_length
        rng = check_rng("GPT", "rng", rng)
        self.tok_emb = Embedding(vocab_size, d_model, rng=rng, dtype=dtype)
        self.pos_emb = PositionalEmbedding(context_length, d_model, rng=rng, dtype=dtype)
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
            raise ValueError(f"GPT.forward: ids has shape {ids.shape} but must be (B, T) or (T,)")
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
        x = self.unembed._cached("_x")  # (B, T, d_model): the forward pass's last input
        check_shape(
            "GPT.backward", "dlogits", dlogits, x.shape[:-1] + (self.vocab_size,), "the logits"
        )
        dx = self.unembed.backward(dlogits)  # (B, T, d_model)
        dx = self.ln_f.backward(dx)  # (B, T, d_model)
        dx = self.blocks.backward(dx)  # (B, T, d_model)
        dx = self.pos_emb.backward(dx)  # (B, T, d_model)
        return self.tok_emb.backward(dx)  # None

    # --8<-- [end:gpt_backward]


# --8<-- [end:gpt]
