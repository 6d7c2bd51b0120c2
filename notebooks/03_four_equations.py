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
# # The four equations
#
# A network of sigmoid neurons, the quadratic cost, and the four equations of backpropagation.
# We compute every derivative twice: once with micrograd's graph (`backward()`), once with the
# equations written out in plain floats (`micrograd.equations`, which never looks at a `.grad`),
# and put the two side by side.
#
# For layers $l = 1, \dots, L$ (layer 0 is the input $x$):
#
# $$z^l = w^l a^{l-1} + b^l, \qquad a^l = \sigma(z^l), \qquad C = \tfrac{1}{2}\lVert a^L - y \rVert^2$$
#
# and the error of neuron $j$ of layer $l$ is $\delta^l_j = \partial C / \partial z^l_j$. Then
#
# | | equation | in words |
# |---|---|---|
# | BP1 | $\delta^L = (a^L - y) \odot \sigma'(z^L)$ | the error of the last layer |
# | BP2 | $\delta^l = ((w^{l+1})^T \delta^{l+1}) \odot \sigma'(z^l)$ | each layer's error from the next one's |
# | BP3 | $\partial C / \partial b^l_j = \delta^l_j$ | the gradient of a bias |
# | BP4 | $\partial C / \partial w^l_{jk} = a^{l-1}_k\, \delta^l_j$ | the gradient of a weight |
#
# Every number on this page is computed by micrograd.

# %%
import math

from IPython.display import Markdown, display

from micrograd import MLP
from micrograd.equations import backprop, backprop_batch
from micrograd.lab.viz import draw_dot
from micrograd.training.losses import quadratic_cost
from micrograd.training.optim import SGD

# %% [markdown]
# ## The network
#
# Two inputs, a hidden layer of three sigmoid neurons, and two sigmoid outputs: $2 \to 3 \to 2$.
# Its weights come from a seeded random generator, so they are the same on every machine.

# %%
model = MLP(2, [3, 2], activation="sigmoid", output_activation="sigmoid", seed=2)
x = [0.8, -0.4]
y = [1.0, 0.0]
print(model)

# %% [markdown]
# ## Forward, the cost, and backward

# %%
out = model(x)
C = quadratic_cost([out], [y])  # a batch of one example: C = ½‖a − y‖²
model.zero_grad()
C.backward()
print(f"a^L = [{out[0].data:.6f}, {out[1].data:.6f}],  y = {y},  C = {C.data:.6f}")

# %% [markdown]
# The graph of the cost has over forty values, too many to read in one drawing, so we draw the part the
# equations are about: one output neuron. `depth=2` stops two ops below its activation $a^2_0$; the dotted
# `sigmoid` ellipses stand for the hidden neurons, computed from values not drawn. Each neuron's
# $z = w \cdot a + b$ is one node (`w·a+b`) and its activation one `sigmoid` node; after `backward()` every
# box holds its gradient $\partial C / \partial(\text{node})$. The gradient of a $z$ node is the $\delta$
# of the equations: here $\delta^2_0$, and each $a^1_k$ holds the $\partial C / \partial a^1_k$ from which
# BP2 makes $\delta^1_k$.

# %%
draw_dot(model.layers[1].a[0], depth=2)

# %% [markdown]
# ## The equations, in plain floats

# %%
bp = backprop(model, x, y)
L = len(model.layers)
print(f"C from the equations: {bp.C:.6f}")
for l in range(1, L + 1):
    print(f"δ^{l} = {[round(d, 6) for d in bp.delta[l]]}")

# %% [markdown]
# ## Side by side
#
# For every neuron: $z$ and $\delta$, then $\partial C / \partial b$ and each $\partial C / \partial w$,
# from the graph and from the equations. The last column is the difference.


# %%
def agree(graph: float, equation: float) -> bool:
    """Equal up to rounding: relative 1e-12 (or 1e-15 absolute, for numbers near 0)."""
    return abs(graph - equation) <= 1e-12 * abs(equation) + 1e-15


rows = []
for l, layer in enumerate(model.layers, start=1):
    for j, (neuron, z) in enumerate(zip(layer.neurons, layer.z)):
        rows.append((f"z[{l}][{j}]", "z", z.data, bp.z[l][j]))
        rows.append((f"z[{l}][{j}]", "δ = ∂C/∂z", z.grad, bp.delta[l][j]))
        rows.append((f"b[{l}][{j}]", "∂C/∂b (BP3)", neuron.b.grad, bp.dC_db[l][j]))
        for k, w in enumerate(neuron.w):
            rows.append((f"w[{l}][{j}][{k}]", "∂C/∂w (BP4)", w.grad, bp.dC_dw[l][j][k]))

table = ["| node | quantity | graph (backward) | equations (BP1–BP4) | difference |", "|---|---|---:|---:|---:|"]
for name, what, graph, equation in rows:
    table.append(f"| `{name}` | {what} | {graph:+.12f} | {equation:+.12f} | {graph - equation:.1e} |")
display(Markdown("\n".join(table)))

assert all(agree(graph, equation) for _, _, graph, equation in rows)
print(f"all {len(rows)} numbers agree")

# %% [markdown]
# ## BP1 and BP2 by hand
#
# The last layer's error from BP1, with $\sigma'(z) = \sigma(z)(1 - \sigma(z)) = a(1 - a)$, and the
# hidden layer's from BP2: each hidden neuron collects the errors of the neurons it feeds, weighted
# by the weights between them.

# %%
last, hidden = model.layers[1], model.layers[0]
delta_L = [(a.data - y_j) * a.data * (1 - a.data) for a, y_j in zip(last.a, y)]
delta_1 = [
    sum(last.neurons[j].w[k].data * delta_L[j] for j in range(2)) * a.data * (1 - a.data)
    for k, a in enumerate(hidden.a)
]
for name, by_hand, z_nodes in [("δ^2 (BP1)", delta_L, last.z), ("δ^1 (BP2)", delta_1, hidden.z)]:
    print(f"{name}: by hand {[f'{d:+.8f}' for d in by_hand]}")
    print(f"{' ' * len(name)}  z.grad  {[f'{z.grad:+.8f}' for z in z_nodes]}")
    assert all(agree(z.grad, d) for z, d in zip(z_nodes, by_hand))

# %% [markdown]
# ## A mini-batch and one step of gradient descent
#
# Over a mini-batch of $m$ examples the cost is the average $C = \frac{1}{m} \sum_x C_x$, so its
# gradient is the average of the examples' gradients, and gradient descent with learning rate $\eta$ is
#
# $$w \rightarrow w - \frac{\eta}{m} \sum_x \frac{\partial C_x}{\partial w}, \qquad
#   b \rightarrow b - \frac{\eta}{m} \sum_x \frac{\partial C_x}{\partial b}.$$
#
# `quadratic_cost` is that average, so after `backward()` each `.grad` already holds
# $\frac{1}{m} \sum_x \partial C_x / \partial w$, and `SGD(lr=η).step()` is exactly this update.

# %%
xs = [[0.8, -0.4], [-1.2, 0.5], [0.3, 0.9], [1.5, 1.1]]
ys = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]]
eta = 2.0

batch = backprop_batch(model, xs, ys)  # (1/m) Σ_x ∂C_x/∂w, from the equations
expected = [
    w.data - eta * batch.dC_dw[l][j][k]
    for l, layer in enumerate(model.layers, start=1)
    for j, neuron in enumerate(layer.neurons)
    for k, w in enumerate(neuron.w)
]

optimizer = SGD(model.parameters(), lr=eta)
C_before = quadratic_cost([model(x) for x in xs], ys)
optimizer.zero_grad()
C_before.backward()
optimizer.step()

after = [w.data for layer in model.layers for neuron in layer.neurons for w in neuron.w]
assert all(math.isclose(a, e, rel_tol=1e-12, abs_tol=1e-15) for a, e in zip(after, expected))
C_after = quadratic_cost([model(x) for x in xs], ys)
print(f"the {len(after)} weights after the step agree with w − (η/m) Σ_x ∂C_x/∂w")
print(f"C before the step = {C_before.data:.6f}, after = {C_after.data:.6f}")
assert C_after.data < C_before.data
