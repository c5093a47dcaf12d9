"""The network diagram: one layout, drawn as TikZ (LaTeX) and as standalone SVG (Markdown).

``tikz(spec, graph)`` and ``svg(spec, graph)`` draw the same picture:

* a layered ``[network]``: the inputs with their values; one circle per unit,
  its activation at the top and split below into the pre-activation z (left)
  and the activation a (right); the weights on the edges, near the sending
  unit, as ``name = value`` (values only from 4 units a layer, none above
  ``LABEL_LIMIT``, with a note saying so); the biases (a bias node per layer
  for a shared bias, a label under each unit otherwise); then the loss L with
  the targets feeding it from the right, or the given upstream gradients
  pointing back at the outputs.  Columns of more than ``SHOW_LIMIT`` units are
  drawn as 1, 2, 3, ..., n-1, n.
* a ``[graph]``: nodes left to right by depth (longest path from the inputs);
  a parameter that multiplies one parent of one node is drawn as that edge's
  label, every other parameter and every constant as a small node with its
  value, below and left of the node it feeds.
* an architecture-only network: one box per layer with its unit count and
  activation, the arrows labelled with the weight-matrix shapes and biases.

Only given values are drawn, never computed ones, so the picture suits a
question sheet as well as an answer key.  Edge labels (and the per-unit bias
labels) are placed where they cover no node and no other label and as few
edges as possible; an edge that would run through a node is bent round it.
Output is deterministic (no random ids, no dates, no set or hash order).

The TikZ needs only ``\\usepackage{tikz}`` (core arrow tips, no libraries, no
amsmath); it comes wrapped in a ``\\resizebox`` (graphicx, which TikZ loads)
that shrinks it to the line width when wider, never enlarges it.  The SVG is
plain text and shapes with generic font families, to be written beside the
Markdown as ``svg_filename(spec)`` and shown with ``markdown_image(spec)``.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Generic, TypeVar
from urllib.parse import quote
from xml.sax.saxutils import escape as _xml_escape

from .graph import Graph, Node, build_graph
from .ir import Add, Call, Expr, Mul, Var, children
from .numbers import NumberFormat
from .spec import Layer, Network, Spec

#: layers with more units than this are drawn without weight labels
LABEL_LIMIT = 5
#: weight labels carry the weight's name too while both layers have at most this many units
NAME_LIMIT = 3
#: columns with more units than this are drawn as 1, 2, 3, ..., n-1, n
SHOW_LIMIT = 7

# em in cm of \normalsize \footnotesize \scriptsize \tiny in an 11pt document
_FONT = {"normal": 0.39, "small": 0.32, "tiny": 0.28, "micro": 0.21}
_TEX_FONT = {"normal": "", "small": r"\footnotesize", "tiny": r"\scriptsize", "micro": r"\tiny"}
_SVG_SCALE = 40.0  # px per cm
_SVG_FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
_SVG_MATH_FONT = "DejaVu Serif, Times New Roman, serif"
_NARROW = frozenset("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ′"
                     "ilj1()[]|.,:; ")

# widths (em) in math mode, where relations and binary minus carry their spacing
_WIDE = {"=": 0.78, "-": 0.78, "−": 0.78, "+": 0.78, "×": 0.78, " ": 0.3, ".": 0.28, ",": 0.28, "/": 0.5}

_ACTIVATION_TEX = {"sigmoid": r"$\sigma$", "relu": "ReLU", "tanh": r"$\tanh$", "softmax": "softmax",
                   "linear": "linear", "identity": "linear"}
_ACTIVATION_TEXT = {"sigmoid": "σ", "relu": "ReLU", "tanh": "tanh", "softmax": "softmax",
                    "linear": "linear", "identity": "linear"}

# a [graph] node that applies a function gets it written above: (LaTeX, plain)
_FUNCTION_TAGS = {"sigmoid": (r"$\sigma$", "σ"), "relu": ("ReLU", "ReLU"), "tanh": (r"$\tanh$", "tanh"),
                  "exp": (r"$\exp$", "exp"), "log": (r"$\log$", "log"), "sqrt": (r"$\sqrt{\cdot}$", "√"),
                  "abs": (r"$|\cdot|$", "|·|")}

# fill colours: (TikZ xcolor, SVG)
_FILL = {
    "input": ("black!7", "#ededed"),
    "unit": ("blue!7", "#ededfd"),
    "param": ("orange!12", "#fdf0e0"),
    "target": ("green!10", "#e6f5e6"),
    "loss": ("red!9", "#fbe8e8"),
    "none": ("white", "#ffffff"),
    "ground": ("white", "#ffffff"),  # text on a white ground, over any edge
}
_EDGE_COLOUR = ("black!70", "#4d4d4d")
_GREY = ("black!45", "#8c8c8c")


# --------------------------------------------------------------------------- the picture model
@dataclass(frozen=True)
class Text:
    """One label in both outputs: LaTeX source (math in $...$) and plain Unicode text."""

    tex: str
    plain: str
    size: str = "small"

    @property
    def width(self) -> float:
        """Estimated width in cm (both outputs are laid out with it)."""
        in_math = self.tex.startswith("$")
        ems = sum(0.72 if c.isupper() else _WIDE.get(c, 0.34 if c in _NARROW else 0.52) if in_math
                  else 0.3 if c in _NARROW else 0.5 for c in self.plain)
        return max(ems, 0.6) * _FONT[self.size]

    @property
    def height(self) -> float:
        tall = any(c in _TALL for c in self.plain)
        return _FONT[self.size] * (1.45 if tall else 1.05)


@dataclass
class Shape:
    id: str
    kind: str  # circle | unit | box | text
    x: float
    y: float
    w: float = 0.0  # box width, or circle diameter
    h: float = 0.0
    lines: tuple[Text, ...] = ()  # centred text (unit: activation, z name, a name)
    fill: str = "none"
    grey: bool = False
    anchor: str = "center"  # text shapes: center | east | west
    spots: tuple[tuple[float, float], ...] = ()  # a movable text: where it may go, best first

    def extent(self) -> tuple[float, float, float, float]:
        if self.kind == "text":
            w = max(t.width for t in self.lines)
            h = sum(t.height for t in self.lines)
            left = {"center": self.x - w / 2, "east": self.x - w, "west": self.x}[self.anchor]
            return left, self.y - h / 2, left + w, self.y + h / 2
        return self.x - self.w / 2, self.y - self.h / 2, self.x + self.w / 2, self.y + self.h / 2


@dataclass
class Edge:
    src: str
    dst: str
    label: Text | None = None
    dashed: bool = False
    grey: bool = False
    at: tuple[float, float] | None = None  # the label's centre (set by ``place_labels``)
    bend: tuple[float, float] | None = None  # control point of a curved edge (set by ``route_edges``)


@dataclass
class Picture:
    shapes: list[Shape] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    notes: list[Text] = field(default_factory=list)

    def add(self, kind: str, x: float, y: float, *lines: Text, w: float = 0.0, h: float = 0.0,
            fill: str = "none", grey: bool = False, anchor: str = "center",
            spots: tuple[tuple[float, float], ...] = ()) -> Shape:
        shape = Shape(f"n{len(self.shapes) + 1}", kind, x, y, w, h, lines, fill, grey, anchor, spots)
        self.shapes.append(shape)
        return shape

    def text(self, x: float, y: float, text: Text, anchor: str = "center", grey: bool = False) -> Shape:
        return self.add("text", x, y, text, anchor=anchor, grey=grey)

    def connect(self, a: Shape, b: Shape, label: Text | None = None, dashed: bool = False,
                grey: bool = False) -> None:
        self.edges.append(Edge(a.id, b.id, label, dashed, grey))

    def body(self) -> tuple[float, float, float, float]:
        """The extent of the shapes and edge labels (the notes go below it)."""
        boxes = [s.extent() for s in self.shapes]
        boxes += [_label_box(e.label, e.at) for e in self.edges if e.label is not None and e.at is not None]
        boxes += [p.at(0.5) * 2 for p in _paths(self) if p.control is not None]
        if not boxes:
            return 0.0, 0.0, 1.0, 1.0
        return (min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes))

    def note_y(self, i: int) -> float:
        return self.body()[1] - 0.4 - 0.45 * i

    def bounds(self) -> tuple[float, float, float, float]:
        x0, y0, x1, y1 = self.body()
        for i, note in enumerate(self.notes):
            x1 = max(x1, x0 + note.width)
            y0 = min(y0, self.note_y(i) - note.height / 2)
        return x0, y0, x1, y1


# --------------------------------------------------------------------------- public API
def tikz(spec: Spec, graph: Graph | None = None, fit: bool = True) -> str:
    """The diagram as a LaTeX ``tikzpicture`` (needs ``\\usepackage{tikz}`` only).

    ``graph`` is ``build_graph(spec)`` (built here when None); an architecture-only
    network has none.  With ``fit`` the picture is wrapped in a ``\\resizebox`` that
    shrinks it to the line width when it is wider (never enlarges it).
    """
    return _to_tikz(layout(spec, graph), fit)


def svg(spec: Spec, graph: Graph | None = None) -> str:
    """The diagram as a standalone SVG document (plain text labels, generic fonts, deterministic)."""
    return _to_svg(layout(spec, graph), spec.title)


def svg_filename(spec: Spec) -> str:
    """Where the SVG goes: beside the Markdown, as ``<stem>.svg``."""
    return f"{spec.stem}.svg"


def markdown_image(spec: Spec) -> str:
    """The Markdown line that shows the SVG (GitHub and Pandoc alike)."""
    return f"![network diagram]({quote(svg_filename(spec))})"


def layout(spec: Spec, graph: Graph | None = None) -> Picture:
    """The picture both outputs draw: coordinates in cm, y upwards."""
    problem = spec.problem
    fmt = NumberFormat(spec.style.digits, spec.style.decimal)
    if isinstance(problem, Network) and problem.inputs is None and not problem.symbolic:
        pic = _architecture(problem)
    else:
        if graph is None:
            graph = build_graph(spec, max_parameters=10**9)
        if isinstance(problem, Network):
            pic = _NetworkDrawer(problem, graph, fmt).picture()
        else:
            pic = _GraphDrawer(graph, fmt).picture()
    route_edges(pic)
    place_labels(pic)
    return pic


# --------------------------------------------------------------------------- labels
def _math(tex: str, plain: str, size: str = "small") -> Text:
    return Text(f"${tex}$", plain, size)


def _words(text: str, size: str = "small") -> Text:
    """Fixed English text (ours, never the user's): the same in both outputs."""
    return Text(text, text, size)


def _value(fmt: NumberFormat, v: Fraction | None) -> tuple[str, str] | None:
    if v is None:
        return None
    return fmt.latex(v, exact=True), fmt.text(v, exact=True)


def _named(node: Node, fmt: NumberFormat, size: str = "tiny") -> Text:
    """``w^{(1)}_{11} = 0.15`` (the name alone when the value is not given)."""
    plain = plain_name(node)
    v = _value(fmt, node.value)
    if v is None:
        return _math(node.latex, plain, size)
    return _math(f"{node.latex} = {v[0]}", f"{plain} = {v[1]}", size)


def _number(fmt: NumberFormat, v: Fraction, size: str = "tiny") -> Text:
    tex, plain = _value(fmt, v) or ("", "")
    return _math(tex, plain, size)


_SUB = dict(zip("0123456789+-=(),aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎,ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
_SUP = dict(zip("0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW′",
                "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ′"))
_TALL = (frozenset(_SUB.values()) | frozenset("⁽⁾∂")) - {","}  # subscripts: a label needs more height
_GREEK_CHARS = dict(zip(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi "
    "varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi "
    "Pi Sigma Upsilon Phi Psi Omega".split(),
    "αβγδϵεζηθϑικλμνξπϖρϱσςτυϕφχψωΓΔΘΛΞΠΣΥΦΨΩ"))
_SYMBOLS = {"prime": "′", "ell": "ℓ", "partial": "∂", "nabla": "∇", "cdot": "·", "ast": "∗", "star": "⋆",
            "circ": "∘", "dagger": "†", "top": "⊤", "intercal": "⊺", "infty": "∞", ",": " ", ";": " ", " ": " "}
_ACCENTS = {"hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0305", "tilde": "\u0303",
            "widetilde": "\u0303", "vec": "\u20d7", "dot": "\u0307", "ddot": "\u0308", "check": "\u030c",
            "breve": "\u0306", "underline": "\u0332"}
_FONT_COMMANDS = frozenset("mathrm mathbf mathit mathsf mathtt mathcal boldsymbol".split())


def plain_name(node: Node) -> str:
    """A node's display name as Unicode text (``w₁₁⁽¹⁾``, ``u₁₁``, ``ŷ``), else its ASCII name."""
    converted = tex_to_unicode(node.latex)
    return converted if converted else node.name


def tex_to_unicode(tex: str) -> str | None:
    """A display name (the safe math subset) as Unicode text; None if it has no simple form.

    Subscripts come before superscripts (``w^{(1)}_{11}`` -> ``w₁₁⁽¹⁾``); a script
    with no Unicode form is written ``x_(ab)``.
    """
    try:
        out, end = _tex_seq(tex, 0)
    except (IndexError, KeyError, ValueError):
        return None
    return unicodedata.normalize("NFC", out.strip()) if end == len(tex) else None


def _tex_seq(s: str, i: int, stop: str = "") -> tuple[str, int]:
    out = []
    while i < len(s) and s[i] != stop:
        if s[i] == "}":
            raise ValueError("unbalanced")
        if s[i] == " ":  # spaces do not show in math
            i += 1
            continue
        atom, i = _tex_atom(s, i)
        subs, sups = "", ""
        while (i := _skip_space(s, i)) < len(s) and s[i] in "_^'":
            if s[i] == "'":
                sups, i = sups + "′", i + 1
                continue
            mark = s[i]
            script, i = _tex_atom(s, i + 1)
            if mark == "_":
                subs += script
            else:
                sups += script
        out.append(atom + _script(subs, _SUB, "_") + _script(sups, _SUP, "^"))
    return "".join(out), i


def _script(text: str, table: dict[str, str], mark: str) -> str:
    if not text:
        return ""
    if all(c in table for c in text):
        return "".join(table[c] for c in text)
    return f"{mark}({text})" if len(text) > 1 else mark + text


def _tex_atom(s: str, i: int) -> tuple[str, int]:
    c = s[i]
    if c == "{":
        inner, j = _tex_seq(s, i + 1, "}")
        if j >= len(s):
            raise ValueError("unbalanced")
        return inner, j + 1
    if c in "}_^":
        raise ValueError(c)
    if c != "\\":
        return ("′" if c == "'" else c), i + 1
    j = i + 1
    while j < len(s) and s[j].isalpha():
        j += 1
    name = s[i + 1:j] if j > i + 1 else s[i + 1]
    j = max(j, i + 2)
    if name in _GREEK_CHARS:
        return _GREEK_CHARS[name], j
    if name in _SYMBOLS:
        return _SYMBOLS[name], j
    if name in _FONT_COMMANDS:
        return _tex_atom(s, _skip_space(s, j))
    if name in _ACCENTS:
        arg, k = _tex_atom(s, _skip_space(s, j))
        return arg + _ACCENTS[name], k
    raise KeyError(name)


def _skip_space(s: str, i: int) -> int:
    while i < len(s) and s[i] == " ":
        i += 1
    return i


def _sup(n: int) -> str:
    return "".join(_SUP[c] for c in str(n))


# --------------------------------------------------------------------------- label placement
def _label_box(label: Text, at: tuple[float, float], margin: float = 0.0) -> tuple[float, float, float, float]:
    w, h = label.width + 0.08 + 5 * margin, label.height + 0.06 + 2 * margin
    return at[0] - w / 2, at[1] - h / 2, at[0] + w / 2, at[1] + h / 2


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _crosses(seg: tuple[float, float, float, float], box: tuple[float, float, float, float]) -> bool:
    """Whether the segment (x0, y0, x1, y1) passes through the box (Liang-Barsky)."""
    x0, y0, x1, y1 = seg
    dx, dy = x1 - x0, y1 - y0
    lo, hi = 0.0, 1.0
    for p, q in ((-dx, x0 - box[0]), (dx, box[2] - x0), (-dy, y0 - box[1]), (dy, box[3] - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
        if lo > hi:
            return False
    return True


Point = tuple[float, float]
Segment = tuple[float, float, float, float]


def _clip(a: Shape, towards: Point) -> Point:
    """Where the ray from a's centre towards a point leaves a's outline."""
    dx, dy = towards[0] - a.x, towards[1] - a.y
    dist = math.hypot(dx, dy) or 1.0
    if a.kind in ("circle", "unit"):
        r = a.w / 2
        return a.x + dx / dist * r, a.y + dy / dist * r
    if a.kind == "text":
        return a.x, a.y
    tx = (a.w / 2) / abs(dx) if dx else float("inf")
    ty = (a.h / 2) / abs(dy) if dy else float("inf")
    t = min(tx, ty)
    return a.x + dx * t, a.y + dy * t


@dataclass(frozen=True)
class _Path:
    """An edge as drawn: a straight line, or a quadratic curve through ``control``."""

    start: Point
    end: Point
    control: Point | None = None

    def at(self, t: float) -> Point:
        (x0, y0), (x1, y1) = self.start, self.end
        if self.control is None:
            return x0 + (x1 - x0) * t, y0 + (y1 - y0) * t
        cx, cy = self.control
        u = 1 - t
        return u * u * x0 + 2 * u * t * cx + t * t * x1, u * u * y0 + 2 * u * t * cy + t * t * y1

    def pieces(self) -> list[Segment]:
        steps = 1 if self.control is None else 12
        points = [self.at(i / steps) for i in range(steps + 1)]
        return [p + q for p, q in zip(points, points[1:])]

    def cubic(self) -> tuple[Point, Point]:
        """The two control points of the same curve as a cubic (for TikZ's ``.. controls``)."""
        assert self.control is not None
        (x0, y0), (x1, y1), (cx, cy) = self.start, self.end, self.control
        return (x0 + 2 / 3 * (cx - x0), y0 + 2 / 3 * (cy - y0)), (x1 + 2 / 3 * (cx - x1), y1 + 2 / 3 * (cy - y1))


def _path(a: Shape, b: Shape, control: Point | None = None) -> _Path:
    if control is None:
        return _Path(_clip(a, (b.x, b.y)), _clip(b, (a.x, a.y)))
    return _Path(_clip(a, control), _clip(b, control), control)


def _paths(pic: Picture) -> list[_Path]:
    by_id = {s.id: s for s in pic.shapes}
    return [_path(by_id[e.src], by_id[e.dst], e.bend) for e in pic.edges]


def _blocked(path: _Path, shapes: _Grid[Shape], ends: tuple[Shape, ...]) -> bool:
    return any(_crosses(piece, _shrunk(s)) for piece in path.pieces() for s in shapes.near(_span(piece))
               if s not in ends)


def _grown(box: tuple[float, float, float, float], by: float) -> tuple[float, float, float, float]:
    return box[0] - by, box[1] - by, box[2] + by, box[3] + by


def _segments_cross(a: Segment, b: Segment) -> bool:
    def side(p: Point, q: Point, r: Point) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    p1, p2, q1, q2 = (a[0], a[1]), (a[2], a[3]), (b[0], b[1]), (b[2], b[3])
    return side(p1, p2, q1) * side(p1, p2, q2) < 0 and side(q1, q2, p1) * side(q1, q2, p2) < 0


def _shrunk(s: Shape) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = s.extent()
    return x0 + 0.05, y0 + 0.05, x1 - 0.05, y1 - 0.05


Box = tuple[float, float, float, float]
T = TypeVar("T")


class _Grid(Generic[T]):
    """Boxes in a uniform grid, to find quickly what lies near a box (in the order added)."""

    CELL = 2.0

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[int]] = {}
        self.items: list[tuple[Box, T]] = []

    def _cells(self, box: Box) -> Iterator[tuple[int, int]]:
        for i in range(math.floor(box[0] / self.CELL), math.floor(box[2] / self.CELL) + 1):
            for j in range(math.floor(box[1] / self.CELL), math.floor(box[3] / self.CELL) + 1):
                yield i, j

    def add(self, box: Box, item: T) -> None:
        for cell in self._cells(box):
            self.cells.setdefault(cell, []).append(len(self.items))
        self.items.append((box, item))

    def near(self, box: Box) -> list[T]:
        found = sorted({i for cell in self._cells(box) for i in self.cells.get(cell, ())})
        return [self.items[i][1] for i in found if _touch(self.items[i][0], box)]


def _touch(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _span(seg: Segment) -> Box:
    return min(seg[0], seg[2]), min(seg[1], seg[3]), max(seg[0], seg[2]), max(seg[1], seg[3])


def _shape_grid(shapes: Sequence[Shape]) -> _Grid[Shape]:
    grid: _Grid[Shape] = _Grid()
    for shape in shapes:
        grid.add(shape.extent(), shape)
    return grid


def _piece_grid(paths: Sequence[_Path]) -> _Grid[tuple[int, Segment]]:
    grid: _Grid[tuple[int, Segment]] = _Grid()
    for k, path in enumerate(paths):
        for piece in path.pieces():
            grid.add(_span(piece), (k, piece))
    return grid


_BENDS = (1.4, -1.4, 2.2, -2.2, 3.2, -3.2)


def route_edges(pic: Picture) -> None:
    """Bend each edge whose straight line would pass through another node (skip connections)."""
    by_id = {s.id: s for s in pic.shapes}
    solid = _shape_grid([s for s in pic.shapes if s.kind != "text"])
    for e in pic.edges:
        a, b = by_id[e.src], by_id[e.dst]
        if e.bend is not None or not _blocked(_path(a, b), solid, (a, b)):
            continue
        dx, dy = b.x - a.x, b.y - a.y
        dist = math.hypot(dx, dy) or 1.0
        mid = ((a.x + b.x) / 2, (a.y + b.y) / 2)
        for offset in _BENDS:
            control = (mid[0] - dy / dist * offset, mid[1] + dx / dist * offset)
            if not _blocked(_path(a, b, control), solid, (a, b)):
                e.bend = control
                break


_CANDIDATES = tuple(round(0.1 + 0.025 * i, 3) for i in range(33))  # where on its edge a label may go
_NEAR, _CROSS, _CLOSE = 3.0, 1.5, 3.0  # costs: per unit of t away from the sender, per edge crossed, per near miss


def _hits(shape: Shape, box: tuple[float, float, float, float]) -> bool:
    """Whether the box covers part of the shape (a circle is tested as a circle)."""
    if shape.kind not in ("circle", "unit"):
        return _overlap(box, shape.extent())
    nx, ny = min(max(shape.x, box[0]), box[2]), min(max(shape.y, box[1]), box[3])
    return (nx - shape.x) ** 2 + (ny - shape.y) ** 2 < (shape.w / 2) ** 2


def _stub(path: _Path, t: float, label: Text) -> float:
    """How much of the edge shows between the sender and a label at ``t`` (a shorter stub reads as a minus)."""
    x, y = path.at(t)
    dx, dy = x - path.start[0], y - path.start[1]
    length = math.hypot(dx, dy)
    if length == 0:
        return 0.0
    ux, uy = abs(dx) / length, abs(dy) / length
    box = _label_box(label, (0.0, 0.0))
    inside = min(box[2] / ux if ux else float("inf"), box[3] / uy if uy else float("inf"))
    return length - inside


def place_labels(pic: Picture, rounds: int = 3) -> None:
    """Put each edge label on its edge, as near the sending end as it can go, and each movable
    text (a shape with ``spots``) on its first good spot, so that no label covers a node or another
    label and as few as possible cover an edge.

    Deterministic: a greedy pass in order (edge labels, then movable texts), then ``rounds - 1``
    passes that move each one to its best place given where all the others are."""
    paths = _paths(pic)
    pieces = _piece_grid(paths)
    fixed = _shape_grid([s for s in pic.shapes if not s.spots])
    movable = [s for s in pic.shapes if s.spots]
    labels = {k: e.label for k, e in enumerate(pic.edges) if e.label is not None}
    keys = [(0, k) for k in labels] + [(1, i) for i in range(len(movable))]
    boxes: dict[tuple[int, int], Box] = {(1, i): s.extent() for i, s in enumerate(movable)}
    spots: dict[tuple[int, int], Point] = {}
    for _ in range(rounds):
        for key in keys:
            boxes.pop(key, None)
            others: _Grid[Box] = _Grid()
            for other in sorted(boxes):
                others.add(boxes[other], boxes[other])
            kind, k = key
            if kind == 0:
                spots[key], boxes[key] = _edge_spot(k, labels[k], paths[k], fixed, pieces, others)
            else:
                spots[key], boxes[key] = _text_spot(movable[k], fixed, pieces, others)
    for (kind, k), at in spots.items():
        if kind == 0:
            pic.edges[k].at = at
        else:
            movable[k].x, movable[k].y = at


def _crowding(box: Box, roomy: Box, shapes: _Grid[Shape], placed: _Grid[Box]) -> float:
    near_shapes, near_labels = shapes.near(roomy), placed.near(roomy)
    cost = 100 * (sum(_hits(s, box) for s in near_shapes) + sum(_overlap(box, o) for o in near_labels))
    return cost + _CLOSE * (sum(_hits(s, roomy) for s in near_shapes) + sum(_overlap(roomy, o) for o in near_labels))


def _edge_spot(k: int, label: Text, path: _Path, shapes: _Grid[Shape], pieces: _Grid[tuple[int, Segment]],
               placed: _Grid[Box]) -> tuple[Point, Box]:
    best: tuple[float, Point, Box] | None = None
    for t in _CANDIDATES:
        at = path.at(t)
        box = _label_box(label, at)
        cost = _NEAR * t + (50 if _stub(path, t, label) < 0.3 else 0)
        cost += _crowding(box, _label_box(label, at, 0.1), shapes, placed)
        cost += _CROSS * len({j for j, piece in pieces.near(box) if j != k and _crosses(piece, box)})
        if best is None or cost < best[0]:
            best = (cost, at, box)
    assert best is not None
    return best[1], best[2]


def _text_spot(shape: Shape, shapes: _Grid[Shape], pieces: _Grid[tuple[int, Segment]],
               placed: _Grid[Box]) -> tuple[Point, Box]:
    best: tuple[float, Point, Box] | None = None
    for rank, at in enumerate(shape.spots):
        shape.x, shape.y = at
        box = shape.extent()
        cost = 0.8 * rank + _crowding(box, _grown(box, 0.1), shapes, placed)
        cost += _CROSS * len({j for j, piece in pieces.near(box) if _crosses(piece, box)})
        if best is None or cost < best[0]:
            best = (cost, at, box)
    assert best is not None
    return best[1], best[2]


# --------------------------------------------------------------------------- layered networks
def _slots(n: int) -> list[int | None]:
    """Which units of an n-unit column are drawn (None: the vertical dots)."""
    if n <= SHOW_LIMIT:
        return list(range(1, n + 1))
    return [1, 2, 3, None, n - 1, n]


def _ys(count: int, gap: float) -> list[float]:
    return [((count - 1) / 2 - i) * gap for i in range(count)]


class _NetworkDrawer:
    RADIUS = 0.66  # unit circles
    IN_RADIUS = 0.4

    def __init__(self, net: Network, graph: Graph, fmt: NumberFormat) -> None:
        self.net, self.graph, self.fmt = net, graph, fmt
        self.pic = Picture()
        per_unit_bias = any(isinstance(layer.bias, tuple) or (layer.bias is not None and layer.units > NAME_LIMIT)
                            for layer in net.layers)
        self.gap_y = 2.35 if per_unit_bias else 2.2
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
        if any(max(p) > LABEL_LIMIT for p in pairs):
            what = "Weights and biases are" if any(la.bias is not None and la.units > LABEL_LIMIT
                                                    for la in net.layers) else "Weights are"
            pic.notes.append(_words(f"{what} not written where a layer has more than {LABEL_LIMIT} units "
                                    f"(see the given values)."))
        for c, n in enumerate(sizes):
            if n > SHOW_LIMIT:
                where = f"Layer {c}" if c else "Inputs"
                pic.notes.append(Text(f"{where}: units 4 to {n - 2} of {n:,} are not drawn ($\\vdots$).",
                                      f"{where}: units 4 to {n - 2} of {n:,} are not drawn (⋮).", "small"))
        if self.graph.frozen:
            pic.notes.append(_words("Grey: frozen parameters (not updated)."))
        return pic

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
        size = "micro" if act == "softmax" else "tiny"
        return self.pic.add("unit", x, y, Text(_ACTIVATION_TEX[act], _ACTIVATION_TEXT[act], size),
                            _math(z.latex, plain_name(z), "tiny"), _math(a.latex, plain_name(a), "tiny"),
                            w=d, h=d, fill="unit")

    def weights(self, layer: int, senders: dict[int, Shape], receivers: dict[int, Shape], widest: int) -> None:
        labelled = widest <= LABEL_LIMIT
        for i, src in senders.items():
            for j, dst in receivers.items():
                r, c = (j, i) if self.net.layout == "out_in" else (i, j)
                node = self.node(f"W{layer}[{r},{c}]")
                label = None
                if labelled:
                    if widest <= NAME_LIMIT or node.value is None:
                        label = _named(node, self.fmt)
                    else:
                        label = _number(self.fmt, node.value)
                self.pic.connect(src, dst, label, grey=node.name in self.graph.frozen)

    def biases(self, layer: int, spec: Layer, receivers: dict[int, Shape], x_prev: float, bottom: float) -> None:
        if spec.bias is None:
            return
        pic = self.pic
        if isinstance(spec.bias, Fraction) and spec.units <= NAME_LIMIT:
            node = self.node(f"b{layer}")
            grey = node.name in self.graph.frozen
            label = _named(node, self.fmt)
            y = bottom - self.gap_y * 0.9
            shape = pic.add("box", x_prev, y, label, w=label.width + 0.25, h=0.5, fill="param", grey=grey)
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
        self.head = [(x, (_words(f"layer {c}" if c else "inputs"),)) for c, x in enumerate(xs)]
        if len(xs) > 2:
            self.head[-1] = (xs[-1], (_words(f"layer {len(xs) - 1}"), _words("(output)", "tiny")))

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
                v = _value(self.fmt, net.upstream[j - 1]) or ("", "")
                label = _math(rf"\partial L / \partial {a.latex} = {v[0]}",
                              f"∂L/∂{plain_name(a)} = {v[1]}", "small")
                boxes.append((unit, label))
            w = max(label.width for _, label in boxes) + 0.3
            header = (_words("upstream"), _words("gradient"))
            x = self.beside(x_out, header, self.RADIUS + 1.2 + w / 2)
            for unit, label in boxes:
                pic.connect(pic.add("box", x, unit.y, label, w=w, h=0.6, fill="loss"), unit, dashed=True)
            self.head.append((x, header))
            return
        assert net.loss is not None
        ys = [u.y for u in outputs.values()]
        name = net.loss.replace("_", " ")
        header = (_words("loss"), _words(f"({name})", "tiny"))
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
        self.head += [(x_loss, header), (x_t, (_words("targets"),))]


# --------------------------------------------------------------------------- architecture only
def _architecture(net: Network) -> Picture:
    pic = Picture()
    boxes: list[tuple[Text, ...]] = [(_words("inputs"), _words(f"{net.input_count:,}", "normal"))]
    arrows: list[tuple[Text, Text]] = []
    previous = net.input_count
    for c, layer in enumerate(net.layers, 1):
        units = f"{layer.units:,}"
        lines = [_words(f"layer {c}")]
        if c == len(net.layers) and c > 1:
            lines.append(_words("(output)", "tiny"))
        lines.append(Text(f"{units} {_ACTIVATION_TEX[layer.activation]}",
                          f"{units} {_ACTIVATION_TEXT[layer.activation]}", "normal"))
        boxes.append(tuple(lines))
        shape = f"{previous:,} \\times {units}".replace(",", "{,}")
        weights = Text(f"$W^{{({c})}}$: ${shape}$", f"W⁽{_sup(c)}⁾: {previous:,} × {units}", "tiny")
        bias = (Text(f"$b^{{({c})}}$: ${units.replace(',', '{,}')}$", f"b⁽{_sup(c)}⁾: {units}", "tiny")
                if layer.bias is not None else _words("no bias", "tiny"))
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


# --------------------------------------------------------------------------- [graph] specs
def _terms(expr: Expr) -> tuple[Expr, ...]:
    if isinstance(expr, Call) and len(expr.args) == 1:
        expr = expr.args[0]
    return expr.terms if isinstance(expr, Add) else (expr,)


def _occurrences(expr: Expr, name: str) -> int:
    if isinstance(expr, Var):
        return int(expr.name == name)
    return sum(_occurrences(c, name) for c in children(expr))


class _GraphDrawer:
    DX = 3.2
    GAP_Y = 2.0
    RADIUS = 0.45

    def __init__(self, graph: Graph, fmt: NumberFormat) -> None:
        self.graph, self.fmt = graph, fmt
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
        depth: dict[str, int] = {}
        for n in main:
            ups = [depth[p] for p in n.parents if p in depth]
            depth[n.name] = 0 if n.kind == "input" else 1 + max(ups, default=0)
        columns: dict[int, list[Node]] = {}
        for n in main:
            columns.setdefault(depth[n.name], []).append(n)
        shapes: dict[str, Shape] = {}
        for c in sorted(columns):
            for n, y in zip(columns[c], _ys(len(columns[c]), self.GAP_Y)):
                shapes[n.name] = self.main_node(n, c * self.DX, y)
        for n in main:
            for p in n.parents:
                if p in shapes:
                    param = on_edge.get((p, n.name))
                    label = _named(g.by_name[param], self.fmt) if param else None
                    pic.connect(shapes[p], shapes[n.name], label, grey=param in g.frozen)
        self.leaves(shapes, set(on_edge.values()))
        self.upstream(shapes)
        if g.frozen:
            pic.notes.append(_words("Grey: frozen parameters (not updated)."))
        return pic

    def main_node(self, n: Node, x: float, y: float) -> Shape:
        label = _math(n.latex, plain_name(n), "normal")
        if n.kind == "loss":
            return self.pic.add("box", x, y, label, w=max(0.8, label.width + 0.3), h=0.7, fill="loss")
        d = max(2 * self.RADIUS, label.width + 0.25)
        shape = self.pic.add("circle", x, y, label, w=d, h=d, fill="input" if n.kind == "input" else "unit")
        if isinstance(n.expr, Call) and n.expr.fn in _FUNCTION_TAGS:
            tex, plain = _FUNCTION_TAGS[n.expr.fn]
            self.pic.text(x, y + d / 2 + 0.2, Text(tex, plain, "tiny"))
        v = _value(self.fmt, n.value)
        if v is not None:
            self.pic.text(x - d / 2 - 0.1, y, _math(v[0], v[1], "small"), anchor="east")
        return shape

    def leaves(self, shapes: dict[str, Shape], absorbed: set[str]) -> None:
        """Parameters and constants that are no edge label: small boxes near their first child,
        where they cover no node and their edge crosses the fewest others."""
        g, pic = self.graph, self.pic
        for leaf in g.nodes:
            if leaf.kind not in ("param", "constant") or leaf.name in absorbed:
                continue
            kids = [k for k in g.children[leaf.name] if k in shapes]
            if not kids:
                continue
            label = _named(leaf, self.fmt, "tiny")
            grey = leaf.name in g.frozen
            box = pic.add("box", 0.0, 0.0, label, w=label.width + 0.2, h=0.45,
                          fill="target" if leaf.kind == "constant" else "param", grey=grey)
            box.x, box.y = self.leaf_place(box, shapes[kids[0]])
            for kid in kids:
                pic.connect(box, shapes[kid], dashed=True, grey=grey)

    def leaf_place(self, box: Shape, kid: Shape) -> Point:
        pic = self.pic
        pieces = _piece_grid(_paths(pic))
        others = _shape_grid([s for s in pic.shapes if s is not box])
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


# --------------------------------------------------------------------------- TikZ
def _f(v: float) -> str:
    text = f"{v:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _point(p: Point) -> str:
    return f"{_f(p[0])},{_f(p[1])}"


def _tex_lines(lines: Sequence[Text]) -> str:
    parts = []
    for t in lines:
        size = _TEX_FONT[t.size]
        parts.append(f"{size} {t.tex}" if size else t.tex)
    return "{" + r" \\ ".join(parts) + "}"


def _to_tikz(pic: Picture, fit: bool) -> str:
    out = [r"\begin{tikzpicture}[x=1cm,y=1cm,>=stealth,every node/.style={inner sep=1pt},",
           r"  wire/.style={->,draw=black!70,line width=0.5pt},",
           r"  elabel/.style={fill=white,inner sep=0.7pt,font=\scriptsize},",
           r"  faded/.style={draw=black!45,text=black!50}]"]
    grounded = [s for s in pic.shapes if s.fill == "ground"]
    for s in pic.shapes:
        if s.fill != "ground":
            out.extend(_tikz_shape(s))
    for e, path in zip(pic.edges, _paths(pic)):
        opts = ["wire"] + (["dashed"] if e.dashed else []) + (["faded"] if e.grey else [])
        if path.control is None:
            out.append(f"\\draw[{','.join(opts)}] ({e.src}) -- ({e.dst});")
        else:
            c1, c2 = path.cubic()
            out.append(f"\\draw[{','.join(opts)}] ({_point(path.start)}) .. controls ({_point(c1)}) and "
                       f"({_point(c2)}) .. ({_point(path.end)});")
    for e in pic.edges:
        if e.label is not None and e.at is not None:
            grey = ",text=black!50" if e.grey else ""
            out.append(f"\\node[elabel{grey}] at ({_f(e.at[0])},{_f(e.at[1])}) {{{e.label.tex}}};")
    for s in grounded:
        out.extend(_tikz_shape(s))
    x0 = pic.body()[0]
    for i, note in enumerate(pic.notes):
        out.append(f"\\node[anchor=west,font=\\footnotesize] at ({_f(x0)},{_f(pic.note_y(i))}) {{{note.tex}}};")
    out.append(r"\end{tikzpicture}")
    text = "\n".join(out) + "\n"
    if fit:
        text = "\\resizebox{\\ifdim\\width>\\linewidth\\linewidth\\else\\width\\fi}{!}{%\n" + text + "}\n"
    return text


def _tikz_shape(s: Shape) -> Iterator[str]:
    at = f"({s.id}) at ({_f(s.x)},{_f(s.y)})"
    style = f"draw,fill={_FILL[s.fill][0]}" + (",faded" if s.grey else "")
    if s.kind == "text":
        anchor = {"center": "", "east": "anchor=east,", "west": "anchor=west,"}[s.anchor]
        colour = "text=black!50," if s.grey else ""
        ground = "fill=white," if s.fill == "ground" else ""
        yield f"\\node[{anchor}{colour}{ground}align=center] {at} {_tex_lines(s.lines)};"
    elif s.kind == "circle":
        yield f"\\node[circle,{style},minimum size={_f(s.w)}cm,align=center] {at} {_tex_lines(s.lines)};"
    elif s.kind == "unit":
        r = s.w / 2
        act, z, a = s.lines
        yield f"\\node[circle,{style},minimum size={_f(s.w)}cm] {at} {{}};"
        yield f"\\draw[black!35] ({_f(s.x)},{_f(s.y + 0.22 * r)}) -- ({_f(s.x)},{_f(s.y - r)});"
        yield f"\\node at ({_f(s.x)},{_f(s.y + 0.5 * r)}) {_tex_lines([act])};"
        yield f"\\node at ({_f(s.x - 0.47 * r)},{_f(s.y - 0.28 * r)}) {_tex_lines([z])};"
        yield f"\\node at ({_f(s.x + 0.47 * r)},{_f(s.y - 0.28 * r)}) {_tex_lines([a])};"
    else:
        yield (f"\\node[rectangle,rounded corners=2pt,{style},minimum width={_f(s.w)}cm,"
               f"minimum height={_f(s.h)}cm,align=center] {at} {_tex_lines(s.lines)};")


# --------------------------------------------------------------------------- SVG
def _xml(text: str) -> str:
    return _xml_escape(text, {'"': "&quot;"})


class _Svg:
    def __init__(self, pic: Picture) -> None:
        x0, y0, x1, y1 = pic.bounds()
        pad = 0.3
        self.x0, self.y1 = x0 - pad, y1 + pad
        self.width = (x1 - x0 + 2 * pad) * _SVG_SCALE
        self.height = (y1 - y0 + 2 * pad) * _SVG_SCALE

    def px(self, x: float) -> str:
        return _f((x - self.x0) * _SVG_SCALE)

    def py(self, y: float) -> str:
        return _f((self.y1 - y) * _SVG_SCALE)

    def text(self, x: float, y: float, text: Text, anchor: str = "middle", grey: bool = False) -> str:
        size = _FONT[text.size] * _SVG_SCALE * 0.9
        colour = _GREY[1] if grey else "#000000"
        family = f' font-family="{_SVG_MATH_FONT}"' if text.tex.startswith("$") else ""
        baseline = y - 0.33 * _FONT[text.size]
        return (f'<text x="{self.px(x)}" y="{self.py(baseline)}" font-size="{_f(size)}" text-anchor="{anchor}" '
                f'fill="{colour}"{family}>{_xml(text.plain)}</text>')

    def label(self, at: tuple[float, float], text: Text, grey: bool) -> Iterator[str]:
        """An edge label on a white ground (as TikZ's fill=white)."""
        x0, y0, x1, y1 = _label_box(text, at)
        yield (f'<rect x="{self.px(x0)}" y="{self.py(y1)}" width="{_f((x1 - x0) * _SVG_SCALE)}" '
               f'height="{_f((y1 - y0) * _SVG_SCALE)}" fill="#ffffff"/>')
        yield self.text(at[0], at[1], text, grey=grey)

    def lines(self, x: float, y: float, lines: Sequence[Text], grey: bool) -> Iterator[str]:
        heights = [t.height for t in lines]
        top = y + sum(heights) / 2
        for t, h in zip(lines, heights):
            yield self.text(x, top - h / 2, t, grey=grey)
            top -= h

    def shape(self, s: Shape) -> Iterator[str]:
        k = _SVG_SCALE
        fill = _FILL[s.fill][1]
        stroke = _GREY[1] if s.grey else "#000000"
        if s.kind == "text":
            if s.fill == "ground":
                x0, y0, x1, y1 = s.extent()
                yield (f'<rect x="{self.px(x0 - 0.04)}" y="{self.py(y1 + 0.03)}" width="{_f((x1 - x0 + 0.08) * k)}" '
                       f'height="{_f((y1 - y0 + 0.06) * k)}" fill="#ffffff"/>')
            if s.anchor == "center":
                yield from self.lines(s.x, s.y, s.lines, s.grey)
            else:
                yield self.text(s.x, s.y, s.lines[0], "end" if s.anchor == "east" else "start", s.grey)
        elif s.kind in ("circle", "unit"):
            r = s.w / 2
            yield (f'<circle cx="{self.px(s.x)}" cy="{self.py(s.y)}" r="{_f(r * k)}" fill="{fill}" '
                   f'stroke="{stroke}" stroke-width="1"/>')
            if s.kind == "circle":
                yield from self.lines(s.x, s.y, s.lines, s.grey)
                return
            act, z, a = s.lines
            yield (f'<line x1="{self.px(s.x)}" y1="{self.py(s.y + 0.22 * r)}" x2="{self.px(s.x)}" '
                   f'y2="{self.py(s.y - r)}" stroke="#a6a6a6" stroke-width="0.8"/>')
            yield self.text(s.x, s.y + 0.5 * r, act)
            yield self.text(s.x - 0.47 * r, s.y - 0.28 * r, z)
            yield self.text(s.x + 0.47 * r, s.y - 0.28 * r, a)
        else:
            yield (f'<rect x="{self.px(s.x - s.w / 2)}" y="{self.py(s.y + s.h / 2)}" width="{_f(s.w * k)}" '
                   f'height="{_f(s.h * k)}" rx="3" fill="{fill}" stroke="{stroke}" stroke-width="1"/>')
            yield from self.lines(s.x, s.y, s.lines, s.grey)


def _to_svg(pic: Picture, title: str) -> str:
    out = _Svg(pic)
    width, height = _f(out.width), _f(out.height)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="{_SVG_FONT}">',
             f"<title>{_xml(title)}</title>",
             '<defs>' + "".join(
                 f'<marker id="{name}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
                 f'orient="auto"><path d="M0,1 L10,5 L0,9 L3,5 z" fill="{colour}"/></marker>'
                 for name, colour in (("solgen-arrow", _EDGE_COLOUR[1]), ("solgen-arrow-grey", _GREY[1]))) + "</defs>",
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>']
    for e, path in zip(pic.edges, _paths(pic)):
        colour = _GREY[1] if e.grey else _EDGE_COLOUR[1]
        dash = ' stroke-dasharray="4 3"' if e.dashed else ""
        marker = "solgen-arrow-grey" if e.grey else "solgen-arrow"
        (x0, y0), (x1, y1) = path.start, path.end
        if path.control is None:
            parts.append(f'<line x1="{out.px(x0)}" y1="{out.py(y0)}" x2="{out.px(x1)}" y2="{out.py(y1)}" '
                         f'stroke="{colour}" stroke-width="1"{dash} marker-end="url(#{marker})"/>')
        else:
            cx, cy = path.control
            parts.append(f'<path d="M{out.px(x0)},{out.py(y0)} Q{out.px(cx)},{out.py(cy)} {out.px(x1)},'
                         f'{out.py(y1)}" fill="none" stroke="{colour}" stroke-width="1"{dash} '
                         f'marker-end="url(#{marker})"/>')
    for s in pic.shapes:
        if s.fill != "ground":
            parts.extend(out.shape(s))
    for e in pic.edges:
        if e.label is not None and e.at is not None:
            parts.extend(out.label(e.at, e.label, e.grey))
    for s in pic.shapes:
        if s.fill == "ground":
            parts.extend(out.shape(s))
    x0 = pic.body()[0]
    for i, note in enumerate(pic.notes):
        parts.append(out.text(x0, pic.note_y(i), note, anchor="start"))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


__all__ = ["LABEL_LIMIT", "NAME_LIMIT", "SHOW_LIMIT", "Picture", "layout", "place_labels", "plain_name",
           "svg", "tex_to_unicode", "tikz"]
