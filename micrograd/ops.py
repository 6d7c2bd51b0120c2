"""Every operation of micrograd, each defined once: its value, its local derivatives, its errors, its notation.

An op is written as Python over a namespace ``m`` (``m.exp(x)``, ``m.where(c, a, b)``):

    Op("tanh", value=lambda m, x: m.tanh(x), local=lambda m, out, x: (1.0 - out * out,), formula="tanh({0})")

``value`` computes the output from the operands; ``local`` gives ∂out/∂operand for each operand,
from the operands and the output. Everything else is derived from these definitions: the Value
methods and backward() (micrograd.engine), the generated code of compiled graphs
(micrograd.compile), the formulas of traces and the labels of drawings. To add an op, add its
``Op`` to ``OPS`` below and its edge points to the tests' table (tests/edge_cases.py).

A local derivative may be a structural zero, ``m.mask(condition, d)`` (or ``m.ZERO``, always):
where the condition holds the edge passes on +0.0, whatever the upstream grad, as PyTorch's
``where(cond, 0, grad)`` does for relu, ``x ** 0`` and the base of ``x ** y`` where y = 0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from micrograd import expr
from micrograd.runtime import RUNTIME, SYMBOLS

# -- the definition of an op ---------------------------------------------------------------------------


class Op(str):
    """One operation: how to compute it, its local derivatives, the errors it raises, how a learner writes it.

    An Op is the string of its name too ("+", "tanh", "**2"), which is what a node's ``_op`` held in
    micrograd 0.1.0: code that prints it, compares it or adds it to a string works as it did.

    ``value(m, *operands)`` and ``local(m, out, *operands)`` are written over the namespace m.
    ``formula`` is a format string over the operands' names ("{0} * {1}"), or a function of their list.
    ``errors`` maps each exception the value may raise to the engine's message, formatted with the
    operands' reprs. ``methods`` are the Value methods that apply an op of one operand. An
    ``activation`` can be a neuron's σ; ``torch`` names the torch.nn module that computes the same
    function, with the arguments it must have. ``arity`` 0 means any number of operands, which
    ``group`` turns into value's arguments; ``params`` are numbers that are part of the op (x ** n's n).
    """

    name: str
    operands: tuple[str, ...]  # the operands' names in value_text and local_text
    value_text: str  # value, written out as Python over the operands' floats
    local_text: str  # local, written out likewise (over "out" and the operands)
    compute: Callable[..., float]  # value on floats, compiled from value_text
    derivatives: Callable[..., tuple[float, ...]]  # local on floats, compiled from local_text

    def __new__(cls, name: str, *args: object, **kwargs: object) -> Op:
        return super().__new__(cls, name)

    def __init__(
        self,
        name: str,
        value: Callable[..., Any],
        local: Callable[..., tuple[Any, ...]],
        formula: str | Callable[[list[str]], str],
        errors: Mapping[type[Exception], str] | None = None,
        *,
        methods: tuple[str, ...] = (),
        arity: int = 1,
        activation: bool = False,
        saturates: bool = False,
        dead_below: float | None = None,
        torch: tuple[str, Mapping[str, object]] | None = None,
        group: Callable[[Sequence[Any]], tuple[Any, ...]] | None = None,
        params: tuple[float, ...] = (),
    ) -> None:
        self.name, self.value, self.local, self.formula = name, value, local, formula
        self.errors = dict(errors or {})
        self.methods, self.arity, self.activation, self.torch = methods, arity, activation, torch
        self.saturates, self.dead_below = saturates, dead_below
        self.group, self.params = group, params
        if arity:
            operands = [expr.name(f"x{i}") for i in range(arity)]
        elif group is _one_group:  # max, logsumexp: one tuple of all the operands
            operands = [expr.group("zd")]
        else:  # linear: the tuples of weights and inputs, and the bias
            operands = [expr.group("wd"), expr.group("ad"), expr.name("bd")]
        self.operands = tuple(str(x) for x in operands)
        self.value_text = str(value(SYMBOLS, *operands))
        self.local_text = expr.locals_text(local(SYMBOLS, expr.name("out"), *operands))
        self.compute = expr.compile_function(list(self.operands), self.value_text, RUNTIME)
        self.derivatives = expr.compile_function(["out", *self.operands], self.local_text, RUNTIME)

    def args(self, operands: Sequence[Any]) -> tuple[Any, ...]:
        """The operands as value() and local() take them: linear's w_1..w_n, a_1..a_n, b as (w, a, b)."""
        return tuple(operands) if self.group is None else self.group(operands)

    def write(self, operands: list[str]) -> str:
        """The op applied to operands, as a learner writes it: a * b, tanh(n), x**2, w[0]·x[0] + b."""
        if callable(self.formula):
            return self.formula(operands)
        return self.formula.format(*operands)

    def error(self, error: Exception, operands: Sequence[float]) -> Exception:
        """The engine's exception for an error that computing the value raised."""
        for kind, message in self.errors.items():
            if isinstance(error, kind):
                return kind(message.format(*map(repr, operands)))
        return error

    def __str__(self) -> str:
        return self.name


# -- the ops ---------------------------------------------------------------------------------------------

ADD = Op("+", lambda m, x, y: x + y, lambda m, out, x, y: (1.0, 1.0), "{0} + {1}", arity=2)
SUB = Op("-", lambda m, x, y: x - y, lambda m, out, x, y: (1.0, -1.0), "{0} - {1}", arity=2)
MUL = Op("*", lambda m, x, y: x * y, lambda m, out, x, y: (y, x), "{0} * {1}", arity=2)
DIV = Op(
    "/",
    lambda m, x, y: x / y,
    lambda m, out, x, y: (1.0 / y, -out / y),
    "{0} / {1}",
    {ZeroDivisionError: "division by zero in {0} / {1}"},
    arity=2,
)
_POW_ERRORS = {
    ZeroDivisionError: "{0} ** {1}: zero cannot be raised to a negative power",
    OverflowError: "{0} ** {1} overflows a float",
    ValueError: "{0} ** {1}: a negative number to a non-integer power is not a real number",
}
POW = Op(  # PyTorch's derivatives: for the base a structural zero where y = 0, for the exponent 0 · grad at 0 ** y
    "**",
    lambda m, x, y: m._pow(x, y),
    lambda m, out, x, y: (
        m.mask(y == 0.0, y * m._c_pow(x, y - 1.0)),
        m.where((x == 0.0) & (y >= 0.0), 0.0, out * m._log_or_nan(x)),
    ),
    "{0} ** {1}",
    _POW_ERRORS,
    arity=2,
)
NEG = Op("neg", lambda m, x: -x, lambda m, out, x: (-1.0,), "-{0}", methods=("__neg__",))
EXP = Op(
    "exp",
    lambda m, x: m.exp(x),
    lambda m, out, x: (out,),
    "exp({0})",
    {OverflowError: "exp({0}) overflows a float (exp is finite up to x ≈ 709.78)"},
    methods=("exp",),
)
LOG = Op(
    "log",
    lambda m, x: m.log(x),
    lambda m, out, x: (1.0 / x,),
    "log({0})",
    {ValueError: "log({0}): log is only defined for positive numbers"},
    methods=("log",),
)
SQRT = Op(
    "sqrt",
    lambda m, x: m.sqrt(x),
    lambda m, out, x: (m.where(out == 0.0, m.copysign(m.inf, out), 0.5 / out),),  # 1/(2√x): ±inf at ±0
    "sqrt({0})",
    {ValueError: "sqrt({0}): sqrt is only defined for numbers ≥ 0"},
    methods=("sqrt",),
)
SIN = Op(
    "sin",
    lambda m, x: m.sin(x),
    lambda m, out, x: (m.cos(x),),
    "sin({0})",
    {ValueError: "sin({0}): sin of an infinite number is not a number"},
    methods=("sin",),
)
COS = Op(
    "cos",
    lambda m, x: m.cos(x),
    lambda m, out, x: (-m.sin(x),),
    "cos({0})",
    {ValueError: "cos({0}): cos of an infinite number is not a number"},
    methods=("cos",),
)
ABS = Op(  # PyTorch: grad · sgn(x), so 0 at 0 (and NaN at NaN)
    "abs",
    lambda m, x: m.fabs(x),
    lambda m, out, x: (m.where(x > 0.0, 1.0, m.where(x < 0.0, -1.0, 0.0)),),
    "abs({0})",
    methods=("abs", "__abs__"),
)
TANH = Op(
    "tanh",
    lambda m, x: m.tanh(x),
    lambda m, out, x: (1.0 - out * out,),
    "tanh({0})",
    methods=("tanh",),
    activation=True,
    saturates=True,
    torch=("Tanh", {}),
)
SIGMOID = Op(  # 1 / (1 + e^-x), computed so that it never overflows; σ' = σ(1 − σ)
    "sigmoid",
    lambda m, x: m.where(x >= 0.0, 1.0 / (1.0 + m.exp(-x)), m.exp(x) / (1.0 + m.exp(x))),
    lambda m, out, x: ((1.0 - out) * out,),
    "sigmoid({0})",
    methods=("sigmoid",),
    activation=True,
    saturates=True,
    torch=("Sigmoid", {}),
)
RELU = Op(  # relu'(0) = 0 as PyTorch, masked: an inactive relu passes on +0.0 whatever comes from above
    "relu",
    lambda m, x: m.where(x < 0.0, 0.0, x),
    lambda m, out, x: (m.mask(out <= 0.0, 1.0),),
    "relu({0})",
    methods=("relu",),
    activation=True,
    dead_below=0.0,
    torch=("ReLU", {}),
)
LEAKY_SLOPE = 0.01
LEAKY_RELU = Op(  # as torch.nn.LeakyReLU(): x > 0 ? x : x · 0.01
    "leaky_relu",
    lambda m, x: m.where(x > 0.0, x, x * LEAKY_SLOPE),
    lambda m, out, x: (m.where(x > 0.0, 1.0, LEAKY_SLOPE),),
    "leaky_relu({0})",
    methods=("leaky_relu",),
    activation=True,
    torch=("LeakyReLU", {"negative_slope": LEAKY_SLOPE}),
)


def _logistic_local(m: Any, out: Any, x: Any) -> tuple[Any, ...]:
    """σ'(x) = t / (1 + t)², t = e^-|x|: never 1 − σ, which loses the digits of a σ near 1."""
    t = m.exp(m.where(x > 0.0, -x, x))
    return (t / ((1.0 + t) * (1.0 + t)),)


# softplus' = σ as PyTorch computes it, e^x / (e^x + 1), as a node of its own (not in OPS, as x ** n):
# grad(create_graph=True) differentiates σ by this op's accurate local derivative.
LOGISTIC = Op("logistic", lambda m, x: m._logistic(x), _logistic_local, "logistic({0})")
SOFTPLUS_THRESHOLD = 20.0
SOFTPLUS = Op(  # as torch.nn.Softplus(): log(1 + e^x), and x itself past the threshold; ∂/∂x = σ(x)
    "softplus",
    lambda m, x: m.where(x > SOFTPLUS_THRESHOLD, x, m.log1p(m.exp(x))),
    lambda m, out, x: (m.where(x > SOFTPLUS_THRESHOLD, 1.0, m._logistic(x)),),
    "softplus({0})",
    methods=("softplus",),
    activation=True,
    saturates=True,
    torch=("Softplus", {"beta": 1.0, "threshold": SOFTPLUS_THRESHOLD}),
)
# GELU's tanh approximation with PyTorch's constants and order of operations: √2 · (2/√π) · ½ and 0.044715.
GELU_BETA = 1.4142135623730951 * 1.1283791670955126 * 0.5
GELU_KAPPA = 0.044715


def _gelu_local(m: Any, out: Any, x: Any) -> tuple[Any, ...]:
    """PyTorch's GELU backward, term by term: ½(1 + t) + ½x · (1 − t²) · β(1 + 3κx²), t = tanh(β(x + κx³))."""
    t = m.tanh(GELU_BETA * (x + GELU_KAPPA * (x * x * x)))
    return (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * (GELU_BETA * (1.0 + 3.0 * GELU_KAPPA * (x * x))),)


GELU = Op(  # as torch.nn.GELU(approximate="tanh"): ½x(1 + tanh(β(x + κx³)))
    "gelu",
    lambda m, x: 0.5 * x * (1.0 + m.tanh(GELU_BETA * (x + GELU_KAPPA * (x * x * x)))),
    _gelu_local,
    "gelu({0})",
    methods=("gelu",),
    activation=True,
    saturates=True,
    torch=("GELU", {"approximate": "tanh"}),
)


def _linear_formula(args: list[str]) -> str:
    n = (len(args) - 1) // 2
    return " + ".join([*(f"{args[k]}·{args[n + k]}" for k in range(n)), args[-1]])


def _one_group(operands: Sequence[Any]) -> tuple[Any, ...]:
    return (tuple(operands),)


def _linear_group(operands: Sequence[Any]) -> tuple[Any, ...]:
    n = (len(operands) - 1) // 2
    return tuple(operands[:n]), tuple(operands[n : 2 * n]), operands[-1]


LINEAR = Op(  # a neuron's z = Σ_k w_k·a_k + b as one node, operands w_1..w_n, a_1..a_n, b
    "w·a+b",
    lambda m, w, a, b: m.dot(w, a) + b,
    lambda m, out, w, a, b: (*a, *w, 1.0),
    _linear_formula,
    arity=0,
    group=_linear_group,
)


MAX = Op(  # the largest of z_1..z_n as one node; ∂/∂z_k = 1 at the max, split among ties (torch.amax)
    "max",
    lambda m, z: m._max(z),
    lambda m, out, z: (*m.each(z, lambda z_k: m.where(z_k == out, m._share(z, out), 0.0 * m._share(z, out))),),
    lambda args: f"max({', '.join(args)})",
    arity=0,
    group=_one_group,
)


def _unpacked(row: Any, z: Any, element: Callable[[int, Any], Any] | None = None) -> tuple[Any, ...]:
    """The local derivatives that one call gives as a list (row), one per operand of z.

    Where z is one name (the code of backward() and of grad(create_graph=True)) they are ``(*row,)``;
    compile writes z's operands one by one, and the j-th is element(j, z_j), or row[j].
    """
    if isinstance(z, expr.Group):
        return (*expr.Group(row.text, row.prec, row.names),)
    if element is None:
        return tuple(expr.Expr(f"{row}[{j}]", expr.ATOM, row.names) for j in range(len(z)))
    return tuple(element(j, z_j) for j, z_j in enumerate(z))


LOGSUMEXP = Op(  # log Σ_k e^(z_k) as one node, stable at any z; ∂/∂z_k = e^(z_k − out) = softmax(z)_k
    "logsumexp",
    lambda m, z: m.logsumexp(z),
    lambda m, out, z: _unpacked(m._softmax(z, out), z, lambda k, z_k: m.exp(z_k - out)),
    lambda args: f"logsumexp({', '.join(args)})",
    arity=0,
    group=_one_group,
)


@lru_cache(maxsize=256)
def softmax(k: int) -> Op:
    """softmax(z)_k = e^(z_k − logsumexp(z)), a node of z_1..z_n (not in OPS, as x ** n).

    grad(create_graph=True) makes logsumexp's local derivatives these nodes, not exp(z_k − out):
    differentiated, that text gives terms that cancel when one z dominates. Their own local
    derivatives are the softmax Jacobian s_k(δ_kj − s_j), written without cancelling (runtime.softmax_jacobian_row).
    """
    return Op(
        f"softmax[{k}]",
        lambda m, z: m._softmax_at(z, k),
        lambda m, out, z: _unpacked(m._softmax_row(z, out, k), z),
        lambda args: f"softmax({', '.join(args)})[{k}]",
        arity=0,
        group=_one_group,
    )


def _short(n: float) -> str:
    return str(int(n)) if n.is_integer() and abs(n) < 1e15 else repr(n)


@lru_cache(maxsize=256)
def power(n: float) -> Op:
    """x ** n for a constant n: the op of one operand, with n part of it (PyTorch's derivatives, √ at n = ½)."""
    if n == 0.0:  # x⁰ = 1, and its derivative is zero by structure
        local: Callable[..., tuple[Any, ...]] = lambda m, out, x: (m.ZERO,)  # noqa: E731
    elif n == 0.5:  # 1/(2√x), ±inf at ±0, as PyTorch's derivative of sqrt
        local = lambda m, out, x: (  # noqa: E731
            m.where(x >= 0.0, m.where(x == 0.0, m.copysign(m.inf, x), 0.5 / m.sqrt(x)), n * m._c_pow(x, n - 1.0)),
        )
    else:
        local = lambda m, out, x: (n * m._c_pow(x, n - 1.0),)  # noqa: E731
    if n == 0.5:  # the square root, exactly rounded, as torch.pow(x, 0.5)
        value: Callable[..., Any] = lambda m, x: m.where(x >= 0.0, m.sqrt(x), m._pow(x, n))  # noqa: E731
    else:
        value = lambda m, x: m._pow(x, n)  # noqa: E731
    errors = {kind: message.replace("{1}", repr(n)) for kind, message in _POW_ERRORS.items()}
    return Op(f"**{_short(n)}", value, local, "{0}**" + _short(n), errors, params=(n,))


# -- the registry ------------------------------------------------------------------------------------------

# Every op, by name; power(n) stands for all the constant powers (x**2 below).
OPS: dict[str, Op] = {
    op.name: op
    for op in [
        ADD,
        SUB,
        MUL,
        DIV,
        POW,
        NEG,
        EXP,
        LOG,
        SQRT,
        SIN,
        COS,
        ABS,
        TANH,
        SIGMOID,
        RELU,
        LEAKY_RELU,
        SOFTPLUS,
        GELU,
        LINEAR,
        MAX,
        LOGSUMEXP,
    ]
}
# A neuron's σ: "linear" (the identity, no op) and every op marked as an activation.
ACTIVATIONS: tuple[str, ...] = ("linear", *(op.name for op in OPS.values() if op.activation))
