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
# A small network learns to separate two interleaving half circles. You write the training loop
# yourself, four lines a step (forward, zero the gradients, backward, update), see what goes wrong
# when one of them is left out, then meet `fit`, the same loop with a progress bar, and momentum,
# a common change to the update that trains faster but can overshoot. About 40 minutes.
#
# Before this: "The four equations" (03), which computes $\partial C/\partial w$ for every weight.
# Next: "Backprop as code" (05). Every number on this page is computed by micrograd.

# %%
import itertools
import math
import os
import random
import tempfile

from micrograd import MLP
from micrograd.lab.plot import plot_decision_boundary, plot_loss
from micrograd.training.data import make_moons
from micrograd.training.losses import hinge_loss, l2_penalty
from micrograd.training.metrics import accuracy
from micrograd.training.optim import SGD
from micrograd.training.train import fit

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
# `seed=0` fixes those weights: every network on this page built with it starts from the same ones.

# %%
model = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=0)
print(f"layer sizes {model.sizes}, activations {[layer.activation for layer in model.layers]}")
print(f"{len(model.parameters())} parameters; accuracy before training: {accuracy(model, X, y):.0%}")
plot_decision_boundary(model, X, y, title="Before training")

# %% [markdown]
# ## The loss
#
# The max-margin (hinge) loss of micrograd's original demo: a point costs nothing once its score is on
# the right side of 0 by a margin of 1, and $1 - y\,s(x)$ otherwise, averaged over the batch. A small
# penalty $\alpha \sum w^2$ keeps the weights from growing without need.
#
# $$C = \frac{1}{m} \sum_x \max\big(0,\; 1 - y\, s(x)\big) + \alpha \sum_w w^2, \qquad \alpha = 10^{-4}$$
#
# The penalty reads the weights of one network, so `loss_of(net)` gives the loss of that network.


# %%
def loss_of(net: MLP):
    """The loss C above for net: its scores and their targets in, a Value out."""

    def loss(scores, targets):
        return hinge_loss(scores, targets) + l2_penalty(net.parameters(), 1e-4)

    return loss


# %% [markdown]
# ## The training loop, by hand
#
# Gradient descent moves every weight a small step against its gradient:
#
# $$w \leftarrow w - \eta\, \frac{\partial C}{\partial w}$$
#
# $\partial C/\partial w$ says how fast $C$ rises when $w$ grows; a step against it lowers $C$, if
# the step is small enough for the slope to hold over it. $\eta$, the learning rate, sets the size:
# here $\eta = 0.1$. Each step uses a mini-batch of 20 points, not all 100: five steps per pass
# over the data (an *epoch*), each on a fifth of the points, and the points are shuffled at the
# start of every epoch so that the batches differ. One step is four lines:
#
# 1. **forward**: the network's scores on the batch, and the loss $C$ (a `Value` whose graph
#    reaches every weight);
# 2. **zero the gradients**: `backward()` *adds* to the `.grad` of every weight (a weight used
#    twice receives both contributions), so what the last step left must be cleared first;
# 3. **backward**: $\partial C/\partial w$ into every `w.grad`, by the chain rule (notebooks 01–03);
# 4. **update**: $w \leftarrow w - \eta\,\partial C/\partial w$, on `w.data`.

# %%
hand = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=0)
loss = loss_of(hand)
params = hand.parameters()
LR, EPOCHS, BATCH = 0.1, 50, 20
rng, order = random.Random(0), list(range(len(X)))  # seeded: the same batches on every run
hand_losses = []  # the loss of every step, on its batch

for epoch in range(1, EPOCHS + 1):
    rng.shuffle(order)
    for start in range(0, len(X), BATCH):
        batch = order[start : start + BATCH]
        C = loss([hand(X[i]) for i in batch], [y[i] for i in batch])  # 1. forward
        for w in params:  # 2. zero the gradients
            w.grad = 0.0
        C.backward()  # 3. backward
        for w in params:  # 4. update
            w.data -= LR * w.grad
        hand_losses.append(C.data)
    if epoch % 10 == 0:
        C_all = loss([hand(x) for x in X], y).data  # the loss on all 100 points
        print(f"epoch {epoch:>2}: loss on all points {C_all:.3f}, accuracy {accuracy(hand, X, y):.0%}")

# %% [markdown]
# Fifty epochs, 250 steps, and the network classifies almost every point right.

# %%
assert (LR, BATCH, len(X) // BATCH, EPOCHS) == (0.1, 20, 5, 50)  # the numbers of the text above
assert len(hand_losses) == 250 and accuracy(hand, X, y) >= 0.97

# %% [markdown]
# ## Forgetting to zero the gradients
#
# Leave out step 2 and nothing fails: the numbers are simply wrong. `backward()` adds
# $\partial C/\partial w$ to what `w.grad` already holds, so calling it twice on the same batch gives
# twice the gradient:

# %%
forgetful = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=0)
first_batch = list(range(BATCH))
C = loss_of(forgetful)([forgetful(X[i]) for i in first_batch], [y[i] for i in first_batch])
w = forgetful.layers[0].neurons[0].w[0]  # the weight w[1][0][0]
C.backward()
once = w.grad
C.backward()
print(f"after one backward(): w[1][0][0].grad = {once:.4f}; after two: {w.grad:.4f}")
assert math.isclose(w.grad, 2 * once, rel_tol=1e-12)  # twice, up to the rounding of the sums

# %% [markdown]
# In a training loop the gradient that is never cleared is the sum of every gradient since the
# start: each update uses all the past slopes, not the present one. The size of the gradient each
# update uses, $\lVert \nabla C \rVert = \sqrt{\sum_w (\partial C/\partial w)^2}$,
# for the first steps of the loop above with and without step 2:


# %%
def gradient_sizes(zero_the_gradients: bool, steps: int = 8) -> list[float]:
    """‖∇C‖ as each update of the loop above (from seed 0) uses it, with or without step 2."""
    net = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=0)
    loss, weights = loss_of(net), net.parameters()
    rng, order, sizes = random.Random(0), list(range(len(X))), []
    while len(sizes) < steps:
        rng.shuffle(order)
        for start in range(0, len(X), BATCH):
            batch = order[start : start + BATCH]
            C = loss([net(X[i]) for i in batch], [y[i] for i in batch])
            if zero_the_gradients:
                for w in weights:
                    w.grad = 0.0
            C.backward()
            sizes.append(math.sqrt(sum(w.grad**2 for w in weights)))
            for w in weights:
                w.data -= LR * w.grad
    return sizes[:steps]


zeroed, forgotten = gradient_sizes(True), gradient_sizes(False)
print("step   ‖∇C‖ zeroed   ‖∇C‖ forgotten")
for step, (right, wrong) in enumerate(zip(zeroed, forgotten), start=1):
    print(f"{step:>4}{right:>14.2f}{wrong:>17.2f}")

# %% [markdown]
# The first step is the same (every `.grad` starts at 0). Then the true gradient shrinks as the
# network learns (from 2.20 to 0.53 in eight steps), while the forgotten one, carrying every past
# slope, stays above 3: by step 8 each update is about 6 times longer than the present slope asks,
# and in directions that slope no longer points to.

# %%
ratio = forgotten[-1] / zeroed[-1]
print(f"step {len(zeroed)}: the forgotten gradient is {ratio:.1f} times the true one")
assert zeroed[0] == forgotten[0] and (f"{zeroed[0]:.2f}", f"{zeroed[-1]:.2f}") == ("2.20", "0.53")
assert min(forgotten[1:]) > 3 and round(ratio) == 6

# %% [markdown]
# ## `fit`: the same loop, with a progress bar
#
# `fit` is the loop you wrote: it shuffles the points with `random.Random(seed)` at the start of
# each epoch, and for each mini-batch does the four steps (forward, `optimizer.zero_grad()`,
# `backward()`, `optimizer.step()`). `SGD(params, lr=0.1)` is step 4,
# $w \leftarrow w - \eta\,\partial C/\partial w$. Around the loop `fit` adds what you would add
# next: a progress bar, the loss and accuracy on the whole training set after every epoch (computed
# under `no_grad()`, which builds no graph), and a check that stops training, with a clear message,
# if the loss is ever NaN or infinite.
#
# From the same starting weights and the same seed, `fit` takes exactly the steps of your loop:

# %%
model = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=0)
plain_sgd = SGD(model.parameters(), lr=LR)
history = fit(model, X, y, loss=loss_of(model), optimizer=plain_sgd, epochs=EPOCHS, batch_size=BATCH, seed=0)
print(history)

# %%
assert history.batch_loss == hand_losses  # every step's loss, bit for bit
assert [w.data for w in model.parameters()] == [w.data for w in hand.parameters()]  # and every weight
print(f"fit and the loop by hand: the same {len(hand_losses)} steps and the same weights, bit for bit")

# %% [markdown]
# `history.loss` and `history.accuracy` hold the numbers after every epoch, `history.batch_loss` the
# loss of every step.
#
# ## Momentum
#
# Plain gradient descent forgets everything but the present slope. *Momentum* keeps a running sum,
# a velocity $v$, and moves along it:
#
# $$v \leftarrow \mu\, v + \frac{\partial C}{\partial w}, \qquad w \leftarrow w - \eta\, v$$
#
# With $\mu = 0.9$ each step keeps 90% of the last velocity: a gradient keeps pushing for about
# $1/(1-\mu) = 10$ steps, fading. Where the slope points the same way step after step, the
# pushes add up to a velocity of up to 10 times the gradient, so the weights move up to 10 times
# further than plain steps would; where mini-batches disagree, their pushes cancel. That is why it
# helps: faster along the directions all batches agree on, calmer across the ones they don't.
#
# The same training, from the same weights, with `momentum=0.9`:

# %%
fast = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=0)
momentum_sgd = SGD(fast.parameters(), lr=LR, momentum=0.9)
fast_history = fit(fast, X, y, loss=loss_of(fast), optimizer=momentum_sgd, epochs=EPOCHS, batch_size=BATCH, seed=0)
print(fast_history)
for epoch in (10, 20, EPOCHS):
    plain, with_momentum = history.accuracy[epoch - 1], fast_history.accuracy[epoch - 1]
    print(f"after epoch {epoch:>2}: accuracy {plain:.0%} without momentum, {with_momentum:.0%} with")
print(f"loss after epoch 3: {fast_history.loss[2]:.2f}; after epoch 4: {fast_history.loss[3]:.2f}")

# %% [markdown]
# Momentum gets there sooner, and to a lower loss. But look at epoch 4: the loss on all the points
# jumps from 0.26 to 0.65 before it falls again. The steps of epochs 3 and 4 show why. For each
# step: the size of the present gradient $\lVert \nabla C \rVert$, of the velocity $\lVert v \rVert$
# the weights actually move along, and the loss on all 100 points after the step:

# %%
assert f"{fast_history.loss[2]:.2f}" == "0.26" and f"{fast_history.loss[3]:.2f}" == "0.65"
assert history.accuracy[9] < fast_history.accuracy[9] and history.loss[-1] > fast_history.loss[-1]

again = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=0)
loss, optimizer = loss_of(again), SGD(again.parameters(), lr=LR, momentum=0.9)
rng, order, steps = random.Random(0), list(range(len(X))), []
for epoch in range(1, 5):  # the first four epochs of fast_history, step by step
    rng.shuffle(order)
    for start in range(0, len(X), BATCH):
        batch = order[start : start + BATCH]
        C = loss([again(X[i]) for i in batch], [y[i] for i in batch])
        optimizer.zero_grad()
        C.backward()
        optimizer.step()  # v ← 0.9 v + ∂C/∂w, then w ← w − η v
        gradient = math.sqrt(sum(w.grad**2 for w in again.parameters()))
        velocity = math.sqrt(sum(v**2 for v in optimizer.velocity))
        steps.append((epoch, C.data, gradient, velocity, loss([again(x) for x in X], y).data))
assert [C for _, C, *_ in steps] == fast_history.batch_loss[:20]  # the very steps fit took

print("epoch   ‖∇C‖   ‖v‖   ‖v‖/‖∇C‖   loss on all points after the step")
for epoch, _, gradient, velocity, after in steps[10:]:
    print(f"{epoch:>5}{gradient:>7.2f}{velocity:>6.2f}{velocity / gradient:>10.1f}{after:>12.2f}")

# %% [markdown]
# In the step where the loss jumps (from 0.38 to 0.70), the present gradient is small, 0.43: the slope
# says "almost there, small step". But the velocity is 1.99, 4.6 times the gradient: the pushes of
# the steps before carry the weights on, past the bottom of the valley and up its other side. Then
# the gradient turns round, the velocity with it, and the loss falls again. That is the price of
# momentum: a step as long as $\eta\,\lVert v\rVert$, several times $\eta\,\lVert\nabla C\rVert$, is
# too long where the slope changes quickly. Plain steps have bumps too (each mini-batch's gradient
# is only an estimate of the whole set's), but smaller ones: over the 50 epochs the loss after an
# epoch rises at most 0.13 above the epoch before without momentum, against 0.38 with it. A smaller
# $\eta$ with momentum is the usual remedy.

# %%
jump = max(range(1, len(steps)), key=lambda i: steps[i][4] - steps[i - 1][4])  # the step where the loss rose most
_, _, gradient, velocity, after = steps[jump]
before = steps[jump - 1][4]
assert (f"{before:.2f}", f"{after:.2f}", f"{gradient:.2f}", f"{velocity:.2f}") == ("0.38", "0.70", "0.43", "1.99")
assert f"{velocity / gradient:.1f}" == "4.6" and steps[jump][0] == 4


def largest_rise(losses: list[float]) -> float:
    """The most the loss after an epoch rose above the loss after the epoch before."""
    return max(after - before for before, after in itertools.pairwise(losses))


plain_rise, momentum_rise = largest_rise(history.loss), largest_rise(fast_history.loss)
print(
    f"largest rise of the loss from one epoch to the next: {plain_rise:.2f} without momentum, {momentum_rise:.2f} with"
)
assert (f"{plain_rise:.2f}", f"{momentum_rise:.2f}") == ("0.13", "0.38")

# %% [markdown]
# ## The loss curve
#
# The loss (left) and accuracy (right) after each epoch of the training with momentum.
# Mini-batches make the descent a little bumpy: each step follows the gradient of 20 points, not of
# all 100; the jump of epoch 4 is the overshoot above.

# %%
plot_loss(fast_history)

# %% [markdown]
# ## The decision boundary
#
# The prediction of the network trained with momentum at every point of a 100 × 100 grid
# (computed under `no_grad()`, which builds no graph), with the data on top.

# %%
plot_decision_boundary(fast, X, y, title="After training")

# %% [markdown]
# ## Saving and loading
#
# The trained model as JSON: its architecture, activations and weights, each weight with every digit
# of its float, so that loading gives back the same network, bit for bit.

# %%
with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "moons.json")
    fast.save(path)
    with open(path, encoding="utf-8") as f:
        print(f.read()[:200] + " ...")
    loaded = MLP.load(path)
assert [p.data for p in loaded.parameters()] == [p.data for p in fast.parameters()]
print(f"loaded: {loaded.sizes}, accuracy {accuracy(loaded, X, y):.0%}")
