"""Shared fixtures: optional oracles (PyTorch, numpy, a headless Chromium) and the rule that CI never skips them."""

from __future__ import annotations

import contextlib
import functools
import http.server
import importlib
import os
import pathlib
import shutil
import threading
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# CI sets MICROGRAD_REQUIRE_ALL=1: there, a missing optional tool is a failure, never a skip.
REQUIRE_ALL = os.environ.get("MICROGRAD_REQUIRE_ALL") == "1"

settings.register_profile(
    "default", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
# `pytest --hypothesis-profile explore` draws new random examples on every run, to look for failures
# that the fixed examples of the default profile (the ones CI runs) do not reach.
settings.register_profile("explore", parent=settings.get_profile("default"), derandomize=False, database=None)
settings.load_profile("default")


def optional_import(name: str) -> ModuleType:
    """Import a test-only dependency; skip when it is missing (fail instead under MICROGRAD_REQUIRE_ALL=1)."""
    try:
        return importlib.import_module(name)
    except ImportError as e:
        message = f"{name} is not installed ({e}); install it to run this test"
        if REQUIRE_ALL:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def torch() -> ModuleType:
    module = optional_import("torch")
    module.set_default_dtype(module.float64)
    return module


@pytest.fixture(scope="session")
def np() -> ModuleType:
    return optional_import("numpy")


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextlib.contextmanager
def chromium(tmp_path_factory, viewport: dict[str, int]) -> Iterator[Any]:
    """A fresh headless Chromium (Debian's) with a profile of its own, driven through playwright."""
    sync_api = optional_import("playwright.sync_api")
    executable = shutil.which("chromium")
    if executable is None:
        message = "chromium is not on PATH (apt-get install chromium)"
        pytest.fail(message) if REQUIRE_ALL else pytest.skip(message)
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),  # --user-data-dir: a profile of its own
            executable_path=executable,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport=viewport,
        )
        yield context
        context.close()


class QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # quiet: the test reports what matters
        pass


@contextlib.contextmanager
def served(folder: pathlib.Path) -> Iterator[str]:
    """folder's files served on 127.0.0.1 while the block runs: the address, http://127.0.0.1:PORT."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietFiles, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def chromium_on_one_site(tmp_path_factory, viewport: dict[str, int], base: str) -> Iterator[Any]:
    """chromium() in which every request to another host than base's is refused and recorded in .outside."""
    with chromium(tmp_path_factory, viewport) as context:
        context.outside = []

        def route(r):
            if r.request.url.startswith(base + "/"):
                r.continue_()
            else:
                context.outside.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        yield context


@pytest.fixture(scope="module")  # one per module: playwright drives one browser at a time in a thread
def browser(tmp_path_factory):
    """A fresh headless Chromium, for a page of micrograd's own."""
    with chromium(tmp_path_factory, {"width": 1000, "height": 420}) as context:
        yield context


@pytest.fixture
def open_page(browser):
    """Open a local file in a colour scheme; every request other than file:// is refused and recorded, as are errors."""
    pages = []

    def open_(path: pathlib.Path, color_scheme: str = "light"):
        page = browser.new_page()
        page.emulate_media(color_scheme=color_scheme)  # prefers-color-scheme, as the operating system sets it
        page.requests, page.errors = [], []
        page.on("pageerror", lambda e: page.errors.append(str(e)))

        def route(r):
            page.requests.append(r.request.url)
            r.continue_() if r.request.url.startswith("file://") else r.abort()

        page.route("**/*", route)
        page.goto(path.resolve().as_uri())
        pages.append(page)
        return page

    yield open_
    for page in pages:
        page.close()


def answer_the_lecture_s_forward_quiz(page, quiz) -> Any:
    """Answer e = a·b of the lecture's forward quiz wrongly (6), then rightly (-6), checking each verdict: the step."""
    quiz.scroll_into_view_if_needed()
    quiz.locator("input:visible").click()
    page.keyboard.type("6")  # e = a·b = 2·(-3) = -6: wrong sign
    page.keyboard.press("Enter")
    asked = quiz.locator(".mg-step:visible").nth(2)
    assert asked.locator(".mg-verdict").inner_text() == "not quite: 6 (try 2)"
    page.keyboard.press("Control+a")
    page.keyboard.type("-6")
    page.keyboard.press("Enter")
    assert asked.locator(".mg-verdict").inner_text() == "right: -6"
    return asked
