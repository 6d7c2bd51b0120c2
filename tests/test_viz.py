"""Drawings of the graph, checked as SVG: the values, ops, edges, labels and numbers a person would read."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from colours import luminance
from helpers import assert_named_errors
from micrograd import MLP, Value, linear
from micrograd.lab import viz_text
from micrograd.lab.render import render_svg
from micrograd.lab.viz import draw_dot
from micrograd.training.losses import softmax_cross_entropy
from reading import (
    RENDERERS,
    SVG,
    kind,
    lecture_example_after_backward,
    read_drawing,
    recurrence,
    texts,
    using,
    what_a_person_sees,
)


@pytest.fixture(params=RENDERERS)
def renderer(request):
    with using(request.param):
        yield request.param


# -- the drawing of a small expression --------------------------------------------------------


def test_a_small_expression_shows_every_value_op_and_edge(renderer):
    v = lecture_example_after_backward()
    values, edges = what_a_person_sees(render_svg(draw_dot(v["L"])))

    # By hand: e = 2·(−3) = −6, d = −6 + 10 = 4, L = 4·(−2) = −8;
    # dL/dd = f = −2, dL/df = d = 4, dL/de = dL/dc = −2, dL/da = b·(−2) = 6, dL/db = a·(−2) = −4.
    assert values == {
        "a": ["data 2", "grad 6"],
        "b": ["data -3", "grad -4"],
        "c": ["data 10", "grad -2"],
        "e": ["data -6", "grad -2"],
        "d": ["data 4", "grad -2"],
        "f": ["data -2", "grad 4"],
        "L": ["data -8", "grad 1"],
    }
    assert sorted((tail, head) for tail, head, _ in edges) == sorted(
        [
            ("a", "* of e"),
            ("b", "* of e"),
            ("* of e", "e"),
            ("e", "+ of d"),
            ("c", "+ of d"),
            ("+ of d", "d"),
            ("d", "* of L"),
            ("f", "* of L"),
            ("* of L", "L"),
        ]
    )


def test_edges_are_written_in_operand_order():
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    q = b / a  # b first: the numerator
    q.label = "q"
    drawing = draw_dot(q)
    nodes, _ = read_drawing(render_svg(drawing))
    name = {dot_name: lines[0] for dot_name, lines in nodes.items()}
    in_order = [line.split("[")[0].strip().split(" -> ") for line in drawing.source.splitlines() if " -> " in line]
    assert [(name[t], name[h]) for t, h in in_order if name[h] == "/"] == [("b", "/"), ("a", "/")]


def test_local_derivatives_on_the_edges_are_the_engines(renderer):
    v = lecture_example_after_backward()
    _, edges = what_a_person_sees(render_svg(draw_dot(v["L"], show_local=True)))
    # ∂e/∂a = b, ∂e/∂b = a, ∂d/∂e = ∂d/∂c = 1, ∂L/∂d = f, ∂L/∂f = d
    assert {(tail, head): labels for tail, head, labels in edges} == {
        ("* of e", "e"): [],
        ("a", "* of e"): ["-3"],
        ("b", "* of e"): ["2"],
        ("+ of d", "d"): [],
        ("e", "+ of d"): ["1"],
        ("c", "+ of d"): ["1"],
        ("* of L", "L"): [],
        ("d", "* of L"): ["-2"],
        ("f", "* of L"): ["4"],
    }


def test_a_value_used_twice_has_two_edges_each_with_its_local_derivative():
    a = Value(3.0, "a")
    b = a * a
    b.label = "b"
    b.backward()
    values, edges = what_a_person_sees(render_svg(draw_dot(b, show_local=True)))
    assert values == {"a": ["data 3", "grad 6"], "b": ["data 9", "grad 1"]}  # d(a²)/da = 2a = 6
    assert [(t, h, labels) for t, h, labels in edges if h == "* of b"] == [
        ("a", "* of b", ["3"]),
        ("a", "* of b", ["3"]),
    ]


def test_an_unlabelled_value_is_called_by_its_place_in_the_forward_order():
    a, b = Value(1.5, "a"), Value(-0.25, "b")
    values, _ = what_a_person_sees(render_svg(draw_dot((a + b).tanh())))
    # forward order: a (v1), b (v2), a + b (v3), tanh (v4)
    assert set(values) == {"a", "b", "v3", "v4"}
    assert values["v3"][0] == "data 1.25"
    assert values["v4"][0] == f"data {math.tanh(1.25):.4g}" == "data 0.8483"


def test_linear_is_one_node_with_its_operands_in_order():
    w = [Value(0.5, "w0"), Value(-1.0, "w1")]
    x = [Value(2.0, "x0"), Value(3.0, "x1")]
    z = linear(w, x, Value(0.25, "b"))
    z.label = "z"
    z.backward()
    values, edges = what_a_person_sees(render_svg(draw_dot(z, show_local=True)))
    # z = 0.5·2 − 1·3 + 0.25 = −1.75; ∂z/∂w_k = x_k, ∂z/∂x_k = w_k, ∂z/∂b = 1
    assert values["z"] == ["data -1.75", "grad 1"]
    # its inputs x0, x1 are leaves, as a first layer's x: the node reads w·x+b
    assert [(t, labels) for t, h, labels in edges if h == "w·x+b of z"] == [
        ("w0", ["2"]),
        ("w1", ["3"]),
        ("x0", ["0.5"]),
        ("x1", ["-1"]),
        ("b", ["1"]),
    ]


def test_a_neuron_reads_w_x_b_in_the_first_layer_and_w_a_b_after_it():
    model = MLP(2, [2, 1], activation="sigmoid", seed=1)
    out = model([0.5, -1.0])
    first, second = model.layers[0].z[0], model.layers[1].z[0]
    _, edges = what_a_person_sees(render_svg(draw_dot(out)))
    # z^1 = w^1 x + b^1 reads the inputs x; z^2 = w^2 a^1 + b^2 reads the activations a^1 = σ(z^1)
    into_first = sorted(t for t, h, _ in edges if h == f"w·x+b of {first.label}")
    into_second = sorted(t for t, h, _ in edges if h == f"w·a+b of {second.label}")
    assert into_first == ["b[1][0]", "w[1][0][0]", "w[1][0][1]", "x[0]", "x[1]"]
    assert into_second == ["a[1][0]", "a[1][1]", "b[2][0]", "w[2][0][0]", "w[2][0][1]"]


def top_to_bottom(svg: str) -> list[str]:
    """The first line of every node of a left-to-right drawing, from the top of the picture down."""
    root = ET.fromstring(svg.encode("utf-8"))
    firsts = []
    for g in root.iter(f"{SVG}g"):
        if kind(g) == "node":
            first = next(g.iter(f"{SVG}text"))
            firsts.append((float(first.get("y")), "".join(first.itertext())))
    return [text for _, text in sorted(firsts)]


def test_a_neurons_operands_are_drawn_in_the_formulas_order(renderer):
    # The loss's y·z is a w·a+b node of the one-hot y and the scores z: left to itself, dot draws
    # them rotated (y[2] .. y[9], y[0], y[1]; z[1][8], z[1][9], z[1][0] ..), which reads as a shuffle.
    model = MLP(3, [10], seed=0)
    loss = softmax_cross_entropy([model([0.5, -1.0, 0.25])], [3])
    loss.backward()
    shown = top_to_bottom(render_svg(draw_dot(loss, depth=5)))
    assert [t for t in shown if t.startswith("y[")] == [f"y[{k}]" for k in range(10)]
    assert [t for t in shown if re.fullmatch(r"z\[1\]\[\d\]", t)] == [f"z[1][{k}]" for k in range(10)]
    assert [t for t in shown if t.startswith("z[1][") and t.endswith(" - M")] == [f"z[1][{k}] - M" for k in range(10)]


def test_grads_can_be_hidden_before_backward():
    a = Value(2.0, "a")
    values, _ = what_a_person_sees(render_svg(draw_dot(a * 3, show_grad=False)))
    assert values["a"] == ["data 2"]
    assert values["v3"] == ["data 6"]


def test_highlighted_values_and_edges_are_coloured():
    v = lecture_example_after_backward()
    svg = render_svg(draw_dot(v["L"], highlight=[v["a"]], highlight_edges=[(v["e"], 1)]))
    root = ET.fromstring(svg)
    fills = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "node" and len(texts(g)) == 3:
            fills[texts(g)[0]] = {p.get("fill") for p in g.iter(f"{SVG}polygon")}
    assert "#ffd54f" in fills["a"]
    assert all("#ffd54f" not in f for name, f in fills.items() if name != "a")
    colored = [
        g for g in root.iter(f"{SVG}g") if g.get("class") == "edge" and g.find(f"{SVG}path").get("stroke") != "black"
    ]
    assert len(colored) == 1
    tail = colored[0].find(f"{SVG}title").text.split("->")[0]
    assert read_drawing(svg)[0][tail][0] == "b"  # the edge from e's second operand, b


# -- numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "shown"),
    [
        (math.nan, "nan"),
        (math.inf, "inf"),
        (-math.inf, "-inf"),
        (-0.0, "-0"),
        (0.0, "0"),
        (1e308, "1e+308"),
        (-1.7976931348623157e308, "-1.798e+308"),
        (5e-324, "4.941e-324"),
        (123456.0, "1.235e+05"),
        (0.1 + 0.2, "0.3"),
        (2 / 3, "0.6667"),
    ],
)
def test_special_numbers_render_as_themselves(renderer, x, shown):
    v = Value(x, "x")
    v.grad = x
    values, _ = what_a_person_sees(render_svg(draw_dot(v)))
    assert values["x"] == [f"data {shown}", f"grad {shown}"]


def test_digits_sets_the_significant_digits():
    x = Value(math.pi, "pi")
    assert what_a_person_sees(render_svg(draw_dot(x, digits=2)))[0]["pi"][0] == "data 3.1"
    exact = what_a_person_sees(render_svg(draw_dot(x, digits=17)))[0]["pi"][0]
    assert float(exact.removeprefix("data ")) == math.pi  # 17 digits give the float back exactly


finite = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=50)
@given(st.lists(finite, min_size=2, max_size=2), st.integers(1, 17))
def test_every_number_shown_is_the_engines_to_the_given_digits(xs, digits):
    a, b = Value(xs[0], "a"), Value(xs[1], "b")
    c = a * b
    c.label = "c"
    c.grad, a.grad = 1.0, xs[1]  # what backward() would give
    values, edges = what_a_person_sees(render_svg(draw_dot(c, show_local=True, digits=digits)))
    shown = {
        "a.data": values["a"][0],
        "b.data": values["b"][0],
        "c.data": values["c"][0],
        "∂c/∂a": dict(((t, h), lab) for t, h, lab in edges)[("a", "* of c")][0],
        "∂c/∂b": dict(((t, h), lab) for t, h, lab in edges)[("b", "* of c")][0],
    }
    engine = {"a.data": a.data, "b.data": b.data, "c.data": c.data, "∂c/∂a": c._local[0], "∂c/∂b": c._local[1]}
    for what, text in shown.items():
        number = float(text.removeprefix("data "))
        x = engine[what]
        assert text.removeprefix("data ") == f"{x:.{digits}g}", what
        if math.isfinite(number):  # (rounding 1.5e308 to one digit gives 2e308, which is inf)
            assert number == pytest.approx(x, rel=10.0 ** (1 - digits)), what  # the shown number is x, rounded


# -- labels are text, never DOT ---------------------------------------------------------------

HOSTILE_LABELS = [
    'say "hi"',
    "{braces} and | pipes |",
    "<b>not bold</b> <TABLE>",
    "a -> b; c [label=x]",
    'x"]; evil [label="injected"]; y [label="',
    "back\\slash \\N \\G \\E \\T \\H \\L \\l \\n \\\\ end\\",
    "&amp; &lt; &#92; &#10; &",
    "ünïcödé 中文 😀 ∂L/∂w · σ(z) \u2028 \ufeff",
    "trailing spaces   ",
    "   leading",
    "]]> <!-- --> <?xml?>",
]


@pytest.mark.parametrize("label", HOSTILE_LABELS)
def test_hostile_labels_render_as_themselves(renderer, label):
    a = Value(1.0, label)
    b = a + 1
    b.label = label
    nodes, edges = read_drawing(render_svg(draw_dot(b)))
    assert len(nodes) == 4 and len(edges) == 3  # a, 1, the op and b, and their edges: the label added nothing
    shown = [lines[0] for lines in nodes.values() if len(lines) == 3]
    assert shown.count(label) == 2


def test_newlines_break_lines_and_long_lines_wrap(renderer):
    label = "first line\nsecond line\n\n" + "x" * 200
    nodes, _ = read_drawing(render_svg(draw_dot(Value(0.0, label))))
    (lines,) = nodes.values()
    assert lines[:-2] == ["first line", "second line", "x" * 80, "x" * 80, "x" * 40]  # the empty line draws nothing
    assert lines[-2:] == ["data 0", "grad 0"]


def test_a_label_longer_than_old_dot_accepts_in_one_line_still_renders(renderer):
    label = "0123456789" * 2000  # 20,000 characters: one line of DOT holds at most 16,384
    nodes, _ = read_drawing(render_svg(draw_dot(Value(1.0, label))))
    (lines,) = nodes.values()
    assert "".join(lines[:-2]) == label


@pytest.mark.parametrize(
    ("label", "shown"),
    [
        ("bell\x07", "bell\\x07"),
        ("nul\x00", "nul\\x00"),
        ("tab\there", "tab\\there"),
        ("cr\rhere", "cr\\rhere"),
        ("del\x7f", "del\\x7f"),
        ("lone surrogate \ud800", "lone surrogate \\ud800"),
        ("not a character \uffff", "not a character \\uffff"),
    ],
)
def test_characters_that_cannot_be_drawn_are_shown_as_escapes(renderer, label, shown):
    nodes, _ = read_drawing(render_svg(draw_dot(Value(1.0, label))))
    assert [lines[0] for lines in nodes.values()] == [shown]


def test_windows_line_endings_break_lines_once(renderer):
    nodes, _ = read_drawing(render_svg(draw_dot(Value(1.0, "one\r\ntwo"))))
    assert next(iter(nodes.values()))[:2] == ["one", "two"]


def drawable_text(**kwargs):
    """Text made only of characters that are drawn as themselves (no controls, surrogates or non-characters)."""
    alphabet = st.characters(exclude_categories=("Cc", "Cs"), exclude_characters="\ufffe\uffff")
    return st.text(st.one_of(st.sampled_from('"{}|<>\\&;#[]-/NGETHLl '), alphabet), **kwargs)


def assert_label_renders_as_itself(label: str) -> None:
    """`label` on a leaf and on the node above it shows as itself in both cells, with either renderer."""
    for name in RENDERERS:
        with using(name):
            node = Value(1.0, label) * 2.0
            node.label = label
            nodes, edges = read_drawing(render_svg(draw_dot(node)))
            assert len(nodes) == 4 and len(edges) == 3
            shown = ["".join(lines[:-2]) for lines in nodes.values() if lines[-1].startswith("grad")]
            assert shown.count(label.replace("\xa0", " ")) == 2, (name, shown)


PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"


@pytest.mark.parametrize("label", [c * n for c in PUNCTUATION for n in (1, 2)] + ["]]>", "<![CDATA[x]]>", "&#93;"])
def test_every_punctuation_label_renders_as_itself(label):
    # Graphviz 2.43 once moved a cell made only of "]" into the next cell; every short run is checked here.
    assert_label_renders_as_itself(label)


@settings(max_examples=100)
@given(drawable_text(min_size=1, max_size=120))
@example("]")
def test_any_label_renders_as_itself_with_either_renderer(label):
    assert_label_renders_as_itself(label)


@settings(max_examples=100)
@given(st.text(max_size=60), st.floats())
def test_any_string_and_number_make_valid_dot_and_svg(label, x):
    node = Value(x, label)
    node.grad = x
    for name in RENDERERS:
        with using(name):
            drawing = draw_dot(node, show_local=True)
            canon = drawing.pipe(format="canon", encoding="utf-8")  # the renderer parsed the DOT
            assert canon.lstrip().startswith("digraph")
            nodes, _ = read_drawing(render_svg(drawing))  # the SVG is valid XML
            assert len(nodes) == 1


# -- size --------------------------------------------------------------------------------------


def test_the_loss_of_an_mlp_example_draws_every_value_and_edge(renderer):
    model = MLP(2, [16, 16, 1], activation="tanh", seed=0)
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    values, edges = what_a_person_sees(render_svg(draw_dot(loss, max_nodes=500)))
    for p in model.parameters():
        assert values[p.label] == [f"data {p.data:.4g}", f"grad {p.grad:.4g}"]
    assert values["x[0]"][0] == "data 0.5" and values["x[1]"][0] == "data -1"
    parameters = 16 * (2 + 1) + 16 * (16 + 1) + (16 + 1)
    z_and_a = 16 * 2 + 16 * 2 + 1  # the last layer is linear: its a is its z
    assert len(values) == parameters + 2 + z_and_a + 3  # + the inputs, + 1.0, out − 1.0 and its square
    operands = 16 * (5 + 1) + 16 * (33 + 1) + 33 + 2 + 1  # z = w·a + b reads 2n + 1 operands, σ one
    ops = z_and_a + 2
    assert len(edges) == operands + ops  # one edge per operand, and one from each op to its value


def test_a_graph_too_large_to_read_raises_a_clear_error():
    x = Value(0.0, "x")
    for _ in range(150):
        x = x + 1.0  # each step adds two values: the constant and the sum
    message = r"more than max_nodes=300 values.*depth=3.*one neuron's output.*larger max_nodes"
    with pytest.raises(ValueError, match=message):
        draw_dot(x)
    drawing = draw_dot(x, max_nodes=301)  # exactly 301 values
    assert drawing.source.count("shape=plain") == 301


def test_a_whole_mlp_is_refused_with_a_pointer_to_drawing_less():
    model = MLP(2, [16, 16, 1], seed=0)
    out = model([0.5, -1.0])
    with pytest.raises(ValueError, match=r"max_nodes=300.*depth=.*model\.layers\[0\]\.a\[0\]"):
        draw_dot(out)
    out.backward()
    values, _ = what_a_person_sees(render_svg(draw_dot(model.layers[0].a[0])))  # one neuron: 7 values
    neuron = model.layers[0].neurons[0]
    assert set(values) == {"w[1][0][0]", "w[1][0][1]", "x[0]", "x[1]", "b[1][0]", "z[1][0]", "a[1][0]"}
    assert values["a[1][0]"][0] == f"data {max(0.0, 0.5 * neuron.w[0].data - neuron.w[1].data):.4g}"


def test_max_nodes_is_the_number_of_values():
    a = Value(1.0)
    b = a * 2  # three values: a, 2 and b
    assert draw_dot(b, max_nodes=3)
    with pytest.raises(ValueError, match="max_nodes=2"):
        draw_dot(b, max_nodes=2)


# -- bad arguments -----------------------------------------------------------------------------


def test_bad_arguments_raise_named_errors():
    assert_named_errors(
        {
            "not a value": ("draw_dot(3.0)", "TypeError", "expected a Value"),
            "rankdir": ("draw_dot(Value(1), rankdir='XY')", "ValueError", "rankdir must be one of LR, RL, TB, BT"),
            "digits zero": ("draw_dot(Value(1), digits=0)", "ValueError", "between 1 and 17"),
            "digits float": ("draw_dot(Value(1), digits=2.5)", "TypeError", "digits must be an int"),
            "show_grad": ("draw_dot(Value(1), show_grad='no')", "TypeError", "show_grad must be True or False"),
            "max_nodes": ("draw_dot(Value(1), max_nodes=0)", "ValueError", "max_nodes must be at least 1"),
            "max_nodes type": ("draw_dot(Value(1), max_nodes=1.5)", "TypeError", "max_nodes must be an int"),
            "depth type": ("draw_dot(Value(1), depth=1.5)", "TypeError", "depth must be an int"),
            "depth negative": ("draw_dot(Value(1), depth=-1)", "ValueError", "depth must be at least 0"),
            "highlight type": ("draw_dot(Value(1), highlight=[1.0])", "TypeError", "highlight takes Values"),
            "highlight other": ("draw_dot(Value(1), highlight=[Value(2)])", "ValueError", "not in the graph"),
            "edge pair": ("draw_dot(Value(1), highlight_edges=[1])", "TypeError", "(node, i) pairs"),
            "edge index": (
                "a = Value(1); b = a * 2; draw_dot(b, highlight_edges=[(b, 2)])",
                "ValueError",
                "has 2 children, so no child number 2",
            ),
        },
        imports="from micrograd import Value\nfrom micrograd.lab.viz import draw_dot",
    )


# -- graphs that used to take minutes to lay out ------------------------------------------------------


@pytest.fixture
def patient(monkeypatch):
    """A generous deadline: these drawings take well under a second, and once took minutes."""
    monkeypatch.setenv("MICROGRAD_RENDER_TIMEOUT", "30")


@pytest.mark.parametrize("steps", [30, 60])
def test_the_recurrence_draws_every_value_with_the_shared_weight_beside_each_step(renderer, patient, steps):
    h, _, _ = recurrence(steps)
    svg = render_svg(draw_dot(h))
    values, edges = what_a_person_sees(svg)
    # By hand, in plain floats: forward, then dL/dh_{t−1} = dL/dh_t · (1 − h_t²) · w,
    # and dL/dw = Σ_t dL/dh_t · (1 − h_t²) · h_{t−1}
    floats = [0.1]
    for t in range(1, steps + 1):
        floats.append(math.tanh(0.5 * floats[-1] + 0.01 * t))
    dh, dw = [0.0] * steps + [1.0], 0.0
    for t in range(steps, 0, -1):
        ds = dh[t] * (1 - floats[t] ** 2)
        dw += ds * floats[t - 1]
        dh[t - 1] = ds * 0.5
    assert len(values) == 4 * steps + 2  # w, h0, and per step x_t, w·h_{t−1}, s_t, h_t
    for t in range(steps + 1):
        assert values[f"h{t}"] == [f"data {floats[t]:.4g}", f"grad {dh[t]:.4g}"]
    assert values["w"] == ["data 0.5", f"grad {dw:.4g}"]
    # w is drawn next to each step that uses it, every copy with the same data and grad, feeding that step only
    copies = [lines for lines in read_drawing(svg)[0].values() if lines[0] == "w"]
    assert len(copies) == steps and all(lines == ["w", "data 0.5", f"grad {dw:.4g}"] for lines in copies)
    assert sorted(head for tail, head, _ in edges if tail == "w") == sorted(f"* of w·h{t}" for t in range(steps))
    nodes, raw_edges = read_drawing(svg)
    fed = {}
    for tail, head, _ in raw_edges:
        if nodes[tail][0] == "w":
            fed.setdefault(tail, []).append(head)
    assert all(len(heads) == 1 for heads in fed.values())


def test_x_times_itself_80_times_draws_every_partial_product(renderer, patient):
    x = Value(1.01, "x")
    p = x
    products = []
    for k in range(2, 81):
        p = p * x
        p.label = f"x^{k}"
        products.append(p)
    p.backward()
    values, edges = what_a_person_sees(render_svg(draw_dot(p)))
    assert set(values) == {"x"} | {f"x^{k}" for k in range(2, 81)}
    for k in range(2, 81):  # x^k = 1.01^k, and ∂x^80/∂x^k = x^(80−k)
        assert values[f"x^{k}"] == [f"data {1.01**k:.4g}", f"grad {1.01 ** (80 - k):.4g}"]
    assert values["x"] == ["data 1.01", f"grad {80 * 1.01**79:.4g}"]
    assert sum(1 for tail, head, _ in edges if tail == "x") == 80  # x·x, then one more x per product


def test_a_value_used_by_ops_close_together_is_drawn_once():
    x = Value(3.0, "x")
    y = (x * x + x) * x  # x·x, + x, then · x: three ops in a row
    y.label = "y"
    z = y + x.tanh()  # and a fourth, beside the third
    nodes, _ = read_drawing(render_svg(draw_dot(z)))
    assert [lines[0] for lines in nodes.values()].count("x") == 1
    far = z * x  # a fifth use, three ops past the others: a copy beside it
    nodes, _ = read_drawing(render_svg(draw_dot(far)))
    assert [lines[0] for lines in nodes.values()].count("x") == 2


# -- drawing the part next to the root ------------------------------------------------------------


def test_depth_draws_the_values_up_to_that_many_ops_below_the_root(renderer):
    v = lecture_example_after_backward()
    values, edges = what_a_person_sees(render_svg(draw_dot(v["L"], depth=1)))
    assert values == {"d": ["data 4", "grad -2"], "f": ["data -2", "grad 4"], "L": ["data -8", "grad 1"]}
    # d is computed by + from values not drawn: its op is drawn, with nothing going in
    assert sorted((t, h) for t, h, _ in edges) == [("* of L", "L"), ("+ of d", "d"), ("d", "* of L"), ("f", "* of L")]
    values, _ = what_a_person_sees(render_svg(draw_dot(v["L"], depth=2)))
    assert set(values) == {"c", "d", "e", "f", "L"}
    assert set(what_a_person_sees(render_svg(draw_dot(v["L"], depth=3)))[0]) == set(FINAL)


def test_depth_keeps_the_names_of_the_whole_graph_and_counts_only_what_it_draws():
    model = MLP(2, [16, 16, 1], seed=0)
    out = model([0.5, -1.0])
    drawing = draw_dot(out, depth=1)  # the output neuron and the 16 activations it reads
    nodes, _ = read_drawing(render_svg(drawing))
    names = {lines[0] for lines in nodes.values() if len(lines) > 1}
    assert names == {"z[3][0]", "w[3][0][0]", "b[3][0]"} | {f"w[3][0][{k}]" for k in range(1, 16)} | {
        f"a[2][{j}]" for j in range(16)
    }
    assert drawing.counts == (len(names), 17)  # z's op, and the relu of each a[2][j] (dotted: its input is cut)
    assert "style=dotted" in drawing.source
    unnamed = Value(1.0) * 2.0
    # the product is v3, its place in the whole graph (v1 · v2), though it is the first value drawn
    assert read_drawing(render_svg(draw_dot(unnamed.tanh(), depth=1)))[0]["n0"][0] == "v3"


FINAL = {"a", "b", "c", "d", "e", "f", "L"}


# -- colours ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("background", ["#ffffff", viz_text.LEAF_COLOR, viz_text.HIGHLIGHT])
def test_a_made_up_name_is_readable_on_every_background_a_value_s_box_has(background):
    """WCAG 2 AA for normal text (4.5:1 at least): the grey italic v1, v2, ... on white, on a leaf, on the lit value."""

    def colour(hex_: str) -> tuple[float, float, float]:
        return tuple(int(hex_[i : i + 2], 16) for i in (1, 3, 5))

    light, dark = sorted((luminance(colour(background)), luminance(colour(viz_text.UNNAMED_COLOR))), reverse=True)
    assert (light + 0.05) / (dark + 0.05) >= 4.5
