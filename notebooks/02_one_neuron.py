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
# # One neuron with σ
#
# **What you will learn:** how a single sigmoid neuron is a graph like the one of notebook 01, what the
# error $\delta = \partial C / \partial z$ of a neuron is and why backpropagation computes it first, how the
# weights' gradients follow from it, and how one step of gradient descent, repeated, makes the cost fall.
# About 30 minutes. Before this: notebook 01 (the chain rule) and notebook 11 (build micrograd yourself).
#
# Every number on this page is computed by micrograd's engine, and each one we can also work out by hand
# is checked against the hand computation.

# %%
import itertools
import math

from IPython.display import display

from micrograd import MLP
from micrograd.equations import backprop
from micrograd.lab.trace import trace_backward
from micrograd.lab.viz import draw_dot

# %% [markdown]
# ## The neuron
#
# Two inputs $x_0, x_1$, two weights $w_0, w_1$, a bias $b$:
#
# $$z = w_0 x_0 + w_1 x_1 + b, \qquad a = \sigma(z) = \frac{1}{1 + e^{-z}}$$
#
# We want the output $a$ to be $y = 1$ for the input $x = (0.5, -1)$, and measure how far it is
# with the quadratic cost
#
# $$C = \tfrac{1}{2}(a - y)^2.$$
#
# `MLP(2, [1])` is a network of one layer of one neuron; its weights are drawn from a seeded
# generator, so they are the same on every machine. Its labels follow the equations: `w[1][0][k]`
# is the weight from input $k$ to neuron 0 of layer 1, `x[k]` is input $k$, and `z[1][0]`, `a[1][0]`
# are the neuron's $z$ and $a$.

# %%
neuron = MLP(2, [1], output_activation="sigmoid", seed=3)
x, y = [0.5, -1.0], 1.0
a = neuron(x)
w0, w1 = neuron.layers[0].neurons[0].w
bias = neuron.layers[0].neurons[0].b
z = neuron.layers[0].z[0]
C = 0.5 * (a.data - y) ** 2
print(f"w0 = {w0.data:.4f}, w1 = {w1.data:.4f}, b = {bias.data:.4f}")
print(f"z = {z.data:.4f}, a = σ(z) = {a.data:.4f}, C = {C:.4f}")

# %% [markdown]
# ## Its graph
#
# $z = w \cdot x + b$ is one node (`w·x+b`: the weights times the inputs, plus the bias), and
# $a$ is `sigmoid` of it.

# %%
draw_dot(a, show_grad=False)

# %% [markdown]
# ## Backward, from the cost
#
# The cost is one step beyond $a$, and its derivative we know by hand: the ½ is there so that it
# cancels the 2 of the square,
#
# $$\frac{\partial C}{\partial a} = a - y.$$
#
# So backward starts at $a$ with `a.grad` $= a - y$ instead of 1 (`trace_backward(a, a - y)`, as
# `a.backward(a - y)`), and the chain rule carries it down: every grad it fills in is a
# $\partial C / \partial(\text{node})$.

# %%
dC_da = a.data - y
trace = trace_backward(a, dC_da)
display(trace)

# %% [markdown]
# As the note under the table says, each leaf receives the seed times $\partial a / \partial(\text{leaf})$,
# which by the chain rule is $\frac{\partial C}{\partial a} \frac{\partial a}{\partial(\text{leaf})} =
# \partial C / \partial(\text{leaf})$. The inputs `x[0]`, `x[1]` are leaves too, so they get grads like the
# weights: backward does not know which leaves you are going to change. The update below changes only the
# neuron's parameters $w$ and $b$, `neuron.parameters()`.
#
# Step through it: each step multiplies the local derivative on the red edge by the gradient of the
# blue node, and adds the product to the gradient of the yellow one.

# %%
trace.stepper()

# %% [markdown]
# The drawing after backward, with the local derivative $\partial n / \partial x$ on each edge:

# %%
draw_dot(a, show_local=True)

# %% [markdown]
# ## δ for a single neuron
#
# The error of the neuron is $\delta = \partial C / \partial z$: how much the cost moves per unit
# nudge of $z$. Every weight and the bias reach the cost only through $z$, so once we know $\delta$
# their gradients are one multiplication away (next section). By the chain rule through $a = \sigma(z)$,
# with $\sigma'(z) = \sigma(z)\,(1 - \sigma(z)) = a(1 - a)$:
#
# $$\delta = \frac{\partial C}{\partial a}\,\frac{\partial a}{\partial z} = (a - y)\; a\,(1 - a)$$
#
# Backward left exactly this number in `z.grad`. The closed-form equations of `micrograd.equations`,
# which compute the error δ of every neuron without the graph, give it too (notebook 03 derives them;
# for a last layer this is the first of its four equations).

# %%
delta_by_hand = (a.data - y) * a.data * (1 - a.data)
delta_equations = backprop(neuron, x, [y]).delta[1][0]
print(f"z.grad (backward)   = {z.grad:.6f}")
print(f"(a - y) a (1 - a)   = {delta_by_hand:.6f}")
print(f"equations: δ        = {delta_equations:.6f}")
assert math.isclose(z.grad, delta_by_hand, rel_tol=1e-12)
assert math.isclose(z.grad, delta_equations, rel_tol=1e-12)

# %% [markdown]
# ## From δ to the weights
#
# $z = w_0 x_0 + w_1 x_1 + b$, so $\partial z / \partial w_k = x_k$ and $\partial z / \partial b = 1$,
# which are the local derivatives on the edges into `w·x+b`. Hence, by the chain rule once more,
#
# $$\frac{\partial C}{\partial w_k} = x_k\,\delta, \qquad \frac{\partial C}{\partial b} = \delta.$$
#
# (Notebook 03 meets these two as equations of their own, for any layer.)

# %%
for name, node, by_hand in [
    ("w0", w0, x[0] * delta_by_hand),
    ("w1", w1, x[1] * delta_by_hand),
    ("b", bias, delta_by_hand),
]:
    print(f"dC/d{name}: backward {node.grad:+.6f}   by hand {by_hand:+.6f}")
    assert math.isclose(node.grad, by_hand, rel_tol=1e-12)

# %% [markdown]
# ## The weight update
#
# Gradient descent moves each parameter a little against its gradient, with a learning rate $\eta$:
#
# $$w_k \leftarrow w_k - \eta\,\frac{\partial C}{\partial w_k}, \qquad
#   b \leftarrow b - \eta\,\frac{\partial C}{\partial b}$$
#
# This is the nudge against the gradient of notebook 01: for a small step the cost changes by about
# $-\eta\,\lVert \nabla C \rVert^2$, so it goes down.

# %%
eta = 0.5
a_before = a.data
gradient = [p.grad for p in neuron.parameters()]
predicted_change = -eta * sum(g * g for g in gradient)
for p in neuron.parameters():
    p.data -= eta * p.grad
a_after = neuron(x).data
C_after = 0.5 * (a_after - y) ** 2
print(f"C before the step     = {C:.6f}")
print(f"C after the step      = {C_after:.6f}")
print(f"change                = {C_after - C:+.6f}")
print(f"predicted -η‖∇C‖²     = {predicted_change:+.6f}")
assert C_after < C
assert math.isclose(C_after - C, predicted_change, rel_tol=0.2)

# %% [markdown]
# ## The loop
#
# Training is that step repeated:
#
# $$\text{forward } (z, a, C) \;\rightarrow\; \text{backward } (\delta, \nabla C)
#   \;\rightarrow\; \text{update } (w, b \leftarrow w, b - \eta \nabla C) \;\rightarrow\; \text{forward} \dots$$
#
# Here the cost is a Value too, `cost = 0.5 * (a - y) ** 2`, and `cost.backward()` starts from it (the engine
# finds $\partial C / \partial a = a - y$ itself). The parameters' grads are cleared before each backward,
# since leaves add up their grads across calls. Each row is one round, the bar is the cost: the output
# climbs towards $y = 1$ and the cost falls, fast at first, then more slowly: as $a$ nears $y$,
# both $a - y$ and $\sigma'(z) = a(1 - a)$ shrink, so δ and the steps shrink with them.

# %%
rounds = [(0, a_before, C), (1, a_after, C_after)]  # (step, a, C): before any step, after the one above
for step in range(2, 21):
    neuron.zero_grad()
    a = neuron(x)
    cost = 0.5 * (a - y) ** 2
    cost.backward()
    for p in neuron.parameters():
        p.data -= eta * p.grad
    a_now = neuron(x).data
    rounds.append((step, a_now, 0.5 * (a_now - y) ** 2))
print(f"{'step':>4}  {'a':>6}  {'C':>6}")
for step, a_now, cost_now in rounds:
    if step <= 6 or step % 5 == 0:
        print(f"{step:4}  {a_now:.4f}  {cost_now:.4f}  {'█' * round(cost_now / C * 40)}")
assert all(later[2] < earlier[2] for earlier, later in itertools.pairwise(rounds))

# %% [markdown]
# **Next: notebook 03, the four equations**: many neurons in layers, where δ of one layer comes from δ of
# the next, derived with the chain rule.
