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
# # Backprop as code
#
# `backward()` walks a graph of `Value` nodes. But once a graph is built, nothing about
# backpropagation needs the graph any more: it is a fixed list of float operations. The forward
# pass is one assignment per node; the backward pass is the chain rule,
# `child.grad += local * node.grad`, one line per edge, in reverse topological order.
#
# On this page `micrograd.compile` writes that list out as Python, and you read it: first for the
# lecture's neuron, then for a small network on a batch, where you find the four equations of
# notebook 03 (BP1–BP4) as lines of code, and the sum over the examples as a `+=` in a loop.
# About 30 minutes. Before this: "Training on moons" (04). Next: "From micrograd to PyTorch" (06).
#
# `compile_graph(root, params, inputs)` records the graph under `root` once and generates a
# function of plain floats: give it new values for the parameters and the inputs, and it returns
# the output and the gradient of every parameter, the same numbers, bit for bit, as `backward()`
# on a graph built from those values. Every number the compiled code gives on this page is
# compared with the engine's, and an `assert` stops the notebook if one differs.

# %%
import re

from IPython.display import display

from micrograd import MLP, Value
from micrograd.compile import compile_function, compile_graph
from micrograd.lab.display import Code
from micrograd.training.data import make_moons
from micrograd.training.losses import hinge_loss

# %% [markdown]
# ## One neuron
#
# The neuron of micrograd's first lecture: $o = \tanh(x_1 w_1 + x_2 w_2 + b)$, every node labelled.
# The weights and the bias are the parameters; $x_1, x_2$ are the inputs.


# %%
def neuron(x1_value: float, x2_value: float, w1_value: float, w2_value: float, b_value: float):
    """The graph of o = tanh(x1·w1 + x2·w2 + b) at these values: (o, its parameters, its inputs)."""
    x1, x2 = Value(x1_value, "x1"), Value(x2_value, "x2")
    w1, w2, b = Value(w1_value, "w1"), Value(w2_value, "w2"), Value(b_value, "b")
    x1w1, x2w2 = x1 * w1, x2 * w2
    x1w1.label, x2w2.label = "x1*w1", "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.label = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, [w1, w2, b], [x1, x2]


o, params, inputs = neuron(2.0, 0.0, -3.0, 1.0, 6.8813735870195432)
graph = compile_graph(o, params, inputs)
Code(graph.source)  # the generated source, highlighted; print(graph.source) prints it as plain text

# %% [markdown]
# Each label became a name (`x1*w1` became `x1_w1`; a node without a label would get a number,
# `v1`, `v2`, … by its place), and `g_` + a name is that node's gradient, $\partial o/\partial$node.
# Read the backward half from the top: $\partial o/\partial o = 1$, then
# $\partial o/\partial n = 1 - o^2$, then the `+` nodes pass the gradient through unchanged, and each
# `*` node multiplies it by the other operand.
#
# Now run it, and run `backward()` on the graph itself:

# %%
output, grads = graph([-3.0, 1.0, 6.8813735870195432], [2.0, 0.0])
o.backward()
print(f"{'':<6}{'compiled':>10}{'backward()':>12}{'same bits':>11}")
print(f"{'o':<6}{output:>10.4f}{o.data:>12.4f}{output == o.data!s:>11}")
for p, g in zip(params, grads):
    print(f"{'∂o/∂' + p.label:<6}{g:>10.4f}{p.grad:>12.4f}{g == p.grad!s:>11}")
assert output == o.data and grads == [p.grad for p in params]

# %% [markdown]
# The compiled function takes any values, not only the ones it was recorded with. Here the neuron
# is far into tanh's flat part, where $1 - o^2$ is tiny, and so are the gradients:

# %%
new_values = {"x1": 1.5, "x2": -0.5, "w1": 2.0, "w2": -3.0, "b": 0.25}
output, grads = graph([new_values["w1"], new_values["w2"], new_values["b"]], [new_values["x1"], new_values["x2"]])
o2, params2, _ = neuron(*new_values.values())
o2.backward()
print(f"o = {output:.5f}   1 - o² = {1 - output**2:.1e}")
print(f"∂o/∂w1 = {grads[0]:.1e}   ∂o/∂w2 = {grads[1]:.1e}   ∂o/∂b = {grads[2]:.1e}")
assert output == o2.data and grads == [p.grad for p in params2]

# %% [markdown]
# ## A neuron as one node
#
# micrograd's `Neuron` computes $z = \sum_k w_k a_k + b$ as a single node, `w·a+b`, whose local
# derivatives are $\partial z/\partial w_k = a_k$, $\partial z/\partial a_k = w_k$ and
# $\partial z/\partial b = 1$. Compiled, its forward pass is one line, and its backward pass one
# line per weight. `compile_function` records a function on example inputs: every number of the
# example becomes an input leaf, labelled by the argument's name.

# %%
model = MLP(3, [1], output_activation="sigmoid", seed=1)
one_neuron = compile_function(lambda x: model(x), model.parameters(), [0.5, -1.0, 2.0])
Code(one_neuron.source)

# %%
x = [0.5, -1.0, 2.0]
output, grads = one_neuron([p.data for p in model.parameters()], x)
a = model(x)
model.zero_grad()
a.backward()
print(f"a = {output:.4f}, ∂a/∂w = [{', '.join(f'{g:.4f}' for g in grads[:3])}], ∂a/∂b = {grads[3]:.4f}")
assert output == a.data and grads == [p.grad for p in model.parameters()]

# %% [markdown]
# ## Branches follow the data
#
# Some local derivatives depend on the values: relu's is 1 where its input is positive and 0
# elsewhere, $\partial (x^y)/\partial y$ needs $\log x$. The compiled code computes each of them from
# the new values, so a graph recorded where relu is active is still right where it is not. This is
# the graph of micrograd's README, recorded at $a = -4$, $b = 2$:


# %%
def readme_graph(a: Value, b: Value) -> Value:
    """c = a·b + b³, g = relu(c)/2 + log(1 − a), each node labelled."""
    ab, b3 = a * b, b**3
    ab.label, b3.label = "a*b", "b**3"
    c = ab + b3
    c.label = "c"
    relu_c = c.relu()
    relu_c.label = "relu(c)"
    half, one_minus_a = relu_c / 2, 1 - a
    half.label, one_minus_a.label = "half", "one_minus_a"
    log_one_minus_a = one_minus_a.log()
    log_one_minus_a.label = "log_one_minus_a"
    return half + log_one_minus_a


a, b = Value(-4.0, "a"), Value(2.0, "b")
g = readme_graph(a, b)
g.label = "g"
small = compile_graph(g, [a, b])
Code(small.source)

# %%
print(f"{'a':>6}{'b':>6}{'relu active':>13}{'g':>9}{'∂g/∂a':>8}{'∂g/∂b':>8}")
for a_value, b_value in [(-4.0, 2.0), (-4.0, 1.0), (0.5, 3.0), (0.5, -3.0)]:
    output, (da, db) = small([a_value, b_value])
    a, b = Value(a_value), Value(b_value)
    g = readme_graph(a, b)
    g.backward()
    active = (a * b + b**3).data > 0  # relu's input
    print(f"{a_value:>6}{b_value:>6}{active!s:>13}{output:>9.4f}{da:>8.4f}{db:>8.4f}")
    assert (output, da, db) == (g.data, a.grad, b.grad)  # every bit
print("compiled and backward() agree on every bit at all four points")

# %% [markdown]
# ## A batch: the structure repeats, the code loops
#
# The loss of a batch repeats one structure per example: the same network, the same loss term,
# on other numbers. Written out node by node, 100 examples of micrograd's demo network make
# tens of thousands of lines. The compiler notices the repetition and writes the example's code
# once, in a `for` loop over the examples, still adding up the gradients in exactly the order
# `backward()` does.
#
# Here is the max-margin loss of a small network, 2 inputs, 4 relu neurons in layer 1, one linear
# output $s = z^2_0$ in layer 2, on 12 points of the two moons (labels $y = \pm 1$):
#
# $$C = \frac{1}{m}\sum_x C_x, \qquad C_x = \max\big(0,\; 1 - y\,s(x)\big), \qquad m = 12$$
#
# It is micrograd's `hinge_loss`, written out here with a label on each node of $C_x$
# (`margin` $= y\,s$, `shortfall` $= 1 - y\,s$), so that the generated code names them; an
# `assert` checks that it is `hinge_loss`, bit for bit.


# %%
def hinge(scores: list[Value], labels: list[int]) -> Value:
    """hinge_loss(scores, labels), every node of C_x labelled."""
    terms = []
    for s, y_x in zip(scores, labels):
        margin = y_x * s
        margin.label = "margin"
        shortfall = 1 - margin
        shortfall.label = "shortfall"
        C_x = shortfall.relu()
        C_x.label = "C_x"
        terms.append(C_x)
    total = sum(terms, Value(0.0, "0"))
    total.label = "total"
    C = total / Value(len(terms), "m")
    C.label = "C"
    return C


X, classes = make_moons(12, noise=0.1, seed=0)
y = [2 * c - 1 for c in classes]
net = MLP(2, [4, 1], seed=0)
batch = compile_function(lambda X: hinge([net(x) for x in X], y), net.parameters(), X)
print(batch)

ours, theirs = hinge([net(x) for x in X], y), hinge_loss([net(x) for x in X], y)
net.zero_grad()
ours.backward()
grads_ours = [p.grad for p in net.parameters()]
net.zero_grad()
theirs.backward()
assert ours.data == theirs.data and grads_ours == [p.grad for p in net.parameters()]
assert [layer.activation for layer in net.layers] == ["relu", "linear"] and net.sizes == [2, 4, 1]

# %% [markdown]
# The whole listing is at the end of the page. Its backward half, inside the loop, is one example's
# backpropagation, and it is the four equations of notebook 03, line by line. The names: `z_1_k`
# and `a_1_k` are $z^1_k$ and $a^1_k$ of neuron $k$ in layer 1; `w_2_0_k` is $w^2_{0k}$, the weight to
# the output from neuron $k$ (to $j$ from $k$, as in notebook 03); `X_i_j` is input $j$ of the
# example, $a^0_j$; `c_i_0` is its label $y$ (a constant of the graph, read from a tuple); and
# `g_` + a name is the gradient of $C$ with respect to that node, so `g_z_1_k` is $\delta^1_k$.
#
# `excerpt` finds the lines of the generated source that match patterns and shows them; each pattern
# must match as many lines as the equation has terms, or the notebook stops.


# %%
def excerpt(*patterns: tuple[str, int]) -> Code:
    """The lines of batch.source that match each (regular expression, how many lines it must match), in turn."""
    lines = [line.strip() for line in batch.source.splitlines()]
    found = []
    for pattern, count in patterns:
        matching = [line for line in lines if re.fullmatch(pattern, line)]
        assert len(matching) == count, f"{pattern}: {len(matching)} lines, not {count}"
        found += matching
    return Code("\n".join(found))


# %% [markdown]
# **BP1, the output's error.** $\delta^2_0 = \partial C_x/\partial z^2_0$ for one example. Through
# $C_x = \max(0, 1 - y\,s)$: the relu passes the gradient where the shortfall is positive and stops
# it elsewhere, $1 - (\cdot)$ flips its sign, and $y\,s$ multiplies it by $y$. So $\delta^2_0 = -y$
# for a point inside the margin, and 0 for a point beyond it: a point classified right with room to
# spare teaches nothing. The code starts from `g_C_x`, the mean's share of each example, $1/m$, so
# its `g_z_2_0` is $\frac{1}{m}\delta^2_0$; the $\frac{1}{m}$ rides along through every line below.

# %%
excerpt(
    (r"g_shortfall = 0\.0 if C_x <= 0\.0 else g_C_x", 1),
    (r"g_margin = -g_shortfall", 1),
    (r"g_z_2_0 = c_i_0 \* g_margin", 1),
)

# %% [markdown]
# **BP2, back through the weights.** $\partial C/\partial a^1_k = \sum_j w^2_{jk}\,\delta^2_j$, the
# error of layer 2 sent back along the weights that carried $a^1_k$ forward. Layer 2 has one neuron,
# so the sum has one term, $w^2_{0k}\,\delta^2_0$: one line per neuron $k$ of layer 1.

# %%
excerpt((r"g_a_1_(\d) = w_2_0_\1 \* g_z_2_0", 4))

# %% [markdown]
# **$\odot\,\sigma'$, through the activation.** $\delta^1_k = \partial C/\partial a^1_k \cdot
# \sigma'(z^1_k)$. For relu, $\sigma'(z) = 1$ where $z > 0$ and 0 elsewhere, so the line passes the
# gradient or stops it. It tests `a_1_k <= 0.0`, which holds exactly where $z^1_k \le 0$ (relu's
# output is 0 there). Together with BP2 this is $\delta^1 = ((w^2)^\top \delta^2) \odot \sigma'(z^1)$.

# %%
excerpt((r"g_z_1_(\d) = 0\.0 if a_1_\1 <= 0\.0 else g_a_1_\1", 4))

# %% [markdown]
# **BP4 and BP3, the parameters' gradients.** $\partial C/\partial w^l_{kj} = a^{l-1}_j\,\delta^l_k$
# and $\partial C/\partial b^l_k = \delta^l_k$. In layer 2 the input to the weight is $a^1_k$; in
# layer 1 it is the example itself, $a^0_j$ = `X_i_j`.

# %%
excerpt(
    (r"g_w_2_0_(\d) \+= a_1_\1 \* g_z_2_0", 4),
    (r"g_b_2_0 \+= g_z_2_0", 1),
    (r"g_w_1_(\d)_(\d) \+= X_i_\2 \* g_z_1_\1", 8),
    (r"g_b_1_(\d) \+= g_z_1_\1", 4),
)

# %% [markdown]
# **$\Sigma_x$, the sum over the examples.** Every one of these lines is `+=`, and it sits inside the
# loop `for copy, g_C_x in zip(reversed(saved), ...)`, which runs once per example with that
# example's saved values. So each `g_w` ends as the sum over the 12 examples, each term carrying
# the $\frac{1}{m}$ of the mean: $\partial C/\partial w = \frac{1}{m}\sum_x \partial C_x/\partial w$.
# The $\frac{1}{m}$ is one line before the loop, and each example's values are unpacked at its top:

# %%
assert re.search(r"^ *for copy, g_C_x in zip\(reversed\(saved\), ", batch.source, re.M)  # the loop
excerpt((r"g_total = 1\.0 / 12\.0 \* g_C", 1), (r"X_i_0, X_i_1, c_i_0, a_1_0, a_1_1, a_1_2, a_1_3, C_x = copy", 1))

# %% [markdown]
# The same sum, computed by the engine another way: one graph and one `backward()` per example,
# then the mean of the 12 gradients. It is the batch's gradient (up to the rounding of adding in
# another order):

# %%
per_example = []
for x, y_x in zip(X, y):
    C_x = hinge([net(x)], [y_x])  # the loss of one example: m = 1
    net.zero_grad()
    C_x.backward()
    per_example.append([p.grad for p in net.parameters()])
mean_of_gradients = [sum(column) / len(X) for column in zip(*per_example)]
output, grads = batch([p.data for p in net.parameters()], X)
worst = max(abs(g - mean) for g, mean in zip(grads, mean_of_gradients))
print(f"the compiled batch's gradient and the mean of the {len(X)} examples' gradients: largest difference {worst:.0e}")
assert len(X) == 12 and worst <= 1e-15

# %% [markdown]
# One loop and 12 examples, or every example written out: the same numbers, bit for bit, as
# `backward()` on the batch.

# %%
unrolled = compile_function(lambda X: hinge([net(x) for x in X], y), net.parameters(), X, unroll=True)
print(f"with the loop: {len(batch.source.splitlines())} lines; written out: {len(unrolled.source.splitlines())} lines")

loss = hinge([net(x) for x in X], y)
net.zero_grad()
loss.backward()
for compiled in (batch, unrolled):
    output, grads = compiled([p.data for p in net.parameters()], X)
    assert output == loss.data and grads == [p.grad for p in net.parameters()]
print(f"loss {loss.data:.4f}: the loop, the written-out code and backward() agree on every bit")

# %% [markdown]
# ## What recording freezes
#
# The compiled code replays the ops of the graph, nothing else. A Python `if` on a value ran
# once, while recording, and the code follows the branch taken then, whatever the new values:

# %%
w = Value(1.0, "w")


def f(x: Value) -> Value:
    return x * w if x.data > 0 else -x * w  # |x|·w, by a Python if


frozen = compile_function(f, [w], 2.0)  # recorded with x = 2: the x > 0 branch
output, _ = frozen([1.0], -3.0)
print(f"compiled f(-3) = {output}, but f(-3) = {f(Value(-3.0)).data}")
assert output == -3.0 and f(Value(-3.0)).data == 3.0

# %% [markdown]
# Write such a choice as an op instead (here `x.relu() + (-x).relu()` is $|x|$), or record again for
# the new values. Likewise a call with inputs of another shape is an error, not a guess:

# %%
try:
    batch([p.data for p in net.parameters()], X[:5])
    raise AssertionError("a call with 5 points instead of 12 should have failed")
except ValueError as error:
    print(f"ValueError: {error}")

# %% [markdown]
# ## Optional: the whole listing, and its float details
#
# The whole generated function for the batch. Besides the equations above, four kinds of line look
# odd; each does what `backward()` itself does, to the last bit. You can skip this section: nothing
# before it depends on it.

# %%
display(Code(batch.source))

# %% [markdown]
# - `c_i_0_values = (...)`: the labels $y = \pm 1$, constants of the graph, one per example, which the
#   loop reads as it goes.
# - `v35 = 0.0 + C_x_0`: the loss adds up the examples with Python's `sum()`, which starts from 0.
#   That 0 became a constant of the graph, and the code adds it like any other operand. It changes no
#   bit of a nonzero result ($0 + x = x$), but it is in the graph, so it is in the code. The partial
#   sums have no labels, so they are numbered.
# - `g_w_1_0_0, g_w_1_0_1, ... = grads`: the gradient of each parameter is a sum of contributions, one
#   per use in each example, which the code adds up. Like `backward()`, each sum starts where the
#   parameter's gradient starts: at $-0.0$ when the graph is called ($-0.0 + x$ is exactly $x$ for every
#   float, the sign of a zero included, whereas $0.0 + (-0.0)$ is $+0.0$), or at what `.grad` already
#   holds with `run()`, which adds to `.grad` exactly as `backward()` does. The forward sums start at
#   $-0.0$ too, for the same reason.
# - `skip = ...` and `if skip and ...: continue`: an example outside the margin gets a zero gradient at
#   its relu, and from that line on it would add only $\pm 0$ to each sum. The loop skips the rest of it
#   when that changes no bit: when every number it would multiply by is finite ($0 \cdot \infty$ is NaN),
#   and no sum holds $-0.0$ (which $+0.0$ would turn into $+0.0$). Here every sum starts at $-0.0$, so
#   every example runs; with the demo's L2 penalty, which adds to every sum before the loop, the examples
#   outside the margin are skipped, and the compiled step does only the work of those inside it.

# %%
listing = batch.source
assert "c_i_0_values = (" in listing and "v35 = 0.0 + C_x_0" in listing and "skip = isfinite(" in listing
assert "sum(map(mul, w_1_0, X_i), -0.0)" in listing
