"""scratchml: neural networks and the transformer from first principles, in numpy.

Every public name below is taught on a page of the book; the module it lives in is named
after the concept (``scratchml/attention.py`` holds attention, and so on).
"""

from scratchml.activations import (
    GELU,
    ReLU,
    Sigmoid,
    gelu,
    gelu_grad,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
)
from scratchml.attention import (
    MultiHeadAttention,
    SelfAttention,
    attention_backward,
    cached_causal_mask,
    causal_mask,
    multi_head_attention,
    scaled_dot_product_attention,
)
from scratchml.bpe import BPETokenizer
from scratchml.checkpoint import load_checkpoint, load_shipped, save_checkpoint
from scratchml.data import load_digits, make_blobs, make_moons, make_regression_1d
from scratchml.dropout import Dropout
from scratchml.embedding import Embedding, Unembedding
from scratchml.generate import generate, sample_next_token, top_p_filter
from scratchml.gpt import GPT, Sequential
from scratchml.gpt2 import (
    GPT2,
    GPT2Block,
    TiedUnembedding,
    gpt2_config,
    gpt2_num_params,
    load_gpt2,
    load_gpt2_model,
    save_gpt2,
)
from scratchml.gradcheck import check_gradients, numerical_gradient, relative_error
from scratchml.kv_cache import KVCache
from scratchml.layers import Dense, Layer
from scratchml.lm_training import evaluate_loss, scheduled_lr, train
from scratchml.losses import (
    cross_entropy,
    cross_entropy_grad,
    cross_entropy_with_grad,
    mse_loss,
    mse_loss_grad,
    mse_loss_with_grad,
)
from scratchml.mlp import MLP
from scratchml.neuron import fires, weighted_sum
from scratchml.normalization import LayerNorm
from scratchml.optim import SGD, Adam, clip_grad_norm
from scratchml.positional import PositionalEmbedding, positional_encoding
from scratchml.safetensors import load_safetensors, save_safetensors
from scratchml.softmax import log_softmax, softmax, softmax_backward
from scratchml.supervised import accuracy, fit, iterate_minibatches, train_test_split
from scratchml.text import get_batch, load_text, load_tiny_shakespeare, train_val_split
from scratchml.tokenizer import CharTokenizer
from scratchml.transformer import FeedForward, TransformerBlock

__version__ = "0.1.0"

__all__ = [
    "Adam",
    "BPETokenizer",
    "CharTokenizer",
    "Dense",
    "Dropout",
    "Embedding",
    "FeedForward",
    "GELU",
    "GPT",
    "GPT2",
    "GPT2Block",
    "KVCache",
    "Layer",
    "LayerNorm",
    "MLP",
    "MultiHeadAttention",
    "PositionalEmbedding",
    "ReLU",
    "SGD",
    "SelfAttention",
    "Sequential",
    "Sigmoid",
    "TiedUnembedding",
    "TransformerBlock",
    "Unembedding",
    "accuracy",
    "attention_backward",
    "cached_causal_mask",
    "causal_mask",
    "check_gradients",
    "clip_grad_norm",
    "cross_entropy",
    "cross_entropy_grad",
    "cross_entropy_with_grad",
    "evaluate_loss",
    "fires",
    "fit",
    "gelu",
    "gelu_grad",
    "generate",
    "get_batch",
    "gpt2_config",
    "gpt2_num_params",
    "iterate_minibatches",
    "load_checkpoint",
    "load_digits",
    "load_gpt2",
    "load_gpt2_model",
    "load_safetensors",
    "load_shipped",
    "load_text",
    "load_tiny_shakespeare",
    "log_softmax",
    "make_blobs",
    "make_moons",
    "make_regression_1d",
    "mse_loss",
    "mse_loss_grad",
    "mse_loss_with_grad",
    "multi_head_attention",
    "numerical_gradient",
    "positional_encoding",
    "relative_error",
    "relu",
    "relu_grad",
    "sample_next_token",
    "save_checkpoint",
    "save_gpt2",
    "save_safetensors",
    "scaled_dot_product_attention",
    "scheduled_lr",
    "sigmoid",
    "sigmoid_grad",
    "softmax",
    "softmax_backward",
    "top_p_filter",
    "train",
    "train_test_split",
    "train_val_split",
    "weighted_sum",
]
