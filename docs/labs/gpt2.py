# %% [markdown]
# # Lab: a small GPT-2 on byte-pair tokens
#
# Part IV changed two things: the tokens (byte-pair encoding instead of characters) and
# the model (GPT-2's architecture: GELU, biases, tied embeddings, GPT-2's
# initialization, dropout). In this lab we put both together on the same text as the
# [Part III lab](gpt.ipynb), Python's help pages (`load_text()`): train a BPE
# vocabulary, train a small GPT-2 on its tokens, generate with the KV cache and top-p
# sampling, and save the model in Hugging Face's layout, where `load_gpt2` reads it back
# exactly as it would read OpenAI's GPT-2.
#
# This page is a notebook executed while the book is built: every number and plot below
# was produced by the code above it. The help pages change a little with each Python
# release, so the numbers can differ slightly from one Python version to the next. Run
# it yourself with `jupyter lab docs/labs/gpt2.ipynb`, or paste the cells into Python
# in order.

# %%
import math
import os
import sys
import tempfile

import matplotlib.pyplot as plt
import numpy as np

from scratchml import (
    GPT2,
    BPETokenizer,
    CharTokenizer,
    cross_entropy,
    generate,
    gpt2_num_params,
    load_gpt2,
    load_text,
    save_gpt2,
    train,
    train_val_split,
)

text = load_text()
train_chars, _ = train_val_split(np.arange(len(text)), val_fraction=0.1)
train_text, val_text = text[: len(train_chars)], text[len(train_chars) :]
tok = BPETokenizer.train(train_text, vocab_size=512)  # the training part only
train_ids, val_ids = tok.encode(train_text), tok.encode(val_text)
print(
    f"{len(train_text):,} training characters -> {len(train_ids):,} tokens "
    f"({len(train_text) / len(train_ids):.2f} per token)"
)
print(
    f"{len(val_text):,} held-out characters -> {len(val_ids):,} tokens "
    f"({len(val_text) / len(val_ids):.2f} per token)"
)
print("the first merges:", [tok.decode([256 + k]) for k in range(8)])
longest = sorted(range(tok.eot_id), key=lambda i: -len(tok.tokens[i]))[:6]
print("the longest tokens:", [tok.decode([i]) for i in longest])

# %% [markdown]
# ## A vocabulary for this text
#
# The characters are split first: the last 10 % are held out, and the merges are
# learned from the first 90 % alone, so that the held-out text, on which the model is
# scored below, played no part in building its vocabulary (the leak that
# [Training on BPE tokens](../part4/training-bpe.md) warns against). 255 merges on top
# of the 256 bytes, plus `<|endoftext|>`: 512 tokens. Unlike the
# English passage of [the BPE chapter](../part4/bpe.md), this text's most frequent pairs
# are not all letters: the help pages are full of indentation and of tables drawn with
# dashes, so runs of spaces and of `-` are merged among the very first, next to the
# space-and-letter pairs of English. The longest tokens show the same mix: table
# borders, indentation, and whole words that this text uses again and again. The text
# becomes less than half as many tokens as it has characters, so a context of 64 tokens
# holds more than twice the text a character model sees in 64 positions.
#
# ## A small GPT-2
#
# The same width, heads, blocks and context as the Part III lab's short run, with
# GPT-2's architecture and dropout 0.1. Like that run it is built in float64, so that
# its losses and its text are the same on every BLAS.

# %%
sizes = dict(d_model=64, n_heads=4, n_layers=2, context_length=64, dropout=0.1)
model = GPT2(tok.vocab_size, **sizes, rng=0).astype(np.float64)
W_E = model.tok_emb.params["W_E"]
print(f"parameters: {model.num_params():,}")
print("the formula agrees:", gpt2_num_params(512, 64, 2, 64) == model.num_params())
print(
    f"the tied embedding W_E {W_E.shape}: {W_E.size / model.num_params():.0%} of them"
)
print("std of W_E:", round(float(W_E.std()), 3), " (GPT-2's initialization: 0.02)")

# %% [markdown]
# The embedding matrix is also the unembedding, one parameter used twice, so a
# vocabulary of 512 costs its $512 \times 64$ numbers once. Now 150 steps of 16
# windows, with the schedule of [the training loop](../part3/training-loop.md). `train`
# switches dropout off while it measures the validation loss.

# %%
schedule = dict(
    steps=150,
    batch_size=16,
    lr=6e-3,
    warmup_steps=15,
    min_lr=6e-4,
    eval_every=50,
    eval_batches=4,
    rng=0,
    progress=False,
)
model = model.train()  # dropout on while training; train() returns the model
history = train(model, train_ids, val_ids, **schedule)
print(f"{history['seconds']:.1f} s", file=sys.stderr)

# %%
# alt: Cross-entropy per token over 150 training steps, for single training batches and
#   for the fixed validation batches: both start at ln 512, the dashed line of a uniform
#   guess, and fall.
fig, ax = plt.subplots(figsize=(7, 3.4))
ax.plot(
    history["step"], history["loss"], linewidth=0.8, alpha=0.6, label="training batch"
)
ax.plot(
    history["eval_step"], history["val_loss"], "o-", label="validation (fixed batches)"
)
ax.axhline(np.log(tok.vocab_size), color="grey", linestyle="--", linewidth=1)
ax.text(150, np.log(tok.vocab_size) + 0.05, "ln V = ln 512", ha="right")
ax.set_xlabel("step")
ax.set_ylabel("cross-entropy per token")
ax.legend()
plt.show()
print(f"validation loss: {history['val_loss'][-1]:.2f} nats per token")

# %% [markdown]
# A loss per token cannot be compared with a character model's loss per character: a
# token holds more text. Bits per character can, as the chapter
# [Training on BPE tokens](../part4/training-bpe.md) shows: score every held-out token
# once, add up the losses, and divide by $\ln 2$ and by the number of held-out
# characters. For a fair comparison, a character model of the same width, depth and
# context, trained with the same schedule and scored on the same held-out characters:


# %%
def bits_per_character(model, train_ids, val_ids, n_chars):
    """Every held-out token scored once, in windows of the context; bits per char."""
    T = model.eval().context_length  # dropout off while scoring
    ids = np.concatenate([train_ids[-1:], val_ids])  # one token of context first
    nats, n = 0.0, len(val_ids)
    for i in range(0, n, T):
        end = min(i + T, n)
        x, y = ids[i:end], ids[i + 1 : end + 1]  # (<= T,) each: y is x shifted by one
        nats += cross_entropy(model(x[None]), y[None]) * len(y)
    return nats / (n_chars * math.log(2))


chars = CharTokenizer.from_text(text)  # the whole text's characters: none unknown
char_train, char_val = chars.encode(train_text), chars.encode(val_text)
char_model = GPT2(chars.vocab_size, **sizes, rng=0).astype(np.float64)
char_history = train(
    char_model.train(), char_train, char_val, **schedule, log=lambda _: None
)
for name, m, (tr, va) in [
    (f"BPE {tok.vocab_size}", model, (train_ids, val_ids)),
    (f"{chars.vocab_size} characters", char_model, (char_train, char_val)),
]:
    bpc = bits_per_character(m, tr, va, len(val_text))
    print(f"{name:>14}: {bpc:.2f} bits per held-out character")

# %% [markdown]
# With the same width, depth and context, the same 150 steps and the same held-out
# characters, the BPE model gives the held-out text fewer bits per character than the
# character model. What is equal is the number of steps and of tokens, not the text
# read: a window of 64 BPE tokens spans more than twice as many characters as a window
# of 64 characters (2.13 per token in the training part), so in the same steps the BPE
# model reads more than twice the text, and each of its predictions sees further back.
# Neither number is one of the chapter [Training on BPE
# tokens](../part4/training-bpe.md): its models are Part III's tiny GPT (ReLU, no
# attention biases, a separate unembedding, no dropout), of width 32 with a context of
# 32 tokens, trained for 200 steps at a learning rate of $3 \times 10^{-3}$. Its order
# is the same, BPE below characters, but its numbers and these cannot be compared.
#
# ## Generating
#
# For generation the model goes to evaluation mode. With the KV cache (the default) the
# prompt is fed once and then one token per step; without it, the whole text at every
# step. Greedy decoding must give the same text both ways:

# %%
model = model.eval()  # dropout off: the forward pass is deterministic again
prompt = tok.encode("The for statement")
cached = generate(model, prompt, n_new=40, temperature=0, kv_cache=True)
full = generate(model, prompt, n_new=40, temperature=0, kv_cache=False)
print("greedy text identical with and without the cache:", np.array_equal(cached, full))
sample = generate(model, prompt, n_new=60, temperature=0.8, top_p=0.9, rng=0)
print(tok.decode(sample))

# %% [markdown]
# After 150 steps the model has the layout of the help pages (newlines, indentation,
# quotes) and a few of their commonest words, such as "the" and "it", among fragments,
# not yet sentences; the Part III lab's shipped model trained for much longer.
#
# ## In Hugging Face's layout
#
# `save_gpt2` writes `config.json` and `model.safetensors` under GPT-2's names, and
# `tok.save` writes `vocab.json` and `merges.txt`: the four files of a GPT-2 download.
# `load_gpt2` reads them back, as it would read OpenAI's weights:

# %%
folder = tok.save(tempfile.mkdtemp())  # save returns the folder
save_gpt2(model, folder)
print(sorted(os.listdir(folder)))
loaded, loaded_tok = load_gpt2(folder, dtype=np.float64)
again = generate(
    loaded, loaded_tok.encode("The for statement"), n_new=40, temperature=0
)
print("the loaded model writes the same greedy text:", np.array_equal(again, cached))

# %% [markdown]
# ## Check yourself
#
# ### Exercise (compute): the tied embedding's share
#
# GPT-2 small has a vocabulary of 50,257 and a width of 768. What share of its
# 124,439,808 parameters is the tied embedding, and what share would it be if the
# unembedding were a separate matrix?
#
# **Solution.**
#
# The embedding is $V \times d$ numbers; untied, the unembedding adds as many again:

# %%
embedding = 50_257 * 768
print(f"tied: {embedding / 124_439_808:.0%}")
print(f"untied: {2 * embedding / (124_439_808 + embedding):.0%}")

# %% [markdown]
# Almost a third tied, and almost half untied: tying saves 38.6 million parameters.
#
# ### Exercise (predict): dropout at generation time
#
# Switch the model back to training mode, `model.train()`, and run the ids of `cached`
# through it twice. Before running: the same logits both times? Then generate 40 tokens
# greedily (`temperature=0`) from the prompt twice, without the cache: the same text?
#
# **Solution.**

# %%
model = model.train()  # dropout on again
ids_cached = np.asarray(cached)[None, :]  # (1, T): the prompt and its greedy text
a, b = model(ids_cached), model(ids_cached)  # (1, T, V) twice
changed = (a.argmax(axis=-1) != b.argmax(axis=-1)).mean()
print("training mode, the same logits twice:", np.allclose(a, b))
print(f"positions whose likeliest next token changed: {changed:.0%}")
first = generate(model, prompt, n_new=40, temperature=0, kv_cache=False)
second = generate(model, prompt, n_new=40, temperature=0, kv_cache=False)
print("the same greedy text twice:", np.array_equal(first, second))
model = model.eval()  # dropout off for good
c, d = model(ids_cached), model(ids_cached)
print("evaluation mode, the same logits twice:", np.array_equal(c, d))
assert not np.allclose(a, b) and np.array_equal(c, d)

# %% [markdown]
# Never the same logits in training mode: each forward pass draws new dropout masks,
# zeroing a tenth of the activations at random. The greedy text is sturdier. It changes
# only where dropout moves the argmax, and where the likeliest token leads by a wide
# margin it does not, so two runs may give the same text or part ways at some step:
# read the printed lines above. In evaluation mode dropout is the identity, and the
# logits, and so the greedy text, are the same every time.
#
# ## Pitfalls
#
# - **Comparing losses per token across tokenizers.** A larger vocabulary gives a larger
#   loss per token but more text per token; compare bits per character.
# - **Generating in training mode.** Without the cache, dropout would change even greedy
#   text from run to run; call `model.eval()` first, as above.
# - **A vocabulary too large for the text.** Every token needs enough occurrences to
#   learn its embedding; 512 tokens suit a text of this size, 50,257 would not.
#
# ## Try next
#
# - Train with `vocab_size=1024` and compare the bits per character.
# - Train with `dropout=0.0`: does the validation loss change after 150 steps?
# - Load OpenAI's GPT-2 small (see [Loading real GPT-2
#   weights](../part4/loading-weights.md)) and generate from the same prompt with
#   `python -m scratchml generate --gpt2 DIR`.
