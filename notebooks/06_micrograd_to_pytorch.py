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
# micrograd computes one number at a time; PyTorch computes whole arrays at once, on a GPU if you
# have one. The ideas are the same: a graph of operations, local derivatives, the chain rule in
# reverse. `micrograd.torch_bridge` moves a network between the two: `to_torch(mlp)` gives a
# `torch.nn.Sequential` with the same weights, in float64, the precision of Python's floats;
# `from_torch(module)` gives the `MLP` back.
#
# On this page the same network, from the same starting weights, is trained three ways: with
# micrograd's `backward()`, with micrograd's compiled mode, and with PyTorch. The losses are shown
# side by side, and `assert`s check that they agree.
#
# **This notebook needs PyTorch**, which micrograd itself does not install. From the folder of
# micrograd: `pip install -e ".[torch]"` (or `pip install torch`), then restart the kernel.

# %%
try:
    import torch
except ImportError:
    raise ModuleNotFoundError(
        'This notebook needs PyTorch: install it with pip install -e ".[torch]" in the folder of micrograd '
        "(or pip install torch), then restart the kernel"
    ) from None
import matplotlib.pyplot as plt
from tqdm.auto import tqdm

from micrograd import MLP, Value
from micrograd.compile import compile_function
from micrograd.torch_bridge import from_torch, to_torch
from micrograd.training.data import make_moons
from micrograd.training.losses import hinge_loss, l2_penalty
from micrograd.training.optim import SGD

# %% [markdown]
# ## One network, two libraries
#
# Two inputs, two hidden layers of 16 relu neurons and one linear output, with seeded weights.
# In PyTorch it is a `Linear` layer and an activation per micrograd layer; `Identity` stands for the
# linear output.

# %%
model = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=0)
net = to_torch(model)
print(model)
print(net)

# %% [markdown]
# The weights are copied exactly: `net[0].weight[j][k]` is micrograd's `w[1][j][k]`, bit for bit,
# and the way back gives the very same numbers.

# %%
print(f"w[1][3][1] = {model.layers[0].neurons[3].w[1].data!r}")
print(f"net[0].weight[3][1] = {net[0].weight[3][1].item()!r}")
assert net[0].weight[3][1].item() == model.layers[0].neurons[3].w[1].data
back = from_torch(net)
assert [p.data for p in back.parameters()] == [p.data for p in model.parameters()]
print(f"from_torch(to_torch(model)): all {len(model.parameters())} parameters identical")

# %% [markdown]
# ## The data and the loss
#
# 100 points of the two moons, labels $\pm 1$, and the max-margin loss of micrograd's demo with a
# small weight penalty, written once for each library:
#
# $$C = \frac{1}{m} \sum_x \max\big(0,\; 1 - y\, s(x)\big) + \alpha \sum_w w^2, \qquad \alpha = 10^{-4}$$

# %%
X, classes = make_moons(100, noise=0.1, seed=0)
y = [2 * c - 1 for c in classes]
ALPHA = 1e-4


def micrograd_loss(model: MLP, X: list) -> Value:
    return hinge_loss([model(x) for x in X], y) + l2_penalty(model.parameters(), ALPHA)


X_t, y_t = torch.tensor(X, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)


def torch_loss(net: torch.nn.Module) -> torch.Tensor:
    scores = net(X_t)[:, 0]
    return torch.relu(1 - y_t * scores).mean() + ALPHA * sum((p**2).sum() for p in net.parameters())


# %% [markdown]
# Before any training, the two losses and their gradients agree to the last few bits: PyTorch
# adds the terms of its sums in another order, so the last digit may differ.

# %%
C = micrograd_loss(model, X)
model.zero_grad()
C.backward()
C_t = torch_loss(net)
C_t.backward()
grads_t = [g for layer in net[::2] for row, b in zip(layer.weight.grad, layer.bias.grad) for g in [*row, b]]
worst = max(abs(p.grad - g.item()) for p, g in zip(model.parameters(), grads_t))
print(f"loss: micrograd {C.data!r}, PyTorch {C_t.item()!r}")
print(f"largest difference between the {len(grads_t)} gradients: {worst:.1e}")
assert abs(C.data - C_t.item()) <= 1e-12 * abs(C.data)
assert worst <= 1e-12 * max(abs(p.grad) for p in model.parameters())

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

print(f"{'step':>5}{'micrograd':>22}{'compiled':>22}{'PyTorch':>22}{'|micrograd − PyTorch|':>24}")
for i in [*range(0, STEPS, 10), STEPS - 1]:
    m, c, t = losses["micrograd"][i], losses["compiled"][i], losses["PyTorch"][i]
    print(f"{i + 1:>5}{m:>22.16f}{c:>22.16f}{t:>22.16f}{abs(m - t):>24.1e}")

# %% [markdown]
# The compiled mode takes exactly the steps of `backward()`: the same float operations in the same
# order. PyTorch rounds its sums differently in the last bit, and those differences stay that small.

# %%
assert losses["compiled"] == losses["micrograd"]
assert all(abs(m - t) <= 1e-9 * m for m, t in zip(losses["micrograd"], losses["PyTorch"]))

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.5))
for name, style in [("micrograd", "-"), ("compiled", "--"), ("PyTorch", ":")]:
    left.plot(range(1, STEPS + 1), losses[name], style, label=name, linewidth=2)
left.set(xlabel="step", ylabel="loss", title="The same training, three ways")
left.legend()
gap = [max(abs(m - t), 1e-18) for m, t in zip(losses["micrograd"], losses["PyTorch"])]
right.semilogy(range(1, STEPS + 1), gap)
right.set(xlabel="step", ylabel="|micrograd − PyTorch|", title="How far apart the losses are")
plt.tight_layout()
plt.show()

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
right = sum((s > 0) == (label > 0) for s, label in zip(scores_torch, y))
print(f"the two trained networks classify {agree} of {len(X)} points alike; accuracy {right}/{len(X)}")
print(f"largest difference between their scores: {max(abs(s - t) for s, t in zip(scores_micrograd, scores_torch)):.1e}")
assert agree == len(X)
assert all(abs(s - t) <= 1e-9 * max(1.0, abs(s)) for s, t in zip(scores_micrograd, scores_torch))
