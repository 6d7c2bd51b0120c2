"""Every Value method is written from its op's definition, and a learner can read it: inspect.getsource, Jupyter's ??
and tracebacks show the generated source, which is the code that runs."""

import inspect
import traceback

import pytest

from micrograd import Dual, Value
from micrograd.methods import OPERATORS
from micrograd.ops import OPS


def _methods(cls: type) -> list[tuple[str, object, str]]:
    """(method name, the function, its op's name) for every method attached from an op."""
    found = []
    for op in OPS.values():
        if op.arity == 2:
            name = OPERATORS[op.name]
            names = [f"__r{name}__"] if name == "pow" else [f"__{name}__", f"__r{name}__"]
        else:
            names = list(op.methods)
        found += [(n, getattr(cls, n), op.name) for n in names]
    return found


@pytest.mark.parametrize("cls", [Value, Dual])
def test_every_generated_method_shows_its_source_and_that_source_is_the_code_that_runs(cls):
    methods = _methods(cls)
    assert len(methods) >= 20
    for name, method, op_name in methods:
        source = inspect.getsource(method)
        op = OPS[op_name]
        assert source.startswith(f"def {name}("), source
        assert f"out = {op.value_text}\n" in source and op.local_text in source, (name, source)
        # the text shown compiles to exactly the function's code, so what a learner reads is what runs
        shown = compile(source, method.__code__.co_filename, "exec")
        code = next(c for c in shown.co_consts if inspect.iscode(c))
        assert code.co_code == method.__code__.co_code, name
        assert method.__qualname__ == f"{cls.__name__}.{name}"


def test_a_traceback_through_a_generated_method_shows_its_line():
    try:
        Value(0.0).log()
    except ValueError:
        shown = traceback.format_exc()
    assert "raise op.error(error, [x0]) from None" in shown
    assert "Value.log" in shown
