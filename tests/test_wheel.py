"""The package as pip installs it: the wheel built from this tree, installed in a fresh virtual environment.

The rest of the suite imports micrograd from the source tree, where every file is present whether or not the
wheel ships it. Here a smoke test runs against the installed wheel alone: it draws, saves a stepper (whose
HTML, CSS and JavaScript are package data files) and compiles a graph.
"""

from __future__ import annotations

import json
import os
import pathlib
import site
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile

from conftest import optional_import

REPO = pathlib.Path(__file__).resolve().parents[1]
STATIC = REPO / "micrograd" / "lab" / "static"
DATASETS = REPO / "micrograd" / "training" / "datasets"  # the digits and their notice
SVG = "{http://www.w3.org/2000/svg}"

SMOKE = """
import json, sys

import micrograd
from micrograd import Value
from micrograd.compile import compile_graph
from micrograd.lab.trace import trace_backward
from micrograd.lab.render import render_svg
from micrograd.lab.viz import draw_dot
from micrograd.training.data import load_digits

a, b = Value(2.0, "a"), Value(-3.0, "b")
c = a * b
c.label = "c"
c.backward()
print(json.dumps({
    "file": micrograd.__file__,
    "svg": render_svg(draw_dot(c)),
    "stepper": trace_backward(c).stepper().save(sys.argv[1]),
    "compiled": compile_graph(c, [a, b])([4.0, 0.5]),
    "digits": [len(part) for part in load_digits()],
}))
"""


def run(*cmd: str | os.PathLike, cwd: pathlib.Path) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    assert done.returncode == 0, f"{cmd} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_the_installed_wheel_draws_steps_and_compiles(tmp_path):
    optional_import("hatchling")  # the build backend, built here without network access: no build isolation
    dist = tmp_path / "dist"
    pip = (sys.executable, "-m", "pip", "--disable-pip-version-check")
    run(*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", dist, REPO, cwd=tmp_path)
    [wheel] = dist.glob("micrograd_lab-*.whl")  # the distribution micrograd-lab, imported as micrograd
    shipped = set(zipfile.ZipFile(wheel).namelist())
    # every module of every subpackage, and the data files
    for path in [*(REPO / "micrograd").rglob("*.py"), *STATIC.iterdir(), *DATASETS.iterdir()]:
        assert path.relative_to(REPO).as_posix() in shipped

    # A fresh environment that sees this Python's packages (micrograd's dependencies, which the test must not
    # download) but imports micrograd from the wheel installed in it: run from outside the tree, in isolated mode.
    # Its own site-packages come first; then, through a .pth file, those of the Python running the tests, which
    # --system-site-packages would miss when that Python is itself a virtual environment's.
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = "import sysconfig; print(sysconfig.get_path('purelib'))"
    own = pathlib.Path(run(python, "-c", purelib, cwd=tmp_path).strip())
    ours = "".join(f"import site; site.addsitedir({d!r})\n" for d in site.getsitepackages())
    (own / "the_tests_python.pth").write_text(ours, encoding="utf-8")
    run(*pip, "--python", python, "install", "--no-deps", "--no-index", wheel, cwd=tmp_path)
    (tmp_path / "smoke.py").write_text(SMOKE, encoding="utf-8")
    out = json.loads(run(python, "-I", "smoke.py", tmp_path / "stepper.html", cwd=tmp_path))

    assert pathlib.Path(out["file"]).resolve().is_relative_to(venv.resolve())
    texts = [t.text for t in ET.fromstring(out["svg"]).iter(f"{SVG}text")]
    # by hand: c = a·b = -6, ∂c/∂a = b = -3, ∂c/∂b = a = 2
    assert {"a", "data 2", "grad -3", "b", "data -3", "grad 2", "c", "data -6", "grad 1", "*"} <= set(texts)
    page = pathlib.Path(out["stepper"]).read_text(encoding="utf-8")
    for name in ("stepper.css", "stepper.js"):
        assert (STATIC / name).read_text(encoding="utf-8") in page
    assert out["compiled"] == [2.0, [0.5, 4.0]]  # at a = 4, b = 0.5: c = 2, ∂c/∂a = 0.5, ∂c/∂b = 4
    assert out["digits"] == [1438, 1438, 359, 359]  # read from the installed package data
