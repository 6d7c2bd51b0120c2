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
# # Training on moons
#
# A small network learns to separate two interleaving half circles: the data, the model, the
# training loop with a progress bar, the loss curve, and the decision boundary it ends with.
#
# Every number on this page is computed by micrograd.

# %%
import inspect
import os
import tempfile

import matplotlib.pyplot as plt

from micrograd import MLP
from micrograd.lab.plot import plot_decision_boundary, plot_loss
from micrograd.training.data import make_moons
from micrograd.training.losses import hinge_loss, l2_penalty
from micrograd.training.metrics import accuracy
from micrograd.training.optim import SGD
from micrograd.training.train import fit, train_step

# %% [markdown]
# ## The data
#
# 100 points on two half circles, with Gaussian noise of standard deviation 0.1. The generator is
# seeded, so these are the same points on every machine. The labels come as 0 and 1; the
# max-margin loss below wants −1 and +1.

# %%
X, labels = make_moons(100, noise=0.1, seed=0)
y = [2 * label - 1 for label in labels]
for point, label in list(zip(X, y))[:5]:
    print(f"x = [{point[0]:+.3f}, {point[1]:+.3f}]   y = {label:+d}")
print(f"... {len(X)} points, {y.count(1)} labelled +1 and {y.count(-1)} labelled -1")

# %% [markdown]
# ## The model
#
# Two inputs, two hidden layers of 16 relu neurons, one linear output: the score $s(x)$. A point is
# classified +1 where $s(x) > 0$. Before training, the boundary is wherever the random weights put it.

# %%
model = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=0)
print(f"layer sizes {model.sizes}, activations {[layer.activation for layer in model.layers]}")
print(f"{len(model.parameters())} parameters; accuracy before training: {accuracy(model, X, y):.0%}")
plot_decision_boundary(model, X, y, title="Before training")
plt.show()

# %% [markdown]
# ## The loss
#
# The max-margin (hinge) loss of micrograd's original demo: a point costs nothing once its score is on
# the right side of 0 by a margin of 1, and $1 - y\,s(x)$ otherwise, averaged over the batch. A small
# penalty $\alpha \sum w^2$ keeps the weights from growing without need.
#
# $$C = \frac{1}{m} \sum_x \max\big(0,\; 1 - y\, s(x)\big) + \alpha \sum_w w^2, \qquad \alpha = 10^{-4}$$


# %%
def loss(scores, targets):
    return hinge_loss(scores, targets) + l2_penalty(model.parameters(), 1e-4)


# %% [markdown]
# ## One step of training
#
# `fit` repeats one step over shuffled mini-batches. The step is the forward pass and the loss, a
# check that the loss is a finite number, clearing the gradients, `backward()`, and the optimizer's
# update $w \leftarrow w - \eta\,\partial C/\partial w$.

# %%
print(inspect.getsource(train_step))

# %% [markdown]
# ## Training
#
# 50 passes over the data (epochs) in mini-batches of 20, with stochastic gradient descent and
# momentum. The bar shows the loss and accuracy on the whole training set after each epoch.

# %%
optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
history = fit(model, X, y, loss=loss, optimizer=optimizer, epochs=50, batch_size=20, seed=0)
assert history.accuracy[-1] >= 0.97
print(history)

# %% [markdown]
# `history.loss` and `history.accuracy` hold the numbers after every epoch, `history.batch_loss` the loss
# of every step.

# %% [markdown]
# ## The loss curve
#
# The loss (left axis) and accuracy (right axis) after each epoch. Mini-batches make the descent a
# little bumpy: each step follows the gradient of 20 points, not of all 100.

# %%
plot_loss(history)
plt.show()

# %% [markdown]
# ## The decision boundary
#
# The model's prediction at every point of a 100 × 100 grid (computed under `no_grad()`, which
# builds no graph), with the data on top.

# %%
plot_decision_boundary(model, X, y, title="After training")
plt.show()

# %% [markdown]
# ## Saving and loading
#
# The trained model as JSON: its architecture, activations and weights. Loading it gives back the
# same network, bit for bit.

# %%
with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "moons.json")
    model.save(path)
    with open(path, encoding="utf-8") as f:
        print(f.read()[:200] + " ...")
    loaded = MLP.load(path)
assert [p.data for p in loaded.parameters()] == [p.data for p in model.parameters()]
print(f"loaded: {loaded.sizes}, accuracy {accuracy(loaded, X, y):.0%}")
