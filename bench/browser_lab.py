"""The browser lab measured: build time, site size, and each notebook in the browser beside CPython.

    python bench/browser_lab.py                     # cold and warm build, every notebook (about half an hour)
    python bench/browser_lab.py --site site         # an already built site: no build
    python bench/browser_lab.py --no-cold --notebooks 01_chain_rule,04_training_on_moons

- Build: ``python docs/build.py`` into a fresh folder, cold (an empty download cache, so Pyodide, Graphviz and
  the wheels come from npm and PyPI) and warm (the usual cache, filled by the cold build); the site's size and
  number of files.
- Each notebook in the browser: the site served on 127.0.0.1, the notebook opened in the browser lab in headless
  Chromium (every other host refused), Run All; the seconds from opening the page to the first output and to the
  end of the last cell (Pyodide's start included), and the cells' own time (from Run All to the last cell's end).
- The same notebook in CPython: executed by nbclient in a fresh kernel; the cells' own time (from the first
  cell's start to the last one's reply).
- Notebook 04's training cells (those calling ``fit(``): each cell's time in the browser (from the end of the
  cell before to its own end: the kernel runs one cell at a time) beside its time in CPython.

Not a test: nothing is asserted. The issue's aims: build under 3 minutes once downloads are cached, site under
60 MB, first output under 20 s, notebook 04's training in the browser within 3× its CPython time. In the browser,
notebook 06 prints that PyTorch does not run there and runs nothing else; in CPython it runs (with PyTorch).
"""

from __future__ import annotations

import argparse
import datetime
import functools
import http.server
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
NOTEBOOK = "window.jupyterapp.shell.currentWidget"  # the notebook app shows one notebook
WAIT = 900_000  # ms: the longest one wait may take
TRAINING = "04_training_on_moons"

# Records, in the page, when each code cell gets an output and when it ends (ms since the page was opened).
RECORD_TIMES = f"""() => {{
  const code = {NOTEBOOK}.content.widgets.filter(c => c.model.type === "code");
  window.mgTimes = {{outputs: [], ends: code.map(() => null), run: performance.now()}};
  code.forEach((cell, i) => {{
    cell.model.outputs.changed.connect(() => window.mgTimes.outputs.push(performance.now()));
    cell.model.stateChanged.connect((_, change) => {{
      if (change.name === "executionCount" && change.newValue !== null) window.mgTimes.ends[i] = performance.now();
    }});
  }});
}}"""
READY = f"""() => window.jupyterapp && {NOTEBOOK} && {NOTEBOOK}.context && {NOTEBOOK}.context.isReady
  && {NOTEBOOK}.sessionContext.session && {NOTEBOOK}.sessionContext.session.kernel
  && {NOTEBOOK}.sessionContext.session.kernel.status === "idle" """
DONE = f"""() => {{ const nb = {NOTEBOOK}; const code = nb.content.widgets.filter(c => c.model.type === "code");
  const failed = code.some(c => c.model.toJSON().outputs.some(o => o.output_type === "error"));
  return (failed || code.every(c => c.model.executionCount !== null && !c.hasClass("jp-mod-running")))
    && nb.sessionContext.session.kernel.status === "idle"; }}"""


def build(output: pathlib.Path, cache: pathlib.Path | None) -> float:
    """Seconds for ``python docs/build.py`` to write the site to output (with cache as its download cache)."""
    env = dict(os.environ)
    if cache is not None:
        env["MICROGRAD_SITE_CACHE"] = str(cache)
    start = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "docs" / "build.py"), "--output", str(output)], check=True, env=env)
    return time.perf_counter() - start


def size(site: pathlib.Path) -> tuple[int, int]:
    """(bytes, files) of a built site."""
    files = [p for p in site.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def served(site: pathlib.Path) -> Iterator[str]:
    """The site on 127.0.0.1, its app exposed to the page's scripts (as the tests do): its address."""
    settings = site / "lite" / "jupyter-lite.json"
    config = json.loads(settings.read_text(encoding="utf-8"))
    config["jupyter-config-data"]["exposeAppInBrowser"] = "true"
    settings.write_text(json.dumps(config), encoding="utf-8")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def in_browser(base: str, names: list[str]) -> dict[str, dict]:
    """Each notebook Run All in the browser lab, in a fresh page: its times (s) and its cells' ends."""
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=shutil.which("chromium"), headless=True, args=["--no-sandbox"]
        )
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base + "/") else r.abort())
        for name in names:
            page = context.new_page()
            page.goto(f"{base}/lite/notebooks/index.html?path={name}.ipynb")
            page.wait_for_function(READY, timeout=WAIT, polling=100)
            page.evaluate(RECORD_TIMES)
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
            page.wait_for_function(DONE, timeout=WAIT, polling=100)
            times = page.evaluate("() => window.mgTimes")
            failed = page.evaluate(f"() => {NOTEBOOK}.content.widgets.some(c => c.model.type === 'code' && "
                                   "c.model.toJSON().outputs.some(o => o.output_type === 'error'))")  # fmt: skip
            ends = [t / 1000 for t in times["ends"] if t is not None]
            results[name] = {
                "first": min(times["outputs"]) / 1000,
                "last": max(ends),
                "cells": max(ends) - times["run"] / 1000,
                "ends": [t / 1000 if t is not None else None for t in times["ends"]],
                "run": times["run"] / 1000,
                "failed": failed,
            }
            print(f"  browser {name}: {results[name]['cells']:.1f} s", flush=True)
            page.close()
        context.close()
    return results


def in_cpython(name: str) -> dict:
    """The notebook run by nbclient in a fresh kernel: the cells' time (s), and each code cell's."""
    import nbclient
    import nbformat

    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    os.environ["PYTHONPATH"] = str(ROOT)
    client = nbclient.NotebookClient(
        nb, timeout=1800, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()
    spans = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            timing = cell.metadata.get("execution", {})
            start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
            spans.append((parse(start), parse(end)) if start and end else None)
    known = [s for s in spans if s]
    print(f"  CPython {name}: {known[-1][1] - known[0][0]:.1f} s", flush=True)
    failed = any(o.output_type == "error" for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs)
    return {
        "cells": known[-1][1] - known[0][0],
        "each": [span[1] - span[0] if span else None for span in spans],
        "failed": failed,
    }


def parse(stamp: str) -> float:
    return datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def training_cells(name: str) -> list[int]:
    """The indices, among the code cells, of those that train with fit."""
    nb = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    return [i for i, source in enumerate(code) if "fit(" in source]


def report(browser: dict[str, dict], cpython: dict[str, dict]) -> None:
    print(f"\n{'notebook':<32}{'first output':>14}{'last cell':>11}{'cells':>9}{'CPython':>9}{'ratio':>7}")
    print(f"{'':<32}{'(browser: from opening the page)':>34}{'(cells only)':>30}")
    for name, b in browser.items():
        c, ratio = cpython[name]["cells"], b["cells"] / cpython[name]["cells"]
        errors = [where for where, r in (("browser", b), ("CPython", cpython[name])) if r["failed"]]
        note = f"  stopped at an error in {' and '.join(errors)}" if errors else ""
        print(f"{name:<32}{b['first']:>12.1f} s{b['last']:>9.1f} s{b['cells']:>7.1f} s{c:>7.1f} s{ratio:>6.1f}×{note}")
    if TRAINING in browser:
        ends, previous = browser[TRAINING]["ends"], [browser[TRAINING]["run"], *browser[TRAINING]["ends"]]
        print(f"\n{TRAINING}, its training cells:")
        for i in training_cells(TRAINING):
            b, c = ends[i] - previous[i], cpython[TRAINING]["each"][i]
            print(f"  code cell {i + 1}: browser {b:.2f} s, CPython {c:.2f} s: {b / c:.1f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=pathlib.Path, help="a site already built (no build is timed)")
    parser.add_argument("--no-cold", action="store_true", help="time the warm build only")
    parser.add_argument("--notebooks", help="comma-separated names (default: every notebook)")
    args = parser.parse_args()
    names = args.notebooks.split(",") if args.notebooks else sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))
    with tempfile.TemporaryDirectory(prefix="micrograd-bench-") as work:
        site = args.site
        if site is None:
            site = pathlib.Path(work) / "site"
            cache = None if args.no_cold else pathlib.Path(work) / "cache"  # None: the usual cache
            if cache is not None:
                cold = build(site, cache)
                print(f"build, cold (empty download cache): {cold:.1f} s", flush=True)
            warm = build(site, cache)
            print(f"build, warm (downloads cached): {warm:.1f} s", flush=True)
        total, files = size(site)
        print(f"site: {total / 1e6:.1f} MB in {files} files", flush=True)
        with served(site) as base:
            browser = in_browser(base, names)
    cpython = {name: in_cpython(name) for name in names}
    report(browser, cpython)


if __name__ == "__main__":
    main()
