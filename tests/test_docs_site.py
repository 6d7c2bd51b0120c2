"""The documentation site as a visitor gets it: built from this checkout (docs/build_docs.py, ``mkdocs build
--strict``: a warning fails the build), served on 127.0.0.1, opened in headless Chromium with every request to
another host refused and recorded.

The home page and every notebook page render; a notebook page shows the notebook executed, with no error or
traceback, its drawings (read back from their SVG with an XML parser), its math typeset, a stepper that steps
when clicked and a quiz that grades an answer, all on the static page. The API pages list each module's
``__all__``, read by importing the module (the build reads it from the source). No request leaves the site.

Not asserted, printed (pytest -s): the build's time and size.
"""

from __future__ import annotations

import importlib
import importlib.util
import pathlib
import pkgutil
import re
import shutil

import pytest
from test_jupyterlab import PLACES, boxes, is_graph, the_svg
from test_stepper_browser import STEPS

from conftest import REQUIRE_ALL, answer_the_lecture_s_forward_quiz, chromium_on_one_site, optional_import, served

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
VIEWPORT = {"width": 1300, "height": 900}


def require(condition: bool, message: str) -> None:
    if not condition:
        pytest.fail(message) if REQUIRE_ALL else pytest.skip(message)


def load(name: str, path: pathlib.Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def nav() -> list[str]:
    """The files mkdocs.yml's nav names, in order."""
    yaml = optional_import("yaml")
    found: list[str] = []

    def walk(item) -> None:
        if isinstance(item, str):
            found.append(item)
        for value in item.values() if isinstance(item, dict) else item if isinstance(item, list) else []:
            walk(value)

    walk(yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["nav"])
    return found


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    """The documentation built from this checkout into a site that has a browser lab already, served: its address."""
    for name in ("mkdocs", "material", "mkdocs_jupyter", "mkdocstrings_handlers.python", "nbclient", "ipykernel"):
        optional_import(name)
    build_docs = load("build_docs", ROOT / "docs" / "build_docs.py")
    build = build_docs.site_build()
    katex = pathlib.Path(build.CACHE) / "npm" / "{}@{}".format(*build_docs.KATEX)
    require(shutil.which("npm") is not None or katex.exists(), "npm is not on PATH: the site downloads KaTeX with it")
    folder = tmp_path_factory.mktemp("site")
    (folder / "lite").mkdir()
    (folder / "lite" / "index.html").write_text("the browser lab", encoding="utf-8")
    report = build_docs.build_docs(folder)
    print(
        f"\ndocumentation built in {report['seconds']:.1f} s: {report['files']} files, {report['bytes'] / 1e6:.1f} MB"
    )
    with served(folder) as base:
        yield {"base": base, "folder": folder, "lab": build.BROWSER_NOTEBOOKS}


@pytest.fixture(scope="module")
def browser(docs, tmp_path_factory):
    """Chromium in which every request to another host than the site's is refused and recorded."""
    with chromium_on_one_site(tmp_path_factory, VIEWPORT, docs["base"]) as context:
        yield context


@pytest.fixture
def open_page(browser, docs):
    pages = []

    def open_(path: str, color_scheme: str = "light"):
        page = browser.new_page()
        page.emulate_media(color_scheme=color_scheme)
        page.errors = []
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.goto(f"{docs['base']}/{path}")
        page.wait_for_load_state("load")
        pages.append(page)
        return page

    yield open_
    for page in pages:
        assert page.errors == [], page.errors
        page.close()
    assert browser.outside == [], f"requests to other hosts: {browser.outside[:5]}"


def test_the_notebooks_are_in_the_learning_order_of_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    path = re.findall(r"^\d+\. `(\d\d_\w+)` \(about [^)]+\)", readme, re.M)
    assert [p.removeprefix("notebooks/").removesuffix(".ipynb") for p in nav() if p.startswith("notebooks/")] == path
    assert sorted(path) == NOTEBOOKS


def test_the_documentation_leaves_the_browser_lab_as_it_is(docs):
    assert (docs["folder"] / "lite" / "index.html").read_text(encoding="utf-8") == "the browser lab"
    assert (docs["folder"] / "index.html").exists()


def test_the_home_page_renders_with_its_math(open_page):
    page = open_page("")
    assert page.locator("nav.md-nav--primary").count() == 1
    assert page.locator(".katex-error").count() == 0


def drawings(page) -> list:
    """The SVG of every drawing of micrograd's on the page (a graph, a network view, a stepper's graph)."""
    found = page.locator(".jp-OutputArea-output").locator(".mg-figure, .mg-stepper:not(.mg-quiz)")
    return [the_svg(element.evaluate(PLACES)) for element in found.all()]


TOC_AGAINST_HEADINGS = """() => [...document.querySelectorAll('.md-nav--secondary a.md-nav__link')].map(a => {
    const target = document.getElementById(decodeURIComponent(a.hash.slice(1)));
    return [a.textContent.trim(), target ? target.textContent.replace('¶', '').trim() : null];
})"""


@pytest.mark.parametrize(
    "name", ["04_training_on_moons", "09_reading_digits", "10_predict_then_check", "11_build_it_yourself"]
)
def test_a_notebook_page_s_contents_lead_to_its_headings_with_their_code(open_page, name):
    """Each entry of the table of contents goes to a heading and reads as it does: code (`fit`) and math (09) too."""
    entries = open_page(f"notebooks/{name}/").evaluate(TOC_AGAINST_HEADINGS)
    assert len(entries) > 3
    wrong = [(entry, heading) for entry, heading in entries if entry != heading]
    assert not wrong, f"{name}: contents entries that are not the heading they lead to: {wrong[:3]}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_a_notebook_page_shows_the_notebook_executed(open_page, docs, name):
    page = open_page(f"notebooks/{name}/")
    code = page.locator(".jp-CodeCell")
    assert code.count() > 0 and code.locator(".jp-OutputArea-output").count() > 0, f"{name}: no outputs"
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, f"{name}: {errors.first.inner_text()[:300]}"
    assert "Traceback (most recent call last)" not in page.locator(".jupyter-wrapper").inner_text()
    source = (ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8")
    if "$" in source:
        assert page.locator(".jp-RenderedMarkdown .katex").count() > 0, f"{name}: no math typeset"
    assert page.locator(".katex-error").count() == 0
    if any(call in source for call in ("draw_dot(", "draw_network(", ".stepper(")):
        shown = drawings(page)  # each parsed as XML
        assert shown and all(svg.tag == "{http://www.w3.org/2000/svg}svg" for svg in shown), f"{name}: no drawing"
    download = page.get_by_role("link", name="Download the notebook")
    assert page.request.get(download.evaluate("a => a.href")).body() == source.encode()
    run = page.get_by_role("link", name="Run in your browser")
    if name in docs["lab"]:
        href = run.evaluate("a => a.href")
        assert href == f"{docs['base']}/lite/notebooks/index.html?path={name}.ipynb"
    else:  # the page says why it has no link to the browser lab
        assert run.count() == 0
        assert "Not in the browser lab" in page.locator(".notebook-links .not-in-browser").inner_text()


def test_the_drawings_of_notebook_01_are_its_graph_with_its_numbers(open_page):
    graphs = [svg for svg in drawings(open_page("notebooks/01_chain_rule/")) if is_graph(svg)]
    assert len(graphs) >= 2
    labels = [lines for lines, _ in boxes(graphs[0]).values()]
    assert any(lines[0].startswith("a") and "2" in " ".join(lines) for lines in labels), labels  # a = 2


def test_a_stepper_on_a_notebook_page_steps_when_clicked(open_page):
    page = open_page("notebooks/01_chain_rule/")
    stepper = page.locator(".jp-OutputArea-output .mg-stepper:not(.mg-quiz)").first
    stepper.scroll_into_view_if_needed()
    assert stepper.locator(".mg-eq").text_content() == STEPS[0][0]
    stepper.get_by_role("button", name="next").click()
    assert stepper.locator(".mg-eq").text_content() == STEPS[1][0]


def test_a_quiz_on_a_notebook_page_grades_an_answer(open_page):
    """Notebook 10's first quiz asks e = a·b = 2·(-3) first: a wrong answer, then the right one."""
    page = open_page("notebooks/10_predict_then_check/")
    quiz = page.locator(".jp-OutputArea-output .mg-quiz").first
    answer_the_lecture_s_forward_quiz(page, quiz)


def public_names(page_module: str) -> dict[str, list[str]]:
    """Each module an API page shows and its ``__all__``: the package's, or where it has none, its modules'."""
    module = importlib.import_module(page_module)
    if hasattr(module, "__all__") or not hasattr(module, "__path__"):
        return {page_module: list(getattr(module, "__all__", []))}
    shown = {}
    for info in pkgutil.iter_modules(module.__path__):
        sub = importlib.import_module(f"{page_module}.{info.name}")
        shown[sub.__name__] = list(getattr(sub, "__all__", []))
    return shown


@pytest.mark.parametrize("page_module", [p.removeprefix("api/").removesuffix(".md") for p in nav() if "api/" in p])
def test_an_api_page_lists_the_public_names(open_page, page_module):
    page = open_page(f"api/{page_module}/")
    ids = set(page.evaluate("() => [...document.querySelectorAll('[id]')].map(e => e.id)"))
    for module, names in public_names(page_module).items():
        assert module in ids, f"{module} is not on its page"
        missing = [name for name in names if f"{module}.{name}" not in ids]
        assert not missing, f"{module}: {missing} are not on the API page"
        shown = {i.removeprefix(f"{module}.") for i in ids if i.startswith(f"{module}.")}
        extra = {n for n in shown if "." not in n} - set(names)
        assert not names or not extra, f"{module}: {sorted(extra)} are on the page but not in __all__"


def test_the_index_notation_of_the_equations_is_shown_as_code():
    optional_import("griffe")
    optional_import("mkdocs")
    build_docs = load("build_docs", ROOT / "docs" / "build_docs.py")
    assert build_docs.index_notation_as_code("neuron a[l][j] of layer l") == "neuron ``a[l][j]`` of layer l"
    assert build_docs.index_notation_as_code("``labels[i][j]`` is") == "``labels[i][j]`` is"


def test_value_s_page_has_every_method_a_learner_calls(open_page):
    """relu, tanh, exp, ... are attached to Value when micrograd is imported: the page still shows each one."""
    from micrograd import Value

    page = open_page("api/micrograd/")
    ids = set(page.evaluate("() => [...document.querySelectorAll('[id]')].map(e => e.id)"))
    methods = [n for n in dir(Value) if not n.startswith("_") and callable(getattr(Value, n))]
    assert {"relu", "tanh", "exp", "backward"} <= set(methods)
    missing = [n for n in methods if f"micrograd.Value.{n}" not in ids]
    assert not missing, f"Value's methods {missing} are not on the API page"
