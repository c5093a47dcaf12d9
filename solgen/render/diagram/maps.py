"""The diagram of a network with layers beyond dense, drawn as its feature maps (issue 12).

Left to right: the input's maps as grids of their values, then each layer's output maps,
the arrow between two panels saying what the layer does, with its given parameters (a
kernel, a bias, a mask, ...) as small grids above it.  A layer whose registry entry draws
``steps`` (the RNN) is unrolled instead: its hidden states h_0, h_1, ... left to right, each
step's input below its state, the shared W_ih and W_hh written on every arrow.  A question
sheet shows the given values only (computed cells stay empty for the student); a key fills
every cell.  Rows wrap at MAX_WIDTH so that nothing is shrunk; maps too large to read
(``MAP_LIMIT``) leave the one-box-per-layer picture of ``layers.py``.
"""

from __future__ import annotations

import itertools
from typing import Any

from solgen.core.graph import Graph, Node
from solgen.core.numbers import NumberFormat
from solgen.layers import LAYER_KINDS
from solgen.render.latexsafe import tex_escape
from solgen.spec.sections import Network

from .model import Picture, Shape
from .network import activation_tex, activation_text
from .text import Text, _kind_words, _math, _say, _words

MAP_LIMIT = 6  # rows of one map grid at most (and at most 3 maps a panel, ROW_LIMIT entries a row)
ROW_LIMIT = 12
_MAX_WIDTH = 19.4  # as diagram.MAX_WIDTH
_CELL, _GAP, _ROW_GAP = 0.62, 1.9, 1.6

Values = dict[str, Any]
_SUB = "₀₁₂₃₄₅₆₇₈₉"


def _grids(shape: tuple[int, ...]) -> tuple[int, int, int]:
    """(maps, rows, columns) of a shape: a vector is one row, (C, L) C rows, (C, H, W) C grids."""
    if len(shape) == 1:
        return 1, 1, shape[0]
    if len(shape) == 2:
        return 1, shape[0], shape[1]
    return shape[0], shape[1], shape[2]


def _plain_head(node: Node) -> str:
    from .names import tex_to_unicode

    return tex_to_unicode(node.latex.split("_")[0]) or node.role or ""


def _fits(shape: tuple[int, ...]) -> bool:
    """Whether a map (or tensor) of this shape is drawn as grids (else as a box with its shape)."""
    if len(shape) > 3:
        return False
    maps, rows, cols = _grids(shape)
    return maps <= 3 and rows <= MAP_LIMIT and cols <= ROW_LIMIT


def drawable(net: Network) -> bool:
    """Whether the network is drawn as its maps (else the boxes of ``layers.py``): one example
    with its values, and a first map small enough to be read."""
    return not net.batch and net.inputs is not None and _fits(net.shape)


class _MapsDrawer:
    def __init__(self, net: Network, graph: Graph, fmt: NumberFormat, values: Values | None) -> None:
        self.net, self.graph, self.fmt, self.values = net, graph, fmt, values
        self.pic = Picture()
        self.x, self.row_top, self.row_low = 0.0, 0.0, 0.0

    def cell_text(self, name: str) -> Text:
        node = self.graph.by_name.get(name)
        value = node.value if node is not None else None
        exact = value is not None
        if value is None and self.values is not None:
            value = self.values.get(name, (None, None))[0]
        if value is None:
            return Text("", "", "tiny")
        return _math(self.fmt.latex(value, exact), self.fmt.text(value, exact), "tiny")

    def grid(self, names: list[str], shape: tuple[int, ...], left: float, top: float,
             fill: str, cell: float = _CELL) -> tuple[float, float]:
        """Cells of ``names`` (row-major over ``shape``) from (left, top) down, each at least ``cell``
        wide; (width, height)."""
        maps, rows, cols = _grids(shape)
        texts = [self.cell_text(n) for n in names]
        w = max([cell] + [t.width + 0.16 for t in texts])
        y = top
        for m in range(maps):
            for r, c in itertools.product(range(rows), range(cols)):
                t = texts[(m * rows + r) * cols + c]
                self.pic.add("cell", left + (c + 0.5) * w, y - (r + 0.5) * _CELL, t, w=w, h=_CELL, fill=fill)
            y -= rows * _CELL + (0.25 if m < maps - 1 else 0)
        return cols * w, top - y

    def place(self, width: float) -> None:
        """Start a new row when a panel this wide would pass MAX_WIDTH."""
        if self.x > 0 and self.x + width > _MAX_WIDTH:
            self.x, self.row_top = 0.0, self.row_low - _ROW_GAP
            self.row_low = self.row_top

    def panel(self, title: Text, names: list[str], shape: tuple[int, ...], fill: str) -> Shape:
        """A titled map panel at the cursor (wrapping first if it must); its right anchor.  A map too
        large to read is a box with its shape."""
        if not _fits(shape):
            return self.box(title, shape, fill)
        texts = [self.cell_text(n) for n in names]
        w = max([_CELL] + [t.width + 0.16 for t in texts]) * _grids(shape)[2]
        width = max(w, title.width)
        self.place(width)
        self.pic.text(self.x + width / 2, self.row_top - 0.2, title)
        left = self.x + (width - w) / 2
        top = self.row_top - 0.5
        gw, gh = self.grid(names, shape, left, top, fill)
        self.row_low = min(self.row_low, top - gh)
        self.x += width
        return self.pic.add("text", left + gw + 0.05, top - _CELL / 2, Text("", "", "tiny"))

    def box(self, title: Text, shape: tuple[int, ...], fill: str) -> Shape:
        words = _words(" × ".join(str(n) for n in shape), "small")
        width = max(title.width, words.width + 0.4)
        self.place(width)
        self.pic.text(self.x + width / 2, self.row_top - 0.2, title)
        top = self.row_top - 0.5
        self.pic.add("box", self.x + width / 2, top - _CELL / 2, words, w=words.width + 0.4, h=_CELL, fill=fill)
        self.row_low = min(self.row_low, top - _CELL)
        self.x += width
        return self.pic.add("text", self.x - (width - words.width - 0.4) / 2 + 0.05, top - _CELL / 2,
                            Text("", "", "tiny"))

    def params(self, l: int) -> list[tuple[str, list[Node], tuple[int, ...]]]:
        """The layer's given tensors by role (kernels, biases, masks, h_0): (role, nodes, shape)."""
        by_role: dict[str, list[Node]] = {}
        for node in self.graph.nodes:
            if node.layer == l and node.kind in ("param", "constant") and node.index and not node.example:
                by_role.setdefault(node.role or "", []).append(node)
        out = []
        for role, nodes in by_role.items():
            shape = tuple(max(n.index[d] for n in nodes) - min(n.index[d] for n in nodes) + 1
                          for d in range(len(nodes[0].index)))
            while len(shape) > 3 and 1 in shape:  # (O, 1, kh, kw): one input channel, O kernels
                drop = shape.index(1)
                shape = shape[:drop] + shape[drop + 1:]
            out.append((role, nodes, shape))
        return out

    def tensors(self, l: int) -> list[tuple[Text, list[Node], tuple[int, ...], float, float]]:
        """The layer's given tensors that fit the grids: (label, nodes, shape, grid width, slot width)."""
        found = [(r, n, s) for r, n, s in self.params(l) if _fits(s)]
        heads = [n[0].latex.split("_")[0] for _, n, _ in found]
        out = []
        for (role, nodes, shape), head in zip(found, heads):
            tex, plain = head, _plain_head(nodes[0])
            if heads.count(head) > 1:  # two tensors of one letter (the RNN's two weights): their roles tell
                tex, plain = rf"{head}\ \mathrm{{{role}}}", f"{plain} {role}"
            label = _math(tex, plain, "tiny")
            w = max([_CELL] + [self.cell_text(x.name).width + 0.16 for x in nodes]) * _grids(shape)[2]
            out.append((label, nodes, shape, w, max(w, label.width)))
        return out

    def draw_tensors(self, l: int, left: float, top: float) -> None:
        """Each given tensor of layer ``l`` as a named grid, left to right from (left, top) down."""
        for label, nodes, shape, w, slot in self.tensors(l):
            self.pic.text(left + slot / 2, top, label)
            _, gh = self.grid([n.name for n in nodes], shape, left + (slot - w) / 2, top - 0.25, "param")
            self.row_low = min(self.row_low, top - 0.25 - gh)
            left += slot + 0.4

    def panel_width(self, title: Text, names: list[str], shape: tuple[int, ...]) -> float:
        if not _fits(shape):
            return max(title.width, _words(" × ".join(str(n) for n in shape), "small").width + 0.4)
        return max(max([_CELL] + [self.cell_text(n).width + 0.16 for n in names]) * _grids(shape)[2], title.width)

    def arrow(self, src: Shape, l: int, label: Text, then: float = 0.0) -> None:
        """The arrow of layer ``l`` from ``src`` (the last panel's right anchor), saying what the layer
        does, with its given parameters as grids below it; ``then``: the width of the panel it leads
        to (the two stay on one row)."""
        widths = [slot for *_, slot in self.tensors(l)]
        span = max(_GAP, label.width + 0.5, sum(widths) + 0.4 * len(widths) + 0.2)
        wrapped = self.x > 0 and self.x + span + then > _MAX_WIDTH
        self.place(span + then)
        y = self.row_top - 0.5 - _CELL / 2
        if wrapped:  # a new row: the arrow starts at its left edge
            src = self.pic.add("text", self.x, y, Text("", "", "tiny"))
        x0 = self.x + 0.1
        self.pic.text(x0 + span / 2, y + 0.3, label)
        self.draw_tensors(l, x0 + (span - sum(widths) - 0.4 * (len(widths) - 1)) / 2, y - 0.5)
        end = self.pic.add("text", x0 + span - 0.05, y, Text("", "", "tiny"))
        self.pic.connect(src, end)
        self.x = x0 + span + 0.1

    def steps(self, l: int, layer: Any, src: Shape | None, inputs: list[str], label: Text) -> Shape:
        """An RNN unrolled: h_0, h_1, ... left to right at the arrows' height, each step's input
        below its state; W_hh on every step's arrow, W_ih on every input's (the same matrices
        each time), and the matrices themselves once below.  Its right anchor (h at the last step)."""
        steps, features = layer.steps, len(inputs) // layer.steps
        states = [[f"h{l}[{t},{j}]" for j in range(1, layer.units + 1)] for t in range(steps + 1)]
        width = max([_CELL] + [self.cell_text(n).width + 0.16 for n in sum(states, [])]) * layer.units
        xw = max([_CELL] + [self.cell_text(n).width + 0.16 for n in inputs]) * features
        step = max(width, xw) + 1.7
        self.place(step * (steps + 1))
        y = self.row_top - 0.5 - _CELL / 2
        x0 = self.x + 0.2
        self.pic.text(x0 + step * (steps + 1) / 2, self.row_top - 0.2 + 0.45, label)
        hh = _math(r"W_{hh}", "W_hh", "tiny")
        ih = _math(r"W_{ih}", "W_ih", "tiny")
        right: Shape | None = None
        for t in range(steps + 1):
            cx = x0 + t * step + width / 2
            self.pic.text(cx, self.row_top - 0.2, _math(f"h_{{{t}}}", f"h{_SUB[t % 10]}", "tiny"))
            self.grid(states[t], (layer.units,), cx - width / 2, y + _CELL / 2, "unit", width / layer.units)
            left = self.pic.add("text", cx - width / 2 - 0.05, y, Text("", "", "tiny"))
            if right is not None:
                self.pic.connect(right, left, hh)
            elif src is not None:
                self.pic.connect(src, left)
            right = self.pic.add("text", cx + width / 2 + 0.05, y, Text("", "", "tiny"))
            if t:
                low = y - 1.9
                self.grid(inputs[(t - 1) * features:t * features], (features,), cx - xw / 2, low + _CELL / 2,
                          "input", xw / features)
                self.pic.text(cx, low - _CELL / 2 - 0.2, _math(f"x_{{{t}}}", f"x{_SUB[t % 10]}", "tiny"))
                up = self.pic.add("text", cx, low + _CELL / 2 + 0.05, Text("", "", "tiny"))
                self.pic.connect(up, self.pic.add("text", cx, y - _CELL / 2 - 0.05, Text("", "", "tiny")), ih)
        low = y - 1.9 - _CELL / 2 - 0.45
        self.pic.text(x0, low, _say("same_matrices", "tiny"), anchor="west")
        self.row_low = low
        self.draw_tensors(l, x0, low - 0.45)
        self.x = x0 + step * (steps + 1) - 1.5
        assert right is not None
        return right

    def picture(self) -> Picture:
        net = self.net
        shape = net.shape
        names = [n.name for n in self.graph.nodes if n.kind == "input"]
        right: Shape | None = None
        if LAYER_KINDS[net.layers[0].type].panel != "steps":
            right = self.panel(_say("input"), names, shape, "input")
        for l, layer in enumerate(net.layers, 1):
            kind = LAYER_KINDS[layer.type]
            act = getattr(layer, "activation", "linear")
            words, linear = _kind_words(layer.type, kind.words), act in ("linear", "identity")
            label = Text(tex_escape(words) + ("" if linear else f", {activation_tex(act)}"),
                         words + ("" if linear else f", {activation_text(act)}"), "tiny")
            if kind.panel == "steps":
                heading = _say("layer_kind", c=l, kind="\x01")  # the kind's LaTeX goes in unescaped
                right = self.steps(l, layer, right, names, Text(heading.tex.replace("\x01", label.tex),
                                                                heading.plain.replace("\x01", label.plain), "small"))
            else:
                assert right is not None
                out = [f"a{l}[{','.join(map(str, idx))}]" for idx in
                       itertools.product(*(range(1, s + 1) for s in layer.shape))]
                title = _say("layer", c=l)
                self.arrow(right, l, label, self.panel_width(title, out, layer.shape) + 0.2)
                right = self.panel(title, out, layer.shape, "unit")
            names = [f"a{l}[{','.join(map(str, idx))}]" for idx in
                     itertools.product(*(range(1, s + 1) for s in layer.shape))]
        return self.pic
