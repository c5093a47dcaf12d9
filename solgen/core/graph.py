"""Spec -> Graph: one scalar node per quantity, in topological order.

Both spec forms compile to this.  A layered network gets the canonical names
of the contract (``x[1]``, ``W1[2,1]``, ``b1``, ``z1[1]``, ``a1[1]``, ``L``);
a [graph] keeps the user's names.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction

from solgen.errors import SpecError
from solgen.record import record
from solgen.render.latexsafe import name_displays, name_tex
from solgen.spec.sections import Graph as GraphSpec
from solgen.spec.sections import Network, Spec
from solgen.train.losses import LOSSES, Options

from .ir import Add, Call, Expr, Mul, Num, Pow, Var, variables

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
    role: str = ""  # x t W b z a Ln L for networks, "" for graphs
    index: tuple[int, ...] = ()  # the unit (or weight) index, without the example
    example: int = 0  # the example (1-based) of a batch's quantity; 0 outside a batch


@record
class Graph:
    nodes: tuple[Node, ...]
    by_name: dict[str, Node]
    children: dict[str, tuple[str, ...]]
    upstream: dict[str, Fraction] = field(default_factory=dict)
    frozen: frozenset[str] = frozenset()
    penalty: Expr | None = None  # the l1/l2 term added to L (section 8), if any
    examples: int = 0  # N of a batch; 0 for a single example or a graph

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
    nodes, penalty = with_penalty(spec, nodes)
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
    examples = problem.size if isinstance(problem, Network) and problem.batch else 0
    return Graph(tuple(nodes), by_name, {k: tuple(v) for k, v in kids.items()}, upstream, frozen,
                 penalty, examples)


@dataclass
class NetworkBuilder:
    """What a layer kind's ``build`` adds to: the nodes so far and the current stage.

    A batch's quantities carry the example first (``z1[n,j]``); a single example keeps
    the names of section 2 (``z1[j]``): ``add`` names them either way."""

    net: Network
    nodes: list[Node] = field(default_factory=list)
    stage: int = 0

    @property
    def batched(self) -> bool:
        """Names put the example index first (x[n,i], z1[n,j])."""
        return self.net.batch

    def name(self, base: str, n: int, *index: int) -> str:
        """``z1[2,3]`` in a batch (example 2, unit 3), ``z1[3]`` for a single example."""
        full = (n, *index) if self.net.batch else index
        return f"{base}[{','.join(str(i) for i in full)}]"

    def tex(self, symbol: str, n: int, *index: int) -> str:
        """``z^{(1)}_{2,3}`` / ``z^{(1)}_{3}``: the display name matching ``name``."""
        full = (n, *index) if self.net.batch else index
        return f"{symbol}_{{{','.join(str(i) for i in full)}}}"

    def add(self, role: str, l: int, n: int, j: int, expr: Expr) -> Var:
        """Add the node ``{role}{l}[n,j]`` (z or a of layer l) computed by ``expr``."""
        name = self.name(f"{role}{l}", n, j)
        self.nodes.append(Node(name, "node", self.tex(f"{role}^{{({l})}}", n, j), expr, tuple(variables(expr)),
                               stage=self.stage, layer=l, role=role, index=(j,), example=n if self.net.batch else 0))
        return Var(name)


def _network_nodes(net: Network) -> tuple[list[Node], dict[str, Fraction]]:
    from solgen.layers import LAYER_KINDS
    from solgen.layers.shapes import Maps, indices, name, tex

    b = NetworkBuilder(net)
    examples = net.examples or ((None,) * net.input_count,)
    maps = []
    for n, row in enumerate(examples, 1):
        ex = n if net.batch else None
        inputs = [Node(name("x", idx, ex), "input", tex("x", None, idx, ex), value=v, role="x", index=idx,
                       example=n if net.batch else 0) for idx, v in zip(indices(net.shape), row)]
        b.nodes.extend(inputs)
        maps.append(Maps(net.shape, tuple(Var(x.name) for x in inputs)))
    for l, layer in enumerate(net.layers, 1):
        maps = LAYER_KINDS[layer.type].build(b, l, layer, maps)
    prev = [list(m.vars) for m in maps]
    if net.upstream is not None:
        rows = net.example_upstream or (net.upstream,)
        return b.nodes, {v.name: g for out, row in zip(prev, rows) for v, g in zip(out, row)}
    _losses(b, prev)
    return b.nodes, {}


def _losses(b: NetworkBuilder, outputs: list[list[Var]]) -> None:
    """Each example's targets and loss L[n] (a single example: its loss is L), then L."""
    net = b.net
    assert net.loss is not None
    loss = LOSSES[net.loss]
    rows = net.example_targets or ((None,) * len(outputs[0]),)
    stage = b.stage + 1
    per_example: list[Expr] = []
    for n, (out, row) in enumerate(zip(outputs, rows), 1):
        targets = [Node(b.name("t", n, j), "constant", b.tex("t", n, j), value=t, role="t", index=(j,),
                        example=n if net.batch else 0) for j, t in enumerate(row, 1)]
        b.nodes.extend(targets)
        label = net.labels[n - 1] if net.labels else next((j for j, t in enumerate(row, 1) if t == 1), 1)
        normalized = bool(net.labels) or (row[0] is not None and sum(row) == 1)  # type: ignore[arg-type]
        options = Options(net.delta, net.margin, label, normalized)
        expr = loss.build(out, [Var(t.name) for t in targets], options)
        if not net.batch:
            b.nodes.append(Node("L", "loss", "L", expr, tuple(variables(expr)), stage=stage, role="L"))
            return
        name = f"L[{n}]"
        b.nodes.append(Node(name, "node", f"L_{{{n}}}", expr, tuple(variables(expr)), stage=stage, role="Ln",
                            index=(n,), example=n))
        per_example.append(Var(name))
    total: Expr = Add(tuple(per_example)) if len(per_example) > 1 else per_example[0]
    if net.reduction == "mean" and len(per_example) > 1:
        total = Mul((Num(Fraction(1, len(per_example)), frac=True), total))
    b.nodes.append(Node("L", "loss", "L", total, tuple(variables(total)), stage=stage + 1, role="L"))


def with_penalty(spec: Spec, nodes: list[Node]) -> tuple[list[Node], Expr | None]:
    """L with the l1/l2 penalty added once (over a network's weights, every parameter of a graph)."""
    if not (spec.l1 or spec.l2) or not nodes or nodes[-1].kind != "loss":
        return nodes, None
    network = isinstance(spec.problem, Network)
    weights = [Var(n.name) for n in nodes if n.kind == "param" and (n.role in ("W", "Wih", "Whh") or not network)]
    if not weights:
        return nodes, None
    parts: list[Expr] = []  # one term per weight, so that a long penalty wraps like any sum
    if spec.l2:
        parts += [Mul((Num(spec.l2 / 2), Pow(w, Num(Fraction(2))))) for w in weights]
    if spec.l1:
        parts += [Mul((Num(spec.l1), Call("abs", (w,)))) for w in weights]
    penalty = Add(tuple(parts)) if len(parts) > 1 else parts[0]
    loss = nodes[-1]
    assert loss.expr is not None
    expr = Add((loss.expr, *parts))
    return nodes[:-1] + [replace(loss, expr=expr, parents=tuple(variables(expr)))], penalty


def _graph_nodes(g: GraphSpec) -> tuple[list[Node], dict[str, Fraction]]:
    shown = name_displays([*g.inputs, *g.constants, *g.params, *(name for name, _ in g.nodes)], g.latex)

    def tex(name: str) -> str:
        return shown[name]

    nodes = [Node(n, "input", tex(n), value=v) for n, v in g.inputs.items()]
    nodes += [Node(n, "constant", tex(n), value=v) for n, v in g.constants.items()]
    nodes += [Node(n, "param", tex(n), value=v) for n, v in g.params.items()]
    for stage, (name, expr) in enumerate(g.nodes, 1):
        nodes.append(Node(name, "node", tex(name), expr, tuple(variables(expr)), stage=stage))
    if g.loss is not None:
        nodes.append(Node("L", "loss", "L", g.loss, tuple(variables(g.loss)), stage=len(g.nodes) + 1))
    return nodes, dict(g.upstream or {})


def default_latex(name: str) -> str:
    """``u11`` -> ``u_{11}``, ``alpha2`` -> ``\\alpha_{2}``, ``w_ab`` -> ``w_{ab}``."""
    return name_tex(name)


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


