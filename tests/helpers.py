"""Helpers shared by the tests."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from micrograd import Value

_SCRIPT = textwrap.dedent(
    """
    import json, sys
    {imports}
    results = {{}}
    for name, code in json.loads(sys.argv[1]).items():
        try:
            exec(code)
            results[name] = ["no error", ""]
        except Exception as e:
            results[name] = [type(e).__name__, str(e)]
    print(json.dumps(results))
    """
)


def errors_in_fresh_python(cases: dict[str, str], imports: str, optimize: bool) -> dict[str, tuple[str, str]]:
    """Run each snippet in a new interpreter (with -O if optimize: asserts stripped) -> (error type, message)."""
    flags = ["-O"] if optimize else []
    out = subprocess.run(
        [sys.executable, *flags, "-c", _SCRIPT.format(imports=imports), json.dumps(cases)],
        capture_output=True,
        text=True,
        check=True,
    )
    return {name: tuple(result) for name, result in json.loads(out.stdout).items()}


def assert_named_errors(expected: dict[str, tuple[str, str, str]], imports: str) -> None:
    """expected: name -> (code, error type name, words the message must contain); checked with and without -O."""
    cases = {name: code for name, (code, _, _) in expected.items()}
    for optimize in (True, False):
        results = errors_in_fresh_python(cases, imports, optimize)
        for name, (_, error, words) in expected.items():
            got, message = results[name]
            flag = " under -O" if optimize else ""
            assert got == error, f"{name}{flag}: expected {error}, got {got}: {message}"
            assert words in message, f"{name}{flag}: {message!r} should mention {words!r}"


def lecture_example() -> dict[str, Value]:
    """L = (a·b + c)·f with a = 2, b = −3, c = 10, f = −2: the lecture's expression, before backward()."""
    a, b, c, f = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c"), Value(-2.0, "f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "L": L}
