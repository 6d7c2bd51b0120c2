"""The stepper as a person sees it: a saved page opened in headless Chromium, clicked through step by step."""

from __future__ import annotations

import pathlib
import shutil

import pytest

from colours import contrast
from conftest import REQUIRE_ALL
from helpers import lecture_example
from micrograd import MLP, Value
from micrograd.lab.trace import trace_backward

ARTIFACTS = pathlib.Path(__file__).resolve().parents[1] / "test-artifacts"
YELLOW = "rgb(255, 213, 79)"  # the value whose grad the step adds to
RED = "rgb(216, 67, 21)"  # the edge the gradient flows along


SEES = """root => {
  const name = {};  // DOT name -> label, for the values
  const values = {};
  for (const g of root.querySelectorAll("svg g.node")) {
    const lines = [...g.querySelectorAll("text")].map(t => t.textContent);
    if (lines.length < 3) continue;  // an op's ellipse
    name[g.querySelector("title").textContent] = lines[0];
    values[lines[0]] = {grad: lines[lines.length - 1], fill: getComputedStyle(g.querySelector("polygon")).fill};
  }
  const edges = [];
  for (const g of root.querySelectorAll("svg g.edge")) {
    const [tail, head] = g.querySelector("title").textContent.split("->");
    const stroke = getComputedStyle(g.querySelector("path")).stroke;
    edges.push({tail: name[tail] || tail, into: name[head.replace(/op$/, "")], stroke});
  }
  return {values, edges, equation: root.querySelector(".mg-eq").textContent,
          counter: root.querySelector(".mg-counter").textContent};
}"""


def what_a_person_sees(page) -> dict:
    """The equation, the step counter, each value's grad, and which value and edge are coloured."""
    seen = page.locator(".mg-stepper").evaluate(SEES)
    return {
        "equation": seen["equation"],
        "counter": seen["counter"],
        "grads": {label: v["grad"].removeprefix("grad ") for label, v in seen["values"].items()},
        "highlighted": [label for label, v in seen["values"].items() if v["fill"] == YELLOW],
        "red edges": [(e["tail"], e["into"]) for e in seen["edges"] if e["stroke"] == RED],
    }


# Worked by hand: ∂L/∂d = f = −2, ∂L/∂f = d = 4, ∂d/∂e = ∂d/∂c = 1, ∂e/∂a = b = −3, ∂e/∂b = a = 2.
# Each step: (the equation under the drawing, the value it updates, the edge (child, into the op of)).
STEPS = [
    ("L.grad = 1   (the seed: ∂L/∂L = 1)", "L", None),
    ("step 1: d.grad += (∂L/∂d = -2) × (L.grad = 1) → d.grad = 0 + (-2) = -2", "d", ("d", "L")),
    ("step 2: f.grad += (∂L/∂f = 4) × (L.grad = 1) → f.grad = 0 + 4 = 4", "f", ("f", "L")),
    ("step 3: e.grad += (∂d/∂e = 1) × (d.grad = -2) → e.grad = 0 + (-2) = -2", "e", ("e", "d")),
    ("step 4: c.grad += (∂d/∂c = 1) × (d.grad = -2) → c.grad = 0 + (-2) = -2", "c", ("c", "d")),
    ("step 5: a.grad += (∂e/∂a = -3) × (e.grad = -2) → a.grad = 0 + 6 = 6", "a", ("a", "e")),
    ("step 6: b.grad += (∂e/∂b = 2) × (e.grad = -2) → b.grad = 0 + (-4) = -4", "b", ("b", "e")),
]
FINAL_GRADS = {"L": "1", "d": "-2", "f": "4", "e": "-2", "c": "-2", "a": "6", "b": "-4"}


def grads_after(k: int) -> dict[str, str]:
    """What the drawing shows after k steps: the grads backward has reached, ? for the others."""
    reached = {"L"} | {updated for _, updated, _ in STEPS[1 : k + 1]}
    return {name: FINAL_GRADS[name] if name in reached else "?" for name in FINAL_GRADS}


@pytest.mark.parametrize("renderer", ["system", "pure"])
def test_clicking_next_k_times_shows_step_k(open_page, tmp_path, monkeypatch, renderer):
    if renderer == "system" and shutil.which("dot") is None:
        message = "Graphviz's dot is not on PATH (apt-get install graphviz)"
        pytest.fail(message) if REQUIRE_ALL else pytest.skip(message)
    monkeypatch.setenv("MICROGRAD_RENDERER", renderer)
    path = trace_backward(lecture_example()["L"]).stepper().save(tmp_path / "stepper.html")
    page = open_page(pathlib.Path(path))

    for k, (equation, updated, edge) in enumerate(STEPS):
        if k:
            page.get_by_role("button", name="next").click()
        seen = what_a_person_sees(page)
        assert seen["equation"] == equation
        assert seen["counter"] == f"step {k} of 6"
        assert seen["highlighted"] == [updated]
        assert seen["red edges"] == ([edge] if edge else [])
        assert seen["grads"] == grads_after(k)
        if k == 5:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"stepper-step5-{renderer}.png"))

    assert page.get_by_role("button", name="next").is_disabled()
    page.get_by_role("button", name="previous").click()
    assert what_a_person_sees(page)["equation"] == STEPS[5][0]

    slider = page.get_by_role("slider", name="step")
    slider.focus()
    page.keyboard.press("Home")  # the slider's own keys, as a person would drag it
    assert what_a_person_sees(page)["counter"] == "step 0 of 6"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert what_a_person_sees(page)["equation"] == STEPS[2][0]
    assert page.get_by_role("button", name="previous").is_enabled()

    assert page.errors == []
    assert page.requests == [pathlib.Path(path).resolve().as_uri()]  # nothing but the file itself


def test_a_label_full_of_markup_shows_as_text_and_breaks_nothing(open_page, tmp_path):
    a = Value(2.0, '</script><b>"a"</b> & \\N')
    b = a * 3.0
    b.label = "b"
    path = trace_backward(b).stepper().save(tmp_path / "markup.html")
    page = open_page(pathlib.Path(path))
    page.get_by_role("button", name="next").click()
    seen = what_a_person_sees(page)
    name = '(</script><b>"a"</b> & \\N)'  # in parentheses, as a name with spaces is in an equation
    assert seen["equation"] == f"step 1: {name}.grad += (∂b/∂{name} = 3) × (b.grad = 1) → {name}.grad = 0 + 3 = 3"
    assert seen["highlighted"] == ['</script><b>"a"</b> & \\N']
    assert page.errors == []


# -- readable in light and dark themes ------------------------------------------------------------

# The colours a stepper shown in JupyterLab inherits: the text, layout and border variables of JupyterLab's
# own light and dark themes (packages/theme-light-extension and theme-dark-extension, style/variables.css).
JUPYTERLAB_THEMES = {
    "light": {
        **{f"--jp-layout-color{i}": c for i, c in enumerate(["white", "white", "#eeeeee", "#bdbdbd", "#757575"])},
        **{f"--jp-border-color{i}": c for i, c in enumerate(["#bdbdbd", "#bdbdbd", "#e0e0e0", "#eeeeee"])},
        **{
            f"--jp-{kind}-font-color{i}": f"rgba(0, 0, 0, {a})"
            for kind in ("ui", "content")
            for i, a in enumerate([1, 0.87, 0.54, 0.38])
        },
    },
    "dark": {
        **{f"--jp-layout-color{i}": c for i, c in enumerate(["#111111", "#212121", "#424242", "#616161", "#757575"])},
        **{f"--jp-border-color{i}": c for i, c in enumerate(["#616161", "#616161", "#424242", "#212121"])},
        **{f"--jp-ui-font-color{i}": f"rgba(255, 255, 255, {a})" for i, a in enumerate([1, 0.87, 0.54, 0.38])},
        **{f"--jp-content-font-color{i}": f"rgba(255, 255, 255, {a})" for i, a in enumerate([1, 1, 0.7, 0.5])},
    },
}


def jupyterlab_page(path: pathlib.Path, theme: str) -> pathlib.Path:
    """The stepper as JupyterLab shows it: its inline HTML in an output area, under the theme's variables."""
    variables = "".join(f"{name}: {value}; " for name, value in JUPYTERLAB_THEMES[theme].items())
    stepper = trace_backward(lecture_example()["L"]).stepper()._repr_html_()
    path.write_text(
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<style>:root {{ {variables}}}\n"
        "body { background: var(--jp-layout-color0); color: var(--jp-content-font-color1); }</style>\n"
        f'</head>\n<body>\n<div class="jp-OutputArea-output jp-RenderedHTMLCommon">{stepper}</div>\n</body>\n</html>\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("scheme", ["light", "dark"])  # the browser's preference, as the operating system sets it
@pytest.mark.parametrize("page_kind", ["saved page", "JupyterLab light", "JupyterLab dark"])
def test_the_equation_and_legend_are_readable_in_light_and_dark_themes(open_page, tmp_path, page_kind, scheme):
    if page_kind == "saved page":
        path = pathlib.Path(trace_backward(lecture_example()["L"]).stepper().save(tmp_path / "stepper.html"))
    else:
        path = jupyterlab_page(tmp_path / "jupyterlab.html", page_kind.split()[1])
    page = open_page(path, color_scheme=scheme)
    page.get_by_role("button", name="next").click()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"stepper-{page_kind.replace(' ', '-')}-{scheme}.png"), full_page=True)
    ratios = {part: contrast(page, f".mg-stepper .mg-{part}") for part in ("eq", "legend", "counter")}
    assert all(ratio >= 4.5 for ratio in ratios.values()), ratios  # WCAG 2's AA level for body text
    assert page.errors == []


# -- fits its output; without JavaScript, a still picture ---------------------------------------------


def neuron_and_cost() -> Value:
    """Notebook 02's graph: one sigmoid neuron z = w·x + b, a = σ(z), and its cost C = ½(a − y)²."""
    neuron = MLP(2, [1], output_activation="sigmoid", seed=3)
    e = neuron([0.5, -1.0]) - Value(1.0, label="y")
    e.label = "e"
    e2 = e**2
    e2.label = "e²"
    C = Value(0.5, label="½") * e2
    C.label = "C"
    return C


def in_an_output(path: pathlib.Path, fragment: str, width: int) -> pathlib.Path:
    """The stepper's HTML in a box as wide as a notebook's output area."""
    path.write_text(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"></head>\n'
        f'<body style="margin: 0"><div class="output" style="width: {width}px">{fragment}</div></body></html>\n',
        encoding="utf-8",
    )
    return path


LAYOUT = """root => {
  const frame = root.querySelector(".mg-frame").getBoundingClientRect();
  const svg = root.querySelector("svg");
  const box = svg.getBoundingClientRect();
  const scale = box.width / svg.viewBox.baseVal.width;  // on screen, per unit of the SVG
  const sizes = [...svg.querySelectorAll("text")].map(t => parseFloat(t.getAttribute("font-size")) * scale);
  const inside = r => r.left >= frame.left - 0.5 && r.right <= frame.right + 0.5;
  const where = {};
  for (const g of svg.querySelectorAll("g.node")) {
    const lines = [...g.querySelectorAll("text")].map(t => t.textContent);
    if (lines.length === 3) where[lines[0]] = inside(g.getBoundingClientRect());
  }
  return {frame: frame.width, output: root.parentElement.getBoundingClientRect().width, drawing: box.width,
          natural: svg.width.baseVal.value, smallest: Math.min(...sizes), visible: where};
}"""


def test_a_wide_stepper_shrinks_to_its_output_with_text_no_smaller_than_9_px(open_page, tmp_path):
    fragment = trace_backward(neuron_and_cost()).stepper()._repr_html_()
    page = open_page(in_an_output(tmp_path / "output.html", fragment, 958))
    seen = page.locator(".mg-stepper").evaluate(LAYOUT)
    assert seen["natural"] > 958  # too wide at full size ...
    assert seen["frame"] <= seen["output"] and seen["drawing"] <= seen["frame"]  # ... so it shrinks to fit,
    assert seen["smallest"] >= 9 - 1e-6  # with every label, the local derivatives too, at least 9 px high
    assert all(seen["visible"].values())  # all of it in view, inputs and C alike
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "stepper-neuron-958px.png"), full_page=True)


def test_a_stepper_too_wide_to_shrink_opens_on_the_inputs_and_follows_the_steps(open_page, tmp_path):
    fragment = trace_backward(neuron_and_cost()).stepper()._repr_html_()
    page = open_page(in_an_output(tmp_path / "output.html", fragment, 600))
    seen = page.locator(".mg-stepper").evaluate(LAYOUT)
    assert seen["frame"] <= seen["output"] < seen["drawing"]  # it scrolls sideways, inside its frame
    assert seen["smallest"] == pytest.approx(9, abs=0.05)  # at its smallest readable size
    assert seen["visible"]["w[1][0][0]"] and seen["visible"]["x[1]"]  # step 0: the inputs, where it starts
    assert not seen["visible"]["C"]
    page.get_by_role("button", name="next").click()  # step 1: ½ gets its grad from C, at the far end
    seen = page.locator(".mg-stepper").evaluate(LAYOUT)
    assert seen["visible"]["½"] and seen["visible"]["C"]


def test_without_javascript_a_saved_stepper_is_a_still_picture_of_step_0_that_says_so(browser, tmp_path):
    path = trace_backward(lecture_example()["L"]).stepper().save(tmp_path / "stepper.html")
    context = browser.browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(pathlib.Path(path).resolve().as_uri())
    seen = page.locator(".mg-stepper").evaluate(SEES)
    assert seen["equation"] == STEPS[0][0]
    assert {label: v["grad"] for label, v in seen["values"].items()} == {
        name: f"grad {grad}" for name, grad in grads_after(0).items()
    }
    still = page.locator(".mg-still")
    assert (
        still.is_visible()
        and "needs JavaScript" in still.text_content()
        and "trust the notebook" in (still.text_content())
    )
    assert not page.get_by_role("button", name="next").is_visible()  # no buttons that would do nothing
    assert not page.locator(".mg-legend").is_visible()
    page.screenshot(path=str(ARTIFACTS / "stepper-without-javascript.png"), full_page=True)
    context.close()
