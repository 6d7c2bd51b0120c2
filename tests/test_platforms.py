"""What differs between Linux, macOS and Windows, tried here on Linux: each platform takes a path it supports.

The renderer's start on each platform is in test_render.py; here, the command line's output where the console
cannot encode every character (Windows writes a redirected stdout in its ANSI code page, often cp1252).
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def run_micrograd(io_encoding: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": io_encoding, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "micrograd"], env=env, capture_output=True, timeout=120)


def test_the_worked_example_prints_on_a_console_that_lacks_its_characters():
    """As `python -m micrograd > out.txt` on Windows: cp1252 has no − (U+2212); it is escaped, never a traceback."""
    utf8 = run_micrograd("utf-8")
    assert utf8.returncode == 0, utf8.stderr.decode()
    text = utf8.stdout.decode("utf-8")
    assert "\u2212" in text  # the example holds a character cp1252 cannot encode: the case being tried
    cp1252 = run_micrograd("cp1252")
    assert cp1252.returncode == 0, cp1252.stderr.decode(errors="replace")
    assert cp1252.stdout == text.encode("cp1252", errors="backslashreplace")  # every other character as it is
