# %% [markdown]
# # Lab: reading handwritten digits
#
# Everything from Part I comes together here. We train the network of the previous
# chapters, an `MLP` made of `Dense` layers and ReLUs, with cross-entropy and Adam, on
# real
# handwritten digits, and then look at what it learned and where it still fails.
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

from scratchml import MLP, Adam, accuracy, fit, load_digits, train_test_split

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
# ## A held-out test set
#
# A network can memorize its training images, so we judge it only on images it never
# trained on: 20 % are set aside, chosen by a seeded shuffle. Pixels are divided by 16
# so
# that every input lies in $[0, 1]$, the range the initial weights are scaled for.

# %%
X_train, X_test, y_train, y_test = train_test_split(X / 16, y, test_fraction=0.2, rng=0)
print("train:", X_train.shape, " test:", X_test.shape)

# %% [markdown]
# ## Training
#
# 64 inputs, one hidden layer of 128 ReLU neurons, 10 outputs (one score per digit). The
# loop inside `fit` is the one of [the training loop](../part1/training-loop.md):
# forward, loss, backward, update, for every minibatch of 32 images, 30 times over the
# training set.

# %%
model = MLP([64, 128, 10], activation="relu", rng=0)
optimizer = Adam(model, lr=1e-3)
history = fit(
    model,
    X_train,
    y_train,
    loss="cross_entropy",
    optimizer=optimizer,
    epochs=30,
    batch_size=32,
    rng=0,
    X_val=X_test,
    y_val=y_test,
)
test_accuracy = accuracy(model.forward(X_test), y_test)
print(f"parameters: {model.num_params()}")
print(f"final training loss: {history['loss'][-1]:.4f}")
print(f"held-out accuracy: {test_accuracy:.1%}")

# %%
# alt: Left, training and held-out cross-entropy over 30 epochs on a log scale: both
#   fall, the held-out loss more slowly and with small bumps. Right, held-out accuracy
# per
#   epoch, rising quickly and ending above 97 percent.
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.2))
epochs = np.arange(1, len(history["loss"]) + 1)
left.plot(epochs, history["loss"], label="training loss")
left.plot(epochs, history["val_loss"], label="held-out loss")
left.set_xlabel("epoch")
left.set_ylabel("cross-entropy")
left.set_yscale("log")
left.legend()
right.plot(epochs, np.array(history["val_accuracy"]) * 100)
right.set_xlabel("epoch")
right.set_ylabel("held-out accuracy (%)")
plt.show()
val_loss = np.array(history["val_loss"])
print("held-out loss at epochs 1, 10, 20, 30:", np.round(val_loss[[0, 9, 19, 29]], 2))
print("lowest held-out loss at epoch", int(val_loss.argmin()) + 1)

# %% [markdown]
# Both losses fall for all 30 epochs. The held-out loss falls more slowly and not at
# every epoch, but its lowest value comes at the last one: after 30 epochs this network
# has not yet started to overfit, that is, to get better on the images it trains on at
# the expense of the ones it has never seen. (Train longer, or on fewer images, and the
# held-out loss turns upward: see "Try next".) The accuracy on unseen images is what
# counts, and it ends above 97 %.
#
# ## Which digits get confused?
#
# The *confusion matrix* counts, for every true digit (row), how often the network
# predicted each digit (column). A perfect classifier has numbers only on the diagonal.

# %%
# alt: The 10 by 10 confusion matrix of the held-out images, true digit by row and
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

# alt: Each misclassified held-out image, titled with the predicted digit, the true
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
# No pair of digits is confused twice; what repeats is the wrong answer: half of the
# mistakes are answers of 1, given to four different digits. At 8×8 pixels, with 16
# shades of gray, a digit is a few dozen inked cells, and a thin or faint stroke leaves
# little more than the vertical bar that a 1 is. Look at the images above: several would
# make a person hesitate too.
#
# ## Check yourself
#
# ### Exercise (compute): sure and right
#
# The network gives every image a probability for each digit. How many held-out images
# does it classify correctly *and* with a probability above 0.99, and how sure is it,
# on average, of its wrong answers?
#
# ### Solution
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
# Almost two thirds of the held-out images are right with a probability above 0.99,
# while the network's wrong answers get 0.70 on average: a low top probability is a
# useful warning sign. It is no guarantee: the titles of the mistakes above show how
# sure the network was of each wrong answer.
#
# ### Exercise (predict): shuffled pixels
#
# Shuffle the 64 pixels of every image with one fixed permutation, the same for the
# training and the held-out images, so that no digit is recognizable to a person any
# more. Before running: train the same network on the shuffled images. Does its held-out
# accuracy collapse, drop a little, or stay about the same?
#
# ### Solution

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
    loss="cross_entropy",
    optimizer=Adam(shuffled, lr=1e-3),
    epochs=30,
    batch_size=32,
    rng=0,
)
shuffled_accuracy = accuracy(shuffled.forward(X_test[:, order]), y_test)
print(f"held-out accuracy: {shuffled_accuracy:.1%} shuffled, {test_accuracy:.1%} not")
assert abs(shuffled_accuracy - test_accuracy) < 0.02

# %% [markdown]
# About the same. The first layer multiplies each pixel by its own weights and adds
# them up; it has no notion of which pixels are neighbours. Shuffling the inputs is the
# same as shuffling the rows of $W_1$, and training finds the shuffled rows as easily:
# only the random start differs, and the accuracy comes out the same or within a few
# tenths of a percent. What looks like
# a picture to us is a list of 64 numbers to this network. Networks built for images,
# such as convolutional networks, use the neighbourhood, and shuffling would hurt them.
#
# ## Pitfalls
#
# - **Judging by the training loss.** It falls for any network big enough to memorize;
#   only the held-out images show whether it learned digits.
# - **Choosing settings on the test images.** Every decision made by looking at the
#   held-out accuracy leaks a little of it into the model. To tune learning rates or
#   widths, split a third set (validation) off the training images and keep the test set
#   for the end.
#
# ## Try next
#
# - Train with `activation="sigmoid"` and compare the loss curves: why is it slower?
# - Replace Adam by `SGD(model, lr=0.1)`; then try `momentum=0.9`.
# - Give the network two hidden layers, `MLP([64, 128, 64, 10])`: does the held-out
#   accuracy move?
# - Train on only 10 % of the training images: when does the held-out loss start rising?
