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
# pixels, written by 13 people (the test set of UCI's handwritten digits). Every weight is one
# `Value`, every multiplication one recorded product, and training still takes seconds: compiled
# mode runs each step as generated plain-float Python.
#
# You will learn how a classifier over ten digits is trained: softmax cross-entropy, whose gradient
# with respect to each score is simply $p_k - y_k$; why a validation set is split off the training
# images while the test set stays untouched until the end; what Adam does that plain gradient
# descent does not; and how to read the results (a confusion matrix, the mistakes, one image's
# forward and backward pass). About 30 minutes.
#
# Before this: 08, two lenses on one network (the layer picture and the graph). Next: 10, predict
# then check, where you work out the numbers of a backward pass yourself.
#
# Every number on this page is computed by micrograd. The digits ship with micrograd (E. Alpaydin
# and C. Kaynak's data set, CC BY 4.0): nothing is downloaded.

# %%
import math
import time

from micrograd import MLP
from micrograd.engine import topological_order
from micrograd.lab.plot import (
    plot_confusion_matrix,
    plot_forward_pass,
    plot_image,
    plot_images,
    plot_loss,
    plot_misclassified,
)
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
# Pixels are scaled from 0..16 (the ink counted in 4 × 4 blocks of a 32 × 32 scan) to [0, 1].
#
# While we train we want to watch how well the model does on images it has not trained on, and use
# that to choose how long to train or which learning rate to take. If we watched the test set for
# that, our choices would be fitted to the test set, and its score would no longer tell how the model
# does on images nobody has looked at. So a *validation set* is split off the training images (their
# last fifth: `load_digits` returns them shuffled, so it is a fair sample of every digit), and the
# test set is touched once, at the end.

# %%
X_all, y_all, X_test, y_test = load_digits(seed=0)
n_validation = len(X_all) // 5
X, y = X_all[:-n_validation], y_all[:-n_validation]
X_validation, y_validation = X_all[-n_validation:], y_all[-n_validation:]
print(f"{len(X)} training, {len(X_validation)} validation and {len(X_test)} test images; labels {sorted(set(y))}")
print("validation images per digit:", [y_validation.count(d) for d in range(10)])
print("test images per digit:      ", [y_test.count(d) for d in range(10)])
assert len(X) + len(X_validation) == len(X_all) and set(y_validation) == set(range(10))
plot_images(X[:20], [f"label {t}" for t in y[:20]], title="The first 20 training images")

# %% [markdown]
# ## One image as the 64 inputs
#
# The network does not see a picture: it sees 64 numbers, the pixels read row by row. Here is the
# first image with each pixel's value written on it; `X[0]` is exactly this list.

# %%
image = X[0]
print(f"len(X[0]) = {len(image)}; x[0:8] = {image[:8]}")
plot_image(image, title=f"X[0], label {y[0]}: x[k] is row k // 8, column k % 8")

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
assert len(model.parameters()) == 2410  # the 2,410 of the text
print(f"validation accuracy before training: {accuracy(model, X_validation, y_validation):.1%} (chance is 10%)")

# %% [markdown]
# ## Why Adam, not plain gradient descent
#
# Plain gradient descent moves every weight by $\eta\, \partial C / \partial w$: one learning rate for
# all, so a weight's step is as large as its gradient. Here the gradients of the 2,410 parameters
# differ a lot in size. On the first mini-batch of 32 images (a weight from a pixel to a relu gets
# exactly 0 when, in each of the 32 images, its pixel is blank or its relu is off):

# %%
first_batch = softmax_cross_entropy([model(x) for x in X[:32]], y[:32])
first_batch.backward()
sizes = sorted(abs(p.grad) for p in model.parameters())
moving = [g for g in sizes if g > 0.0]
low, high = moving[len(moving) // 10], moving[9 * len(moving) // 10]
print(f"{len(sizes) - len(moving)} of the {len(sizes)} gradients are exactly 0")
print(f"the others: 10th percentile of |∂C/∂w| {low:.1e}, 90th {high:.1e}, {high / low:.0f} times larger")
model.zero_grad()
assert high / low > 100

# %% [markdown]
# With one $\eta$, a rate small enough for the weights with large gradients leaves the others
# crawling. Adam (Kingma and Ba) gives each weight a step size of its own. For each weight it keeps two
# running averages over the steps: $m$ of its gradient $g$ and $v$ of $g^2$,
#
# $$m \leftarrow \beta_1 m + (1 - \beta_1)\, g, \qquad v \leftarrow \beta_2 v + (1 - \beta_2)\, g^2,
# \qquad w \leftarrow w - \eta\, \frac{\hat m}{\sqrt{\hat v} + \epsilon},$$
#
# with $\beta_1 = 0.9$, $\beta_2 = 0.999$ ($\hat m$ and $\hat v$ are $m$ and $v$ corrected for having
# started at 0). Dividing by $\sqrt{\hat v}$, the size of that weight's recent gradients, makes every
# weight's step about $\eta$ in size, whatever the scale of its gradient; averaging $g$ in $m$
# (momentum) smooths the noise of gradients measured on 32 images at a time. So a weight
# that gets small gradients still learns, and one learning rate, 0.02, suits all 2,410.
#
# ## Training
#
# Adam with learning rate 0.02, mini-batches of 32, 9 passes over the training set. With
# `compiled=True` each step is recorded once and runs as generated Python on plain floats: the same
# steps as the eager engine, bit for bit, several times faster. `validation=` measures the validation
# set after each epoch (the bar shows it); it never trains on it.

# %%
optimizer = Adam(model, lr=0.02)
assert optimizer.betas == (0.9, 0.999)  # β₁ and β₂ of the text
start = time.perf_counter()
history = fit(
    model,
    X,
    y,
    loss=softmax_cross_entropy,
    optimizer=optimizer,
    epochs=9,
    batch_size=32,
    compiled=True,
    validation=(X_validation, y_validation),
)
seconds = time.perf_counter() - start
assert history.val_accuracy[-1] == accuracy(model, X_validation, y_validation)
print(history)
print(f"{seconds:.1f} s of training")

# %%
plot_loss(history)

# %% [markdown]
# ## The test set, once
#
# Training is done and nothing more will be chosen, so now the test set: images that neither
# training nor our choices have seen. Its accuracy is the honest estimate of how the model reads new
# handwriting.

# %%
test_accuracy = accuracy(model, X_test, y_test)
print(f"test accuracy {test_accuracy:.1%} ({round(test_accuracy * len(X_test))} of {len(X_test)} images)")
assert test_accuracy >= 0.97

# %% [markdown]
# ## The confusion matrix
#
# Row $t$, column $p$: how many test images of digit $t$ the model reads as $p$. The diagonal is
# right; everything else is a mistake, and shows which digits look alike to it.

# %%
plot_confusion_matrix(confusion_matrix(model, X_test, y_test))

# %% [markdown]
# ## The mistakes
#
# Every test image the model gets wrong, captioned with what it read and (in parentheses) the truth.
# Some are hard for a person too, at 8 × 8 pixels.

# %%
plot_misclassified(model, X_test, y_test)

# %% [markdown]
# ## The image it is least sure of
#
# The softmax turns an image's 10 scores into probabilities, $p_k = e^{z_k} / \sum_j e^{z_j}$. Most
# test images get a probability near 1 for one digit; the interesting one for us is the test image
# whose largest probability is the smallest: the model hesitates between digits there. (Here $p$ is
# computed in plain floats, not by micrograd, so that it can check micrograd's gradient below.)


# %%
def softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    return [e / sum(exps) for e in exps]


probabilities = [softmax([s.data for s in model(x)]) for x in X_test]
unsure = min(range(len(X_test)), key=lambda i: max(probabilities[i]))
p = probabilities[unsure]
likely = sorted(range(10), key=p.__getitem__, reverse=True)[:2]
print(f"test image {unsure}, label {y_test[unsure]}: " + ", ".join(f"p_{k} = {p[k]:.3f}" for k in likely))

# %% [markdown]
# ## Its forward pass
#
# That image through the network: the 64 inputs, the 32 hidden activations
# $a^1 = \mathrm{relu}(W^1 x + b^1)$ (the ones at 0 are switched off for this image), and the 10 scores.
# The model's answer is the largest score. These are the engine's own numbers, read from the
# network after the call (`model.layers[0].a`, `model.layers[1].z`).

# %%
x, label = X_test[unsure], y_test[unsure]
scores = model(x)
hidden = [a.data for a in model.layers[0].a]
logits = [z.data for z in model.layers[1].z]
assert logits == [s.data for s in scores]
answer = max(range(10), key=logits.__getitem__)

plot_forward_pass(model, x, label=label)

# %% [markdown]
# ## Each score's gradient is $p_k - y_k$
#
# Why: an image of digit $y$ costs $C = \log \sum_j e^{z_j} - z_y$. The first term's derivative with
# respect to $z_k$ is $e^{z_k} / \sum_j e^{z_j} = p_k$; the second's is 1 for $k = y$ and 0 otherwise,
# which is $y_k$ of the one-hot target. So $\partial C / \partial z_k = p_k - y_k$. Gradient descent
# moves each score against its gradient: the right digit's score up, by how much probability is still
# missing ($1 - p_y$), and every other score down, by the probability it wrongly takes. A digit the
# model gives almost no probability gets almost no push. Here is backward() on this image's loss,
# next to $p - y$ computed in plain floats:

# %%
loss = softmax_cross_entropy([scores], [label])
loss.label = "C"
loss.backward()
grads = [z.grad for z in model.layers[1].z]
one_hot = [1.0 if k == label else 0.0 for k in range(10)]
print(f"loss {loss.data:.3f} = -log p_{label}")
print("digit k      " + "".join(f"{k:>8}" for k in range(10)))
print("p_k          " + "".join(f"{p_k:8.3f}" for p_k in p))
print("y_k          " + "".join(f"{y_k:8.0f}" for y_k in one_hot))
print("∂C/∂z_k      " + "".join(f"{g:8.3f}" for g in grads))
assert all(math.isclose(g, p_k - y_k, abs_tol=1e-12) for g, p_k, y_k in zip(grads, p, one_hot))
assert math.isclose(loss.data, -math.log(p[label]), rel_tol=1e-9)
assert [k for k, g in enumerate(grads) if g < 0] == [label]  # only the right digit's score is pushed up

# %% [markdown]
# ## The loss of that image, as a graph
#
# The same loss, drawn down to the scores `z[2][k]`, each node named as the formula names it: `M`
# $= \max_k z_k$ (the `max` node); the 10 shifted scores `z[2][k] - M`; one `logsumexp` node over
# them; the score of the right digit, picked by the one-hot target `y` (the `w·a+b` node `y·z`
# $= \sum_k y_k z_k$), shifted by $M$ too (`y·z - M`); their difference, the image's loss `C[0]`;
# then the mean over the batch of one, `C` = `total` / `m` (the total starts from a leaf `0`, and
# `m` = 1 is the batch size). The grad of `M` is 0 up to rounding: the shift changes nothing but the
# rounding.
#
# The target's ten numbers `y[k]` are leaves of the graph too (a compiled step takes each batch's
# targets as inputs, so they are Values), and backward() gives every leaf a grad: the drawing shows
# grads of several units on them. They are $\partial C / \partial y_k = -z_k$ (from the $-\sum_k y_k z_k$ in
# $C$): how the loss would change if the target were moved. Nobody moves a target: the optimizer
# updates only `model.parameters()`, and these grads are never read.

# %%
leaves = {v.label: v for v in topological_order(loss) if v.label.startswith("y[")}
targets = [leaves[f"y[{k}]"] for k in range(10)]
assert len(targets) == 10 and not set(map(id, targets)) & set(map(id, model.parameters()))
assert all(math.isclose(t.grad, -z, rel_tol=1e-12) for t, z in zip(targets, logits))
print("y[k].grad = -z_k:", [round(t.grad, 1) for t in targets])
draw_dot(loss, depth=5)
