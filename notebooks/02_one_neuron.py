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
# A single sigmoid neuron, its graph, the error δ that backpropagation computes for it, and one
# step of gradient descent on its weights. Every number on this page is computed by micrograd's
# engine, and each one we can also work out by hand is checked against the hand computation.

# %%
import math

from IPython.display import display

from micrograd import MLP, Value
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
# is the weight from input $k$ to neuron 0 of layer 1.

# %%
neuron = MLP(2, [1], output_activation="sigmoid", seed=3)
x, y = [0.5, -1.0], 1.0
a = neuron(x)
e = a - Value(y, label="y")
e.label = "e"
e2 = e**2
e2.label = "e²"
C = Value(0.5, label="½") * e2
C.label = "C"
w0, w1 = neuron.layers[0].neurons[0].w
bias = neuron.layers[0].neurons[0].b
z = neuron.layers[0].z[0]
print(f"w0 = {w0.data:.4f}, w1 = {w1.data:.4f}, b = {bias.data:.4f}")
print(f"z = {z.data:.4f}, a = σ(z) = {a.data:.4f}, C = {C.data:.4f}")

# %% [markdown]
# ## Its graph
#
# $z = w \cdot x + b$ is one node (`w·a+b`), $a$ is `sigmoid` of it, and the cost is built from
# $a$ in three steps: the difference $e = a - y$, its square $e^2$, and $C = \tfrac{1}{2} e^2$.

# %%
draw_dot(C, show_grad=False)

# %% [markdown]
# ## Backward
#
# `trace_backward` runs backpropagation and records each application of the chain rule.

# %%
trace = trace_backward(C)
display(trace)

# %% [markdown]
# The first step gives a gradient to ½, and later steps give one to the target $y$ and to the inputs
# $x_0, x_1$, though none of them is a weight. `backward()` does not know which leaves of the graph you
# are going to change, so it treats every leaf alike: an input, a weight, or a constant such as ½ (the
# drawings give all leaves a grey name). Each of these gradients is a true derivative, $\partial C /
# \partial ½ = e^2$ says how $C$ would move if the ½ were another number, and nothing uses them: the
# update below changes only the neuron's parameters, `neuron.parameters()`. (PyTorch skips this work
# for tensors created with `requires_grad=False`; micrograd keeps the rule simple.) The order is the
# reverse of the forward pass: ½ is multiplied in last, so backward reaches it first.

# %% [markdown]
# Step through it: each step multiplies the local derivative on the red edge by the gradient of the
# blue node, and adds the product to the gradient of the yellow one.

# %%
trace.stepper()

# %% [markdown]
# The drawing after backward, with the local derivative $\partial n / \partial x$ on each edge:

# %%
draw_dot(C, show_local=True)

# %% [markdown]
# ## δ for a single neuron
#
# The error of the neuron is $\delta = \partial C / \partial z$. By the chain rule through $a = \sigma(z)$,
# with $\sigma'(z) = \sigma(z)\,(1 - \sigma(z)) = a(1 - a)$:
#
# $$\delta = \frac{\partial C}{\partial a}\,\frac{\partial a}{\partial z} = (a - y)\; a\,(1 - a)$$
#
# Backward left exactly this number in `z.grad`; the closed-form equations of `micrograd.equations`
# (BP1 for the last layer) give it too, computed without the graph.

# %%
delta_by_hand = (a.data - y) * a.data * (1 - a.data)
delta_bp1 = backprop(neuron, x, [y]).delta[1][0]
print(f"z.grad (backward)   = {z.grad:.10f}")
print(f"(a - y) a (1 - a)   = {delta_by_hand:.10f}")
print(f"BP1: δ^L            = {delta_bp1:.10f}")
assert math.isclose(z.grad, delta_by_hand, rel_tol=1e-12)
assert math.isclose(z.grad, delta_bp1, rel_tol=1e-12)

# %% [markdown]
# ## From δ to the weights
#
# $z = w_0 x_0 + w_1 x_1 + b$, so $\partial z / \partial w_k = x_k$ and $\partial z / \partial b = 1$,
# which are the local derivatives on the edges into `w·a+b`. Hence (BP4 and BP3)
#
# $$\frac{\partial C}{\partial w_k} = x_k\,\delta, \qquad \frac{\partial C}{\partial b} = \delta.$$

# %%
for name, node, by_hand in [
    ("w0", w0, x[0] * delta_by_hand),
    ("w1", w1, x[1] * delta_by_hand),
    ("b", bias, delta_by_hand),
]:
    print(f"dC/d{name}: backward {node.grad:+.10f}   by hand {by_hand:+.10f}")
    assert math.isclose(node.grad, by_hand, rel_tol=1e-12)

# %% [markdown]
# ## The weight update
#
# Gradient descent moves each parameter a little against its gradient, with a learning rate $\eta$:
#
# $$w_k \leftarrow w_k - \eta\,\frac{\partial C}{\partial w_k}, \qquad
#   b \leftarrow b - \eta\,\frac{\partial C}{\partial b}$$
#
# For a small step the cost changes by about $-\eta\,\lVert \nabla C \rVert^2$, so it goes down.

# %%
eta = 0.5
gradient = [p.grad for p in neuron.parameters()]
predicted_change = -eta * sum(g * g for g in gradient)
for p in neuron.parameters():
    p.data -= eta * p.grad
C_after = 0.5 * (neuron(x) - y) ** 2
print(f"C before the step     = {C.data:.6f}")
print(f"C after the step      = {C_after.data:.6f}")
print(f"change                = {C_after.data - C.data:+.6f}")
print(f"predicted -η‖∇C‖²     = {predicted_change:+.6f}")
assert C_after.data < C.data

# %% [markdown]
# ## Repeating it
#
# Each round: forward, backward (after clearing the leaves' gradients, which otherwise add up),
# update. The output climbs towards $y = 1$ and the cost falls.

# %%
for step in range(1, 21):
    neuron.zero_grad()
    a = neuron(x)
    C = 0.5 * (a - y) ** 2
    C.backward()
    for p in neuron.parameters():
        p.data -= eta * p.grad
    if step % 5 == 0:
        print(f"step {step:2}: a = {a.data:.4f}, C = {C.data:.6f}")
assert C.data < C_after.data
