"""The README's examples run, and what they say they print is what they print."""

from __future__ import annotations

import contextlib
import io
import linecache
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def fenced_blocks(text: str) -> list[tuple[str, str, str]]:
    """(language, code, the prose that follows) for every fenced block of the README."""
    pattern = re.compile(r"^```(\w*)\n(.*?)^```\n(.*?)(?=^```|\Z)", re.S | re.M)
    return [(m.group(1), m.group(2), m.group(3)) for m in pattern.finditer(text)]


def first_quoted(prose: str) -> str:
    """The first `code span` of a paragraph, its line breaks as spaces."""
    return " ".join(re.search(r"`([^`]+)`", prose).group(1).split())


def test_python_examples_run_and_print_what_they_say(torch, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the examples write pictures and a model file
    namespace: dict = {}
    blocks = fenced_blocks(README.read_text(encoding="utf-8"))
    ran, shown = 0, set()
    for i, (language, code, after) in enumerate(blocks):
        if language != "python":
            continue
        if code.startswith("def forward_backward"):  # shown as the output of graph.source
            assert code == namespace["graph"].source
            continue
        linecache.cache["example.py"] = (len(code), None, code.splitlines(True), "example.py")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, "example.py", "exec"), namespace)
        ran += 1
        printed = out.getvalue()
        promised = [line.split("# → ", 1)[1] for line in code.splitlines() if "# → " in line]
        if promised:
            assert printed.splitlines() == promised
        elif "detect_anomaly" in code:
            assert " ".join(printed.split()) == first_quoted(after)
        if after.rstrip().endswith(":") and blocks[i + 1][0] == "":  # "`print(name)` ...:", then what it shows
            for name in re.findall(r"`print\((\w+)\)`", after):
                assert blocks[i + 1][1] == str(namespace[name]) + "\n"
                shown.add(name)
    assert ran >= 8
    assert shown == {"trace", "forward", "check", "verdict"}
    assert (tmp_path / "moons.json").exists() and (tmp_path / "boundary.svg").exists()


def test_the_counts_and_names_the_readme_states_are_the_suite_s():
    """Every count the README states, against what the suite runs: all mismatches reported at once."""
    import test_autograd
    import test_equations
    import test_forward_mode
    import test_fuzz
    import test_stability

    import edge_cases
    from micrograd.ops import ACTIVATIONS

    text = " ".join(README.read_text(encoding="utf-8").split())
    cases = edge_cases.CASES

    def examples(test) -> int:
        return test._hypothesis_internal_use_settings.max_examples

    batch_sizes = next(
        mark.args[1] for mark in test_equations.test_backward_agrees_with_bp1_to_bp4.pytestmark if mark.args[0] == "m"
    )
    sweeps = {name: len(points) for name, points in test_stability.SWEEPS.items()}
    fuzz = examples(test_fuzz.test_random_graphs_of_every_op_against_pytorch)
    fuzz_compiled = examples(test_fuzz.test_random_graphs_of_every_op_compile_to_backward_s_numbers_at_new_values)
    claims = {  # the README's words, with the count's place as (\d+): the number the suite has
        r"\*\*(\d+) edge points\*\*": len(cases),
        r"edge points\*\* over (\d+) ops": len(edge_cases.OPS),
        r"(\d+) match PyTorch float64": sum(case.raises is None for case in cases),
        r"(\d+) raise the exception": sum(case.raises is not None for case in cases),
        r"Graph vs the four equations\*\*: (\d+) cases": len(list(test_equations.configurations())) * len(batch_sizes),
        r"(\d+) for every op of one operand": len(test_stability.POINTS),
        r"(\d+) for exp": sweeps["exp(x)"],
        r"(\d+) for sqrt and `x \*\* 0.5`": sweeps["sqrt(x)"],
        r"(\d+) for log": sweeps["log(x)"],
        r"\(`tests/test_fuzz.py`\): (\d+) graphs": fuzz,
        r"And (\d+) such graphs through the compiled mode": min(fuzz, fuzz_compiled),
        r"\(`tests/test_autograd.py`\): (\d+) random graphs": examples(
            test_autograd.test_derivatives_to_order_3_of_random_graphs_of_every_op_match_pytorch
        ),
        r"(\d+) random graphs through `jvp`": examples(
            test_forward_mode.test_jvp_of_random_graphs_of_every_op_matches_pytorch_and_reverse_mode
        ),
        r"and (\d+) through `trace_forward_mode`": examples(
            test_forward_mode.test_trace_forward_mode_gives_every_input_s_derivative_as_reverse_mode_does
        ),
    }
    assert sweeps["sqrt(x)"] == sweeps["x ** 0.5"], "the README states one count for sqrt and x ** 0.5"
    wrong = []
    for pattern, actual in claims.items():
        found = re.search(pattern, text)
        if not found:
            wrong.append(f"not found in the README: {pattern}")
        elif int(found.group(1)) != actual:
            wrong.append(f"the README says {found.group(0)!r}: the suite has {actual}")
    listed = re.search(r"Activations are (.*?), with a separate choice", text)
    if not listed or re.findall(r'`"(\w+)"`', listed.group(1)) != list(ACTIVATIONS):
        wrong.append(f"the README's list of activations is not {', '.join(ACTIVATIONS)}")
    assert not wrong, "update the README:\n" + "\n".join(wrong)


def test_the_op_shown_is_the_op_defined():
    shown = [code for _, code, _ in fenced_blocks(README.read_text(encoding="utf-8")) if code.startswith("TANH = Op(")]
    source = (README.parent / "micrograd" / "ops.py").read_text(encoding="utf-8")
    assert len(shown) == 1 and shown[0] in source
