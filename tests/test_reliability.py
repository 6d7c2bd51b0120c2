"""Reliability: anomaly mode, determinism across processes, memory over long runs, threads, copies."""

from __future__ import annotations

import copy
import gc
import inspect
import math
import os
import pickle
import subprocess
import sys
import textwrap
import threading
import tracemalloc
import weakref

import pytest

from micrograd import MLP, Value, detect_anomaly, linear, no_grad, topological_order
from micrograd.autodiff import anomaly as anomaly_module


def hinge_step(model: MLP, X: list[list[float]], y: list[float], lr: float = 0.05) -> Value:
    """One training step of micrograd's demo: max-margin loss + 1e-4·L2, zero grads, backward, SGD."""
    scores = [model(x) for x in X]
    loss = sum((1 + -yi * s).relu() for yi, s in zip(y, scores)) * (1.0 / len(X))
    loss = loss + 1e-4 * sum(p * p for p in model.parameters())
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss


def small_moons(n: int) -> tuple[list[list[float]], list[float]]:
    X = [[math.cos(math.pi * i / n) + (i % 2) * 1.0, math.sin(math.pi * i / n) - (i % 2) * 0.5] for i in range(n)]
    return X, [1.0 if i % 2 else -1.0 for i in range(n)]


# -- anomaly mode ------------------------------------------------------------------------------


def test_anomaly_mode_is_off_by_default():
    x = Value(math.inf)
    y = (x - x) * 2  # NaN, silently, as float arithmetic
    y.backward()
    assert math.isnan(y.data)


def test_anomaly_mode_names_the_first_op_that_makes_a_nan_and_the_line():
    a = Value(math.inf, "a")
    with detect_anomaly(), pytest.raises(FloatingPointError) as info:
        line = inspect.currentframe().f_lineno + 1
        b = a - a  # inf - inf: the first NaN
        b * 2  # never reached
    message = str(info.value)
    assert "op '-'" in message
    assert "a=inf, a=inf" in message
    assert f"{__file__}:{line}" in message
    assert "b = a - a" in message
    assert "computed nan" in message


def test_anomaly_mode_names_the_op_and_node_whose_gradient_becomes_infinite():
    with detect_anomaly():
        x = Value(0.0, "x")
        line = inspect.currentframe().f_lineno + 1
        root = x**0.5  # finite value, infinite derivative at 0
        root.label = "root"
        out = root * 3
        with pytest.raises(FloatingPointError) as info:
            out.backward()
    message = str(info.value)
    assert "op '**0.5'" in message and "node 'root'" in message and "child 'x'" in message
    assert f"{__file__}:{line}" in message and "root = x**0.5" in message
    assert "inf" in message


def test_anomaly_mode_checks_graphs_built_outside_it_during_backward():
    x = Value(0.0, "x")
    y = x**0.5
    with detect_anomaly(), pytest.raises(FloatingPointError, match="created outside detect_anomaly"):
        y.backward()


def test_anomaly_mode_records_nothing_when_off():
    outside = [Value(1.0) * 2 for _ in range(100)]
    with detect_anomaly():
        inside = [Value(1.0) * 2 for _ in range(100)]
    assert not any(node in anomaly_module._origins for node in outside)
    assert all(node in anomaly_module._origins for node in inside)


def test_anomaly_mode_still_checks_under_no_grad():
    with detect_anomaly(), no_grad(), pytest.raises(FloatingPointError, match="computed inf"):
        Value(1e300) * 1e300


# -- determinism -------------------------------------------------------------------------------


def test_gradients_are_bitwise_identical_across_processes_and_hash_seeds():
    script = textwrap.dedent(
        """
        import math
        from micrograd import MLP, Value
        n = 40
        X = [[math.cos(math.pi * i / n) + (i % 2), math.sin(math.pi * i / n) - (i % 2) * 0.5] for i in range(n)]
        y = [1.0 if i % 2 else -1.0 for i in range(n)]
        model = MLP(2, [16, 16, 1], seed=0)
        scores = [model(x) for x in X]
        loss = sum((1 + -yi * s).relu() for yi, s in zip(y, scores)) * (1.0 / n)
        loss = loss + 1e-4 * sum(p * p for p in model.parameters())
        loss.backward()
        print(loss.data.hex(), *(p.grad.hex() for p in model.parameters()))
        """
    )
    outputs = set()
    for hash_seed in ("0", "1", "42", "1234", "random"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env)
        outputs.add(out.stdout)
    assert len(outputs) == 1
    grads = outputs.pop().split()
    assert len(grads) == 1 + 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1
    assert any(float.fromhex(g) != 0.0 for g in grads[1:])


# -- memory ----------------------------------------------------------------------------------------


def test_no_node_outlives_its_step_and_memory_stays_flat_without_the_garbage_collector():
    X, y = small_moons(6)
    model = MLP(2, [6, 6, 1], seed=0)
    parameters = {id(p) for p in model.parameters()}
    peaks = []
    gc.disable()
    tracemalloc.start()
    try:
        for step in range(1000):
            before = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            loss = hinge_step(model, X, y)
            refs = [weakref.ref(node) for node in topological_order(loss) if id(node) not in parameters]
            del loss
            alive = sum(r() is not None for r in refs)
            assert alive == 0, f"step {step}: {alive} of its {len(refs)} nodes outlived it"
            peaks.append(tracemalloc.get_traced_memory()[1] - before)  # this step's peak, above what was there
            del refs
    finally:
        tracemalloc.stop()
        gc.enable()
    settled = peaks[10:]
    assert max(settled) <= 1.05 * min(settled), f"peak memory per step went from {min(settled)} to {max(settled)}"


# -- threads ----------------------------------------------------------------------------------------


def test_no_grad_in_one_thread_does_not_affect_another():
    entered, built = threading.Event(), threading.Event()
    seen: dict[str, tuple] = {}

    def inference():
        with no_grad():
            entered.set()
            built.wait(10)
            seen["inside no_grad"] = (Value(1.0) * 2)._prev

    def training():
        entered.wait(10)
        seen["other thread"] = (Value(1.0) * 2)._prev
        built.set()

    threads = [threading.Thread(target=inference), threading.Thread(target=training)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen["inside no_grad"] == ()
    assert len(seen["other thread"]) == 2
    assert len((Value(1.0) * 2)._prev) == 2  # and this thread records as usual


# -- copies -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make_copy", [lambda m: pickle.loads(pickle.dumps(m)), copy.deepcopy], ids=["pickle", "deepcopy"]
)
def test_an_mlp_survives_pickle_and_deepcopy_with_a_bitwise_identical_forward(make_copy):
    model = MLP(3, [4, 4, 2], activation="tanh", output_activation="sigmoid", seed=5)
    out = model([0.1, -0.2, 0.3])  # the layers hold the last pass's z and a: they are not part of the copy
    twin = make_copy(model)
    x = [0.7, -1.3, 2.1]
    assert [v.data.hex() for v in twin(x)] == [v.data.hex() for v in model(x)]
    assert repr(twin) == repr(model)
    assert all(p is not q for p, q in zip(twin.parameters(), model.parameters()))
    twin.parameters()[0].data += 1.0  # the copy is independent
    assert twin.parameters()[0].data != model.parameters()[0].data
    assert out[0].data == model([0.1, -0.2, 0.3])[0].data


def test_pickling_a_live_graph_raises_a_clear_error():
    w, x = Value(2.0), Value(3.0)
    z = linear([w], [x], 1.0)
    with pytest.raises(TypeError, match=r"pickle its \.data, or the model"):
        pickle.dumps(z)
    with pytest.raises(TypeError, match="cannot pickle or copy"):
        copy.deepcopy(z)


def test_no_grad_makes_no_training_a_silent_no_op():
    from micrograd.compile import compile_function, compile_graph
    from micrograd.training.losses import quadratic_cost
    from micrograd.training.optim import SGD
    from micrograd.training.train import fit

    model = MLP(2, [3, 1], seed=0)
    with no_grad():
        out = model([1.0, 2.0])
        with pytest.raises(ValueError, match=r"inside no_grad\(\)"):
            out.backward()
        with pytest.raises(ValueError, match=r"fit\(\).*inside no_grad\(\)"):
            fit(model, [[1.0, 2.0]], [1.0], loss=quadratic_cost, optimizer=SGD(model, lr=0.1), verbose=False)
        with pytest.raises(ValueError, match=r"compile_function\(\).*inside no_grad\(\)"):
            compile_function(lambda x: model(x), model.parameters(), [1.0, 2.0])
    with pytest.raises(ValueError, match=r"compile_graph\(\).*inside no_grad\(\)"):
        compile_graph(out, model.parameters())
    leaf = Value(3.0)
    with no_grad():
        leaf.backward()  # a leaf is its own graph: seeding it is fine anywhere
    assert leaf.grad == 1.0


@pytest.mark.parametrize("kind", ["float32", "float64"])
def test_a_numpy_learning_rate_leaves_python_floats_in_the_weights(np, tmp_path, kind):
    model = MLP(2, [3, 1], seed=0)
    model([1.0, -1.0]).backward()
    lr = getattr(np, kind)(0.1)
    for p in model.parameters():
        p.data -= lr * p.grad  # micrograd 0.1.0's README idiom
    assert all(type(p.data) is float for p in model.parameters())
    model.save(tmp_path / "model.json")  # json can write it
    again = MLP.from_state_dict(model.state_dict())
    assert [p.data for p in again.parameters()] == [p.data for p in model.parameters()]
    with pytest.raises(TypeError, match=r"Value\.data takes a real number"):
        model.parameters()[0].data = "0.5"
