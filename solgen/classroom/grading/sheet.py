"""The answer sheet of a spec: every quantity a student can answer, in graph order, with the key.

A step is one answerable quantity of one iteration:

* ``forward``  a node's value: ``z1[1]``, ``a2[1]``, ``L``
* ``gradient`` dL/d(name): ``dW1[1,2]`` (also ``d:W1[1,2]``, ``dL/dW1[1,2]``, ``dL/d(W1[1,2])``)
* ``update``   a parameter after the step: ``W1[1,2]`` (also ``W1[1,2]'``, ``new:W1[1,2]``)
* ``old``      a parameter as iteration k (k >= 2) starts: ``old:W1[1,2]@2``

Iteration k >= 2 adds ``@k`` to every name (``z1[1]@2``); ``@1`` may be written for the first.
The order is the order of the working: each iteration's starting values, the forward pass
in graph order, the backward pass (a node after every node it feeds, earliest first), the
updates.  Given values (inputs, targets, constants, parameters as the problem starts) are
not steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

from solgen.core.derive import Derivation, Edge
from solgen.core.evaluate import Value
from solgen.core.graph import Graph
from solgen.core.ir import Expr
from solgen.spec.sections import Spec

Key = tuple[str, str, int]  # (kind, node, iteration from 0)
SECTION = {"forward": "forward", "gradient": "gradients", "update": "updates", "old": "values"}


@dataclass(frozen=True)
class Step:
    kind: str  # forward | gradient | update | old
    node: str
    iteration: int  # from 0
    name: str  # canonical answer name

    @property
    def key(self) -> Key:
        return (self.kind, self.node, self.iteration)

    @property
    def section(self) -> str:
        return "loss" if self.kind == "forward" and self.node == "L" else SECTION[self.kind]


@dataclass(frozen=True)
class Sheet:
    spec: Spec
    derivation: Derivation
    steps: tuple[Step, ...]
    key: dict[Key, Value]
    names: dict[str, Key]  # every accepted spelling -> the step it names
    given: frozenset[str]  # spellings of given values (not graded)

    @property
    def graph(self) -> Graph:
        return self.derivation.graph

    @property
    def formulas(self) -> dict[Edge, Expr]:
        return self.derivation.formulas

    @property
    def learning_rate(self) -> Fraction | None:
        return self.derivation.learning_rate

    def step(self, key: Key) -> Step:
        return self.by_key[key]

    @cached_property
    def by_key(self) -> dict[Key, Step]:
        return {s.key: s for s in self.steps}

    def updates(self, param: str) -> bool:
        return self.learning_rate is not None and param not in self.graph.frozen

    def given_value(self, name: str) -> Fraction:
        return self.graph.by_name[name].value  # type: ignore[return-value]


def canonical(kind: str, node: str, k: int, iterations: int) -> str:
    base = {"forward": node, "gradient": f"d{node}", "update": node, "old": f"old:{node}"}[kind]
    return f"{base}@{k + 1}" if iterations > 1 and k > 0 else base


def spellings(kind: str, node: str) -> list[str]:
    """Every accepted spelling of a step (before the iteration suffix), canonical first."""
    if kind == "gradient":
        return [f"d{node}", f"d:{node}", f"dL/d{node}", f"dL/d({node})"]
    if kind == "update":
        return [node, f"{node}'", f"new:{node}"]
    if kind == "old":
        return [f"old:{node}"]
    return [node]


def build_sheet(spec: Spec, derivation: Derivation) -> Sheet:
    g = derivation.graph
    lr = derivation.learning_rate
    steps: list[Step] = []
    key: dict[Key, Value] = {}
    n = len(derivation.iterations)
    for it in derivation.iterations:
        k = it.index
        rows: list[tuple[str, str, Value]] = []
        if lr is not None and k > 0:
            rows += [("old", p.name, it.values[p.name]) for p in g.params if p.name not in g.frozen]
        rows += [("forward", nd.name, it.values[nd.name]) for nd in g.nodes if nd.kind in ("node", "loss")]
        rows += [("gradient", name, it.adjoint[name]) for name in backward_order(g)]
        if lr is not None:
            rows += [("update", p, v) for p, v in it.updated.items()]
        for kind, node, value in rows:
            steps.append(Step(kind, node, k, canonical(kind, node, k, n)))
            key[(kind, node, k)] = value
    return Sheet(spec, derivation, tuple(steps), key, *_names(steps, g, n, lr is not None))


def backward_order(g: Graph) -> list[str]:
    """Nodes whose gradient is a step, level by level from the loss (a node after every node it
    feeds); within a level the nodes, then the parameters, then the inputs, each in graph order."""
    level: dict[str, int] = {"L": 0}
    for nd in reversed(g.nodes):
        if nd.kind != "loss":
            level[nd.name] = 1 + max((level[c] for c in g.children[nd.name]), default=0)
    index = {nd.name: i for i, nd in enumerate(g.nodes)}
    rank = {"node": 0, "param": 1, "input": 2}
    wanted = [nd for nd in g.nodes if nd.kind in rank]
    return [nd.name for nd in sorted(wanted, key=lambda nd: (level[nd.name], rank[nd.kind], index[nd.name]))]


def _names(steps: list[Step], g: Graph, n: int, learns: bool) -> tuple[dict[str, Key], frozenset[str]]:
    names: dict[str, Key] = {}
    for rank in range(4):  # canonical spellings first, so an alias never hides a name
        for s in steps:
            options = spellings(s.kind, s.node)
            if rank < len(options):
                for spelled in _suffixed(options[rank], s.iteration, n):
                    names.setdefault(spelled, s.key)
    given: set[str] = set()
    for nd in g.nodes:
        if nd.kind in ("input", "constant"):
            given.update(_suffixed(nd.name, 0, 1))
        elif nd.kind == "param":
            given.update(_suffixed(f"old:{nd.name}", 0, 1))
            if not learns or nd.name in g.frozen:
                given.add(nd.name)
    return names, frozenset(given - set(names))


def _suffixed(name: str, k: int, n: int) -> list[str]:
    out = [f"{name}@{k + 1}"]
    if k == 0:
        out.append(name)
    return out
