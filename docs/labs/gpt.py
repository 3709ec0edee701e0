# %% [markdown]
# # Lab: training the tiny GPT
#
# Part III is complete: every layer of the GPT has its backward pass, Adam updates the
# weights, `get_batch` cuts a text into windows, and `train` runs the loop. In this lab
# we
# use all of it on a real text. First a short run, live, to watch both losses fall. Then
# the model that ships with the package, trained the same way for longer: its validation
# loss, the text it writes at several temperatures, and what its attention heads look
# at.
#
# **The text.** Python's own help pages: the topics that `help("for")` or
# `help("assert")` prints, which ship with every Python installation as
# `pydoc_data.topics` (part of the Python documentation, © Python Software Foundation).
# `load_text()` joins them into one string of English prose and code examples, so this
# lab runs offline. The topics change a little with each Python release, so the numbers
# below can differ slightly from one Python version to the next.
#
# This page is a notebook executed while the book is built: every number and plot below
# was produced by the code above it. Run it yourself with `jupyter lab
# docs/labs/gpt.ipynb`,
# or paste the cells into Python in order.

# %%
import hashlib
import sys

import matplotlib.pyplot as plt
import numpy as np

from scratchml import (
    GPT,
    CharTokenizer,
    evaluate_loss,
    generate,
    get_batch,
    load_shipped,
    load_text,
    train,
    train_val_split,
)

text = load_text()
tok = CharTokenizer.from_text(text)
ids = tok.encode(text)
train_ids, val_ids = train_val_split(ids, val_fraction=0.1)
print(f"{len(text):,} characters, a vocabulary of {tok.vocab_size}")
print(f"training part {len(train_ids):,}, validation part {len(val_ids):,}")
print(f"ln V = {np.log(tok.vocab_size):.3f}: the loss of a uniform guess")
print(text[2000:2400])

# %% [markdown]
# ## A short run, live
#
# A small GPT: 64 numbers per position, 4 heads, 2 blocks, a context of 64 characters,
# about 117 thousand parameters. 200 steps of 32 windows each, with a 20-step warmup and
# a cosine decay, as in [the training loop](../part3/training-loop.md). That is 410
# thousand characters of training, a little less than one pass over the text. The model
# is
# built in float64, as in the training-loop chapter: in float32, the rounding
# differences
# between one BLAS and another grow over 200 steps until the printed losses and the
# sample
# differ from machine to machine; in float64 they stay far below the digits shown.

# %%
model = GPT(
    tok.vocab_size,
    d_model=64,
    n_heads=4,
    n_layers=2,
    context_length=64,
    rng=0,
    dtype=np.float64,
)
print(f"parameters: {model.num_params():,}")
history = train(
    model,
    train_ids,
    val_ids,
    steps=200,
    batch_size=32,
    lr=6e-3,
    warmup_steps=20,
    min_lr=6e-4,
    eval_every=40,
    eval_batches=4,
    rng=0,
    progress=False,
)
print(
    f"{history['seconds']:.1f} s, {history['tokens_per_s']:,.0f} tokens per second",
    file=sys.stderr,
)

# %%
# alt: Cross-entropy over 200 training steps, for single training batches and for the
#   fixed validation batches: both start at ln V, the dashed line of a uniform guess,
# and
#   fall together.
fig, ax = plt.subplots(figsize=(7, 3.4))
ax.plot(
    history["step"], history["loss"], linewidth=0.8, alpha=0.6, label="training batch"
)
ax.plot(
    history["eval_step"], history["val_loss"], "o-", label="validation (fixed batches)"
)
ax.axhline(np.log(tok.vocab_size), color="grey", linestyle="--", linewidth=1)
ax.text(200, np.log(tok.vocab_size) + 0.05, f"ln V = ln {tok.vocab_size}", ha="right")
ax.set_xlabel("step")
ax.set_ylabel("cross-entropy")
ax.legend()
plt.show()

# %% [markdown]
# Both curves start at $\ln V$, a uniform guess, and fall together: unlike the 600
# characters of the training-loop chapter, this text is long enough that what the model
# learns from the training part also holds on the validation part. The printed "train"
# numbers are means over the steps since the previous evaluation, so they lag behind the
# curve of single batches. After 200 steps the model has the letter frequencies, common
# pairs and a few short words, as a sample shows:

# %%
prompt = tok.encode("The ")
print(tok.decode(generate(model, prompt, n_new=200, temperature=0.8, rng=0)))

# %% [markdown]
# ## The shipped checkpoint
#
# A longer run of the same loop, with a larger model, trained the GPT that ships with
# the
# package. `load_shipped()` returns the model, its tokenizer, and what was recorded when
# it was saved: the command, the losses, the time it took.

# %%
shipped, shipped_tok, meta = load_shipped()
extra = meta["extra"]
print("config:", meta["config"])
print(f"parameters: {shipped.num_params():,}")
print("trained by:", extra["command"])
print(
    f"in {extra['seconds'] / 60:.0f} minutes on Python {extra['python']}, numpy "
    f"{extra['numpy']}"
)
print(f"recorded validation loss: {extra['final_val_loss']:.4f}")

# %% [markdown]
# Its validation loss, recomputed here. The validation batches are drawn exactly as
# `train` drew them: the first draws of a generator seeded with the run's seed. On the
# Python version the model was trained with, the text is the same and so is the number;
# on another version, the help topics differ a little and so does the loss. Characters
# the shipped vocabulary does not know (new in this Python's text) are dropped first.

# %%
args = extra["arguments"]
same_text = hashlib.sha256(text.encode("utf-8")).hexdigest() == extra["text_sha256"]
print("this Python's help text is the one the model was trained on:", same_text)
unknown = sorted(set(text) - set(shipped_tok.chars))
kept = "".join(c for c in text if c in shipped_tok.stoi)
print(
    f"characters unknown to the checkpoint: {unknown} ({len(text) - len(kept)} dropped)"
)
_, shipped_val = train_val_split(shipped_tok.encode(kept), args["val_fraction"])
rng = np.random.default_rng(args["seed"])
context = shipped.context_length
val_batches = [
    get_batch(shipped_val, args["batch_size"], context, rng) for _ in range(10)
]
val_loss = evaluate_loss(shipped, val_batches)
print(
    f"validation loss, recomputed: {val_loss:.4f}   (recorded: "
    f"{extra['final_val_loss']:.4f})"
)
print(f"ln V = {np.log(shipped_tok.vocab_size):.3f}")

# %% [markdown]
# The checkpoint also records its validation curve. Next to it, the short run above:

# %%
# alt: Validation loss over training steps for the shipped model and for the short run
#   above: the shipped model goes much lower, over many more steps.
fig, ax = plt.subplots(figsize=(7, 3.4))
ax.plot(extra["eval_step"], extra["val_loss"], "o-", label="shipped model")
ax.plot(history["eval_step"], history["val_loss"], "o-", label="the short run above")
ax.axhline(np.log(shipped_tok.vocab_size), color="grey", linestyle="--", linewidth=1)
ax.set_xlabel("step")
ax.set_ylabel("validation loss")
ax.legend()
plt.show()
best = int(np.argmin(extra["val_loss"]))
print(
    f"lowest: {extra['val_loss'][best]:.4f} at step {extra['eval_step'][best]}", end=""
)
print(
    f"; at the end: {extra['val_loss'][-1]:.4f} (training loss "
    f"{extra['final_train_loss']:.4f})"
)

# %% [markdown]
# The larger model goes much further than the short run: more weights, a context of 128
# characters, and many more steps. Its last validation loss is a little above its
# lowest,
# by 0.006, measured on ten batches: far too little to call memorizing. The clearer sign
# is the gap between the two losses at the end,
# about 0.85 on the training text against 1.19 on the held-out part: the model predicts
# text it has trained on better than text it has not seen. Trained much longer, it would
# widen that gap until the validation loss turned up; keeping the checkpoint with the
# lowest validation loss, or stopping there, is the usual remedy.

# %% [markdown]
# ## Writing at several temperatures
#
# The same prompt and the same seed, four temperatures. The logits are divided by the
# temperature before the softmax ([temperature](../part2/temperature.md)): at 0 the
# model
# always takes its likeliest character, at 1.2 it takes more risks than its training
# taught it.

# %%
prompt = shipped_tok.encode("The while statement")
for temperature in [0.0, 0.5, 0.8, 1.2]:
    out = generate(shipped, prompt, n_new=200, temperature=temperature, rng=0)
    print(f"--- temperature {temperature} ---")
    print(shipped_tok.decode(out))
    print()

# %% [markdown]
# The model writes in the style of its text: English sentences about statements,
# clauses, methods and functions, names in quotes, indented blocks. Many words are real,
# and some phrases are copied almost whole from the help pages; the sentences rarely
# make sense beyond a few words. The lower the temperature, the more the text keeps to
# frequent words and phrases; the higher, the more invented words appear. At 0 the
# model always takes its single likeliest character, so the same prompt always gives the
# same text, whatever the seed.

# %% [markdown]
# ## What the attention heads look at
#
# After a forward pass, every block keeps its attention weights in
# `model.blocks[i].attn.last_weights`, shape `(B, heads, T, T)`: row $t$ says how much
# position $t$ takes from each position up to itself (the causal mask keeps everything
# above the diagonal at 0). We run the shipped model on one sentence and draw the four
# heads of a block, with the characters as labels (␣ is a space).

# %%
sentence = "The loop ends when the list is empty."
logits = shipped(
    shipped_tok.encode(sentence)[None, :]
)  # (1, T, V); blocks keep weights
chars = [c if c != " " else "␣" for c in sentence]


def draw_heads(block, shown=18):
    # The first `shown` positions only, so the labels stay legible; under the causal
    # mask their rows are complete (they cannot look further right).
    weights = shipped.blocks[block].attn.last_weights[
        0, :, :shown, :shown
    ]  # (heads, s, s)
    labels = chars[:shown]
    fig, axes = plt.subplots(2, 2, figsize=(9, 8.6), layout="constrained")
    for h, ax in enumerate(axes.ravel()):
        image = ax.imshow(weights[h], cmap="Blues", vmin=0, vmax=1)
        ax.set_xticks(range(shown), labels, fontsize=11)
        ax.set_yticks(range(shown), labels, fontsize=11)
        ax.tick_params(length=0)
        ax.grid(False)
        ax.set_title(f"block {block}, head {h}", fontsize=13)
    for ax in axes[1]:
        ax.set_xlabel("attends to (key)", fontsize=12)
    for ax in axes[:, 0]:
        ax.set_ylabel("position looking (query)", fontsize=12)
    bar = fig.colorbar(image, ax=axes, shrink=0.7, pad=0.02)
    bar.set_label("attention weight", fontsize=12)
    fig.suptitle(f'the first {shown} characters: "{sentence[:shown]}"', fontsize=13)
    plt.show()


# alt: Four heat maps, one per attention head of block 0, of the attention weights
#   for the sentence: query positions by row, key positions by column, characters as
#   labels, all weights above the diagonal zero because of the causal mask.
draw_heads(0)

# %% [markdown]
# Heat maps are easy to over-read, so a few numbers help. For every head, the average
# weight a position gives to itself; to the character just before it; for a letter
# inside a word, to the space in front of that word; and for the third letter of a word
# or later, to the word's first letter (skipping the second letter, whose previous
# character is the first). For comparison, a head that spread its weight evenly over
# the past would give about the number printed first.

# %%
T = len(sentence)
t = np.arange(1, T)  # every position that has a past
space = np.array(
    [sentence.rfind(" ", 0, i) for i in range(T)]
)  # the last space before i
inside = np.array(
    [i for i in t if sentence[i] != " " and space[i] >= 0]
)  # letters in words
deep = inside[inside >= space[inside] + 3]  # third letter of a word or later
print(f"an even spread: {np.mean(1 / (t + 1)):.2f}")
print("                 itself  previous  word's space  word's first letter")
for block in range(len(shipped.blocks)):
    weights = shipped.blocks[block].attn.last_weights[0]  # (heads, T, T)
    for h, w in enumerate(weights):
        itself, previous = w[t, t].mean(), w[t, t - 1].mean()
        to_space, to_first = (
            w[inside, space[inside]].mean(),
            w[deep, space[deep] + 1].mean(),
        )
        print(f"block {block} head {h}:   {itself:.2f}     {previous:.2f}", end="")
        print(f"         {to_space:.2f}             {to_first:.2f}")

# %%
# alt: Four heat maps, one per attention head of block 2, of the attention weights for
#   the same sentence, query positions by row and key positions by column.
draw_heads(2)

# %% [markdown]
# What we see, on this sentence:
#
# - **A previous-character head.** Block 0, head 2 is a bright line just below the
#   diagonal: each position puts about 0.8 of its weight on the character before it. It
#   hands every position the character that preceded it, so later layers can work with
#   pairs of characters.
# - **Local heads.** The other heads of block 0 keep to the position itself and the two
#   or three characters before it. In head 0, every space attends almost only to itself.
#   Nothing in the first block looks further back than a few characters.
# - **Word-start heads.** In the later blocks, several heads reach back to where the
#   current word begins. Block 2, head 2 draws vertical stripes: the letters of a word
#   look at a space, usually the one in front of their own word, sometimes one a word or
#   two further back (the space before "loop" also draws the letters of "ends" and
#   "when"). Other heads look at the first letters of the word: in block 2, head 1, the
#   "m", the "p" and the "t" of "empty" look mostly at its "e". In the table, block 2,
#   head 2 is the one head high in both of the last two columns, at about three times
#   an even spread; block 2, head 3 and block 3, head 1 reach the word's first letter
#   about as strongly, but not the space before it.
# - **Spread-out heads.** Block 2, head 0, block 1, head 3 and block 3, heads 2 and 3
#   spread their weight over many earlier positions; none of their four numbers exceeds
#   0.25.
#
# These heads were not designed: they are what gradient descent found
# useful for predicting the next character of Python's help pages.

# %% [markdown]
# ## Check yourself
#
# ### Exercise (predict): the loss along the window
#
# The validation loss above is a mean over all 128 positions of every window. Before
# running: is the loss at position 0, where the model sees a single character, higher
# or lower than at position 127, where it sees 128? By a little or by a lot? Where along
# the window does most of the change happen?
#
# **Solution.**
#
# Score each position of the ten validation batches separately: the log-probability of
# the true next character at every position, averaged over the windows.

# %%
from scratchml import log_softmax

per_window = []
for x_val, y_val in val_batches:
    logp = log_softmax(shipped(x_val))  # (B, T, V)
    picked = np.take_along_axis(logp, y_val[..., None], axis=-1)[..., 0]  # (B, T)
    per_window.append(-picked.mean(axis=0))  # (T,): the loss at each position
per_position = np.mean(per_window, axis=0)  # (T,)
spans = [(0, 1), (1, 2), (2, 4), (4, 8), (8, 16), (16, 32), (32, 64), (64, 128)]
for a, b in spans:
    where = f"position {a}" if b == a + 1 else f"positions {a}-{b - 1}"
    print(f"{where:>16}: {per_position[a:b].mean():.3f}")
print(f"mean over the window: {per_position.mean():.4f} (the validation loss above)")
assert per_position[0] > per_position[1] > per_position[2:4].mean()
assert per_position[0] > per_position[8:].mean() + 1
assert np.isclose(per_position.mean(), val_loss, atol=1e-4)

# %% [markdown]
# Much higher at position 0, about 2.3, where one character is all the model knows:
# it can only guess from how often each character follows that one. The next few
# characters of context bring almost all the gain: from position 4 on the loss stays
# near 1.2, flat up to the noise of ten batches: beyond the first few characters, the
# long context buys this small model little. The mean over the window, the validation
# loss, therefore depends on the context length it is measured with: compare losses
# only at the same context length.
#
# ### Exercise (compute): bits per character and perplexity
#
# Turn the recomputed validation loss into bits per character (divide by $\ln 2$) and
# into a *perplexity*, $e^{\text{loss}}$: the number of equally likely characters that
# would leave a model as unsure as this one, on average. Compare both with a uniform
# guess over the vocabulary.
#
# **Solution.**

# %%
V = shipped_tok.vocab_size
bits = val_loss / np.log(2)
perplexity = np.exp(val_loss)
print(f"{bits:.2f} bits per character, uniform guess {np.log2(V):.2f}")
print(f"perplexity {perplexity:.2f}, uniform guess {V}")
assert np.isclose(2**bits, perplexity) and 1 < perplexity < V

# %% [markdown]
# A perplexity of about 3.3: at each character the trained model is about as unsure as
# a choice among three or four equally likely characters, where the uniform guess
# chooses among all of them. Bits and perplexity say the same thing in two units,
# $2^{\text{bits}} = e^{\text{loss}}$. (A perplexity per *token* is not comparable
# across tokenizers, for the reason bits per token are not: see
# [Training on BPE tokens](../part4/training-bpe.md).)
#
# ## Pitfalls
#
# - **Judging a run by one batch.** The loss of a single training batch jumps from step
#   to step (the thin curve above); compare means over several batches, as the fixed
#   validation batches do.
# - **Comparing losses measured differently.** A loss depends on the text, the
#   tokenizer and, as the first exercise shows, on the context length of the windows it
#   is measured on. The shipped model's recorded loss matches the recomputed one only on
#   the Python version whose help pages it was trained on.
# - **Expecting the same digits from float32 on another machine.** Over hundreds of
#   steps, float32 rounding differences between BLAS libraries grow into different
#   losses and different samples; this lab trains in float64 for that reason.
# - **Judging the model by its greedy text.** At temperature 0 a small model soon
#   repeats itself; that is a property of greedy decoding as much as of the model.
#   Sample at several temperatures, as above, before you conclude.

# %% [markdown]
# ## Try next
#
# - Train on Tiny Shakespeare, the classic 1.1-million-character test text, more than
#   twice the help pages. `load_tiny_shakespeare()` downloads it once and caches it in
#   `~/.cache/scratchml/tinyshakespeare.txt`; the command line trains on any text file:
#
#   ```console
#   $ python -c "from scratchml import load_tiny_shakespeare; load_tiny_shakespeare()"
#   $ python -m scratchml train --text ~/.cache/scratchml/tinyshakespeare.txt \
#         --steps 3000 --warmup 100 --min-lr 3e-4 --sample-every 500 \
#         --out shakespeare.npz
#   $ python -m scratchml generate --checkpoint shakespeare.npz --prompt "ROMEO:"
#   ```
#
# - Train a bigger model: `--d-model 192 --n-layers 6` has about three times the
#   parameters of the shipped model and takes several times as long per step. With more
#   parameters it also memorizes sooner, so give it more text and watch the validation
#   loss.
# - Rerun the short run above with `weight_decay=0.0`, or `grad_clip=None`, or without
#   the warmup: which one changes the curve?
# - Draw the attention of the other blocks on a line of Python code, say
#   `"for i in range(10):"`: do some heads find the matching parenthesis?
# - Lower the temperature step by step between 0.5 and 0: where does the greedy text
#   start repeating itself?
