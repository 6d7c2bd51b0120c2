# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Reading digits with a scalar engine
#
# The same engine that separates two half moons reads real handwriting: 1,797 digits of 8 × 8
# pixels, scanned from 43 people (scikit-learn's copy of the UCI data set). Every weight is one
# `Value`, every multiplication one recorded product, and training still takes seconds: compiled
# mode runs each step as generated plain-float Python.
#
# Every number on this page is computed by micrograd. The digits need the extra
# `pip install "micrograd[digits]"` (scikit-learn, whose bundled copy is read: nothing is downloaded).

# %%
import time

import matplotlib.pyplot as plt

from micrograd import MLP
from micrograd.lab.plot import plot_confusion_matrix, plot_images, plot_loss, plot_misclassified
from micrograd.lab.viz import draw_dot
from micrograd.training.data import load_digits
from micrograd.training.losses import softmax_cross_entropy
from micrograd.training.metrics import accuracy, confusion_matrix
from micrograd.training.optim import Adam
from micrograd.training.train import fit

# %% [markdown]
# ## The data
#
# `load_digits` splits the images into a training set and a test set that training never sees: a
# fifth of each digit's images, chosen with a seed, so the split is the same on every machine.
# Pixels are scaled from scikit-learn's 0..16 to [0, 1].

# %%
X, y, X_test, y_test = load_digits(seed=0)
print(f"{len(X)} training images, {len(X_test)} test images; labels {sorted(set(y))}")
print("test images per digit:", [y_test.count(d) for d in range(10)])
plot_images(X[:20], [f"label {t}" for t in y[:20]], title="The first 20 training images")
plt.show()

# %% [markdown]
# ## One image as the 64 inputs
#
# The network does not see a picture: it sees 64 numbers, the pixels read row by row. Here is the
# first image with each pixel's value written on it; `X[0]` is exactly this list.

# %%
image = X[0]
fig, ax = plt.subplots(figsize=(4.2, 4.2), layout="constrained")
ax.imshow([image[r * 8 : r * 8 + 8] for r in range(8)], cmap="gray_r", vmin=0, vmax=1)
for k, v in enumerate(image):
    ax.text(k % 8, k // 8, f"{v:.2g}", ha="center", va="center", fontsize=7, color="white" if v > 0.5 else "black")
ax.set(title=f"X[0], label {y[0]}: x[k] is row k // 8, column k % 8", xticks=[], yticks=[])
plt.show()
print(f"len(X[0]) = {len(image)}; x[0:8] = {image[:8]}")

# %% [markdown]
# ## The model and the loss
#
# 64 inputs, one hidden layer of 32 relu neurons, 10 linear outputs: one score $z_k$ per digit, 2,410
# parameters. The loss is softmax cross-entropy: the scores become probabilities
# $p_k = e^{z_k} / \sum_j e^{z_j}$, and an image of digit $y$ costs $-\log p_y$:
#
# $$C_x = \log \sum_k e^{z_k} - \sum_k y_k z_k,$$
#
# with $y$ one-hot. micrograd computes $\log \sum_k e^{z_k}$ as one node, `logsumexp`, shifted by the
# largest score so that no exponent overflows; its local derivatives are the softmax $p_k$, so the
# gradient of $C_x$ is $p - y$.

# %%
model = MLP(64, [32, 10], activation="relu", seed=0)
print(f"layer sizes {model.sizes}, {len(model.parameters())} parameters")
print(f"test accuracy before training: {accuracy(model, X_test, y_test):.1%} (chance is 10%)")

# %% [markdown]
# ## Training
#
# Adam with learning rate 0.02, mini-batches of 32, 9 passes over the training set. With
# `compiled=True` each step is recorded once and runs as generated Python on plain floats: the same
# steps as the eager engine, bit for bit, several times faster. `validation=` measures the test set
# after each epoch (the bar shows it); it never trains on it.

# %%
start = time.perf_counter()
history = fit(
    model,
    X,
    y,
    loss=softmax_cross_entropy,
    optimizer=Adam(model, lr=0.02),
    epochs=9,
    batch_size=32,
    compiled=True,
    validation=(X_test, y_test),
)
seconds = time.perf_counter() - start
test_accuracy = accuracy(model, X_test, y_test)
assert test_accuracy == history.val_accuracy[-1] >= 0.97
print(history)
print(f"test accuracy {test_accuracy:.1%} after {seconds:.1f} s of training")

# %%
plot_loss(history)
plt.show()

# %% [markdown]
# ## The confusion matrix
#
# Row $t$, column $p$: how many test images of digit $t$ the model reads as $p$. The diagonal is
# right; everything else is a mistake, and shows which digits look alike to it.

# %%
plot_confusion_matrix(confusion_matrix(model, X_test, y_test))
plt.show()

# %% [markdown]
# ## The mistakes
#
# Every test image the model gets wrong, captioned with what it read and (in parentheses) the truth.
# Some are hard for a person too, at 8 × 8 pixels.

# %%
plot_misclassified(model, X_test, y_test)
plt.show()

# %% [markdown]
# ## One digit's forward pass
#
# The first test image through the network: the 64 inputs, the 32 hidden activations
# $a^1 = \mathrm{relu}(W^1 x + b^1)$ (the ones at 0 are switched off for this image), and the 10 scores.
# The model's answer is the largest score. These are the engine's own numbers, read from the
# network after the call (`model.layers[0].a`, `model.layers[1].z`).

# %%
x, label = X_test[0], y_test[0]
scores = model(x)
hidden = [a.data for a in model.layers[0].a]
logits = [z.data for z in model.layers[1].z]
assert logits == [s.data for s in scores]
answer = max(range(10), key=logits.__getitem__)

fig, (ax_in, ax_hidden, ax_out) = plt.subplots(1, 3, figsize=(9.5, 3.2), layout="constrained")
ax_in.imshow([x[r * 8 : r * 8 + 8] for r in range(8)], cmap="gray_r", vmin=0, vmax=1)
ax_in.set(title=f"64 inputs (label {label})", xticks=[], yticks=[])
ax_hidden.imshow([hidden[r * 8 : r * 8 + 8] for r in range(4)], cmap="Greens")
for j, v in enumerate(hidden):
    ax_hidden.text(
        j % 8,
        j // 8,
        f"{v:.1f}",
        ha="center",
        va="center",
        fontsize=7,
        color="white" if v > 0.6 * max(hidden) else "black",
    )
active = sum(v > 0 for v in hidden)
ax_hidden.set(title=f"32 hidden relus ({active} active)", xticks=[], yticks=[])
ax_out.bar(range(10), logits, color=["#d62728" if k == answer else "#1f77b4" for k in range(10)])
ax_out.set(title=f"10 scores: it reads {answer}", xticks=range(10), xlabel="digit")
ax_out.axhline(0, color="gray", linewidth=0.8)
plt.show()

# %% [markdown]
# ## The loss of one digit, as a graph
#
# The loss of that image alone, drawn down to the scores `z[2][k]`, each node named as the formula
# names it: `M` $= \max_k z_k$ (the `max` node); the 10 shifted scores `z[2][k] - M`; one `logsumexp`
# node over them; the score of the right digit, picked by the one-hot target `y` (the `w·a+b` node
# `y·z` $= \sum_k y_k z_k$), shifted by $M$ too (`y·z - M`); their difference, the image's loss
# `C[0]`; then the mean over the batch of one, `C` = `total` / `m` (the total starts from a leaf `0`, and
# `m` = 1 is the batch size). After `backward()` each score's grad is
# $p_k - y_k$: the softmax, minus 1 at the right digit. (The grad of `M` is 0 up to rounding: the
# shift changes nothing but the rounding.)

# %%
loss = softmax_cross_entropy([scores], [label])
loss.label = "C"
loss.backward()
grads = [z.grad for z in model.layers[1].z]
print(f"loss {loss.data:.4g}; ∂C/∂z = {[round(g, 4) for g in grads]}")
print(f"the grads sum to {sum(grads):.1e}: the softmax sums to 1")
draw_dot(loss, depth=5)
