"""The pictures: the decision grid is the model's own predictions, the PNGs decode, and the colours are the classes."""

from __future__ import annotations

import math
import random
import struct
import subprocess
import sys
import textwrap
import zlib
from functools import partial
from types import SimpleNamespace

import pytest

from conftest import optional_import
from micrograd import MLP, Value
from micrograd.lab.plot import in_jupyter
from micrograd.training.data import make_moons, make_spiral
from micrograd.training.losses import hinge_loss
from micrograd.training.optim import SGD
from micrograd.training.train import fit

SIGMA = {"relu": lambda z: max(z, 0.0), "tanh": math.tanh, "linear": lambda z: z}


@pytest.fixture(scope="module")
def plot():
    optional_import("matplotlib")
    import micrograd.lab.plot

    return micrograd.lab.plot


@pytest.fixture(scope="module")
def trained():
    """A 16-16-1 network trained a little on 60 moons points, labels −1/+1."""
    X, y01 = make_moons(60, noise=0.1, seed=0)
    y = [2 * t - 1 for t in y01]
    model = MLP(2, [16, 16, 1], seed=0)
    history = fit(
        model,
        X,
        y,
        loss=hinge_loss,
        optimizer=SGD(model, lr=0.1, momentum=0.9),
        epochs=15,
        batch_size=20,
        verbose=False,
    )
    return model, X, y, history


def forward_by_hand(model: MLP, x: list[float]) -> list[float]:
    """The model's outputs in plain floats, from the weights' .data."""
    a = list(x)
    for layer in model.layers:
        a = [SIGMA[n.activation](sum(w.data * a_k for w, a_k in zip(n.w, a)) + n.b.data) for n in layer.neurons]
    return a


def png_size(path) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR, after checking the signature, every chunk's CRC and that IDAT inflates."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, idat = 8, [], b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in chunk {kind!r}"
        chunks.append(kind)
        idat += body if kind == b"IDAT" else b""
        pos += 12 + length
    assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND"
    width, height, depth, color = struct.unpack(">IIBB", data[16:26])
    channels = {2: 3, 6: 4}[color]
    assert len(zlib.decompress(idat)) == height * (1 + width * channels * depth // 8)  # one filter byte per row
    return width, height


# -- the grid ---------------------------------------------------------------------------------------


def test_the_decision_grid_is_the_models_prediction_at_each_point(plot, trained):
    model, X, y, _ = trained
    grid = plot.decision_grid(model, X, y, resolution=40)
    assert len(grid.labels) == len(grid.ys) == 40 and all(len(row) == 40 for row in grid.labels)
    for i, y_ in enumerate(grid.ys):
        for j, x in enumerate(grid.xs):
            score = forward_by_hand(model, [x, y_])[0]
            assert grid.labels[i][j] == (1 if score > 0 else -1)
            assert grid.scores[i][j] == pytest.approx(score, rel=1e-12, abs=1e-12)
    # the grid covers the data, with a margin
    assert grid.xs[0] < min(p[0] for p in X) and grid.xs[-1] > max(p[0] for p in X)
    assert grid.ys[0] < min(p[1] for p in X) and grid.ys[-1] > max(p[1] for p in X)
    assert {label for row in grid.labels for label in row} == {-1, 1}


def test_the_decision_grid_of_a_multi_class_model_is_the_argmax(plot):
    X, y = make_spiral(30, seed=1)
    model = MLP(2, [8, 3], seed=1)
    grid = plot.decision_grid(model, X, y, resolution=12)
    for i, y_ in enumerate(grid.ys):
        for j, x in enumerate(grid.xs):
            out = forward_by_hand(model, [x, y_])
            assert grid.labels[i][j] == out.index(max(out))
    assert grid.scores is None and grid.classes == [0, 1, 2]


# -- the PNG files -----------------------------------------------------------------------------------


def test_the_decision_boundary_png_shows_each_region_in_its_class_colour(plot, trained, tmp_path):
    PIL = optional_import("PIL.Image")
    model, X, y, _ = trained
    path = tmp_path / "boundary.png"
    ax = plot.plot_decision_boundary(model, X, y, path=path, resolution=60, figsize=(6, 4.5), dpi=100)
    assert png_size(path) == (600, 450)
    image = PIL.open(path).convert("RGB")
    grid = plot.decision_grid(model, X, y, resolution=60)
    to_pixels = ax.transData.transform
    points = [to_pixels(p) for p in X]
    legend = ax.get_legend().get_window_extent()
    expected = {-1: plot.REGION_COLORS[0], 1: plot.REGION_COLORS[1]}
    checked = 0
    for i in range(3, 57, 2):
        for j in range(3, 57, 2):
            neighbours = {grid.labels[a][b] for a in range(i - 3, i + 4) for b in range(j - 3, j + 4)}
            px, py = to_pixels((grid.xs[j], grid.ys[i]))
            if len(neighbours) > 1 or legend.contains(px, py):
                continue  # near the boundary, or under the legend
            if min(math.hypot(px - qx, py - qy) for qx, qy in points) < 10:
                continue  # under a data point
            colour = image.getpixel((int(px), int(450 - py)))
            want = tuple(int(expected[grid.labels[i][j]][k : k + 2], 16) for k in (1, 3, 5))
            assert max(abs(c - w) for c, w in zip(colour, want)) <= 2, f"cell ({i}, {j}) is {colour}, not {want}"
            checked += 1
    assert checked > 200


def test_the_loss_curve_plots_the_history(plot, trained, tmp_path):
    _, _, _, history = trained
    path = tmp_path / "loss.png"
    ax = plot.plot_loss(history, path=path, figsize=(5, 3), dpi=80)
    assert png_size(path) == (400, 240)
    loss_line = ax.get_lines()[0]
    assert list(loss_line.get_xdata()) == list(range(1, 16))
    assert list(loss_line.get_ydata()) == history.loss
    (right_axis,) = [axes for axes in ax.figure.axes if axes is not ax]  # the accuracy's, sharing x
    accuracy_line = right_axis.get_lines()[0]
    assert list(accuracy_line.get_ydata()) == [100 * a for a in history.accuracy]


def test_a_plain_list_of_losses_is_a_loss_curve(plot, tmp_path):
    ax = plot.plot_loss([3.0, 2.0, 1.5, 1.25], path=tmp_path / "loss.png")
    assert list(ax.get_lines()[0].get_ydata()) == [3.0, 2.0, 1.5, 1.25]
    assert len(ax.figure.axes) == 1  # no accuracy, no second axis
    assert png_size(tmp_path / "loss.png") == (600, 400)


def test_drawing_into_a_given_axes(plot, trained):
    matplotlib_figure = optional_import("matplotlib.figure")
    model, X, y, _ = trained
    ax = matplotlib_figure.Figure().add_subplot()
    assert plot.plot_decision_boundary(model, X, y, ax=ax, resolution=10) is ax


def test_outside_jupyter_no_pyplot_and_no_window(plot, tmp_path):
    code = textwrap.dedent(
        f"""
        import sys
        from micrograd import MLP, Value
        from micrograd.lab.plot import plot_decision_boundary, plot_loss
        model = MLP(2, [3, 1], seed=0)
        plot_decision_boundary(model, [[0, 0], [1, 1]], [-1, 1], resolution=5, path={str(tmp_path / "a.png")!r})
        plot_loss([1.0, 0.5], path={str(tmp_path / "b.png")!r})
        print("matplotlib.pyplot" in sys.modules)
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "False\n"


def test_without_matplotlib_the_error_says_what_to_install():
    code = textwrap.dedent(
        """
        import sys
        sys.modules["matplotlib"] = None  # as if it were not installed
        from micrograd.lab.plot import plot_loss
        try:
            plot_loss([1.0, 0.5])
        except ImportError as e:
            print(e)
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install micrograd-lab[plot]" in done.stdout


# -- numpy input and data at the ends of the float range ----------------------------------------------


def test_numpy_arrays_draw_the_same_picture_as_lists(plot, trained, tmp_path):
    np = optional_import("numpy")
    model, X, y, _ = trained
    plot.plot_decision_boundary(model, X, y, resolution=30, path=tmp_path / "lists.png")
    plot.plot_decision_boundary(model, np.array(X), np.array(y), resolution=30, path=tmp_path / "arrays.png")
    assert (tmp_path / "arrays.png").read_bytes() == (tmp_path / "lists.png").read_bytes()
    as_arrays, as_lists = plot.decision_grid(model, np.array(X), np.array(y)), plot.decision_grid(model, X, y)
    assert (as_arrays.xs, as_arrays.ys, as_arrays.labels) == (as_lists.xs, as_lists.ys, as_lists.labels)


def test_numpy_losses_are_a_loss_curve(plot):
    np = optional_import("numpy")
    for losses in (np.array([3.0, 2.0, 1.5]), [np.float32(3.0), np.float64(2.0), 1.5], np.array([3, 2, 1.5])):
        ax = plot.plot_loss(losses)
        assert list(ax.get_lines()[0].get_ydata()) == [3.0, 2.0, 1.5]


def scaled(x: list, by: float) -> Value:
    return Value(x[0]) * by


@pytest.mark.parametrize(
    ("model", "X", "words"),
    [
        (None, [[1e308, 1e308], [-1e308, -1e308]], "too far apart to draw: x[0] runs from -1e+308 to 1e+308"),
        (None, [[-1.7e308, 0.0], [0.0, 1.0]], "too far apart to draw: x[0] runs from -1.7e+308 to 0"),
        (None, [[0.5, 1e308], [0.25, -1e308]], "too far apart to draw: x[1] runs from -1e+308 to 1e+308"),
        (None, [[1e300, 5.0], [1e300, 6.0]], "too close together for their size to draw: x[0] runs from 1e+300"),
        (partial(scaled, by=1e300), [[-1e10, 0.0], [1e10, 1.0]], "the model's output at (-1.2e+10, -2e+09) is -inf"),
        (partial(scaled, by=math.inf), [[-1.0, 0.0], [1.0, 1.0]], "is -inf"),
    ],
    ids=["±1e308", "a margin past the largest float", "±1e308 in x[1]", "1e300 apart by 0", "an output of -inf", "inf"],
)
def test_data_at_the_ends_of_the_float_range_is_our_own_value_error(plot, model, X, words):
    model = model or MLP(2, [4, 1], seed=0)
    with pytest.raises(ValueError) as e:
        plot.plot_decision_boundary(model, X, [-1, 1], resolution=11)
    assert words in str(e.value) and "NaN" not in str(e.value)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda p, m: p.plot_decision_boundary(m, [[0.0, 1.0, 2.0]], [1]), ValueError, "2-D inputs"),
        (
            lambda p, m: p.plot_decision_boundary(m, [[0.0, 1.0], [1.0, 0.0]], [1, -1, 1]),
            ValueError,
            "points but",
        ),
        (lambda p, m: p.decision_grid(m, [[0.0, 1.0]] * 3, [0.1, 0.2, 0.3]), ValueError, "class labels"),
        (lambda p, m: p.decision_grid(m, [[0.0, 1.0], [1.0, 0.0]], [1, -1], resolution=1), ValueError, "resolution"),
        (lambda p, m: p.plot_loss("loss"), TypeError, "History"),
        (lambda p, m: p.plot_loss([]), ValueError, "no loss"),
        (lambda p, m: p.plot_loss([1.0, math.nan]), ValueError, "finite"),
        (lambda p, m: p.plot_loss([1.0], ax="axes"), TypeError, "matplotlib Axes"),
    ],
)
def test_bad_arguments_raise_named_errors(plot, call, error, words):
    with pytest.raises(error, match=words):
        call(plot, MLP(2, [2, 1], seed=random.Random(0)))


# -- the digits' pictures ------------------------------------------------------------------------------


def test_the_confusion_matrix_shows_every_count_where_it_belongs(plot):
    counts = [[5, 0, 1], [0, 7, 0], [2, 0, 9]]
    ax = plot.plot_confusion_matrix(counts)
    shown = {(round(t.get_position()[1]), round(t.get_position()[0])): int(t.get_text()) for t in ax.texts}
    assert shown == {(r, c): n for r, row in enumerate(counts) for c, n in enumerate(row) if n}
    assert ax.get_title() == "Confusion matrix: 21 of 24 right (87.5%)"
    assert ax.get_xlabel() == "predicted" and ax.get_ylabel() == "true"
    with pytest.raises(ValueError, match="square"):
        plot.plot_confusion_matrix([[1, 2]])


def test_the_misclassified_images_are_the_models_mistakes_captioned_predicted_then_true(plot, tmp_path):
    rng = random.Random(4)
    X = [[rng.random() for _ in range(16)] for _ in range(30)]
    y = [rng.randrange(3) for _ in X]
    model = MLP(16, [3], seed=5)
    weights = [[[w.data for w in n.w], n.b.data] for n in model.layers[0].neurons]
    predicted = [max(range(3), key=lambda j: sum(w * v for w, v in zip(weights[j][0], x)) + weights[j][1]) for x in X]
    wrong = [i for i in range(30) if predicted[i] != y[i]]
    ax = plot.plot_misclassified(model, X, y, side=4, limit=5, path=tmp_path / "wrong.png")
    assert [t.get_text() for t in ax.texts] == [f"{predicted[i]} ({y[i]})" for i in wrong[:5]]
    assert ax.get_title().startswith(f"{len(wrong)} of 30 misclassified, the first 5 shown")
    image = ax.images[0].get_array()
    assert [float(v) for v in image[0][:4]] == X[wrong[0]][:4]  # the first image's top row, pixel for pixel
    assert (tmp_path / "wrong.png").read_bytes()[:4] == b"\x89PNG"


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
