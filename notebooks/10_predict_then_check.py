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
# You have read backpropagation worked out; now you do it. Each quiz below hides the next number of a
# forward or backward pass: work it out on paper, type it, press Enter. You will compute a forward pass
# node by node, run backward by hand through the lecture's expression and through one sigmoid neuron,
# see why backward must add (`+=`) and follow the topological order, and find one δ of a small network
# with BP1 and BP2, one multiplication at a time. About 30 minutes.
#
# Before this: 01 (the chain rule on the lecture's expression) and 03 (the four equations BP1–BP4);
# this is the last notebook of the series, after 09.
#
# A quiz is made from a trace of a pass, `Quiz(trace_forward(L))` or `Quiz(trace_backward(L))`, so its
# answers are the engine's own numbers. An answer is right when it is within 0.1% of micrograd's number
# (or rounds to the digits shown). After a wrong answer the step's equation, with its result hidden, is
# the hint. The score under each quiz counts the answers right at the first try.
#
# Everything works with the keyboard alone: type, Enter, and the next question takes the focus.

# %%
import math

from IPython.display import display

from micrograd import MLP, Neuron, Value
from micrograd.equations import backprop
from micrograd.lab.forward_pass import trace_forward
from micrograd.lab.network_view import draw_network
from micrograd.lab.quiz import TOLERANCE, Quiz
from micrograd.lab.trace import trace_backward
from micrograd.tables import format_number

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
# ## 2. One neuron with σ
#
# $a = \sigma(w_0 x_0 + w_1 x_1 + b)$ with the logistic sigmoid $\sigma(z) = 1 / (1 + e^{-z})$, whose
# derivative is $\sigma'(z) = \sigma(z)(1 - \sigma(z))$: once you know $a$, $\sigma'(z) = a(1 - a)$, no
# exponential needed. The neuron's weights (seeded, so the same on every machine), its bias and the input:

# %%
neuron = Neuron(2, activation="sigmoid", seed=3)
x = [Value(1.0, "x[0]"), Value(-2.0, "x[1]")]
z, out = neuron.forward(x)
z.label, out.label = "z", "a"
numbers = [*neuron.w, neuron.b, *x]
print(", ".join(f"{v.label} = {format_number(v.data, 4)}" for v in numbers))
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
# A network of sigmoid neurons, the quadratic cost $C = \tfrac12 e^2$ of one example, with the error
# $e = a^2_0 - y$, and one goal: $\delta^1_0 = \partial C / \partial z^1_0$, the error of the first
# hidden neuron. By BP1 and BP2,
#
# $$\delta^2_0 = (a^2_0 - y)\,\sigma'(z^2_0), \qquad \delta^1_0 = w^2_{00}\,\delta^2_0\,\sigma'(z^1_0),$$
#
# with $\sigma'(z) = a(1 - a)$ for each neuron's own $a$. The network's forward pass (its z and a, no δ
# yet):

# %%
model = MLP(2, [3, 1], activation="sigmoid", output_activation="sigmoid", seed=2)
x, y = [0.8, -0.4], 1.0
draw_network(model, x)

# %% [markdown]
# The weights out of the hidden layer, $w^2_{0k}$:

# %%
print(", ".join(f"w[2][0][{k}] = {w.data:.4f}" for k, w in enumerate(model.layers[1].neurons[0].w)))

# %% [markdown]
# backward() reaches $\delta^1_0$ in three moves, and the quiz asks each of them; the other steps are
# shown worked out (the later ones appear as you answer):
#
# 1. `z[2][0].grad`, which is $\delta^2_0$ by BP1: the grad that reached $a^2_0$ (it is $e$) times
#    $\sigma'(z^2_0)$;
# 2. `a[1][0].grad`: what flows back along the line $w^2_{00}$, that is $w^2_{00}\,\delta^2_0$ (the
#    first half of BP2);
# 3. `z[1][0].grad`, which is $\delta^1_0$: times $\sigma'(z^1_0)$ (the second half).
#
# (The constant `½` and the target `y` are leaves, so backward gives them grads too; nothing uses them.)

# %%
half, target = Value(0.5, "½"), Value(y, "y")
error = model(x) - target
error.label = "e"
squared = error**2
squared.label = "e²"
cost = half * squared
cost.label = "C"
network = trace_backward(cost)
moves = [s.number for s in network if s.child_name in ("z[2][0]", "a[1][0]", "z[1][0]")]
assert len(moves) == 3
Quiz(network, ask=moves)

# %% [markdown]
# Checked against the equations: the quiz's answers are the network's grads, and BP1 and BP2 in plain
# floats give the same δs.

# %%
oracle = backprop(model, x, [y])
delta_2, delta_1 = model.layers[1].z[0].grad, model.layers[0].z[0].grad
print(f"z[2][0].grad = {delta_2:.4g}, BP1: δ²₀ = {oracle.delta[2][0]:.4g}")
print(f"z[1][0].grad = {delta_1:.4g}, BP2: δ¹₀ = {oracle.delta[1][0]:.4g}")
assert math.isclose(delta_2, oracle.delta[2][0], rel_tol=1e-12)
assert math.isclose(delta_1, oracle.delta[1][0], rel_tol=1e-12)

# %% [markdown]
# ## How `check()` grades, in Python
#
# Every quiz can also be answered in Python: `quiz.check(step, answer)` grades by the same rule as the
# page and returns True or False. It keeps a score of its own, `quiz.score`: (answers right at the first
# try, questions answered right), counting only the answers check() graded. What you typed on the page
# was graded in the browser, where Python never sees it, so the page's score and `quiz.score` are kept
# apart. Here step 1 of the lecture's backward quiz is answered wrong first (2, the sign forgotten),
# then right, and step 2 right at once:

# %%
print(lecture.check(1, "2"), lecture.check(1, "-2"), lecture.check(2, 4))
first, answered = lecture.score
print(f"score: {first} right at the first try, {answered} of {len(lecture.asked)} answered")
assert lecture.score == (1, 2) and TOLERANCE == 0.001  # the 0.1% of the introduction
