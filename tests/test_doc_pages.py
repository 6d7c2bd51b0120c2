"""The README and the documentation's pages: their examples run and print what they say they print, the counts
they state are the suite's, their links lead somewhere, and the site's home is the README."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import linecache
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
PAGES = [README, *sorted(DOCS.glob("*.md"))]
SHOWN = {"tour.md": {"trace", "forward", "check"}, "exercises.md": {"verdict"}}  # "`print(x)` shows:", by page
WRITTEN = {"tour.md": ["moons.json", "boundary.svg"]}  # files the page's examples write


def text_of(name: str) -> str:
    """A page's text, its line breaks as spaces: the README, or a page of docs/ by its file name."""
    path = README if name == "README.md" else DOCS / name
    return " ".join(path.read_text(encoding="utf-8").split())


def fenced_blocks(text: str) -> list[tuple[str, str, str]]:
    """(language, code, the prose that follows) for every fenced block of a page, indented ones too."""
    pattern = re.compile(r"^( *)```(\w*)\n(.*?)^\1```\n(.*?)(?=^ *```|\Z)", re.S | re.M)
    blocks = []
    for m in pattern.finditer(text):
        indent = len(m.group(1))
        code = "".join(line[indent:] for line in m.group(3).splitlines(True))
        blocks.append((m.group(2), code, m.group(4)))
    return blocks


def first_quoted(prose: str) -> str:
    """The first `code span` of a paragraph, its line breaks as spaces."""
    return " ".join(re.search(r"`([^`]+)`", prose).group(1).split())


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_python_examples_run_and_print_what_they_say(page, torch, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the examples write pictures and a model file
    namespace: dict = {}
    blocks = fenced_blocks(page.read_text(encoding="utf-8"))
    shown = set()
    for i, (language, code, after) in enumerate(blocks):
        if language != "python":
            continue
        where = f"{page.name}, block {i + 1}"
        if code.startswith("def forward_backward"):  # shown as the output of graph.source
            assert code == namespace["graph"].source, where
            continue
        linecache.cache["example.py"] = (len(code), None, code.splitlines(True), "example.py")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, "example.py", "exec"), namespace)
        printed = out.getvalue()
        promised = [line.split("# → ", 1)[1] for line in code.splitlines() if "# → " in line]
        if promised:
            assert printed.splitlines() == promised, where
        elif "detect_anomaly" in code:
            assert " ".join(printed.split()) == first_quoted(after), where
        if after.rstrip().endswith(":") and blocks[i + 1][0] == "":  # "`print(name)` ...:", then what it shows
            for name in re.findall(r"`print\((\w+)\)`", after):
                assert blocks[i + 1][1] == str(namespace[name]) + "\n", f"{where}: print({name})"
                shown.add(name)
    assert shown == SHOWN.get(page.name, set())
    for name in WRITTEN.get(page.name, []):
        assert (tmp_path / name).exists(), f"{page.name} writes {name}"


def test_the_pages_with_examples_have_them():
    runs = {page.name: sum(language == "python" for language, _, _ in fenced_blocks(page.read_text("utf-8")))
            for page in PAGES}  # fmt: skip
    assert runs["tour.md"] >= 14 and runs["exercises.md"] >= 1 and runs["README.md"] >= 1


def test_the_site_s_home_is_the_readme():
    spec = importlib.util.spec_from_file_location("make_index", DOCS / "make_index.py")
    make_index = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_index)
    written = (DOCS / "index.md").read_text(encoding="utf-8")
    assert written == make_index.home_page(README.read_text(encoding="utf-8")), "run python docs/make_index.py"


def github_slug(heading: str) -> str:
    """The anchor GitHub and MkDocs give a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.S | re.M)
    return {github_slug(m.group(1)) for m in re.finditer(r"^#+ (.+)$", text, re.M)}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_link_leads_to_a_file_and_a_heading_that_exist(page):
    text = page.read_text(encoding="utf-8")
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"\w+://", target):
            continue
        file, _, anchor = target.partition("#")
        path = (page.parent / file).resolve() if file else page
        if not path.is_file():
            broken.append(f"{target}: no such file")
        elif anchor and anchor not in anchors(path):
            broken.append(f"{target}: no such heading in {path.name}")
    assert not broken, f"{page.name}: " + "; ".join(broken)


def test_the_readme_and_the_browser_page_name_the_same_notebooks_for_the_browser():
    sentence = r"Notebooks [\d, and]+ run in the browser\."
    said = [re.search(sentence, text_of(name)) for name in ("README.md", "browser.md")]
    assert all(said) and said[0].group(0) == said[1].group(0)


def test_the_pages_count_the_notebooks_and_the_exercises_there_are():
    from micrograd.exercises import EXERCISES

    words = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
    ]
    notebooks = len({path.stem for path in (ROOT / "notebooks").glob("*.py")})
    assert f"{words[notebooks]} notebooks" in text_of("README.md")
    for name in ("README.md", "exercises.md"):
        assert f"{words[len(EXERCISES)]} exercises" in text_of(name), name


def test_the_counts_and_names_the_pages_state_are_the_suite_s():
    """Every count "What is tested" states, against what the suite runs: all mismatches reported at once."""
    import test_autograd
    import test_equations
    import test_forward_mode
    import test_fuzz
    import test_stability

    import edge_cases
    from micrograd.ops import ACTIVATIONS

    text = text_of("testing.md")
    cases = edge_cases.CASES

    def examples(test) -> int:
        return test._hypothesis_internal_use_settings.max_examples

    batch_sizes = next(
        mark.args[1] for mark in test_equations.test_backward_agrees_with_bp1_to_bp4.pytestmark if mark.args[0] == "m"
    )
    sweeps = {name: len(points) for name, points in test_stability.SWEEPS.items()}
    fuzz = examples(test_fuzz.test_random_graphs_of_every_op_against_pytorch)
    fuzz_compiled = examples(test_fuzz.test_random_graphs_of_every_op_compile_to_backward_s_numbers_at_new_values)
    claims = {  # the page's words, with the count's place as (\d+): the number the suite has
        r"\*\*(\d+) edge points\*\*": len(cases),
        r"edge points\*\* over (\d+) ops": len(edge_cases.OPS),
        r"(\d+) match PyTorch float64": sum(case.raises is None for case in cases),
        r"(\d+) raise the exception": sum(case.raises is not None for case in cases),
        r"Graph vs the four equations\*\*: (\d+) cases": len(list(test_equations.configurations())) * len(batch_sizes),
        r"(\d+) for every op of one operand": len(test_stability.POINTS),
        r"(\d+) for exp": sweeps["exp(x)"],
        r"(\d+) for sqrt and `x \*\* 0.5`": sweeps["sqrt(x)"],
        r"(\d+) for log": sweeps["log(x)"],
        r"\(`tests/test_fuzz.py`\): (\d+) graphs": fuzz,
        r"And (\d+) such graphs through the compiled mode": min(fuzz, fuzz_compiled),
        r"\(`tests/test_autograd.py`\): (\d+) random graphs": examples(
            test_autograd.test_derivatives_to_order_3_of_random_graphs_of_every_op_match_pytorch
        ),
        r"(\d+) random graphs through `jvp`": examples(
            test_forward_mode.test_jvp_of_random_graphs_of_every_op_matches_pytorch_and_reverse_mode
        ),
        r"and (\d+) through `trace_forward_mode`": examples(
            test_forward_mode.test_trace_forward_mode_gives_every_input_s_derivative_as_reverse_mode_does
        ),
    }
    assert sweeps["sqrt(x)"] == sweeps["x ** 0.5"], "the page states one count for sqrt and x ** 0.5"
    wrong = []
    for pattern, actual in claims.items():
        found = re.search(pattern, text)
        if not found:
            wrong.append(f"not found in docs/testing.md: {pattern}")
        elif int(found.group(1)) != actual:
            wrong.append(f"docs/testing.md says {found.group(0)!r}: the suite has {actual}")
    listed = re.search(r"Activations are (.*?), with a separate choice", text_of("tour.md"))
    if not listed or re.findall(r'`"(\w+)"`', listed.group(1)) != list(ACTIVATIONS):
        wrong.append(f"docs/tour.md's list of activations is not {', '.join(ACTIVATIONS)}")
    assert not wrong, "update the pages:\n" + "\n".join(wrong)


def test_the_op_shown_is_the_op_defined():
    page = (DOCS / "architecture.md").read_text(encoding="utf-8")
    shown = [code for _, code, _ in fenced_blocks(page) if code.startswith("TANH = Op(")]
    source = (ROOT / "micrograd" / "ops.py").read_text(encoding="utf-8")
    assert len(shown) == 1 and shown[0] in source
