"""Spec -> Graph: one scalar node per quantity, in topological order.

Both spec forms compile to this.  A layered network gets the canonical names
of the contract (``x[1]``, ``W1[2,1]``, ``b1``, ``z1[1]``, ``a1[1]``, ``L``);
a [graph] keeps the user's names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from solgen.errors import SpecError
from solgen.render.latexsafe import GREEK
from solgen.spec.sections import Graph as GraphSpec
from solgen.spec.sections import Network, Spec
from solgen.train.losses import LOSSES

from .ir import Expr, Var, variables

DEFAULT_MAX_PARAMETERS = 10_000


@dataclass(frozen=True)
class Node:
    name: str
    kind: str  # input | constant | param | node | loss
    latex: str
    expr: Expr | None = None
    parents: tuple[str, ...] = ()
    value: Fraction | None = None  # given value of a leaf
    stage: int = 0  # nodes of one stage are shown together, in order
    layer: int = 0  # network layer (0 for inputs and graphs)
    role: str = ""  # x t W b z a L for networks, "" for graphs
    index: tuple[int, ...] = ()


@dataclass(frozen=True)
class Graph:
    nodes: tuple[Node, ...]
    by_name: dict[str, Node]
    children: dict[str, tuple[str, ...]]
    upstream: dict[str, Fraction] = field(default_factory=dict)
    frozen: frozenset[str] = frozenset()

    @property
    def params(self) -> list[Node]:
        return [n for n in self.nodes if n.kind == "param"]

    @property
    def has_loss(self) -> bool:
        return "L" in self.by_name


def build_graph(spec: Spec, max_parameters: int = DEFAULT_MAX_PARAMETERS) -> Graph:
    problem = spec.problem
    if isinstance(problem, Network):
        if problem.inputs is None and not problem.symbolic:
            raise ValueError("an architecture-only network has no graph")
        nodes, upstream = _network_nodes(problem)
    else:
        nodes, upstream = _graph_nodes(problem)
    count = sum(1 for n in nodes if n.kind == "param")
    where = "network" if isinstance(problem, Network) else "graph.params"
    if count > max_parameters:
        raise SpecError(spec.file, where, f"{count} parameters is more than a readable document holds "
                        f"(limit {max_parameters}; raise it with --max-parameters)")
    if len(nodes) > 4 * max_parameters:  # a graph of few parameters and very many nodes
        raise SpecError(spec.file, "graph.nodes", f"{len(nodes)} quantities is more than a readable "
                        f"document holds (limit {4 * max_parameters}; raise it with --max-parameters)")
    by_name = {n.name: n for n in nodes}
    kids: dict[str, list[str]] = {n.name: [] for n in nodes}
    for n in nodes:
        for p in n.parents:
            kids[p].append(n.name)
    frozen = _resolve_frozen(spec, nodes)
    for i, name in enumerate(spec.ask, 1):
        if name not in by_name:
            raise SpecError(spec.file, f"ask[{i}]", f"{name!r} names no quantity"
                            + _suggest(name, list(by_name)))
    return Graph(tuple(nodes), by_name, {k: tuple(v) for k, v in kids.items()}, upstream, frozen)


@dataclass
class NetworkBuilder:
    """What a layer kind's ``build`` adds to: the nodes so far and the current stage."""

    net: Network
    nodes: list[Node] = field(default_factory=list)
    stage: int = 0
    batched: bool = False  # names put the example index first (x[n,i], z1[n,j])


def _network_nodes(net: Network) -> tuple[list[Node], dict[str, Fraction]]:
    from solgen.layers import LAYER_KINDS
    from solgen.layers.shapes import Maps, indices, name, tex

    inputs = net.inputs or (None,) * net.input_count
    b = NetworkBuilder(net, [Node(name("x", idx), "input", tex("x", None, idx), value=v, role="x", index=idx)
                             for idx, v in zip(indices(net.shape), inputs)])
    maps = [Maps(net.shape, tuple(Var(n.name) for n in b.nodes))]
    for l, layer in enumerate(net.layers, 1):
        maps = LAYER_KINDS[layer.type].build(b, l, layer, maps)
    prev = list(maps[0].vars)
    nodes, stage = b.nodes, b.stage
    upstream: dict[str, Fraction] = {}
    if net.upstream is not None:
        upstream = {v.name: g for v, g in zip(prev, net.upstream)}
    else:
        assert net.loss is not None
        targets = [Node(f"t[{j}]", "constant", f"t_{{{j}}}", value=t, role="t", index=(j,))
                   for j, t in enumerate(net.targets or (None,) * len(prev), 1)]
        nodes.extend(targets)
        expr = LOSSES[net.loss](prev, [Var(t.name) for t in targets])
        nodes.append(Node("L", "loss", "L", expr, tuple(variables(expr)), stage=stage + 1, role="L"))
    return nodes, upstream


def _graph_nodes(g: GraphSpec) -> tuple[list[Node], dict[str, Fraction]]:
    def tex(name: str) -> str:
        return g.latex.get(name) or default_latex(name)

    nodes = [Node(n, "input", tex(n), value=v) for n, v in g.inputs.items()]
    nodes += [Node(n, "constant", tex(n), value=v) for n, v in g.constants.items()]
    nodes += [Node(n, "param", tex(n), value=v) for n, v in g.params.items()]
    for stage, (name, expr) in enumerate(g.nodes, 1):
        nodes.append(Node(name, "node", tex(name), expr, tuple(variables(expr)), stage=stage))
    if g.loss is not None:
        nodes.append(Node("L", "loss", "L", g.loss, tuple(variables(g.loss)), stage=len(g.nodes) + 1))
    return nodes, dict(g.upstream or {})


_NAME = re.compile(r"([A-Za-z]+?)_?(\d+)\Z")


def default_latex(name: str) -> str:
    """``u11`` -> ``u_{11}``, ``alpha2`` -> ``\\alpha_{2}``, ``w_ab`` -> ``w_{ab}``."""
    base, _, subscript = name.partition("_")
    if not subscript:
        m = _NAME.match(name)
        if m:
            base, subscript = m.groups()
    head = f"\\{base}" if base in GREEK else base if len(base) == 1 else f"\\mathit{{{base}}}"
    return f"{head}_{{{subscript}}}" if subscript else head


def _resolve_frozen(spec: Spec, nodes: list[Node]) -> frozenset[str]:
    params = [n.name for n in nodes if n.kind == "param"]
    place = "network.frozen" if isinstance(spec.problem, Network) else "graph.frozen"
    out: set[str] = set()
    for i, raw in enumerate(spec.frozen, 1):
        name = raw.replace(" ", "")
        hits = [p for p in params if p == name or p.startswith(name + "[")]
        if not hits:
            listed = ", ".join(params[:12]) + (", ..." if len(params) > 12 else "")
            hint = _suggest(name, params) or f" (parameters: {listed})"
            raise SpecError(spec.file, f"{place}[{i}]", f"{raw!r} names no parameter" + hint)
        out.update(hits)
    return frozenset(out)


def _suggest(name: str, options: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, options, n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""


