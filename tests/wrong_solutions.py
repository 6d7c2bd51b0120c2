"""Classic mistakes in local_derivatives, value, topological_sort and mlp, as data: a reference solution, one slip.

Every entry names the exercise, the mistake, the learner's source and the words the feedback (str(result))
must hold: the op and point, or the node, and the named slip. A few are not mistakes the checker fails but
ones it must let pass with a note (``passes=True``): a Value class without __radd__ (a number on the left is
skipped, and said so), and the lecture's recursive topological sort (a remark on depth).
tests/test_exercises.py checks each one.
"""

from __future__ import annotations

from dataclasses import dataclass

from micrograd.exercises import derivatives, graph, network

SOLUTIONS = {e.name: e.solution for module in (derivatives, graph, network) for e in module.EXERCISES}
DEFINES = {
    "local_derivatives": "local_derivatives",
    "value": "Value",
    "topological_sort": "topological_sort",
    "mlp": "MLP",
}


@dataclass(frozen=True)
class Wrong:
    exercise: str
    mistake: str
    source: str
    says: tuple[str, ...]  # words the feedback (str(result)) must contain
    passes: bool = False


def slip(exercise: str, mistake: str, old: str, new: str, *says: str, passes: bool = False) -> Wrong:
    """The reference solution of ``exercise`` with ``old`` replaced by ``new`` (which must occur exactly once)."""
    source = SOLUTIONS[exercise]
    if source.count(old) != 1:
        raise ValueError(f"{mistake}: {old!r} occurs {source.count(old)} times in the solution of {exercise}")
    return Wrong(exercise, mistake, source.replace(old, new), says, passes)


def load(exercise: str, source: str) -> object:
    """What the learner's source defines for the exercise; mlp's classes use the reference Value."""
    namespace: dict[str, object] = {}
    if exercise == "mlp":
        exec(SOLUTIONS["value"], namespace)
    exec(source, namespace)
    return namespace[DEFINES[exercise]]


TANH = '"tanh": lambda x: 1 - math.tanh(x) ** 2,'
RELU = '"relu": lambda x: 1.0 if x > 0 else 0.0,'
POWER = '"**n": lambda x, n: n * x ** (n - 1),'
ADD_BACKWARD = "            self.grad += out.grad\n            other.grad += out.grad\n"
MUL_BACKWARD = "            self.grad += other.data * out.grad\n            other.grad += self.data * out.grad\n"
RECURSIVE_TOPO = """def topological_sort(root):
    topo, visited = [], set()

    def build_topo(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build_topo(child)
            topo.append(v)

    build_topo(root)
    return topo
"""
RADD = "    def __radd__(self, other):  # other + self\n        return self + other\n"
RSUB = "    def __rsub__(self, other):  # other - self\n        return other + (-self)\n"
NEURON_SUM = "act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)"

WRONG = [
    # -- local_derivatives --------------------------------------------------------------------------
    slip(
        "local_derivatives",
        "tanh' written with x, not out",
        TANH,
        '"tanh": lambda x: 1 - x**2,',
        "tanh at x = 1000",
        "expected 0",
        "not with x",
    ),
    slip(
        "local_derivatives",
        "tanh' as 1/cosh², which overflows far out",
        TANH,
        '"tanh": lambda x: 1 / math.cosh(x) ** 2,',
        '["tanh"](1000.0)',
        "OverflowError",
        "output",
    ),
    slip(
        "local_derivatives",
        "relu' of 1 at x < 0",
        RELU,
        '"relu": lambda x: 1.0,',
        "relu at x = -1e-300",
        "flat for x < 0",
    ),
    slip(
        "local_derivatives",
        "relu' of 1 at x = 0",
        RELU,
        '"relu": lambda x: 1.0 if x >= 0 else 0.0,',
        "relu at x = 0",
        "0 at x = 0",
    ),
    slip(
        "local_derivatives",
        "the power rule without its factor n",
        POWER,
        '"**n": lambda x, n: x ** (n - 1),',
        "**n at",
        "factor n is missing",
    ),
    slip(
        "local_derivatives",
        "the power rule without lowering the exponent",
        POWER,
        '"**n": lambda x, n: n * x**n,',
        "**n at",
        "expected",
    ),
    slip(
        "local_derivatives",
        "x * y's derivatives swapped",
        '"*": lambda x, y: (y, x),',
        '"*": lambda x, y: (x, y),',
        "* at x = 0, y = 5",
        "the other operand",
    ),
    slip(
        "local_derivatives",
        "σ' with one factor",
        '"sigmoid": lambda x: sigmoid(x) * (1 - sigmoid(x)),',
        '"sigmoid": lambda x: 1 - sigmoid(x),',
        "sigmoid at x = 0",
        "expected 0.25",
        "both factors",
    ),
    # -- value ----------------------------------------------------------------------------------------
    slip(
        "value",
        "= instead of += in +",
        ADD_BACKWARD,
        "            self.grad = out.grad\n            other.grad = out.grad\n",
        "leaf a",
        "a + a",
        "never assign with =",
    ),
    slip(
        "value",
        "= instead of += in *",
        MUL_BACKWARD,
        "            self.grad = other.data * out.grad\n            other.grad = self.data * out.grad\n",
        "leaf a",
        "a * a",
        "never assign with =",
    ),
    slip(
        "value",
        "backward in topological order, not reversed",
        "for node in reversed(topological_sort(self)):",
        "for node in topological_sort(self):",
        "a chain",
        "reverse topological order",
    ),
    slip(
        "value",
        "the root's grad not seeded",
        "        self.grad = 1.0\n        for",
        "        for",
        "node d = a + b: grad 0, expected 1",
        "self.grad = 1.0",
    ),
    slip(
        "value",
        "the chain rule without out.grad",
        MUL_BACKWARD,
        "            self.grad += other.data\n            other.grad += self.data\n",
        "a chain",
        "out.grad",
    ),
    slip(
        "value",
        "tanh's _backward written with x",
        "self.grad += (1 - out.data**2) * out.grad",
        "self.grad += (1 - self.data**2) * out.grad",
        "d = tanh(a)",
        "_backward of tanh",
    ),
    slip(
        "value",
        "relu passing the grad at x < 0",
        "self.grad += (out.data > 0) * out.grad",
        "self.grad += out.grad",
        "relu(",
        "_backward of relu",
    ),
    Wrong(
        "value",
        "no __radd__ nor __rsub__: a number on the left is skipped",
        SOLUTIONS["value"].replace(RADD, "").replace(RSUB, ""),
        ("Not checked", "a number on the left", "__radd__, __rsub__"),
        passes=True,
    ),
    slip(
        "value",
        "the lecture's recursive topological sort",
        SOLUTIONS["topological_sort"],
        RECURSIVE_TOPO,
        "RecursionError",
        "10000",
        passes=True,
    ),
    # -- topological_sort -------------------------------------------------------------------------------
    slip(
        "topological_sort",
        "no visited set: duplicates",
        "        elif node not in visited:\n",
        "        else:\n",
        "appears twice",
        "visited",
    ),
    slip(
        "topological_sort",
        "only the root and its children",
        SOLUTIONS["topological_sort"],
        "def topological_sort(root):\n    return [*set(root._prev), root]\n",
        "is missing",
        "Visit every child",
    ),
    slip(
        "topological_sort",
        "the order reversed",
        "    return order\n",
        "    return order[::-1]\n",
        "comes before its child",
        "Your order is reversed",
    ),
    slip(
        "topological_sort",
        "a node placed before its children",
        "        if children_done:\n            order.append(node)\n"
        "        elif node not in visited:\n            visited.add(node)\n",
        "        if children_done:\n            pass\n        elif node not in visited:\n"
        "            visited.add(node)\n            order.append(node)\n",
        "comes before its child",
        "children first",
    ),
    slip(
        "topological_sort",
        "recursive: passes with a remark on depth",
        SOLUTIONS["topological_sort"],
        RECURSIVE_TOPO,
        "RecursionError",
        "recursion limit",
        passes=True,
    ),
    # -- mlp --------------------------------------------------------------------------------------------
    slip(
        "mlp",
        "no bias among the parameters",
        "return self.w + [self.b]",
        "return self.w",
        "gives 32 Values",
        "41",
        "a bias b",
    ),
    slip(
        "mlp",
        "a layer's parameters: its first neuron's only",
        "for n in self.neurons for p in n.parameters()",
        "for n in self.neurons[:1] for p in n.parameters()",
        "gives 14 Values",
        "every neuron",
    ),
    slip("mlp", "no activation", "return act.tanh() if self.nonlin else act", "return act", "no activation"),
    slip(
        "mlp",
        "the bias before the weights",
        "return self.w + [self.b]",
        "return [self.b] + self.w",
        "expected",
        "weights first, then its bias",
    ),
    slip(
        "mlp",
        "the bias left out of the sum",
        NEURON_SUM,
        "act = sum(wi * xi for wi, xi in zip(self.w, x))",
        "MLP(3, [4, 4, 1]) on x",
        "expected",
        "σ(Σ_i w_i·x_i + b)",
    ),
    slip(
        "mlp",
        "relu, as micrograd 0.1.0: passes, and says so",
        "return act.tanh() if self.nonlin",
        "return act.relu() if self.nonlin",
        "relu in the hidden layers",
        passes=True,
    ),
]
