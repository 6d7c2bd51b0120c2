"""The documentation site (MkDocs Material), built by ``python docs/build.py`` into site/ beside the browser lab.

This file is also mkdocs.yml's hook, so ``mkdocs build`` and ``mkdocs serve`` make the same site:

- every notebook is executed (nbclient, two at a time) and mkdocs-jupyter renders the executed copy; executed
  notebooks are kept in a cache keyed by the notebook and micrograd's sources, so an unchanged one is not run
  again; a notebook that fails stops the build;
- each notebook page opens with a link that runs it in the browser lab and one that downloads it;
- one API page for each module that mkdocs.yml's nav names under api/: the module's ``__all__`` or, for a
  package that has none, each of its modules' (mkdocstrings reads the docstrings);
- math is typeset by KaTeX, served by the site (npm's ``katex``, kept with the browser lab's downloads).
"""

from __future__ import annotations

import ast
import concurrent.futures
import hashlib
import html
import importlib.util
import json
import os
import pathlib
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Any

import griffe
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
PACKAGE = ROOT / "micrograd"
KATEX = ("katex", "0.16.22")
# What the site serves of KaTeX: the script, the auto-render extension, the style sheet and its woff2 fonts
# (every browser that runs the site reads woff2, so the style sheet's other formats are never asked for).
KATEX_FILES = ["katex.min.js", "contrib/auto-render.min.js", "katex.min.css", "fonts/*.woff2"]
CELL_TIMEOUT = 600  # seconds: generous, so that a slow machine is never mistaken for a failure
WORKERS = 2  # notebooks executed at once
LAB = "lite/notebooks/index.html"  # the browser lab's notebook app (docs/build.py writes it)
# nbconvert's template loads MathJax from another host; KaTeX typesets the notebooks' math instead.
NBCONVERT_MATHJAX = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S)
INDEXED = re.compile(r"(?<![\w`])[^\W\d]\w*(?:\[[^\]\s`]+\])+")  # the equations' notation: a[l][j], w[1][0][1]
CODE_SPAN = re.compile(r"(``.+?``|`[^`\n]+`)")


def index_notation_as_code(text: str) -> str:
    """Docstring text with the equations' index notation as code: Markdown would read a[l][j] as a link."""
    parts = CODE_SPAN.split(text)  # odd parts are code spans already
    return "".join(p if i % 2 else INDEXED.sub(lambda m: f"``{m.group(0)}``", p) for i, p in enumerate(parts))


class IndexNotation(griffe.Extension):
    """mkdocstrings' docstrings with the index notation shown as code (mkdocs.yml names this extension)."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = index_notation_as_code(obj.docstring.value)


class RuntimeMethods(griffe.Extension):
    """Value's op methods, which micrograd.methods attaches when micrograd is imported, read by importing it.

    Reading the source alone (how mkdocstrings reads the rest) would leave relu, tanh, exp, ... off Value's page.
    """

    def on_class_members(self, *, cls: griffe.Class, **kwargs: Any) -> None:
        if cls.path != "micrograd.engine.Value":
            return
        inspected = griffe.inspect("micrograd.engine", import_paths=[str(ROOT), *sys.path])["Value"]
        for name, member in inspected.members.items():
            if name not in cls.members and not name.startswith("_") and member.is_function:
                cls.set_member(name, member)


def site_build() -> Any:
    """docs/build.py, the browser lab's build, whose cache and npm downloads the documentation shares."""
    if "site_build" not in sys.modules:
        spec = importlib.util.spec_from_file_location("site_build", ROOT / "docs" / "build.py")
        if spec is None or spec.loader is None:
            raise ImportError("docs/build.py cannot be loaded")
        module = importlib.util.module_from_spec(spec)
        sys.modules["site_build"] = module
        spec.loader.exec_module(module)
    return sys.modules["site_build"]


def cache() -> pathlib.Path:
    return pathlib.Path(site_build().CACHE) / "executed"


def sources_hash() -> str:
    """A hash of micrograd's sources, and of the Python that runs them."""
    digest = hashlib.sha256(sys.version.encode())
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def execute(notebook: pathlib.Path, target: pathlib.Path) -> None:
    """Run every cell of a notebook, with micrograd from this checkout, and write it with its outputs."""
    import nbclient
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=CELL_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    client.execute(env=env)  # raises CellExecutionError, naming the cell and the error, if a cell fails
    settle_progress_bars(nb)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    nbformat.write(nb, partial)
    partial.replace(target)  # whole or absent: an interrupted build leaves no half notebook in the cache


def progress_text(state: dict[str, dict], model_id: str) -> str | None:
    """A progress bar widget (tqdm's: label, bar, numbers) as text, at its last state; None for another widget."""
    box = state.get(model_id, {})
    children = [c.removeprefix("IPY_MODEL_") for c in box.get("state", {}).get("children", [])]
    kinds = [state.get(c, {}).get("model_name") for c in children]
    if len(kinds) != 3 or kinds[0] != "HTMLModel" or kinds[2] != "HTMLModel" or "Progress" not in str(kinds[1]):
        return None
    left, bar, right = (state[c]["state"] for c in children)
    filled = round(10 * bar.get("value", 0) / (bar.get("max") or 1))
    return html.unescape(f"{left['value']}|{'█' * filled}{' ' * (10 - filled)}|{right['value']}")


def settle_progress_bars(nb: Any) -> None:
    """Progress bars as text at their end: a static page has no widgets (their scripts come from another host)."""
    widgets = nb.metadata.pop("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).pop("application/vnd.jupyter.widget-view+json", None)
            text = view and progress_text(widgets, view["model_id"])
            if text:
                output["data"]["text/plain"] = text


def executed(notebooks: list[pathlib.Path]) -> dict[str, pathlib.Path]:
    """Each notebook executed: from the cache when it and micrograd are unchanged, else run now, WORKERS at once."""
    sources = sources_hash()
    found, todo = {}, []
    for notebook in notebooks:
        key = hashlib.sha256(notebook.read_bytes() + sources.encode()).hexdigest()[:16]
        found[notebook.stem] = cache() / key / "notebooks" / notebook.name  # a folder named as in docs/
        if not found[notebook.stem].exists():
            todo.append(notebook)
    if todo:
        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
            list(pool.map(lambda nb: execute(nb, found[nb.stem]), todo))  # the first failure is raised here
        print(f"executed {len(todo)} notebooks in {time.perf_counter() - start:.0f} s", flush=True)
    current = {path.parents[1] for path in found.values()}
    for folder in cache().glob("*"):
        if folder not in current and {p.stem for p in folder.glob("notebooks/*.ipynb")} & set(found):
            shutil.rmtree(folder, ignore_errors=True)  # an older run of one of these notebooks
    return found


def module_source(name: str) -> pathlib.Path:
    path = ROOT.joinpath(*name.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def names_in_all(path: pathlib.Path) -> list[str] | None:
    """A module's ``__all__``, read from its source; None where it has none."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return list(ast.literal_eval(node.value))
    return None


def api_modules(name: str) -> list[str]:
    """The modules an API page shows: the module itself if it has ``__all__`` or is no package, else its modules."""
    path = module_source(name)
    if names_in_all(path) is not None or path.name != "__init__.py":
        return [name]
    return [f"{name}.{p.stem}" for p in sorted(path.parent.glob("*.py")) if p.name != "__init__.py"]


def api_page(name: str) -> str:
    """An API page in markdown: the module's docstring, then its ``__all__`` (mkdocstrings reads the docstrings).

    A package without ``__all__`` shows each of its modules; a module without ``__all__``, its public names.
    """
    shown = api_modules(name)
    text = f"# {name}\n\n"
    if shown != [name]:
        text += f"::: {name}\n    options:\n      members: false\n      show_root_heading: false\n\n"
    for module in shown:
        names = names_in_all(module_source(module))
        options = [] if names is None else [f"members: {json.dumps(names)}"]
        if shown == [name]:  # the page's title names the module already
            options.append("show_root_heading: false")
        lines = [f"::: {module}"] + (["    options:", *(f"      {o}" for o in options)] if options else [])
        text += "\n".join(lines) + "\n\n"
    return text


def nav_paths(config: MkDocsConfig) -> list[str]:
    """Every file mkdocs.yml's nav names, in order."""
    found: list[str] = []

    def walk(item: object) -> None:
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            for value in item.values():
                walk(value)
        elif isinstance(item, list):
            for value in item:
                walk(value)

    walk(config.nav)
    return found


def katex_files() -> dict[str, pathlib.Path]:
    """KaTeX's files the site serves, by their path under assets/katex/."""
    dist = site_build().npm_package(*KATEX) / "dist"
    return {p.relative_to(dist).as_posix(): p for pattern in KATEX_FILES for p in sorted(dist.glob(pattern))}


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """KaTeX on every page, before the script that typesets with it; the notebooks' pages cached with ours."""
    config.plugins["mkdocs-jupyter"].config["cache_dir"] = str(cache().parent / "rendered")
    config.extra_css.insert(0, "assets/katex/katex.min.css")
    config.extra_javascript[:0] = ["assets/katex/katex.min.js", "assets/katex/contrib/auto-render.min.js"]
    config.extra_javascript.append("assets/math.js")
    return config


@event_priority(100)  # before mkdocs-jupyter, which takes the notebooks from the files
def on_files(files: Files, config: MkDocsConfig) -> Files:
    """The executed notebooks, the API pages and KaTeX, as files of the site."""
    paths = nav_paths(config)
    notebooks = [NOTEBOOKS / pathlib.PurePosixPath(p).name for p in paths if p.startswith("notebooks/")]
    for name, path in executed(notebooks).items():
        src = f"notebooks/{name}.ipynb"  # a file of its own folder: mkdocs-jupyter reads it from there
        files.append(File(src, src_dir=str(path.parents[1]), dest_dir=config.site_dir, use_directory_urls=True))
    for path in paths:
        if path.startswith("api/"):
            files.append(File.generated(config, path, content=api_page(path.removeprefix("api/").removesuffix(".md"))))
    for name, path in katex_files().items():
        files.append(File.generated(config, f"assets/katex/{name}", abs_src_path=str(path)))
    return files


def notebook_links(page: Page) -> str:
    """The links above a notebook: run it in the browser lab (where it runs there), download it."""
    name = pathlib.PurePosixPath(page.file.src_uri).stem
    here = page.url.removesuffix("/") if page.url.endswith("/") else posixpath.dirname(page.url)  # the page's folder
    lab = posixpath.relpath(LAB, here or ".")
    build = site_build()
    links = [f'<a class="md-button" href="{name}.ipynb" download>Download the notebook</a>']
    if name in build.BROWSER_NOTEBOOKS:
        links.insert(
            0, f'<a class="md-button md-button--primary" href="{lab}?path={name}.ipynb">Run in your browser</a>'
        )
    else:
        note = "Not in the browser lab: it uses a package the browser does not have. Download it to run it."
        links.append(f'<span class="not-in-browser">{note}</span>')
    return f'<p class="notebook-links">{" ".join(links)}</p>\n'


HEADING = re.compile(r'<h[1-6] id="([^"]+)"[^>]*>(.*?)</h[1-6]>', re.S)
ANCHOR_LINK = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.S)


def toc_from_headings(page: Page, html_text: str) -> None:
    """The notebook's table of contents made to match its headings, one for one in order: their ids and whole text.

    mkdocs-jupyter reads the headings' markdown without its code spans, so "`fit`: the same loop" became
    ": the same loop", with an id that no heading has.
    """
    items, order = list(page.toc)[::-1], []
    while items:  # the items in the order of the page
        item = items.pop()
        order.append(item)
        items.extend(item.children[::-1])
    headings = HEADING.findall(html_text)
    if len(headings) != len(order):
        raise ValueError(f"{page.file.src_uri}: {len(order)} contents entries but {len(headings)} headings")
    for item, (anchor, title) in zip(order, headings):
        item.id, item.title = anchor, ANCHOR_LINK.sub("", title).strip()


def on_page_content(html_text: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    if not page.file.src_uri.startswith("notebooks/"):
        return html_text
    toc_from_headings(page, html_text)
    return notebook_links(page) + NBCONVERT_MATHJAX.sub("", html_text)


def on_post_build(config: MkDocsConfig) -> None:
    """Beside each notebook's page, the notebook as stored (without outputs), for its download link."""
    for page_index in pathlib.Path(config.site_dir).glob("notebooks/*/index.html"):
        name = page_index.parent.name
        if (NOTEBOOKS / f"{name}.ipynb").exists():
            shutil.copy(NOTEBOOKS / f"{name}.ipynb", page_index.parent / f"{name}.ipynb")


def build_docs(site: pathlib.Path) -> dict[str, object]:
    """Build the documentation into site, leaving the browser lab (site/lite) as it is; time and size."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="micrograd-docs-") as work:
        out = pathlib.Path(work) / "site"
        subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(ROOT / "mkdocs.yml"), "-d", str(out)],
            check=True,
            cwd=ROOT,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},  # Material's notice about a future MkDocs
        )
        if (out / "lite").exists():
            raise SystemExit("the documentation has a lite/ of its own: it would overwrite the browser lab")
        sizes = [p.stat().st_size for p in out.rglob("*") if p.is_file()]
        site.mkdir(parents=True, exist_ok=True)
        shutil.copytree(out, site, dirs_exist_ok=True)
    return {
        "seconds": time.perf_counter() - start,
        "bytes": sum(sizes),
        "files": len(sizes),
    }
