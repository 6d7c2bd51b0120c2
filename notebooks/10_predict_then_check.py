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
# # Predict, then check
#
# Exercises graded by the engine. Each quiz hides the next number of a forward or backward pass: work it
# out on paper, type it, press Enter. A quiz is made from a trace of that pass, `Quiz(trace_forward(L))` or
# `Quiz(trace_backward(L))`, so its answers are the engine's own numbers. An answer is right when it is
# within 0.1% of micrograd's number (or rounds to the digits shown). After a wrong answer the step's
# equation, with its result hidden, is the hint. The score counts the answers right at the first try.
#
# Everything works with the keyboard alone: type, Enter, and the next question takes the focus.

# %%
import math

from IPython.display import display

from micrograd import MLP, Neuron, Value
from micrograd.equations import backprop
from micrograd.lab.forward_pass import trace_forward
from micrograd.lab.network_view import draw_network
from micrograd.lab.quiz import Quiz
from micrograd.lab.trace import trace_backward

# %% [markdown]
# ## 1. The lecture's expression
#
# $L = (a \cdot b + c) \cdot f$ with $a = 2$, $b = -3$, $c = 10$, $f = -2$. First the forward pass: the
# value of each node, from the inputs up.

# %%
a, b, c, f = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c"), Value(-2.0, "f")
e = a * b
e.label = "e"
d = e + c
d.label = "d"
L = d * f
L.label = "L"
Quiz(trace_forward(L))

# %% [markdown]
# Then backward: each step adds ∂node/∂child × node.grad to the child's grad, starting from
# $\partial L / \partial L = 1$. The drawing shows the data; the grads are yours to find.

# %%
lecture = Quiz(trace_backward(L))
display(lecture)

# %% [markdown]
# The same quiz can be answered in Python: `check(step, answer)` grades by the same rule and keeps the
# score. (Here, the first answer to step 1 is wrong on purpose.)

# %%
print(lecture.check(1, "2"), lecture.check(1, "-2"), lecture.check(2, 4))
print("score (right at the first try, answered):", lecture.score)

# %% [markdown]
# ## 2. One neuron with σ
#
# $a = \sigma(w_0 x_0 + w_1 x_1 + b)$ with the logistic sigmoid $\sigma(z) = 1 / (1 + e^{-z})$, whose
# derivative is $\sigma'(z) = \sigma(z)(1 - \sigma(z))$.

# %%
neuron = Neuron(2, activation="sigmoid", seed=3)
x = [Value(1.0, "x[0]"), Value(-2.0, "x[1]")]
z, out = neuron.forward(x)
z.label, out.label = "z", "a"
print(neuron.w, neuron.b)
Quiz(trace_forward(out))

# %%
Quiz(trace_backward(out))

# %% [markdown]
# ## 3. `b = a + a; c = b + b`: why backward needs the topological order and `+=`
#
# Here `a` is used twice by `b`, and `b` twice by `c`, so $c = 4a$ and $\partial c / \partial a = 4$.
# Backward reaches `b` twice (once per operand) and each time *adds* to `b.grad`: with `=` instead of
# `+=` the second step would overwrite the first. And `b` may pass its gradient on to `a` only once both
# of its contributions are in: that is what the topological order guarantees (every node after all of
# the nodes that use it, on the way back). Passed on after the first contribution only, `a.grad` would
# come out 2, not 4.

# %%
a = Value(3.0, "a")
b = a + a
b.label = "b"
c = b + b
c.label = "c"
twice = trace_backward(c)
Quiz(twice)

# %% [markdown]
# The trace, worked out: note the `[operand 1]` and `[operand 2]` steps, and the `before` column.

# %%
print(twice)
assert a.grad == 4.0

# %% [markdown]
# ## 4. One δ of a 2-3-1 network
#
# A network of sigmoid neurons, the quadratic cost $C = \tfrac12 (a^2_0 - y)^2$ of one example, and one
# question: $\delta^1_0 = \partial C / \partial z^1_0$, the error of the first hidden neuron. By BP1 and
# BP2,
#
# $$\delta^2_0 = (a^2_0 - y)\,\sigma'(z^2_0), \qquad \delta^1_0 = w^2_{00}\,\delta^2_0\,\sigma'(z^1_0).$$
#
# The network's forward pass (its z and a, no δ yet):

# %%
model = MLP(2, [3, 1], activation="sigmoid", output_activation="sigmoid", seed=2)
x, y = [0.8, -0.4], 1.0
draw_network(model, x)

# %% [markdown]
# The weights out of the hidden layer, $w^2_{0k}$:

# %%
print([round(w.data, 4) for w in model.layers[1].neurons[0].w])

# %% [markdown]
# The quiz asks only the step of backward that finishes $\delta^1_0$ (`z[1][0].grad`); the others are
# shown worked out, so the graph's numbers are there to read.

# %%
cost = 0.5 * (model(x) - y) ** 2
network = trace_backward(cost)
(step,) = [s.number for s in network if s.child_name == "z[1][0]"]
Quiz(network, ask=[step])

# %% [markdown]
# Checked against the equations: the quiz's answer is the network's `z.grad`, and BP2 in plain floats
# gives the same number.

# %%
oracle = backprop(model, x, [y])
delta = model.layers[0].z[0].grad
print(f"z[1][0].grad = {delta:.6g}, BP2: δ¹₀ = {oracle.delta[1][0]:.6g}")
assert math.isclose(delta, oracle.delta[1][0], rel_tol=1e-12)
