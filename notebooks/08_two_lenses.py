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
# same graph, and follows one step of SGD from the per-example gradients to the new weights.

# %%
from IPython.display import display

from micrograd import MLP
from micrograd.equations import backprop
from micrograd.lab.ledger import explain_update
from micrograd.lab.live import LiveView
from micrograd.lab.network_view import draw_network
from micrograd.training.data import make_moons
from micrograd.training.losses import hinge_loss, quadratic_cost
from micrograd.training.optim import SGD
from micrograd.training.train import fit

# %% [markdown]
# ## The layer picture
#
# A 2-3-1 network of tanh neurons with a linear output, one example $x$ and its target $y$, and the
# quadratic cost $C = \tfrac12 (a^2_0 - y)^2$. Each circle is a neuron with its bias $b$, its weighted
# input $z$, its activation $a$ and its error $\delta = \partial C / \partial z$; each line is a weight,
# blue for $w > 0$ and orange for $w < 0$, as wide as $|w|$. With `show_weight_grads=True` every line
# also carries its $\partial C / \partial w$.

# %%
model = MLP(2, [3, 1], activation="tanh", seed=1)
x, y = [0.5, -1.0], 1.0
view = draw_network(model, x, y, show_weight_grads=True, highlight=(1, 2))
display(view)

# %% [markdown]
# The numbers are the graph's own (`z.grad` is δ, `w.grad` is ∂C/∂w), and the four equations, computed
# in plain floats by `micrograd.equations`, give the same ones:

# %%
oracle = backprop(model, x, [y])
for l, j in [(2, 0), (1, 0), (1, 2)]:
    print(f"δ^{l}_{j}: graph {view.delta[l][j]:+.12f}   BP1/BP2 {oracle.delta[l][j]:+.12f}")
print(f"∂C/∂w^1_21: graph {view.dC_dw[1][2][1]:+.12f}   BP4 {oracle.dC_dw[1][2][1]:+.12f}")

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
# the new weight.

# %%
X = [[0.5, -1.0], [1.0, 0.3], [-0.4, 0.8], [0.1, 0.1]]
Y = [1.0, -1.0, 0.5, 0.0]
shown = ["w[1][0][0]", "w[1][2][1]", "b[1][2]", "w[2][0][1]"]
ledger = explain_update(model, X, Y, 0.1, params=shown)
display(ledger)

# %% [markdown]
# The same step, taken by the optimizer on a copy of the model: the new weights agree bit for bit.

# %%
twin = MLP.from_state_dict(model.state_dict())
cost = quadratic_cost([twin(x) for x in X], Y)
twin.zero_grad()
cost.backward()
SGD(twin, lr=0.1).step()
new = dict(zip([p.label for p in twin.parameters()], [p.data for p in twin.parameters()]))
for row in ledger.rows:
    print(f"{row.name:>11}: ledger {row.new!r:>22}   SGD {new[row.name]!r:>22}   same: {row.new == new[row.name]}")

# %% [markdown]
# ## A summed loss: the learning rate hides a factor m
#
# With the sum $C = \sum_x C_x$ instead of the mean, `w.grad` is $\sum_x \partial C_x/\partial w$ itself and
# the same $\eta$ takes a step $m$ times longer: the effective learning rate of the mean would be
# $m \eta$.

# %%
explain_update(model, X, Y, 0.1, reduction="sum", params=shown)

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
