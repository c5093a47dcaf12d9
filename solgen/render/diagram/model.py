"""The picture model: shapes, edges and notes, in cm with y upwards, that both outputs draw."""

from __future__ import annotations

from dataclasses import dataclass, field

from .geometry import _path
from .tags import label_tag, tag_box
from .text import Text


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
    _size: tuple[float, float] | None = field(default=None, init=False, repr=False, compare=False)

    def extent(self) -> tuple[float, float, float, float]:
        if self.kind == "text":
            if self._size is None:  # the lines never change, only where the text goes
                self._size = max(t.width for t in self.lines), sum(t.height for t in self.lines)
            w, h = self._size
            left = self.x - w / 2 if self.anchor == "center" else self.x - w if self.anchor == "east" else self.x
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
    angle: float = 0.0  # the label's turn in degrees, along the edge (set by ``place_labels``)


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
        boxes += [tag_box(label_tag(e.label, e.at, e.angle)) for e in self.edges
                  if e.label is not None and e.at is not None]
        bent = [e for e in self.edges if e.bend is not None]  # a straight edge lies between its ends
        if bent:
            by_id = {s.id: s for s in self.shapes}
            boxes += [_path(by_id[e.src], by_id[e.dst], e.bend).at(0.5) * 2 for e in bent]
        if not boxes:
            return 0.0, 0.0, 1.0, 1.0
        return (min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes))

    def note_y(self, i: int, bottom: float | None = None) -> float:
        """Where note i goes: below ``bottom``, the body's lower edge (worked out when not given)."""
        return (self.body()[1] if bottom is None else bottom) - 0.4 - 0.45 * i

    def bounds(self, body: tuple[float, float, float, float] | None = None) -> tuple[float, float, float, float]:
        """The extent of everything drawn (``body``: ``self.body()``, when the caller has it)."""
        x0, y0, x1, y1 = body or self.body()
        bottom = y0
        for i, note in enumerate(self.notes):
            x1 = max(x1, x0 + note.width)
            y0 = min(y0, self.note_y(i, bottom) - note.height / 2)
        return x0, y0, x1, y1
