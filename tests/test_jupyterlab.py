"""The notebooks as a learner sees them: a real JupyterLab server, its page in headless Chromium, Run All.

For every notebook: no cell ends in an error; every drawing and stepper is no wider than its output area,
with its text at least 9 px high and, for a drawing, the root (the value differentiated) in view without
scrolling. The stepper of notebook 01 steps when clicked, and its equation, legend and counter read with
a contrast of at least 4.5:1 (WCAG AA) in JupyterLab's light and dark themes. Then a copy saved with its
outputs, as a teacher hands one out, is opened untrusted: JupyterLab runs none of its scripts, and the
stepper must be an honest still picture and every drawing still a drawing.

The positions are read from the browser, and the drawings from their SVG with an XML parser, never from
micrograd's own account of them. Screenshots go to test-artifacts/jupyterlab/ (printed by the test).
"""

from __future__ import annotations

import base64
import json
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET

import pytest
from test_stepper_browser import STEPS

from colours import contrast_of, token_contrasts
from conftest import REQUIRE_ALL, chromium, optional_import

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "test-artifacts" / "jupyterlab"
SVG = "{http://www.w3.org/2000/svg}"
TOKEN = "micrograd-test"
WAIT = 180_000  # ms: the longest any one wait may take (a cold kernel on a slow machine), not how long it takes
VIEWPORT = {"width": 1400, "height": 900}  # a laptop's browser: outputs about 970 px wide, as in the issue


def require(condition: bool, message: str) -> None:
    if not condition:
        pytest.fail(message) if REQUIRE_ALL else pytest.skip(message)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 serving copies of the notebooks, and one run copy saved with its outputs."""
    optional_import("jupyterlab")
    nbformat, nbclient = optional_import("nbformat"), optional_import("nbclient")
    folder = tmp_path_factory.mktemp("lab")
    home = tmp_path_factory.mktemp("jupyter")
    for notebook in NOTEBOOKS.glob("*.ipynb"):
        shutil.copy(notebook, folder / notebook.name)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),  # this checkout
        "JUPYTER_DATA_DIR": str(home / "data"),  # a trust database of its own: nothing here is trusted yet
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
    }
    # A teacher's copy: run, saved with its outputs, never opened in this JupyterLab, so not trusted there.
    saved = nbformat.read(NOTEBOOKS / "01_chain_rule.ipynb", as_version=4)
    nbclient.NotebookClient(
        saved, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute(env=env)
    nbformat.write(saved, folder / "handed_out.ipynb")
    settings = home / "settings"
    for plugin, values in {
        "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
        "notebook-extension/tracker": {"windowingMode": "none"},  # every cell laid out, in view or not
    }.items():
        path = settings / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={folder}",
        "--LabApp.expose_app_in_browser=True", f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
    ]  # fmt: skip
    log = open(home / "server.log", "wb")  # noqa: SIM115 -- closed after the server stops
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + WAIT / 1000
        while True:  # until the server answers (or has died, or the generous deadline has passed)
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            assert server.poll() is None, (home / "server.log").read_text(errors="replace")
            assert time.monotonic() < deadline, "JupyterLab did not start"
            time.sleep(0.2)
        yield {"base": base, "folder": folder}
    finally:
        server.terminate()  # stops its kernels too
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with chromium(tmp_path_factory, VIEWPORT) as context:
        yield context


PANEL = (
    """path => Array.from(window.jupyterapp.shell.widgets("main")).find(w => w.context && w.context.path === path)"""
)


def new_page(browser, lab):
    """JupyterLab in a new tab, with a fresh layout (no notebook open), JavaScript errors recorded."""
    page = browser.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(f"{lab['base']}/lab?token={TOKEN}&reset")
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.commands.hasCommand('docmanager:open')", timeout=WAIT
    )
    return page


def open_notebooks(page, names: list[str]) -> None:
    """Open each notebook in its own tab and wait until its kernel is ready."""
    for name in names:  # not awaited: the notebooks open side by side
        page.evaluate("path => { window.jupyterapp.commands.execute('docmanager:open', {path}); }", f"{name}.ipynb")
    page.wait_for_function(
        f"""paths => paths.every(path => {{ const w = ({PANEL})(path);
                       return w && w.context.isReady && w.sessionContext.session && w.sessionContext.session.kernel
                         && w.sessionContext.session.kernel.status === "idle"; }})""",
        arg=[f"{name}.ipynb" for name in names],
        timeout=WAIT * 2,  # ten kernels start side by side on two cores
        polling=100,
    )


def show(page, name: str) -> None:
    """Bring a notebook's tab to the front (the others are not laid out while hidden)."""
    page.evaluate(f"path => window.jupyterapp.shell.activateById(({PANEL})(path).id)", f"{name}.ipynb")
    page.wait_for_function(f"path => ({PANEL})(path).isVisible", arg=f"{name}.ipynb", timeout=WAIT, polling=100)


def run_all(page, names: list[str]) -> dict[str, list[list[dict]]]:
    """Run All in every one of the notebooks (their kernels work side by side); the outputs of their code cells."""
    for name in names:
        show(page, name)
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(
        f"""paths => paths.every(path => {{ const nb = ({PANEL})(path);
                       const code = nb.content.widgets.filter(c => c.model.type === "code");
                       return code.every(c => c.model.executionCount !== null && !c.hasClass("jp-mod-running"))
                         && nb.sessionContext.session.kernel.status === "idle"; }})""",
        arg=[f"{name}.ipynb" for name in names],
        timeout=WAIT,
        polling=100,
    )
    return {
        name: page.evaluate(
            f"""path => ({PANEL})(path).content.widgets
                          .filter(c => c.model.type === "code").map(c => c.model.toJSON().outputs)""",
            f"{name}.ipynb",
        )
        for name in names
    }


NAMES = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))


@pytest.fixture(scope="module")
def ran(lab, browser):
    """Every notebook opened in one JupyterLab tab and run: (the page, each notebook's outputs)."""
    if "06_micrograd_to_pytorch" in NAMES:
        optional_import("torch")
    page = new_page(browser, lab)
    open_notebooks(page, NAMES)
    outputs = run_all(page, NAMES)
    yield page, outputs
    page.close()


PLACES = """element => {
  const rect = e => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right, width: r.width}; };
  const output = element.closest(".jp-OutputArea-output");
  const frame = element.querySelector(".mg-frame");
  const picture = element.querySelector(".mg-picture");
  const svg = element.querySelector(".mg-frame svg");
  return {output: rect(output), frame: rect(frame), picture: rect(picture || svg),
          background: picture ? getComputedStyle(picture).backgroundImage : null,
          svg: svg ? new XMLSerializer().serializeToString(svg) : null,
          trusted: output.classList.contains("jp-mod-trusted")};
}"""


def the_svg(seen: dict) -> ET.Element:
    """The drawing as the browser has it: inline, or decoded from its background picture's data: URI."""
    if seen["svg"] is not None:
        return ET.fromstring(seen["svg"])
    uri = re.fullmatch(r'url\("data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"\)', seen["background"]).group(1)
    return ET.fromstring(base64.b64decode(uri))


def boxes(svg: ET.Element) -> dict[str, tuple[list[str], tuple[float, float]]]:
    """Each node's lines of text and its horizontal extent, in the units of the SVG's viewBox, by DOT name."""
    graph = next(g for g in svg.iter(f"{SVG}g") if g.get("class") == "graph")
    dx = float(re.search(r"translate\(([-0-9.]+) ", graph.get("transform")).group(1))
    found = {}
    for g in svg.iter(f"{SVG}g"):
        if g.get("class") != "node":
            continue
        xs = [float(x) for p in g.iter(f"{SVG}polygon") for x in re.findall(r"([-0-9.]+),", p.get("points"))]
        xs += [float(e.get("cx")) + sign * float(e.get("rx")) for e in g.iter(f"{SVG}ellipse") for sign in (-1, 1)]
        lines = ["".join(t.itertext()).replace("\xa0", " ") for t in g.iter(f"{SVG}text")]
        found[g.find(f"{SVG}title").text] = (lines, (min(xs) + dx, max(xs) + dx))
    return found


def the_root(svg: ET.Element) -> str:
    """The DOT name of the root: the one node no edge leaves."""
    tails = {g.find(f"{SVG}title").text.split("->")[0] for g in svg.iter(f"{SVG}g") if g.get("class") == "edge"}
    (root,) = set(boxes(svg)) - tails
    return root


def on_screen(seen: dict, svg: ET.Element, extent: tuple[float, float]) -> tuple[float, float]:
    """Where an extent of the SVG's viewBox lies on the screen, from where the browser put the picture."""
    x0, _, width, _ = (float(v) for v in svg.get("viewBox").split())
    scale = seen["picture"]["width"] / width
    return tuple(seen["picture"]["left"] + (x - x0) * scale for x in extent)


def smallest_text_px(seen: dict, svg: ET.Element) -> float:
    width = float(svg.get("viewBox").split()[2])
    return min(float(t.get("font-size")) for t in svg.iter(f"{SVG}text")) * seen["picture"]["width"] / width


def is_graph(svg: ET.Element) -> bool:
    """A drawing of a graph, laid out by Graphviz (a network view is a picture of layers instead)."""
    return any(g.get("class") == "graph" for g in svg.iter(f"{SVG}g"))


def check_fits(page, name: str) -> list:
    """Every drawing and stepper of the page: within its output area, text ≥ 9 px, a drawing's root in view."""
    shown = []
    for kind in (".mg-figure", ".mg-stepper:not(.mg-quiz)"):  # a quiz has the stepper's styles, a drawing as figure
        for i, element in enumerate(visible(page, kind).all()):
            element.scroll_into_view_if_needed()
            seen = element.evaluate(PLACES)
            svg = the_svg(seen)
            where = f"{name}: {kind} {i + 1}"
            assert seen["frame"]["width"] <= seen["output"]["width"] + 0.5, where  # it fits its output area
            assert seen["frame"]["right"] <= seen["output"]["right"] + 0.5, where
            assert smallest_text_px(seen, svg) >= 9 - 0.01, where  # and is readable
            if kind == ".mg-figure" and is_graph(svg):  # the root, the value differentiated, is in view
                left, right = on_screen(seen, svg, boxes(svg)[the_root(svg)][1])
                assert seen["frame"]["left"] - 0.5 <= left and right <= seen["frame"]["right"] + 0.5, where
            shown.append((element, seen, svg))
    return shown


def screenshot(page, element, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (element or page).screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_every_notebook_runs_in_jupyterlab_and_every_drawing_fits_its_output(ran):
    print(f"\nscreenshots: {ARTIFACTS}")
    page, outputs = ran
    drawn = {}
    for name in NAMES:
        errors = [o for cell in outputs[name] for o in cell if o["output_type"] == "error"]
        assert not errors, f"{name}: {errors[0]['ename']}: {errors[0]['evalue']}"
        show(page, name)
        shown = check_fits(page, name)
        drawn[name] = len(shown)
        for i, (element, _, _) in enumerate(shown):
            screenshot(page, element, f"{name}-{i + 1}")
    assert drawn["01_chain_rule"] == 4 and drawn["02_one_neuron"] == 3 and drawn["03_four_equations"] == 1
    assert page.errors == []


def test_the_stepper_steps_and_reads_in_the_light_and_dark_themes(ran):
    page, _ = ran
    show(page, "01_chain_rule")
    stepper = visible(page, ".mg-stepper")
    stepper.scroll_into_view_if_needed()
    seen = stepper.evaluate(PLACES)
    svg = the_svg(seen)
    inputs = [on_screen(seen, svg, extent) for lines, extent in boxes(svg).values() if lines[0] in ("a", "b")]
    assert all(seen["frame"]["left"] - 0.5 <= left and right <= seen["frame"]["right"] + 0.5 for left, right in inputs)
    equation = stepper.locator(".mg-eq")
    assert equation.text_content() == STEPS[0][0]
    for theme, light in (("JupyterLab Dark", "false"), ("JupyterLab Light", "true")):
        set_theme(page, theme, light)
        stepper.get_by_role("button", name="next").click()
        ratios = {part: contrast_of(stepper.locator(f".mg-{part}")) for part in ("eq", "legend", "counter")}
        assert all(ratio >= 4.5 for ratio in ratios.values()), (theme, ratios)
        screenshot(page, stepper, f"stepper-{'light' if light == 'true' else 'dark'}")
    assert equation.text_content() == STEPS[2][0]  # two clicks: step 2
    screenshot(page, stepper.locator("xpath=ancestor::div[contains(@class, 'jp-CodeCell')]"), "stepper-cell")
    stepper.get_by_role("slider", name="step").fill("5")
    assert equation.text_content() == STEPS[5][0]
    screenshot(page, visible(page, ".mg-figure").first, "drawing-dark")
    show(page, "05_backprop_as_code")
    code = visible(page, "pre.mg-code").first
    for theme, light in (("JupyterLab Dark", "false"), ("JupyterLab Light", "true")):
        set_theme(page, theme, light)
        assert contrast_of(code) >= 4.5 and contrast_of(code.locator("span.k").first) >= 4.5  # text, keywords
        colours = code.evaluate(
            "e => ['', 'span.k', 'span.c1', 'span.mf'].map(s => getComputedStyle(s ? e.querySelector(s) : e).color)"
        )
        assert len(set(colours)) == 4, colours  # keywords, comments and numbers each in a colour of their own
        screenshot(page, code, f"code-{'light' if light == 'true' else 'dark'}")
    assert page.errors == []


def test_every_colour_of_the_highlighted_code_reads_in_the_light_and_dark_themes(ran):
    """Notebook 05's generated code: every distinct text colour in it, as Chromium computes it, against the
    background painted behind it, at least 4.5:1 (WCAG AA) in each of JupyterLab's themes."""
    page, _ = ran
    show(page, "05_backprop_as_code")
    blocks = visible(page, "pre.mg-code")
    assert blocks.count() == 9  # three listings, five excerpts of the batch's code by equation, its whole listing
    themes = (("JupyterLab Dark", "false"), ("JupyterLab Dark High Contrast", "false"), ("JupyterLab Light", "true"))
    failing, classes = [], set()
    for theme, light in themes:
        set_theme(page, theme, light)
        for i, block in enumerate(blocks.all()):
            found = token_contrasts(block)
            classes |= {cls for _, cls, _, _ in found}
            failing += [f"{theme}, code {i + 1}: {colour} (.{cls}, {sample!r}): {contrast:.2f}:1"
                        for colour, cls, sample, contrast in found if contrast < 4.5]  # fmt: skip
        screenshot(page, blocks.first, f"code-colours-{theme.lower().replace(' ', '-')}")
    assert {"mg-code", "k", "c1", "mf", "nf", "o", "p"} <= classes  # comments, numbers, ... were all measured
    assert not failing, "under 4.5:1 (WCAG AA):\n" + "\n".join(failing)
    assert page.errors == []


def visible(page, selector: str):
    """The outputs matching selector in the notebook in front."""
    return page.locator(f".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output {selector}")


def set_theme(page, theme: str, light: str) -> None:
    page.evaluate("theme => window.jupyterapp.commands.execute('apputils:change-theme', {theme})", theme)
    page.wait_for_function(
        "light => document.body.dataset.jpThemeLight === light", arg=light, timeout=WAIT, polling=100
    )


def test_a_run_copy_opened_untrusted_shows_still_pictures_and_no_dead_controls(lab, browser):
    page = new_page(browser, lab)
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:open', {path: 'handed_out.ipynb'})")
    page.wait_for_function(
        f"() => ({PANEL})('handed_out.ipynb') && ({PANEL})('handed_out.ipynb').context.isReady", polling=100
    )
    show(page, "handed_out")
    visible(page, ".mg-stepper").wait_for(timeout=WAIT)
    assert visible(page, "").count() > 0 and page.locator(".jp-OutputArea-output.jp-mod-trusted").count() == 0
    text = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").inner_text()
    assert "<Drawing of" not in text and "n0op" not in text  # no text form, no raw Graphviz ids
    # each drawing is still a drawing: its picture, whose SVG holds the numbers
    drawings = check_fits(page, "handed_out")
    figures = [
        (seen, svg)
        for element, seen, svg in drawings
        if seen["svg"] is None and element.evaluate("e => e.classList.contains('mg-figure')")
    ]
    assert len(figures) == 3
    first = {lines[0]: lines[1:] for lines, _ in boxes(figures[0][1]).values() if len(lines) == 2}
    assert first["L"] == ["data -8"] and first["a"] == ["data 2"]  # draw_dot(L, show_grad=False)
    # the stepper: a still picture of step 0, its equation, and a note saying how to step through it
    stepper = visible(page, ".mg-stepper")
    seen = stepper.evaluate(PLACES)
    values = {lines[0]: lines[-1] for lines, _ in boxes(the_svg(seen)).values() if len(lines) == 3}
    assert values == {name: f"grad {'1' if name == 'L' else '?'}" for name in "abcdefL"}
    assert stepper.locator(".mg-eq").inner_text() == STEPS[0][0]
    still = stepper.locator(".mg-still")
    assert still.is_visible() and "trust the notebook" in still.inner_text()
    assert not stepper.get_by_role("button", name="next").is_visible()  # no buttons that do nothing
    assert not stepper.locator(".mg-legend").is_visible()  # nor a key to colours it does not show
    screenshot(page, stepper, "untrusted-stepper")
    screenshot(page, visible(page, ".mg-figure").first, "untrusted-drawing")
    assert page.errors == []
    page.close()


def test_the_forward_mode_stepper_fills_in_tangents_in_the_light_and_dark_themes(ran):
    """Notebook 07: forward mode through L = (a·b + c)·f, a tangent per step, then backward on the same drawing."""
    from helpers import lecture_example
    from micrograd.lab.trace import trace_forward_mode

    page, _ = ran
    show(page, "07_derivatives_of_derivatives")
    forward, backward = visible(page, ".mg-stepper").all()
    v = lecture_example()
    expected = trace_forward_mode(v["L"], wrt=v["a"])  # the notebook's expression, its numbers from the engine here
    forward.scroll_into_view_if_needed()
    equation = forward.locator(".mg-eq")
    assert equation.text_content() == expected.seed_equation()
    for theme, light in (("JupyterLab Dark", "false"), ("JupyterLab Light", "true")):
        set_theme(page, theme, light)
        forward.get_by_role("button", name="next").click()
        ratios = {part: contrast_of(forward.locator(f".mg-{part}")) for part in ("eq", "legend", "counter")}
        assert all(ratio >= 4.5 for ratio in ratios.values()), (theme, ratios)
        screenshot(page, forward, f"forward-mode-{'light' if light == 'true' else 'dark'}")
    assert equation.text_content() == f"step 2: {expected[1].equation()}"  # two clicks: d's tangent
    texts = forward.evaluate("e => [...e.querySelectorAll('svg text')].map(t => t.textContent.replace(/\\xa0/g, ' '))")
    assert texts.count("tangent -3") == 2 and "tangent 1" in texts and texts.count("tangent 0") == 3
    assert "tangent 6" not in texts and "tangent ?" in texts  # L is not reached yet
    forward.get_by_role("slider", name="step").fill("3")
    assert equation.text_content().endswith("= 6")
    assert backward.locator(".mg-eq").text_content().startswith("L.grad = 1")


# -- the teaching lab: the two lenses (notebook 08) and predict, then check (notebook 10) ----------------


def cell_index(page, name: str, text: str) -> int:
    """The index of the first code cell of the notebook whose source contains text."""
    return page.evaluate(
        f"""([path, text]) => ({PANEL})(path).content.widgets
              .findIndex(c => c.model.type === "code" && c.model.sharedModel.getSource().includes(text))""",
        [f"{name}.ipynb", text],
    )


def test_the_network_view_and_the_ledger_show_the_engine_s_numbers_in_both_themes(ran):
    page, outputs = ran
    show(page, "08_two_lenses")
    view = visible(page, ".mg-figure").first
    view.scroll_into_view_if_needed()
    svg = the_svg(view.evaluate(PLACES))
    circles = {g.find(f"{SVG}title").text: ["".join(t.itertext()) for t in g.iter(f"{SVG}text")]
               for g in svg.iter(f"{SVG}g") if g.get("class") == "neuron"}  # fmt: skip
    # the printed comparison in the notebook (graph and BP2, 6 decimals) and the circle agree
    printed = next(o["text"] for cell in outputs["08_two_lenses"] for o in cell if "BP1/BP2" in o.get("text", ""))
    delta = float(re.search(r"δ¹₂: graph ([-+0-9.]+)", printed).group(1))
    assert f"δ = {delta:.4g}" in circles["a[1][2]"]
    # each weight's label names it as the textbook does, w^l_jk, beside its ∂C/∂w as printed from the graph
    labels = {g.get("id"): ["".join(t.itertext()) for t in g.iter(f"{SVG}text")]
              for g in svg.iter(f"{SVG}g") if g.get("class") == "weight-label"}  # fmt: skip
    texts = "".join(o.get("text", "") for cell in outputs["08_two_lenses"] for o in cell)
    dC_dw = float(re.search(r"∂C/∂w¹₂₁: graph ([-+0-9.]+)", texts).group(1))
    assert labels["lw1_2_1"][0].startswith("w¹₂₁ = ") and labels["lw1_2_1"][1] == f"∂C/∂w = {dC_dw:.4g}"
    assert len(labels) == 9 and all(re.fullmatch(r"w[¹²][₀₁₂]{2} = \S+", lines[0]) for lines in labels.values())
    ledger = visible(page, "table.micrograd-trace").first
    rows = ledger.locator("tbody tr")
    assert rows.count() == 4 and rows.first.locator("td").first.inner_text() == "w[1][0][0]"
    for theme, light in (("JupyterLab Dark", "false"), ("JupyterLab Light", "true")):
        set_theme(page, theme, light)
        assert contrast_of(ledger.locator("td").first) >= 4.5
        screenshot(page, ledger, f"ledger-{'light' if light == 'true' else 'dark'}")
        screenshot(page, view, f"network-view-{'light' if light == 'true' else 'dark'}")
    assert page.errors == []


def test_the_quiz_grades_a_wrong_then_a_right_answer_and_keeps_the_score(ran):
    page, _ = ran
    show(page, "10_predict_then_check")
    quiz = visible(page, ".mg-quiz").first  # the forward pass of the lecture's expression: e, d, L
    quiz.scroll_into_view_if_needed()
    box = quiz.locator("input:visible")
    assert box.count() == 1
    box.click()
    page.keyboard.type("6")  # e = a·b = 2·(-3) = -6: wrong sign
    page.keyboard.press("Enter")
    first = quiz.locator(".mg-step:visible").nth(2)  # a and b are given, e is asked
    assert first.locator(".mg-verdict").inner_text() == "not quite: 6 (try 2)"
    assert first.locator(".mg-hint").inner_text() == "hint: e = a * b = 2 * (-3) = ?"
    page.keyboard.press("Control+a")
    page.keyboard.type("-6")
    page.keyboard.press("Enter")
    assert first.locator(".mg-verdict").inner_text() == "right: -6"
    score = quiz.locator(".mg-score")
    assert score.inner_text() == "score: 0 right at the first try, 1 of 3 answered"
    for theme, light in (("JupyterLab Dark", "false"), ("JupyterLab Light", "true")):
        set_theme(page, theme, light)
        for part in (".mg-prompt", ".mg-hint", ".mg-score", ".mg-given"):
            assert contrast_of(quiz.locator(part).first) >= 4.5, (theme, part)
        screenshot(page, quiz, f"quiz-{'light' if light == 'true' else 'dark'}")
    page.keyboard.type("4")  # the focus moved on to d = e + c = -6 + 10
    page.keyboard.press("Enter")
    assert score.inner_text() == "score: 1 right at the first try, 2 of 3 answered"
    # the δ of the 2-3-1 network: before the first answer, no step shown gives away a later question's number
    delta = visible(page, ".mg-quiz").last
    delta.scroll_into_view_if_needed()
    shown = delta.locator(".mg-step:visible")
    assert shown.count() == 6 and delta.locator("input:visible").count() == 1
    assert "z[2][0].grad" in shown.last.inner_text() and "a[1][0].grad" not in delta.locator("ol").inner_text()
    assert page.errors == []


RECORD_PICTURES = """([path, index]) => {
  const cell = (PANEL)(path).content.widgets[index];
  window.mgPictures = [];
  const seen = () => { for (const p of cell.node.querySelectorAll(".jp-OutputArea-output .mg-picture")) {
    const picture = p.style.backgroundImage;
    if (window.mgPictures[window.mgPictures.length - 1] !== picture) window.mgPictures.push(picture); } };
  new MutationObserver(seen).observe(cell.node, {subtree: true, childList: true, attributes: true});
}""".replace("PANEL", PANEL)


def test_the_live_view_is_one_picture_updated_in_place(ran):
    page, _ = ran
    show(page, "08_two_lenses")
    i = cell_index(page, "08_two_lenses", "view=LiveView()")
    page.evaluate(f"([path, i]) => {{ ({PANEL})(path).content.activeCellIndex = i; }}", ["08_two_lenses.ipynb", i])
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-cell-output')")
    page.evaluate(RECORD_PICTURES, ["08_two_lenses.ipynb", i])
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-cell')")
    page.wait_for_function(
        f"""([path, i]) => {{ const c = ({PANEL})(path).content.widgets[i];
               return c.model.outputs.length === 2 && !c.hasClass("jp-mod-running"); }}""",
        arg=["08_two_lenses.ipynb", i],
        timeout=WAIT,
        polling=100,
    )
    outputs = page.evaluate(
        f"([path, i]) => ({PANEL})(path).content.widgets[i].model.toJSON().outputs", ["08_two_lenses.ipynb", i]
    )
    pictures = [o for o in outputs if "text/html" in o.get("data", {})]
    assert len(pictures) == 1  # one picture, updated in place: not one per epoch
    title = pictures[0]["data"]["text/plain"]
    history = next(o["text"] for o in outputs if o["output_type"] == "stream")  # print(history)
    last_loss = re.search(r"loss \S+ → (\S+),", history).group(1)
    assert title.startswith(f"epoch 40 of 40: loss {last_loss},")
    seen = page.evaluate("() => window.mgPictures")
    assert len(set(seen)) >= 2  # the first epoch's picture, then at least the last one, in the same place
    final = "".join(pictures[0]["data"]["text/html"])
    assert seen[-1].split("base64,")[1].rstrip('")') in final  # the last picture seen is the output kept
    figure = visible(page, ".mg-figure").last
    svg = the_svg(figure.evaluate(PLACES))
    assert "".join(next(svg.iter(f"{SVG}text")).itertext()) == title  # its title, read from the SVG shown
    screenshot(page, figure, "live-view")
    assert page.errors == []
