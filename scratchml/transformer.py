"""The transformer block: attention, then a small MLP, each in a residual connection.

A block reads the *residual stream* ``x`` (one vector per position) and adds two things
to it: what attention gathers from the other positions, and what a two-layer MLP
computes at each position on its own. Each sublayer reads a layer-normalized copy of
the stream (the "pre-norm" arrangement of GPT-2)::

    x = x + attn(ln1(x))
    x = x + ffn(ln2(x))

Because each sublayer *adds* to ``x``, the gradient reaches early blocks undiminished
through the ``+``: the backward of ``x + f(x)`` is ``dy + f'(x)^T dy``.
"""

# --8<-- [start:imports]
import numpy as np

from scratchml._checks import (
    check_block,
    check_feed_forward,
    check_sequence,
    check_vectors,
)
from scratchml.activations import GELU, ReLU
from scratchml.attention import MultiHeadAttention
from scratchml.layers import Dense, Layer
from scratchml.normalization import LayerNorm

# --8<-- [end:imports]

ACTIVATIONS = {"relu": ReLU, "gelu": GELU}


# --8<-- [start:feed_forward]
class FeedForward(Layer):
    """The per-position MLP of a block: ``Dense -> ReLU -> Dense``.

    Parameters
    ----------
    d_model : int
        Size of input and output vectors.
    d_hidden : int, optional
        Width of the hidden layer, ``4 * d_model`` by default.
    rng : int or numpy.random.Generator, optional
    dtype : numpy dtype, default float32
    activation : {"relu", "gelu"}, default "relu"
        The nonlinearity between the two dense layers (GPT-2 uses ``"gelu"``).

    Notes
    -----
    The same MLP as in Part I, applied to every position independently. GPT-2 uses the
    smoother GELU instead of ReLU; ReLU is the choice of the original transformer paper.
    Children ``fc1``, ``act`` and ``fc2``.
    """

    def __init__(
        self, d_model: int, d_hidden=None, rng=None, dtype=np.float32, activation="relu"
    ) -> None:
        super().__init__()
        d_hidden, rng, dtype = check_feed_forward(
            d_model, d_hidden, rng, dtype, activation, ACTIVATIONS
        )
        self.d_model = d_model
        self.fc1 = Dense(d_model, d_hidden, rng=rng, dtype=dtype)
        self.act = ACTIVATIONS[activation]()
        self.fc2 = Dense(d_hidden, d_model, rng=rng, dtype=dtype)
        self.children = {"fc1": self.fc1, "act": self.act, "fc2": self.fc2}

    # --8<-- [start:feed_forward_forward]
    def forward(self, x) -> np.ndarray:
        x = check_vectors("FeedForward.forward", x, self.d_model)  # (B, T, d_model)
        x2 = x.reshape(-1, self.d_model)  # (N, d_model): positions as rows
        h = self.act(self.fc1(x2))  # (N, d_hidden)
        return self.fc2(h).reshape(x.shape)  # (B, T, d_model)

    # --8<-- [end:feed_forward_forward]

    # --8<-- [start:feed_forward_backward]
    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy2 = dy.reshape(-1, self.d_model)  # (N, d_model): positions as rows
        dh = self.fc2.backward(dy2)  # (N, d_hidden)
        dz = self.act.backward(dh)  # (N, d_hidden): through the activation
        dx2 = self.fc1.backward(dz)  # (N, d_model)
        return dx2.reshape(dy.shape)  # (B, T, d_model)

    # --8<-- [end:feed_forward_backward]


# --8<-- [end:feed_forward]


# --8<-- [start:transformer_block]
class TransformerBlock(Layer):
    """Pre-norm transformer block: ``x + attn(ln1(x))``, then ``+ ffn(ln2(x))``.

    Parameters
    ----------
    d_model : int
        Size of the residual stream vectors.
    n_heads : int
        Attention heads; ``d_model`` must be divisible by it.
    d_hidden : int, optional
        Hidden width of the feed-forward MLP, ``4 * d_model`` by default.
    causal : bool, default True
        Hide future positions from attention (a language model needs this).
    rng : int or numpy.random.Generator, optional
    dtype : numpy dtype, default float32
    bias : bool, default False
        Biases in the attention projections (the MLP's dense layers always have them).
    activation : {"relu", "gelu"}, default "relu"
        The feed-forward MLP's nonlinearity.
    eps : float, default 1e-5
        The layer norms' ``eps``.

    Raises
    ------
    ValueError
        If a size is not a positive integer, ``n_heads`` does not divide ``d_model``,
        ``eps`` is not a positive number, ``activation`` is unknown, or ``causal``,
        ``bias``, ``rng`` or ``dtype`` has the wrong type (a ``TypeError`` too).

    Notes
    -----
    Children ``ln1``, ``attn``, ``ln2``, ``ffn``. Input and output ``(B, T, d_model)``.
    """

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        d_hidden=None,
        causal=True,
        rng=None,
        dtype=np.float32,
        bias=False,
        activation="relu",
        eps=1e-5,
    ) -> None:
        super().__init__()
        where = type(self).__name__  # a GPT2Block's errors name GPT2Block
        rng, dtype = check_block(
            where, d_model, n_heads, d_hidden, causal, bias, activation, eps, rng,
            dtype, ACTIVATIONS,
        )  # fmt: skip
        self.d_model = d_model
        self.ln1 = LayerNorm(d_model, eps=eps, dtype=dtype)
        self.attn = MultiHeadAttention(
            d_model, n_heads, causal, rng=rng, dtype=dtype, bias=bias
        )
        self.ln2 = LayerNorm(d_model, eps=eps, dtype=dtype)
        self.ffn = FeedForward(
            d_model, d_hidden, rng=rng, dtype=dtype, activation=activation
        )
        self.children = {
            "ln1": self.ln1,
            "attn": self.attn,
            "ln2": self.ln2,
            "ffn": self.ffn,
        }

    # --8<-- [start:transformer_block_forward]
    def forward(self, x) -> np.ndarray:
        x = check_sequence("TransformerBlock.forward", x, self.d_model, finite=False)
        x = x + self.attn(self.ln1(x))  # (B, T, d_model): read from other positions
        return x + self.ffn(self.ln2(x))  # (B, T, d_model): compute at each position

    # --8<-- [end:transformer_block_forward]

    # --8<-- [start:transformer_block_backward]
    def backward(self, dy: np.ndarray) -> np.ndarray:
        dx = dy + self.ln2.backward(self.ffn.backward(dy))  # through x + ffn(ln2(x))
        return dx + self.ln1.backward(self.attn.backward(dx))  # x + attn(ln1(x))

    # --8<-- [end:transformer_block_backward]

    # --8<-- [start:transformer_block_forward_cached]
    def forward_cached(self, x, cache) -> np.ndarray:
        """``forward`` for new positions only; attention reads and extends ``cache``.

        ``x`` holds the new positions ``(B, n, d_model)``; ``cache`` is this block's
        ``KVCache``. The MLP and the layer norms work on each position alone, so they
        need no cache. Inference only: nothing is kept for ``backward``.
        """
        where = "TransformerBlock.forward_cached"
        x = check_sequence(where, x, self.d_model, finite=False)  # (B, n, d_model)
        x = x + self.attn.forward_cached(self.ln1(x), cache)  # (B, n, d_model)
        return x + self.ffn(self.ln2(x))  # (B, n, d_model)

    # --8<-- [end:transformer_block_forward_cached]


# --8<-- [end:transformer_block]
