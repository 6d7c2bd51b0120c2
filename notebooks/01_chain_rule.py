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
# # The chain rule, step by step
#
# **What you will learn:** what a derivative $\partial L / \partial a$ tells you (how much $L$ moves when
# you nudge $a$), why that is the number we want, and how backpropagation computes it for every input of
# an expression at once: the graph of a small expression, the order its values are computed in (forward),
# then the chain rule applied one edge at a time (backward). At the end we work the same derivatives out by
# hand and check that they agree. About 30 minutes.
#
# Every number on this page is computed by micrograd's engine.

# %%
import math

from IPython.display import display

from micrograd import Value
from micrograd.lab.forward_pass import trace_forward
from micrograd.lab.trace import trace_backward
from micrograd.lab.viz import draw_dot

# %% [markdown]
# ## The expression
#
# $$L = (a \cdot b + c) \cdot f \qquad a = 2,\; b = -3,\; c = 10,\; f = -2$$
#
# We name the intermediate results, $e = a \cdot b$ and $d = e + c$, so that $L = d \cdot f$.

# %%
a = Value(2.0, label="a")
b = Value(-3.0, label="b")
c = Value(10.0, label="c")
f = Value(-2.0, label="f")
e = a * b
e.label = "e"
d = e + c
d.label = "d"
L = d * f
L.label = "L"
print(L)

# %% [markdown]
# ## Why we want ∂L/∂a: a derivative is a slope
#
# Suppose $L$ were a loss we want to change: which way should we move $a$, and by how much does $L$
# respond? Nudge $a$ by a small $h$ and compute $L$ again:


# %%
def L_at(a, b, c, f):
    """L = (a·b + c)·f computed by the engine, for other values of the inputs."""
    return ((Value(a) * Value(b) + Value(c)) * Value(f)).data


h = 0.01
L_nudged = L_at(a.data + h, b.data, c.data, f.data)
slope_a = (L_nudged - L.data) / h
print(f"L at a = {a.data:g}:        {L.data:.4f}")
print(f"L at a + h = {a.data + h:g}: {L_nudged:.4f}")
print(f"L moved by {L_nudged - L.data:.4f}, that is {slope_a:.4f} times h")

# %% [markdown]
# $L$ moved by about $6h$: the ratio (change in $L$) / (change in $a$) for a small nudge is the **slope**
# of $L$ as a function of $a$, its derivative $\partial L / \partial a$. Near the present point,
#
# $$L(a + h) \approx L(a) + h\,\frac{\partial L}{\partial a}.$$
#
# Its sign says which way to move $a$ to make $L$ larger (here: increase $a$), its size how strongly $L$
# responds. A network has thousands of inputs to its loss (its weights), and nudging each one to measure
# its slope would cost one forward pass per weight. Backpropagation gives all the slopes
# $\partial L / \partial a, \partial L / \partial b, \dots$ in one backward pass; the rest of this page is how.

# %%
assert round(slope_a, 4) == 6.0

# %% [markdown]
# ## Its graph
#
# Each box is a value (its label and its data); each ellipse is the operation that computed the
# value to its right from the values pointing into it. The values an operation reads, its operands,
# are called the **children** of the value it computes (so `a` and `b` are the children of `e`), and
# values that are nobody's result, `a`, `b`, `c`, `f`, are the **leaves**. No gradients yet: we have
# not run backward.

# %%
draw_dot(L, show_grad=False)

# %% [markdown]
# ## Forward: the order the values are computed
#
# Inputs first, and every value after the values it is computed from.

# %%
trace_forward(L)

# %% [markdown]
# ## Backward: the chain rule, one edge at a time
#
# Backpropagation starts from $\partial L / \partial L = 1$ and walks the graph from $L$ back to
# the leaves. At each edge from a node $n$ to one of its children $x$ (an operand of $n$'s operation)
# it applies the chain rule
#
# $$x.\text{grad} \mathrel{+}= \frac{\partial n}{\partial x} \times n.\text{grad}$$
#
# where $\partial n / \partial x$ is the **local derivative**, which the operation recorded when
# it computed $n$: for $n = x \cdot y$ it is $y$, for $n = x + y$ it is $1$.
#
# `trace_backward` runs backward and writes down every step.

# %%
trace = trace_backward(L)
display(trace)

# %% [markdown]
# The same steps as arithmetic:

# %%
for line in trace.equations():
    print(line)

# %% [markdown]
# ## The stepper
#
# Click **next** (or drag the slider) to walk through the steps. The yellow value is the one whose
# gradient the step adds to, the blue one is where the gradient comes from, the red edge carries
# the local derivative. A `?` is a gradient backward has not reached yet.
#
# `trace.stepper().save("stepper.html")` writes the same thing as one HTML file that works offline.

# %%
trace.stepper()

# %% [markdown]
# One step can also be drawn on its own, here step 5:

# %%
trace.draw(5)

# %% [markdown]
# ## The same derivatives by hand
#
# With $L = d \cdot f$, $d = e + c$ and $e = a \cdot b$:
#
# $$\frac{\partial L}{\partial d} = f, \quad \frac{\partial L}{\partial f} = d, \quad
# \frac{\partial L}{\partial e} = \frac{\partial L}{\partial d}\frac{\partial d}{\partial e} = f \cdot 1,
# \quad \frac{\partial L}{\partial c} = f \cdot 1$$
#
# $$\frac{\partial L}{\partial a} = \frac{\partial L}{\partial e}\frac{\partial e}{\partial a} = f \cdot b,
# \qquad \frac{\partial L}{\partial b} = \frac{\partial L}{\partial e}\frac{\partial e}{\partial b} = f \cdot a$$

# %%
by_hand = {
    "d": f.data,
    "f": d.data,
    "e": f.data * 1,
    "c": f.data * 1,
    "a": f.data * b.data,
    "b": f.data * a.data,
}
for node in (d, f, e, c, a, b):
    print(f"dL/d{node.label}: backward {node.grad:5}   by hand {by_hand[node.label]:5}")
    assert node.grad == by_hand[node.label]

# %% [markdown]
# ## Nudging along the gradient
#
# The slope we measured at the start by nudging $a$ is the number backward left in `a.grad`:

# %%
print(f"slope measured: {slope_a:.4f}   a.grad from backward: {a.grad:g}")
assert math.isclose(slope_a, a.grad, rel_tol=1e-6)

# %% [markdown]
# Together the grads form the **gradient** $\nabla L = (\partial L/\partial a, \partial L/\partial b,
# \partial L/\partial c, \partial L/\partial f)$. Nudge every input at once by $h$ times its own grad:
# each term adds about $h\,(\partial L / \partial x)^2 \ge 0$, so $L$ rises by about $h\,\lVert \nabla L \rVert^2$.
# Nudged the other way, against the gradient, $L$ falls by about as much: that is how training lowers a loss
# (notebook 02).

# %%
leaves = (a, b, c, f)
up = L_at(*(x.data + h * x.grad for x in leaves))
down = L_at(*(x.data - h * x.grad for x in leaves))
predicted = h * sum(x.grad**2 for x in leaves)
print("grads:", ", ".join(f"∂L/∂{x.label} = {x.grad:g}" for x in leaves))
print(f"L = {L.data:.4f}")
print(f"along the gradient:   L = {up:.4f}   (rose by {up - L.data:.4f})")
print(f"against the gradient: L = {down:.4f}   (fell by {L.data - down:.4f})")
print(f"predicted: h‖∇L‖² = {predicted:.4f}")
assert up > L.data > down
assert math.isclose(up - L.data, predicted, rel_tol=0.05) and math.isclose(L.data - down, predicted, rel_tol=0.05)

# %% [markdown]
# ## A value used twice
#
# When a value feeds two operations, backward reaches it along two edges, and the two
# contributions **add up**. Take $y = x \cdot x + x$ at $x = 3$: by hand, $dy/dx = 2x + 1 = 7$.

# %%
x = Value(3.0, label="x")
x2 = x * x
x2.label = "x²"
y = x2 + x
y.label = "y"
twice = trace_backward(y)
for line in twice.equations():
    print(line)
assert x.grad == 2 * x.data + 1

# %%
draw_dot(y, show_local=True)

# %% [markdown]
# ## Next
#
# **Next: notebook 11, Build micrograd yourself**: you write `Value`, its operations and `backward()`,
# and the engine checks your code against its own. Then notebook 02, one neuron with σ, where the
# expression is a neuron and the nudge against the gradient becomes a step of training.
