"""The exercises value (the learner's own Value class) and topological_sort, graded against micrograd's graph.

Every expression is built twice, with the learner's class and with micrograd's Value (micrograd.exercises.
expressions); the grads micrograd's backward() gives are the expected ones, node by node, root first.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from typing import Any

from micrograd.engine import Value, topological_order
from micrograd.exercises import solutions
from micrograd.exercises.core import Exercise, Result, close, crashed
from micrograd.exercises.expressions import OPS, Expression, Step, available, build, random_expression
from micrograd.lab.render import render_svg
from micrograd.lab.viz import draw_dot
from micrograd.tables import format_number

__all__ = ["DEPTH", "EXERCISES", "check_topological_sort", "check_value"]

DEPTH = 10_000  # a chain this deep is past Python's recursion limit (1000 frames by default)
RANDOM_EXPRESSIONS = 25
SEED = 23
DRAWN = 60  # values: a failing expression up to this size is drawn

SEEDED = "backward() starts the chain rule at the root, whose grad is d(root)/d(root) = 1: set self.grad = 1.0 first."
EQUALS = (
    "A node used twice (a + a, a * a, or a node feeding two ops) must receive both contributions: "
    "in each _backward, add to the grads with +=, never assign with =."
)
ORDER = (
    "A node's _backward must run only once its grad is complete, after every node that uses it: "
    "call _backward in reverse topological order (root first)."
)
CHAIN = "The chain rule multiplies the local derivative by out.grad: self.grad += (∂out/∂self) * out.grad."
ZEROING = "grads add up over calls of backward(), so a training loop zeroes them (p.grad = 0) before each backward()"


def number(node: object, attribute: str) -> float:
    """The learner's node's .data or .grad as a float, or a TypeError saying what it is."""
    x = getattr(node, attribute)
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f".{attribute} should be a number, got {type(x).__name__}")
    return float(x)


# -- value -----------------------------------------------------------------------------------


def fixed_expressions(ops: list[str], left: list[str]) -> list[tuple[str, Expression]]:
    """The cases in the order they are graded: + and * alone, reuse, a chain and a diamond, then the other ops."""
    leaves = (("a", 1.5), ("b", -0.5), ("c", 0.8))
    first = [op for op in ("+", "*") if op in ops]
    cases = [case for op in first for case in one_op(op, leaves, left)]
    for op in first:
        cases.append(("reuse", Expression(f"a {op} a", leaves, (Step("d", op, ("a", "a")),))))
    if len(first) == 2:
        chain = (Step("d", "*", ("a", "b")), Step("e", "+", ("d", "c")), Step("f", "*", ("e", 3.0)))
        cases.append(("chain", Expression("a chain", leaves, chain)))
        diamond = (Step("d", "*", ("a", "b")), Step("e", "+", ("d", "c")), Step("f", "*", ("d", "e")))
        cases.append(("diamond", Expression("a diamond", leaves, diamond)))
    cases += [case for op in ops if op not in first for case in one_op(op, leaves, left)]
    for unary in ("tanh", "exp", "sigmoid", "relu", "neg"):
        if unary in ops:
            chain = (Step("d", unary, ("a",)), Step("e", unary, ("d",)), Step("f", unary, ("e",)))
            cases.append(("chain", Expression(f"a chain of {unary}", leaves, chain)))
    return cases


def one_op(op: str, leaves: tuple[tuple[str, float], ...], left: list[str]) -> list[tuple[str, Expression]]:
    """The op alone: on two leaves, with a number on the right, and on the left if the class takes one there."""
    if op == "**":
        steps = [Step("d", op, ("a", 2.0))]
    elif not OPS[op].reflected:  # at a positive and at a negative point
        steps = [Step("d", op, ("a",)), Step("d", op, ("b",))]
    else:
        steps = [Step("d", op, ("a", "b")), Step("d", op, ("a", 2.0))]
        steps += [Step("d", op, (2.0, "a"))] if op in left else []
    return [("one op", Expression(f"one {op}", leaves, (s,))) for s in steps]


def compare(cls: Callable[[float], Any], expression: Expression, stage: str) -> Result | None:
    """None if every node's data and grad agree with micrograd's after one backward(); else the Result."""
    try:
        mine = build(cls, expression)
        root = expression.steps[-1].name
        ref = build(Value, expression)
        for name, node in mine.items():
            if not close(number(node, "data"), ref[name].data):
                return differs(expression, ref, name, "data", number(node, "data"), f"the forward value of {stage}")
        mine[root].backward()
        ref[root].backward()
        for node in reversed(topological_order(ref[root])):
            if node.label in mine and not close(number(mine[node.label], "grad"), node.grad):
                g = number(mine[node.label], "grad")
                return differs(expression, ref, node.label, "grad", g, diagnose(expression, ref, node.label, g, stage))
    except Exception as error:
        return crashed("value", f"{expression.title} ({expression.text()})", error)
    return None


def differs(
    expression: Expression, ref: dict[str, Value], name: str, what: str, given: float, hint: str | None
) -> Result:
    """The Result naming the node that differs, with micrograd's drawing of the expression, that node highlighted."""
    want = getattr(ref[name], what)
    feedback = [
        f"{expression.describe(name)}: {what} {format_number(given, 6)}, expected {format_number(want, 6)}",
        f"in {expression.title}: {expression.text()}",
        "the drawing shows micrograd's values and grads; the node that differs is highlighted",
    ]
    return Result("value", False, feedback, mistake=hint, svg=drawing(ref[expression.steps[-1].name], ref[name]))


def drawing(root: Value, node: Value, show_grad: bool = True) -> str | None:
    """micrograd's drawing of root's graph with node highlighted, as SVG; None if it is too large or cannot render."""
    try:
        return render_svg(draw_dot(root, highlight=[node], show_grad=show_grad, max_nodes=DRAWN))
    except (ValueError, RuntimeError, OSError):
        return None


def diagnose(expression: Expression, ref: dict[str, Value], name: str, given: float, stage: str) -> str | None:
    """The hint for the classic mistake that the first differing grad shows."""
    if name == expression.steps[-1].name:
        return SEEDED
    contributions, upstream = [], []
    for step in expression.steps:
        for k, operand in enumerate(step.operands):
            if operand == name:
                local = float(ref[step.name]._local[k])
                contributions.append(local * ref[step.name].grad)
                upstream.append((local, ref[step.name].grad))
    if len(contributions) > 1 and any(close(given, c) for c in contributions):
        return EQUALS
    if len(upstream) == 1 and not close(upstream[0][1], 1.0) and close(given, upstream[0][0]):
        return CHAIN
    if stage == "one op":
        op = expression.steps[-1].op
        return f"Check the _backward of {op}: it adds ∂out/∂{name} · out.grad to {name}.grad."
    return EQUALS if len(contributions) > 1 and stage == "reuse" else ORDER


def deep_chain(cls: Callable[[float], Any]) -> tuple[Result | None, str | None]:
    """A chain of DEPTH additions x = x + b: (a Result if the grads are wrong, a remark if recursion failed)."""
    mine: list[Any] = [cls(0.5), cls(0.001)]
    ref = [Value(0.5), Value(0.001)]
    for nodes in (mine, ref):
        x = nodes[0]
        for _ in range(DEPTH):
            x = x + nodes[1]
        nodes.append(x)
    ref[2].backward()
    try:
        mine[2].backward()
    except RecursionError:
        return None, depth_remark("backward()")
    except Exception as error:
        return crashed("value", f"backward() on a chain of {DEPTH} additions", error), None
    for name, m, r in zip(("x0", "b"), mine, ref):
        if not close(number(m, "grad"), r.grad):
            line = f"a chain of {DEPTH} additions x = x + b: {name}.grad {number(m, 'grad'):g}, expected {r.grad:g}"
            return Result("value", False, [line], mistake=ORDER), None
    return None, None


def depth_remark(what: str) -> str:
    return (
        f"{what} raised RecursionError on a chain {DEPTH} ops deep: a recursive topological sort stops at "
        "Python's recursion limit (sys.getrecursionlimit()); micrograd's is iterative, with a stack of its own."
    )


def twice(cls: Callable[[float], Any], ops: list[str]) -> str | None:
    """A remark on calling backward() twice on one graph without zeroing (not a failure: 0.1.0 adds up too)."""
    if "*" not in ops or "+" not in ops:
        return None
    leaves = (("a", 1.5), ("b", -0.5), ("c", 0.8))
    diamond = Expression(
        "", leaves, (Step("d", "*", ("a", "b")), Step("e", "+", ("d", "c")), Step("f", "*", ("d", "e")))
    )
    mine, ref = build(cls, diamond), build(Value, diamond)
    try:
        for _ in range(2):
            mine["f"].backward()
            ref["f"].backward()
        given = number(mine["a"], "grad")
    except Exception:
        return None
    first = ref["a"].grad / 2
    return (
        f"backward() twice on one graph, without zeroing: a.grad went from {format_number(first, 4)} to "
        f"{format_number(given, 4)} (micrograd's leaves give {format_number(ref['a'].grad, 4)}): {ZEROING}"
    )


def check_value(cls: object) -> Result:
    """Grade the learner's Value class: every node's grad against micrograd's, on fixed and random expressions."""
    if not isinstance(cls, type):
        return Result("value", False, [f"expected the Value class itself, got {type(cls).__name__}"])
    ops, left, skipped = available(cls)
    if not ops:
        return Result("value", False, ["the class has none of the ops +, -, *, /, **, neg, exp, tanh, sigmoid, relu"])
    rng = random.Random(SEED)
    cases = fixed_expressions(ops, left)
    cases += [
        ("random", random_expression(rng, ops, left, 3 + i % 6, f"random expression {i + 1}"))
        for i in range(RANDOM_EXPRESSIONS)
    ]
    for stage, expression in cases:
        failed = compare(cls, expression, stage)
        if failed is not None:
            failed.skipped = skipped
            return failed
    remarks = []
    if "+" in ops:
        failed, remark = deep_chain(cls)
        if failed is not None:
            return failed
        remarks += [remark] if remark else []
    remarks += [r for r in [twice(cls, ops)] if r]
    line = (
        f"every node's data and grad agree with micrograd's on {len(cases)} expressions, with the ops {', '.join(ops)}"
    )
    return Result("value", True, [line], skipped=skipped, remarks=remarks)


# -- topological_sort --------------------------------------------------------------------------


def name_of(node: Value) -> str:
    return node.label or f"the constant {format_number(node.data, 4)}"


def describe_node(expression: Expression, node: Value) -> str:
    """How feedback names a node of the expression: 'node d = a * b', 'leaf a', or 'the constant 2'."""
    return expression.describe(node.label) if node.label else name_of(node)


Problem = tuple[str, str, Value | None]  # what is wrong, the hint, the node to highlight


def order_problem(order: list[Any], want: list[Value], describe: Callable[[Value], str]) -> Problem | None:
    """What is wrong with order as a topological order of want's nodes: (feedback, hint, node), or None."""
    if any(not isinstance(node, Value) for node in order):
        bad = next(node for node in order if not isinstance(node, Value))
        return (
            f"the order holds {type(bad).__name__} {bad!r}, not a node",
            "Return the nodes themselves, in a list.",
            None,
        )
    place: dict[Value, int] = {}
    for i, node in enumerate(order):
        if node in place:
            hint = "Mark a node visited when you first reach it, and skip it after."
            return f"{describe(node)} appears twice", hint, node
        place[node] = i
    missing = [node for node in want if node not in place]
    if missing:
        line = f"{describe(missing[0])} is missing (the order lacks {len(missing)} of the {len(want)} nodes)"
        return line, "Visit every child of every node (node._prev holds them all), and put the root in too.", missing[0]
    if len(order) > len(want):
        return (
            f"the order has {len(order)} nodes, the graph {len(want)}",
            "Return only the nodes of the root's graph.",
            None,
        )
    early = too_early(order)
    if early is None:
        return None
    node, child = early
    hint = "Append a node only after all of its children: children first, the root last."
    if too_early(order[::-1]) is None:
        hint = "Your order is reversed: children first, the root last (backward() walks it reversed)."
    return f"{describe(node)} comes before its child {describe(child)}", hint, node


def too_early(order: list[Value]) -> tuple[Value, Value] | None:
    """The first node of order placed before one of its children, with that child; None if there is none."""
    place = {node: i for i, node in enumerate(order)}
    for node in order:
        for child in node._prev:
            if place[child] > place[node]:
                return node, child
    return None


def topo_cases(rng: random.Random) -> list[Expression]:
    all_ops = ["+", "-", "*", "/", "**", "neg", "exp", "tanh", "sigmoid", "relu"]
    left = ["+", "-", "*", "/"]
    leaves = (("a", 1.5), ("b", -0.5), ("c", 0.8))
    shared = (
        Step("d", "*", ("a", "b")),
        Step("e", "+", ("d", "c")),
        Step("f", "tanh", ("e",)),
        Step("g", "*", ("f", "e")),
        Step("h", "+", ("g", "f")),
        Step("i", "*", ("h", "d")),
    )
    cases = [
        Expression("one leaf", (("a", 1.5),), ()),
        Expression(
            "a diamond", leaves, (Step("d", "*", ("a", "b")), Step("e", "+", ("d", "c")), Step("f", "*", ("d", "e")))
        ),
        Expression("shared subgraphs", leaves, shared),
        Expression("a + a", leaves, (Step("d", "+", ("a", "a")),)),
    ]
    return cases + [
        random_expression(rng, all_ops, left, 4 + i % 8, f"random graph {i + 1}") for i in range(RANDOM_EXPRESSIONS)
    ]


def check_topological_sort(function: object) -> Result:
    """Grade topological_sort(root): every node of root's graph once, each after all of its children."""
    name = "topological_sort"
    if not callable(function):
        return Result(name, False, [f"expected a function topological_sort(root), got {type(function).__name__}"])
    for expression in topo_cases(random.Random(SEED)):
        nodes = build(Value, expression)
        root = nodes[expression.steps[-1].name] if expression.steps else nodes["a"]
        describe = functools.partial(describe_node, expression)
        try:
            order = list(function(root))
        except Exception as error:
            return crashed(name, f"topological_sort on {expression.title}", error)
        problem = order_problem(order, topological_order(root), describe)
        if problem is not None:
            feedback = [f"{expression.title}: {problem[0]}", f"the graph: {expression.text()}"]
            lit = problem[2] if problem[2] is not None else root
            return Result(name, False, feedback, mistake=problem[1], svg=drawing(root, lit, show_grad=False))
    return deep_sort(function)


def deep_sort(function: Callable[[Value], Any]) -> Result:
    """The last case: a chain DEPTH ops deep, x = x + b; a RecursionError there passes with a remark."""
    x, b = Value(0.5, "x0"), Value(0.001, "b")
    root = x
    for _ in range(DEPTH):
        root = root + b
    passed = f"valid orders of {RANDOM_EXPRESSIONS + 4} graphs: diamonds, shared subgraphs, random expressions"
    try:
        order = list(function(root))
    except RecursionError:
        return Result("topological_sort", True, [passed], remarks=[depth_remark("topological_sort")])
    except Exception as error:
        return crashed("topological_sort", f"topological_sort on a chain of {DEPTH} additions", error)
    problem = order_problem(order, topological_order(root), name_of)
    if problem is not None:
        return Result("topological_sort", False, [f"a chain of {DEPTH} additions: {problem[0]}"], mistake=problem[1])
    return Result("topological_sort", True, [passed + f", and a chain {DEPTH} deep"])


EXERCISES = (
    Exercise(
        name="value",
        summary="your own Value: data, grad, a _backward per op, backward() in topological order",
        write="class Value(data, _children=(), _op='')",
        statement=(
            "Write the class Value as the lecture does: Value(data, _children=(), _op='') with .data, .grad "
            "(0.0 at first), ._prev (the children) and ._backward; each op (+, *, tanh, and any of -, /, **, "
            "neg, exp, sigmoid, relu you like) makes a new Value whose _backward adds ∂out/∂child · out.grad to "
            "each child's grad; backward() orders the graph topologically, sets the root's grad to 1 and calls "
            "every node's _backward, root first. A number on either side of an op must work (wrap it in a "
            "Value; __radd__ and __rmul__ for a number on the left). The checker builds random expressions with "
            "your class and micrograd's, and compares every node's grad; it tests the ops your class has."
        ),
        starter=solutions.VALUE_STARTER,
        solution=solutions.VALUE,
        hints=(
            "Start from one op: for out = a + b, out._backward adds out.grad to a.grad and to b.grad.",
            "For out = a * b: a.grad += b.data * out.grad and b.grad += a.data * out.grad; tanh: (1 − t²) · out.grad.",
            "In b = a + a, a receives out.grad twice: += in every _backward, never =.",
            "backward(): build the topological order, set self.grad = 1.0, then call _backward on reversed(order).",
        ),
        checker=check_value,
    ),
    Exercise(
        name="topological_sort",
        summary="order a graph so that every node comes after all of its children",
        write="def topological_sort(root) -> list",
        statement=(
            "Write topological_sort(root): the list of every node of root's graph (the root and everything "
            "reachable through ._prev), each exactly once and after all of its children, so the root comes last. "
            "backward() walks this list reversed. The checker gives it micrograd Values: diamonds, shared "
            f"subgraphs, random expressions, and a chain {DEPTH} ops deep."
        ),
        starter=solutions.TOPOLOGICAL_SORT_STARTER,
        solution=solutions.TOPOLOGICAL_SORT,
        hints=(
            "Depth first: a node goes into the list once all of its children are in.",
            "Keep a set of visited nodes: a node reached twice (a diamond, a + a) is placed once.",
            "The lecture's build_topo is recursive; past ~1000 levels Python stops it. A stack of your own "
            "(node, children done?) goes as deep as memory allows.",
        ),
        checker=check_topological_sort,
    ),
)
