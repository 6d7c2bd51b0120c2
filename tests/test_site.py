"""The site as a visitor gets it: built from this checkout by docs/build.py, served on 127.0.0.1, opened in
headless Chromium with every request to another host refused and recorded.

Every notebook is in the browser lab (JupyterLite, Python in the browser tab). Each but the PyTorch one (06)
runs all its cells there with no error and no warning on stderr; its drawings are laid out there (Graphviz
compiled to WebAssembly) and read back from their SVG; fit's progress bars are widgets; the stepper of
notebook 01 steps when clicked and the quiz of notebook 10 grades answers. Notebook 06 says, in its first
cell's output, that PyTorch does not run in the browser and how to run it on a computer, and each of its
other cells says it was not run. No request leaves the site.

Not asserted, printed (pytest -s): the build's time and size, and for each notebook the seconds from opening
it to its first output and to the end of its last cell. Screenshots go to test-artifacts/site/.
"""

from __future__ import annotations

import importlib.util
import json
import pathlib
import re
import shutil

import pytest
from test_jupyterlab import PLACES, boxes, is_graph, the_svg
from test_stepper_browser import STEPS

from conftest import REQUIRE_ALL, answer_the_lecture_s_forward_quiz, chromium_on_one_site, optional_import, served

ROOT = pathlib.Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "site"
WAIT = 600_000  # ms: the longest any one wait may take (a cold Pyodide on two busy cores), not how long it takes
VIEWPORT = {"width": 1400, "height": 900}
NOTEBOOK = "window.jupyterapp.shell.currentWidget"  # the notebook app shows one notebook


def require(condition: bool, message: str) -> None:
    if not condition:
        pytest.fail(message) if REQUIRE_ALL else pytest.skip(message)


def load_build():
    spec = importlib.util.spec_from_file_location("site_build", ROOT / "docs" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = load_build()
PYTORCH = "06_micrograd_to_pytorch"  # PyTorch does not run in the browser: this notebook says so there
RUN_IN_BROWSER = [name for name in build.BROWSER_NOTEBOOKS if name != PYTORCH]
PROGRESS_BARS = ["04_training_on_moons", "09_reading_digits"]  # they train with fit's progress bar


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site built from this checkout and served on 127.0.0.1: its address."""
    optional_import("jupyterlite_core")
    optional_import("jupyterlite_pyodide_kernel")
    require(shutil.which("npm") is not None, "npm is not on PATH (apt-get install npm): the site needs it to build")
    folder = tmp_path_factory.mktemp("site")
    report = build.build(folder)
    print(
        f"\nsite built in {report['seconds']:.1f} s: {report['files']} files, {report['bytes'] / 1e6:.1f} MB; "
        f"browser lab notebooks: {', '.join(report['notebooks'])}"
    )
    settings = folder / "lite" / "jupyter-lite.json"  # the test reads the app's state, as test_jupyterlab does
    config = json.loads(settings.read_text(encoding="utf-8"))
    config["jupyter-config-data"]["exposeAppInBrowser"] = "true"
    settings.write_text(json.dumps(config), encoding="utf-8")
    with served(folder) as base:
        yield {"base": base, "folder": folder}


@pytest.fixture(scope="module")
def browser(site, tmp_path_factory):
    """Chromium in which every request is recorded, and any to another host than the site's refused."""
    with chromium_on_one_site(tmp_path_factory, VIEWPORT, site["base"]) as context:
        yield context


# Records, in the page, when each code cell gets an output and when it ends (ms since the page was opened).
RECORD_TIMES = f"""() => {{
  window.mgTimes = {{outputs: [], ends: []}};
  for (const cell of {NOTEBOOK}.content.widgets.filter(c => c.model.type === "code")) {{
    cell.model.outputs.changed.connect(() => window.mgTimes.outputs.push(performance.now()));
    cell.model.stateChanged.connect((_, change) => {{
      if (change.name === "executionCount" && change.newValue !== null) window.mgTimes.ends.push(performance.now());
    }});
  }}
}}"""


def open_and_run(browser, site, name: str):
    """Open a notebook in the browser lab and Run All: the page, the code cells' outputs, and the seconds
    from opening it to its first output and to the end of its last cell."""
    page = browser.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(f"{site['base']}/lite/notebooks/index.html?path={name}.ipynb")
    page.wait_for_function(
        f"""() => window.jupyterapp && {NOTEBOOK} && {NOTEBOOK}.context && {NOTEBOOK}.context.isReady
                  && {NOTEBOOK}.sessionContext.session && {NOTEBOOK}.sessionContext.session.kernel
                  && {NOTEBOOK}.sessionContext.session.kernel.status === "idle" """,
        timeout=WAIT,
        polling=100,
    )
    page.evaluate(RECORD_TIMES)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(  # every code cell run, or one ended in an error (Run All stops there)
        f"""() => {{ const nb = {NOTEBOOK}; const code = nb.content.widgets.filter(c => c.model.type === "code");
                    const failed = code.some(c => c.model.toJSON().outputs.some(o => o.output_type === "error"));
                    return (failed || code.every(c => c.model.executionCount !== null && !c.hasClass("jp-mod-running")))
                      && nb.sessionContext.session.kernel.status === "idle"; }}""",
        timeout=WAIT,
        polling=100,
    )
    times = page.evaluate("() => window.mgTimes")
    outputs = page.evaluate(
        f"() => {NOTEBOOK}.content.widgets.filter(c => c.model.type === 'code').map(c => c.model.toJSON().outputs)"
    )
    return page, outputs, min(times["outputs"]) / 1000, max(times["ends"]) / 1000


def visible(page, selector: str):
    return page.locator(f".jp-OutputArea-output {selector}")


def screenshot(page, element, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (element or page).screenshot(path=str(ARTIFACTS / f"{name}.png"))


def code_of(name: str) -> str:
    nb = json.loads((build.NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


def stdout(outputs: list[list[dict]]) -> str:
    return "".join(o["text"] for cell in outputs for o in cell if o.get("name") == "stdout")


def draws(name: str) -> bool:
    """Whether the notebook's code makes a drawing of micrograd's (a graph, a stepper, a network view)."""
    return any(call in code_of(name) for call in ("draw_dot(", "draw_network(", ".stepper(", "Stepper("))


def test_every_notebook_is_in_the_browser_lab_with_the_browsers_kernel(site):
    built = sorted(p.stem for p in (site["folder"] / "lite" / "files").glob("*.ipynb"))
    assert built == sorted(p.stem for p in build.NOTEBOOKS.glob("*.ipynb")) == build.BROWSER_NOTEBOOKS
    assert PYTORCH in built and set(PROGRESS_BARS) <= set(built)
    for name in built:  # the browser's kernel by its name: the notebook opens without asking for one
        nb = json.loads((site["folder"] / "lite" / "files" / f"{name}.ipynb").read_text(encoding="utf-8"))
        assert nb["metadata"]["kernelspec"]["name"] == build.KERNEL["name"], name


@pytest.mark.parametrize("name", RUN_IN_BROWSER)
def test_a_notebook_runs_in_the_browser_lab_with_its_drawings(browser, site, name):
    page, outputs, first, last = open_and_run(browser, site, name)
    print(f"\n{name}: first output after {first:.1f} s, last cell done after {last:.1f} s")
    errors = [o for cell in outputs for o in cell if o["output_type"] == "error"]
    assert not errors, f"{name}: {errors[0]['ename']}: {errors[0]['evalue']}"
    stderr = "".join(o["text"] for cell in outputs for o in cell if o.get("name") == "stderr")
    assert "Warning" not in stderr and "thread" not in stderr and "training:" not in stderr, stderr  # no text bar
    if name in PROGRESS_BARS:
        assert_the_progress_bars_are_widgets(page, outputs)
    if draws(name):
        figures = visible(page, ".mg-figure, .mg-stepper:not(.mg-quiz)")  # a quiz has a stepper's class
        assert figures.count() > 0, f"{name}: no drawing"
        svgs = [the_svg(element.evaluate(PLACES)) for element in figures.all()]  # read back with an XML parser
        graphs = [svg for svg in svgs if is_graph(svg)]  # laid out in the browser by Graphviz
        assert graphs and all(boxes(svg) for svg in graphs), f"{name}: no drawing of a graph"
    if "view=LiveView()" in code_of(name):  # the live view: one picture, after the last epoch too
        epochs = re.search(r"History\((\d+) epochs", stdout(outputs)).group(1)
        titles = [o["data"]["text/plain"] for cell in outputs for o in cell if "text/html" in o.get("data", {})]
        assert any(title.startswith(f"epoch {epochs} of {epochs}: loss ") for title in titles), titles
    if name == "01_chain_rule":
        stepper = visible(page, ".mg-stepper").first
        stepper.scroll_into_view_if_needed()
        assert stepper.locator(".mg-eq").text_content() == STEPS[0][0]
        stepper.get_by_role("button", name="next").click()
        assert stepper.locator(".mg-eq").text_content() == STEPS[1][0]
        screenshot(page, stepper, "stepper-in-the-browser")
    if name == "10_predict_then_check":
        answer_a_quiz(page)
    screenshot(page, None, name)
    assert page.errors == []
    assert browser.outside == [], f"requests to other hosts: {browser.outside[:5]}"
    page.close()


def assert_the_progress_bars_are_widgets(page, outputs) -> None:
    """fit's bars are ipywidgets drawn by JupyterLab's widget manager: each shown, and full at the end."""
    bars = [
        o["data"]["text/plain"]
        for cell in outputs
        for o in cell
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
        and o["data"]["text/plain"].startswith("training:")
    ]
    assert bars, "no progress bar widget"
    shown = visible(page, ".widget-hprogress")
    assert shown.count() == len(bars)
    assert visible(page, ".widget-hprogress .progress-bar-success").count() == len(bars)  # tqdm: done, full
    bar = shown.first.locator("xpath=..")  # the bar with its labels: "training: 100%", "n/n [time, rate, ...]"
    bar.scroll_into_view_if_needed()
    screenshot(page, bar, "progress-bar-in-the-browser")
    epochs = re.search(r"(\d+)/(\d+)\s\[", bar.text_content())  # tqdm spaces: no-break ones
    assert epochs and epochs.group(1) == epochs.group(2), bar.text_content()


def test_the_pytorch_notebook_says_in_the_browser_that_it_runs_only_on_a_computer(browser, site):
    """Run All in notebook 06: its first cell says why and how, each other cell that it was not run; no error."""
    page, outputs, first, last = open_and_run(browser, site, PYTORCH)
    print(f"\n{PYTORCH}: first output after {first:.1f} s, last cell done after {last:.1f} s")
    assert all(o["output_type"] == "stream" and o["name"] == "stdout" for cell in outputs for o in cell), outputs
    said = ["".join(o["text"] for o in cell) for cell in outputs]
    assert said[0].startswith("PyTorch does not run in the browser")
    assert 'pip install -e ".[torch]"' in said[0] and f"jupyter lab notebooks/{PYTORCH}.ipynb" in said[0]
    assert len(said) > 2 and set(said[1:]) == {"not run: this cell needs PyTorch, which does not run in the browser\n"}
    screenshot(page, visible(page, "").first, PYTORCH)
    assert page.errors == []
    assert browser.outside == [], f"requests to other hosts: {browser.outside[:5]}"
    page.close()


def answer_a_quiz(page) -> None:
    """The forward pass of the lecture's expression: e = a·b is asked first; a wrong answer, then the right one."""
    quiz = visible(page, ".mg-quiz").first
    answer_the_lecture_s_forward_quiz(page, quiz)
    assert quiz.locator(".mg-score").inner_text() == "score: 0 right at the first try, 1 of 3 answered"
    screenshot(page, quiz, "quiz-in-the-browser")
