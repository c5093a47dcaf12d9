"""The given values as a reader writes them down: vectors and matrices per layer (a network), or
name = value per kind (a graph), instead of one table row per number.

Each Eq names its symbols, then their values: ``W^{(1)} = [w_{11} w_{12}; ...] = [0.15 0.2; ...]``.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from solgen.core.graph import Graph, Node
from solgen.render.width import LINE, width

from .solution import Eq

WIDEST = LINE - 8.0  # a vector or matrix wider than this is given entry by entry

Number = Callable[[Fraction], str]  # a given value, exactly as given


def bmatrix(rows: list[list[str]]) -> str:
    return "\\begin{bmatrix} " + " \\\\ ".join(" & ".join(r) for r in rows) + " \\end{bmatrix}"


def vector(items: list[str]) -> str:
    return "\\left(" + ",\\ ".join(items) + "\\right)"


def given_equations(graph: Graph, number: Number, upstream: list[tuple[str, str]],
                    rate: str | None) -> tuple[Eq, ...]:
    """Every given value once: a network's per layer (x, then each W and b, then t), a graph's by kind."""
    leaves = [n for n in graph.nodes if n.expr is None]
    groups: dict[tuple[int, str], list[Node]] = {}
    for n in leaves:
        groups.setdefault((n.layer, n.role or n.kind), []).append(n)
    out: list[Eq] = []
    for (layer, role), nodes in groups.items():
        out += _group(layer, role, nodes, number)
    out += [Eq(lhs, ((value,),), "given-value") for lhs, value in upstream]
    if rate is not None:
        out.append(Eq("\\eta", ((rate,),), "given-value"))
    return tuple(out)


HEADS = {"x": "X", "W": "W^{{({l})}}", "Wih": "W^{{({l})}}", "Whh": "W^{{({l})}}", "m": "M^{{({l})}}"}


def _maps(layer: int, role: str, nodes: list[Node], number: Number) -> list[Eq] | None:
    """A feature map, kernel or sequence (an index of two or more entries) as matrices: one per
    leading index (and example), rows and columns its last two indices; None for other groups."""
    rank = len(nodes[0].index)
    if rank < 2 or role == "h0" or (role == "W" and rank < 3):  # a dense weight matrix: the usual rows
        return None
    planes: dict[tuple[int, ...], dict[int, list[Node]]] = {}
    for n in nodes:
        lead = ((n.example,) if n.example else ()) + n.index[:-2]
        planes.setdefault(lead, {}).setdefault(n.index[-2], []).append(n)
    out = []
    for lead, rows in planes.items():
        grid = list(rows.values())
        head = HEADS.get(role, nodes[0].latex.split("_{", 1)[0]).format(l=layer)
        ids = ([f"\\mathrm{{{role[1:]}}}"] if role in ("Wih", "Whh") else []) + [str(i) for i in lead]
        lhs = head + (f"_{{{','.join(ids)}}}" if ids else "")
        shown = bmatrix([[number(n.value) for n in row] for row in grid])  # type: ignore[arg-type]
        named = bmatrix([[n.latex for n in row] for row in grid])
        steps = ((named,), (shown,)) if width(named) <= WIDEST else ((shown,),)
        if width(shown) > WIDEST:
            return None
        out.append(Eq(lhs, steps, "given-value"))
    return out


def _group(layer: int, role: str, nodes: list[Node], number: Number) -> list[Eq]:
    maps = _maps(layer, role, nodes, number)
    if maps is not None:
        return maps
    values = [number(n.value) for n in nodes]  # type: ignore[arg-type]
    symbols = [n.latex for n in nodes]
    scalars = [Eq(s, ((v,),), "given-value") for s, v in zip(symbols, values)]
    if len(nodes) == 1:
        return scalars
    if role == "W":
        rows = max(n.index[0] for n in nodes)
        grid_s: list[list[str]] = [[] for _ in range(rows)]
        grid_v: list[list[str]] = [[] for _ in range(rows)]
        for n, v in zip(nodes, values):
            grid_s[n.index[0] - 1].append(n.latex)
            grid_v[n.index[0] - 1].append(v)
        shown, named = bmatrix(grid_v), bmatrix(grid_s)
        lhs = f"W^{{({layer})}}"
    else:
        shown, named = vector(values), vector(symbols)
        lhs = {"x": "\\mathbf{x}", "t": "\\mathbf{t}", "b": f"\\mathbf{{b}}^{{({layer})}}"}.get(role, "")
    if width(shown) > WIDEST or width(named) > WIDEST:  # too wide for the page: entry by entry
        return scalars
    if not lhs:  # a graph's inputs, constants or parameters
        return [Eq(named, ((shown,),), "given-value")] if width(named) + width(shown) < WIDEST else scalars
    return [Eq(lhs, ((named,), (shown,)), "given-value")]
