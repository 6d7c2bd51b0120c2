"""What differs between Linux, macOS and Windows, tried here on Linux: each platform takes a path it supports.

The renderer's start on each platform is in test_render.py; here, the command line's output where the console
cannot encode every character (Windows writes a redirected stdout in its ANSI code page, often cp1252), and the
bytes of a saved model file (Windows opens an os.open() file as text unless told otherwise).
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

from micrograd.model_file import write_atomically

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


WINDOWS_O_BINARY = 0x8000  # Windows' os.O_BINARY; os.open() opens a file as text unless it is given


def test_a_model_file_is_written_in_binary_mode_where_the_platform_has_one(monkeypatch, tmp_path):
    """On Windows a file os.open() opens without O_BINARY turns each \\n written into \\r\\n: the bytes saved
    must be the text's UTF-8 on every platform. Tried here by giving os the constant Windows has."""
    opened: list[int] = []
    real_open, native = os.open, getattr(os, "O_BINARY", 0)

    def open_as_windows_would(path, flags, mode=0o777, **kwargs):
        opened.append(flags)
        real_flags = flags if native else flags & ~WINDOWS_O_BINARY  # Linux and macOS have no text mode to leave
        return real_open(path, real_flags, mode, **kwargs)

    monkeypatch.setattr(os, "O_BINARY", WINDOWS_O_BINARY, raising=False)
    monkeypatch.setattr(os, "open", open_as_windows_would)
    text = '{\n  "weights": [1.5, -2.0]\n}\n'
    write_atomically(tmp_path / "model.json", text)
    monkeypatch.undo()
    assert (tmp_path / "model.json").read_bytes() == text.encode("utf-8")
    written = [flags for flags in opened if flags & os.O_CREAT]
    assert len(written) == 1 and written[0] & WINDOWS_O_BINARY, "the model file was opened in text mode"
