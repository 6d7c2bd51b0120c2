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
# # Two lenses on one network
#
# The textbook draws a network as layers of neurons and writes backpropagation as four equations over
# layers: $\delta^l$, $\partial C / \partial w^l_{jk} = a^{l-1}_k \delta^l_j$, and the update
# $w \to w - \frac{\eta}{m} \sum_x \partial C_x / \partial w$. micrograd computes the same numbers on a
# graph of scalars. This notebook shows one network through both lenses, with the numbers read from the
# same graph, follows one step of SGD from the per-example gradients to the new weights, and then reads
# what the equations imply: when a network learns slowly, how `diagnose()` names the cause, and the fix.
# About 45 minutes.
#
# Before this: 03, the four equations (BP1–BP4), and 07. Next: 09, reading digits.

# %%
from IPython.display import display

from micrograd import MLP, Value
from micrograd.equations import backprop
from micrograd.lab.ledger import explain_update
from micrograd.lab.live import LiveView
from micrograd.lab.network_view import draw_network, weight_name
from micrograd.training.data import make_moons
from micrograd.training.diagnose import diagnose
from micrograd.training.losses import binary_cross_entropy, hinge_loss, quadratic_cost
from micrograd.training.optim import SGD
from micrograd.training.train import fit

# %% [markdown]
# ## The layer picture
#
# A 2-3-1 network of tanh neurons with a linear output, one example $x$ and its target $y$, and the
# quadratic cost $C = \tfrac12 (a^2_0 - y)^2$. Each circle is a neuron with its bias $b$, its weighted
# input $z$, its activation $a$ and its error $\delta = \partial C / \partial z$; each line is a weight,
# blue for $w > 0$ and orange for $w < 0$, as wide as $|w|$. With `show_weight_grads=True` every line
# also carries its name, its value and its $\partial C / \partial w$: $w^l_{jk}$, written w¹₂₀ on the
# picture, is the weight *into* neuron $j$ of layer $l$ *from* neuron $k$ of layer $l - 1$ (the Value
# labelled `w[1][2][0]` in the graph).
#
# The cost is written out here, one node at a time, so that each node of its graph has the name the text
# gives it; `quadratic_cost`, which training uses, computes the same $C$ for a batch (its graph adds the
# batch's sum, which starts from a leaf 0, and the division by $m$).


# %%
def cost_of_one(outputs, targets):
    """C = ½(a − y)² for one example with one output, each node named as in the text."""
    (a,), (y,) = outputs, targets
    error = a - Value(y, label="y")
    error.label = "a − y"
    square = error**2
    square.label = "(a − y)²"
    C = Value(0.5, label="½") * square
    C.label = "C"
    return C


model = MLP(2, [3, 1], activation="tanh", seed=1)
x, y = [0.5, -1.0], 1.0
view = draw_network(model, x, y, loss=cost_of_one, show_weight_grads=True, highlight=(1, 2))
assert view.cost == quadratic_cost([model(x)], [y]).data
display(view)

# %% [markdown]
# The numbers are the graph's own (`z.grad` is δ, `w.grad` is ∂C/∂w), and the four equations, computed
# in plain floats by `micrograd.equations`, give the same ones:

# %%
oracle = backprop(model, x, [y])
for name, l, j in [("δ²₀", 2, 0), ("δ¹₀", 1, 0), ("δ¹₂", 1, 2)]:
    print(f"{name}: graph {view.delta[l][j]:+.6f}   BP1/BP2 {oracle.delta[l][j]:+.6f}")
    assert abs(view.delta[l][j] - oracle.delta[l][j]) < 1e-12
print(f"∂C/∂{weight_name(1, 2, 1)}: graph {view.dC_dw[1][2][1]:+.6f}   BP4 {oracle.dC_dw[1][2][1]:+.6f}")
assert abs(view.dC_dw[1][2][1] - oracle.dC_dw[1][2][1]) < 1e-12

# %% [markdown]
# ## The scalar graph
#
# The highlighted neuron, $a^1_2$, is a handful of nodes in micrograd's graph: its weights and bias, the
# node $z = w \cdot a + b$ and the node $a = \tanh(z)$. Here is its part of the graph, with the same
# grads as the circle above:

# %%
view.neuron(1, 2)

# %% [markdown]
# and here is where it sits in the whole graph of the cost, which backward() walks from the right:
# from $C$ through $(a - y)^2$ and $a - y$ to the output $z^2_0$ (a linear output: $a^2_0 = z^2_0$),
# then into the three neurons of layer 1 and their weights.

# %%
view.neuron(1, 2, whole=True)

# %% [markdown]
# ## One SGD step, seen as a ledger
#
# A mini-batch of $m = 4$ examples, and one step with $\eta = 0.1$. The loss is the batch's mean,
# $C = \frac1m \sum_x C_x$, so `backward()` leaves $\frac1m \sum_x \partial C_x/\partial w$ in `w.grad`,
# and SGD's step $w \to w - \eta \cdot$ `w.grad` is the textbook's
# $w \to w - \frac{\eta}{m} \sum_x \partial C_x/\partial w$.
# The ledger writes it out for a few weights: each example's gradient, their sum, the factor $\eta/m$, and
# the new weight. The first example is the one drawn above, so the column $\partial C_1/\partial w$ is
# exactly the ∂C/∂w written on those lines of the picture (`w[1][2][1]` is w¹₂₁, `b[1][2]` the bias of
# $a^1_2$):

# %%
X = [[0.5, -1.0], [1.0, 0.3], [-0.4, 0.8], [0.1, 0.1]]
Y = [1.0, -1.0, 0.5, 0.0]
shown = ["w[1][0][0]", "w[1][2][1]", "b[1][2]", "w[2][0][1]"]
ledger = explain_update(model, X, Y, 0.1, params=shown)
display(ledger)
drawn = {"w[1][0][0]": view.dC_dw[1][0][0], "w[1][2][1]": view.dC_dw[1][2][1], "b[1][2]": view.dC_db[1][2],
         "w[2][0][1]": view.dC_dw[2][0][1]}  # fmt: skip
assert (X[0], Y[0]) == (x, y) and all(row.per_example[0] == drawn[row.name] for row in ledger.rows)

# %% [markdown]
# The same step, taken by the optimizer on a copy of the model: the new weights agree bit for bit.

# %%
twin = MLP.from_state_dict(model.state_dict())
cost = quadratic_cost([twin(x) for x in X], Y)
twin.zero_grad()
cost.backward()
SGD(twin, lr=0.1).step()
new = {p.label: p.data for p in twin.parameters()}
for row in ledger.rows:
    same = row.new == new[row.name]
    print(f"{row.name:>11}: ledger {row.new:+.6f}   SGD {new[row.name]:+.6f}   the same to the last bit: {same}")
assert all(row.new == new[row.name] for row in ledger.rows)

# %% [markdown]
# ## A summed loss: the learning rate hides a factor m
#
# With the sum $C = \sum_x C_x$ instead of the mean, `w.grad` is $\sum_x \partial C_x/\partial w$ itself and
# the same $\eta$ takes a step $m$ times longer: the effective learning rate of the mean would be
# $m \eta$.

# %%
explain_update(model, X, Y, 0.1, reduction="sum", params=shown)

# %% [markdown]
# ## What the equations imply
#
# BP1 and BP4 say more than how to compute a gradient: they say when a network learns slowly.
#
# - BP1, $\delta^L_j = \frac{\partial C}{\partial a^L_j}\,\sigma'(z^L_j)$: an output neuron whose σ is
#   *saturated*, a sigmoid near 0 or 1 where $\sigma'(z) \approx 0$, has $\delta^L \approx 0$ however
#   wrong its output is; and since BP2, BP3 and BP4 all start from $\delta^L$, every gradient that
#   flows back through it is small (with one output, every gradient of the network): **a saturated
#   output neuron learns slowly**.
# - BP4, $\partial C/\partial w^l_{jk} = a^{l-1}_k \delta^l_j$: a weight out of a neuron whose activation
#   $a^{l-1}_k$ is near 0 gets a gradient near 0: **weights out of low-activation neurons learn slowly**.
#
# The second is already in the picture at the top: of the three neurons of layer 1, $a^1_2$ has the
# activation nearest 0, and the weight out of it, w²₀₂, has the smallest gradient of the three into the
# output.

# %%
for k in range(3):
    a_k = f"a¹{'₀₁₂'[k]}"
    print(f"{a_k} = {view.a[1][k]:+.4f}   ∂C/∂{weight_name(2, 0, k)} = {a_k}·δ²₀ = {view.dC_dw[2][0][k]:+.4f}")
    assert abs(view.dC_dw[2][0][k] - view.a[1][k] * view.delta[2][0]) < 1e-15
slowest = min(range(3), key=lambda k: abs(view.dC_dw[2][0][k]))
assert slowest == 2 == min(range(3), key=lambda k: abs(view.a[1][k]))

# %% [markdown]
# ### A network stuck on a saturated output
#
# Two moons of 40 points with labels 0 and 1, and a 2-4-1 network with tanh neurons and a sigmoid output
# $a^2_0$, the probability of label 1, trained with the quadratic cost. It starts badly: the output's bias
# is 6 (as too large initial weights would do), so $a^2_0 \approx 1$ for every input, right for half the
# points and wrong for the other half. For a point of label 0:

# %%
points, labels = make_moons(40, noise=0.1, seed=0)
labels = [float(t) for t in labels]
zero = labels.index(0.0)


def saturated_start():
    net = MLP(2, [4, 1], activation="tanh", output_activation="sigmoid", seed=0)
    net.layers[-1].neurons[0].b.data = 6.0
    return net


stuck = saturated_start()
seen = draw_network(stuck, points[zero], 0.0)
a, delta = seen.a[2][0], seen.delta[2][0]
largest = max(abs(g) for layer in seen.dC_dw[1:] for n in layer for g in n)
print(f"a²₀ = {a:.4f}, so a − y = {a:.4f}; σ′(z) = a(1 − a) = {a * (1 - a):.4f}")
print(f"δ²₀ = (a − y)·σ′(z) = {delta:.4f}, and the largest |∂C/∂w| of the whole network: {largest:.1g}")
assert f"{a:.4f} {a * (1 - a):.4f} {delta:.4f} {largest:.1g}" == "0.9972 0.0028 0.0028 0.002"
assert f"{1 - delta / a:.1%}" == "99.7%"  # of the error a − y, what σ′ takes away

# %% [markdown]
# The output is wrong by almost 1, yet δ²₀ is 0.0028: σ′ has taken away 99.7% of the error, and no
# weight's gradient in the network is larger than about 0.002. `diagnose()` looks for this (and for
# dead, identical or NaN neurons, and vanishing or exploding gradients) and names the neuron:

# %%
found = diagnose(stuck, points, labels)
display(found)
assert found.kinds() == ["saturated"] and found[0].where == ["a[2][0]"]

# %% [markdown]
# Training confirms it: 100 epochs of gradient descent with the quadratic cost barely move the loss, and
# the network still calls every point 1.

# %%
slow = fit(stuck, points, labels, loss=quadratic_cost, optimizer=SGD(stuck, lr=0.5), epochs=100, verbose=False)
print(f"quadratic cost: loss {slow.loss[0]:.4f} → {slow.loss[-1]:.4f}", end=", ")
print(f"accuracy {slow.accuracy[0]:.0%} → {slow.accuracy[-1]:.0%}")
assert f"{slow.loss[0]:.4f} {slow.loss[-1]:.4f}" == "0.2486 0.2483" and slow.accuracy[-1] == 0.5
assert all(stuck(p).data > 0.5 for p in points) and labels.count(1.0) == 20  # every point called 1: half right

# %% [markdown]
# **The fix: a cost whose gradient cancels σ′.** The cross-entropy cost
# $C = -[y \ln a + (1 - y) \ln(1 - a)]$ has $\partial C/\partial a = \frac{a - y}{a(1 - a)}$, and for a
# sigmoid $\sigma'(z) = a(1 - a)$, so BP1 gives $\delta^L = a - y$: no σ′ left, and the more wrong the
# output, the larger δ. The same example, from the same bad start:

# %%
fresh = saturated_start()
seen = draw_network(fresh, points[zero], 0.0, loss=binary_cross_entropy)
print(f"with the cross-entropy cost, δ²₀ = {seen.delta[2][0]:.4f} = a − y")
assert abs(seen.delta[2][0] - (seen.a[2][0] - 0.0)) < 1e-12
fast = fit(fresh, points, labels, loss=binary_cross_entropy, optimizer=SGD(fresh, lr=0.5), epochs=100, verbose=False)
after = quadratic_cost([fresh(p) for p in points], labels).data
print(f"cross-entropy: accuracy {fast.accuracy[0]:.0%} → {fast.accuracy[-1]:.1%}, quadratic cost now {after:.4f}")
display(diagnose(fresh, points, labels))
assert f"{fast.accuracy[-1]:.1%} {after:.4f}" == "82.5% 0.0558" and len(diagnose(fresh, points, labels)) == 0

# %% [markdown]
# The other way out is the one `diagnose()` suggests: do not start saturated. With the output's bias at 0,
# as `MLP` starts every bias, the quadratic cost learns too: its loss falls by almost half in the same
# 100 epochs, where the saturated start moved it in the fourth digit.

# %%
calm = MLP(2, [4, 1], activation="tanh", output_activation="sigmoid", seed=0)
assert calm.layers[-1].neurons[0].b.data == 0.0
steady = fit(calm, points, labels, loss=quadratic_cost, optimizer=SGD(calm, lr=0.5), epochs=100, verbose=False)
print(f"output bias 0 at the start, quadratic cost: loss {steady.loss[0]:.4f} → {steady.loss[-1]:.4f}", end=", ")
print(f"accuracy {steady.accuracy[0]:.1%} → {steady.accuracy[-1]:.1%}")
assert 0.5 < steady.loss[-1] / steady.loss[0] < 0.56 and steady.accuracy[-1] > steady.accuracy[0]  # almost halved

# %% [markdown]
# ### A dead neuron: an activation of exactly 0
#
# The extreme of a low activation is 0 on every example: a relu neuron whose z is negative for every input.
# By BP4 the weight out of it gets ∂C/∂w = 0 · δ = 0; and since relu′(z) = 0 there, its δ is 0 too (BP2),
# so by BP3 and BP4 its own bias and weights get 0 as well. Here neuron 1 of layer 1 starts with a bias
# of −3, which keeps its $z = w \cdot x + b$ below 0 on every point of the data:

# %%
dead = MLP(2, [4, 1], activation="relu", output_activation="sigmoid", seed=0)
dead.layers[0].neurons[1].b.data = -3.0
found = diagnose(dead, points, labels)
display(found)
assert found.kinds() == ["dead relu"] and found[0].where == ["a[1][1]"]
seen = draw_network(dead, points[0], labels[0], loss=binary_cross_entropy)
into, out_of = seen.dC_dw[1][1], seen.dC_dw[2][0][1]
largest = max(abs(g) for g in [*into, out_of])
print(f"on one example: a¹₁ = {seen.a[1][1]:g}, δ¹₁ = {seen.delta[1][1]:g}, largest |∂C/∂w| in or out: {largest:g}")
assert seen.a[1][1] == seen.delta[1][1] == out_of == 0.0 and into == [0.0, 0.0]
frozen = [*dead.layers[0].neurons[1].parameters(), dead.layers[1].neurons[0].w[1]]  # into it, and out of it
before = [p.data for p in frozen]
fit(dead, points, labels, loss=binary_cross_entropy, optimizer=SGD(dead, lr=0.5), epochs=100, verbose=False)
print("after 100 epochs, its weights, bias and the weight out of it are unchanged:", [p.data for p in frozen] == before)
assert [p.data for p in frozen] == before

# %% [markdown]
# `diagnose()` suggests the fixes: a less negative bias at the start, or `leaky_relu`, whose slope is never 0,
# so that a neuron below 0 still passes on a little gradient and can come back:

# %%
alive = MLP(2, [4, 1], activation="leaky_relu", output_activation="sigmoid", seed=0)
alive.layers[0].neurons[1].b.data = -3.0
moving = [*alive.layers[0].neurons[1].parameters(), alive.layers[1].neurons[0].w[1]]
before = [p.data for p in moving]
fit(alive, points, labels, loss=binary_cross_entropy, optimizer=SGD(alive, lr=0.5), epochs=100, verbose=False)
changes = [abs(p.data - b) for p, b in zip(moving, before)]
print("with leaky_relu, how far each of them moved:", ", ".join(f"{c:.3g}" for c in changes))
assert all(c > 0 for c in changes) and len(diagnose(alive, points, labels)) == 0

# %% [markdown]
# ## Watching a network learn
#
# `fit(..., view=LiveView())` redraws one picture after the epochs: the loss, the accuracy and the decision
# boundary over the data, as TensorFlow Playground shows them. It redraws only as often as keeps its cost
# small, and stopping the cell ends training once the step it is in is taken, with the model after that
# step and the History up to it. Outside Jupyter the view shows nothing, and fit keeps its progress bar.

# %%
points, labels = make_moons(60, noise=0.1, seed=0)
signs = [2 * t - 1 for t in labels]
learner = MLP(2, [8, 8, 1], seed=0)
history = fit(learner, points, signs, loss=hinge_loss, optimizer=SGD(learner, lr=0.1, momentum=0.9), epochs=40,
              batch_size=20, view=LiveView())  # fmt: skip
print(history)
