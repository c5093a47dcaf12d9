"""Geometry in cm (y upwards): edge paths and where they leave a shape, box and segment tests, a spatial grid."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from .model import Picture, Shape
    from .text import Text


Point = tuple[float, float]
Segment = tuple[float, float, float, float]
Box = tuple[float, float, float, float]
T = TypeVar("T")


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


class _Grid(Generic[T]):
    """Boxes in a uniform grid, to find quickly what lies near a box (in the order added)."""

    CELL = 2.0

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[int]] = {}
        self.items: list[tuple[Box, T]] = []

    def _cells(self, box: Box) -> list[tuple[int, int]]:
        c = _Grid.CELL
        i0, i1 = math.floor(box[0] / c), math.floor(box[2] / c)
        j0, j1 = math.floor(box[1] / c), math.floor(box[3] / c)
        if i0 == i1 and j0 == j1:
            return [(i0, j0)]
        return [(i, j) for i in range(i0, i1 + 1) for j in range(j0, j1 + 1)]

    def add(self, box: Box, item: T) -> None:
        for cell in self._cells(box):
            self.cells.setdefault(cell, []).append(len(self.items))
        self.items.append((box, item))

    def near(self, box: Box) -> list[T]:
        cells = self._cells(box)
        if len(cells) == 1:  # one cell: its items are already in the order added, once each
            found: Iterable[int] = self.cells.get(cells[0], ())
        else:
            found = sorted({i for cell in cells for i in self.cells.get(cell, ())})
        items = self.items
        return [items[i][1] for i in found if _touch(items[i][0], box)]

    def near_items(self, box: Box) -> list[tuple[Box, T]]:
        """(box, item) of every item ``near`` gives for ``box``: filter them by a smaller box
        inside it with ``_touch`` to get what ``near`` would give for that one."""
        cells = self._cells(box)
        found = sorted({i for cell in cells for i in self.cells.get(cell, ())})
        return [self.items[i] for i in found if _touch(self.items[i][0], box)]


class _Board:
    """Placed labels (as tags: see ``tags.py``) by key in a uniform grid: put, take away, and find
    those near a box, each in time proportional to the cells a label covers (not to their number)."""

    CELL = _Grid.CELL

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], dict[tuple[int, int], tuple[Box, tuple[float, ...]]]] = {}
        self.boxes: dict[tuple[int, int], Box] = {}
        self.clock = 0  # counts changes; ``stamp[cell]`` is the clock of the cell's last change
        self.stamp: dict[tuple[int, int], int] = {}

    def _cells(self, box: Box) -> list[tuple[int, int]]:
        return _Grid._cells(self, box)  # type: ignore[arg-type]

    def put(self, key: tuple[int, int], box: Box, tag: tuple[float, ...]) -> None:
        """Place a label: ``box`` is the upright box round its ``tag``."""
        self.take(key)
        self.boxes[key] = box
        self.clock += 1
        for cell in self._cells(box):
            self.cells.setdefault(cell, {})[key] = (box, tag)
            self.stamp[cell] = self.clock

    def take(self, key: tuple[int, int]) -> None:
        box = self.boxes.pop(key, None)
        if box is not None:
            self.clock += 1
            for cell in self._cells(box):
                del self.cells[cell][key]
                self.stamp[cell] = self.clock

    def region(self, boxes: Iterator[Box]) -> frozenset[tuple[int, int]]:
        """The cells that ``near`` reads for any of these boxes."""
        return frozenset(cell for box in boxes for cell in self._cells(box))

    def changed_since(self, cells: frozenset[tuple[int, int]], clock: int) -> bool:
        return any(self.stamp.get(cell, 0) > clock for cell in cells)

    def near(self, box: Box) -> list[tuple[Box, tuple[float, ...]]]:
        """(box, tag) of the labels whose box touches ``box``, in key order."""
        found = {k: b for cell in self._cells(box) for k, b in self.cells.get(cell, {}).items()}
        return [found[k] for k in sorted(found) if _touch(found[k][0], box)]


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


def _ys(count: int, gap: float) -> list[float]:
    return [((count - 1) / 2 - i) * gap for i in range(count)]
