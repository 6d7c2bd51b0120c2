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
# A small expression, its graph, the order in which its values are computed (forward), then the
# order in which backpropagation fills in the derivatives (backward), one step at a time. At the
# end we work the same derivatives out by hand and check that they agree.
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
# ## Its graph
#
# Each box is a value (its label and its data); each ellipse is the operation that computed the
# value to its right from the values pointing into it. No gradients yet: we have not run backward.

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
# the inputs. At each edge from a node $n$ to one of its children $x$ it applies the chain rule
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
# And without any calculus: nudge $a$ by a small $h$ on both sides and see how much $L$ moves
# (a central difference). It agrees with $\partial L / \partial a = f \cdot b = 6$.

# %%
h = 1e-6


def L_at(a_value):
    return ((a_value * b.data) + c.data) * f.data


slope = (L_at(a.data + h) - L_at(a.data - h)) / (2 * h)
print(f"(L(a + h) - L(a - h)) / 2h = {slope:.6f}")
assert math.isclose(slope, a.grad, rel_tol=1e-6)

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
