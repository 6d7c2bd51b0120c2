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
# # Build micrograd yourself
#
# In notebook 01 you watched backpropagation; here you write it. You will write the local derivative
# of each op, your own `Value` with `+`, `*` and `tanh`, a topological sort and `backward()`; you
# will meet the `a + a` bug and fix it; you will build a neuron and train it with your own engine.
# Then the same thing layer by layer: the four equations of backpropagation (BP1–BP4) in plain
# floats, and the gradient descent update. Each exercise is graded by micrograd's engine.
# About two hours.
#
# Before this: `01_chain_rule`. Next: `02_one_neuron`.
#
# **How the exercises work.** Each one has a cell of starter code: edit it, run it, then run the
# cell below it, `ex.check(...)`, which grades what you wrote against micrograd on many cases and
# says what passed, or the first thing that differs (the op, the node, the equation) and why.
# Stuck? `ex.hint("value")` gives the next hint, one at a time; `ex.solution("value")` shows a
# reference solution, only when you ask. As stored, every starter runs and every check says
# "not yet": that is where you begin.

# %%
import math
import random
import sys

from micrograd import Value as MicrogradValue
from micrograd import exercises as ex
from micrograd.exercises.graph import DEPTH  # the depth of the chain the topological sort is checked on

ex.exercises()

# %% [markdown]
# ## 1. Local derivatives
#
# Backpropagation never differentiates a whole expression at once. Each op knows one thing: how
# its output moves when one of its inputs moves, its *local derivative* ∂out/∂x. The chain rule
# of notebook 01 does the rest, multiplying local derivatives along each path from the output.
# So the local derivatives are the whole of the calculus in an autodiff engine: get them right
# once, and every expression built from those ops differentiates correctly.
#
# **Write** `local_derivatives`: for each op a plain float function. For `+` and `*` it takes
# `(x, y)` and returns the pair (∂out/∂x, ∂out/∂y); for `"**n"` it takes `(x, n)` and returns
# ∂out/∂x of xⁿ; for `exp`, `tanh`, `sigmoid` and `relu` it takes `x`. The check compares with
# micrograd's ops at random points and at the edge points: tanh and sigmoid far out, where they
# are flat, exp where it nearly underflows and overflows, and relu at its kink, x = 0, where no
# derivative exists and a convention decides. micrograd, like PyTorch, takes 0 there:

# %%
kink = MicrogradValue(0.0)
kink.relu().backward()
print(f"micrograd: relu'(0) = {kink.grad:g}")
assert kink.grad == 0.0

# %% tags=["exercise:local_derivatives"]
import math

local_derivatives = {
    "+": lambda x, y: (0.0, 0.0),  # (∂out/∂x, ∂out/∂y) for out = x + y
    "*": lambda x, y: (0.0, 0.0),  # (∂out/∂x, ∂out/∂y) for out = x * y
    "**n": lambda x, n: 0.0,  # ∂out/∂x for out = x ** n, n a constant
    "exp": lambda x: 0.0,
    "tanh": lambda x: 0.0,
    "sigmoid": lambda x: 0.0,  # sigmoid(x) = 1 / (1 + exp(-x))
    "relu": lambda x: 0.0,  # relu(x) = max(0, x)
}

# %%
ex.check("local_derivatives", local_derivatives)

# %% [markdown]
# ## 2. Your own `Value`
#
# A `Value` wraps a float and remembers how it was made: `_prev` holds its children (the values
# it was computed from), `_op` the op, and `_backward` a small function that, once `out.grad`
# (∂root/∂out) is known, passes it on to the children through the local derivatives:
# child.grad gets ∂out/∂child · out.grad. `backward()` then only has to call every node's
# `_backward` in the right order, starting at the root, whose grad is ∂root/∂root = 1.
#
# ### The bug everyone meets first
#
# Here is the first version most of us write, with `+` only. Each `_backward` sets the children's
# grads, which looks natural: the grad of `self` *is* out.grad times the local derivative, 1.
# Its `backward()` collects the graph depth first (a node goes into `order` after its children)
# and calls `_backward` from the root down.


# %%
class FirstValue:
    def __init__(self, data, _children=(), _op=""):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    def __add__(self, other):
        other = other if isinstance(other, FirstValue) else FirstValue(other)
        out = FirstValue(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad = out.grad  # ∂out/∂self = 1
            other.grad = out.grad  # ∂out/∂other = 1

        out._backward = _backward
        return out

    def backward(self):
        order, visited = [], set()

        def build(node):
            if node not in visited:
                visited.add(node)
                for child in node._prev:
                    build(child)
                order.append(node)

        build(self)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()


# %% [markdown]
# Now use one value twice: `b = a + a` at a = 3. Since b = 2a, db/da = 2.

# %%
a = FirstValue(3.0)
b = a + a
b.backward()
print(f"FirstValue: b = {b.data:g}, a.grad = {a.grad:g}")

reference_a = MicrogradValue(3.0)
(reference_a + reference_a).backward()
print(f"micrograd:  a.grad = {reference_a.grad:g}")
assert (b.data, a.grad, reference_a.grad) == (6.0, 1.0, 2.0)

# %% [markdown]
# The grad of `a` is 1, not 2. Why: `b._backward` runs once, with `self` and `other` both `a`.
# The first line sets `a.grad = 1`, and the second sets it to 1 *again*: the contribution of the
# second use overwrites the first instead of adding to it. The chain rule says that when a value
# feeds the output along several paths, its derivative is the **sum** over the paths (you saw it
# in notebook 01, "A value used twice"). The same happens whenever a node feeds two ops, as every
# weight of a network does when the loss adds up the errors of several examples.
#
# The checker finds this bug on its own: it builds expressions with node reuse, compares every
# grad with micrograd's, names the first node that differs and draws the graph with that node
# highlighted.

# %%
ex.check("value", FirstValue)

# %% [markdown]
# The fix is one character per line: add, do not assign. With `+=` each use of `a` adds its share,
# and grads start at 0 so the sum is right.


# %%
class FixedValue(FirstValue):
    def __add__(self, other):
        other = other if isinstance(other, FixedValue) else FixedValue(other)
        out = FixedValue(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad  # += : each use of self adds its share
            other.grad += out.grad

        out._backward = _backward
        return out


a = FixedValue(3.0)
b = a + a
b.backward()
print(f"FixedValue: a.grad = {a.grad:g}")
assert a.grad == reference_a.grad == 2.0

# %% [markdown]
# ### Exercise: the whole `Value`
#
# **Write** `Value` with `+`, `*` and `tanh`, and `backward()`. Each op makes a new `Value` whose
# `_backward` adds ∂out/∂child · out.grad to each child's grad: for `out = a * b`, ∂out/∂a is
# `b.data`; for `out = a.tanh()`, it is 1 − out.data². `backward()` orders the graph (as
# `FirstValue` does), sets the root's grad to 1, then calls every `_backward`, root first. A number
# on either side of an op must work (`2 * a`, `a + 1`): that is what `__radd__` and `__rmul__`
# are for. You may add more ops (`-`, `/`, `**`, `exp`, `sigmoid`, `relu`): the check tests the
# ops your class has, and says which ones it skipped.

# %% tags=["exercise:value"]
import math


class Value:
    """A scalar that remembers how it was computed, and backward() to differentiate it."""

    def __init__(self, data, _children=(), _op=""):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            pass  # your code: what out.grad gives self.grad and other.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            pass  # your code

        out._backward = _backward
        return out

    def tanh(self):
        out = Value(math.tanh(self.data), (self,), "tanh")

        def _backward():
            pass  # your code

        out._backward = _backward
        return out

    def backward(self):
        pass  # your code: a topological order, the root's grad, then every _backward, root first

    def __radd__(self, other):  # other + self
        return self + other

    def __rmul__(self, other):  # other * self
        return self * other

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"


# %%
ex.check("value", Value)

# %% [markdown]
# Your `Value` on `b = a + a`, next to micrograd's: the grads agree once the check above passes.

# %%
a = Value(3.0)
b = a + a
b.backward()
print(f"your Value: a.grad = {a.grad:g}   micrograd: a.grad = {reference_a.grad:g}")

# %% [markdown]
# ## 3. A topological sort that goes deep
#
# `backward()` must call a node's `_backward` only once the node's own grad is complete, that is
# after every node that uses it has passed its share down. Ordering the graph so that every node
# comes after all of its children (a *topological order*) and walking it reversed guarantees
# exactly that. The `build` above does it recursively, one Python call per level of the graph.
# Python stops a recursion at a fixed depth, so on a long chain (a recurrent network unrolled
# over many steps, a long sum) it fails:

# %%
x = FixedValue(1.0)
y = x
for _ in range(DEPTH):
    y = y + 1.0
try:
    y.backward()
    deep = "backward() went through"
except RecursionError as error:
    deep = f"RecursionError: {error}"
print(f"a chain {DEPTH} ops deep (Python's recursion limit here is {sys.getrecursionlimit()}): {deep}")
assert deep.startswith("RecursionError")

# %% [markdown]
# **Write** `topological_sort(root)`: every node of root's graph (root and all it reaches through
# `._prev`), each exactly once and after all of its children, so the root comes last. Keep your
# own stack instead of Python's call stack, and it goes as deep as memory allows. The check gives
# it micrograd's Values: diamonds, shared subgraphs, random expressions, and a chain as deep as
# the one above.


# %% tags=["exercise:topological_sort"]
def topological_sort(root):
    """Every node of root's graph, each after all of its children: the root comes last."""
    order = [root]
    # your code: put root's children, their children, ... into order, each after all of its own children
    return order


# %%
ex.check("topological_sort", topological_sort)

# %% [markdown]
# ## 4. A neuron, a layer, a network: with your `Value`
#
# A neuron computes tanh(Σᵢ wᵢ·xᵢ + b): a weighted sum of its inputs, then a squashing function.
# Written with `Value`s, it builds a graph that your `backward()` differentiates; nothing new is
# needed for the gradient. A layer is a list of neurons reading the same inputs; a network (an
# MLP) feeds each layer's outputs to the next. As in the lecture, the last layer skips the tanh
# (`nonlin=False`), so the network's output can take any value.
#
# **Write** `Neuron`, `Layer` and `MLP` (the `Value` they use is yours, from the cell above).
# `parameters()` lists each neuron's weights, then its bias, neuron after neuron, layer after
# layer. The check writes micrograd's weights into your parameters in that order and compares the
# outputs with micrograd's MLP.

# %% tags=["exercise:mlp"]
import random


class Neuron:
    def __init__(self, nin, nonlin=True):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x):
        act = self.b  # your code: w · x + b, then tanh unless this is the last layer
        return act

    def parameters(self):
        return self.w + [self.b]


class Layer:
    def __init__(self, nin, nout, **kwargs):
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return []  # your code: every neuron's parameters, in order


class MLP:
    def __init__(self, nin, nouts):
        sz = [nin] + nouts
        self.layers = [Layer(sz[i], sz[i + 1], nonlin=i != len(nouts) - 1) for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


# %%
ex.check("mlp", MLP)

# %% [markdown]
# ### Training your neuron with your engine
#
# Four points with three inputs each, and a target of ±1 for each (the data of Andrej Karpathy's
# micrograd lecture). One neuron, the squared error summed over the points as the loss, and
# gradient descent: forward, zero the grads, `backward()`, move every parameter a little against
# its grad. Everything below runs on your `Value` and your `Neuron`; the same steps done with
# micrograd's `Value`, from the same starting weights, must give the same losses.

# %%
xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
ys = [1.0, -1.0, -1.0, 1.0]
STEPS, LEARNING_RATE = 20, 0.05


def train_yours(neuron):
    """Gradient descent with your engine: the loss before each step."""
    losses = []
    for _ in range(STEPS):
        outputs = [neuron(x) for x in xs]
        loss = sum((out + -y) * (out + -y) for out, y in zip(outputs, ys))
        for p in neuron.parameters():
            p.grad = 0.0
        loss.backward()
        for p in neuron.parameters():
            p.data -= LEARNING_RATE * p.grad
        losses.append(loss.data)
    return losses


# %% [markdown]
# The reference: the same steps with micrograd's `Value`, the neuron written out as tanh(w · x + b).


# %%
def train_micrograd(w, b):
    """The same steps with micrograd's Value, from the weights w and the bias b."""
    w, b = [MicrogradValue(wi) for wi in w], MicrogradValue(b)
    losses = []
    for _ in range(STEPS):
        outputs = [(sum((wi * xi for wi, xi in zip(w, x)), b)).tanh() for x in xs]
        loss = sum((out - y) ** 2 for out, y in zip(outputs, ys))
        for p in [*w, b]:
            p.grad = 0.0
        loss.backward()
        for p in [*w, b]:
            p.data -= LEARNING_RATE * p.grad
        losses.append(loss.data)
    return losses


# %% [markdown]
# Now train: your `Neuron(3)` with your `Value`, and micrograd from the same starting weights.

# %%
if ex.check("value", Value) and ex.check("mlp", MLP):
    random.seed(0)
    neuron = Neuron(3)
    start = [p.data for p in neuron.parameters()]  # w1, w2, w3, then b
    yours = train_yours(neuron)
    theirs = train_micrograd(start[:-1], start[-1])
    for step in (0, 1, 2, STEPS - 1):
        print(f"step {step:2d}: loss {yours[step]:.4f} (micrograd: {theirs[step]:.4f})")
    assert all(math.isclose(u, t, rel_tol=1e-9, abs_tol=1e-12) for u, t in zip(yours, theirs))
    assert yours[-1] < yours[0]
else:
    print("Finish the exercises value and mlp above first: this cell trains your Neuron with your Value.")

# %% [markdown]
# That is a complete autodiff engine and a trained neuron, all yours. The rest of the notebook
# looks at the same gradients the way textbooks write them: layer by layer, in plain floats.
#
# ## 5. BP1–BP4: backpropagation layer by layer
#
# In a layered network, `backward()` passes grads node by node. Grouped by layer, the same sums
# become four equations (chapter 2 of Michael Nielsen's *Neural Networks and Deep Learning*).
# Write $z^l_j = \sum_k w^l_{jk}\, a^{l-1}_k + b^l_j$ for the weighted input of neuron $j$ in
# layer $l$, $a^l_j = \sigma(z^l_j)$ its activation, and $\delta^l_j = \partial C / \partial z^l_j$
# its *error*: how the cost moves when that neuron's $z$ moves. Once every δ is known, every
# gradient is one product away:
#
# - **BP1**, the output layer $L$: $\delta^L_j = (a^L_j - y_j)\, \sigma'(z^L_j)$, for the cost
#   $C = \frac{1}{2} \lVert a^L - y \rVert^2$: $\partial C / \partial a^L_j$ times the local
#   derivative of σ.
# - **BP2**, one layer back: $\delta^l_k = \sigma'(z^l_k) \sum_j w^{l+1}_{jk}\, \delta^{l+1}_j$.
#   Neuron $k$ of layer $l$ feeds every neuron $j$ of the next layer, so its error is a sum over
#   those paths: the `+=` of section 2, written as a sum. (In matrices: the *transposed* weights
#   times δ.)
# - **BP3**: $\partial C / \partial b^l_j = \delta^l_j$, since $z$ moves one for one with $b$.
# - **BP4**: $\partial C / \partial w^l_{jk} = a^{l-1}_k\, \delta^l_j$, since $z$ moves by
#   $a^{l-1}_k$ per unit of that weight.
#
# **Write** `backprop(weights, biases, x, y)`, Nielsen's function, in plain floats with sigmoid
# neurons. `weights[l][j][k]` is the weight into neuron j of layer l+1 from neuron k of layer l
# (layer 0 is the input x), `biases[l][j]` the bias of neuron j of layer l+1: lists count from 0
# and the input layer has no weights, so `weights[l - 1][j][k]` is $w^l_{jk}$ above. Return
# `(nabla_b, nabla_w)`, the gradients of C for one example, shaped like `biases` and `weights`.
# Forward pass first (keep every z and every activation), then BP1, BP2 for each layer before it,
# and BP3, BP4 for the gradients. The check compares with `backward()` on the same network and
# names the equation, the layer and the neuron that differ.

# %% tags=["exercise:backprop"]
import math


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def backprop(weights, biases, x, y):
    """(nabla_b, nabla_w) for one example: ∂C/∂b and ∂C/∂w, shaped like biases and weights."""
    nabla_b = [[0.0 for b_j in b] for b in biases]
    nabla_w = [[[0.0 for w_jk in w_j] for w_j in w] for w in weights]
    # The forward pass: keep every z and every activation, x being the first activation.
    # The backward pass: BP1 for the last layer, BP2 for each layer before it; BP3 and BP4 give the gradients.
    return nabla_b, nabla_w


# %%
ex.check("backprop", backprop)

# %% [markdown]
# ## 6. The update: one step of gradient descent
#
# A gradient says which way the cost goes *up*; a step moves every parameter a little the other
# way. One example's gradient is a noisy guide, the whole data set's an expensive one, so the
# usual compromise is a *mini-batch* of m examples: average their gradients and step against the
# average:
#
# $$w \to w - \frac{\eta}{m} \sum_x \frac{\partial C_x}{\partial w}$$
#
# The η/m makes the step the size of one average gradient times the learning rate η, however many
# examples the batch holds.
#
# **Write** `sgd_step(params, grads, eta)`: `params` is a list of floats, `grads` a list of m lists
# with `grads[x][i]` = ∂Cₓ/∂wᵢ. Change `params` in place (`params[i] = ...`: the caller keeps the
# same list) and return nothing. The check compares your step with micrograd's SGD.


# %% tags=["exercise:sgd_step"]
def sgd_step(params, grads, eta):
    """w → w − (η/m) Σ_x ∂C_x/∂w for every parameter, params updated in place."""
    m = len(grads)
    for i in range(len(params)):
        pass  # move params[i] against the average of the m gradients


# %%
ex.check("sgd_step", sgd_step)

# %% [markdown]
# ## 7. The training loop
#
# Training repeats four steps: forward (the cost), zero the grads, backward, update. Zeroing is
# the `+=` of section 2 again: `backward()` adds into each parameter's grad, so without
# `model.zero_grad()` every step would also carry the gradients of all the steps before it.
#
# **Write** `training_loop(model, X, y, eta, epochs)` with micrograd: `model` is a micrograd `MLP`
# with one output, `X` a list of inputs and `y` their targets. Each epoch is one step of gradient
# descent on all the data, on the cost $C = \frac{1}{m} \sum_x \frac{1}{2} (\text{model}(x) - y(x))^2$:
# the forward pass, then `model.zero_grad()`, `C.backward()`, and `p.data -= eta * p.grad` for
# every parameter. Return the epochs' costs as floats, each before its update. The check compares
# your costs and the trained weights with BP1–BP4 computed in plain floats.


# %% tags=["exercise:training_loop"]
def training_loop(model, X, y, eta, epochs):
    """Gradient descent on C = (1/m) Σ_x ½(model(x) − y(x))²: the cost of each epoch, before its step."""
    losses = []
    for epoch in range(epochs):
        loss = sum(0.5 * (model(x) - target) ** 2 for x, target in zip(X, y)) / len(X)  # forward
        # zero the grads, backward, then move every parameter against its gradient
        losses.append(loss.data)
    return losses


# %%
ex.check("training_loop", training_loop)

# %% [markdown]
# ## What you built
#
# Local derivatives, a `Value` that differentiates any expression of its ops, a topological sort
# that goes as deep as memory allows, a network and its training, and the same gradients as the
# four equations: that is all of backpropagation. Once you have done them all, every check says
# "passed"; a teacher can grade this notebook with
# `python -m micrograd grade 11_build_it_yourself.ipynb`.
#
# Next: `02_one_neuron`, where micrograd's own engine shows δ for a single neuron, drawn.
