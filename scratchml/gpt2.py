"""GPT-2: the tiny GPT of Part II with the five changes OpenAI made, plus its scale.

The same classes, configured differently, and two small additions::

    ids (B, T) -> W_E[ids] + W_P[:T] -> dropout                 (B, T, d_model)
               -> n_layers GPT2Block: x + drop(attn(ln1(x)))    (B, T, d_model)
                                      x + drop(ffn(ln2(x)))     (attention and MLP with
                                                                 biases, GELU in the
                                                                 MLP)
               -> final layer norm -> x @ W_E^T                 (B, T, vocab_size)

- the MLP's nonlinearity is GELU (tanh form) instead of ReLU;
- the attention projections have biases (the MLP's dense layers always had them);
- the unembedding is the token embedding transposed: one matrix, two uses (tying);
- every weight starts normal with std 0.02, the two projections that write into the
  residual stream with ``0.02 / sqrt(2 * n_layers)``, every bias at 0;
- dropout after the embeddings and on both residual branches, in training only.

GPT-2 small is ``GPT2()``: 12 layers, ``d_model`` 768, 12 heads, a vocabulary of
50,257 tokens and 1,024 positions, 124,439,808 parameters.
"""

# --8<-- [start:imports]
import json
import math
import os

import numpy as np

from scratchml._checks import (
    check_bool,
    check_gpt2,
    check_gpt2_block,
    check_gpt2_config,
    check_gpt2_directory,
    check_gpt2_file,
    check_gpt2_sizes,
    check_gpt2_tensors,
    check_ids,
    check_save_gpt2,
    check_sequence,
    check_tied_embedding,
    check_vectors,
)
from scratchml.dropout import Dropout
from scratchml.embedding import Embedding
from scratchml.gpt import GPT
from scratchml.layers import Layer
from scratchml.safetensors import load_safetensors, save_safetensors
from scratchml.transformer import TransformerBlock

# --8<-- [end:imports]


# --8<-- [start:gpt2_block]
class GPT2Block(TransformerBlock):
    """A ``TransformerBlock`` with attention biases, GELU, dropout on both branches.

    Parameters
    ----------
    d_model, n_heads : int
        As for ``TransformerBlock``.
    d_hidden : int, optional
        The MLP's hidden width, ``4 * d_model`` by default.
    dropout : float, default 0.0
        Dropout probability on the output of attention and of the MLP.
    rng : int or numpy.random.Generator, optional
    dtype : numpy dtype, default float32
    eps : float, default 1e-5
        The layer norms' ``eps`` (GPT-2's ``layer_norm_epsilon``).

    Raises
    ------
    ValueError
        As ``TransformerBlock``, naming ``GPT2Block``; also if ``dropout`` is not in
        ``[0, 1)``.

    Notes
    -----
    Children ``ln1``, ``attn``, ``ln2``, ``ffn`` as in the tiny GPT, plus ``drop_attn``
    and ``drop_ffn``, which have no parameters.
    """

    def __init__(
        self,
        d_model,
        n_heads,
        d_hidden=None,
        dropout=0.0,
        rng=None,
        dtype=np.float32,
        eps=1e-5,
    ) -> None:
        rng = check_gpt2_block(dropout, rng)  # one generator for every child
        super().__init__(
            d_model,
            n_heads,
            d_hidden,
            rng=rng,
            dtype=dtype,
            bias=True,
            activation="gelu",
            eps=eps,
        )
        self.drop_attn, self.drop_ffn = Dropout(dropout, rng), Dropout(dropout, rng)
        self.children.update(drop_attn=self.drop_attn, drop_ffn=self.drop_ffn)

    # --8<-- [start:gpt2_block_forward]
    def forward(self, x) -> np.ndarray:
        x = check_sequence("GPT2Block.forward", x, self.d_model, finite=False)
        x = x + self.drop_attn(self.attn(self.ln1(x)))  # (B, T, d_model)
        return x + self.drop_ffn(self.ffn(self.ln2(x)))  # (B, T, d_model)

    # --8<-- [end:gpt2_block_forward]

    # --8<-- [start:gpt2_block_backward]
    def backward(self, dy: np.ndarray) -> np.ndarray:
        dx = dy + self.ln2.backward(self.ffn.backward(self.drop_ffn.backward(dy)))
        return dx + self.ln1.backward(self.attn.backward(self.drop_attn.backward(dx)))

    # --8<-- [end:gpt2_block_backward]


# --8<-- [end:gpt2_block]


# --8<-- [start:tied_unembedding]
class TiedUnembedding(Layer):
    """The unembedding of a tied model: ``logits = x @ W_E.T``, the embedding's W_E.

    Parameters
    ----------
    embedding : Embedding
        The token embedding whose matrix is reused. This layer owns no parameter, so
        ``named_params``, the optimizer and checkpoints see ``W_E`` once.

    Notes
    -----
    ``backward`` leaves this use's gradient in ``grad_W_E`` (``(vocab_size, d_model)``);
    the model adds it to the embedding's own gradient (``GPT2.backward``).
    """

    def __init__(self, embedding: Embedding) -> None:
        super().__init__()
        self.embedding = check_tied_embedding("TiedUnembedding", embedding)
        self.d_model, self.vocab_size = embedding.d_model, embedding.vocab_size
        self.grad_W_E = None
        self._x = None

    def forward(self, x) -> np.ndarray:
        x = check_vectors("TiedUnembedding.forward", x, self.d_model)  # (B, T, d)
        self._x = x  # (B, T, d_model), kept for backward
        x2 = x.reshape(-1, self.d_model)  # (N, d_model)
        W_E = self.embedding.params["W_E"]  # (V, d_model)
        return (x2 @ W_E.T).reshape(x.shape[:-1] + (-1,))  # (B, T, V)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        x = self._x  # (B, T, d_model): the input of forward
        x2 = x.reshape(-1, self.d_model)  # (N, d_model)
        dy2 = dy.reshape(-1, self.vocab_size)  # (N, V)
        self.grad_W_E = dy2.T @ x2  # (V, d_model): this use's share of W_E's gradient
        return (dy2 @ self.embedding.params["W_E"]).reshape(x.shape)  # (B, T, d_model)


# --8<-- [end:tied_unembedding]


# --8<-- [start:gpt2_num_params]
def gpt2_num_params(
    vocab_size, d_model, n_layers, context_length, d_hidden=None
) -> int:
    """The parameter count of a GPT-2 of these sizes, by formula (no model built).

    Per block: two layer norms (``2 * 2 d``), four ``d x d`` attention matrices with
    their biases (``4 d^2 + 4 d``), the MLP (``d h + h + h d + d``). Plus the token and
    position embeddings and the final layer norm; the tied unembedding adds nothing.

    Parameters
    ----------
    vocab_size : int
        Number of tokens in the vocabulary.
    d_model : int
        Width of every token's vector.
    n_layers : int
        Number of transformer blocks.
    context_length : int
        Number of learned positions.
    d_hidden : int, optional
        Hidden width of each MLP, ``4 * d_model`` by default.

    Returns
    -------
    int
        The number of trainable numbers, equal to ``GPT2(...).num_params()``.
    """
    check_gpt2_sizes(vocab_size, d_model, n_layers, context_length, d_hidden)
    d, h = d_model, 4 * d_model if d_hidden is None else d_hidden
    per_block = 2 * 2 * d + (4 * d * d + 4 * d) + (d * h + h + h * d + d)
    return vocab_size * d + context_length * d + n_layers * per_block + 2 * d


# --8<-- [end:gpt2_num_params]


# --8<-- [start:gpt2]
class GPT2(GPT):
    """GPT-2: ``GPT`` with GELU, attention biases, tied embeddings, init, dropout.

    Parameters
    ----------
    vocab_size : int
        Number of tokens in the vocabulary (GPT-2 small: 50257).
    d_model : int
        Width of every token's vector (GPT-2 small: 768).
    n_heads : int
        Attention heads per block; must divide ``d_model`` (GPT-2 small: 12).
    n_layers : int
        Number of transformer blocks (GPT-2 small: 12).
    context_length : int
        The longest sequence the model reads, one learned position each (GPT-2 small:
        1024).
    d_hidden : int, optional
        Hidden width of each MLP, ``4 * d_model`` by default.
    dropout : float, default 0.0
        Dropout probability after the embeddings and on every residual branch (0.1 is
        Hugging Face's default; the paper gives no rate). Acts only in training mode
        (``train()``; ``eval()`` stops it).
    eps : float, default 1e-5
        Every layer norm's ``eps``.
    rng : int or numpy.random.Generator, optional
        Seed or generator of the initial weights and of the dropout masks.
    dtype : numpy dtype, default float32

    Raises
    ------
    ValueError
        If a size is not a positive integer, ``n_heads`` does not divide ``d_model``,
        ``dropout`` is not in ``[0, 1)`` or ``eps`` is not positive; also a
        ``TypeError`` for an ``rng`` or ``dtype`` of the wrong kind.

    Notes
    -----
    Parameter names as in ``GPT``, with the biases ``blocks.i.attn.b_q`` ... ``b_o``;
    there is no ``unembed.W_U``: the unembedding reads ``tok_emb.W_E``. GPT-2 also drops
    attention weights in training; this model does not (it matters only for training).
    """

    def __init__(
        self,
        vocab_size=50257,
        d_model=768,
        n_heads=12,
        n_layers=12,
        context_length=1024,
        d_hidden=None,
        dropout=0.0,
        eps=1e-5,
        rng=None,
        dtype=np.float32,
    ) -> None:
        rng = check_gpt2(dropout, rng)  # one generator: weights, then dropout masks
        super().__init__(
            vocab_size, d_model, n_heads, n_layers, context_length, d_hidden, rng,
            dtype, block=GPT2Block, block_options=dict(dropout=dropout, eps=eps),
            unembedding=TiedUnembedding, eps=eps,
        )  # fmt: skip
        self.config.update(dropout=dropout, eps=eps)
        self.drop = Dropout(dropout, rng)  # after the embeddings
        self.children["drop"] = self.drop
        self._init_weights(rng)

    # --8<-- [start:gpt2_init]
    def _init_weights(self, rng) -> None:
        """GPT-2's init: N(0, 0.02) weights, residual writers scaled, biases 0.

        ``attn.W_o`` and ``ffn.fc2.W`` each add to the residual stream once per block;
        with ``2 * n_layers`` such additions, scaling them by ``1/sqrt(2 * n_layers)``
        keeps the stream's variance at the end about what one addition gives.
        """
        residual_std = 0.02 / math.sqrt(2 * len(self.blocks))
        for name, layer, key in self.blocks.named_params():  # W_E, W_P: N(0, 0.02)
            p = layer.params[key]
            if key.startswith("W"):  # the attention projections and the MLP's matrices
                std = residual_std if name.endswith(("attn.W_o", "fc2.W")) else 0.02
                rng.standard_normal(p.shape, dtype=p.dtype, out=p)  # dtype kept
                p *= std
            elif key.startswith("b") or key == "beta":
                p[...] = 0
            # gamma stays 1

    # --8<-- [end:gpt2_init]
    # --8<-- [end:gpt2]

    # --8<-- [start:gpt2_forward]
    def forward(self, ids) -> np.ndarray:
        """Logits for the next token at every position: ``(B, T, vocab_size)``."""
        ids = check_ids("GPT2.forward", ids, self.vocab_size, self.context_length)
        x = self.tok_emb(ids)  # (B, T, d_model)
        x = self.drop(self.pos_emb(x))  # (B, T, d_model)
        x = self.blocks(x)  # (B, T, d_model)
        x = self.ln_f(x)  # (B, T, d_model)
        return self.unembed(x)  # (B, T, vocab_size): x @ W_E^T

    # --8<-- [end:gpt2_forward]

    # --8<-- [start:gpt2_backward]
    def backward(self, dlogits: np.ndarray) -> None:
        """Fill ``grads``; ``W_E``'s gradient is the sum of its two uses."""
        dx = self.unembed.backward(dlogits)  # (B, T, d_model); leaves unembed.grad_W_E
        dx = self.ln_f.backward(dx)  # (B, T, d_model)
        dx = self.blocks.backward(dx)  # (B, T, d_model)
        dx = self.drop.backward(dx)  # (B, T, d_model)
        dx = self.pos_emb.backward(dx)  # (B, T, d_model)
        self.tok_emb.backward(dx)  # the embedding's use of W_E
        self.tok_emb.grads["W_E"] += self.unembed.grad_W_E  # plus the unembedding's use

    # --8<-- [end:gpt2_backward]

    # --8<-- [start:gpt2_train_eval]
    def train(self, mode: bool = True) -> "GPT2":
        """Switch every dropout layer on (``mode=True``) or off; returns the model."""
        mode = check_bool("GPT2.train", "mode", mode)
        for layer in _walk(self):
            if isinstance(layer, Dropout):
                layer.training = mode
        return self

    def eval(self) -> "GPT2":
        """Evaluation mode: dropout off, forward deterministic; ``train(False)``."""
        return self.train(False)

    # --8<-- [end:gpt2_train_eval]


# --8<-- [start:walk]
def _walk(layer: Layer):
    """Every layer of the tree, ``layer`` first."""
    yield layer
    for child in layer.children.values():
        yield from _walk(child)


# --8<-- [end:walk]


# --8<-- [start:hf_names]
def hf_names(n_layers: int) -> dict[str, tuple]:
    """Hugging Face's name of every GPT-2 tensor -> where it goes in ``GPT2``.

    Each value is ``(scratchml names, how)``: ``"copy"`` (same layout), or ``"split"``
    (``c_attn`` holds ``[W_q | W_k | W_v]`` side by side; cut into three). Hugging Face
    stores linear maps as ``Conv1D`` weights of shape ``(in, out)``, the same layout as
    ``x @ W`` here, so nothing is transposed.
    """
    names = {
        "wte.weight": (("tok_emb.W_E",), "copy"),  # (V, d), also the unembedding
        "wpe.weight": (("pos_emb.W_P",), "copy"),  # (context, d)
        "ln_f.weight": (("ln_f.gamma",), "copy"),
        "ln_f.bias": (("ln_f.beta",), "copy"),
    }
    for i in range(n_layers):
        h, b = f"h.{i}.", f"blocks.{i}."
        names[h + "ln_1.weight"] = ((b + "ln1.gamma",), "copy")
        names[h + "ln_1.bias"] = ((b + "ln1.beta",), "copy")
        qkv = (b + "attn.W_q", b + "attn.W_k", b + "attn.W_v")
        names[h + "attn.c_attn.weight"] = (qkv, "split")  # (d, 3d): [W_q | W_k | W_v]
        qkv = (b + "attn.b_q", b + "attn.b_k", b + "attn.b_v")
        names[h + "attn.c_attn.bias"] = (qkv, "split")  # (3d,): [b_q | b_k | b_v]
        names[h + "attn.c_proj.weight"] = ((b + "attn.W_o",), "copy")
        names[h + "attn.c_proj.bias"] = ((b + "attn.b_o",), "copy")
        names[h + "ln_2.weight"] = ((b + "ln2.gamma",), "copy")
        names[h + "ln_2.bias"] = ((b + "ln2.beta",), "copy")
        names[h + "mlp.c_fc.weight"] = ((b + "ffn.fc1.W",), "copy")
        names[h + "mlp.c_fc.bias"] = ((b + "ffn.fc1.b",), "copy")
        names[h + "mlp.c_proj.weight"] = ((b + "ffn.fc2.W",), "copy")
        names[h + "mlp.c_proj.bias"] = ((b + "ffn.fc2.b",), "copy")
    return names


# --8<-- [end:hf_names]


# --8<-- [start:gpt2_config]
def gpt2_config(config: dict, path="config.json") -> dict:
    """``GPT2`` keyword arguments from a Hugging Face GPT-2 ``config.json`` dict.

    Checks what this implementation assumes: ``model_type`` gpt2, the tanh GELU, tied
    embeddings, ``n_embd`` divisible by ``n_head``, plain ``1/sqrt(d_head)`` scaling;
    and that every size is a positive integer below a bound far above any GPT-2 (at
    most 1,024 layers, width 65,536, 10,000,000 tokens, 1,048,576 positions), so that a
    hostile number is refused before anything is built.

    Parameters
    ----------
    config : dict
        The parsed ``config.json``.
    path : str or PathLike
        Where the file was read from; used only to name it in error messages.

    Returns
    -------
    dict
        ``vocab_size``, ``d_model``, ``n_heads``, ``n_layers``, ``context_length``,
        ``d_hidden`` and ``eps``, ready for ``GPT2(**kwargs)``.
    """
    check_gpt2_config(config, path, "gpt2_config")
    return dict(
        vocab_size=config["vocab_size"],
        d_model=config["n_embd"],
        n_heads=config["n_head"],
        n_layers=config["n_layer"],
        context_length=config["n_positions"],
        d_hidden=config.get("n_inner"),
        eps=float(config.get("layer_norm_epsilon", 1e-5)),
    )


# --8<-- [end:gpt2_config]


# --8<-- [start:stored_tensors]
def _stored_tensors(path) -> dict:
    """The file's tensors under GPT-2's own names, without buffers and the tied head."""
    tensors = {}
    for name, array in load_safetensors(path, writable=True).items():  # copy-on-write
        name = name.removeprefix("transformer.")  # GPT2LMHeadModel prefixes the body
        if name.endswith((".attn.bias", ".attn.masked_bias")):
            continue  # old files store the mask and its fill value: buffers, any rank
        if name == "lm_head.weight":
            continue  # tied to wte.weight; the model uses W_E for both
        tensors[name] = array
    return tensors


# --8<-- [end:stored_tensors]


# --8<-- [start:load_gpt2_model]
def load_gpt2_model(directory, dtype=np.float32) -> "GPT2":
    """A ``GPT2`` holding the weights of a Hugging Face GPT-2 directory.

    Parameters
    ----------
    directory : str or os.PathLike
        Holds ``config.json`` and ``model.safetensors``.
    dtype : numpy dtype, default float32

    Returns
    -------
    GPT2
        In evaluation mode (dropout off).

    Raises
    ------
    ValueError
        If ``config.json`` is not a GPT-2 config this model can run (sizes far beyond
        any GPT-2 included), ``model.safetensors`` is not a valid safetensors
        file, or its tensors do not have the names and shapes the config gives them:
        all checked before the model is built.
    """
    raw, config_path, weights_path = check_gpt2_directory(directory)
    config = gpt2_config(raw, config_path)  # GPT2's keyword arguments
    stored = _stored_tensors(weights_path)  # memory-mapped: nothing read yet
    names = hf_names(config["n_layers"])
    check_gpt2_tensors(weights_path, names, stored, config)  # every name and shape
    model = GPT2(**config, dtype=dtype, rng=0).eval()  # built once the file fits
    params = {name: (layer, key) for name, layer, key in model.named_params()}
    for hf_name, (targets, how) in names.items():
        parts = [stored[hf_name]]
        if how == "split":  # [W_q | W_k | W_v] side by side: three blocks of columns
            parts = np.split(stored[hf_name], 3, axis=-1)  # 3 x (d, d) or 3 x (d,)
        for target, part in zip(targets, parts, strict=True):
            layer, key = params[target]
            dtype = layer.params[key].dtype
            # The same dtype: a view of the file, no copy. Another: a converted copy.
            layer.params[key] = part if part.dtype == dtype else part.astype(dtype)
    return model


# --8<-- [end:load_gpt2_model]


# --8<-- [start:load_gpt2]
def load_gpt2(directory, dtype=np.float32):
    """GPT-2 and its tokenizer from a Hugging Face GPT-2 directory.

    Parameters
    ----------
    directory : str or os.PathLike
        Holds ``config.json``, ``model.safetensors``, ``vocab.json`` and ``merges.txt``,
        the four files of the standard ``gpt2`` repository.
    dtype : numpy dtype, default float32

    Returns
    -------
    model : GPT2
        In evaluation mode.
    tokenizer : BPETokenizer
        From ``vocab.json`` and ``merges.txt``.
    """
    model = load_gpt2_model(directory, dtype)
    for name in ("vocab.json", "merges.txt"):
        check_gpt2_file(directory, name)
    from scratchml.bpe import BPETokenizer  # the tokenizer of Part IV's first chapter

    return model, BPETokenizer.from_pretrained(directory)


# --8<-- [end:load_gpt2]


# --8<-- [start:save_gpt2]
def save_gpt2(model: GPT2, directory) -> None:
    """Write ``model`` as a Hugging Face GPT-2 folder (config, safetensors).

    The inverse of ``load_gpt2_model``: the same names, ``c_attn`` rebuilt from
    ``W_q``, ``W_k`` and ``W_v``; ``transformers``' ``GPT2LMHeadModel.from_pretrained``
    reads the folder too. Tokenizer files are not written. Both files are written
    beside their targets and renamed over them at the end: a failure leaves the folder
    as it was.

    Parameters
    ----------
    model : GPT2
        The model to save.
    directory : str or PathLike
        The folder to write into; created if it does not exist.

    Raises
    ------
    ValueError
        If ``directory`` is a file or inside one, or the model's sizes are beyond what
        ``load_gpt2`` reads.
    TypeError
        If ``model`` is not a ``GPT2`` or ``directory`` not a path.
    OSError
        If a file cannot be written (the folder is then left as it was).
    """
    check_save_gpt2(model, directory)  # a GPT2, a folder that exists or can be made
    config = _hf_config(model)  # plain ints and floats, checked as load_gpt2 checks
    params = {name: layer.params[key] for name, layer, key in model.named_params()}
    tensors = {}
    for hf_name, (targets, _) in hf_names(config["n_layer"]).items():
        parts = [params[t] for t in targets]  # one, or W_q, W_k, W_v
        # c_attn is the only concatenation: Hugging Face's layout, [W_q | W_k | W_v].
        tensors[hf_name] = (
            np.concatenate(parts, axis=-1) if len(parts) > 1 else parts[0]
        )
    _write_gpt2_folder(directory, json.dumps(config, indent=2), tensors)


def _hf_config(model: GPT2) -> dict:
    """``model``'s ``config.json``: Hugging Face's names, Python ints and floats."""
    c = model.config
    config = dict(model_type="gpt2", architectures=["GPT2LMHeadModel"])
    config.update(vocab_size=int(c["vocab_size"]), n_embd=int(c["d_model"]))
    config.update(n_head=int(c["n_heads"]), n_layer=int(c["n_layers"]))
    config.update(n_positions=int(c["context_length"]))
    config.update(n_inner=None if c["d_hidden"] is None else int(c["d_hidden"]))
    config.update(activation_function="gelu_new", layer_norm_epsilon=float(c["eps"]))
    config.update(tie_word_embeddings=True)
    check_gpt2_config(config, "config.json", where="save_gpt2")  # what load_gpt2 reads
    return config


def _write_gpt2_folder(directory, config_text: str, tensors: dict) -> None:
    """Write ``config.json`` and ``model.safetensors`` into ``directory``, each as a
    ``.part`` file renamed over its target once both are complete."""
    targets = [os.path.join(directory, n) for n in ("config.json", "model.safetensors")]
    parts = [f"{t}.part" for t in targets]
    try:
        os.makedirs(directory, exist_ok=True)
        with open(parts[0], "w", encoding="utf-8") as f:
            f.write(config_text)
        save_safetensors(parts[1], tensors, {"format": "pt"})  # transformers' format
        for part, target in zip(parts, targets, strict=True):
            os.replace(part, target)
    except OSError as err:  # no permission, disk full: name the folder
        raise type(err)(
            f"save_gpt2: cannot write into {os.fspath(directory)!r}: "
            f"{err.strerror or err}"
        ) from err
    finally:
        for part in parts:
            if os.path.exists(part):
                os.remove(part)


# --8<-- [end:save_gpt2]
