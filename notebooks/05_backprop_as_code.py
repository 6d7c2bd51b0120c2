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
# `micrograd.compile` writes that list out as Python. `compile_graph(root, params, inputs)` records
# the graph under `root` once and generates a function of plain floats: give it new values for the
# parameters and the inputs, and it returns the output and the gradient of every parameter, the
# same numbers, bit for bit, as `backward()` on a graph built from those values. On this page every
# number the compiled code gives is compared with the engine's, and an `assert` stops the notebook
# if one differs.

# %%
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
    n = x1w1 + x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, [w1, w2, b], [x1, x2]


o, params, inputs = neuron(2.0, 0.0, -3.0, 1.0, 6.8813735870195432)
graph = compile_graph(o, params, inputs)
Code(graph.source)  # the generated source, highlighted; print(graph.source) prints it as plain text

# %% [markdown]
# Each label became a name (`x1*w1` became `x1_w1`); the node with no label, the sum
# `x1*w1 + x2*w2`, got a number. Read the backward half from the top: $\partial o/\partial o = 1$,
# then $\partial o/\partial n = 1 - o^2$, then the `+` nodes pass the gradient through unchanged,
# and each `*` node multiplies it by the other operand.
#
# Now run it, and run `backward()` on the graph itself:

# %%
output, grads = graph([-3.0, 1.0, 6.8813735870195432], [2.0, 0.0])
o.backward()
print(f"{'':<6}{'compiled':>22}{'backward()':>22}")
print(f"{'o':<6}{output:>22.17f}{o.data:>22.17f}")
for p, g in zip(params, grads):
    print(f"{'d' + p.label:<6}{g:>22.17f}{p.grad:>22.17f}")
assert output == o.data and grads == [p.grad for p in params]

# %% [markdown]
# The compiled function takes any values, not only the ones it was recorded with. Here the neuron
# is far into tanh's flat part, where $1 - o^2$ is tiny:

# %%
new_values = {"x1": 1.5, "x2": -0.5, "w1": 2.0, "w2": -3.0, "b": 0.25}
output, grads = graph([new_values["w1"], new_values["w2"], new_values["b"]], [new_values["x1"], new_values["x2"]])
o2, params2, _ = neuron(*new_values.values())
o2.backward()
print(f"o = {output!r}   dw1 = {grads[0]!r}   dw2 = {grads[1]!r}   db = {grads[2]!r}")
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
print(f"a = {output:.6f}, ∂a/∂w = {[round(g, 6) for g in grads[:3]]}, ∂a/∂b = {grads[3]:.6f}")
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
    c = a * b + b**3
    return c.relu() / 2 + (1 - a).log()


a, b = Value(-4.0, "a"), Value(2.0, "b")
g = readme_graph(a, b)
g.label = "g"
small = compile_graph(g, [a, b])
Code(small.source)

# %%
print(f"{'a':>6}{'b':>6}{'relu active':>13}{'g':>22}{'dg/da':>22}{'dg/db':>22}")
for a_value, b_value in [(-4.0, 2.0), (-4.0, 1.0), (0.5, 3.0), (0.5, -3.0)]:
    output, (da, db) = small([a_value, b_value])
    a, b = Value(a_value), Value(b_value)
    g = readme_graph(a, b)
    g.backward()
    active = (a * b + b**3).data > 0  # relu's input
    print(f"{a_value:>6}{b_value:>6}{active!s:>13}{output:>22.15f}{da:>22.15f}{db:>22.15f}")
    assert (output, da, db) == (g.data, a.grad, b.grad)

# %% [markdown]
# ## A batch: the structure repeats, the code loops
#
# The loss of a batch repeats one structure per example: the same network, the same loss term,
# on other numbers. Written out node by node, 100 examples of micrograd's demo network make
# tens of thousands of lines. The compiler notices the repetition and writes the example's code
# once, in a `for` loop over the examples, still adding up the gradients in exactly the order
# `backward()` does. Here is the max-margin loss of a small network on 12 points of the two moons
# (labels $\pm 1$; the labels come from outside the function, so they are constants, baked in):

# %%
X, classes = make_moons(12, noise=0.1, seed=0)
y = [2 * c - 1 for c in classes]
net = MLP(2, [4, 1], seed=0)
batch = compile_function(lambda X: hinge_loss([net(x) for x in X], y), net.parameters(), X)
print(batch)
display(Code(batch.source))

# %% [markdown]
# Four kinds of line here look odd, and each does what `backward()` itself does:
#
# - `c_i_0_values = (...)`: the labels $y = \pm 1$, constants of the graph, one per example, which the
#   loop reads as it goes.
# - `v35 = 0.0 + v34_0`: the loss adds up the examples with Python's `sum()`, which starts from 0. That 0
#   became a constant of the graph, and the code adds it like any other operand. It changes no bit of a
#   nonzero result ($0 + x = x$), but it is in the graph, so it is in the code.
# - `g_w_1_0_0, g_w_1_0_1, ... = grads`: the gradient of each parameter is a sum of contributions, one per
#   use in each example, which the code adds up. Like `backward()`, each sum starts where the parameter's
#   gradient starts: at $-0.0$ when the graph is called ($-0.0 + x$ is exactly $x$ for every float, the
#   sign of a zero included, whereas $0.0 + (-0.0)$ is $+0.0$), or at what `.grad` already holds with
#   `run()`, which adds to `.grad` exactly as `backward()` does.
# - `skip = ...` and `if skip and ...: continue`: an example outside the margin gets a zero gradient at
#   its relu, and from that line on it would add only $\pm 0$ to each sum. The loop skips the rest of it
#   when that changes no bit: when every number it would multiply by is finite ($0 \cdot \infty$ is NaN),
#   and no sum holds $-0.0$ (which $+0.0$ would turn into $+0.0$). Here every sum starts at $-0.0$, so
#   every example runs; with the demo's L2 penalty, which adds to every sum before the loop, the examples
#   outside the margin are skipped, and the compiled step does only the work of those inside it.

# %%
unrolled = compile_function(lambda X: hinge_loss([net(x) for x in X], y), net.parameters(), X, unroll=True)
print(f"with the loop: {len(batch.source.splitlines())} lines; written out: {len(unrolled.source.splitlines())} lines")

loss = hinge_loss([net(x) for x in X], y)
net.zero_grad()
loss.backward()
for compiled in (batch, unrolled):
    output, grads = compiled([p.data for p in net.parameters()], X)
    assert output == loss.data and grads == [p.grad for p in net.parameters()]
print(f"loss {loss.data:.6f}: the loop, the written-out code and backward() agree on every bit")

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
