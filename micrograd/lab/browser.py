"""Graphviz in the browser: micrograd under Pyodide lays out its drawings with Graphviz compiled to WebAssembly.

The browser has no processes and no native programs, so neither the system's ``dot`` nor ``graphviz-pure``
can run there. Instead the ES module of npm's ``@viz-js/viz`` (its ``dist/viz.js``) is imported through
Pyodide's JavaScript bridge, from the URL in MICROGRAD_VIZ_URL (relative to the folder of Pyodide's package
lock; the browser lab serves it there). Loading it takes a promise, which Python cannot wait for in the middle
of a cell, except through stack switching (``pyodide.ffi.run_sync``, where the browser has it). So loading
starts as soon as the renderer is chosen (find_renderer, at the first drawing or earlier); a drawing waits for
it with run_sync, and a browser without stack switching is asked to run the cell again once it has loaded.
Once loaded, a layout is a plain synchronous call.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

VIZ_URL_VARIABLE = "MICROGRAD_VIZ_URL"

# Called with the URL of viz.js: an object whose `ready` promise settles once Graphviz is loaded (or has failed:
# `error` then says why), and whose render(source, engine, format) lays out synchronously.
_LOADER = """(url) => {
  const state = {viz: undefined, error: undefined};  // undefined reads as None in Python
  state.ready = import(url).then(m => m.instance()).then(viz => { state.viz = viz; },
                                                          e => { state.error = String(e); });
  state.render = (source, engine, format) => state.viz.renderString(source, {engine, format});
  return state;
}"""

_state: Any = None  # the JavaScript object _LOADER returned, once loading has started


def in_browser(platform: str | None = None) -> bool:
    """Whether this Python runs in a browser (Pyodide: sys.platform "emscripten"), without processes."""
    return (sys.platform if platform is None else platform) == "emscripten"


def viz_url() -> str:
    """The URL of viz.js: MICROGRAD_VIZ_URL, a relative one resolved from the folder of Pyodide's package lock."""
    url = os.environ.get(VIZ_URL_VARIABLE, "").strip()
    if not url:
        raise LookupError(
            f"{VIZ_URL_VARIABLE} is not set: in the browser, micrograd lays out drawings with Graphviz compiled "
            "to WebAssembly (npm's @viz-js/viz); set it to the URL of that package's dist/viz.js"
        )
    base = importlib.import_module("pyodide_js").lockfileBaseUrl
    js = importlib.import_module("js")
    return str(js.URL.new(url, base).href) if base else url


def start_loading() -> str:
    """Start loading Graphviz for the browser, once; the URL it is loaded from."""
    global _state
    url = viz_url()
    if _state is None:
        _state = importlib.import_module("pyodide.code").run_js(_LOADER)(url)
    return url


def layout(source: str, engine: str, format: str) -> str:
    """The drawing laid out by Graphviz in the browser, in format (svg, dot, json, ...)."""
    url = start_loading()
    if _state.viz is None and _state.error is None:
        ffi = importlib.import_module("pyodide.ffi")
        if not ffi.can_run_sync():
            raise RuntimeError(
                f"Graphviz for the browser ({url}) is still loading, and this browser cannot wait for it in the "
                "middle of a cell: run the cell again in a moment"
            )
        ffi.run_sync(_state.ready)
    if _state.error is not None:
        raise RuntimeError(f"Graphviz for the browser could not be loaded from {url}: {_state.error}")
    return str(_state.render(source, engine, format))


__all__ = ["VIZ_URL_VARIABLE", "in_browser", "layout", "start_loading", "viz_url"]
