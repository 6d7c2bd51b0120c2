"""Every notebook: a .py and a .ipynb that say the same thing, stored without outputs, and run without an error.

The notebooks are found by glob, so one added later is checked like the others. A notebook that
imports PyTorch runs only where PyTorch is installed: elsewhere it is skipped, and in CI
(MICROGRAD_REQUIRE_ALL=1) that is a failure, as for the tests that take the torch fixture.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import conftest
from conftest import optional_import

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
NAMES = sorted({p.stem for p in [*NOTEBOOKS.glob("*.py"), *NOTEBOOKS.glob("*.ipynb")]})
CELL_TIMEOUT = 600  # seconds: generous, so that a slow machine is never mistaken for a failure
TORCH_IMPORT = re.compile(r"^\s*(?:import|from)\s+(?:torch|micrograd\.torch_bridge)\b", re.M)


def needs_torch(notebook) -> bool:
    """Does a code cell import PyTorch, directly or through micrograd.torch_bridge?"""
    return any(cell.cell_type == "code" and TORCH_IMPORT.search(cell.source) for cell in notebook.cells)


def test_there_are_notebooks():
    assert {"03_four_equations", "04_training_on_moons"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_each_notebook_has_its_py_and_its_ipynb(name):
    missing = [suffix for suffix in (".py", ".ipynb") if not (NOTEBOOKS / f"{name}{suffix}").is_file()]
    assert not missing, f"notebooks/{name} has no {' and no '.join(missing)}: write the .py, then jupytext --to ipynb"


@pytest.mark.parametrize("name", NAMES)
def test_the_ipynb_is_stored_without_outputs(name):
    nbformat = optional_import("nbformat")
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    for i, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"cell {i} of {name}.ipynb has outputs: clear them before committing"
            assert cell.execution_count is None, f"cell {i} of {name}.ipynb has an execution count"


@pytest.mark.parametrize("name", NAMES)
def test_the_py_and_the_ipynb_are_in_sync(name):
    jupytext = optional_import("jupytext")
    script = jupytext.read(NOTEBOOKS / f"{name}.py")
    notebook = jupytext.read(NOTEBOOKS / f"{name}.ipynb")
    assert [(c.cell_type, c.source) for c in script.cells] == [(c.cell_type, c.source) for c in notebook.cells], (
        f"{name}.py and {name}.ipynb differ: regenerate the notebook with jupytext --to ipynb notebooks/{name}.py"
    )


@pytest.mark.parametrize("name", NAMES)
def test_the_notebook_runs_without_an_error(name):
    nbformat = optional_import("nbformat")
    nbclient = optional_import("nbclient")
    optional_import("ipykernel")
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    if needs_torch(notebook):
        optional_import("torch")  # skipped without PyTorch, failed in CI, as the torch fixture does
    client = nbclient.NotebookClient(
        notebook, timeout=CELL_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    # The kernel imports micrograd from this checkout, whatever else is installed.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    client.execute(env=env)  # raises CellExecutionError, naming the cell and the error, if any cell fails
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors


def test_the_notebooks_that_import_torch_are_found():
    nbformat = optional_import("nbformat")
    found = {name for name in NAMES if needs_torch(nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4))}
    assert found == {"06_micrograd_to_pytorch"}


def test_without_torch_its_notebook_is_skipped_and_in_ci_it_fails(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    monkeypatch.setattr(conftest, "REQUIRE_ALL", False)
    with pytest.raises(pytest.skip.Exception, match="torch is not installed"):
        test_the_notebook_runs_without_an_error("06_micrograd_to_pytorch")
    monkeypatch.setattr(conftest, "REQUIRE_ALL", True)
    with pytest.raises(pytest.fail.Exception, match="torch is not installed"):
        test_the_notebook_runs_without_an_error("06_micrograd_to_pytorch")


def test_without_torch_the_pytorch_notebook_says_what_to_install():
    """Its cell that imports torch, run where PyTorch cannot be imported: a ModuleNotFoundError naming the extra."""
    nbformat = optional_import("nbformat")
    notebook = nbformat.read(NOTEBOOKS / "06_micrograd_to_pytorch.ipynb", as_version=4)
    first = next(c.source for c in notebook.cells if c.cell_type == "code" and "import torch" in c.source)
    blocked = "import sys\nsys.modules['torch'] = None  # import torch raises ImportError\n"
    done = subprocess.run(
        [sys.executable, "-c", blocked + first], capture_output=True, text=True, cwd=NOTEBOOKS, check=False
    )
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ModuleNotFoundError: This notebook needs PyTorch")
    assert 'pip install -e ".[torch]"' in last
    assert "needs PyTorch" in notebook.cells[0].source and 'pip install -e ".[torch]"' in notebook.cells[0].source


def test_the_torch_extra_exists_and_the_readme_names_it_for_the_pytorch_notebook():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert any(requirement.startswith("torch") for requirement in extras["torch"])
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    entry = re.search(r"^\d+\. `06_micrograd_to_pytorch`.*?(?=^\S|\Z)", readme, re.M | re.S).group(0)
    assert "PyTorch" in entry and 'pip install -e ".[torch]"' in entry


def opening_and_next(name: str) -> tuple[str, list[str]]:
    """A notebook's first markdown cell, and what follows each "Next:" anywhere in its markdown."""
    jupytext = optional_import("jupytext")
    cells = [c.source for c in jupytext.read(NOTEBOOKS / f"{name}.py").cells if c.cell_type == "markdown"]
    return cells[0], [m.group(1) for text in cells for m in re.finditer(r"Next:\**\s*(.{0,80})", text, re.S)]


def test_the_readme_gives_the_learning_path_with_each_notebook_s_time_and_each_notebook_points_to_the_next():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    path = re.findall(r"^\d+\. `(\d\d_\w+)` \((about [^)]+)\)", readme, re.M)
    names = [name for name, _ in path]
    assert sorted(names) == NAMES, "the README's learning path lists every notebook once"
    assert names.index("11_build_it_yourself") == names.index("01_chain_rule") + 1  # building comes right after 01
    for (name, time), following in zip(path, [*names[1:], None]):
        opening, nexts = opening_and_next(name)
        assert re.search(rf"\b{time}\b", opening, re.I), f"{name} does not open with the README's time, {time}"
        if following is not None:
            number = following[:2]
            assert any(re.search(rf"\b{number}\b|{following}", after) for after in nexts), (
                f"{name} never says that {following} comes next"
            )
