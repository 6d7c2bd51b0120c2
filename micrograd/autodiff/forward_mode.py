"""Forward mode: derivatives carried forward with the values, as dual numbers a + b·ε where ε² = 0.

A Dual holds a value and its tangent, the derivative of that value along one direction of the
inputs. Every op computes its value and its local derivatives from the same definition as a Value's
(micrograd.ops), and the tangent of the result is the chain rule forward: Σ_k ∂out/∂operand_k ·
tangent_k. No graph is recorded. One pass gives the derivative of every output along one input
direction, where reverse mode gives the derivative of one output along every input.

micrograd.lab.trace.trace_forward_mode(root, wrt=x) does the same on a recorded graph, with the local
derivatives stored on its edges, and writes each step out: ċ = ∂c/∂a·ȧ + ∂c/∂b·ḃ = ….
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, overload

from micrograd import methods, ops
from micrograd.checks import ComparesAsFloat, as_float, as_floats, is_sequence, not_a_sequence, type_name
from micrograd.engine import Number, apply_op
from micrograd.ops import Op
from micrograd.runtime import ZERO, contribution


class Dual(ComparesAsFloat):
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
            return apply_op(ops.POW, (self, other), _dual_result)
        return apply_op(ops.power(as_float(other, "exponent")), (self,), _dual_result)

    def __float__(self) -> float:
        return self._data

    def __repr__(self) -> str:
        return f"Dual({self._data!r}, {self.tangent!r})"

    def __str__(self) -> str:
        sign = "-" if str(self.tangent).startswith("-") else "+"
        return f"{self._data!r} {sign} {str(self.tangent).lstrip('-')}ε"


def tangent(local: Sequence[float], tangents: Sequence[float]) -> float:
    """Σ_k ∂out/∂operand_k · tangent_k, from -0.0 (so one term lands exactly, sign of zero too).

    An operand whose tangent is 0 does not vary along the direction and adds nothing, even where its
    local derivative is infinite (2 ** x at x = inf): a constant never makes a derivative NaN. A
    structural zero (relu where inactive) adds +0.0.
    """
    total = -0.0
    for d, t in zip(local, tangents):
        if t != 0.0 or d is ZERO:
            total += contribution(d, t)
    return total


def _dual_result(out: float, children: tuple[Dual, ...], local: tuple[float, ...], op: Op) -> Dual:
    """The op's output as a Dual: its value, and its tangent Σ_k ∂out/∂operand_k · tangent_k."""
    result = Dual.__new__(Dual)
    result._data, result.tangent = out, tangent(local, [child.tangent for child in children])
    return result


_linear = methods.attach(Dual, _dual_result)  # every op, as Value has it: d + e, d * e, d.tanh(), abs(d)


def linear(w: Sequence[Dual | Number], a: Sequence[Dual | Number], b: Dual | Number = 0.0) -> Dual:
    """z = Σ_k w_k·a_k + b of Duals, as micrograd.linear computes it for Values: its value and its tangent."""
    wd, ad = _duals(w, "weights"), _duals(a, "inputs")
    if len(wd) != len(ad):
        raise ValueError(f"linear() needs as many weights as inputs, got {len(wd)} weights and {len(ad)} inputs")
    return _linear(wd, ad, b if isinstance(b, Dual) else Dual(b), [x._data for x in ad])  # type: ignore[no-any-return]


def logsumexp(z: Sequence[Dual | Number]) -> Dual:
    """log Σ_k e^(z_k) of Duals, as micrograd.training.losses.logsumexp computes it for Values."""
    return apply_op(ops.LOGSUMEXP, tuple(_duals(z, "values", "logsumexp()", nonempty=True)), _dual_result)


def amax(z: Sequence[Dual | Number]) -> Dual:
    """The largest of z, of Duals, as training.losses.amax computes it for Values (its tangent split among ties)."""
    return apply_op(ops.MAX, tuple(_duals(z, "values", "amax()", nonempty=True)), _dual_result)


def _duals(xs: object, what: str, who: str = "linear()", nonempty: bool = False) -> list[Dual]:
    if not is_sequence(xs):
        raise TypeError(f"{who} takes a sequence of {what}, got {not_a_sequence(xs)}")
    if nonempty and not xs:
        raise ValueError(f"{who} needs at least one value")
    return [x if isinstance(x, Dual) else Dual(x) for x in xs]  # type: ignore[arg-type]  # Dual() checks x


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
    ps = as_floats(primals, "jvp() primals")
    ts = as_floats(tangents, "jvp() tangents")
    if len(ps) != len(ts):
        raise ValueError(f"jvp() needs one tangent per primal, got {len(ps)} primals and {len(ts)} tangents")
    if not callable(f):
        raise TypeError(f"jvp() takes a function of a list of Duals, got {type_name(f)}")
    try:
        out = f([Dual(p, t) for p, t in zip(ps, ts)])
    except TypeError as error:
        if "Dual" in str(error) and "Value" in str(error):
            raise TypeError(
                f"jvp(): f mixed the Duals it was given with Values ({error}). Forward mode computes with "
                "Duals and numbers only: a network's weights are Values, so differentiate it with grad(), or "
                "step through forward mode on its recorded graph with trace_forward_mode()"
            ) from None
        raise
    if isinstance(out, Dual):
        return out._data, out.tangent
    if is_sequence(out) and all(isinstance(o, Dual) for o in out):
        duals: list[Dual] = list(out)  # type: ignore[arg-type]
        return [o._data for o in duals], [o.tangent for o in duals]
    raise TypeError(f"jvp(): f must return a Dual or a list of Duals, got {type_name(out)}")


__all__ = ["Dual", "amax", "jvp", "linear", "logsumexp", "tangent"]
