"""One check of sequences everywhere: a set, a dict or a generator is never read as a list of numbers."""

from __future__ import annotations

import pytest

from micrograd import MLP, Value, linear
from micrograd.checks import is_sequence
from micrograd.compile import compile_graph
from micrograd.training.losses import quadratic_cost
from micrograd.training.optim import SGD
from micrograd.training.train import fit

NOT_SEQUENCES = {
    "set": lambda: {2.0, 1.0},
    "dict": lambda: {0: 1.0, 1: 2.0},
    "generator": lambda: (v for v in [1.0, 2.0]),
    "str": lambda: "12",
}
WHY = r"set has no order|keys would be read|used up once read|got str"


def test_sequences_are_lists_tuples_ranges_and_numpy_arrays(np):
    assert all(is_sequence(x) for x in ([1.0], (1.0, 2.0), range(3), np.array([1.0, 2.0])))
    assert not any(is_sequence(make()) for make in NOT_SEQUENCES.values())
    assert not is_sequence(np.float64(1.0)) and not is_sequence(np.array(1.0)) and not is_sequence(Value(1.0))


@pytest.mark.parametrize("kind", NOT_SEQUENCES)
def test_every_entry_point_refuses_what_is_not_a_sequence(kind):
    make = NOT_SEQUENCES[kind]
    x, y = Value(2.0, "x"), Value(3.0, "y")
    graph = compile_graph(x * y, [x], [y, Value(1.0)])
    calls = {
        "an MLP's inputs": lambda: MLP(2, [3, 1], seed=0)(make()),
        "linear's weights": lambda: linear(make(), [1.0, 2.0]),
        "a loss's targets": lambda: quadratic_cost([Value(1.0), Value(2.0)], make()),
        "fit's inputs": lambda: fit(
            MLP(2, [1], seed=0),
            make(),
            [0.0, 1.0],
            loss=quadratic_cost,
            optimizer=SGD(MLP(2, [1], seed=0).parameters(), lr=0.1),
            verbose=False,
        ),
        "a compiled graph's inputs": lambda: graph([2.0], make()),
        "a compiled graph's parameter values": lambda: graph(make(), [3.0, 1.0]),
    }
    for what, call in calls.items():
        with pytest.raises(TypeError, match=WHY if kind != "str" else r"str") as raised:
            call()
        assert "Traceback" not in str(raised.value), what
