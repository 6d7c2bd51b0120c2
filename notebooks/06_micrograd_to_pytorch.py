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
# # From micrograd to PyTorch
#
# micrograd computes one number at a time; PyTorch computes whole arrays (tensors) at once, on a GPU
# if you have one. The ideas are the same: a graph of operations, local derivatives, the chain rule
# in reverse. On this page you write the lecture's neuron in PyTorch next to micrograd's
# (`requires_grad=True`, `.backward()`, `.grad`), a whole layer on a whole batch as one matrix
# product `X @ W.T + b`, and the backward pass of a layer as another one; then the same network,
# from the same starting weights, is trained with micrograd, with micrograd's compiled code and with
# PyTorch, and the three agree. About 30 minutes.
#
# Before this: "Backprop as code" (05). Next: "Derivatives of derivatives" (07).
#
# **This notebook needs PyTorch**, which micrograd itself does not install. From the folder of
# micrograd: `pip install -e ".[torch]"` (or `pip install torch`), then restart the kernel. PyTorch does
# not run in a browser tab: in the browser lab, the first cell below says so and how to run this notebook
# on your computer, and the cells after it are not run.

# %%
import sys

if sys.platform == "emscripten":  # Python running in this browser tab (the browser lab): PyTorch cannot run here
    from IPython import get_ipython

    print(
        "PyTorch does not run in the browser, so the cells of this notebook are not run here:\n"
        "each one below only says so. To run this notebook, on your computer, in the folder of micrograd:\n"
        '    pip install -e ".[torch]" jupyterlab\n'
        "    jupyter lab notebooks/06_micrograd_to_pytorch.ipynb"
    )
    skip = 'print("not run: this cell needs PyTorch, which does not run in the browser")\n'
    get_ipython().input_transformers_post.append(lambda lines: [skip])  # every cell from here on

# %%
try:
    import torch
except ImportError:
    raise ModuleNotFoundError(
        'This notebook needs PyTorch: install it with pip install -e ".[torch]" in the folder of micrograd '
        "(or pip install torch), then restart the kernel"
    ) from None
from tqdm.auto import tqdm

from micrograd import MLP, Value
from micrograd.compile import compile_function
from micrograd.lab.plot import line_plot
from micrograd.torch_bridge import from_torch, to_torch
from micrograd.training.data import make_moons
from micrograd.training.losses import hinge_loss, l2_penalty
from micrograd.training.optim import SGD

# %% [markdown]
# ## The lecture's neuron, twice
#
# The neuron of micrograd's first lecture, $o = \tanh(x_1 w_1 + x_2 w_2 + b)$, in micrograd:

# %%
x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
w1, w2, b = Value(-3.0, "w1"), Value(1.0, "w2"), Value(6.8813735870195432, "b")
n = x1 * w1 + x2 * w2 + b
o = n.tanh()
o.backward()
print(f"o = {o.data:.4f}   ∂o/∂n = {n.grad:.4f}   ∂o/∂w1 = {w1.grad:.4f}   ∂o/∂x1 = {x1.grad:.4f}")

# %% [markdown]
# and in PyTorch. A number is a `torch.tensor` (here of no dimension: a scalar). Three things to
# write, each with its reason:
#
# - `dtype=torch.float64`: Python's floats, and micrograd's, are 64-bit; PyTorch's default is 32-bit
#   (about 7 significant digits), which would make the two disagree in the 8th digit.
# - `requires_grad=True` on the leaves whose gradient you want. micrograd computes a gradient for
#   every `Value`; PyTorch records a graph only through tensors that ask for it, so that a
#   network's data, which needs no gradient, costs no bookkeeping.
# - `.grad` after `.backward()` is kept for those leaves only. An interior node such as `n` keeps its
#   gradient only if asked, with `n_t.retain_grad()` before `backward()`.

# %%
x1_t = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
x2_t = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
w1_t = torch.tensor(-3.0, dtype=torch.float64, requires_grad=True)
w2_t = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
b_t = torch.tensor(6.8813735870195432, dtype=torch.float64, requires_grad=True)
n_t = x1_t * w1_t + x2_t * w2_t + b_t
n_t.retain_grad()  # an interior node: keep its gradient too
o_t = torch.tanh(n_t)
o_t.backward()

pairs = {"o": (o.data, o_t), "∂o/∂n": (n.grad, n_t.grad)}
pairs |= {f"∂o/∂{v.label}": (v.grad, t.grad) for v, t in [(x1, x1_t), (x2, x2_t), (w1, w1_t), (w2, w2_t), (b, b_t)]}
print(f"{'':>7}{'micrograd':>11}{'PyTorch':>9}")
for name, (ours, theirs) in pairs.items():
    print(f"{name:>7}{ours:>11.4f}{theirs.item():>9.4f}")
assert all(abs(ours - theirs.item()) <= 1e-15 for ours, theirs in pairs.values())

# %% [markdown]
# The same numbers as in the lecture: $o = 0.7071$, and $\partial o/\partial n = 1 - o^2 = 0.5$
# flows back to every input. A tensor holds its number as `.item()`, its gradient as another tensor
# in `.grad`. As in micrograd, the leaves' `.grad` *add up* over calls to `backward()`: a training
# loop clears them first (`optimizer.zero_grad()`).

# %%
assert (f"{o_t.item():.4f}", f"{n_t.grad.item():.4f}") == ("0.7071", "0.5000")
assert 1e-8 < torch.finfo(torch.float32).eps < 1e-6  # float32: about 7 significant digits

# %% [markdown]
# ## One network, two libraries
#
# The network of the notebook "Training on moons": two inputs, two hidden layers of 16 relu
# neurons, one linear output, with seeded weights. `micrograd.torch_bridge` moves it between the
# two libraries: `to_torch(mlp)` gives a `torch.nn.Sequential` with the same weights, in float64;
# `from_torch(module)` gives the `MLP` back. In PyTorch each micrograd layer becomes a `Linear`
# module (the weighted sums) followed by its activation; `Identity` stands for the linear output.

# %%
model = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=0)
net = to_torch(model)
print(model)
print(net)
first, second, output = [module for module in net if isinstance(module, torch.nn.Linear)]  # the three layers

# %% [markdown]
# The weights are copied exactly: `first.weight[j][k]` is micrograd's `w[1][j][k]`, the weight to
# neuron $j$ of layer 1 from input $k$, bit for bit, and the way back gives the very same numbers.

# %%
print(f"micrograd w[1][3][1] = {model.layers[0].neurons[3].w[1].data:.6f}")
print(f"PyTorch first.weight[3][1] = {first.weight[3][1].item():.6f}")
assert first.weight[3][1].item() == model.layers[0].neurons[3].w[1].data
back = from_torch(net)
assert [p.data for p in back.parameters()] == [p.data for p in model.parameters()]
print(f"from_torch(to_torch(model)): all {len(model.parameters())} parameters identical")

# %% [markdown]
# ## A layer as one matrix product
#
# micrograd computes a layer neuron by neuron and point by point: $z_j = \sum_k w_{jk} x_k + b_j$.
# PyTorch computes it for every neuron and every point of a batch at once. Put the $m$ points as the
# rows of a matrix $X$ ($m \times 2$), the weights as the rows of $W$ ($16 \times 2$, row $j$ the
# weights *to* neuron $j$), and the biases in a vector $b$:
#
# $$Z = X W^\top + b, \qquad Z_{ij} = \sum_k X_{ik} W_{jk} + b_j$$
#
# Row $i$ of $Z$ is the layer's $z$ for point $i$; $W^\top$ because $W$'s rows are neurons while the
# sum runs over inputs. `+ b` adds the vector to every row (*broadcasting*). That is what a
# `Linear` module computes. The 100 points of the two moons, through the first layer:

# %%
X, classes = make_moons(100, noise=0.1, seed=0)
y = [2 * c - 1 for c in classes]
X_t = torch.tensor(X, dtype=torch.float64)  # one point per row: 100 × 2
W, b_vector = first.weight, first.bias  # 16 × 2 and 16
Z = X_t @ W.T + b_vector
print(f"X: {tuple(X_t.shape)}   W: {tuple(W.shape)}   W.T: {tuple(W.T.shape)}   b: {tuple(b_vector.shape)}")
print(f"Z = X @ W.T + b: {tuple(Z.shape)}, one row per point, one column per neuron")
score_7 = model(X[7])  # micrograd, point 7: while its graph lives, each layer keeps its z
z_micrograd = [z.data for z in model.layers[0].z]
print(f"point 7, neuron 3: micrograd z = {z_micrograd[3]:.6f}, Z[7][3] = {Z[7][3].item():.6f}")
assert (tuple(X_t.shape), tuple(W.shape), tuple(Z.shape)) == ((100, 2), (16, 2), (100, 16))
assert torch.allclose(Z, first(X_t), rtol=1e-15, atol=1e-15)  # a Linear module is this product
assert max(abs(a - t) for a, t in zip(z_micrograd, Z[7].tolist())) <= 1e-15

# %% [markdown]
# The whole network is three such products, each followed by its activation; it is what `net`
# computes:

# %%
A1 = torch.relu(X_t @ first.weight.T + first.bias)
A2 = torch.relu(A1 @ second.weight.T + second.bias)
scores = A2 @ output.weight.T + output.bias  # 100 × 1: one score per point
assert torch.allclose(scores, net(X_t), rtol=1e-15, atol=1e-15)
worst_score = max(abs(model(x).data - s) for x, s in zip(X, scores[:, 0].tolist()))
print(f"scores of the 100 points: {tuple(scores.shape)}; largest difference from micrograd's: {worst_score:.1e}")
assert worst_score <= 1e-14

# %% [markdown]
# ## The loss, and backward as matrix products
#
# The max-margin loss of micrograd's demo with a small weight penalty, written once for each
# library:
#
# $$C = \frac{1}{m} \sum_x \max\big(0,\; 1 - y\, s(x)\big) + \alpha \sum_w w^2, \qquad \alpha = 10^{-4}$$

# %%
ALPHA = 1e-4


def micrograd_loss(model: MLP, X: list) -> Value:
    return hinge_loss([model(x) for x in X], y) + l2_penalty(model.parameters(), ALPHA)


y_t = torch.tensor(y, dtype=torch.float64)


def torch_loss(net: torch.nn.Module) -> torch.Tensor:
    scores = net(X_t)[:, 0]  # the only column: one score per point
    return torch.relu(1 - y_t * scores).mean() + ALPHA * sum((p**2).sum() for p in net.parameters())


# %% [markdown]
# Before any training, the two losses and all 337 gradients agree to the last bits: PyTorch adds
# the terms of its sums in another order, so the last binary digit may differ.

# %%
C = micrograd_loss(model, X)
model.zero_grad()
C.backward()
C_t = torch_loss(net)
C_t.backward()
# PyTorch's gradients in micrograd's order: layer by layer, each neuron's weights then its bias
torch_grads = [
    g
    for linear in (first, second, output)
    for row, b_j in zip(linear.weight.grad, linear.bias.grad)
    for g in [*row, b_j]
]
worst = max(abs(p.grad - g.item()) for p, g in zip(model.parameters(), torch_grads))
print(f"loss: micrograd {C.data:.6f}, PyTorch {C_t.item():.6f}, difference {abs(C.data - C_t.item()):.1e}")
print(f"largest difference between the {len(torch_grads)} gradients: {worst:.1e}")
assert len(torch_grads) == len(model.parameters()) == 337
assert abs(C.data - C_t.item()) <= 1e-12 * abs(C.data)
assert worst <= 1e-12 * max(abs(p.grad) for p in model.parameters())

# %% [markdown]
# The backward pass of a layer is matrix products too. Write $\Delta$ for the matrix of the
# layer's $\delta = \partial C/\partial z$, one row per point ($100 \times 16$). BP4,
# $\partial C/\partial w_{jk} = \sum_x \delta_j\, a_k$ (here $a_k$ is the input $x_k$), summed
# over the points, is one product, and BP3 a sum down the columns:
#
# $$\frac{\partial C}{\partial W} = \Delta^\top X, \qquad \frac{\partial C}{\partial b} = \sum_i \Delta_{i\cdot}$$
#
# PyTorch gives $\Delta$ as the gradient of $Z$, kept with `retain_grad()`:

# %%
first.weight.grad, first.bias.grad = None, None  # clear the first layer's gradients (None: nothing yet)
Z1 = X_t @ first.weight.T + first.bias
Z1.retain_grad()
scores_1 = output(torch.relu(second(torch.relu(Z1))))[:, 0]
C_hinge = torch.relu(1 - y_t * scores_1).mean()  # the hinge part: the penalty adds 2αW to ∂C/∂W directly
C_hinge.backward()
Delta = Z1.grad  # 100 × 16: δ of each neuron of layer 1 at each point
print(f"Δ: {tuple(Delta.shape)}   Δᵀ X: {tuple((Delta.T @ X_t).shape)}   ∂C/∂W: {tuple(first.weight.grad.shape)}")
print(f"largest difference between Δᵀ X and PyTorch's ∂C/∂W: {(Delta.T @ X_t - first.weight.grad).abs().max():.1e}")
assert tuple(Delta.shape) == (100, 16)
assert torch.allclose(first.weight.grad, Delta.T @ X_t, rtol=1e-12, atol=1e-15)
assert torch.allclose(first.bias.grad, Delta.sum(dim=0), rtol=1e-12, atol=1e-15)

# %% [markdown]
# The $\frac{1}{m}$ of the mean is inside $\Delta$; the $\sum_x$ of BP4 is the sum that the matrix
# product makes over the 100 rows. What micrograd does with a loop over the points and one `+=`
# per point and weight (see the generated code of "Backprop as code"), PyTorch does in one call.

# %% [markdown]
# ## Training, three ways
#
# Full-batch gradient descent, learning rate 0.5, 60 steps, each way from the same starting weights:
#
# - micrograd: build the graph, `zero_grad()`, `backward()`, `SGD.step()`;
# - micrograd compiled: the step's graph recorded once and generated as Python (see the notebook
#   "Backprop as code"), then for each step `zero_grad()`, `run(X)`, `SGD.step()`;
# - PyTorch: `zero_grad()`, `backward()`, `torch.optim.SGD.step()`.
#
# It takes some seconds: the bar shows the steps done.

# %%
STEPS, LR = 60, 0.5
eager_model = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=0)
compiled_model = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=0)
net = to_torch(eager_model)

eager_opt = SGD(eager_model.parameters(), lr=LR)
compiled_opt = SGD(compiled_model.parameters(), lr=LR)
torch_opt = torch.optim.SGD(net.parameters(), lr=LR)
step = compile_function(lambda X: micrograd_loss(compiled_model, X), compiled_model.parameters(), X)

losses = {"micrograd": [], "compiled": [], "PyTorch": []}
for _ in tqdm(range(STEPS), desc="training three ways", unit="step"):
    C = micrograd_loss(eager_model, X)
    eager_opt.zero_grad()
    C.backward()
    eager_opt.step()
    losses["micrograd"].append(C.data)

    compiled_opt.zero_grad()
    losses["compiled"].append(step.run(X))
    compiled_opt.step()

    torch_opt.zero_grad()
    C_t = torch_loss(net)
    C_t.backward()
    torch_opt.step()
    losses["PyTorch"].append(C_t.item())

print(f"{'step':>5}{'micrograd':>11}{'compiled':>10}{'PyTorch':>9}{'|micrograd − PyTorch|':>24}")
for i in [*range(0, STEPS, 10), STEPS - 1]:
    m, c, t = losses["micrograd"][i], losses["compiled"][i], losses["PyTorch"][i]
    print(f"{i + 1:>5}{m:>11.4f}{c:>10.4f}{t:>9.4f}{abs(m - t):>24.1e}")
gap = max(abs(m - t) for m, t in zip(losses["micrograd"], losses["PyTorch"]))
print(f"over all {STEPS} steps: compiled = micrograd bit for bit; largest |micrograd − PyTorch| {gap:.1e}")

# %% [markdown]
# The compiled mode takes exactly the steps of `backward()`: the same float operations in the same
# order, so the same bits. PyTorch rounds its sums differently in the last bit, and over 60 steps
# those differences stay below $10^{-15}$, far below anything training can feel. The three curves
# lie on one another:

# %%
assert losses["compiled"] == losses["micrograd"]
assert all(abs(m - t) <= 1e-9 * m for m, t in zip(losses["micrograd"], losses["PyTorch"]))
assert gap <= 1e-15

line_plot({name: losses[name] for name in ("micrograd", "compiled", "PyTorch")}, xlabel="step", ylabel="loss",
          title="The same training, three ways")  # fmt: skip

# %% [markdown]
# ## And back
#
# The network trained by PyTorch, read back into micrograd, scores the points like the one micrograd
# trained:

# %%
trained = from_torch(net)
scores_torch = [trained(x).data for x in X]
scores_micrograd = [eager_model(x).data for x in X]
agree = sum((s > 0) == (t > 0) for s, t in zip(scores_micrograd, scores_torch))
correct = sum((s > 0) == (label > 0) for s, label in zip(scores_torch, y))
print(f"the two trained networks classify {agree} of {len(X)} points alike; {correct} of {len(X)} correctly")
print(f"largest difference between their scores: {max(abs(s - t) for s, t in zip(scores_micrograd, scores_torch)):.1e}")
assert agree == len(X)
assert all(abs(s - t) <= 1e-9 * max(1.0, abs(s)) for s, t in zip(scores_micrograd, scores_torch))
