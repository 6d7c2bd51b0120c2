"""Saving and loading models: exact round trips, the documented JSON format, atomic writes, and bad files refused."""

from __future__ import annotations

import ast
import copy
import json
import math
import os
import random
import re
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from micrograd import MLP, Layer, model_file
from micrograd.nn import FORMAT
from micrograd.ops import ACTIVATIONS

INPUTS = [[0.5, -1.0], [2.0, 0.25], [-3.0, 1.5]]


def params(model: MLP) -> list[float]:
    return [p.data for p in model.parameters()]


def outputs(model: MLP) -> list[float]:
    return [model(x).data for x in INPUTS]


def mixed_model() -> MLP:
    """A model whose hidden layers have different activations (built by hand: MLP() gives them all one)."""
    model = MLP(2, [4, 3, 1], activation="tanh", output_activation="sigmoid", seed=3)
    model.layers[1] = Layer(4, 3, activation="relu", seed=4)
    model._name_nodes()
    return model


@pytest.mark.parametrize(
    "model",
    [
        MLP(2, [1], seed=0),
        MLP(2, [16, 16, 1], seed=1),
        MLP(2, [5, 1], activation="sigmoid", output_activation="sigmoid", seed=2),
        mixed_model(),
    ],
    ids=["one neuron", "16-16-1 relu", "sigmoid", "mixed activations"],
)
def test_a_saved_model_loads_back_bit_for_bit(tmp_path, model):
    for p in model.parameters():  # biases too, and numbers that need all 17 digits
        p.data += 0.1 / 3
    path = tmp_path / "model.json"
    model.save(path)
    loaded = MLP.load(path)
    assert repr(loaded) == repr(model)
    assert params(loaded) == params(model)
    assert outputs(loaded) == outputs(model)
    assert [p.label for p in loaded.parameters()] == [p.label for p in model.parameters()]


def test_the_file_is_the_documented_json(tmp_path):
    model = mixed_model()
    path = tmp_path / "model.json"
    model.save(str(path))
    with open(path, encoding="utf-8") as f:
        data = json.load(f)  # read by the json module, not by micrograd
    assert data["format"] == "micrograd.MLP" and data["version"] == 1
    assert data["nin"] == 2 and data["sizes"] == [4, 3, 1]
    assert data["activations"] == ["tanh", "relu", "sigmoid"]
    for l, layer in enumerate(model.layers, start=1):
        for j, neuron in enumerate(layer.neurons):
            assert data["weights"][l - 1][j] == [w.data for w in neuron.w]  # weights[l-1][j][k] = w[l][j][k]
            assert data["biases"][l - 1][j] == neuron.b.data
    assert set(data) == {"format", "version", "nin", "sizes", "activations", "weights", "biases"}
    for key in data:
        assert key in FORMAT  # every key is documented


def test_state_dict_round_trip_and_json_types():
    model = MLP(3, [4, 2], activation="tanh", seed=5)
    state = model.state_dict()
    assert json.loads(json.dumps(state)) == state  # plain JSON types only
    again = MLP.from_state_dict(state)
    assert params(again) == params(model)
    state["weights"][0][0][0] = 123.0  # the state is a copy: changing it leaves the model alone
    assert model.layers[0].neurons[0].w[0].data != 123.0


def test_saving_over_a_file_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "model.json"
    MLP(2, [3, 1], seed=6).save(path)
    MLP(2, [5, 1], seed=7).save(path)
    assert os.listdir(tmp_path) == ["model.json"]
    assert MLP.load(path).sizes == [2, 5, 1]


POSIX_MODES = pytest.mark.skipif(
    os.name == "nt", reason="Windows has no POSIX permission bits, umask or unprivileged symlinks"
)


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode_of(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@POSIX_MODES
@pytest.mark.parametrize("mode", [0o600, 0o664, 0o640], ids=oct)
def test_saving_over_a_file_keeps_its_permission_bits(tmp_path, umask_022, mode):
    path = tmp_path / "model.json"
    MLP(2, [3, 1], seed=6).save(path)
    os.chmod(path, mode)
    MLP(2, [5, 1], seed=7).save(path)
    assert mode_of(path) == mode  # not 0o644, what the umask would give a new file
    assert MLP.load(path).sizes == [2, 5, 1]


@POSIX_MODES
def test_a_new_file_gets_the_permissions_open_would_give_it(tmp_path, umask_022):
    MLP(2, [1], seed=6).save(tmp_path / "model.json")
    with open(tmp_path / "by-open.json", "w") as f:
        f.write("{}")
    assert mode_of(tmp_path / "model.json") == mode_of(tmp_path / "by-open.json") == 0o644


@POSIX_MODES
@pytest.mark.parametrize("where", ["same directory", "another directory"])
def test_saving_to_a_symlink_writes_through_to_its_target(tmp_path, umask_022, where):
    folder = tmp_path if where == "same directory" else tmp_path / "elsewhere"
    folder.mkdir(exist_ok=True)
    target = folder / "weights.json"
    MLP(2, [3, 1], seed=6).save(target)
    os.chmod(target, 0o600)
    link = tmp_path / "model.json"
    link.symlink_to(os.path.relpath(target, tmp_path))
    before = os.readlink(link)
    new = MLP(2, [5, 1], seed=7)
    new.save(link)
    assert link.is_symlink() and os.readlink(link) == before  # the link stays a link, to the same place
    assert params(MLP.load(target)) == params(new)  # and its target has the new weights
    assert mode_of(target) == 0o600
    names = {path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*")}
    assert names == {"model.json", os.path.relpath(target, tmp_path), *(["elsewhere"] if folder != tmp_path else [])}


def test_saving_to_a_dangling_symlink_creates_its_target(tmp_path, umask_022):
    link = tmp_path / "model.json"
    link.symlink_to("weights.json")
    MLP(2, [1], seed=6).save(link)
    assert link.is_symlink() and (tmp_path / "weights.json").is_file()
    assert params(MLP.load(tmp_path / "weights.json")) == params(MLP(2, [1], seed=6))


def name_of_bytes(n: int, char: str = "m") -> str:
    """A file name n bytes long in UTF-8, ending in .json."""
    stem = char * ((n - len(".json")) // len(char.encode("utf-8")))
    return "m" * (n - len(".json") - len(stem.encode("utf-8"))) + stem + ".json"


@pytest.mark.parametrize(("length", "char"), [(250, "m"), (250, "é"), ("NAME_MAX", "m")])
def test_a_file_name_of_any_legal_length_saves(tmp_path, length, char):
    if length == "NAME_MAX":
        length = os.pathconf(tmp_path, "PC_NAME_MAX")  # the longest name this file system allows
    name = name_of_bytes(length, char)
    assert len(name.encode("utf-8")) == length
    model = MLP(2, [3, 1], seed=6)
    model.save(tmp_path / name)
    MLP(2, [1], seed=7).save(tmp_path / name)  # over an existing file too
    assert params(MLP.load(tmp_path / name)) == params(MLP(2, [1], seed=7))
    assert os.listdir(tmp_path) == [name]


def bad_paths(tmp_path) -> dict[str, tuple[str, type[Exception]]]:
    (tmp_path / "a-file").write_text("not a directory")
    (tmp_path / "a-directory").mkdir()
    (tmp_path / "loop.json").symlink_to("loop.json")
    too_long = name_of_bytes(os.pathconf(tmp_path, "PC_NAME_MAX") + 1)
    return {
        "a directory": (str(tmp_path / "a-directory"), IsADirectoryError),
        "a missing directory": (str(tmp_path / "missing" / "model.json"), FileNotFoundError),
        "a trailing slash": (str(tmp_path / "model.json") + "/", IsADirectoryError),
        "a trailing slash on a file": (str(tmp_path / "a-file") + "/", IsADirectoryError),
        "a trailing dot": (str(tmp_path / "a-file") + "/.", IsADirectoryError),
        "under a file": (str(tmp_path / "a-file" / "model.json"), NotADirectoryError),
        "a name too long": (str(tmp_path / too_long), OSError),
        "a loop of symlinks": (str(tmp_path / "loop.json"), OSError),
        "an empty path": ("", ValueError),
    }


BAD_PATHS = [
    "a directory",
    "a missing directory",
    "a trailing slash",
    "a trailing slash on a file",
    "a trailing dot",
    "under a file",
    "a name too long",
    "a loop of symlinks",
    "an empty path",
]


@pytest.mark.parametrize("case", BAD_PATHS)
def test_a_path_that_cannot_be_saved_to_is_an_error_naming_it(tmp_path, case):
    path, error = bad_paths(tmp_path)[case]
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(error) as e:
        MLP(2, [1], seed=6).save(path)
    message = str(e.value)
    assert repr(path) in message  # the user's path, as given
    assert ".tmp" not in message and ".mg-" not in message  # never the temporary file
    assert sorted(os.listdir(tmp_path)) == before  # and nothing left behind
    assert (tmp_path / "a-file").read_text() == "not a directory"


def test_a_path_that_is_not_a_path_is_a_type_error():
    with pytest.raises(TypeError, match=r"the path must be a str or an os\.PathLike, got int"):
        MLP(2, [1], seed=6).save(3)


def test_a_model_with_a_nan_weight_is_not_saved_and_the_old_file_stays(tmp_path):
    path = tmp_path / "model.json"
    good = MLP(2, [3, 1], seed=8)
    good.save(path)
    bad = MLP(2, [3, 1], seed=9)
    bad.layers[0].neurons[1].w[0].data = math.nan
    with pytest.raises(ValueError, match=r"w\[1\]\[1\]\[0\] is nan"):
        bad.save(path)
    assert params(MLP.load(path)) == params(good)
    assert os.listdir(tmp_path) == ["model.json"]


# -- the format's own module ------------------------------------------------------------------------


def test_the_format_lives_in_model_file_and_nn_re_exports_it():
    from micrograd import nn

    assert (nn.FORMAT_NAME, nn.FORMAT_VERSION) == ("micrograd.MLP", 1)
    assert nn.FORMAT is model_file.FORMAT and nn.FORMAT_NAME is model_file.FORMAT_NAME
    assert nn.FORMAT_VERSION is model_file.FORMAT_VERSION
    source = Path(model_file.__file__).read_text(encoding="utf-8")
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    ]
    ours = {name for name in imported if name and name.startswith("micrograd")}
    assert ours == {"micrograd.ops"}  # below nn: it knows the activations, nothing of networks
    assert all(activation in model_file.FORMAT for activation in ACTIVATIONS)


def test_check_state_allows_only_the_activations_it_is_given():
    state = MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=10).state_dict()
    nin, sizes, activations, weights, biases = model_file.check_state(state, ACTIVATIONS)
    assert (nin, sizes, activations) == (2, [3, 1], ["tanh", "sigmoid"])
    assert weights == state["weights"] and biases == state["biases"]
    with pytest.raises(ValueError, match=r"activations\[1\] is 'sigmoid', not one of tanh, linear"):
        model_file.check_state(state, ("tanh", "linear"))


def test_dumps_writes_one_line_per_key_that_json_reads_back():
    state = MLP(2, [2, 1], seed=3).state_dict()
    text = model_file.dumps(state)
    assert json.loads(text) == state
    assert [line.split(":")[0].strip() for line in text.splitlines()[1:-1]] == [json.dumps(key) for key in state]


# -- bad files: each a ValueError that says what is wrong ------------------------------------------


def valid_state() -> dict:
    return MLP(2, [3, 1], activation="tanh", seed=10).state_dict()


def edited(change) -> str:
    state = valid_state()
    change(state)
    return json.dumps(state)


BAD_FILES = {
    "empty file": ("", "invalid JSON"),
    "not JSON": ("hello", "invalid JSON"),
    "a list": ("[1, 2]", "a JSON object"),
    "invalid UTF-8": (b'{"format": "\xff"}', "not UTF-8"),
    "deeply nested": ("[" * 100_000, "invalid JSON"),
    "duplicate key": ('{"nin": 2, "nin": 3}', "appears twice"),
    "NaN weight": (edited(lambda s: s["weights"][0][1].__setitem__(0, math.nan)), "NaN is not a number"),
    "Infinity bias": (edited(lambda s: s["biases"][1].__setitem__(0, math.inf)), "Infinity is not a number"),
    "overflowing weight": (
        edited(lambda s: None).replace('"biases": [[0.0', '"biases": [[1e999'),
        "biases[0][0] is inf",
    ),
    "huge integer": (edited(lambda s: s["biases"][0].__setitem__(1, 10**400)), "too large for a float"),
    "string weight": (edited(lambda s: s["weights"][1][0].__setitem__(2, "0.5")), "weights[1][0][2] must be a number"),
    "bool weight": (edited(lambda s: s["weights"][0][0].__setitem__(0, True)), "weights[0][0][0] must be a number"),
    "null bias": (edited(lambda s: s["biases"][0].__setitem__(0, None)), "biases[0][0] must be a number, got null"),
    "short row": (edited(lambda s: s["weights"][1][0].pop()), "weights[1][0] has 2 entries, expected 3"),
    "missing neuron": (edited(lambda s: s["weights"][0].pop()), "weights[0] has 2 entries, expected 3"),
    "extra layer": (edited(lambda s: s["biases"].append([0.0])), "biases has 3 entries, expected 2"),
    "sizes disagree": (edited(lambda s: s.__setitem__("sizes", [4, 1])), "weights[0] has 3 entries, expected 4"),
    "zero size": (edited(lambda s: s.__setitem__("sizes", [0, 1])), "sizes[0] must be an int ≥ 1, got 0"),
    "float nin": (edited(lambda s: s.__setitem__("nin", 2.0)), "nin must be an int"),
    "unknown activation": (edited(lambda s: s["activations"].__setitem__(0, "softmax")), "activations[0] is 'softmax'"),
    "wrong version": (edited(lambda s: s.__setitem__("version", 2)), "unsupported format version 2"),
    "wrong format": (edited(lambda s: s.__setitem__("format", "pytorch")), "format must be 'micrograd.MLP'"),
    "extra key": (edited(lambda s: s.__setitem__("optimizer", "sgd")), "unexpected key 'optimizer'"),
    "missing key": (edited(lambda s: s.pop("biases")), "missing key 'biases'"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_bad_file_is_a_value_error_that_says_what_is_wrong(tmp_path, name):
    content, words = BAD_FILES[name]
    path = tmp_path / "model.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    with pytest.raises(ValueError) as e:
        MLP.load(path)
    assert str(path) in str(e.value) and words in str(e.value)


def test_every_truncation_of_a_model_file_is_refused(tmp_path):
    path = tmp_path / "model.json"
    MLP(2, [2, 1], seed=11).save(path)
    text = path.read_bytes()
    end = len(text.rstrip())  # the file without its final newline is still complete
    for cut in range(end):
        path.write_bytes(text[:cut])
        with pytest.raises(ValueError, match="not a valid micrograd model file"):
            MLP.load(path)


def test_large_finite_weights_are_kept(tmp_path):
    model = MLP(2, [1], seed=12)
    model.layers[0].neurons[0].w[0].data = 1.7976931348623157e308
    model.layers[0].neurons[0].b.data = -5e-324
    model.save(tmp_path / "model.json")
    assert params(MLP.load(tmp_path / "model.json")) == params(model)


# -- hypothesis: mutated files are refused with a ValueError and nothing else ----------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=6,
)
NOT_NUMBERS = JSON_VALUES.filter(lambda v: isinstance(v, bool) or not isinstance(v, (int, float)))
BAD_NUMBERS = st.sampled_from([math.nan, math.inf, -math.inf, 10**400, -(10**309)])


def number_paths(state: dict) -> list[tuple]:
    """Where the numbers of a state are: ("weights", l, j, k) and ("biases", l, j)."""
    paths = [
        ("weights", l, j, k)
        for l, rows in enumerate(state["weights"])
        for j, row in enumerate(rows)
        for k in range(len(row))
    ]
    return paths + [("biases", l, j) for l, row in enumerate(state["biases"]) for j in range(len(row))]


def set_at(state: dict, path: tuple, value: object) -> None:
    target = state
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


def lists_in(state: dict) -> list[tuple]:
    """The paths of every list in a state: sizes, activations, weights and its rows, biases and its rows."""
    paths = [("sizes",), ("activations",), ("weights",), ("biases",)]
    paths += [("weights", l) for l in range(len(state["weights"]))] + [
        ("biases", l) for l in range(len(state["biases"]))
    ]
    return paths + [("weights", l, j) for l, rows in enumerate(state["weights"]) for j in range(len(rows))]


@st.composite
def mutated_files(draw) -> bytes:
    state = MLP(2, draw(st.sampled_from([[1], [3, 1], [2, 2, 2]])), seed=draw(st.integers(0, 3))).state_dict()
    kind = draw(
        st.sampled_from(
            [
                "not a number",
                "bad number",
                "missing key",
                "extra key",
                "shape",
                "architecture",
                "activation",
                "truncated",
            ]
        )
    )
    if kind == "not a number":
        set_at(state, draw(st.sampled_from(number_paths(state))), draw(NOT_NUMBERS))
    elif kind == "bad number":
        set_at(state, draw(st.sampled_from(number_paths(state))), draw(BAD_NUMBERS))
    elif kind == "missing key":
        del state[draw(st.sampled_from(sorted(state)))]
    elif kind == "extra key":
        state[draw(st.text(max_size=10).filter(lambda k: k not in state))] = draw(JSON_VALUES)
    elif kind == "shape":
        path = draw(st.sampled_from(lists_in(state)))
        target = state
        for key in path:
            target = target[key]
        if target and draw(st.booleans()):
            del target[draw(st.integers(0, len(target) - 1))]
        else:
            target.append(draw(JSON_VALUES))
    elif kind == "architecture":
        key = draw(st.sampled_from(["nin", "version", "sizes"]))
        value = draw(JSON_VALUES)
        if value == state[key]:
            value = [value]
        state[key] = value
    elif kind == "activation":
        i = draw(st.integers(0, len(state["activations"]) - 1))
        state["activations"][i] = draw(JSON_VALUES.filter(lambda v: v not in ACTIVATIONS))
    text = json.dumps(state).encode("utf-8")
    if kind == "truncated":
        text = text[: draw(st.integers(0, len(text) - 1))]
    return text


@given(mutated_files())
def test_hypothesis_mutated_files_are_refused_with_a_value_error(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("mutated") / "model.json"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="not a valid micrograd model file"):
        MLP.load(path)


@given(st.binary(max_size=200) | st.text(max_size=100).map(str.encode))
def test_arbitrary_bytes_load_or_raise_a_value_error_never_anything_else(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("bytes") / "model.json"
    path.write_bytes(content)
    with pytest.raises(ValueError):
        MLP.load(path)


def test_from_state_dict_never_mutates_its_argument():
    state = valid_state()
    before = copy.deepcopy(state)
    MLP.from_state_dict(state)
    assert state == before


# -- a save killed in the middle leaves the previous file intact ------------------------------------

SAVER = textwrap.dedent(
    """
    import os, sys
    from micrograd import MLP
    path, mode = sys.argv[1], sys.argv[2]
    models = [MLP(2, [200, 200, 1], seed=1), MLP(2, [150, 150, 1], seed=2)]
    models[0].save(path)

    def hold():
        print("holding", flush=True)
        sys.stdin.read()  # until killed

    if mode == "half written":  # write half of the new file, then hold
        real_fdopen = os.fdopen

        class HalfWriter:
            def __init__(self, f):
                self.f = f
            def __enter__(self):
                return self
            def __exit__(self, *exc):
                self.f.close()
            def write(self, data):
                self.f.write(data[: len(data) // 2])
                self.f.flush()
                hold()

        os.fdopen = lambda fd, mode: HalfWriter(real_fdopen(fd, mode))
    if mode == "written, not renamed":  # hold once the new file is written, before it replaces the old one
        os.fsync = lambda fd: hold()
    print("ready", flush=True)
    i = 1
    while True:
        models[i % 2].save(path)
        i += 1
    """
)


def start_saver(path, mode: str) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", SAVER, str(path), mode], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline() == "ready\n"
    return proc


def kill(proc: subprocess.Popen) -> None:
    proc.kill()
    proc.wait()
    proc.stdin.close()
    proc.stdout.close()


def loads_as_one_of_the_two_models(path, first: list[float], second: list[float]) -> bool:
    loaded = params(MLP.load(path))  # a ValueError here would be a broken file
    return loaded in (first, second)


@pytest.mark.parametrize("moment", ["half written", "written, not renamed"])
def test_a_save_killed_in_the_middle_leaves_the_old_file(tmp_path, moment):
    path = tmp_path / "model.json"
    proc = start_saver(path, moment)
    assert proc.stdout.readline() == "holding\n"  # the child is inside save(), at that moment
    kill(proc)
    assert params(MLP.load(path)) == params(MLP(2, [200, 200, 1], seed=1))  # still the first model, intact
    leftovers = [name for name in os.listdir(tmp_path) if name != "model.json"]
    assert len(leftovers) == 1 and re.fullmatch(r"\.mg-[0-9a-f]{8}\.tmp", leftovers[0])  # the abandoned temporary file


def test_saves_killed_at_random_moments_always_leave_a_loadable_file(tmp_path):
    path = tmp_path / "model.json"
    first, second = params(MLP(2, [200, 200, 1], seed=1)), params(MLP(2, [150, 150, 1], seed=2))
    rng = random.Random(0)
    for _ in range(8):
        proc = start_saver(path, "loop")
        try:
            time.sleep(rng.uniform(0.0, 0.15))  # when the kill lands varies; what must hold does not
        finally:
            kill(proc)
        assert loads_as_one_of_the_two_models(path, first, second)
