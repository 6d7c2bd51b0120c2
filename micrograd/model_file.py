"""The model file: the JSON format of a saved MLP, its validation, and the atomic write.

Pure functions on dicts, bytes and paths: micrograd.nn turns an MLP into a state dict and back, and
this module turns a state dict into a file and back, refusing anything that is not a valid model.
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import secrets
import stat
from collections.abc import Collection, Mapping
from typing import NoReturn, TypedDict

from micrograd.ops import ACTIVATIONS

__all__ = [
    "FORMAT",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "check_state",
    "dumps",
    "parse_json",
    "read_state",
    "write_atomically",
]

FORMAT_NAME = "micrograd.MLP"
FORMAT_VERSION = 1
FORMAT = f"""A saved MLP is a JSON object with exactly these keys:

    format       "{FORMAT_NAME}"
    version      {FORMAT_VERSION}
    nin          the number of inputs (an int ≥ 1)
    sizes        the width of every layer, inputs excluded: [n_1, ..., n_L]
    activations  the activation of every layer, one of: {", ".join(ACTIVATIONS)}
    weights      weights[l-1][j][k] = w[l][j][k], the weight from input k to neuron j of layer l
    biases       biases[l-1][j] = b[l][j]

Numbers are finite; floats are written with repr(), so a load gives back the same bits.
"""


class State(TypedDict):
    """A model as a dict of JSON types, as MLP.state_dict() returns it and a model file holds it (see FORMAT)."""

    format: str
    version: int
    nin: int
    sizes: list[int]
    activations: list[str]
    weights: list[list[list[float]]]
    biases: list[list[float]]


# What check_state() reads from a valid state: (nin, sizes, activations, weights, biases).
Parts = tuple[int, list[int], list[str], list[list[list[float]]], list[list[float]]]


def dumps(state: Mapping[str, object]) -> str:
    """The text of a model file holding state: one line per key, so the architecture reads at a glance."""
    body = ",\n".join(f"  {json.dumps(key)}: {json.dumps(value)}" for key, value in state.items())
    return "{\n" + body + "\n}\n"


def read_state(path: str | os.PathLike[str], allowed: Collection[str]) -> Parts:
    """check_state() of the file at path; a file that is not a valid model gives a ValueError naming path and why."""
    with open(path, "rb") as f:
        raw = f.read()
    try:
        return check_state(parse_json(raw), allowed)
    except ValueError as e:
        raise ValueError(f"{os.fspath(path)}: not a valid micrograd model file: {e}") from None


def parse_json(raw: bytes) -> object:
    """The JSON value in raw; a ValueError for anything else (bad UTF-8, bad JSON, NaN, duplicate keys)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"not UTF-8 text ({e.reason} at byte {e.start})") from None
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as e:
        raise ValueError(f"invalid JSON: {e.msg} at line {e.lineno}, column {e.colno} (a truncated file?)") from None
    except RecursionError:
        raise ValueError("invalid JSON (nested too deeply)") from None


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a number a model can hold")


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    d = dict(pairs)
    if len(d) != len(pairs):
        key = next(key for i, (key, _) in enumerate(pairs) if key in (k for k, _ in pairs[:i]))
        raise ValueError(f"the key {key!r} appears twice in one object")
    return d


def check_state(state: object, allowed: Collection[str]) -> Parts:
    """(nin, sizes, activations, weights, biases) from a state dict, or a ValueError naming the problem.

    ``allowed`` holds the activation names a layer may have (micrograd.nn.ACTIVATIONS).
    """
    if not isinstance(state, Mapping):
        raise ValueError(f"a model is a JSON object (a dict), got {_json_type(state)}")
    expected = ("format", "version", "nin", "sizes", "activations", "weights", "biases")
    for key in state:
        if key not in expected:
            raise ValueError(f"unexpected key {key!r}; a model has the keys {', '.join(expected)}")
    for key in expected:
        if key not in state:
            raise ValueError(f"missing key {key!r}")
    if state["format"] != FORMAT_NAME:
        raise ValueError(f"format must be {FORMAT_NAME!r}, got {_shown(state['format'])}")
    version = state["version"]
    if type(version) is not int or version != FORMAT_VERSION:
        raise ValueError(f"unsupported format version {_shown(version)}; this micrograd reads version {FORMAT_VERSION}")
    nin = _positive_int(state["nin"], "nin")
    listed = _list(state["sizes"], "sizes")
    if not listed:
        raise ValueError("sizes must name at least one layer")
    sizes = [_positive_int(n, f"sizes[{l}]") for l, n in enumerate(listed)]
    activations = [
        _activation(activation, f"activations[{l}]", allowed)
        for l, activation in enumerate(_list(state["activations"], "activations", len(sizes), "one per layer"))
    ]
    listed_weights = _list(state["weights"], "weights", len(sizes), "one list per layer")
    listed_biases = _list(state["biases"], "biases", len(sizes), "one list per layer")
    fan_in = [nin, *sizes]
    weights: list[list[list[float]]] = []
    biases: list[list[float]] = []
    for l, n in enumerate(sizes):
        rows = _list(listed_weights[l], f"weights[{l}]", n, "one row per neuron")
        weights.append([_numbers(row, f"weights[{l}][{j}]", fan_in[l]) for j, row in enumerate(rows)])
        biases.append(_numbers(listed_biases[l], f"biases[{l}]", n))
    return nin, sizes, activations, weights, biases


def _list(x: object, where: str, n: int | None = None, what: str = "") -> list[object]:
    if not isinstance(x, list):
        raise ValueError(f"{where} must be a list, got {_json_type(x)}")
    if n is not None and len(x) != n:
        raise ValueError(f"{where} has {len(x)} entries, expected {n}{f' ({what})' if what else ''}")
    return list(x)


def _numbers(x: object, where: str, n: int) -> list[float]:
    return [_finite(v, f"{where}[{k}]") for k, v in enumerate(_list(x, where, n))]


def _activation(x: object, where: str, allowed: Collection[str]) -> str:
    if not isinstance(x, str) or x not in allowed:
        raise ValueError(f"{where} is {_shown(x)}, not one of {', '.join(allowed)}")
    return x


def _positive_int(x: object, where: str) -> int:
    if type(x) is not int:
        raise ValueError(f"{where} must be an int ≥ 1, got {_json_type(x)}")
    if x < 1:
        raise ValueError(f"{where} must be an int ≥ 1, got {x}")
    return x


def _finite(x: object, where: str) -> float:
    if type(x) is not int and type(x) is not float:
        raise ValueError(f"{where} must be a number, got {_json_type(x)}")
    try:
        value = float(x)
    except OverflowError:
        raise ValueError(f"{where} is an integer too large for a float") from None
    if not math.isfinite(value):
        raise ValueError(f"{where} is {value!r}; a model's weights must be finite")
    return value


def _shown(x: object) -> str:
    """repr(x), cut short: a malformed file may hold a very long value where a short one belongs."""
    text = repr(x)
    return text if len(text) <= 40 else text[:37] + "..."


def _json_type(x: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(x), type(x).__name__)


def write_atomically(path: str | os.PathLike[str], text: str) -> None:
    """Write text to path atomically: into a temporary file beside it, flushed to disk, then renamed over it.

    A symlink is written through (the link stays, its target gets the text), and a file that exists
    keeps its permission bits; a new file gets 0o666 less the umask, as open() would give it. The
    temporary file has a short name of its own (.mg-XXXXXXXX.tmp), so a file name of any legal length
    can be saved; an error names path, never the temporary file.
    """
    path = _path(path)
    try:
        _write_atomically(path, text)
    except OSError as e:
        if e.filename == path and e.filename2 is None:
            raise
        raise type(e)(e.errno, e.strerror, path) from None  # the user's path, not the temporary file


def _path(path: str | os.PathLike[str]) -> str:
    try:
        path = os.fsdecode(path)
    except TypeError:
        raise TypeError(f"the path must be a str or an os.PathLike, got {type(path).__name__}") from None
    if not path:
        raise ValueError("cannot save to the empty path '': give a file name, such as 'model.json'")
    return path


def _write_atomically(path: str, text: str) -> None:
    if os.path.basename(path) in ("", ".", ".."):  # "dir/", "dir/.": a directory by its very name
        ending = os.path.basename(path) or os.sep
        raise IsADirectoryError(errno.EISDIR, f"Names a directory, not a file (it ends in {ending!r})", path)
    target = os.path.realpath(path)  # the file itself, beside which the temporary file must be to rename it over
    if os.path.islink(target):  # realpath stops at a loop of links
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), path)
    if os.path.isdir(target):
        raise IsADirectoryError(errno.EISDIR, "Is a directory, not a file", path)
    directory = os.path.dirname(target)
    if not os.path.isdir(directory):
        if os.path.exists(directory):
            raise NotADirectoryError(errno.ENOTDIR, f"{os.strerror(errno.ENOTDIR)} (a file is in the way)", path)
        raise FileNotFoundError(errno.ENOENT, "No such directory to save in", path)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = None
    tmp = os.path.join(directory, f".mg-{secrets.token_hex(4)}.tmp")
    binary = getattr(os, "O_BINARY", 0)  # Windows opens an os.open() file as text (each \n written as \r\n) without it
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | binary, 0o666 if mode is None else 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            if mode is not None:
                os.chmod(tmp, mode)  # exactly the old bits, whatever the umask (os.fchmod is not on every platform)
            f.write(text.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)  # atomic: readers see the old file or the new one, never a mix
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if os.name == "posix":  # make the rename itself durable
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
