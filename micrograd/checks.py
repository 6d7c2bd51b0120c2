"""The checks every public function makes of what it is given: numbers, whole numbers, sequences, recorded graphs.

One home for them, so that a set, a dict or a generator is refused the same way everywhere, and a
numpy number is taken wherever Python's number is. Here too: how a value that stands for a float
compares (ComparesAsFloat), and numbers made leaves labelled by their place (leaves_by_place).
"""

from __future__ import annotations

import numbers
import os
import sys
from collections.abc import Callable, Mapping, Sequence, Set
from types import FrameType
from typing import TYPE_CHECKING, Any, TypeGuard

if TYPE_CHECKING:
    from typing_extensions import TypeIs  # typing.TypeIs from Python 3.13

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def type_name(x: object) -> str:
    """The name of x's type, with its module unless it is a builtin: "str", "numpy.float32"."""
    t = type(x)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def as_float(x: object, what: str) -> float:
    """x as a float if it is a real number (not a bool); otherwise a TypeError naming its type."""
    t = type(x)
    if t is float:
        return x  # type: ignore[return-value]
    if t is int or (isinstance(x, numbers.Real) and not isinstance(x, bool)):
        try:
            return float(x)  # type: ignore[arg-type]
        except OverflowError:
            raise OverflowError(f"{what}: the integer {x} is too large for a float") from None
    if t.__name__ == "Value" and t.__module__ == "micrograd.engine":
        raise TypeError(f"{what} takes a number, got a Value; use the Value itself, or its .data")
    if t.__name__ == "Value":
        raise TypeError(
            f"{what} takes a number or a micrograd.engine.Value, got a Value of another class "
            f"({type_name(x)}); values from two different engines cannot be mixed in one graph"
        )
    raise TypeError(f"{what} takes a real number (int or float), got {type_name(x)}")


class ComparesAsFloat:
    """<, <=, >, >= and bool() of a number that stands for a float (a Value, a Dual): those of float(self).

    The other side is a real number or a value of the same kind; anything else is a TypeError that
    names it. == and hash stay those of object: a node is a dict key, the same node only equal to itself.
    """

    __slots__ = ()
    _kind: type[ComparesAsFloat]  # the class that subclassed this one directly: the values compared by their floats

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if ComparesAsFloat in cls.__bases__:
            cls._kind = cls

    def __float__(self) -> float:
        raise NotImplementedError

    def _other(self, other: object) -> float:
        if isinstance(other, self._kind):
            return float(other)
        return as_float(other, "comparison")

    def __bool__(self) -> bool:
        return float(self) != 0.0

    def __lt__(self, other: object) -> bool:
        return float(self) < self._other(other)

    def __le__(self, other: object) -> bool:
        return float(self) <= self._other(other)

    def __gt__(self, other: object) -> bool:
        return float(self) > self._other(other)

    def __ge__(self, other: object) -> bool:
        return float(self) >= self._other(other)


def as_floats(xs: object, what: str) -> list[float]:
    """A sequence of real numbers as a list of floats; otherwise a TypeError naming what is wrong."""
    if not is_sequence(xs):
        raise TypeError(f"{what} must be a sequence of numbers, got {not_a_sequence(xs)}")
    return [as_float(x, what) for x in xs]


def leaves_by_place(
    x: object, label: str, leaf: Callable[[Any, str], object], other: Callable[[object, str], object]
) -> object:
    """x with each real number in it, at any depth of lists, made leaf(number, its place): X[3][1] for label "X".

    Anything that is neither a number nor a list (a str, a Value, None) is other(it, its place):
    an error, or itself.
    """
    if is_number(x):
        return leaf(x, label)
    if isinstance(x, (str, bytes)) or not (hasattr(x, "__len__") and hasattr(x, "__iter__")):
        return other(x, label)
    return [leaves_by_place(v, f"{label}[{i}]", leaf, other) for i, v in enumerate(x)]


def not_recorded(what: str, subject: str = "this value was computed") -> ValueError:
    """The error for differentiating what no_grad() did not record."""
    return ValueError(
        f"{what}: {subject} inside no_grad(), which records no graph, so there is nothing to differentiate "
        "(PyTorch: 'element 0 of tensors does not require grad'); do it outside no_grad()"
    )


def is_number(x: object) -> TypeIs[numbers.Real]:
    """A real number: an int, a float or a numpy number, but not a bool."""
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def is_int(x: object) -> TypeGuard[numbers.Integral]:
    """A whole number: an int or a numpy integer, but not a bool (as micrograd 0.1.0 takes them)."""
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def is_sequence(x: object) -> TypeIs[Sequence[object]]:
    """An ordered run of entries: a list, a tuple, a numpy array, a range.

    Not a str or bytes (their characters are no numbers), nor a set (no order), a dict (its keys
    would be read) or a generator (it is used up once read). For mypy, x is then a Sequence whose
    entries are still to be checked.
    """
    if type(x) is list or type(x) is tuple:  # the common case, without the slower checks of abstract classes
        return True
    if isinstance(x, (str, bytes, bytearray, Set, Mapping)):
        return False
    if not (hasattr(x, "__len__") and hasattr(x, "__getitem__")):
        return False
    try:
        len(x)
    except TypeError:  # a numpy array of no dimension
        return False
    return True


def not_a_sequence(x: object) -> str:
    """Why x is not a sequence, for an error message: its type, and what is wrong with it if it is common."""
    why = (
        " (a set has no order)"
        if isinstance(x, Set)
        else " (a dict: its keys would be read)"
        if isinstance(x, Mapping)
        else " (an iterator is used up once read: make it a list)"
        if hasattr(x, "__next__")
        else ""
    )
    return type_name(x) + why


def ours(frame: FrameType) -> bool:
    """Whether frame runs micrograd's own code: a module of the package, or the code it generates."""
    filename = frame.f_code.co_filename
    return filename.startswith("<micrograd") or os.path.abspath(filename).startswith(PACKAGE_DIR + os.sep)


# A comparison reads float(self) and float(other) on behalf of whoever compared.
_ON_BEHALF = frozenset(
    f.__code__
    for f in (
        ComparesAsFloat._other,
        ComparesAsFloat.__bool__,
        ComparesAsFloat.__lt__,
        ComparesAsFloat.__le__,
        ComparesAsFloat.__gt__,
        ComparesAsFloat.__ge__,
    )
)


def caller_is_ours(depth: int = 2) -> bool:
    """Whether the code that asked, depth frames up (past a comparison asking on its behalf), is micrograd's own."""
    frame = sys._getframe(depth)
    while frame.f_code in _ON_BEHALF and frame.f_back is not None:
        frame = frame.f_back
    return ours(frame)
