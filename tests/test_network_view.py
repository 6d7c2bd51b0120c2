"""The network view against the four equations (micrograd.equations); the numbers it draws, read back from its SVG."""

from __future__ import annotations

import pathlib
import random
import re
import xml.etree.ElementTree as ET

import pytest

import micrograd.lab.network_view as network_view
from micrograd import MLP, Value
from micrograd.equations import backprop
from micrograd.lab.network_view import MAX_WEIGHT_LABELS, draw_network
from micrograd.lab.placement import Labels
from micrograd.lab.render import render_svg
from micrograd.ops import ACTIVATIONS
from micrograd.training.losses import binary_cross_entropy
from placement_reference import EveryPair

SVG = "{http://www.w3.org/2000/svg}"
SHAPES = [(2, [3, 1]), (3, [4, 4, 2]), (1, [2, 2, 1])]


def close(got: float, expected: float) -> bool:
    return abs(got - expected) <= 1e-12 * max(1.0, abs(expected))


def example(nin: int, nout: int, seed: int) -> tuple[list[float], list[float]]:
    rng = random.Random(seed)
    return [rng.uniform(-2, 2) for _ in range(nin)], [rng.uniform(-1, 1) for _ in range(nout)]


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize(("nin", "sizes"), SHAPES)
def test_z_a_delta_and_dC_dw_are_those_of_BP1_to_BP4(nin, sizes, activation):
    model = MLP(nin, sizes, activation=activation, output_activation=activation, seed=3)
    x, y = example(nin, sizes[-1], seed=len(sizes))
    view = draw_network(model, x, y if len(y) > 1 else y[0])
    oracle = backprop(model, x, y)
    for l in range(1, len(sizes) + 1):
        for j in range(sizes[l - 1]):
            assert close(view.z[l][j], oracle.z[l][j]) and close(view.a[l][j], oracle.a[l][j])
            assert close(view.delta[l][j], oracle.delta[l][j]), (l, j)  # BP1, BP2
            assert close(view.dC_db[l][j], oracle.dC_db[l][j])  # BP3
            for k in range(len(oracle.dC_dw[l][j])):
                assert close(view.dC_dw[l][j][k], oracle.dC_dw[l][j][k])  # BP4
    assert close(view.cost, oracle.C)


def numbers_drawn(svg: str) -> dict[str, dict[str, float]]:
    """Each neuron's drawn numbers (b, z, a, δ) by name, each weight's (w, ∂C/∂w) by id: read with an XML parser."""
    root = ET.fromstring(svg)
    found: dict[str, dict[str, float]] = {}
    for g in root.iter(f"{SVG}g"):
        texts = ["".join(t.itertext()) for t in g.iter(f"{SVG}text")]
        if g.get("class") == "neuron":
            name = g.find(f"{SVG}title").text
            found[name] = {m.group(1): float(m.group(2)) for t in texts if (m := re.fullmatch(r"(\S+) = (\S+)", t))}
            if name.startswith("x"):
                found[name] = {"x": float(texts[1])}
        elif g.get("class") == "weight-label":
            found[g.get("id")] = {
                m.group(1): float(m.group(2)) for t in texts if (m := re.fullmatch(r"(\S+) = (\S+)", t))
            }
    return found


def test_the_numbers_drawn_are_those_of_the_equations_to_the_digits_shown():
    model = MLP(2, [3, 1], activation="tanh", seed=1)
    x, y = [0.5, -1.0], [1.0]
    view = draw_network(model, x, y[0], show_weight_grads=True)
    oracle = backprop(model, x, y)
    drawn = numbers_drawn(view.svg)

    def near(shown: float, exact: float) -> bool:
        return abs(shown - exact) <= 5e-4 * abs(exact) + 1e-300  # 4 significant digits

    assert drawn["x[0]"]["x"] == 0.5 and drawn["x[1]"]["x"] == -1.0
    for l in (1, 2):
        for j in range(len(oracle.z[l])):
            shown = drawn[f"a[{l}][{j}]"]
            assert near(shown["z"], oracle.z[l][j]) and near(shown["a"], oracle.a[l][j])
            assert near(shown["δ"], oracle.delta[l][j]) and shown["b"] == oracle.b[l][j]
            for k in range(len(oracle.w[l][j])):
                label = drawn[f"lw{l}_{j}_{k}"]
                name = "w" + "¹²"[l - 1] + "₀₁₂"[j] + "₀₁₂"[k]  # w^l_jk, as the textbook writes it
                assert set(label) == {name, "∂C/∂w"}
                assert near(label[name], oracle.w[l][j][k]) and near(label["∂C/∂w"], oracle.dC_dw[l][j][k])
    assert len([key for key in drawn if key.startswith("lw")]) == 2 * 3 + 3 * 1  # one label per weight


def test_line_width_and_colour_follow_the_weight():
    model = MLP(2, [2, 1], seed=0)
    weights = [w for layer in model.layers for n in layer.neurons for w in n.w]
    for w, value in zip(weights, [0.1, -0.2, 0.4, -0.8, 0.05, 0.0]):
        w.data = value
    root = ET.fromstring(draw_network(model).svg)
    lines = {g.get("id"): g.find(f"{SVG}line") for g in root.iter(f"{SVG}g") if g.get("class") == "weight"}
    width = {key: float(line.get("stroke-width")) for key, line in lines.items()}
    assert width["w1_1_1"] > width["w1_1_0"] > width["w1_0_1"] > width["w1_0_0"] > width["w2_0_0"]
    assert {lines[k].get("stroke") for k in ("w1_0_0", "w1_1_0")} == {"#1565c0"}  # blue: w > 0
    assert {lines[k].get("stroke") for k in ("w1_0_1", "w1_1_1")} == {"#e65100"}  # orange: w < 0


def test_without_a_target_only_the_forward_pass_is_shown_and_grads_are_untouched():
    model = MLP(2, [3, 1], seed=2)
    for p in model.parameters():
        p.grad = 7.0
    view = draw_network(model, [1.0, 2.0])
    assert view.delta is None and view.dC_dw is None and "δ" not in view.svg
    assert all(p.grad == 7.0 for p in model.parameters())
    out = model([1.0, 2.0])
    assert view.a[2][0] == out.data
    bare = draw_network(model)
    assert bare.a is None and "z =" not in bare.svg and "b = 0" in bare.svg


def test_another_loss_gives_its_own_deltas():
    model = MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=4)
    x = [0.3, -0.7]
    view = draw_network(model, x, 1, loss=binary_cross_entropy)
    p = view.a[2][0]
    # BCE with a sigmoid output: δ^L = ∂C/∂z = p − y, a closed form independent of BP1's quadratic cost
    assert abs(view.delta[2][0] - (p - 1)) <= 1e-12
    assert view.dC_dw[2][0] == [view.a[1][k] * view.delta[2][0] for k in range(3)] or all(
        abs(g - view.a[1][k] * view.delta[2][0]) <= 1e-15 for k, g in enumerate(view.dC_dw[2][0])
    )


def test_a_neuron_in_the_scalar_graph_is_its_part_of_the_graph_highlighted():
    model = MLP(2, [3, 1], activation="tanh", seed=1)
    view = draw_network(model, [0.5, -1.0], 1.0, highlight=(1, 2))
    svg = render_svg(view.neuron(1, 2))
    root = ET.fromstring(svg)
    filled = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "node":
            lines = ["".join(t.itertext()).replace("\xa0", " ") for t in g.iter(f"{SVG}text")]
            filled[lines[0]] = (lines, {p.get("fill") for p in g.iter(f"{SVG}polygon")})
    n = model.layers[0].neurons[2]
    mine = {"z[1][2]", "a[1][2]", "w[1][2][0]", "w[1][2][1]", "b[1][2]"}
    assert mine <= set(filled)
    assert all("#ffd54f" in filled[name][1] for name in mine)  # highlighted
    assert all("#ffd54f" not in fills for name, (_, fills) in filled.items() if name not in mine)
    assert filled["z[1][2]"][0][2] == f"grad {view.delta[1][2]:.4g}"  # the same δ as the network view
    assert filled["w[1][2][1]"][0][2] == f"grad {view.dC_dw[1][2][1]:.4g}" and n.w[1].grad == view.dC_dw[1][2][1]
    assert "z[2][0]" not in filled  # only this neuron's part
    whole = render_svg(view.neuron(1, 2, whole=True))
    assert "z[2][0]" in whole and whole.count("#ffd54f") >= len(mine)
    assert 'fill="#ffd54f"' in view.svg  # and the network view colours the same neuron


def test_bad_arguments_say_what_is_wrong():
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(TypeError, match="takes an MLP"):
        draw_network([1, 2])
    with pytest.raises(ValueError, match="needs its input x"):
        draw_network(model, None, 1.0)
    with pytest.raises(ValueError, match="expects 2 inputs"):
        draw_network(model, [1.0])
    with pytest.raises(ValueError, match="no layer 3"):
        draw_network(model, highlight=(3, 0))
    with pytest.raises(ValueError, match="neurons 0 to 2, so no neuron 5"):
        draw_network(model, [1, 2]).neuron(1, 5)
    with pytest.raises(ValueError, match="with an input x first"):
        draw_network(model).neuron(1, 0)
    with pytest.raises(ValueError, match="show_weight_grads needs"):
        draw_network(model, [1, 2], show_weight_grads=True)
    with pytest.raises(TypeError, match="two ints"):
        draw_network(model, highlight=(1.0, 0))


def test_it_reads_in_one_line_and_lists_every_neuron():
    model = MLP(2, [3, 1], activation="tanh", seed=1)
    view = draw_network(model, [0.5, -1.0], 1.0)
    assert repr(view) == f"NetworkView(2-3-1 network: forward and backward, C = {view.cost:.4g})"
    lines = str(view).splitlines()
    assert len(lines) == 2 + 4 and lines[2].startswith("a[1][0] (tanh): b = 0, z = ")
    assert f"δ = {view.delta[2][0]:.4g}" in lines[-1]
    assert isinstance(view.root, Value) and view.root.data == view.cost
    assert '<div class="mg-figure">' in view._repr_html_()


def test_the_tour_s_picture_is_what_draw_network_draws():
    """docs/images/network_view.svg, as docs/make_lab_images.py wrote it, is the tour example's drawing today."""
    root = pathlib.Path(__file__).resolve().parents[1]
    model = MLP(2, [3, 1], activation="tanh", seed=1)
    drawn = draw_network(model, [0.5, -1.0], 1.0, show_weight_grads=True, highlight=(1, 2)).svg
    assert (root / "docs" / "images" / "network_view.svg").read_text(encoding="utf-8") == drawn
    assert "draw_network(net, [0.5, -1.0], 1.0, show_weight_grads=True, highlight=(1, 2))" in (
        root / "docs" / "tour.md"
    ).read_text(encoding="utf-8")


LAID_OUT = """svg => ({
  labels: [...svg.querySelectorAll("g.weight-label")].map(g => {
    const b = g.getBBox();
    return {id: g.id, box: [b.x, b.y, b.x + b.width, b.y + b.height]};
  }),
  lines: Object.fromEntries([...svg.querySelectorAll("g.weight line")].map(l => [
    l.parentNode.id, ["x1", "y1", "x2", "y2"].map(a => l[a].baseVal.value)])),
  circles: [...svg.querySelectorAll("circle")].map(c => [c.cx.baseVal.value, c.cy.baseVal.value, c.r.baseVal.value]),
})"""


@pytest.mark.parametrize(("nin", "sizes", "seed"), [(2, [3, 1], 1), (3, [4, 3, 1], 2), (8, [8, 1], 6)])
def test_each_weight_label_sits_on_its_line_and_covers_no_other_text_in_a_browser(
    open_page, tmp_path, nin, sizes, seed
):
    """Chromium lays the labels out: no two overlap, none covers a neuron, each is crossed by its own weight's line.

    The 8-8-1 network needs the layers moved further apart than usual.
    """
    model = MLP(nin, sizes, activation="tanh", seed=seed)
    x, y = example(nin, sizes[-1], seed)
    path = tmp_path / "network.svg"
    path.write_text(draw_network(model, x, y, show_weight_grads=True).svg, encoding="utf-8")
    seen = open_page(path).eval_on_selector("svg", LAID_OUT)
    labels = seen["labels"]
    assert len(labels) == sum(len(n.w) for layer in model.layers for n in layer.neurons)
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            assert not _boxes_meet(a["box"], b["box"]), f"{a['id']} and {b['id']} overlap"
        for cx, cy, r in seen["circles"]:
            nearest = (min(max(cx, a["box"][0]), a["box"][2]), min(max(cy, a["box"][1]), a["box"][3]))
            assert (nearest[0] - cx) ** 2 + (nearest[1] - cy) ** 2 > r * r, f"{a['id']} covers a neuron"
        x1, y1, x2, y2 = seen["lines"][a["id"][1:]]  # the label lw1_0_2 belongs to the line w1_0_2
        along = [(x1 + t / 200 * (x2 - x1), y1 + t / 200 * (y2 - y1)) for t in range(201)]
        assert any(_inside(p, a["box"]) for p in along), f"{a['id']} is off its line"


def _boxes_meet(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _inside(p: tuple[float, float], box: list[float]) -> bool:
    return box[0] <= p[0] <= box[2] and box[1] <= p[1] <= box[3]


@pytest.mark.parametrize(
    ("nin", "sizes", "seed", "digits"),
    [
        (2, [3, 1], 1, 4),
        (3, [4, 3, 1], 2, 4),
        (3, [4, 3, 1], 2, 8),  # the layers moved apart further than for 4 digits
        (8, [8, 1], 6, 4),
        (2, [5, 5, 1], 1, 2),
        (3, [4, 4, 2], 6, 8),
        (6, [6, 6, 1], 1, 4),
        (9, [9, 1], 1, 8),  # labels that cover others even at the widest spacing: the least-covered spots
        (12, [12, 1], 1, 4),  # MAX_WEIGHT_LABELS weights between two layers
    ],
)
def test_every_label_is_where_checking_every_line_and_box_puts_it(monkeypatch, nin, sizes, seed, digits):
    """The grid only skips lines and boxes that cannot matter: the SVG is byte for byte the one of checking them all."""
    model = MLP(nin, sizes, activation="tanh", seed=seed)
    x, y = example(nin, sizes[-1], seed)
    target = y if len(y) > 1 else y[0]
    fast = draw_network(model, x, target, show_weight_grads=True, digits=digits, highlight=(1, 0)).svg
    monkeypatch.setattr(network_view, "Labels", EveryPair)
    every = draw_network(model, x, target, show_weight_grads=True, digits=digits, highlight=(1, 0)).svg
    assert fast.count('class="weight-label"') == sum(a * b for a, b in zip([nin, *sizes], sizes))
    assert fast == every


def test_the_tour_s_picture_is_where_checking_every_line_and_box_puts_it(monkeypatch):
    root = pathlib.Path(__file__).resolve().parents[1]
    monkeypatch.setattr(network_view, "Labels", EveryPair)
    model = MLP(2, [3, 1], activation="tanh", seed=1)
    drawn = draw_network(model, [0.5, -1.0], 1.0, show_weight_grads=True, highlight=(1, 2)).svg
    assert (root / "docs" / "images" / "network_view.svg").read_text(encoding="utf-8") == drawn


@pytest.mark.parametrize(("nin", "sizes", "band"), [(13, [13, 1], (0, 1, 169)), (4, [5, 30, 1], (1, 2, 150))])
def test_too_many_weight_labels_between_two_layers_is_refused_with_what_to_do(nin, sizes, band):
    model = MLP(nin, sizes, seed=0)
    x, y = example(nin, sizes[-1], 0)
    network = "-".join(map(str, [nin, *sizes]))
    message = (
        rf"the {network} network has {band[2]} weights between layers {band[0]} and {band[1]}, and their labels "
        rf"do not fit between two layers beyond {MAX_WEIGHT_LABELS} \(12 × 12\)\. Draw it with show_weight_grads=False"
    )
    with pytest.raises(ValueError, match=message) as refused:
        draw_network(model, x, y[0], show_weight_grads=True)
    assert "view.neuron(l, j)" in str(refused.value) and "smaller network" in str(refused.value)
    view = draw_network(model, x, y[0])  # without the labels, the same network is drawn
    assert view.svg.count('class="weight"') == sum(a * b for a, b in zip([nin, *sizes], sizes))
    assert view.dC_dw[band[1]][0][0] == model.layers[band[1] - 1].neurons[0].w[0].grad


def test_the_largest_band_of_labels_allowed_is_drawn():
    model = MLP(1, [MAX_WEIGHT_LABELS, 1], seed=0)
    view = draw_network(model, [0.5], 1.0, show_weight_grads=True)
    assert view.svg.count('class="weight-label"') == 2 * MAX_WEIGHT_LABELS


def test_two_digit_indices_are_kept_apart_in_a_weight_s_name():
    """w¹₁₁,₀ is into neuron 11 from neuron 0; without the comma it would read as w¹₁,₁₀ too."""
    model = MLP(12, [12, 1], seed=0)
    drawn = numbers_drawn(draw_network(model, [0.1] * 12, 1.0, show_weight_grads=True).svg)
    assert set(drawn["lw1_11_0"]) == {"w¹₁₁,₀", "∂C/∂w"} and set(drawn["lw1_1_10"]) == {"w¹₁,₁₀", "∂C/∂w"}
    assert set(drawn["lw1_9_9"]) == {"w¹₉₉", "∂C/∂w"} and set(drawn["lw2_0_11"]) == {"w²₀,₁₁", "∂C/∂w"}
    assert drawn["lw1_11_0"]["w¹₁₁,₀"] == float(f"{model.layers[0].neurons[11].w[0].data:.4g}")


@pytest.mark.parametrize("seed", range(6))
def test_labels_on_random_lines_go_where_checking_every_line_and_box_puts_them(seed):
    """Lines of any slope and length, some upright or flat, boxes taken anywhere, one box under everything: spots
    that tie on the area they cover must then be told apart by the lines crossing them, as EveryPair does."""
    rng = random.Random(seed)

    def point() -> tuple[float, float]:
        return rng.choice([float(rng.randrange(0, 600, 20)), rng.uniform(0, 600)]), rng.uniform(0, 400)

    lines = []
    for _ in range(60):
        (x0, y0), (x1, y1) = point(), point()
        shape = rng.randrange(4)
        lines.append(((x0, y0), (x0, y1) if shape == 0 else (x1, y0) if shape == 1 else (x1, y1)))
    taken = [(-50.0, -50.0, 650.0, 450.0)] if seed % 2 else []
    taken += [(x, y, x + rng.uniform(5, 80), y + rng.uniform(5, 80)) for x, y in (point() for _ in range(15))]
    fast, every = Labels(lines, taken), EveryPair(lines, taken)
    for line in lines:
        text = ("w " + "9" * rng.randrange(1, 9), "∂C/∂w " + "9" * rng.randrange(1, 9))
        assert fast.place(line, text, size=9.0) == every.place(line, text, size=9.0)
    assert fast.taken == every.taken
