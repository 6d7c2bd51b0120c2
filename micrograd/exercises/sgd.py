"""The exercises sgd_step and training_loop: the mini-batch update, and a training loop that zeroes the grads.

sgd_step is graded against micrograd's SGD stepping on the batch-mean cost (the engine), training_loop
against the closed form (micrograd.equations: BP1–BP4 and the batch average in plain floats, never
reading .grad). Where the learner's numbers are those of a classic slip (the sum for the mean, the sign,
a forgotten zero_grad, an update before backward), the checker names it.
"""

from __future__ import annotations

import copy
import functools
import math
from collections.abc import Callable, Sequence

from micrograd.checks import is_number, is_sequence, type_name
from micrograd.engine import Value
from micrograd.equations import backprop_batch
from micrograd.exercises.core import Exercise, Result, all_close, close, crashed
from micrograd.nn import MLP
from micrograd.training.data import make_moons
from micrograd.training.losses import quadratic_cost
from micrograd.training.optim import SGD

__all__ = ["EXERCISES", "batch", "check_sgd_step", "check_training_loop", "closed_form_run", "per_example_grads"]

# The cases of sgd_step: (seed, examples m, η); m differs from the number of parameters, and never 1.
STEP_CASES = ((0, 4, 0.5), (1, 3, 0.1), (2, 6, 1.0))
LOOP_CASES = ((0, 0.3, 4), (1, 0.5, 3))  # the cases of training_loop: (seed, η, epochs)

STEP_STATEMENT = """\
Write sgd_step(params, grads, eta): one step of gradient descent on a mini-batch of m examples.
params is a list of floats (the network's parameters); grads is a list of m lists, grads[x][i] = ∂C_x/∂w_i,
the gradient of example x's cost for parameter i. Update params IN PLACE (params[i] = ...) by
w → w − (η/m) Σ_x ∂C_x/∂w, and return nothing. The check compares your step with micrograd's SGD."""

STEP_STARTER = '''\
def sgd_step(params, grads, eta):
    """w → w − (η/m) Σ_x ∂C_x/∂w for every parameter, params updated in place."""
    m = len(grads)
    for i in range(len(params)):
        pass  # move params[i] against the average of the m gradients
'''

STEP_SOLUTION = '''\
def sgd_step(params, grads, eta):
    """w → w − (η/m) Σ_x ∂C_x/∂w for every parameter, params updated in place."""
    m = len(grads)
    for i in range(len(params)):
        total = sum(grad[i] for grad in grads)  # Σ_x ∂C_x/∂w_i
        params[i] -= eta / m * total
'''

STEP_HINTS = (
    "grads holds one gradient per example: m = len(grads), and Σ_x ∂C_x/∂w_i is sum(grad[i] for grad in grads).",
    "The step goes downhill: subtract (η/m) times the sum, so the cost goes down; η/m makes it the average gradient.",
    "In place means changing the list you were given: params[i] -= ..., not params = [...] (which makes a new "
    "list that the caller never sees) and not return [...].",
)

LOOP_STATEMENT = """\
Write training_loop(model, X, y, eta, epochs) with micrograd: model is an MLP with one output, X a list of
inputs, y their targets. Each epoch does one step of gradient descent on the whole data: the forward pass
and the cost C = (1/m) Σ_x ½(model(x) − y(x))², then model.zero_grad(), C.backward(), and p.data -= eta * p.grad
for every p in model.parameters(). Return the list of the epochs' costs as floats (each before its update).
The check compares your costs and the trained weights with BP1–BP4 computed in plain floats."""

LOOP_STARTER = '''\
def training_loop(model, X, y, eta, epochs):
    """Gradient descent on C = (1/m) Σ_x ½(model(x) − y(x))²: the cost of each epoch, before its step."""
    losses = []
    for epoch in range(epochs):
        loss = sum(0.5 * (model(x) - target) ** 2 for x, target in zip(X, y)) / len(X)  # forward
        # zero the grads, backward, then move every parameter against its gradient
        losses.append(loss.data)
    return losses
'''

LOOP_SOLUTION = '''\
def training_loop(model, X, y, eta, epochs):
    """Gradient descent on C = (1/m) Σ_x ½(model(x) − y(x))²: the cost of each epoch, before its step."""
    losses = []
    for epoch in range(epochs):
        loss = sum(0.5 * (model(x) - target) ** 2 for x, target in zip(X, y)) / len(X)  # forward
        model.zero_grad()  # backward() adds to .grad: clear the last epoch's gradients first
        loss.backward()  # every p.grad is now ∂C/∂p
        for p in model.parameters():
            p.data -= eta * p.grad  # downhill
        losses.append(loss.data)
    return losses
'''

LOOP_HINTS = (
    "Four steps each epoch, in this order: forward (the cost), zero the grads, backward, update.",
    "backward() adds into p.grad (leaves accumulate, as in PyTorch): without model.zero_grad() each step "
    "also carries every earlier epoch's gradient.",
    "The update reads p.grad, so it comes after loss.backward() in the same epoch, and it subtracts: "
    "p.data -= eta * p.grad.",
)

NO_MEAN = "the step uses the sum of the gradients, not their average: divide by m = len(grads), the number of examples."
WRONG_M = "the sum is divided by the number of parameters; m is the number of examples, len(grads)."
SIGN = "the step goes uphill: subtract the gradient (w − η·∂C/∂w), so the cost goes down."
ONE_EXAMPLE = "only one example's gradient is used: the step averages the gradients of all m examples."
NEW_LIST = (
    "the new values are returned as a new list, but params itself is unchanged: update it in place, params[i] -= ..."
)
NOT_IN_PLACE = (
    "sgd_step must change the list it is given, params[i] -= ... for every i. (If you wrote params = [...] inside "
    "the function, that made a new list the caller never sees.)"
)
NO_ZERO_GRAD = (
    "zero_grad is forgotten: backward() adds to p.grad, so each step also carries every earlier epoch's "
    "gradient; call model.zero_grad() before loss.backward()."
)
FROZEN = (
    "the parameters never move: each update runs with p.grad = 0; it must come after loss.backward() (which fills "
    "p.grad) and before the next zero_grad()."
)
LAGGED = (
    "each update uses the gradients of the epoch before: the update comes before backward(); do forward, "
    "zero_grad, backward, then update."
)
SUM_COST = "the cost is the sum over the examples, not the mean: divide by m = len(X)."
NO_HALF = "the cost misses the ½: C = (1/m) Σ_x ½(a − y)², whose derivative is (a − y) without a factor 2."


def batch(seed: int, m: int) -> tuple[MLP, list[list[float]], list[float]]:
    """A small tanh network and m points of the moons with targets −1/+1, all from the seed."""
    X, labels = make_moons(m, seed=seed)
    return MLP(2, [3, 1], activation="tanh", seed=seed), X, [1.0 if label else -1.0 for label in labels]


def per_example_grads(model: MLP, X: list[list[float]], y: list[float]) -> list[list[float]]:
    """∂C_x/∂w for each example x on its own, C_x = ½(a(x) − y(x))², from backward()."""
    grads = []
    for x, target in zip(X, y):
        model.zero_grad()
        quadratic_cost([model(x)], [target]).backward()
        grads.append([p.grad for p in model.parameters()])
    model.zero_grad()
    return grads


def _engine_step(model: MLP, X: list[list[float]], y: list[float], eta: float) -> list[float]:
    """The parameters after one step of micrograd's SGD on the batch-mean cost: the truth of sgd_step."""
    model = copy.deepcopy(model)
    quadratic_cost([model(x) for x in X], y).backward()
    SGD(model.parameters(), lr=eta).step()
    return [p.data for p in model.parameters()]


def _step_slips(w: list[float], grads: list[list[float]], eta: float) -> list[tuple[str, list[float]]]:
    """The parameters each classic slip of sgd_step would give."""
    m, n = len(grads), len(w)
    total = [sum(g[i] for g in grads) for i in range(n)]
    return [
        (NO_MEAN, [w[i] - eta * total[i] for i in range(n)]),
        (WRONG_M, [w[i] - eta / n * total[i] for i in range(n)]),
        (SIGN, [w[i] + eta / m * total[i] for i in range(n)]),
        (ONE_EXAMPLE, [w[i] - eta * grads[-1][i] for i in range(n)]),
        (ONE_EXAMPLE, [w[i] - eta / m * grads[-1][i] for i in range(n)]),
    ]


def _recognised(got: Sequence[float], slips: Sequence[tuple[str, Sequence[float]]]) -> str | None:
    """The classic mistake whose numbers the learner's are, if any."""
    return next((mistake for mistake, numbers in slips if all_close(got, numbers)), None)


def _floats(xs: object) -> list[float] | None:
    """xs as a list of floats if it is a sequence of numbers (or of micrograd Values), else None."""
    if not is_sequence(xs) or not all(is_number(x) or isinstance(x, Value) for x in xs):
        return None
    return [float(x) for x in xs]  # type: ignore[arg-type]


def _fail(exercise: str, *lines: str, mistake: str | None = None) -> Result:
    return Result(exercise, False, list(lines), mistake=mistake)


def check_sgd_step(sgd_step: object) -> Result:
    """Grade sgd_step(params, grads, eta) against micrograd's SGD on the batch-mean cost."""
    if not callable(sgd_step):
        return _fail(
            "sgd_step",
            f"check('sgd_step', ...) takes your function sgd_step(params, grads, eta), got {type_name(sgd_step)}",
        )
    for seed, m, eta in STEP_CASES:
        model, X, y = batch(seed, m)
        w = [p.data for p in model.parameters()]
        grads = per_example_grads(model, X, y)
        expected = _engine_step(model, X, y, eta)
        params = list(w)
        try:
            returned = sgd_step(params, copy.deepcopy(grads), eta)
        except Exception as error:
            return crashed("sgd_step", f"sgd_step(params, grads, eta={eta})", error)
        problem = _step_problem(params, returned, w, grads, eta, expected)
        if problem is not None:
            problem.feedback.append(f"(a step with η = {eta} on m = {m} examples, {len(w)} parameters)")
            return problem
    return Result(
        "sgd_step",
        True,
        [f"w → w − (η/m) Σ_x ∂C_x/∂w, in place: agrees with micrograd's SGD on {len(STEP_CASES)} mini-batches"],
    )


def _step_problem(
    params: Sequence[object],
    returned: object,
    w: list[float],
    grads: list[list[float]],
    eta: float,
    expected: list[float],
) -> Result | None:
    """What is wrong with params after the learner's step, or None if it is the expected step."""
    got = _floats(params)
    if got is None or len(got) != len(w):
        return _fail(
            "sgd_step", f"params must stay a list of {len(w)} numbers, one per parameter; it became {params!r:.80}"
        )
    if all_close(got, expected):
        return None
    i = next(i for i in range(len(w)) if not close(got[i], expected[i]))
    total = sum(g[i] for g in grads)
    formula = f"w → w − (η/m) Σ_x ∂C_x/∂w: {w[i]:.6g} − ({eta:g}/{len(grads)})·({total:.6g}) = {expected[i]:.6g}"
    if all_close(got, w):
        new = _floats(returned)
        if new is not None and all_close(new, expected):
            return _fail(
                "sgd_step", "params is unchanged: the new values came back as a new list", formula, mistake=NEW_LIST
            )
        return _fail(
            "sgd_step",
            f"params is unchanged: parameter {i} should be {expected[i]:.6g}, it is still {w[i]:.6g}",
            formula,
            mistake=NOT_IN_PLACE,
        )
    mistake = _recognised(got, _step_slips(w, grads, eta))
    return _fail(
        "sgd_step",
        f"parameter {i} should be {expected[i]:.6g} after the step, yours is {got[i]:.6g}",
        formula,
        mistake=mistake,
    )


VARIANTS = {"no_zero_grad": NO_ZERO_GRAD, "lagged": LAGGED, "frozen": FROZEN, "sign": SIGN}


def closed_form_run(
    model: MLP, X: list[list[float]], y: list[float], eta: float, epochs: int, variant: str = ""
) -> tuple[list[float], list[float]]:
    """(the epochs' costs, the final parameters) of gradient descent, from BP1–BP4 in plain floats.

    The model is not changed (a copy is stepped). ``variant`` names one of VARIANTS, a classic slip, to
    give its numbers instead: grads never zeroed, the update before backward, no update, uphill.
    """
    shadow = copy.deepcopy(model)  # equations.backprop_batch reads its .data, never .grad
    params = shadow.parameters()
    costs: list[float] = []
    carried = previous = [0.0] * len(params)
    for _ in range(epochs):
        g = backprop_batch(shadow, X, y)
        layers = range(1, len(g.dC_db))
        grad = [d for l in layers for j in range(len(g.dC_db[l])) for d in (*g.dC_dw[l][j], g.dC_db[l][j])]
        costs.append(g.C)
        carried = [c + d for c, d in zip(carried, grad)]
        step = {"no_zero_grad": carried, "lagged": previous, "frozen": [0.0] * len(grad), "sign": [-d for d in grad]}
        for p, d in zip(params, step.get(variant, grad)):  # the parameters in model.parameters() order
            p.data -= eta * d
        previous = grad
    return costs, [p.data for p in params]


def check_training_loop(training_loop: object) -> Result:
    """Grade training_loop(model, X, y, eta, epochs): its costs and the trained weights, against the closed form."""
    if not callable(training_loop):
        return _fail(
            "training_loop",
            f"check('training_loop', ...) takes your function training_loop(model, X, y, eta, epochs), "
            f"got {type_name(training_loop)}",
        )
    for seed, eta, epochs in LOOP_CASES:
        model, X, y = batch(seed, 6)
        start = copy.deepcopy(model)  # the model as it was given, for the slips' runs
        truth = closed_form_run(start, X, y, eta, epochs)
        try:
            returned = training_loop(model, [list(x) for x in X], list(y), eta, epochs)
        except Exception as error:
            return crashed("training_loop", f"training_loop(model, X, y, eta={eta}, epochs={epochs})", error)
        problem = _loop_problem(returned, model, truth, functools.partial(closed_form_run, start, X, y, eta, epochs))
        if problem is not None:
            problem.feedback.append(f"(MLP(2, [3, 1]) of tanh neurons on {len(X)} points, η = {eta}, {epochs} epochs)")
            return problem
    return Result(
        "training_loop",
        True,
        [f"forward, zero_grad, backward, update: costs and weights agree with BP1–BP4 on {len(LOOP_CASES)} runs"],
    )


def _loop_problem(
    returned: object,
    model: MLP,
    truth: tuple[list[float], list[float]],
    variant: Callable[[str], tuple[list[float], list[float]]],
) -> Result | None:
    """What is wrong with the learner's costs and trained model, or None if they are the expected ones."""
    costs, expected = truth
    got = _floats(returned)
    if got is None or len(got) != len(costs):
        return _fail(
            "training_loop",
            f"training_loop must return the {len(costs)} epochs' costs, a list of floats; it returned {returned!r:.80}",
        )
    final = [p.data for p in model.parameters()]
    if all_close(got, costs) and all_close(final, expected):
        return None
    if not close(got[0], costs[0]):
        ratio = got[0] / costs[0] if costs[0] else math.nan
        mistake = SUM_COST if close(ratio, 6.0) else NO_HALF if close(ratio, 2.0) else None  # 6 points
        return _fail(
            "training_loop",
            f"epoch 1: the cost should be C = (1/m) Σ_x ½(model(x) − y(x))² = {costs[0]:.6g}, yours is {got[0]:.6g}",
            "that is before any update: the forward pass or the cost differs",
            mistake=mistake,
        )
    mistake = next((VARIANTS[v] for v in VARIANTS if all_close([*got, *final], [*variant(v)[0], *variant(v)[1]])), None)
    t = next((t for t in range(len(costs)) if not close(got[t], costs[t])), None)
    if t is not None:
        first = f"epoch {t + 1}: the cost should be {costs[t]:.6g}, yours is {got[t]:.6g}"
    else:
        i = next(i for i in range(len(final)) if not close(final[i], expected[i]))
        label = model.parameters()[i].label
        first = (
            f"the costs agree, but after the last epoch {label} should be {expected[i]:.6g}, yours is {final[i]:.6g}"
        )
    return _fail(
        "training_loop",
        first,
        "the first epoch's cost agrees, so the forward pass is right: the updates differ",
        mistake=mistake,
    )


EXERCISES = (
    Exercise(
        name="sgd_step",
        summary="the mini-batch update w → w − (η/m) Σ_x ∂C_x/∂w, in place",
        write="def sgd_step(params, grads, eta) -> None",
        statement=STEP_STATEMENT,
        starter=STEP_STARTER,
        solution=STEP_SOLUTION,
        hints=STEP_HINTS,
        checker=check_sgd_step,
    ),
    Exercise(
        name="training_loop",
        summary="forward, zero_grad, backward, update: training a micrograd MLP",
        write="def training_loop(model, X, y, eta, epochs) -> list of costs",
        statement=LOOP_STATEMENT,
        starter=LOOP_STARTER,
        solution=LOOP_SOLUTION,
        hints=LOOP_HINTS,
        checker=check_training_loop,
    ),
)
