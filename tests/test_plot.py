"""The pictures, read back with an XML parser: every mark is where the data puts it on the axes its tick labels
state, the decision grid and the regions are the model's own predictions, the counts and captions are the test's."""

from __future__ import annotations

import itertools
import math
import random
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest

from conftest import optional_import
from micrograd import MLP, Value
from micrograd.lab import plot
from micrograd.lab.plot import in_jupyter
from micrograd.lab.svg import Picture, nice_ticks
from micrograd.training.data import make_moons, make_spiral
from micrograd.training.history import History
from micrograd.training.losses import hinge_loss
from micrograd.training.optim import SGD
from micrograd.training.train import fit

SVG = "{http://www.w3.org/2000/svg}"
SIGMA = {"relu": lambda z: max(z, 0.0), "tanh": math.tanh, "linear": lambda z: z}


@pytest.fixture(scope="module")
def trained():
    """A 16-16-1 network trained a little on 60 moons points, labels −1/+1."""
    X, y01 = make_moons(60, noise=0.1, seed=0)
    y = [2 * t - 1 for t in y01]
    model = MLP(2, [16, 16, 1], seed=0)
    history = fit(model, X, y, loss=hinge_loss, optimizer=SGD(model, lr=0.1, momentum=0.9), epochs=15,
                  batch_size=20, verbose=False)  # fmt: skip
    return model, X, y, history


def forward_by_hand(model: MLP, x: list[float]) -> list[list[float]]:
    """Each layer's activations in plain floats, from the weights' .data: [a¹, a², ..., the outputs]."""
    a, layers = list(x), []
    for layer in model.layers:
        a = [SIGMA[n.activation](sum(w.data * a_k for w, a_k in zip(n.w, a)) + n.b.data) for n in layer.neurons]
        layers.append(a)
    return layers


def outputs(model: MLP, x: list[float]) -> list[float]:
    return forward_by_hand(model, x)[-1]


# -- reading a picture ------------------------------------------------------------------------------------


def parse(picture: Picture) -> ET.Element:
    """The picture's SVG, parsed (a ParseError if it is not well-formed), on a white background."""
    root = ET.fromstring(str(picture))
    assert root.tag == f"{SVG}svg"
    background = root.find(f"{SVG}rect")
    assert background.get("fill") == "white" and background.get("width") == root.get("viewBox").split()[2]
    return root


def of_class(element: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [e for e in element.iter(f"{SVG}{tag}") if e.get("class") == cls]


def panels(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "panel"]


def axis(element: ET.Element, which: str, log: float = 0):
    """page coordinate -> value, fitted through the tick labels' positions and the values they state; checks
    the ticks are evenly spaced on the page (in the log of the value, on a log scale)."""
    ticks = [(float(t.get(which)), float(t.text)) for t in of_class(element, "text", f"tick-{which}")]
    assert len(ticks) >= 2, f"{len(ticks)} ticks on {which}"
    f = (lambda v: math.log(v, log)) if log else (lambda v: v)
    (p0, v0), (p1, v1) = ticks[0], ticks[-1]
    per = (f(v1) - f(v0)) / (p1 - p0)
    for p, v in ticks:
        assert f(v) == pytest.approx(f(v0) + per * (p - p0), abs=1e-3 * abs(f(v1) - f(v0))), (which, ticks)
    return (lambda p: log ** (f(v0) + per * (p - p0))) if log else (lambda p: v0 + per * (p - p0))


def polyline(element: ET.Element, name: str) -> list[tuple[float, float]]:
    (line,) = [e for e in of_class(element, "polyline", "series") if e.get("data-name") == name]
    return [tuple(float(v) for v in point.split(",")) for point in line.get("points").split()]


def legend(element: ET.Element) -> list[str]:
    return [t.text for t in of_class(element, "text", "legend")]


def lightness(fill: str) -> float:
    return sum(int(fill[k : k + 2], 16) for k in (1, 3, 5)) / 3


# -- the grid ---------------------------------------------------------------------------------------


def test_the_decision_grid_is_the_models_prediction_at_each_point(trained):
    model, X, y, _ = trained
    grid = plot.decision_grid(model, X, y, resolution=40)
    assert len(grid.labels) == len(grid.ys) == 40 and all(len(row) == 40 for row in grid.labels)
    for i, y_ in enumerate(grid.ys):
        for j, x in enumerate(grid.xs):
            score = outputs(model, [x, y_])[0]
            assert grid.labels[i][j] == (1 if score > 0 else -1)
            assert grid.scores[i][j] == pytest.approx(score, rel=1e-12, abs=1e-12)
    assert grid.xs[0] < min(p[0] for p in X) and grid.xs[-1] > max(p[0] for p in X)  # the data, with a margin
    assert grid.ys[0] < min(p[1] for p in X) and grid.ys[-1] > max(p[1] for p in X)
    assert {label for row in grid.labels for label in row} == {-1, 1}


def test_the_decision_grid_of_a_multi_class_model_is_the_argmax():
    X, y = make_spiral(30, seed=1)
    model = MLP(2, [8, 3], seed=1)
    grid = plot.decision_grid(model, X, y, resolution=12)
    for i, y_ in enumerate(grid.ys):
        for j, x in enumerate(grid.xs):
            out = outputs(model, [x, y_])
            assert grid.labels[i][j] == out.index(max(out))
    assert grid.scores is None and grid.classes == [0, 1, 2]


# -- the decision boundary ----------------------------------------------------------------------------


def test_the_boundary_s_points_are_the_data_and_its_regions_the_model_s_predictions(trained):
    model, X, y, _ = trained
    root = parse(plot.plot_decision_boundary(model, X, y, resolution=50))
    (panel,) = panels(root)
    to_x, to_y = axis(panel, "x"), axis(panel, "y")
    points = of_class(panel, "circle", "point")
    assert len(points) == len(X)
    for circle, p, t in zip(points, X, y):
        assert to_x(float(circle.get("cx"))) == pytest.approx(p[0], abs=2e-3)
        assert to_y(float(circle.get("cy"))) == pytest.approx(p[1], abs=2e-3)
        assert circle.get("data-label") == repr(t)
    colour = {label: {c.get("fill") for c in points if c.get("data-label") == label} for label in ("-1", "1")}
    assert all(len(c) == 1 for c in colour.values()) and colour["-1"] != colour["1"]  # one colour per class
    regions = of_class(panel, "rect", "region")
    assert len(regions) >= 50  # at least one run per row
    for rect in regions:  # at the centre of each, the model's own prediction is the region's label
        x0, y0 = float(rect.get("x")), float(rect.get("y"))
        centre = [to_x(x0 + float(rect.get("width")) / 2), to_y(y0 + float(rect.get("height")) / 2)]
        assert rect.get("data-label") == repr(1 if outputs(model, centre)[0] > 0 else -1), centre
    assert legend(root) == ["class -1", "class 1"]


def test_a_multi_class_boundary_names_every_class():
    X, y = make_spiral(20, seed=2)
    model = MLP(2, [8, 3], seed=2)
    root = parse(plot.plot_decision_boundary(model, X, y, resolution=20, title="Three arms"))
    assert legend(root) == ["class 0", "class 1", "class 2"]
    assert of_class(root, "text", "title")[0].text == "Three arms"
    to_x, to_y = axis(panels(root)[0], "x"), axis(panels(root)[0], "y")
    for rect in of_class(root, "rect", "region"):
        centre = [to_x(float(rect.get("x")) + float(rect.get("width")) / 2),
                  to_y(float(rect.get("y")) + float(rect.get("height")) / 2)]  # fmt: skip
        out = outputs(model, centre)
        assert rect.get("data-label") == repr(out.index(max(out)))


# -- line plots and the loss curve --------------------------------------------------------------------


def drawn(panel: ET.Element, name: str, xlog: float = 0, ylog: float = 0) -> list[tuple[float, float]]:
    """A series' points as values, read through the panel's axes."""
    to_x, to_y = axis(panel, "x", xlog), axis(panel, "y", ylog)
    return [(to_x(px), to_y(py)) for px, py in polyline(panel, name)]


def close(points: list[tuple[float, float]], xs: list[float], ys: list[float], rel: float = 1e-3) -> bool:
    return len(points) == len(xs) and all(
        a == pytest.approx(x, rel=rel, abs=rel) and b == pytest.approx(y_, rel=rel, abs=rel)
        for (a, b), x, y_ in zip(points, xs, ys)
    )


def test_the_loss_curve_plots_the_history(trained):
    _, _, _, history = trained
    root = parse(plot.plot_loss(history))
    loss, accuracy = panels(root)
    epochs = list(range(1, 16))
    assert close(drawn(loss, "loss"), epochs, history.loss)
    assert close(drawn(accuracy, "accuracy"), epochs, [100 * a for a in history.accuracy])
    assert of_class(root, "text", "title")[0].text == "Loss and accuracy after each epoch"
    assert [t.text for t in of_class(accuracy, "text", "label-y")] == ["accuracy (%)"]


def test_the_validation_accuracy_is_a_second_named_line():
    history = History(loss=[1.0, 0.5, 0.25], accuracy=[0.5, 0.75, 1.0], val_accuracy=[0.25, 0.5, 0.5])
    _, accuracy = panels(parse(plot.plot_loss(history)))
    assert legend(accuracy) == ["accuracy", "validation accuracy"]
    assert close(drawn(accuracy, "validation accuracy"), [1, 2, 3], [25, 50, 50])


def test_a_plain_list_of_losses_is_a_loss_curve():
    root = parse(plot.plot_loss([3.0, 2.0, 1.5, 1.25]))
    (panel,) = panels(root)  # no accuracy, no second panel
    assert close(drawn(panel, "loss"), [1, 2, 3, 4], [3.0, 2.0, 1.5, 1.25])
    assert of_class(root, "text", "title")[0].text == "Loss after each epoch"


def test_numpy_losses_are_a_loss_curve():
    np = optional_import("numpy")
    for losses in (np.array([3.0, 2.0, 1.5]), [np.float32(3.0), np.float64(2.0), 1.5], np.array([3, 2, 1.5])):
        (panel,) = panels(parse(plot.plot_loss(losses)))
        assert close(drawn(panel, "loss"), [1, 2, 3], [3.0, 2.0, 1.5])


def test_a_line_plot_draws_each_series_on_its_axes_and_names_it():
    xs = [-4 + 8 * i / 99 for i in range(100)]
    tanh, slope = [math.tanh(x) for x in xs], [1 - math.tanh(x) ** 2 for x in xs]
    root = parse(plot.line_plot({"tanh": (xs, tanh), "tanh'": (xs, slope)}, xlabel="x", title="tanh"))
    (panel,) = panels(root)
    assert legend(root) == ["tanh", "tanh'"]
    assert close(drawn(panel, "tanh"), xs, tanh) and close(drawn(panel, "tanh'"), xs, slope)
    assert [t.text for t in of_class(root, "text", "label-x")] == ["x"]
    dashes = [line.get("stroke-dasharray") for line in of_class(root, "polyline", "series")]
    assert dashes[0] != dashes[1]  # lines that lie on one another stay apart


def test_log_axes_read_back_through_their_powers():
    ns, ms = [1, 2, 4, 8, 16, 32, 64], [0.011, 0.03, 0.09, 0.4, 1.5, 6.0, 25.0]
    root = parse(plot.line_plot({"forward": (ns, ms)}, xlog=2, ylog=10, markers=True, marks={"one": (4, 1.0)}))
    (panel,) = panels(root)
    assert [t.text for t in of_class(panel, "text", "tick-x")] == ["1", "2", "4", "8", "16", "32", "64"]
    assert [t.text for t in of_class(panel, "text", "tick-y")] == ["0.01", "0.1", "1", "10", "100"]
    assert close(drawn(panel, "forward", 2, 10), ns, ms)
    (mark,) = of_class(panel, "circle", "mark")
    to_x, to_y = axis(panel, "x", 2), axis(panel, "y", 10)
    assert (to_x(float(mark.get("cx"))), to_y(float(mark.get("cy")))) == (pytest.approx(4, rel=1e-3),
                                                                         pytest.approx(1.0, rel=1e-3))  # fmt: skip
    assert len(of_class(panel, "circle", "marker")) == len(ns) and legend(root) == ["forward", "one"]


def test_a_nan_breaks_a_line():
    (panel,) = panels(parse(plot.line_plot({"loss": [3.0, 2.0, math.nan, 1.0, 0.5]})))
    lines = [e for e in of_class(panel, "polyline", "series")]
    assert [len(line.get("points").split()) for line in lines] == [2, 2]


def test_a_shaded_background_is_darker_where_the_function_is_larger():
    def f(u: float, v: float) -> float:
        return (u - 1) ** 2 + 5 * (v - u * u) ** 2

    root = parse(plot.line_plot({"path": ([-1.0, 0.0, 1.0], [1.5, 0.5, 1.0])}, shade=f))
    (panel,) = panels(root)
    to_x, to_y = axis(panel, "x"), axis(panel, "y")
    shaded = []
    for rect in of_class(panel, "rect", "shade"):
        x, w = float(rect.get("x")), float(rect.get("width"))
        y, h = float(rect.get("y")), float(rect.get("height"))
        shaded.append((f(to_x(x + w / 2), to_y(y + h / 2)), lightness(rect.get("fill"))))
    shaded.sort()
    assert len({s for _, s in shaded}) >= 8  # bands
    lows, highs = shaded[: len(shaded) // 4], shaded[-len(shaded) // 4 :]
    assert min(s for _, s in lows) > max(s for _, s in highs)


def test_nice_ticks_are_round_numbers_inside_the_range():
    rng = random.Random(3)
    for _ in range(300):
        lo = rng.uniform(-1e3, 1e3) * 10 ** rng.randint(-6, 3)
        hi = lo + rng.uniform(1e-3, 1e3) * 10 ** rng.randint(-6, 3)
        ticks, step = nice_ticks(lo, hi)
        mantissa = step / 10 ** math.floor(math.log10(step))
        assert min(abs(mantissa - m) for m in (1, 2, 2.5, 5)) < 1e-9, step
        assert 2 <= len(ticks) <= 6 and lo - 1e-9 * abs(step) <= ticks[0] and ticks[-1] <= hi + 1e-9 * abs(step)
        assert all(t / step == pytest.approx(round(t / step), abs=1e-6) for t in ticks)


# -- the digits' pictures -----------------------------------------------------------------------------


def test_the_confusion_matrix_shows_the_model_s_counts_in_their_cells():
    rng = random.Random(4)
    X = [[rng.random() for _ in range(4)] for _ in range(60)]
    y = [rng.randrange(3) for _ in X]
    model = MLP(4, [3], seed=6)
    from micrograd.training.metrics import confusion_matrix

    counts = [[0] * 3 for _ in range(3)]
    for x, t in zip(X, y):
        out = outputs(model, x)
        counts[t][out.index(max(out))] += 1
    root = parse(plot.plot_confusion_matrix(confusion_matrix(model, X, y)))
    columns = {float(t.get("x")): int(t.text) for t in of_class(root, "text", "tick-x")}
    rows = {float(t.get("y")): int(t.text) for t in of_class(root, "text", "tick-y")}
    shown = {}
    for t in of_class(root, "text", "count"):
        at_x = min(columns, key=lambda c: abs(c - float(t.get("x"))))
        at_y = min(rows, key=lambda r: abs(r - float(t.get("y"))))
        shown[rows[at_y], columns[at_x]] = int(t.text)
    assert shown == {(r, c): n for r, row in enumerate(counts) for c, n in enumerate(row) if n}
    right = sum(counts[i][i] for i in range(3))
    assert of_class(root, "text", "title")[0].text == f"Confusion matrix: {right} of 60 right ({right / 60:.1%})"
    labels = of_class(root, "text", "label-x") + of_class(root, "text", "label-y")
    assert [t.text for t in labels] == ["predicted", "true"]


def pixels_of(group: ET.Element, side: int) -> dict[tuple[int, int], str]:
    """(row, column) -> fill, from each pixel square's position in its image."""
    squares = of_class(group, "rect", "pixel")
    size = float(squares[0].get("width"))
    x0, y0 = min(float(s.get("x")) for s in squares), min(float(s.get("y")) for s in squares)
    found = {(round((float(s.get("y")) - y0) / size), round((float(s.get("x")) - x0) / size)): s.get("fill")
             for s in squares}  # fmt: skip
    assert sorted(found) == [(r, c) for r in range(side) for c in range(side)]
    return found


def shades_follow(image: list[float], fills: dict[tuple[int, int], str], side: int) -> None:
    """A larger value is a darker pixel: the shades order as the data."""
    pairs = sorted((image[r * side + c], lightness(fill)) for (r, c), fill in fills.items())
    for (v, light), (w, lighter) in itertools.pairwise(pairs):
        assert lighter <= light if w > v else lighter == light, (v, w)
    assert pairs[-1][1] < pairs[0][1]


def test_the_misclassified_images_are_the_models_mistakes_captioned_predicted_then_true():
    rng = random.Random(4)
    X = [[rng.random() for _ in range(16)] for _ in range(30)]
    y = [rng.randrange(3) for _ in X]
    model = MLP(16, [3], seed=5)
    predicted = [max(range(3), key=outputs(model, x).__getitem__) for x in X]
    wrong = [i for i in range(30) if predicted[i] != y[i]]
    root = parse(plot.plot_misclassified(model, X, y, side=4, limit=5))
    assert [t.text for t in of_class(root, "text", "caption")] == [f"{predicted[i]} ({y[i]})" for i in wrong[:5]]
    assert of_class(root, "text", "title")[0].text.startswith(f"{len(wrong)} of 30 misclassified, the first 5 shown")
    images = of_class(root, "g", "image")
    assert len(images) == 5
    for group, i in zip(images, wrong):
        shades_follow(X[i], pixels_of(group, 4), 4)


def test_an_image_grid_puts_each_image_in_reading_order_with_its_caption():
    rng = random.Random(7)
    images = [[rng.random() for _ in range(9)] for _ in range(7)]
    root = parse(plot.plot_images(images, [f"n{k}" for k in range(7)], side=3, columns=3, title="seven"))
    groups = of_class(root, "g", "image")
    corners = [min((float(s.get("y")), float(s.get("x"))) for s in of_class(g, "rect", "pixel")) for g in groups]
    assert corners == sorted(corners) and len({y for y, _ in corners}) == 3  # three rows, left to right in each
    for group, image in zip(groups, images):
        shades_follow(image, pixels_of(group, 3), 3)
    assert [t.text for t in of_class(root, "text", "caption")] == [f"n{k}" for k in range(7)]


def test_one_image_large_writes_each_pixel_s_value_on_it():
    image = [k / 63 for k in range(64)]
    root = parse(plot.plot_image(image, title="X[0]"))
    (group,) = of_class(root, "g", "image")
    fills = pixels_of(group, 8)
    shades_follow(image, fills, 8)
    squares = of_class(group, "rect", "pixel")
    x0, y0, size = float(squares[0].get("x")), float(squares[0].get("y")), float(squares[0].get("width"))
    values = of_class(group, "text", "value")
    assert len(values) == 64
    for t in values:  # each value is written at the centre of its own pixel: row r, column c
        c, r = round((float(t.get("x")) - x0 - size / 2) / size), round((float(t.get("y")) - y0 - size / 2) / size)
        assert t.text == f"{image[r * 8 + c]:.2g}"


def test_the_forward_pass_shows_the_network_s_own_numbers():
    rng = random.Random(8)
    x = [rng.random() for _ in range(64)]
    model = MLP(64, [32, 10], seed=8)
    hidden, scores = forward_by_hand(model, x)
    out = model(x)  # the pass drawn; kept alive, as the layers hold their a weakly
    root = parse(plot.plot_forward_pass(model, x, label=3))
    assert [v.data for v in out] == scores
    values = [t.text for t in of_class(root, "text", "value")]
    assert values == [f"{a:.1f}" for a in hidden]
    to_y = axis(root, "y")
    bars = of_class(root, "rect", "bar")
    heights = []
    for bar, z in zip(bars, scores):
        top, bottom = float(bar.get("y")), float(bar.get("y")) + float(bar.get("height"))
        ends = sorted((to_y(top), to_y(bottom)))
        heights.append(ends[1] if z > 0 else ends[0])
        assert min(abs(e) for e in ends) == pytest.approx(0, abs=1e-3)  # from 0
    assert heights == pytest.approx(scores, abs=1e-2 * max(map(abs, scores)))
    answer = scores.index(max(scores))
    assert [b.get("fill") for b in bars].count(bars[answer].get("fill")) == 1  # the answer's bar alone in its colour
    titles = [t.text for t in of_class(root, "text", "panel-title")]
    active = sum(a > 0 for a in hidden)
    assert titles == ["64 inputs (label 3)", f"32 relus of layer 1 ({active} active)", f"10 scores: it reads {answer}"]


def test_the_forward_pass_drawn_is_the_last_one_and_on_x():
    model = MLP(4, [3, 2], seed=1)
    out = model([0.5, 0.5, 0.5, 0.5])
    with pytest.raises(ValueError, match="last forward pass, which was not on x: call model"):
        plot.plot_forward_pass(model, [0.5, 0.25, 0.5, 0.5], side=2)
    del out
    with pytest.raises(RuntimeError, match="keep a reference to its output"):  # the graph is gone
        plot.plot_forward_pass(model, [0.5, 0.5, 0.5, 0.5], side=2)


# -- the picture itself -------------------------------------------------------------------------------


def test_a_picture_saves_as_svg_shows_in_jupyter_and_reads_as_svg(tmp_path):
    picture = plot.plot_loss([2.0, 1.0])
    assert picture.save(tmp_path / "loss.svg").read_text(encoding="utf-8") == str(picture)
    ET.parse(tmp_path / "loss.svg")
    for name in ("loss.png", "loss"):
        with pytest.raises(ValueError, match=r"must end in \.svg, not '(\.png|nothing)'"):
            picture.save(tmp_path / name)
    assert picture._repr_html_().startswith('<div class="mg-figure">')  # fits the output, as drawings do
    assert repr(picture).startswith("Picture('Loss after each epoch', ")


def test_no_picture_needs_matplotlib(tmp_path):
    code = textwrap.dedent(
        """
        import sys
        sys.modules["matplotlib"] = None  # as if it were not installed
        from micrograd import MLP
        from micrograd.lab import plot
        model = MLP(4, [3, 2], seed=0)
        X = [[0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1]]
        plot.plot_decision_boundary(MLP(2, [3, 1], seed=0), [[0, 0], [1, 1]], [-1, 1], resolution=5)
        plot.plot_loss([1.0, 0.5]); plot.plot_confusion_matrix([[1, 0], [0, 1]])
        plot.plot_images(X, side=2); plot.plot_image(X[0], side=2)
        out = model(X[0]); plot.plot_forward_pass(model, X[0], side=2)
        plot.line_plot({"a": [1.0, 2.0]})
        print(sorted(m for m, v in sys.modules.items() if v and m.split(".")[0] in ("matplotlib", "numpy", "PIL")))
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"


def test_numpy_arrays_draw_the_same_picture_as_lists(trained):
    np = optional_import("numpy")
    model, X, y, _ = trained
    lists = plot.plot_decision_boundary(model, X, y, resolution=30)
    arrays = plot.plot_decision_boundary(model, np.array(X), np.array(y), resolution=30)
    assert str(arrays) == str(lists)


def scaled(x: list, by: float) -> Value:
    return Value(x[0]) * by


@pytest.mark.parametrize(
    ("by", "X", "words"),
    [
        (None, [[1e308, 1e308], [-1e308, -1e308]], "too far apart to draw: x[0] runs from -1e+308 to 1e+308"),
        (None, [[-1.7e308, 0.0], [0.0, 1.0]], "too far apart to draw: x[0] runs from -1.7e+308 to 0"),
        (None, [[0.5, 1e308], [0.25, -1e308]], "too far apart to draw: x[1] runs from -1e+308 to 1e+308"),
        (None, [[1e300, 5.0], [1e300, 6.0]], "too close together for their size to draw: x[0] runs from 1e+300"),
        (1e300, [[-1e10, 0.0], [1e10, 1.0]], "the model's output at (-1.2e+10, -2e+09) is -inf"),
        (math.inf, [[-1.0, 0.0], [1.0, 1.0]], "is -inf"),
    ],
    ids=["±1e308", "a margin past the largest float", "±1e308 in x[1]", "1e300 apart by 0", "an output of -inf", "inf"],
)
def test_data_at_the_ends_of_the_float_range_is_our_own_value_error(by, X, words):
    model = MLP(2, [4, 1], seed=0) if by is None else (lambda x: scaled(x, by))
    with pytest.raises(ValueError) as e:
        plot.plot_decision_boundary(model, X, [-1, 1], resolution=11)
    assert words in str(e.value) and "NaN" not in str(e.value)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda m: plot.plot_decision_boundary(m, [[0.0, 1.0, 2.0]], [1]), ValueError, "2-D inputs"),
        (lambda m: plot.plot_decision_boundary(m, [[0.0, 1.0], [1.0, 0.0]], [1, -1, 1]), ValueError, "points but"),
        (lambda m: plot.decision_grid(m, [[0.0, 1.0]] * 3, [0.1, 0.2, 0.3]), ValueError, "class labels"),
        (lambda m: plot.decision_grid(m, [[0.0, 1.0], [1.0, 0.0]], [1, -1], resolution=1), ValueError, "resolution"),
        (lambda m: plot.plot_loss("loss"), TypeError, "History"),
        (lambda m: plot.plot_loss([]), ValueError, "no loss"),
        (lambda m: plot.plot_loss([1.0, math.nan]), ValueError, "finite"),
        (lambda m: plot.plot_confusion_matrix([[1, 2]]), ValueError, "square"),
        (lambda m: plot.plot_confusion_matrix([[1, 2], [0.5, 1]]), ValueError, "whole numbers"),
        (lambda m: plot.plot_images([]), ValueError, "no images"),
        (lambda m: plot.plot_images([[0.0] * 63]), ValueError, "image 0 has 63 pixels, not 8×8 = 64"),
        (lambda m: plot.plot_images([[0.0] * 64], ["a", "b"]), ValueError, "1 images but 2 captions"),
        (lambda m: plot.plot_image([math.nan] * 64), ValueError, "not a finite number"),
        (lambda m: plot.plot_forward_pass(lambda x: x, [0.0] * 64), TypeError, "MLP"),
        (lambda m: plot.plot_forward_pass(m, [1.0] * 4, side=2), ValueError, "x has 4 inputs, the model takes 2"),
        (lambda m: plot.plot_forward_pass(m, [0.25], side=1), ValueError, "x has 1 inputs"),
        (lambda m: plot.line_plot([1.0, 2.0]), TypeError, "dict of named series"),
        (lambda m: plot.line_plot({"a": "text"}), TypeError, "series 'a' must be a list of numbers"),
        (lambda m: plot.line_plot({"a": ([1.0, 2.0], [1.0])}), ValueError, "series 'a' has 2 xs and 1 ys"),
        (lambda m: plot.line_plot({"a": ([1.0, math.inf], [1.0, 2.0])}), ValueError, "x = inf"),
        (lambda m: plot.line_plot({"a": [1.0, 0.0]}, ylog=10), ValueError, "log scale needs values > 0"),
        (lambda m: plot.line_plot({"a": [1.0]}, marks={"m": (1.0,)}), ValueError, "mark 'm' must be a point"),
        (lambda m: plot.line_plot({"a": [1.0]}, shade=3), TypeError, "shade must be a function"),
    ],
)
def test_bad_arguments_raise_named_errors(call, error, words):
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
        call(MLP(2, [2, 1], seed=random.Random(0)))


@pytest.mark.parametrize(
    ("shell", "expected"),
    [
        (SimpleNamespace(config={"IPKernelApp": {}}), True),  # ipykernel's shell, started by its IPKernelApp
        (SimpleNamespace(config={}, kernel=object()), True),  # the browser lab's (Pyodide's kernel): it holds one
        (SimpleNamespace(config={"TerminalIPythonApp": {}}), False),  # IPython in a terminal: no kernel
        (None, False),  # plain Python that imported IPython
    ],
)
def test_in_jupyter_is_true_in_a_kernel_s_shell_and_only_there(monkeypatch, shell, expected):
    monkeypatch.setitem(sys.modules, "IPython", SimpleNamespace(get_ipython=lambda: shell))
    assert in_jupyter() is expected
