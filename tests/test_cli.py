"""python -m micrograd demo: its printed numbers against the saved model re-evaluated in plain floats; its files."""

from __future__ import annotations

import errno
import json
import math
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from micrograd import MLP
from micrograd.__main__ import DEMO_FILES
from micrograd.training.data import make_moons, make_spiral

ROOT = Path(__file__).resolve().parent.parent
SIGMA = {"relu": lambda z: max(z, 0.0), "linear": lambda z: z}


def run(*args: str, code: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "micrograd", *args]
    # The micrograd of this checkout, also from another directory (where an installed copy would be found first).
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return subprocess.run(
        command, capture_output=True, text=True, cwd=cwd, env={**os.environ, "PYTHONPATH": path}, timeout=300
    )


def forward(model: dict, x: list[float]) -> list[float]:
    """The saved model's outputs in plain floats, read from its JSON with the json module."""
    a = list(x)
    for w_l, b_l, activation in zip(model["weights"], model["biases"], model["activations"]):
        a = [SIGMA[activation](sum(w * a_k for w, a_k in zip(w_j, a)) + b_j) for w_j, b_j in zip(w_l, b_l)]
    return a


def printed(stdout: str) -> tuple[float, int, int]:
    """(final loss, points right, points) as the demo printed them."""
    loss = float(re.search(r"^final loss: (\S+)$", stdout, re.M).group(1))
    right, total = map(int, re.search(r"^final accuracy: \S+% \((\d+) of (\d+) points\)$", stdout, re.M).groups())
    return loss, right, total


def max_margin_loss(model: dict, X, y) -> tuple[float, int]:
    """(max-margin loss + 1e-4·Σw², points right) for labels ±1, by hand."""
    scores = [forward(model, x)[0] for x in X]
    hinge = sum(max(0.0, 1 - t * s) for s, t in zip(scores, y)) / len(X)
    l2 = 1e-4 * sum(v * v for rows in model["weights"] for row in rows for v in row)
    l2 += 1e-4 * sum(v * v for row in model["biases"] for v in row)
    return hinge + l2, sum((s > 0) == (t > 0) for s, t in zip(scores, y))


def test_demo_help_lists_its_options():
    done = run("demo", "--help")
    assert done.returncode == 0
    for option in (
        "--dataset",
        "--epochs",
        "--hidden",
        "--seed",
        "--out",
        "--samples",
        "--lr",
        "--batch-size",
        "--compiled",
    ):
        assert option in done.stdout
    assert "demo-output" in done.stdout and "moons" in done.stdout and "digits" in done.stdout


def test_a_small_demo_prints_the_numbers_of_the_model_it_saves(tmp_path):
    out = tmp_path / "out"
    done = run("demo", "--epochs", "3", "--samples", "30", "--hidden", "6", "--seed", "4", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "3/3" in done.stderr  # the progress bar

    model = json.loads((out / "model.json").read_text(encoding="utf-8"))
    assert model["sizes"] == [6, 1] and model["activations"] == ["relu", "linear"]
    X, labels = make_moons(30, seed=4)
    loss, right = max_margin_loss(model, X, [2 * t - 1 for t in labels])
    shown_loss, shown_right, total = printed(done.stdout)
    assert total == 30 and shown_right == right
    assert shown_loss == pytest.approx(loss, rel=1e-5)  # printed to 6 significant digits
    assert f"{100 * right / 30:.1f}%" in done.stdout

    assert sorted(p.name for p in out.iterdir()) == ["decision_boundary.svg", "loss.svg", "model.json", "neuron.svg"]
    for name in ("decision_boundary.svg", "loss.svg"):
        assert ET.parse(out / name).getroot().tag == "{http://www.w3.org/2000/svg}svg", name
    assert MLP.load(out / "model.json").sizes == [2, 6, 1]


def test_the_neuron_drawing_shows_the_engines_numbers(tmp_path):
    out = tmp_path / "out"
    done = run("demo", "--epochs", "2", "--samples", "20", "--hidden", "5", "--out", str(out))
    assert done.returncode == 0, done.stderr
    j = int(re.search(r"neuron (\d+) of layer 1 on the first point", done.stdout).group(1))
    model = json.loads((out / "model.json").read_text(encoding="utf-8"))
    x = make_moons(20, seed=0)[0][0]
    w, b = model["weights"][0], model["biases"][0]
    z = [sum(w_k * x_k for w_k, x_k in zip(w[i], x)) + b[i] for i in range(5)]
    assert z[j] > 0 and all(z_i <= 0 for z_i in z[:j])  # the first neuron active on that point

    svg = ET.parse(out / "neuron.svg").getroot()  # valid XML
    text = " ".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
    for label in (f"w[1][{j}][0]", f"w[1][{j}][1]", f"b[1][{j}]", f"z[1][{j}]", f"a[1][{j}]", "x[0]", "x[1]"):
        assert label in text
    # a = relu(z) = z, and after a.backward(): ∂a/∂w_k = x_k, ∂a/∂x_k = w_k, ∂a/∂b = 1
    for number in (z[j], x[0], x[1], w[j][0], w[j][1]):
        assert f"{number:.4g}" in text


def test_a_multi_class_demo_uses_one_output_per_class(tmp_path):
    out = tmp_path / "out"
    done = run("demo", "--dataset", "spiral", "--epochs", "2", "--samples", "30", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "softmax cross-entropy" in done.stdout
    model = json.loads((out / "model.json").read_text(encoding="utf-8"))
    assert model["sizes"] == [16, 16, 3]
    X, y = make_spiral(30, seed=0)
    logits = [forward(model, x) for x in X]
    cross_entropy = sum(
        math.log(sum(math.exp(v - max(z)) for v in z)) - (z[t] - max(z)) for z, t in zip(logits, y)
    ) / len(X)
    right = sum(z.index(max(z)) == t for z, t in zip(logits, y))
    shown_loss, shown_right, _ = printed(done.stdout)
    assert shown_loss == pytest.approx(cross_entropy, rel=1e-5) and shown_right == right


def test_the_default_demo_reaches_97_percent(tmp_path):
    done = run("demo", "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    model = json.loads((tmp_path / "out" / "model.json").read_text(encoding="utf-8"))
    assert model["sizes"] == [16, 16, 1]
    X, labels = make_moons(100, seed=0)
    loss, right = max_margin_loss(model, X, [2 * t - 1 for t in labels])
    shown_loss, shown_right, total = printed(done.stdout)
    assert (shown_right, total) == (right, 100)
    assert right >= 97
    assert shown_loss == pytest.approx(loss, rel=1e-5)
    for name in ("decision_boundary.svg", "loss.svg"):  # the README's pictures, as docs/make_demo_images.py wrote them
        shown = (ROOT / "docs" / "images" / f"demo_{name}").read_text(encoding="utf-8")
        assert shown == (tmp_path / "out" / name).read_text(encoding="utf-8"), (
            f"run python docs/make_demo_images.py: {name}"
        )


def test_a_compiled_demo_takes_the_same_steps_as_the_eager_one(tmp_path):
    # mini-batches of 8, 8, 8 and 6 points: two compiled steps, and the shuffling of every epoch
    options = ["--epochs", "4", "--samples", "30", "--hidden", "6", "5", "--batch-size", "8", "--seed", "2"]
    eager = run("demo", *options, "--out", str(tmp_path / "eager"))
    compiled = run("demo", *options, "--compiled", "--out", str(tmp_path / "compiled"))
    assert eager.returncode == compiled.returncode == 0, eager.stderr + compiled.stderr
    assert "each step compiled to Python" in compiled.stdout and "compiled to Python" not in eager.stdout

    def final_lines(stdout: str) -> list[str]:
        return [line for line in stdout.splitlines() if line.startswith("final ")]

    assert len(final_lines(eager.stdout)) == 2
    assert final_lines(compiled.stdout) == final_lines(eager.stdout)
    saved = [(tmp_path / name / "model.json").read_text(encoding="utf-8") for name in ("eager", "compiled")]
    assert saved[1] == saved[0]  # every weight written with repr(): the same bits


def test_a_compiled_spiral_demo_takes_the_eager_steps_too(tmp_path):
    options = ["--dataset", "spiral", "--epochs", "3", "--samples", "30", "--hidden", "6", "--batch-size", "8"]
    eager = run("demo", *options, "--out", str(tmp_path / "eager"))
    compiled = run("demo", *options, "--compiled", "--out", str(tmp_path / "compiled"))
    assert eager.returncode == compiled.returncode == 0, eager.stderr + compiled.stderr
    assert "softmax cross-entropy" in compiled.stdout and "each step compiled to Python" in compiled.stdout
    saved = [(tmp_path / name / "model.json").read_text(encoding="utf-8") for name in ("eager", "compiled")]
    assert saved[1] == saved[0]


def digits_printed(stdout: str) -> tuple[int, int]:
    """(test images right, test images) as the digits demo printed them."""
    found = re.search(r"^test accuracy: \S+% \((\d+) of (\d+) held-out images\)$", stdout, re.M)
    return int(found.group(1)), int(found.group(2))


def test_the_digits_demo_reaches_97_percent_on_held_out_images(tmp_path):
    from micrograd.training.data import load_digits

    out = tmp_path / "out"
    done = run("demo", "--dataset", "digits", "--compiled", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "MLP(64, [32, 10])" in done.stdout and re.search(r"^training time: [\d.]+ s", done.stdout, re.M)
    model = json.loads((out / "model.json").read_text(encoding="utf-8"))
    assert model["sizes"] == [32, 10] and model["activations"] == ["relu", "linear"]
    _, _, X_test, y_test = load_digits(seed=0)
    right = sum(
        max(range(10), key=z.__getitem__) == t for z, t in ((forward(model, x), t) for x, t in zip(X_test, y_test))
    )
    assert digits_printed(done.stdout) == (right, len(X_test)) == (right, 359)
    # the tour shows the line this run prints
    tour = (ROOT / "docs" / "tour.md").read_text(encoding="utf-8")
    shown = re.search(r"^test accuracy: .*$", tour, re.M).group(0)
    assert shown in done.stdout.splitlines()
    assert right >= 0.97 * 359
    for name in ("confusion_matrix.svg", "misclassified.svg", "loss.svg"):
        assert ET.parse(out / name).getroot().tag == "{http://www.w3.org/2000/svg}svg", name


def test_the_compiled_digits_demo_takes_the_same_steps_as_the_eager_one(tmp_path):
    options = ["--dataset", "digits", "--epochs", "1", "--hidden", "8", "--batch-size", "64", "--seed", "3"]
    eager = run("demo", *options, "--out", str(tmp_path / "eager"))
    compiled = run("demo", *options, "--compiled", "--out", str(tmp_path / "compiled"))
    assert eager.returncode == compiled.returncode == 0, eager.stderr + compiled.stderr

    def numbers(stdout: str) -> list[str]:
        return [line for line in stdout.splitlines() if line.startswith(("final ", "test accuracy"))]

    assert len(numbers(eager.stdout)) == 3 and numbers(compiled.stdout) == numbers(eager.stdout)
    saved = [(tmp_path / name / "model.json").read_text(encoding="utf-8") for name in ("eager", "compiled")]
    assert saved[1] == saved[0]


def test_the_default_output_directory(tmp_path):
    done = run("demo", "--epochs", "1", "--samples", "10", "--hidden", "2", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "demo-output" / "model.json").is_file()


def test_without_matplotlib_the_demo_draws_every_picture(tmp_path):
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"  # as if it were not installed: the pictures are SVG
        "from micrograd.__main__ import main\n"
        f"sys.exit(main(['demo', '--epochs', '1', '--samples', '10', '--out', {str(tmp_path)!r}]))"
    )
    done = run(code=code)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(DEMO_FILES)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--hidden", "0"], "expected a whole number ≥ 1, got '0'"),
        (["--epochs", "ten"], "expected a whole number ≥ 1, got 'ten'"),
        (["--dataset", "mnist"], "invalid choice: 'mnist'"),
        (["--lr", "-1"], "learning rate must be a finite number > 0"),
        (["--samples", "1"], "at least 2"),
        (["--dataset", "digits", "--samples", "50"], "--samples does not apply to --dataset digits"),
    ],
)
def test_bad_options_are_refused_with_a_message(args, words):
    done = run("demo", *args)
    assert done.returncode == 2
    assert words in done.stderr


@pytest.mark.parametrize("case", ["an existing file", "under a file", "a directory where a file goes", "empty"])
def test_an_out_that_cannot_hold_the_files_is_refused_before_training(tmp_path, case):
    (tmp_path / "notes.txt").write_text("keep me")
    (tmp_path / "out" / "model.json").mkdir(parents=True)
    out, words = {
        "an existing file": (tmp_path / "notes.txt", "is a file, not a directory"),
        "under a file": (tmp_path / "notes.txt" / "out", "is a file, not a directory"),
        "a directory where a file goes": (tmp_path / "out", "holds a directory 'model.json'"),
        "empty": ("", "must name a directory"),
    }[case]
    done = run("demo", "--epochs", "1", "--samples", "10", "--hidden", "2", "--out", str(out))
    assert done.returncode == 2, done.stderr  # argparse's usage error
    assert "usage:" in done.stderr and repr(str(out)) in done.stderr
    assert words in done.stderr
    assert done.stdout == "" and "training" not in done.stderr  # refused before any training
    assert (tmp_path / "notes.txt").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["model.json", "notes.txt", "out"]


def refused_before_training(done: subprocess.CompletedProcess, out: object, words: str) -> None:
    """argparse's usage error naming the directory and the reason, and no training, no traceback."""
    assert done.returncode == 2, done.stderr
    assert "usage:" in done.stderr and f"error: --out {str(out)!r}" in done.stderr
    assert words in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == "" and "training" not in done.stderr  # refused before any training


LINUX = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and /dev/null are Linux's")


@pytest.mark.parametrize(
    ("out", "words"),
    [
        pytest.param("/dev/null/out", "cannot be made: '/dev/null' is not a directory", marks=LINUX),
        # procfs refuses new entries, to root too: real failures of os.mkdir and of creating a file
        pytest.param(
            "/proc/micrograd-out", "cannot be made: No such file or directory: '/proc/micrograd-out'", marks=LINUX
        ),
        pytest.param("/proc", "cannot be written: No such file or directory", marks=LINUX),
        ("x" * 300, "cannot be made: File name too long: '" + "x" * 300 + "'"),  # > 255 bytes a name
        ("new/" + "x" * 300, "cannot be made: File name too long: 'new/" + "x" * 300 + "'"),  # new/ made, removed
    ],
)
@pytest.mark.parametrize("dataset", ["moons", "digits"])
def test_an_out_that_cannot_be_made_or_written_is_refused_before_training(tmp_path, out, words, dataset):
    done = run("demo", "--dataset", dataset, "--epochs", "1", "--hidden", "2", "--out", out, cwd=tmp_path)
    refused_before_training(done, out, words)
    assert list(tmp_path.iterdir()) == []


def without_write_override() -> list[str]:
    """A command prefix under which the directories' permission bits hold, also for root, or [] when they do."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv, which drops the capability to write anywhere")
    caps = "-dac_override,-dac_read_search,-fowner"
    return ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}"]


@pytest.mark.skipif(sys.platform == "win32", reason="a directory's read-only bit does not stop writes on Windows")
@pytest.mark.parametrize(
    ("inside", "words"),
    [("", "cannot be written: Permission denied"), ("new/out", "cannot be made: Permission denied: '{}/new'")],
)
def test_a_read_only_directory_is_refused_before_training(tmp_path, inside, words):
    # A real failure: as root, the subprocess runs without CAP_DAC_OVERRIDE (setpriv), so mode 0o555 holds.
    prefix = without_write_override()
    folder = tmp_path / "read-only"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    out = folder / inside if inside else folder
    folder.chmod(0o555)
    try:
        command = [*prefix, sys.executable, "-m", "micrograd", "demo", "--epochs", "1", "--out", str(out)]
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    finally:
        folder.chmod(0o755)
    refused_before_training(done, out, words.format(folder))
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    assert (folder / "notes.txt").read_text() == "keep me"


def test_a_failed_write_test_is_a_usage_error_and_removes_the_directories_it_made(tmp_path, monkeypatch, capsys):
    # The same refusal on any platform and user: creating the trial file fails as in a read-only directory.
    import micrograd.__main__ as cli

    def refused(*args, dir: str, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.path.join(dir, "trial"))

    monkeypatch.setattr(cli.tempfile, "mkstemp", refused)
    out = tmp_path / "new" / "out"
    with pytest.raises(SystemExit) as stop:
        cli.main(["demo", "--epochs", "1", "--samples", "10", "--out", str(out)])
    assert stop.value.code == 2
    stdout, stderr = capsys.readouterr()
    assert stdout == "" and f"error: --out {str(out)!r} cannot be written: {os.strerror(errno.EACCES)}\n" in stderr
    assert list(tmp_path.iterdir()) == []  # new/ and new/out made for the trial, then removed


def test_an_existing_directory_keeps_what_a_user_saved_there(tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "model.json").write_text("an older model")
    done = run("demo", "--epochs", "1", "--samples", "10", "--hidden", "2", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*DEMO_FILES, "notes.txt", "runs"])  # no trial file
    assert (tmp_path / "notes.txt").read_text() == "keep me"
    assert (tmp_path / "runs" / "model.json").read_text() == "an older model"
    assert MLP.load(tmp_path / "model.json").sizes == [2, 2, 1]


def test_a_diverging_run_leaves_no_directory_it_made(tmp_path):
    out = tmp_path / "new" / "out"
    done = run("demo", "--lr", "1e6", "--epochs", "5", "--out", str(out))
    assert done.returncode == 1 and "try a smaller learning rate" in done.stderr
    assert list(tmp_path.iterdir()) == []  # made before the training to try it, removed when nothing was written


def test_a_diverging_run_stops_with_advice(tmp_path):
    done = run("demo", "--lr", "1e6", "--epochs", "5", "--out", str(tmp_path))
    assert done.returncode == 1
    assert "try a smaller learning rate" in done.stderr
    assert not (tmp_path / "model.json").exists()


def test_the_worked_example_is_still_the_default_command():
    default, example = run(), run("example")
    assert default.returncode == example.returncode == 0
    assert default.stdout == example.stdout
    assert "backward() and the closed form agree: yes" in default.stdout
