"""The layout of a ``[graph]``: nodes left to right by depth, parameters on edges or as small boxes."""

from __future__ import annotations

from solgen.core.evaluate import Value
from solgen.core.graph import Graph, Node
from solgen.core.ir import Add, Call, Expr, Mul, Var, children
from solgen.core.numbers import NumberFormat

from .geometry import (
    Point,
    Segment,
    _crosses,
    _Grid,
    _grown,
    _path,
    _paths,
    _piece_grid,
    _segments_cross,
    _shape_grid,
    _shrunk,
    _span,
    _ys,
)
from .model import Picture, Shape
from .names import plain_name
from .placement import _hits
from .text import Text, _math, _named, _say, _value

# a [graph] node that applies a function gets it written above: (LaTeX, plain)
_FUNCTION_TAGS = {"sigmoid": (r"$\sigma$", "σ"), "relu": ("ReLU", "ReLU"), "tanh": (r"$\tanh$", "tanh"),
                  "exp": (r"$\exp$", "exp"), "log": (r"$\log$", "log"), "sqrt": (r"$\sqrt{\cdot}$", "√"),
                  "abs": (r"$|\cdot|$", "|·|")}


def _terms(expr: Expr) -> tuple[Expr, ...]:
    if isinstance(expr, Call) and len(expr.args) == 1:
        expr = expr.args[0]
    return expr.terms if isinstance(expr, Add) else (expr,)


def _occurrences(expr: Expr, name: str) -> int:
    if isinstance(expr, Var):
        return int(expr.name == name)
    return sum(_occurrences(c, name) for c in children(expr))


#: a node's forward value and its gradient dL/d(node) (None: not shown), as an answer key draws them
NodeValues = dict[str, tuple[Value | None, Value | None]]


_MAX_WIDTH = 19.4  # as diagram.MAX_WIDTH


def _columns(g: Graph, main: list[Node]) -> dict[int, list[Node]]:
    """Nodes by depth (longest path from the inputs); an input sits just before its first user."""
    depth: dict[str, int] = {}
    for n in main:
        if n.kind != "input":
            depth[n.name] = 1 + max((depth[p] for p in n.parents if p in depth), default=0)
    for n in main:
        if n.kind == "input":
            users = [depth[k] for k in g.children[n.name] if k in depth]
            depth[n.name] = max(0, min(users, default=1) - 1)
    columns: dict[int, list[Node]] = {}
    for n in main:
        columns.setdefault(depth[n.name], []).append(n)
    return columns


class _GraphDrawer:
    DX = 3.6
    GAP_Y = 2.6
    RADIUS = 0.45

    def __init__(self, graph: Graph, fmt: NumberFormat, values: NodeValues | None = None,
                 short: bool = False) -> None:
        """``values``: the key's forward values and gradients, drawn in CS231n's circuit style
        (the value above each node, the gradient below); without them only given values show.
        ``short``: the edges carry the weights' names only (``name = value`` would cross an edge)."""
        self.graph, self.fmt, self.values, self.short = graph, fmt, values, short
        self.pic = Picture()

    def edge_weights(self) -> dict[tuple[str, str], str]:
        """(parent, node) -> the parameter that multiplies only that parent, in only that node."""
        g = self.graph
        out: dict[tuple[str, str], str] = {}
        for node in g.nodes:
            if node.expr is None:
                continue
            for term in _terms(node.expr):
                if not (isinstance(term, Mul) and len(term.factors) == 2):
                    continue
                names = [f.name for f in term.factors if isinstance(f, Var)]
                if len(names) != 2:
                    continue
                kinds = [g.by_name[n].kind for n in names]
                if sorted(kinds) not in (["input", "param"], ["node", "param"]):
                    continue
                p, v = (names[0], names[1]) if kinds[0] == "param" else (names[1], names[0])
                if (g.children[p] == (node.name,) and _occurrences(node.expr, p) == 1
                        and _occurrences(node.expr, v) == 1 and (v, node.name) not in out):
                    out[(v, node.name)] = p
        return out

    def picture(self) -> Picture:
        g, pic = self.graph, self.pic
        on_edge = self.edge_weights()
        main = [n for n in g.nodes if n.kind in ("input", "node", "loss")]
        columns = _columns(g, main)
        per_row = max(1, int((_MAX_WIDTH - 2.0) // self.DX) + 1)
        tallest = max(len(col) for col in columns.values())
        row_h = (tallest - 1) * self.GAP_Y + 3.6  # room for the values and a label on the edge down
        shapes: dict[str, Shape] = {}
        for c in sorted(columns):
            row, place = divmod(c, per_row)
            if row % 2:  # a wide graph snakes: every other row runs right to left, so no edge is long
                place = per_row - 1 - place
            for n, y in zip(columns[c], _ys(len(columns[c]), self.GAP_Y)):
                shapes[n.name] = self.main_node(n, place * self.DX, y - row * row_h)
        for n in main:
            for p in n.parents:
                if p in shapes:
                    param = on_edge.get((p, n.name))
                    label = None
                    if param:
                        node = g.by_name[param]
                        label = _math(node.latex, plain_name(node), "tiny") if self.short else _named(node, self.fmt)
                    pic.connect(shapes[p], shapes[n.name], label, grey=param in g.frozen, dashed=param in g.frozen)
        self.leaves(shapes, set(on_edge.values()))
        self.upstream(shapes)
        if g.frozen:
            pic.notes.append(_say("frozen"))
        if self.short and on_edge:
            pic.notes.append(_say("edge_names"))
        if self.values:
            pic.notes.append(_say("node_values"))
        return pic

    def main_node(self, n: Node, x: float, y: float) -> Shape:
        label = _math(n.latex, plain_name(n), "normal")
        if n.kind == "loss":
            d = 0.7
            shape = self.pic.add("box", x, y, label, w=max(0.8, label.width + 0.3), h=d, fill="loss")
        else:
            d = max(2 * self.RADIUS, label.width + 0.25)
            shape = self.pic.add("circle", x, y, label, w=d, h=d, fill="input" if n.kind == "input" else "unit")
        if isinstance(n.expr, Call) and n.expr.fn in _FUNCTION_TAGS:
            tex, plain = _FUNCTION_TAGS[n.expr.fn]
            self.pic.text(x, y + d / 2 + 0.2, Text(tex, plain, "tiny"))
        forward, gradient = (self.values or {}).get(n.name, (n.value, None))
        if forward is None:
            forward = n.value
        exact = forward == n.value
        if forward is not None:
            tagged = isinstance(n.expr, Call) and n.expr.fn in _FUNCTION_TAGS
            above = _math(self.fmt.latex(forward, exact), self.fmt.text(forward, exact), "small")
            self.pic.text(x, y + d / 2 + (0.55 if tagged else 0.22), above).fill = "ground"
        if gradient is not None:
            grad = Text(f"${self.fmt.latex(gradient)}$", self.fmt.text(gradient), "small", "gradient")
            self.pic.text(x, y - d / 2 - 0.2, grad).fill = "ground"
        return shape

    def leaves(self, shapes: dict[str, Shape], absorbed: set[str]) -> None:
        """Parameters and constants that are no edge label: small boxes near their first child,
        where they cover no node and their edge crosses the fewest others."""
        g, pic = self.graph, self.pic
        grids: tuple[_Grid[tuple[int, Segment]], _Grid[Shape]] | None = None  # kept up to date, not rebuilt
        for leaf in g.nodes:
            if leaf.kind not in ("param", "constant") or leaf.name in absorbed:
                continue
            kids = [k for k in g.children[leaf.name] if k in shapes]
            if not kids:
                continue
            if grids is None:
                grids = _piece_grid(_paths(pic)), _shape_grid(pic.shapes)
            label = _named(leaf, self.fmt, "tiny")
            grey = leaf.name in g.frozen
            box = Shape(f"n{len(pic.shapes) + 1}", "box", 0.0, 0.0, w=label.width + 0.2, h=0.45, lines=(label,),
                        fill="target" if leaf.kind == "constant" else "param", grey=grey)
            box.x, box.y = self.leaf_place(box, shapes[kids[0]], *grids)
            pic.shapes.append(box)
            grids[1].add(box.extent(), box)
            for kid in kids:
                pic.connect(box, shapes[kid], dashed=True, grey=grey)
                for piece in _path(box, shapes[kid]).pieces():
                    grids[0].add(_span(piece), (len(pic.edges) - 1, piece))

    def leaf_place(self, box: Shape, kid: Shape, pieces: _Grid[tuple[int, Segment]], others: _Grid[Shape]) -> Point:
        """Where the leaf's box goes, given the edges (``pieces``) and shapes (``others``) drawn so far."""
        down, side = kid.h / 2 + 0.45, self.DX * 0.45
        spots = [(-side, -down), (-side, down), (-side, -down - 0.6), (-side, down + 0.6), (0.0, -down - 0.25),
                 (0.0, down + 0.25), (-side, -down - 1.2), (-side, down + 1.2), (-2 * side, -down - 0.6)]
        best: tuple[float, Point] | None = None
        for rank, (dx, dy) in enumerate(spots):
            box.x, box.y = kid.x + dx, kid.y + dy
            roomy = _grown(box.extent(), 0.15)
            link = _path(box, kid).pieces()[0]
            cost = 0.1 * rank + 100 * sum(_hits(s, roomy) for s in others.near(roomy))
            cost += 2 * len({j for j, piece in pieces.near(roomy) if _crosses(piece, roomy)})
            cost += 2 * len({j for j, piece in pieces.near(_span(link)) if _segments_cross(link, piece)})
            cost += 100 * sum(_crosses(link, _shrunk(s)) for s in others.near(_span(link))
                              if s is not kid and s.kind != "text")
            if best is None or cost < best[0]:
                best = (cost, (box.x, box.y))
        assert best is not None
        return best[1]

    def upstream(self, shapes: dict[str, Shape]) -> None:
        for name, grad in self.graph.upstream.items():
            node = self.graph.by_name[name]
            target = shapes[name]
            v = _value(self.fmt, grad) or ("", "")
            label = _math(rf"\partial L / \partial {node.latex} = {v[0]}",
                          f"∂L/∂{plain_name(node)} = {v[1]}", "small")
            box = self.pic.add("box", target.x + target.w / 2 + 1.1 + label.width / 2, target.y, label,
                               w=label.width + 0.3, h=0.6, fill="loss")
            self.pic.connect(box, target, dashed=True)
