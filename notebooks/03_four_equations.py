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
# **What you will learn:** how backpropagation in a network of many neurons comes down to four equations,
# BP1–BP4, and where each one comes from: the error $\delta$ of the last layer (BP1), how each layer's
# error follows from the next one's (BP2), and the gradients of the biases and weights (BP3, BP4). We derive
# BP1 and BP2 with the chain rule, you derive BP3 and BP4, and then we check all four against micrograd's
# graph, written as loops over neurons and as matrices. About 45 minutes. Before this: notebook 02 (one
# neuron, its error δ). Next: notebook 04 (training on a data set).
#
# Every number on this page is computed by micrograd.
#
# ## Notation
#
# Layers are numbered $l = 1, \dots, L$; layer 0 is the input, $a^0 = x$. Neuron $j$ of layer $l$ computes
#
# $$z^l_j = \sum_k w^l_{jk}\, a^{l-1}_k + b^l_j, \qquad a^l_j = \sigma(z^l_j),$$
#
# where $w^l_{jk}$ is the weight **to neuron $j$ of layer $l$ from neuron $k$ of layer $l - 1$**: the first
# index is the neuron the weight feeds, the second the neuron it reads. So $w^l$ is a matrix with one row per
# neuron of layer $l$ (row $j$ holds neuron $j$'s weights) and one column per neuron of layer $l - 1$, and
# the whole layer is $z^l = w^l a^{l-1} + b^l$. The cost of one example is $C = \tfrac{1}{2} \lVert a^L - y
# \rVert^2$.
#
# The **error** of neuron $j$ of layer $l$ is $\delta^l_j = \partial C / \partial z^l_j$. It is the quantity
# to compute because everything neuron $j$ owns, its bias and its weights, reaches the cost only through
# $z^l_j$: once we know $\delta^l_j$, their gradients are one multiplication away (BP3 and BP4).

# %%
import inspect
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
# Two inputs, a hidden layer of three sigmoid neurons, and two sigmoid outputs: $2 \to 3 \to 2$, so $L = 2$.
# Its weights come from a seeded random generator, so they are the same on every machine. In micrograd,
# `model.layers[l - 1].neurons[j].w[k]` is $w^l_{jk}$ (the list of layers starts at 0, the equations at 1).

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
print(f"a^L = [{out[0].data:.4f}, {out[1].data:.4f}],  y = {y},  C = {C.data:.4f}")

# %% [markdown]
# The graph of the cost has over forty values, too many to read in one drawing, so we draw the part the
# equations are about: one output neuron. `depth=2` stops two ops below its activation $a^2_0$; the dotted
# `sigmoid` ellipses stand for the hidden neurons, computed from values not drawn. Each neuron's
# $z = w \cdot a + b$ is one node (`w·a+b`; in the first layer, whose inputs are $x$, it reads `w·x+b`) and
# its activation one `sigmoid` node; after `backward()` every box holds its gradient
# $\partial C / \partial(\text{node})$. The gradient of a $z$ node is the $\delta$ of the equations: here
# $\delta^2_0$, and each $a^1_k$ holds the $\partial C / \partial a^1_k$ from which BP2 below makes
# $\delta^1_k$.

# %%
draw_dot(model.layers[1].a[0], depth=2)

# %% [markdown]
# ## BP1: the error of the last layer
#
# $C = \tfrac{1}{2} \sum_j (a^L_j - y_j)^2$ and $a^L_j = \sigma(z^L_j)$. Of all the outputs, only $a^L_j$
# depends on $z^L_j$, so the chain rule has a single term:
#
# $$\delta^L_j = \frac{\partial C}{\partial a^L_j}\,\frac{\partial a^L_j}{\partial z^L_j}
#   = (a^L_j - y_j)\,\sigma'(z^L_j).$$
#
# For the whole layer at once, with $\nabla_a C$ the vector of the $\partial C / \partial a^L_j$ and $\odot$
# the **Hadamard product** (multiply two vectors entry by entry: $(u \odot v)_j = u_j v_j$):
#
# $$\text{BP1:}\qquad \delta^L = \nabla_a C \odot \sigma'(z^L) = (a^L - y) \odot \sigma'(z^L).$$
#
# ## BP2: each layer's error from the next one's
#
# $z^l_k$ reaches the cost only through the next layer: $a^l_k = \sigma(z^l_k)$ is read by every neuron $j$
# of layer $l + 1$,
#
# $$z^{l+1}_j = \sum_k w^{l+1}_{jk}\, \sigma(z^l_k) + b^{l+1}_j, \qquad\text{so}\qquad
#   \frac{\partial z^{l+1}_j}{\partial z^l_k} = w^{l+1}_{jk}\, \sigma'(z^l_k).$$
#
# A change in $z^l_k$ moves every $z^{l+1}_j$, and the chain rule adds up all those paths (as the value
# used twice in notebook 01 added its two contributions):
#
# $$\delta^l_k = \sum_j \frac{\partial C}{\partial z^{l+1}_j}\,\frac{\partial z^{l+1}_j}{\partial z^l_k}
#   = \Big(\sum_j w^{l+1}_{jk}\, \delta^{l+1}_j\Big)\, \sigma'(z^l_k).$$
#
# The sum runs over $j$, the **first** index of $w^{l+1}_{jk}$: down column $k$ of the matrix $w^{l+1}$,
# which is row $k$ of its transpose. So the sum is entry $k$ of $(w^{l+1})^T \delta^{l+1}$:
#
# $$\text{BP2:}\qquad \delta^l = \big((w^{l+1})^T \delta^{l+1}\big) \odot \sigma'(z^l).$$
#
# Each hidden neuron collects the errors of the neurons it feeds, weighted by the weights between them:
# the error flows backward along the same weights the values flowed forward along.
#
# Both, by hand, on our network, with $\sigma'(z) = \sigma(z)(1 - \sigma(z)) = a(1 - a)$, against the
# `z.grad` that backward left:


# %%
def agree(graph: float, equation: float) -> bool:
    """Equal up to rounding: relative 1e-12 (or 1e-15 absolute, for numbers near 0)."""
    return abs(graph - equation) <= 1e-12 * abs(equation) + 1e-15


def vector(values) -> str:
    return "[" + ", ".join(f"{v:+.4f}" for v in values) + "]"


last, hidden = model.layers[1], model.layers[0]
delta_2 = [(a.data - y_j) * a.data * (1 - a.data) for a, y_j in zip(last.a, y)]  # BP1
delta_1 = [  # BP2: Σ_j w²_jk δ²_j, times σ'(z¹_k)
    sum(last.neurons[j].w[k].data * delta_2[j] for j in range(2)) * a.data * (1 - a.data)
    for k, a in enumerate(hidden.a)
]
for name, by_hand, z_nodes in [("δ² (BP1)", delta_2, last.z), ("δ¹ (BP2)", delta_1, hidden.z)]:
    print(f"{name}: by hand {vector(by_hand)}")
    print(f"{'z.grad':>8}  backward {vector(z.grad for z in z_nodes)}")
    assert all(agree(z.grad, d) for z, d in zip(z_nodes, by_hand))

# %% [markdown]
# ## BP3 and BP4: your turn
#
# Both follow from $z^l_j = \sum_k w^l_{jk}\, a^{l-1}_k + b^l_j$ and the fact that $b^l_j$ and $w^l_{jk}$
# reach the cost only through $z^l_j$, so $\partial C / \partial(\text{parameter}) = \delta^l_j \cdot
# \partial z^l_j / \partial(\text{parameter})$. Work them out before you open the answers.
#
# 1. What is $\partial z^l_j / \partial b^l_j$? So what is $\partial C / \partial b^l_j$?
# 2. What is $\partial z^l_j / \partial w^l_{jk}$ (only one term of the sum contains $w^l_{jk}$)? So what is
#    $\partial C / \partial w^l_{jk}$?
#
# <details><summary>Answers</summary>
#
# 1. $\partial z^l_j / \partial b^l_j = 1$, so **BP3**: $\partial C / \partial b^l_j = \delta^l_j$.
# 2. $\partial z^l_j / \partial w^l_{jk} = a^{l-1}_k$, so **BP4**: $\partial C / \partial w^l_{jk} =
#    a^{l-1}_k\, \delta^l_j$: the activation coming in times the error going out. For a whole layer,
#    the matrix $\partial C / \partial w^l = \delta^l (a^{l-1})^T$, one row per neuron $j$.
#
# </details>
#
# ## The four equations
#
# | | equation | in words |
# |---|---|---|
# | BP1 | $\delta^L = (a^L - y) \odot \sigma'(z^L)$ | the error of the last layer |
# | BP2 | $\delta^l = ((w^{l+1})^T \delta^{l+1}) \odot \sigma'(z^l)$ | each layer's error from the next one's |
# | BP3 | $\partial C / \partial b^l_j = \delta^l_j$ | the gradient of a bias |
# | BP4 | $\partial C / \partial w^l_{jk} = a^{l-1}_k\, \delta^l_j$ | the gradient of a weight |
#
# ## The equations as a program
#
# `micrograd.equations.backprop` is the four equations written in plain floats, lists indexed as the
# equations are (`w[l][j][k]` is $w^l_{jk}$). It never reads a `.grad`, so it is an oracle independent of
# the graph: a forward pass, then BP1, BP2 from the last layer down, BP3 and BP4.

# %%
display(Markdown(f"```python\n{inspect.getsource(backprop)}```"))

# %% [markdown]
# ## Side by side
#
# The graph's gradients (`backward()`) and the equations', layer by layer: the vectors $\delta^l$ (which are
# also $\partial C / \partial b^l$, BP3) and the rows of the matrix $\partial C / \partial w^l$ (BP4), one row
# per neuron. Each layer ends with the largest difference between the graph's numbers and the equations',
# over all of them (its $z$'s too).

# %%
bp = backprop(model, x, y)
rows = []  # (graph, equations) for every z, δ, ∂C/∂b and ∂C/∂w of the network
for l, layer in enumerate(model.layers, start=1):
    graph_delta = [z.grad for z in layer.z]
    graph_db = [neuron.b.grad for neuron in layer.neurons]
    pairs = list(zip([z.data for z in layer.z], bp.z[l])) + list(zip(graph_delta, bp.delta[l]))
    pairs += list(zip(graph_db, bp.dC_db[l]))
    print(f"layer {l}:  δ^{l} = ∂C/∂b^{l} = {vector(bp.delta[l])}")
    for j, neuron in enumerate(layer.neurons):
        graph_dw = [w.grad for w in neuron.w]
        pairs += list(zip(graph_dw, bp.dC_dw[l][j]))
        print(f"          ∂C/∂w^{l} row {j} = {vector(bp.dC_dw[l][j])}")
    print(f"          max |graph − equations| = {max(abs(g - e) for g, e in pairs):.1e}")
    rows += pairs
assert all(agree(graph, equation) for graph, equation in rows)
print(f"all {len(rows)} numbers agree")

# %% [markdown]
# One of them with every digit Python prints, to see that "agree" means the same float: the weight
# $w^1_{21}$, to hidden neuron 2 from input 1, whose gradient needs all of BP1, BP2 and BP4,
# $\partial C / \partial w^1_{21} = a^0_1\, \delta^1_2 = x_1\, \delta^1_2$:

# %%
w_121 = model.layers[0].neurons[2].w[1]
for source, number in [
    (f"{w_121.label}.grad (backward)", w_121.grad),
    ("equations: a^0_1 δ^1_2", bp.dC_dw[1][2][1]),
    ("by hand above: x_1 · δ^1_2", x[1] * delta_1[2]),
]:
    print(f"{source:<28} = {number!r}")
assert agree(w_121.grad, bp.dC_dw[1][2][1]) and agree(w_121.grad, x[1] * delta_1[2])

# %% [markdown]
# ## The same in matrix form
#
# BP1, BP2 and BP4 are matrix operations: a matrix times a vector, a transpose, a Hadamard product, an outer
# product. Written with small helpers over plain lists (a matrix is a list of rows):


# %%
def transpose(m):
    return [list(column) for column in zip(*m)]


def matvec(m, v):
    return [sum(m_jk * v_k for m_jk, v_k in zip(row, v)) for row in m]


def hadamard(u, v):
    return [u_j * v_j for u_j, v_j in zip(u, v)]


def outer(u, v):
    return [[u_j * v_k for v_k in v] for u_j in u]


w2 = [[w.data for w in neuron.w] for neuron in last.neurons]  # w², 2 rows × 3 columns
a1, a2 = [a.data for a in hidden.a], [a.data for a in last.a]
sigma_prime_1 = [a * (1 - a) for a in a1]
sigma_prime_2 = [a * (1 - a) for a in a2]

d2 = hadamard([a - y_j for a, y_j in zip(a2, y)], sigma_prime_2)  # BP1: δ² = ∇_a C ⊙ σ'(z²)
d1 = hadamard(matvec(transpose(w2), d2), sigma_prime_1)  # BP2: δ¹ = ((w²)ᵀ δ²) ⊙ σ'(z¹)
dw2 = outer(d2, a1)  # BP4: ∂C/∂w² = δ² (a¹)ᵀ
print(f"δ² = {vector(d2)}\nδ¹ = {vector(d1)}")
print("∂C/∂w² =", " ".join(vector(row) for row in dw2))
assert all(agree(g, e) for g, e in zip(d1 + d2, bp.delta[1] + bp.delta[2]))
assert all(agree(g, e) for row, bp_row in zip(dw2, bp.dC_dw[2]) for g, e in zip(row, bp_row))

# %% [markdown]
# With numpy, where it is installed, the helpers are its operators: `*` is the Hadamard product of two
# arrays, `@` the matrix product, `.T` the transpose, `np.outer` the outer product. (The browser lab has no
# numpy; there the cell says so, and the list version above is the same computation.)

# %%
try:
    import numpy as np
except ImportError:
    np = None
    print("numpy is not available here: the list version above is the matrix form")
if np is not None:
    W2, A1, A2, Y = np.array(w2), np.array(a1), np.array(a2), np.array(y)
    D2 = (A2 - Y) * (A2 * (1 - A2))  # BP1
    D1 = (W2.T @ D2) * (A1 * (1 - A1))  # BP2
    DW2 = np.outer(D2, A1)  # BP4
    print(f"δ² = {vector(D2)}\nδ¹ = {vector(D1)}")
    print("∂C/∂w² =", " ".join(vector(row) for row in DW2))
    assert np.allclose(D1, bp.delta[1], rtol=1e-12, atol=1e-15) and np.allclose(DW2, bp.dC_dw[2], rtol=1e-12)

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
print(f"C before the step = {C_before.data:.4f}, after = {C_after.data:.4f}")
assert C_after.data < C_before.data
