"""Every op at its edge points (tests/edge_cases.py) against PyTorch float64, or raising Python's exception."""

from __future__ import annotations

from pathlib import Path

import pytest

import micrograd.ops
from edge_cases import CASES, OPS, markdown_table, run_micrograd, run_torch, same

DOC = Path(__file__).resolve().parent.parent / "docs" / "edge-cases.md"


def test_every_op_of_micrograd_has_test_data_and_edge_points():
    tested = {entry.op for entry in OPS.values()}
    assert tested == {*micrograd.ops.OPS, "**n"}, "add the op's entry to tests/edge_cases.py"
    at_edges = {OPS[case.op].op for case in CASES}
    assert at_edges == tested, f"no edge points for {sorted(tested - at_edges)}"
    assert all(case.op in OPS for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_edge_point(torch, case):
    ours = run_micrograd(case)
    t_value, t_grads = run_torch(torch, case)
    if case.raises is not None:
        assert isinstance(ours, case.raises), f"expected {case.raises.__name__}, got {ours!r}"
        operand = next(repr(x) for x in case.at)
        assert operand in str(ours) or any(repr(x) in str(ours) for x in case.at), str(ours)
        return
    assert not isinstance(ours, Exception), f"{case.id} raised {ours!r}; PyTorch gives {t_value}"
    value, grads = ours
    assert same(value, t_value), f"value {value!r}, PyTorch {t_value!r}"
    for i, (g, t) in enumerate(zip(grads, t_grads)):
        assert same(g, t), f"gradient {i}: {g!r}, PyTorch {t!r}"


def test_the_docs_table_is_generated_from_these_cases(torch):
    assert DOC.read_text(encoding="utf-8") == markdown_table(torch), "run: python docs/make_edge_table.py"
