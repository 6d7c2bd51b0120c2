"""How each op becomes a Value method: its definition (micrograd.ops) written into one template.

For tanh the template gives, in effect,

    def tanh(self):
        x0 = self._data
        out = tanh(x0)
        return new_node(out, (self,), (1.0 - out * out,), op)

the value and the local derivatives in the very text that the op's definition prints itself as.
micrograd.engine calls attach() once, when it is imported.
"""

from __future__ import annotations

import linecache
from collections.abc import Callable
from typing import Any

from micrograd.ops import LINEAR, OPS, Op
from micrograd.runtime import RUNTIME

_TEMPLATE = """def {function}({params}):
    {doc}
{unpack}
    try:
        out = {value}
    except (ArithmeticError, ValueError) as error:
        raise op.error(error, [{operands}]) from None
    return new_node(out, {children}, {local}, op)
"""
_UNARY = {"params": "self", "unpack": "    x0 = self._data", "children": "(self,)"}
_OTHER = "    if not isinstance(other, Value):\n        other = Value(other)\n"
_BINARY = {
    "params": "self, other",
    "unpack": _OTHER + "    x0, x1 = self._data, other._data",
    "children": "(self, other)",
}
_REFLECTED = {
    "params": "self, other",
    "unpack": _OTHER + "    x0, x1 = other._data, self._data",
    "children": "(other, self)",
}
_LINEAR = {  # z = w·a + b of Values w and b, inputs a with their floats ad: the hot path of a layer
    "params": "w, a, b, ad",
    "unpack": "    wd = [wk._data for wk in w]\n    bd = b._data",
    "children": "(*w, *a, b)",
}


def _define(op: Op, function: str, form: dict[str, str], engine: dict[str, Any]) -> Callable[..., Any]:
    """The function of op written in form: its source from the template, compiled over the ops' runtime.

    The source is registered with linecache under the code's file name, as IPython registers a cell:
    inspect.getsource, Jupyter's ``Value.tanh??`` and tracebacks then show the method's own lines.
    Generated at import rather than kept in a file, it cannot drift from the op's definition.
    """
    doc = repr(f"{op.write(['x', 'y'])}, recording its local derivatives.")  # a str literal, whatever it holds
    source = _TEMPLATE.format(
        function=function, doc=doc, value=op.value_text, local=op.local_text, operands=", ".join(op.operands), **form
    )
    filename = f"<micrograd {engine['Value'].__name__}.{function}: op {op.name}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    namespace = {**RUNTIME, **engine, "op": op, "__name__": engine["Value"].__module__}
    defined: dict[str, Any] = {}  # apart from the namespace: def tanh must not hide the runtime's tanh
    exec(compile(source, filename, "exec"), namespace, defined)
    method: Callable[..., Any] = defined[function]
    method.__qualname__ = f"{engine['Value'].__name__}.{function}"
    return method


OPERATORS = {"+": "add", "-": "sub", "*": "mul", "/": "truediv", "**": "pow"}


def attach(value: type, result: Callable[..., Any]) -> Callable[..., Any]:
    """Give the class Value a method for every op; returns linear's function of Values, the hot path of a layer.

    ``result(out, children, local, op)`` makes a node. x ** n is not attached: Value.__pow__ picks
    POW or power(n) by the exponent.
    """
    engine = {"Value": value, "new_node": result}
    for op in OPS.values():
        if op.arity == 2:
            name = OPERATORS[op.name]
            if name != "pow":
                setattr(value, f"__{name}__", _define(op, f"__{name}__", _BINARY, engine))
            setattr(value, f"__r{name}__", _define(op, f"__r{name}__", _REFLECTED, engine))
        elif op.arity == 1:
            for name in op.methods:
                setattr(value, name, _define(op, name, _UNARY, engine))
    return _define(LINEAR, "linear_values", _LINEAR, engine)
