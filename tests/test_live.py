"""fit(view=LiveView()): the picture updated in place within its time budget, interrupts that leave a consistent model
and History, and diagnoses when training goes wrong (micrograd.training.watch, with a view or without). Jupyter's
display is replaced by a recorder, and time by a clock the test moves, so nothing here depends on how fast the machine
is."""

from __future__ import annotations

import itertools
import math
import pathlib
import re
import signal
import warnings
import xml.etree.ElementTree as ET

import pytest

from micrograd import MLP
from micrograd.engine import is_grad_enabled
from micrograd.lab import live as live_module
from micrograd.lab.live import LiveView
from micrograd.training import watch as watch_module
from micrograd.training.data import make_moons
from micrograd.training.history import History
from micrograd.training.losses import hinge_loss, quadratic_cost
from micrograd.training.optim import SGD
from micrograd.training.train import fit
from micrograd.training.watch import TrainingWarning

SVG = "{http://www.w3.org/2000/svg}"


def moons(n: int = 40) -> tuple[list[list[float]], list[int]]:
    X, labels = make_moons(n, noise=0.1, seed=0)
    return X, [2 * t - 1 for t in labels]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def history_of(epochs: int) -> History:
    return History(
        loss=[1.0 / (e + 1) for e in range(epochs)], accuracy=[0.5 + e / (4 * epochs) for e in range(epochs)]
    )


@pytest.mark.parametrize(("epoch_time", "draw_time"), [(0.05, 0.3), (0.5, 0.1), (0.01, 0.01), (1.0, 2.0)])
def test_redraws_take_at_most_the_budget_of_training_time_plus_the_first_and_last(epoch_time, draw_time):
    clock = Clock()
    shown = []

    def show(bundle):
        shown.append(bundle)
        clock.now += draw_time  # drawing takes this long

    X, y = moons()
    epochs = 200
    view = LiveView(show=show, clock=clock, budget=0.2)
    assert view.start(MLP(2, [4, 1], seed=0), X, y, epochs)  # a show of its own: the pictures are shown
    view.picture = lambda history: {"text/plain": view.title(history)}  # timing only, here
    history = History()
    for _ in range(epochs):
        clock.now += epoch_time  # an epoch of training
        history.loss.append(1.0)
        history.accuracy.append(0.5)
        view.epoch(history)
    training = epochs * epoch_time
    assert view.draws == len(shown) and view.drawing_time == pytest.approx(draw_time * view.draws)
    assert shown[0]["text/plain"].startswith("epoch 1 of 200") and shown[-1]["text/plain"].startswith("epoch 200 of")
    # between the first and the last picture, drawing takes at most budget/(1 − budget) of training time
    middle = view.drawing_time - 2 * draw_time
    assert middle <= 0.2 / 0.8 * training + 1e-9
    # and never more often than MIN_INTERVAL apart
    assert view.draws <= 2 + training / max(live_module.MIN_INTERVAL, epoch_time) + 1


def curves(svg: str) -> dict[str, list[tuple[float, float]]]:
    """Each panel's line, by the panel's title: its points as (x, y), read with an XML parser."""
    found = {}
    for panel in ET.fromstring(svg).iter(f"{SVG}g"):
        title = next(panel.iter(f"{SVG}text")).text
        for line in panel.iter(f"{SVG}polyline"):
            found[title] = [tuple(float(v) for v in p.split(",")) for p in line.get("points").split()]
    return found


def test_the_picture_draws_the_history_s_curves_and_the_model_s_boundary():
    X, y = moons()
    model = MLP(2, [4, 1], seed=0)
    view = LiveView(show=lambda bundle: None)
    view.start(model, X, y, 10)
    history = history_of(6)
    bundle = view.picture(history)
    assert bundle["text/plain"] == "epoch 6 of 10: loss 0.1667, accuracy 70.8%"  # 1/6 and ½ + 5/24
    assert bundle["text/html"].startswith('<div class="mg-figure">')  # a drawing that fits its output
    svg = view.svg(history)
    drawn = curves(svg)
    for name, values in (("loss", history.loss), ("accuracy", history.accuracy)):
        points = drawn[name]
        assert len(points) == len(values)
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        assert all(b - a == pytest.approx(xs[1] - xs[0], abs=0.02) for a, b in itertools.pairwise(xs))  # one per epoch
        scale = (ys[-1] - ys[0]) / (values[-1] - values[0])  # screen y is an affine function of the value
        assert scale < 0 and all(
            y_ == pytest.approx(ys[0] + scale * (v - values[0]), abs=0.02) for y_, v in zip(ys, values)
        )
    # the regions: at the centre of each, the model's own prediction (Values, under no_grad) is its label
    regions = [r for r in ET.fromstring(svg).iter(f"{SVG}rect") if r.get("class") == "region"]
    assert {r.get("data-label") for r in regions} == {"-1", "1"}
    grid = live_module.RESOLUTION
    assert len(regions) >= grid  # at least one run per row of the grid
    from micrograd.lab.plot import decision_grid

    oracle = decision_grid(model, X, y, resolution=grid)  # the engine's forward pass, under no_grad
    runs = [
        label for row in oracle.labels for j, label in enumerate(row) if j == 0 or row[j - 1] != label
    ]  # one rectangle per run of a label along a row
    assert [r.get("data-label") for r in regions] == [repr(label) for label in runs]
    regression = LiveView(show=lambda bundle: None)
    regression.start(model, [[0.0], [1.0], [2.0]], [0.5, 1.5, 2.5], 3)
    assert set(curves(regression.svg(History(loss=[2.0, 1.0], accuracy=[None, None])))) == {"loss"}


@pytest.fixture
def notebook(monkeypatch):
    """The live view believes it runs in Jupyter; what it would display is recorded."""
    shown = []
    monkeypatch.setattr(live_module, "in_jupyter", lambda: True)
    monkeypatch.setattr(live_module, "jupyter_display", lambda: shown.append)
    return shown


def train(model, X, y, epochs, **kwargs):
    return fit(model, X, y, loss=hinge_loss, optimizer=SGD(model, lr=0.05), epochs=epochs, batch_size=10, **kwargs)


def test_live_training_updates_one_picture_and_trains_exactly_as_without_it(notebook, capsys):
    X, y = moons()
    quiet, watched = MLP(2, [8, 1], seed=1), MLP(2, [8, 1], seed=1)
    plain = train(quiet, X, y, 6, verbose=False)
    view = LiveView()
    seen = train(watched, X, y, 6, view=view)
    assert seen == plain and watched.state_dict() == quiet.state_dict()  # bit for bit
    assert 2 <= len(notebook) <= 6 and all(b["text/html"].startswith('<div class="mg-figure">') for b in notebook)
    assert notebook[-1]["text/plain"] == f"epoch 6 of 6: loss {plain.loss[-1]:.4g}, accuracy {plain.accuracy[-1]:.1%}"
    assert "training" not in capsys.readouterr().err  # the picture replaces the progress bar
    assert view.draws == len(notebook) and repr(view).startswith(f"LiveView(6 epochs, {view.draws} pictures drawn in")


def test_outside_jupyter_the_live_view_shows_nothing_and_the_progress_bar_stays(capsys):
    X, y = moons()
    view = LiveView()
    assert repr(view) == "LiveView(not started: fit(..., view=LiveView()) starts it)"
    train(MLP(2, [4, 1], seed=1), X, y, 2, view=view)
    assert "training: 100%" in capsys.readouterr().err
    assert view.draws == 0 and view.drawing_time == 0.0


def interrupting_loss(at_step: int):
    """hinge_loss, which interrupts this process (as Jupyter's stop button does) during training step at_step."""
    steps = 0

    def loss(outputs, targets):
        nonlocal steps
        if is_grad_enabled():  # a training step, not the measurement after an epoch
            steps += 1
            if steps == at_step:
                signal.raise_signal(signal.SIGINT)  # as os.kill would, on Windows too
        return hinge_loss(outputs, targets)

    return loss


def snapshot_loss(at_step: int, model, snapshot: dict):
    """hinge_loss, which keeps the model's weights as they are when training step at_step starts."""
    steps = 0

    def loss(outputs, targets):
        nonlocal steps
        if is_grad_enabled():
            steps += 1
            if steps == at_step:
                snapshot.update(model.state_dict())
        return hinge_loss(outputs, targets)

    return loss


@pytest.mark.parametrize("at_step", [10, 3])
def test_an_interrupt_stops_after_the_step_it_is_in_with_model_and_history_consistent(notebook, at_step):
    X, y = moons()  # 40 points in batches of 10: 4 steps an epoch
    model, twin = MLP(2, [8, 1], seed=2), MLP(2, [8, 1], seed=2)
    with pytest.warns(TrainingWarning, match=f"stopped by an interrupt after step {at_step}:"):
        history = fit(model, X, y, loss=interrupting_loss(at_step), optimizer=SGD(model, lr=0.05), epochs=50,
                      batch_size=10, view=LiveView())  # fmt: skip
    # the same training, not interrupted: its weights as step at_step + 1 starts, its History over 3 epochs
    after_step: dict = {}
    expected = fit(twin, X, y, loss=snapshot_loss(at_step + 1, twin, after_step), optimizer=SGD(twin, lr=0.05),
                   epochs=3, batch_size=10, verbose=False)  # fmt: skip
    finished = at_step // 4  # the epochs finished before the interrupted step's epoch
    assert model.state_dict() == after_step
    assert history.batch_loss == expected.batch_loss[:at_step]
    assert history.loss == expected.loss[:finished] and history.accuracy == expected.accuracy[:finished]
    assert notebook[-1]["text/plain"].endswith(f"(stopped after step {at_step}: the model is the one after it)")
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back


def test_outside_jupyter_a_view_still_defers_the_interrupt_to_the_end_of_the_step():
    X, y = moons()
    model = MLP(2, [8, 1], seed=2)
    view = LiveView()
    with pytest.warns(TrainingWarning, match="stopped by an interrupt after step 2:"):
        history = fit(model, X, y, loss=interrupting_loss(2), optimizer=SGD(model, lr=0.05), epochs=5, batch_size=10,
                      verbose=False, view=view)  # fmt: skip
    assert len(history.batch_loss) == 2 and history.loss == [] and view.stopped == 2 and view.draws == 0
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_without_a_view_an_interrupt_stops_at_once():
    X, y = moons()
    model = MLP(2, [8, 1], seed=2)
    with pytest.raises(KeyboardInterrupt):
        fit(model, X, y, loss=interrupting_loss(2), optimizer=SGD(model, lr=0.05), epochs=5, batch_size=10,
            verbose=False)  # fmt: skip


def test_a_loss_that_becomes_infinite_raises_with_the_diagnosis():
    X, y = moons()
    model = MLP(2, [4, 1], seed=3)
    model.layers[1].neurons[0].w[2].data = math.inf
    with pytest.raises(FloatingPointError) as raised:
        fit(model, X, [float(t) for t in y], loss=quadratic_cost, optimizer=SGD(model, lr=0.1), epochs=3, verbose=False)
    message = str(raised.value)
    assert message.startswith("the loss of this mini-batch is")  # fit's own error first
    assert "not finite: w[2][0][2] = inf" in message  # then what diagnose() found


def test_a_loss_that_stops_improving_warns_with_what_diagnose_finds():
    X, y = moons(20)
    model = MLP(2, [4, 1], seed=4)
    for n in model.layers[0].neurons:
        n.b.data = -10.0  # every hidden ReLU dead: the output is constant, and so is the loss
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = train(model, X, y, 25, verbose=False)
    training = [w for w in caught if issubclass(w.category, TrainingWarning)]
    assert len(training) == 1, [str(w.message) for w in caught]
    assert re.search(
        r"has not improved for 20 epochs[\s\S]*dead relu: a\[1\]\[0\], a\[1\]\[1\]", str(training[0].message)
    )
    assert len(set(history.loss)) == 1  # the constant output: the loss really did not move


def test_a_healthy_run_gives_no_warning():
    X, y = moons()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = train(MLP(2, [8, 1], seed=1), X, y, 30, verbose=False)
    assert [str(w.message) for w in caught] == []
    assert history.loss[-1] < history.loss[0]  # a run that keeps improving, slowly: nothing for the stall check


class RecordingView:
    """A training view of its own, as any code can write one: it notes what fit tells it."""

    def __init__(self, shows: bool) -> None:
        self.shows, self.calls = shows, []

    def start(self, model, X, y, epochs):
        self.calls.append(("start", len(X), epochs))
        return self.shows

    def epoch(self, history):
        self.calls.append(("epoch", list(history.loss)))

    def stop(self, history):
        self.calls.append(("stop", len(history.batch_loss)))


@pytest.mark.parametrize("shows", [True, False])
def test_any_object_with_the_view_s_methods_is_told_of_each_epoch(shows, capsys):
    X, y = moons()
    view = RecordingView(shows)
    history = train(MLP(2, [4, 1], seed=1), X, y, 3, view=view)
    assert view.calls == [("start", 40, 3)] + [("epoch", history.loss[: e + 1]) for e in range(3)]
    assert ("training: 100%" in capsys.readouterr().err) is not shows  # a view that shows progress replaces the bar
    interrupted = RecordingView(False)
    model = MLP(2, [8, 1], seed=2)
    with pytest.warns(TrainingWarning, match="after step 6:"):
        fit(model, X, y, loss=interrupting_loss(6), optimizer=SGD(model, lr=0.05), epochs=5, batch_size=10,
            verbose=False, view=interrupted)  # fmt: skip
    assert interrupted.calls[-1] == ("stop", 6) and [c[0] for c in interrupted.calls] == ["start", "epoch", "stop"]


class OnlyStarts:
    def start(self, model, X, y, epochs):
        return False


@pytest.mark.parametrize(
    ("view", "words"),
    [
        ("yes", "view must be a training view with start(), epoch() and stop(), such as LiveView() from "
         "micrograd.lab.live (view=LiveView()), or None; got str, which has no start(), epoch(), stop()"),
        (True, "got bool, which has no start(), epoch(), stop()"),
        (LiveView, "view must be a view object, got the class LiveView: pass LiveView()"),
        (OnlyStarts(), "OnlyStarts, which has no epoch(), stop()"),
    ],
)  # fmt: skip
def test_a_view_that_is_not_a_training_view_is_refused_before_training(view, words):
    X, y = moons()
    model = MLP(2, [4, 1], seed=1)
    before = model.state_dict()
    with pytest.raises(TypeError, match=re.escape(words)):
        train(model, X, y, 1, view=view)
    assert model.state_dict() == before


def test_a_live_view_s_bad_arguments_and_a_picture_before_training_say_what_is_wrong():
    with pytest.raises(TypeError, match="LiveView: show must be a function, got int"):
        LiveView(show=3)
    for budget in (0, 1.5, math.nan, -0.1):
        with pytest.raises(ValueError, match=r"budget is the share of the training time for drawing, in \(0, 1\]"):
            LiveView(budget=budget)
    with pytest.raises(TypeError, match="LiveView: budget must be a number, a share of the training time, got str"):
        LiveView(budget="10%")
    with pytest.raises(RuntimeError, match="nothing to draw before training starts"):
        LiveView().svg(History())


def test_the_tour_states_the_budget_and_the_stall_rule_as_defined():
    tour = " ".join(
        (pathlib.Path(__file__).resolve().parents[1] / "docs" / "tour.md").read_text(encoding="utf-8").split()
    )
    assert f"keeps its cost to about {live_module.BUDGET:.0%} of the training time" in tour
    assert (
        watch_module.STUCK == 0.5 and f"not improved for {watch_module.PATIENCE} epochs while still above half" in tour
    )


def test_the_readme_s_picture_is_what_the_live_view_draws():
    """docs/images/live_training.svg, as docs/make_lab_images.py wrote it: notebook 08's training, drawn today."""
    points, labels = make_moons(60, noise=0.1, seed=0)
    signs = [2 * t - 1 for t in labels]
    model = MLP(2, [8, 8, 1], seed=0)
    history = fit(model, points, signs, loss=hinge_loss, optimizer=SGD(model, lr=0.1, momentum=0.9), epochs=40,
                  batch_size=20, verbose=False)  # fmt: skip
    view = LiveView(show=lambda bundle: None)
    view.start(model, points, signs, 40)
    drawn = view.svg(history)
    root = pathlib.Path(__file__).resolve().parents[1]
    assert (root / "docs" / "images" / "live_training.svg").read_text(encoding="utf-8") == drawn
