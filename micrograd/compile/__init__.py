"""Backprop as code: record a computation once, then run it as generated Python on plain floats.

``compile_graph(root, params, *inputs)`` reads the graph under ``root`` and writes one Python
function for it: the forward pass, one assignment per node, then the backward pass, the chain
rule ``child.grad += local * node.grad`` as one line per edge, in reverse topological order.
``.source`` shows that code. Calling the result with new values for the parameters and the inputs
returns the output and the gradient of every parameter, bitwise equal to what backward() computes
on a graph built from the same values. ``compile_function(f, params, *example_inputs)`` records
``f`` on example inputs first.

The leaves of the graph are of three kinds:

- parameters (``params``): a new value on every call, and their gradient is returned;
- inputs (``inputs``): a new value on every call, no gradient;
- constants: every other leaf (the 1 in ``1 + x``, a label the code turned into a Value): baked
  into the code with the value it had when the graph was recorded.

What recording freezes is the shape of the graph. Operations whose derivative depends on the
values (relu, powers, division, ...) are computed from the new values on every call, so their
branches follow the data. But Python control flow in the code that built the graph ran once, at
recording: an ``if`` on a Value, a loop whose length depends on the data, a number read from
``.data`` (a max taken with Python's max() of the numbers; losses.amax is a node) are replayed as
they were then. A call with
inputs of another shape (another count) raises a ValueError: record again for that shape.

When the graph repeats one structure many times (a loss summed over the examples of a batch),
the code computes that structure in a ``for`` loop over the repeats instead of writing out
every copy; the gradients are still accumulated in exactly the order backward() uses.
"""

from micrograd.compile.compiled import CompiledGraph, compile_function, compile_graph
from micrograd.compile.loops import LOOP_MIN_NODES

__all__ = ["LOOP_MIN_NODES", "CompiledGraph", "compile_function", "compile_graph"]
