"""Classic mistakes in backprop, sgd_step and training_loop, as data: each the reference solution with one slip.

Every entry names the exercise, the mistake, the learner's source (which defines the function the
exercise is named after) and the words the feedback must hold: the equation or the step that differs and
the named slip. tests/test_exercises_backprop.py checks each one fails with those words.
"""

from __future__ import annotations

from wrong_solutions import Wrong

from micrograd.exercises import backprop, sgd

SOLUTIONS = {e.name: e.solution for module in (backprop, sgd) for e in module.EXERCISES}


def slip(exercise: str, mistake: str, old: str, new: str, *says: str) -> Wrong:
    """The reference solution of ``exercise`` with ``old`` replaced by ``new`` (which must occur exactly once)."""
    source = SOLUTIONS[exercise]
    if source.count(old) != 1:
        raise ValueError(f"{mistake}: {old!r} occurs {source.count(old)} times in the solution of {exercise}")
    return Wrong(exercise, mistake, source.replace(old, new), says)


BP1 = "delta = [(a_j - y_j) * sigmoid_prime(z_j) for a_j, y_j, z_j in zip(activations[-1], y, zs[-1])]"
BP2 = "delta = [sum(w[j][k] * delta[j] for j in range(len(w))) * sigmoid_prime(z[k]) for k in range(len(z))]"
BP4 = "nabla_w[-l] = [[a_k * delta_j for a_k in activations[-l - 1]] for delta_j in delta]"
STEP = "params[i] -= eta / m * total"
RETURN_NEW = """\
def sgd_step(params, grads, eta):
    m = len(grads)
    return [w - eta / m * sum(grad[i] for grad in grads) for i, w in enumerate(params)]
"""
REBIND = """\
def sgd_step(params, grads, eta):
    m = len(grads)
    params = [w - eta / m * sum(grad[i] for grad in grads) for i, w in enumerate(params)]
"""
ZERO, BACKWARD, UPDATE = (
    "        model.zero_grad()  # backward() adds to .grad: clear the last epoch's gradients first\n",
    "        loss.backward()  # every p.grad is now ∂C/∂p\n",
    "        for p in model.parameters():\n            p.data -= eta * p.grad  # downhill\n",
)

WRONG = (
    slip(
        "backprop",
        "BP1 without σ′",
        BP1,
        BP1.replace(" * sigmoid_prime(z_j)", ""),
        "BP1",
        "output layer 2",
        "σ′(z) is missing",
    ),
    slip("backprop", "BP1 with y − a", BP1, BP1.replace("(a_j - y_j)", "(y_j - a_j)"), "BP1", "sign is flipped"),
    slip(
        "backprop",
        "σ′ of a in BP1",
        BP1,
        BP1.replace("sigmoid_prime(z_j)", "sigmoid_prime(a_j)"),
        "BP1",
        "σ′ is taken of a",
    ),
    slip(
        "backprop",
        "BP2 without the transpose",
        BP2,
        BP2.replace("w[j][k] * delta[j]", "w[k][j] * delta[j]"),
        "BP2",
        "layer 1, neuron",
        "not transposed",
    ),
    slip(
        "backprop",
        "BP2 without σ′",
        BP2,
        BP2.replace(" * sigmoid_prime(z[k])", ""),
        "BP2",
        "layer 1",
        "σ′(z) is missing",
    ),
    slip(
        "backprop",
        "BP2 with a flipped sign",
        BP2,
        BP2.replace("delta = [sum(", "delta = [-sum("),
        "BP2",
        "sign is flipped",
    ),
    slip(
        "backprop",
        "BP4 with transposed indices",
        BP4,
        "nabla_w[-l] = [[a_k * delta_j for delta_j in delta] for a_k in activations[-l - 1]]",
        "transposed",
    ),
    slip(
        "backprop",
        "BP4 with z instead of a",
        BP4,
        BP4.replace("activations[-l - 1]]", "(zs[-l - 1] if l < len(weights) else x)]"),
        "BP4",
        "layer 2",
        "z instead of a",
    ),
    slip(
        "backprop",
        "BP4 with the activations of the layer itself",
        BP4,
        BP4.replace("activations[-l - 1]", "activations[-l]"),
        "BP4",
        "wrong layer",
    ),
    slip(
        "backprop",
        "(nabla_w, nabla_b) returned",
        "return nabla_b, nabla_w",
        "return nabla_w, nabla_b",
        "(nabla_b, nabla_w)",
    ),
    slip(
        "sgd_step", "the sum, not the mean", STEP, "params[i] -= eta * total", "parameter 0", "average", "divide by m"
    ),
    slip("sgd_step", "m the number of parameters", "m = len(grads)", "m = len(params)", "number of parameters"),
    slip("sgd_step", "uphill", STEP, "params[i] += eta / m * total", "uphill"),
    slip(
        "sgd_step",
        "one example's gradient",
        "total = sum(grad[i] for grad in grads)",
        "total = grads[-1][i]",
        "only one example",
    ),
    Wrong("sgd_step", "a new list returned", RETURN_NEW, ("params is unchanged", "new list", "in place")),
    Wrong("sgd_step", "params rebound to a new list", REBIND, ("params is unchanged", "params = [...]")),
    slip("training_loop", "no zero_grad", ZERO, "", "epoch 3", "zero_grad is forgotten"),
    slip(
        "training_loop",
        "the update between zero_grad and backward",
        ZERO + BACKWARD + UPDATE,
        ZERO + UPDATE + BACKWARD,
        "epoch 2",
        "never move",
    ),
    slip(
        "training_loop",
        "the update before zero_grad and backward",
        ZERO + BACKWARD + UPDATE,
        UPDATE + ZERO + BACKWARD,
        "epoch 2",
        "epoch before",
    ),
    slip(
        "training_loop",
        "zero_grad between backward and the update",
        ZERO + BACKWARD + UPDATE,
        BACKWARD + ZERO + UPDATE,
        "never move",
    ),
    slip("training_loop", "uphill", "p.data -= eta * p.grad", "p.data += eta * p.grad", "epoch 2", "uphill"),
    slip("training_loop", "the cost summed, not averaged", ") / len(X)", ")", "epoch 1", "sum over the examples"),
    slip("training_loop", "the cost without ½", "sum(0.5 * (model(x)", "sum((model(x)", "epoch 1", "misses the ½"),
)
