# %% [markdown]
# # Lab: reading handwritten digits
#
# Everything from Part I comes together here. We train the network of the previous
# chapters, an `MLP` made of `Dense` layers and ReLUs, with cross-entropy and SGD with
# momentum, on real handwritten digits, and then look at what it learned and where it
# still fails.
#
# **The data.** 1,797 handwritten digits, each an 8×8 grid of pixel intensities from 0
# to
# 16: the test part of the *Optical Recognition of Handwritten Digits* data set by
# E. Alpaydin and C. Kaynak (UCI Machine Learning Repository, 1998,
# [doi:10.24432/C50P49](https://doi.org/10.24432/C50P49)), licensed
# [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/). It ships inside the package
# as a small compressed file, so this lab runs offline.
#
# This page is a notebook executed while the book is built: every number and plot below
# was produced by the code above it. Run it yourself with `jupyter lab
# docs/labs/digits.ipynb`,
# or paste the cells into Python in order.

# %%
import matplotlib.pyplot as plt
import numpy as np

from scratchml import MLP, SGD, accuracy, fit, load_digits, train_test_split

X, y = load_digits()
print("images:", X.shape, X.dtype, " labels:", y.shape, y.dtype)
print("pixel values from", X.min(), "to", X.max())
print("images per digit:", np.bincount(y))

# %% [markdown]
# Each row of `X` is one image, flattened: `X[i].reshape(8, 8)` brings the picture back.

# %%
# alt: The first twenty digit images, 8 by 8 pixels in gray, each titled with its label.
fig, axes = plt.subplots(2, 10, figsize=(10, 2.4))
for ax, image, label in zip(axes.ravel(), X[:20], y[:20], strict=True):
    ax.imshow(image.reshape(8, 8), cmap="gray_r")
    ax.set_title(str(label))
    ax.set_axis_off()
plt.show()

# %% [markdown]
# ## Three sets: train, validation, test
#
# A network can memorize its training images, so we judge it only on images it never
# trained on. We also have a decision to make with held-out images, when to stop
# training, and an image used for a decision no longer measures the result fairly. So
# the images are split three ways, by seeded shuffles: 20 % are set aside as the
# **test** set, looked at once, at the very end; 20 % of the rest become the
# **validation** set, on which we choose the epoch; the network trains on the others.
# Pixels are divided by 16 so that every input lies in $[0, 1]$ (the training loop's
# pitfall: unscaled inputs would make the first layer's gradients many times larger
# than the others').

# %%
X_rest, X_test, y_rest, y_test = train_test_split(X / 16, y, test_fraction=0.2, rng=0)
X_train, X_val, y_train, y_val = train_test_split(
    X_rest, y_rest, test_fraction=0.2, rng=0
)
print("train:", X_train.shape, " validation:", X_val.shape, " test:", X_test.shape)
print(f"inputs from {X_train.min()} to {X_train.max()}, mean {X_train.mean():.2f}")

# %% [markdown]
# ## Training
#
# 64 inputs, one hidden layer of 128 ReLU neurons, 10 outputs (one score per digit). The
# loop inside `fit` is the one of [the training loop](../part1/training-loop.md):
# forward, loss, backward, update, for every minibatch of 32 images, 30 times over the
# training set. The optimizer is the SGD with momentum of
# [gradient descent](../part1/gradient-descent.md), learning rate 0.1 and momentum 0.9,
# and `fit` measures the validation set after every epoch.

# %%
model = MLP([64, 128, 10], activation="relu", rng=0)
history = fit(
    model,
    X_train,
    y_train,
    loss="cross_entropy",
    optimizer=SGD(model, lr=0.1, momentum=0.9),
    epochs=30,
    batch_size=32,
    rng=0,
    X_val=X_val,
    y_val=y_val,
)
print(f"parameters: {model.num_params()}")
print(f"final training loss: {history['loss'][-1]:.4f}")
print(f"final validation accuracy: {history['val_accuracy'][-1]:.1%}")

# %%
# alt: Left, training and validation cross-entropy over 30 epochs on a log scale: the
#   training loss falls from about 1 to below 0.01, the validation loss falls to
#   about 0.07 with bumps and then stays level. Right, validation accuracy per epoch,
#   rising quickly and ending near 98 percent.
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.2))
epochs = np.arange(1, len(history["loss"]) + 1)
left.plot(epochs, history["loss"], label="training loss")
left.plot(epochs, history["val_loss"], label="validation loss")
left.set_xlabel("epoch")
left.set_ylabel("cross-entropy")
left.set_yscale("log")
left.legend()
right.plot(epochs, np.array(history["val_accuracy"]) * 100)
right.set_xlabel("epoch")
right.set_ylabel("validation accuracy (%)")
plt.show()
train_loss, val_loss = np.array(history["loss"]), np.array(history["val_loss"])
print("training loss at epochs 1, 10, 20, 30:", np.round(train_loss[[0, 9, 19, 29]], 4))
print("validation loss at epochs 1, 10, 20, 30:", np.round(val_loss[[0, 9, 19, 29]], 3))
print("training loss rises at epochs:", (np.flatnonzero(np.diff(train_loss) > 0) + 2))
print("validation loss rises at epochs:", (np.flatnonzero(np.diff(val_loss) > 0) + 2))
best_epoch = int(val_loss.argmin()) + 1
print(f"lowest validation loss: {val_loss.min():.3f} at epoch {best_epoch}")

# %% [markdown]
# The training loss falls by a factor of more than 300, though not at every epoch: each
# step follows one noisy minibatch's gradient, and four times an epoch's average comes
# out a little higher than the one before. The validation loss falls fast for ten
# epochs, with bumps, and then hardly moves: its lowest value comes at epoch 21, and of
# its nine rises from one epoch to the next, five come after that. The network keeps
# getting better on the images it trains on while it no longer gets better on the ones
# it has never seen: that is where *overfitting*, getting better on the training images
# at the expense of the others, begins. (Train longer, or on fewer images, and the
# validation loss turns clearly upward: see "Try next".)
#
# ## Choosing the epoch, then testing once
#
# We keep the network of the epoch with the lowest validation loss. `fit` is
# reproducible from its seeds, so a fresh network trained for that many epochs is the
# network of that epoch, step for step. Only now does the test set come out, once:

# %%
model = MLP([64, 128, 10], activation="relu", rng=0)
history = fit(
    model,
    X_train,
    y_train,
    optimizer=SGD(model, lr=0.1, momentum=0.9),
    epochs=best_epoch,
    batch_size=32,
    rng=0,
    X_val=X_val,
    y_val=y_val,
)
same = np.allclose(history["val_loss"], val_loss[:best_epoch])
print("the same validation losses as the first run:", same)
print(
    f"validation accuracy after {best_epoch} epochs: {history['val_accuracy'][-1]:.1%}"
)
test_accuracy = accuracy(model.forward(X_test), y_test)
print(f"test accuracy after {best_epoch} epochs: {test_accuracy:.1%}")

# %% [markdown]
# 97.8 % of the test images are classified correctly: 351 of 359. That is the number
# to report. The validation accuracy of the same network, 98.3 %, is a little higher,
# and it is no longer a fair measure: we picked this epoch because it did well on those
# very images.
#
# ## What the first layer learned
#
# Each hidden neuron has one weight per pixel: column $j$ of the first layer's `W`,
# shape `(64, 128)`, reshaped to 8×8, is the picture that neuron responds to. Red
# pixels push its weighted sum up when they are inked, blue ones push it down.

# %%
# alt: The weights of the first 24 hidden neurons, each drawn as an 8 by 8 image, red
#   for positive weights and blue for negative ones, on one colour scale. Some show a
#   few strong red and blue strokes in the middle of the grid, others are faint,
#   speckled noise close to their random start.
W1 = model.layers[0].params["W"]  # (64, 128): one column per hidden neuron
limit = np.abs(W1[:, :24]).max()
fig, axes = plt.subplots(3, 8, figsize=(8, 3.3))
for j, ax in enumerate(axes.ravel()):
    ax.imshow(W1[:, j].reshape(8, 8), cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.set_title(f"neuron {j}", fontsize=7)
    ax.set_axis_off()
plt.show()
W1_start = (
    MLP([64, 128, 10], activation="relu", rng=0).layers[0].params["W"]
)  # (64, 128)
moved = np.linalg.norm(W1 - W1_start, axis=0) / np.linalg.norm(
    W1_start, axis=0
)  # (128,)
print("change of each shown neuron's weights, relative to its start:")
print(moved[:24].round(2))
hidden = np.maximum(X_train @ W1 + model.layers[0].params["b"], 0)  # (1150, 128)
print("neurons silent on every training image:", int((hidden.max(axis=0) == 0).sum()))
never_inked = np.flatnonzero((X_train == 0).all(axis=0))
print("pixels blank in every training image:", never_inked)
print(
    "their weights as they started:",
    np.array_equal(W1[never_inked], W1_start[never_inked]),
)

# %% [markdown]
# The pictures do not look like digits, and they need not: the output layer combines
# 128 of them, and a neuron only has to respond to a few strokes in a few places (red)
# and against ink in others (blue). How far each moved from its random start varies a
# lot: neuron 19's weights changed by 2 % of their initial size, neuron 13's by almost
# twice it. Part of the reason is the ReLU: a neuron learns only from the images on
# which its weighted sum is positive (neuron 19 fires on very few), one that is negative
# for every image passes no gradient at all, and 13 of the 128 are silent on every
# training image by the end. Another part is the data: three pixels (0, 32 and
# 39, on the left and right edges) are blank in every training image, so their weights
# get a gradient of exactly zero, $dW = X^\top dY$ with a zero row of $X^\top$, and keep
# the values they started with.
#
# ## Which digits get confused?
#
# The *confusion matrix* counts, for every true digit (row), how often the network
# predicted each digit (column). A perfect classifier has numbers only on the diagonal.

# %%
# alt: The 10 by 10 confusion matrix of the test images, true digit by row and
#   predicted digit by column: nearly all counts lie on the diagonal, the few mistakes
#   off it.
predicted = model.predict(X_test)
confusion = np.zeros((10, 10), dtype=int)
np.add.at(confusion, (y_test, predicted), 1)

fig, ax = plt.subplots(figsize=(4.8, 4.2))
ax.imshow(confusion, cmap="Blues")
for i in range(10):
    for j in range(10):
        if confusion[i, j]:
            color = "white" if confusion[i, j] > confusion.max() / 2 else "black"
            ax.text(
                j, i, confusion[i, j], ha="center", va="center", color=color, fontsize=8
            )
ax.set_xticks(range(10))
ax.set_yticks(range(10))
ax.set_xlabel("predicted digit")
ax.set_ylabel("true digit")
plt.show()
print("mistakes:", int((predicted != y_test).sum()), "of", len(y_test))
wrong_pairs = [
    (int(t), int(p)) for t, p in zip(y_test, predicted, strict=True) if t != p
]
print("true -> predicted:", ", ".join(f"{t} -> {p}" for t, p in wrong_pairs))
answers = np.bincount([p for _, p in wrong_pairs], minlength=10)
print("most frequent wrong answer:", int(answers.argmax()), f"({answers.max()} times)")

# %% [markdown]
# ## The mistakes
#
# Looking at the images the network got wrong is the best way to understand it. Next to
# each, its prediction, the truth and the probability it gave to its (wrong) answer.

# %%
from scratchml import softmax

# alt: Each misclassified test image, titled with the predicted digit, the true
#   digit and the probability the network gave to its wrong answer.
probabilities = softmax(model.forward(X_test))
wrong = np.flatnonzero(predicted != y_test)
fig, axes = plt.subplots(1, len(wrong), figsize=(1.3 * len(wrong), 1.9), squeeze=False)
for ax, i in zip(axes[0], wrong, strict=True):
    ax.imshow(X_test[i].reshape(8, 8), cmap="gray_r")
    ax.set_title(
        f"{predicted[i]} (true {y_test[i]})\np = {probabilities[i].max():.2f}",
        fontsize=8,
    )
    ax.set_axis_off()
plt.show()

# %% [markdown]
# No pair of digits is confused twice; what repeats, a little, is the wrong answer:
# three of the eight mistakes are answers of 5, given to three different digits (8, 1
# and 3), and two are answers of 1. At 8×8 pixels, with 17 levels of gray (0 to 16), a
# digit is a few dozen inked cells, and a thin or faint stroke leaves little to go on.
# Look at the images above: several would make a person hesitate too.
#
# ## Check yourself
#
# ### Exercise (compute): sure and right
#
# The network gives every image a probability for each digit. How many held-out images
# does it classify correctly *and* with a probability above 0.99, and how sure is it,
# on average, of its wrong answers?
#
# **Solution.**
#
# Take the largest probability of each image, then split by right and wrong:

# %%
confidence = probabilities.max(axis=1)  # (n_test,): the probability of the answer given
right = predicted == y_test
print(
    "right with p > 0.99:", int((right & (confidence > 0.99)).sum()), "of", len(y_test)
)
print(f"mean p of the wrong answers: {confidence[~right].mean():.2f}")

# %% [markdown]
# Five sixths of the test images (301 of 359) are right with a probability above 0.99,
# while the network's wrong answers get 0.71 on average: a low top probability is a
# useful warning sign. It is no guarantee: the titles of the mistakes above show how
# sure the network was of each wrong answer.
#
# ### Exercise (predict): shuffled pixels
#
# Shuffle the 64 pixels of every image with one fixed permutation, the same for the
# training and the test images, so that no digit is recognizable to a person any more.
# Before running: train the same network, for the same epochs, on the shuffled images.
# Does its test accuracy collapse, drop a little, or stay about the same?
#
# **Solution.**

# %%
# alt: The first ten training images with their pixels shuffled: noise to the eye.
order = np.random.default_rng(1).permutation(64)  # one shuffle for every image
fig, axes = plt.subplots(1, 10, figsize=(10, 1.3))
for ax, image in zip(axes, X_train[:10, order], strict=True):
    ax.imshow(image.reshape(8, 8), cmap="gray_r")
    ax.set_axis_off()
plt.show()
shuffled = MLP([64, 128, 10], activation="relu", rng=0)
shuffled_history = fit(
    shuffled,
    X_train[:, order],
    y_train,
    optimizer=SGD(shuffled, lr=0.1, momentum=0.9),
    epochs=best_epoch,
    batch_size=32,
    rng=0,
)
shuffled_accuracy = accuracy(shuffled.forward(X_test[:, order]), y_test)
print(f"test accuracy: {shuffled_accuracy:.1%} shuffled, {test_accuracy:.1%} not")
assert abs(shuffled_accuracy - test_accuracy) < 0.02

# %% [markdown]
# About the same. The first layer multiplies each pixel by its own weights and adds
# them up; it has no notion of which pixels are neighbours. Shuffling the inputs is the
# same as shuffling the rows of $W_1$, and training finds the shuffled rows as easily:
# only the random start differs, and the two accuracies differ by less than a point
# (the shuffled run even comes out a little ahead, by the luck of its start). What
# looks like a picture to us is a list of 64 numbers to this network. Networks built
# for images, such as convolutional networks, use the neighbourhood, and shuffling
# would hurt them.
#
# ## Pitfalls
#
# - **Judging by the training loss.** It falls for any network big enough to memorize;
#   only the held-out images show whether it learned digits.
# - **Choosing settings on the test images.** Every decision made by looking at the
#   test accuracy leaks a little of it into the model, and the test number then flatters
#   it. Choose the epoch, the learning rate or the width on a validation set split off
#   the training images, as above, and look at the test set once, at the end.
#
# ## Try next
#
# - Train with `activation="sigmoid"` and compare the loss curves: why is it slower?
# - Train with `SGD(model, lr=0.1)`, without momentum, then with
#   [Adam](../part3/optimizer.md), `Adam(model, lr=1e-3)`: how fast does each lower the
#   validation loss?
# - Give the network two hidden layers, `MLP([64, 128, 64, 10])`: does the validation
#   accuracy move?
# - Train on only 10 % of the training images: when does the validation loss start
#   rising?
