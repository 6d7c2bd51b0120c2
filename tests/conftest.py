"""Shared fixtures: optional oracles (PyTorch, numpy, a headless Chromium) and the rule that CI never skips them."""

from __future__ import annotations

import contextlib
import importlib
import os
import pathlib
import shutil
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
