"""Forward mode: derivatives carried forward with the values, as dual numbers a + b·ε where ε² = 0.

A Dual holds a value and its tangent, the derivative of that value along one direction of the
inputs. Every op computes its value and its local derivatives from the same definition as a Value's
(micrograd.ops), and the tangent of the result is the chain rule forward: Σ_k ∂out/∂operand_k ·
tangent_k. No graph is recorded. One pass gives the derivative of every output along one input
direction, where reverse mode gives the derivative of one output along every input.

trace_forward_mode(root, wrt=x) does the same on a recorded graph, with the local derivatives stored
on its edges, and writes each step out: ċ = ∂c/∂a·ȧ + ∂c/∂b·ḃ = ….
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

from micrograd import methods, ops, viz
from micrograd.checks import as_float, is_sequence, not_a_sequence, type_name
from micrograd.engine import Number, Value, _apply, topological_order
from micrograd.ops import ZERO, Op
from micrograd.stepper import Stepper
from micrograd.trace import _formatter, _html_table, _paren, _steps, _text_table
from micrograd.viz import format_number


class Dual:
    """A dual number primal + tangent·ε: a value and its derivative along one direction, computed together."""

    __slots__ = ("_data", "tangent")
    __array_ufunc__ = None  # numpy scalars on the left defer to our reflected operators

    def __init__(self, primal: Number, tangent: Number = 0.0) -> None:
        self._data = as_float(primal, "Dual()")
        self.tangent = as_float(tangent, "Dual() tangent")

    @property
    def primal(self) -> float:
        """The value: what the same computation on floats gives."""
        return self._data

    if TYPE_CHECKING:  # attached below the class, from the ops' definitions, as Value's are

        def __getattr__(self, name: str) -> Callable[..., Dual]: ...
        def __add__(self, other: Dual | Number) -> Dual: ...
        def __radd__(self, other: Dual | Number) -> Dual: ...
        def __sub__(self, other: Dual | Number) -> Dual: ...
        def __rsub__(self, other: Dual | Number) -> Dual: ...
        def __mul__(self, other: Dual | Number) -> Dual: ...
        def __rmul__(self, other: Dual | Number) -> Dual: ...
        def __truediv__(self, other: Dual | Number) -> Dual: ...
        def __rtruediv__(self, other: Dual | Number) -> Dual: ...
        def __rpow__(self, other: Dual | Number) -> Dual: ...
        def __neg__(self) -> Dual: ...
        def __abs__(self) -> Dual: ...

    def __pow__(self, other: Dual | Number) -> Dual:
        if isinstance(other, Dual):
            return _apply(ops.POW, (self, other), _dual_result)  # type: ignore[no-any-return]
        return _apply(ops.power(as_float(other, "exponent")), (self,), _dual_result)  # type: ignore[no-any-return]

    def __float__(self) -> float:
        return self._data

    def __bool__(self) -> bool:
        return self._data != 0.0

    def __lt__(self, other: Dual | Number) -> bool:
        return self._data < _primal(other)

    def __le__(self, other: Dual | Number) -> bool:
        return self._data <= _primal(other)

    def __gt__(self, other: Dual | Number) -> bool:
        return self._data > _primal(other)

    def __ge__(self, other: Dual | Number) -> bool:
        return self._data >= _primal(other)

    def __repr__(self) -> str:
        return f"Dual({self._data!r}, {self.tangent!r})"

    def __str__(self) -> str:
        sign = "-" if str(self.tangent).startswith("-") else "+"
        return f"{self._data!r} {sign} {str(self.tangent).lstrip('-')}ε"


def _tangent(local: Sequence[float], tangents: Sequence[float]) -> float:
    """Σ_k ∂out/∂operand_k · tangent_k, from -0.0 (so one term lands exactly, sign of zero too).

    An operand whose tangent is 0 does not vary along the direction and adds nothing, even where its
    local derivative is infinite (2 ** x at x = inf): a constant never makes a derivative NaN. A
    structural zero (relu where inactive) adds +0.0.
    """
    tangent = -0.0
    for d, t in zip(local, tangents):
        if d is ZERO:
            tangent += 0.0
        elif t != 0.0:
            tangent += d * t
    return tangent


def _dual_result(out: float, children: tuple[Dual, ...], local: tuple[float, ...], op: Op) -> Dual:
    """The op's output as a Dual: its value, and its tangent Σ_k ∂out/∂operand_k · tangent_k."""
    tangent = _tangent(local, [child.tangent for child in children])
    result = Dual.__new__(Dual)
    result._data, result.tangent = out, tangent
    return result


_linear = methods.attach(Dual, _dual_result)  # every op, as Value has it: d + e, d * e, d.tanh(), abs(d)


def linear(w: Sequence[Dual | Number], a: Sequence[Dual | Number], b: Dual | Number = 0.0) -> Dual:
    """z = Σ_k w_k·a_k + b of Duals, as micrograd.linear computes it for Values: its value and its tangent."""
    wd, ad = _duals(w, "weights"), _duals(a, "inputs")
    if len(wd) != len(ad):
        raise ValueError(f"linear() needs as many weights as inputs, got {len(wd)} weights and {len(ad)} inputs")
    return _linear(wd, ad, b if isinstance(b, Dual) else Dual(b), [x._data for x in ad])  # type: ignore[no-any-return]


def _duals(xs: object, what: str) -> list[Dual]:
    if not is_sequence(xs):
        raise TypeError(f"linear() takes a sequence of {what}, got {not_a_sequence(xs)}")
    return [x if isinstance(x, Dual) else Dual(x) for x in xs]  # type: ignore[arg-type]  # Dual() checks x


def _primal(x: Dual | Number) -> float:
    return x._data if isinstance(x, Dual) else as_float(x, "comparison")


@overload
def jvp(
    f: Callable[[list[Dual]], Dual], primals: Sequence[Number], tangents: Sequence[Number]
) -> tuple[float, float]: ...
@overload
def jvp(
    f: Callable[[list[Dual]], Sequence[Dual]], primals: Sequence[Number], tangents: Sequence[Number]
) -> tuple[list[float], list[float]]: ...
def jvp(f: Callable[[list[Dual]], Any], primals: Sequence[Number], tangents: Sequence[Number]) -> tuple[Any, Any]:
    """f at primals, and its derivative along tangents (J·v), in one forward pass: as torch.func.jvp.

    f takes a list of Duals and returns one Dual (then the result is two floats) or a list of them
    (then two lists). No graph is recorded.
    """
    ps = _numbers(primals, "jvp() primals")
    ts = _numbers(tangents, "jvp() tangents")
    if len(ps) != len(ts):
        raise ValueError(f"jvp() needs one tangent per primal, got {len(ps)} primals and {len(ts)} tangents")
    if not callable(f):
        raise TypeError(f"jvp() takes a function of a list of Duals, got {type_name(f)}")
    out = f([Dual(p, t) for p, t in zip(ps, ts)])
    if isinstance(out, Dual):
        return out._data, out.tangent
    if is_sequence(out) and all(isinstance(o, Dual) for o in out):
        duals: list[Dual] = list(out)  # type: ignore[arg-type]
        return [o._data for o in duals], [o.tangent for o in duals]
    raise TypeError(f"jvp(): f must return a Dual or a list of Duals, got {type_name(out)}")


def _numbers(xs: object, what: str) -> list[float]:
    if not is_sequence(xs):
        raise TypeError(f"{what} must be a sequence of numbers, got {not_a_sequence(xs)}")
    return [as_float(x, what) for x in xs]


# -- forward mode on a recorded graph, step by step -----------------------------------------------------------


def dotted(name: str) -> str:
    """The tangent of a value written with a dot over its name's first letter: ȧ, ż[1][0]; d(name) otherwise."""
    if name[:1].isalpha():
        return unicodedata.normalize("NFC", name[0] + "\u0307") + name[1:]  # ȧ as one character where there is one
    return f"d({name})"


@dataclass(frozen=True, eq=False)
class ForwardModeStep:
    """The tangent of one value: ṅ = Σ_k ∂n/∂c_k · ċ_k, from its children's tangents and its edges' derivatives."""

    number: int
    node: Value
    name: str
    children: tuple[str, ...]  # the children's names, in operand order
    local: tuple[float, ...]  # ∂node/∂child, as stored on the edges
    child_tangents: tuple[float, ...]
    tangent: float

    def equation(self, digits: int = 4) -> str:
        """ṅ = ∂n/∂a·ȧ + ∂n/∂b·ḃ = 3·1 + 2·0 = 3."""
        return f"{dotted(self.name)} = {self.computed_as(digits)} = {_formatter(digits)(self.tangent)}"

    def computed_as(self, digits: int = 4) -> str:
        """∂n/∂a·ȧ + ∂n/∂b·ḃ = 3·1 + 2·0: the chain rule forward, in symbols and in numbers."""
        f = _formatter(digits)
        symbols = " + ".join(f"∂{self.name}/∂{c}·{dotted(c)}" for c in self.children)
        numbers = " + ".join(f"{_paren(f(d))}·{_paren(f(t))}" for d, t in zip(self.local, self.child_tangents))
        return f"{symbols} = {numbers}"


class ForwardModeTrace(Sequence[ForwardModeStep]):
    """Forward mode through root's graph: the tangent of every value along one input, children first."""

    grad_word = "tangent"
    stepped = "forward mode"
    _legend = (
        '<span class="mg-key mg-key-current"></span> the value whose tangent the step computes &#160; '
        '<span class="mg-key mg-key-upstream"></span> the values it is computed from &#160;\n'
        '<span class="mg-key mg-key-edge"></span> their edges, labelled ∂node/∂child &#160; '
        '<span class="mg-key mg-key-leaf"></span>\na leaf: its tangent is 1 for the input we differentiate '
        "by, 0 for every other"
    )

    def __init__(self, root: Value, wrt: Value, order: list[Value], tangents: dict[Value, float], digits: int) -> None:
        self.root, self.wrt, self.order, self.digits = root, wrt, order, digits
        self.tangents = tangents  # every value's tangent: d(value)/d(wrt)
        self.names = viz.node_names(order)
        self._steps = [
            ForwardModeStep(
                number=k,
                node=node,
                name=self.names[node],
                children=tuple(self.names[c] for c in node._prev),
                local=tuple(node._local),
                child_tangents=tuple(tangents[c] for c in node._prev),
                tangent=tangents[node],
            )
            for k, node in enumerate((n for n in order if n._prev), start=1)
        ]

    @overload
    def __getitem__(self, i: int) -> ForwardModeStep: ...
    @overload
    def __getitem__(self, i: slice) -> list[ForwardModeStep]: ...
    def __getitem__(self, i: int | slice) -> ForwardModeStep | list[ForwardModeStep]:
        return self._steps[i]

    def __len__(self) -> int:
        return len(self._steps)

    @property
    def derivative(self) -> float:
        """d(root)/d(wrt): the root's tangent, what reverse mode gives as wrt.grad."""
        return self.tangents[self.root]

    def seed_equation(self) -> str:
        x = self.names[self.wrt]
        return f"{dotted(x)} = 1   (the seed: ∂{x}/∂{x} = 1; every other input's tangent is 0)"

    def equations(self) -> list[str]:
        """The seed, then one line per value computed."""
        return [self.seed_equation(), *(step.equation(self.digits) for step in self._steps)]

    def stepper(self, *, rankdir: str = "LR", max_nodes: int = viz.MAX_NODES) -> Stepper:
        """Every step in one drawing, with previous/next buttons and a slider; shows in Jupyter, saves as HTML."""
        viz.graph_nodes(self.root, max_nodes)
        return Stepper(self, rankdir)

    def _grad_text(self, x: float | None) -> str:
        return "?" if x is None else format_number(x, self.digits)

    def _frames(self, ids: dict[Value, str]) -> list[dict[str, Any]]:
        leaves = [node for node in self.order if not node._prev]
        frames: list[dict[str, Any]] = [
            {
                "eq": self.seed_equation(),
                "node": ids[self.wrt],
                "text": self._grad_text(1.0),
                "fill": {ids[leaf]: self._grad_text(self.tangents[leaf]) for leaf in leaves if leaf is not self.wrt},
            }
        ]
        for step in self._steps:
            i = ids[step.node]
            frames.append(
                {
                    "eq": f"step {step.number}: {step.equation(self.digits)}",
                    "node": i,
                    "text": self._grad_text(step.tangent),
                    "up": [ids[c] for c in step.node._prev],
                    "edge": [f"e{i[1:]}_{k}" for k in range(len(step.node._prev))],
                }
            )
        return frames

    _HEADER = ("step", "tangent", "computed as", "=")

    def _rows(self) -> list[list[str]]:
        f = _formatter(self.digits)
        return [[str(s.number), dotted(s.name), s.computed_as(self.digits), f(s.tangent)] for s in self._steps]

    def _title(self) -> str:
        return f"forward mode along {self.names[self.wrt]}: {self.seed_equation()}, then {_steps(len(self))}"

    def __str__(self) -> str:
        return self._title() + "\n\n" + _text_table(self._HEADER, self._rows())

    def _repr_html_(self) -> str:
        return _html_table(self._title(), self._HEADER, self._rows())

    def __repr__(self) -> str:
        return f"ForwardModeTrace(root={self.names[self.root]!r}, wrt={self.names[self.wrt]!r}, steps={len(self)})"


def trace_forward_mode(root: Value, wrt: Value, *, digits: int = 4) -> ForwardModeTrace:
    """The tangent d(node)/d(wrt) of every value of root's graph, in the order forward mode computes them.

    Each tangent is Σ ∂node/∂child · child's tangent, with the local derivatives stored on the edges
    (the numbers backward() uses); the leaves' tangents are 1 for wrt and 0 for the others.
    """
    if not isinstance(root, Value):
        raise TypeError(f"trace_forward_mode() needs a Value as its root, got {type_name(root)}")
    if not isinstance(wrt, Value):
        raise TypeError(f"trace_forward_mode(wrt=...) must be a Value of the graph, got {type_name(wrt)}")
    digits = viz.check_digits(digits)
    order = topological_order(root)
    if wrt not in set(order):
        raise ValueError(f"trace_forward_mode(): wrt={wrt!r} is not a value of the root's graph")
    if wrt._prev:
        raise ValueError(f"trace_forward_mode(): wrt must be a leaf (an input) of the graph, got {wrt!r}")
    tangents: dict[Value, float] = {}
    for node in order:
        if not node._prev:
            tangents[node] = 1.0 if node is wrt else 0.0
            continue
        tangents[node] = _tangent(node._local, [tangents[c] for c in node._prev])
    return ForwardModeTrace(root, wrt, order, tangents, digits)


__all__ = ["Dual", "ForwardModeStep", "ForwardModeTrace", "dotted", "jvp", "linear", "trace_forward_mode"]
