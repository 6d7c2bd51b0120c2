"""Shared fixtures: optional oracles (PyTorch, numpy) and the rule that CI never skips them."""

from __future__ import annotations

import importlib
import os
from types import ModuleType

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
