"""Float expressions that print themselves as Python: how an op's math, written once, becomes code.

An op (micrograd.ops) writes its value and its local derivatives as Python over a namespace ``m``:
``m.exp(x)``, ``1.0 - out * out``. Evaluated on ``Expr`` symbols instead of floats, the same
function gives back its source text, with just the parentheses Python needs. micrograd compiles
that text into the float functions the engine calls, and writes it into the code of a compiled
graph: both run the very same float operations, so they agree to the bit by construction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

# How tightly Python binds each kind of expression, loosest first.
COND, OR, AND, CMP, SUM, PRODUCT, UNARY, POWER, ATOM = range(9)


class Expr:
    """A float expression as Python source: its text, how tightly it binds, and the names it reads."""

    __slots__ = ("names", "prec", "text")
    __hash__ = None  # type: ignore[assignment]  # == builds an expression, so an Expr is no dict key

    def __init__(self, text: str, prec: int = ATOM, names: frozenset[str] = frozenset()) -> None:
        self.text, self.prec, self.names = text, prec, names

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Expr({self.text!r})"

    def __bool__(self) -> bool:
        raise TypeError(f"{self.text} has no truth value while writing code: use m.where(condition, a, b)")

    def __add__(self, other: object) -> Expr:
        return binary(self, "+", other, SUM)

    def __radd__(self, other: object) -> Expr:
        return binary(other, "+", self, SUM)

    def __sub__(self, other: object) -> Expr:
        return binary(self, "-", other, SUM)

    def __rsub__(self, other: object) -> Expr:
        return binary(other, "-", self, SUM)

    def __mul__(self, other: object) -> Expr:
        return binary(self, "*", other, PRODUCT)

    def __rmul__(self, other: object) -> Expr:
        return binary(other, "*", self, PRODUCT)

    def __truediv__(self, other: object) -> Expr:
        return binary(self, "/", other, PRODUCT)

    def __rtruediv__(self, other: object) -> Expr:
        return binary(other, "/", self, PRODUCT)

    def __neg__(self) -> Expr:
        return Expr("-" + _operand(self, UNARY + 1), UNARY, self.names)

    def __lt__(self, other: object) -> Expr:
        return binary(self, "<", other, CMP)

    def __le__(self, other: object) -> Expr:
        return binary(self, "<=", other, CMP)

    def __gt__(self, other: object) -> Expr:
        return binary(self, ">", other, CMP)

    def __ge__(self, other: object) -> Expr:
        return binary(self, ">=", other, CMP)

    def __eq__(self, other: object) -> Expr:  # type: ignore[override]
        return binary(self, "==", other, CMP)

    def __and__(self, other: object) -> Expr:
        return binary(self, "and", other, AND)

    def __or__(self, other: object) -> Expr:
        return binary(self, "or", other, OR)


def name(text: str) -> Expr:
    """A variable."""
    return Expr(text, ATOM, frozenset({text}))


class Group(Expr):
    """A name that stands for a tuple of floats (linear's w and a): ``*w`` in a tuple unpacks it."""

    __slots__ = ()

    def __iter__(self):  # type: ignore[no-untyped-def]
        yield Expr("*" + self.text, ATOM, self.names)


def group(text: str) -> Group:
    """A variable that holds a tuple."""
    return Group(text, ATOM, frozenset({text}))


def literal(x: object) -> Expr:
    """A number as source that evaluates to the same float (or int, or bool)."""
    if isinstance(x, Expr):
        return x
    if isinstance(x, bool):
        return Expr(repr(x))
    if not isinstance(x, (int, float)):
        raise TypeError(f"an expression takes numbers and expressions, got {type(x).__name__}")
    if x != x:
        return Expr("nan")
    if x in (float("inf"), float("-inf")):
        return Expr("inf" if x > 0 else "-inf", ATOM if x > 0 else UNARY)
    text = repr(x)
    return Expr(text, UNARY if text.startswith("-") else ATOM)


def binary(left: object, op: str, right: object, prec: int) -> Expr:
    """left op right, each side in parentheses where Python would group it otherwise.

    The right operand of a left-associative operator is parenthesized at the same binding too:
    float + and * are not associative, so a + (b + c) must stay as written.
    """
    a, b = literal(left), literal(right)
    text = f"{_operand(a, prec)} {op} {_operand(b, prec + 1)}"
    return Expr(text, prec, a.names | b.names)


def call(function: str, args: Iterable[object]) -> Expr:
    """function(args...); a list or tuple of expressions is passed as a tuple."""
    parts = [tuple_expr(a) if isinstance(a, (list, tuple)) else literal(a) for a in args]
    return Expr(f"{function}({', '.join(p.text for p in parts)})", ATOM, frozenset().union(*(p.names for p in parts)))


def where(condition: object, if_true: object, if_false: object) -> Expr:
    """if_true where condition holds, else if_false: only the branch taken is computed."""
    c, a, b = literal(condition), literal(if_true), literal(if_false)
    text = f"{_operand(a, COND + 1)} if {_operand(c, COND + 1)} else {_operand(b, COND)}"
    return Expr(text, COND, a.names | b.names | c.names)


def _operand(e: Expr, prec: int) -> str:
    return e.text if e.prec >= prec else f"({e.text})"


class Mask:
    """A local derivative that is zero by structure where ``condition`` holds (always, for None).

    backward() adds +0.0 there whatever the upstream grad, as PyTorch's ``where(cond, 0, grad)``:
    relu where inactive never passes on an infinite or NaN upstream grad.
    """

    __slots__ = ("condition", "value")

    def __init__(self, condition: Expr | None, value: Expr | None) -> None:
        self.condition, self.value = condition, value


class Symbols:
    """The namespace ``m`` that writes source: each function of the runtime namespace builds a call to it."""

    def __init__(self, runtime: Mapping[str, Any]) -> None:
        for fname, value in runtime.items():
            if hasattr(type(self), fname):  # ZERO: the structural zero, a Mask here, not the float
                continue
            if callable(value):
                setattr(self, fname, _caller(fname))
            else:
                setattr(self, fname, name(fname))
        self.runtime_names = frozenset(runtime)

    where = staticmethod(where)

    @staticmethod
    def mask(condition: object, value: object) -> Mask:
        return Mask(literal(condition), literal(value))

    ZERO = Mask(None, None)

    BUILTINS = ("sum", "map")  # the builtins that dot() writes

    @staticmethod
    def each(items: object, f: Callable[[Expr], object]) -> Group | list[object]:
        """[f(x) for x in items]: for a tuple written as one name (logsumexp's z), that comprehension as source."""
        if isinstance(items, Group):
            x = name(items.text + "_k")
            body = literal(f(x))
            return Group(f"[{body.text} for {x.text} in {items.text}]", ATOM, (body.names - x.names) | items.names)
        return [f(x) for x in items]  # type: ignore[attr-defined]

    @staticmethod
    def dot(w: object, a: object) -> Expr:
        """Σ_k w_k·a_k of two tuples, as ``sum(map(mul, w, a), -0.0)``: from -0.0, the sum of -0.0s stays -0.0."""
        return call("sum", [call("map", [name("mul"), w, a]), literal(-0.0)])


def _caller(fname: str) -> Callable[..., Expr]:
    return lambda *args: call(fname, args)


def tuple_expr(items: Iterable[object]) -> Expr:
    """A tuple display: (a,) or (a, b)."""
    parts = [literal(x) for x in items]
    text = f"({parts[0].text},)" if len(parts) == 1 else f"({', '.join(p.text for p in parts)})"
    return Expr(text, ATOM, frozenset().union(*(p.names for p in parts)))


def local_text(d: Expr | Mask | object) -> str:
    """A local derivative as the source of the float the engine stores on the edge (ZERO: a structural zero)."""
    if isinstance(d, Mask):
        if d.condition is None:
            return "ZERO"
        return where(d.condition, name("ZERO"), d.value).text
    return literal(d).text


def locals_text(local: tuple[object, ...]) -> str:
    """The source of the tuple of local derivatives an op stores on its node, structural zeros marked.

    One masked derivative is written as a choice between two constant tuples where it can be (relu:
    ``ZERO_1 if out <= 0.0 else (1.0,)``), so that no node allocates a tuple of its own for them.
    """
    if len(local) == 1 and isinstance(local[0], Mask):
        d = local[0]
        if d.condition is None:
            return "ZERO_1"
        return where(d.condition, name("ZERO_1"), tuple_expr([d.value])).text
    body = tuple_expr([Expr(local_text(d)) for d in local]).text
    return f"_masked({body})" if any(isinstance(d, Mask) for d in local) else body


def compile_function(params: list[str], body: str, runtime: Mapping[str, Any]) -> Callable[..., Any]:
    """``lambda params: body`` over the runtime namespace: the float function that source stands for."""
    function: Callable[..., Any] = eval(f"lambda {', '.join(params)}: {body}", dict(runtime))
    return function
