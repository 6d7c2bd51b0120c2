"""Finding the structure a graph repeats (a loss summed over a batch), so that code can run it as a loop.

The loop must give bitwise what backward() gives: every node computed after its children, and
every gradient receiving its contributions in the order of reversed(topological_order(root)).
A structure that cannot run so is written out instead.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from micrograd.compile.graph import Graph
from micrograd.engine import Value

# Below this many nodes in all the repeats together, the code is written out: short, and easier to read.
LOOP_MIN_NODES = 100


@dataclass
class Loop:
    """A structure repeated ``count`` times: the code for its first copy, run in a loop over all of them.

    members[t] lists, for a node t of the first copy (the template), the same node in every copy.
    A child that differs between copies is a leaf (an input or a constant): a "slot" of the loop,
    slots[j] its leaf in every copy, slot_of[(t, s)] the slot of child s of t. Nodes outside the
    copies are computed before the loop when a copy needs them ("below"), after it otherwise ("above").
    """

    count: int
    members: dict[Value, tuple[Value, ...]]
    roots: list[Value]  # the template nodes used outside their copy
    body: list[Value]  # the template, in topological order
    slots: list[tuple[Value, ...]]
    slot_of: dict[tuple[Value, int], int]
    below: list[Value]
    above: list[Value]


def find_loop(graph: Graph) -> Loop | None:
    """The largest structure that the graph repeats, if it can run as a loop with backward()'s exact sums."""
    sig: dict[Value, int] = {}  # equal signatures: the same ops on the same parameters, in the same shape
    keys: dict[tuple[object, ...], int] = {}
    count: Counter[int] = Counter()
    for node in graph.order:
        if node in graph.const:
            key: tuple[object, ...] = ("constant",)
        elif not node._prev:
            key = ("param", graph.param_index[node]) if node in graph.param_index else ("input",)
        else:
            key = (str(node._op), *map(sig.__getitem__, node._prev))
        sig[node] = s = keys.setdefault(key, len(keys))
        if node._prev and node not in graph.const:
            count[s] += 1
    # Try the repeat counts k that could cover the most nodes (a node repeated 2k times may sit twice in
    # every copy), and keep the loop that covers the most.
    reach: Counter[int] = Counter()
    for k in set(count.values()) - {1}:
        reach[k] = sum(c for c in count.values() if c % k == 0)
    best, covered = None, LOOP_MIN_NODES - 1
    for k, most in sorted(reach.items(), key=lambda item: (-item[1], -item[0]))[:4]:
        if most <= covered:
            break
        loop = _try_loop(graph, sig, count, k)
        if loop is not None and k * len(loop.body) > covered:
            best, covered = loop, k * len(loop.body)
    return best


def _try_loop(graph: Graph, sig: dict[Value, int], count: Counter[int], k: int) -> Loop | None:
    """The loop over the k copies whose nodes have signatures repeated k times, or None where that is not exact."""
    indegree, groups = _root_groups(graph, sig, count, k)
    members: dict[Value, tuple[Value, ...]] = {}
    owner: dict[Value, tuple[Value, int]] = {}  # node of a copy -> (its template node, the copy)
    for group in groups.values():
        members[group[0]] = tuple(group)
        for i, node in enumerate(group):
            owner[node] = (group[0], i)
    roots = list(members)
    slots: list[tuple[Value, ...]] = []
    slot_ids: dict[tuple[Value, ...], int] = {}
    slot_of: dict[tuple[Value, int], int] = {}
    inner_indegree: Counter[Value] = Counter()
    stack = list(roots)
    while stack:  # walk all copies in step, child by child, from the roots
        t = stack.pop()
        copies = members[t]
        for s, c in enumerate(t._prev):
            cs = tuple(m._prev[s] for m in copies)
            if all(x is c for x in cs):
                continue  # shared by every copy: a parameter, or a node outside the loop
            if not c._prev or c in graph.const:
                slot_of[(t, s)] = slot_ids.setdefault(cs, len(slot_ids))
                if len(slot_ids) > len(slots):
                    slots.append(cs)
                continue
            inner_indegree[c] += 1
            if c in owner:
                if owner[c] != (c, 0) or members[c] != cs:
                    return None  # the copies do not line up
            elif any(x in owner for x in cs) or len(set(cs)) != k:
                return None
            else:
                members[c] = cs
                for i, x in enumerate(cs):
                    owner[x] = (c, i)
                stack.append(c)
    root_set = set(roots)
    for t, copies in members.items():  # a node of a copy, other than a root, is used only inside its copy
        if t not in root_set and any(indegree[m] != inner_indegree[t] for m in copies):
            return None

    below = _below(graph, members, owner)
    outside = [n for n in graph.ops if n not in owner]
    loop = Loop(
        count=k,
        members=members,
        roots=roots,
        body=[n for n in graph.ops if n in members],
        slots=slots,
        slot_of=slot_of,
        below=[n for n in outside if n in below],
        above=[n for n in outside if n not in below],
    )
    return loop if _same_as_backward(graph, loop, owner) else None


def _root_groups(
    graph: Graph, sig: dict[Value, int], count: Counter[int], k: int
) -> tuple[Counter[Value], dict[int, list[Value]]]:
    """Every node's indegree, and the roots of the k copies: nodes repeated k times that a node outside uses."""
    indegree: Counter[Value] = Counter()
    used_outside: set[Value] = set()  # used by a node repeated fewer times: outside the copies
    for node in graph.ops:
        fewer = count[sig[node]] < k
        for c in node._prev:
            indegree[c] += 1
            if fewer:
                used_outside.add(c)
    groups: dict[int, list[Value]] = {}
    root_sigs = {sig[n] for n in graph.ops if count[sig[n]] == k and n in used_outside}
    for node in graph.ops:
        if sig[node] in root_sigs:
            groups.setdefault(sig[node], []).append(node)
    return indegree, groups


def _below(graph: Graph, members: dict[Value, tuple[Value, ...]], owner: dict[Value, tuple[Value, int]]) -> set[Value]:
    """The nodes outside the copies that the copies use, and what those use: computed before the loop."""
    below: set[Value] = set()
    stack = [c for t in members for c in t._prev if c._prev and c not in graph.const and c not in owner]
    while stack:
        node = stack.pop()
        if node not in below:
            below.add(node)
            stack.extend(c for c in node._prev if c._prev and c not in graph.const)
    return below


def _same_as_backward(graph: Graph, loop: Loop, owner: dict[Value, tuple[Value, int]]) -> bool:
    """Does the loop compute every node after its children, and add every gradient in backward()'s order?

    The forward pass runs: the nodes below the loop, the loop (copy 0 first), the nodes above it.
    The backward pass runs: the nodes above, the loop (last copy first), the nodes below. Each node's
    grad must then receive its contributions in the order of reversed(topological_order(root)).
    """
    forward = {n: i for i, n in enumerate(loop.below)}
    for n in owner:
        forward[n] = len(loop.below)
    forward.update((n, len(loop.below) + 1 + i) for i, n in enumerate(loop.above))
    for n in (*loop.below, *loop.above):
        if any(forward.get(c, -1) >= forward[n] for c in n._prev):
            return False

    backward = {n: i for i, n in enumerate(reversed(loop.above))}
    template = {t: i for i, t in enumerate(reversed(loop.body))}
    start, size = len(loop.above), len(loop.body)
    for n, (t, i) in owner.items():
        backward[n] = start + (loop.count - 1 - i) * size + template[t]
    start += loop.count * size
    backward.update((n, start + i) for i, n in enumerate(reversed(loop.below)))
    last: dict[Value, int] = {}
    needs_grad = graph.needs_grad
    for node in reversed(graph.order):
        if node not in needs_grad or node not in backward:
            continue
        at = backward[node]
        for c in node._prev:
            if c in needs_grad:
                if backward.get(c, math.inf) <= at or last.get(c, -1) > at:
                    return False
                last[c] = at
    return True
