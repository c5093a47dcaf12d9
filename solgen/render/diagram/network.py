"""Layouts of a ``[network]``: the layered picture of its units, or one box per layer (architecture only)."""

from __future__ import annotations

from fractions import Fraction

from solgen.core.graph import Graph, Node
from solgen.core.numbers import NumberFormat
from solgen.spec.sections import Layer, Network

from .geometry import Point, _ys
from .model import Picture, Shape
from .names import _sup, plain_name
from .text import Text, _math, _named, _number, _say, _value, _words

#: the least room between two columns (cm): a network of more layers than MAX_WIDTH / MIN_DX
#: is shrunk to the page
MIN_DX = 1.9
#: layers with more units than this are drawn without weight labels
LABEL_LIMIT = 5
#: weight labels carry the weight's name too while both layers have at most this many units
NAME_LIMIT = 2
#: columns with more units than this are drawn as 1, 2, 3, ..., n-1, n
SHOW_LIMIT = 7

_ACTIVATION_TEX = {"sigmoid": r"$\sigma$", "relu": "ReLU", "tanh": r"$\tanh$", "softmax": "softmax",
                   "leaky_relu": "LReLU", "elu": "ELU",
                   "softplus": "softplus", "gelu": "GELU", "silu": "SiLU"}
_ACTIVATION_TEXT = {"sigmoid": "σ", "relu": "ReLU", "tanh": "tanh", "softmax": "softmax",
                    "leaky_relu": "LReLU", "elu": "ELU",
                    "softplus": "softplus", "gelu": "GELU", "silu": "SiLU"}


def activation_tex(act: str) -> str:
    """An activation's short name in LaTeX (a linear one in the spoken language's word)."""
    return _say("linear").tex if act in ("linear", "identity") else _ACTIVATION_TEX[act]


def activation_text(act: str) -> str:
    """An activation's short name in Unicode text."""
    return _say("linear").plain if act in ("linear", "identity") else _ACTIVATION_TEXT[act]


def _loss_words(loss: str) -> str:
    """A loss's name in words, from the catalog's [diagram.losses] (else its name with spaces)."""
    from solgen.messages import catalog, text

    key = f"diagram.losses.{loss}"
    return text(key) if key in catalog("en") else loss.replace("_", " ")


def _slots(n: int) -> list[int | None]:
    """Which units of an n-unit column are drawn (None: the vertical dots)."""
    if n <= SHOW_LIMIT:
        return list(range(1, n + 1))
    return [1, 2, 3, None, n - 1, n]


class _NetworkDrawer:
    RADIUS = 0.66  # unit circles
    IN_RADIUS = 0.4
    LABEL_GAP = 2.6  # between units when weights are written on the edges
    BIAS_DROP = 0.6  # a shared bias box this many gaps below its column
    BIAS_SHIFT = 0.5  # and this far from the sending column towards the receiving one

    def __init__(self, net: Network, graph: Graph, fmt: NumberFormat, labels: str = "named",
                 squeeze: float = 0.0) -> None:
        # labels: "named" (name = value where both layers have at most NAME_LIMIT units), "values"
        # (values only), "none" (no weight labels: they would cross other edges or touch nodes),
        # "wide" (none: the picture is shrunk to the page, so labels would be too small to read);
        # squeeze: this much less between columns (a picture too wide for MAX_WIDTH)
        self.net, self.graph, self.fmt, self.labels, self.squeeze = net, graph, fmt, labels, squeeze
        self.pic = Picture()
        per_unit_bias = any(isinstance(layer.bias, tuple) or (layer.bias is not None and layer.units > NAME_LIMIT)
                            for layer in net.layers)
        sizes = [net.input_count] + [layer.units for layer in net.layers]
        self.labelled = labels not in ("none", "wide") and all(max(p) <= LABEL_LIMIT for p in zip(sizes, sizes[1:]))
        self.named = labels == "named" and all(max(p) <= NAME_LIMIT for p in zip(sizes, sizes[1:]))
        # room for labels along the edges: taller columns, wider gaps (named labels are longer)
        self.gap_y = self.LABEL_GAP if self.labelled else 2.35 if per_unit_bias else 2.2
        self.wider = 1.0 if self.named else 0.5 if self.labelled else 0.0
        self.head: list[tuple[float, tuple[Text, ...]]] = []  # column headers: x, lines

    def node(self, name: str) -> Node:
        return self.graph.by_name[name]

    def picture(self) -> Picture:
        net, pic = self.net, self.pic
        sizes = [net.input_count] + [layer.units for layer in net.layers]
        pairs = list(zip(sizes, sizes[1:]))
        named = all(max(p) <= NAME_LIMIT for p in pairs)
        tail = 4.6 if net.upstream is None else 4.0
        labelled = all(max(p) <= LABEL_LIMIT for p in pairs)
        dx = min(4.0 if labelled else 3.2, max(3.2 if named else 2.4, (15.8 - tail) / len(net.layers)))
        dx = min(dx + self.wider, max(dx, (17.4 - tail) / len(net.layers)))  # within MAX_WIDTH where it can
        dx = max(MIN_DX, dx - self.squeeze)
        xs = [i * dx for i in range(len(sizes))]
        columns: list[dict[int, Shape]] = []
        bottoms: list[float] = []
        for c, n in enumerate(sizes):
            slots = _slots(n)
            ys = _ys(len(slots), self.gap_y)
            shapes: dict[int, Shape] = {}
            for j, y in zip(slots, ys):
                if j is None:
                    pic.text(xs[c], y, Text(r"$\vdots$", "⋮", "normal"))
                elif c == 0:
                    shapes[j] = self.input(xs[c], y, j)
                else:
                    shapes[j] = self.unit(xs[c], y, c, j)
            columns.append(shapes)
            bottoms.append(ys[-1])
        top = max(len(_slots(n)) for n in sizes)
        top_y = (top - 1) / 2 * self.gap_y + self.RADIUS + 0.8
        for c, layer in enumerate(net.layers, 1):
            self.weights(c, columns[c - 1], columns[c], max(sizes[c - 1], sizes[c]))
            self.biases(c, layer, columns[c], xs[c - 1], min(bottoms[c - 1], bottoms[c]))
        self.headers(xs)
        self.outputs(columns[-1], xs[-1])
        for x, lines in self.head:
            pic.add("text", x, top_y - sum(t.height for t in lines[1:]) / 2, *lines, grey=True)
        self.notes(sizes)
        return pic

    def notes(self, sizes: list[int]) -> None:
        """The notes under the picture: labels left out, units not drawn, frozen parameters."""
        net, pic = self.net, self.pic
        if any(max(p) > LABEL_LIMIT for p in zip(sizes, sizes[1:])):
            biases = any(la.bias is not None and la.units > LABEL_LIMIT for la in net.layers)
            pic.notes.append(_say("unlabelled_biases" if biases else "unlabelled", limit=LABEL_LIMIT))
        elif self.labels in ("none", "wide"):
            pic.notes.append(_say("crossing" if self.labels == "none" else "too_wide"))
        for c, n in enumerate(sizes):
            if n > SHOW_LIMIT:
                where = _say("where_layer", c=c).plain if c else _say("where_inputs").plain
                pic.notes.append(_say("not_drawn", math=r"$\vdots$", plain="⋮", where=where, last=n - 2,
                                      n=f"{n:,}"))
        if self.graph.frozen:
            pic.notes.append(_say("frozen"))

    def input(self, x: float, y: float, j: int) -> Shape:
        node = self.node(f"x[{j}]")
        d = 2 * self.IN_RADIUS
        shape = self.pic.add("circle", x, y, _math(node.latex, plain_name(node), "normal"), w=d, h=d,
                             fill="input")
        v = _value(self.fmt, node.value)
        if v is not None:
            self.pic.add("text", x - self.IN_RADIUS - 0.1, y, _math(v[0], v[1], "small"), anchor="east",
                         fill="ground")
        return shape

    def unit(self, x: float, y: float, layer: int, j: int) -> Shape:
        z, a = self.node(f"z{layer}[{j}]"), self.node(f"a{layer}[{j}]")
        act = self.net.layers[layer - 1].activation
        d = 2 * self.RADIUS
        size = "tiny"  # 8 pt: never smaller than 7 pt on paper (the picture shrinks by at most 7/8)
        return self.pic.add("unit", x, y, Text(activation_tex(act), activation_text(act), size),
                            _math(z.latex, plain_name(z), "tiny"), _math(a.latex, plain_name(a), "tiny"),
                            w=d, h=d, fill="unit")

    def weights(self, layer: int, senders: dict[int, Shape], receivers: dict[int, Shape], widest: int) -> None:
        labelled = widest <= LABEL_LIMIT and self.labels not in ("none", "wide")
        for i, src in senders.items():
            for j, dst in receivers.items():
                r, c = (j, i) if self.net.layout == "out_in" else (i, j)
                node = self.node(f"W{layer}[{r},{c}]")
                label = None
                if labelled:
                    if (widest <= NAME_LIMIT and self.labels == "named") or node.value is None:
                        label = _named(node, self.fmt)
                    else:
                        label = _number(self.fmt, node.value)
                frozen = node.name in self.graph.frozen
                self.pic.connect(src, dst, label, grey=frozen, dashed=frozen)

    def biases(self, layer: int, spec: Layer, receivers: dict[int, Shape], x_prev: float, bottom: float) -> None:
        if spec.bias is None:
            return
        pic = self.pic
        if isinstance(spec.bias, Fraction) and spec.units <= NAME_LIMIT:
            node = self.node(f"b{layer}")
            grey = node.name in self.graph.frozen
            label = _named(node, self.fmt)
            y = bottom - self.gap_y * self.BIAS_DROP  # below, between the columns: short edges up to the units
            x = x_prev + (min(dst.x for dst in receivers.values()) - x_prev) * self.BIAS_SHIFT
            shape = pic.add("box", x, y, label, w=label.width + 0.25, h=0.5, fill="param", grey=grey)
            for dst in receivers.values():
                pic.connect(shape, dst, dashed=True, grey=grey)
            return
        if spec.units > LABEL_LIMIT:
            return
        top = max(dst.y for dst in receivers.values())
        for j, dst in receivers.items():
            node = self.node(f"b{layer}" if isinstance(spec.bias, Fraction) else f"b{layer}[{j}]")
            # under its unit; the top unit's may go above it (between two units it would be ambiguous)
            below, above = dst.y - self.RADIUS - 0.2, dst.y + self.RADIUS + 0.2
            spots: tuple[Point, ...] = ((dst.x, below), (dst.x - 0.4, below))
            if dst.y == top:
                spots += ((dst.x, above), (dst.x - 0.4, above))
            pic.add("text", dst.x, below, _named(node, self.fmt), fill="ground", grey=node.name in self.graph.frozen,
                    spots=spots)

    def headers(self, xs: list[float]) -> None:
        self.head = [(x, (_say("layer", c=c) if c else _say("inputs"),)) for c, x in enumerate(xs)]
        if len(xs) > 2:
            self.head[-1] = (xs[-1], (_say("layer", c=len(xs) - 1), _say("output", "tiny")))

    def beside(self, x_out: float, lines: tuple[Text, ...], least: float) -> float:
        """How far right of the output column the next column goes, so that the headers do not touch."""
        width = max(t.width for t in self.head[-1][1]) / 2 + max(t.width for t in lines) / 2 + 0.35
        return x_out + max(least, width)

    def outputs(self, outputs: dict[int, Shape], x_out: float) -> None:
        pic, net = self.pic, self.net
        last = len(net.layers)
        if net.upstream is not None:
            boxes = []
            for j, unit in outputs.items():
                a = self.node(f"a{last}[{j}]")
                v = _value(self.fmt, None if net.batch else net.upstream[j - 1]) or ("", "")
                label = _math(rf"\partial L / \partial {a.latex} = {v[0]}",
                              f"∂L/∂{plain_name(a)} = {v[1]}", "small")
                boxes.append((unit, label))
            w = max(label.width for _, label in boxes) + 0.3
            header = (_say("upstream"), _say("gradient"))
            x = self.beside(x_out, header, self.RADIUS + 1.2 + w / 2)
            for unit, label in boxes:
                pic.connect(pic.add("box", x, unit.y, label, w=w, h=0.6, fill="loss"), unit, dashed=True)
            self.head.append((x, header))
            return
        assert net.loss is not None
        ys = [u.y for u in outputs.values()]
        header = (_say("loss"), _say("loss_name", "tiny", name=_loss_words(net.loss)))
        w_loss = 0.8
        x_loss = self.beside(x_out, header, self.RADIUS + 1.2 + w_loss / 2)
        loss = pic.add("box", x_loss, sum(ys) / len(ys), _math("L", "L", "normal"), w=w_loss, h=0.7, fill="loss")
        for unit in outputs.values():
            pic.connect(unit, loss)
        labels = [(unit, _named(self.node(f"t[{j}]"), self.fmt, "small")) for j, unit in outputs.items()]
        w = max(label.width for _, label in labels) + 0.3
        x_t = x_loss + max(w_loss / 2 + 1.0 + w / 2, header[1].width / 2 + 1.0)
        for unit, label in labels:
            pic.connect(pic.add("box", x_t, unit.y, label, w=w, h=0.6, fill="target"), loss)
        self.head += [(x_loss, header), (x_t, (_say("targets"),))]


# --------------------------------------------------------------------------- architecture only
def _architecture(net: Network) -> Picture:
    pic = Picture()
    boxes: list[tuple[Text, ...]] = [(_say("inputs"), _words(f"{net.input_count:,}", "normal"))]
    arrows: list[tuple[Text, Text]] = []
    previous = net.input_count
    for c, layer in enumerate(net.layers, 1):
        units = f"{layer.units:,}"
        lines = [_say("layer", c=c)]
        if c == len(net.layers) and c > 1:
            lines.append(_say("output", "tiny"))
        lines.append(Text(f"{units} {activation_tex(layer.activation)}",
                          f"{units} {activation_text(layer.activation)}", "normal"))
        boxes.append(tuple(lines))
        shape = f"{previous:,} \\times {units}".replace(",", "{,}")
        weights = Text(f"$W^{{({c})}}$: ${shape}$", f"W⁽{_sup(c)}⁾: {previous:,} × {units}", "tiny")
        bias = (Text(f"$b^{{({c})}}$: ${units.replace(',', '{,}')}$", f"b⁽{_sup(c)}⁾: {units}", "tiny")
                if layer.bias is not None else _say("no_bias", "tiny"))
        arrows.append((weights, bias))
        previous = layer.units
    w = max(max(t.width for t in lines) for lines in boxes) + 0.4
    gap = max(max(t.width for t in pair) for pair in arrows) + 0.5
    shapes = [pic.add("box", c * (w + gap), 0.0, *lines, w=w, h=1.4, fill="input" if c == 0 else "unit")
              for c, lines in enumerate(boxes)]
    for c, (weights, bias) in enumerate(arrows, 1):
        x = c * (w + gap) - (w + gap) / 2
        pic.text(x, 0.3, weights)
        pic.text(x, -0.3, bias)
        pic.connect(shapes[c - 1], shapes[c])
    return pic
