"""Routing and label placement: edges bent round nodes, labels where they cover no node and no other label."""

from __future__ import annotations

import math
from collections.abc import Iterator

from .geometry import (
    Box,
    Point,
    Segment,
    _blocked,
    _Board,
    _crosses,
    _Grid,
    _grown,
    _label_box,
    _overlap,
    _Path,
    _path,
    _paths,
    _piece_grid,
    _shape_grid,
)
from .model import Picture, Shape
from .text import Text

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
_COVER = 100 + _CLOSE  # the least a label covering a shape costs (covering it is also coming near it)


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
    passes that move each one to its best place given where all the others are.  A label whose
    neighbourhood (every cell its candidate places look at) has not changed since it was last
    placed would land where it is: it is skipped, so a pass costs what changed, not every label."""
    paths = _paths(pic)
    pieces = _piece_grid(paths)
    fixed = _shape_grid([s for s in pic.shapes if not s.spots])
    movable = [s for s in pic.shapes if s.spots]
    labels = {k: e.label for k, e in enumerate(pic.edges) if e.label is not None}
    keys = [(0, k) for k in labels] + [(1, i) for i in range(len(movable))]
    others = _Board()  # every placed label but the one being placed
    for i, s in enumerate(movable):
        others.put((1, i), s.extent())
    spots: dict[tuple[int, int], Point] = {}
    placed_at: dict[tuple[int, int], int] = {}  # the board's clock when each label was last placed
    regions: dict[tuple[int, int], frozenset[tuple[int, int]]] = {}
    for _ in range(rounds):
        for key in keys:
            if key in placed_at and not others.changed_since(regions[key], placed_at[key]):
                continue
            if key not in regions:
                regions[key] = others.region(_edge_roomy(labels[key[1]], paths[key[1]]) if key[0] == 0
                                             else _text_roomy(movable[key[1]]))
            others.take(key)
            kind, k = key
            if kind == 0:
                spots[key], box = _edge_spot(k, labels[k], paths[k], fixed, pieces, others)
            else:
                spots[key], box = _text_spot(movable[k], fixed, pieces, others)
            others.put(key, box)
            placed_at[key] = others.clock
    for (kind, k), at in spots.items():
        if kind == 0:
            pic.edges[k].at = at
        else:
            movable[k].x, movable[k].y = at


def _edge_roomy(label: Text, path: _Path) -> Iterator[Box]:
    """The boxes ``_edge_spot`` asks the board about (every candidate place, with its margin)."""
    return (_label_box(label, path.at(t), 0.1) for t in _CANDIDATES)


def _text_roomy(shape: Shape) -> Iterator[Box]:
    x, y = shape.x, shape.y
    out = []
    for at in shape.spots:
        shape.x, shape.y = at
        out.append(_grown(shape.extent(), 0.1))
    shape.x, shape.y = x, y
    return iter(out)


def _crowding(box: Box, roomy: Box, shapes: _Grid[Shape], placed: _Board,
              near_shapes: list[Shape] | None = None) -> float:
    if near_shapes is None:
        near_shapes = shapes.near(roomy)
    near_labels = placed.near(roomy)
    cost = 100 * (sum(_hits(s, box) for s in near_shapes) + sum(_overlap(box, o) for o in near_labels))
    return cost + _CLOSE * (sum(_hits(s, roomy) for s in near_shapes) + sum(_overlap(roomy, o) for o in near_labels))


def _edge_spot(k: int, label: Text, path: _Path, shapes: _Grid[Shape], pieces: _Grid[tuple[int, Segment]],
               placed: _Board) -> tuple[Point, Box]:
    best: tuple[float, Point, Box] | None = None
    for t in _CANDIDATES:  # ascending, and every other cost is >= 0: stop once _NEAR * t alone loses
        if best is not None and _NEAR * t >= best[0]:
            break
        at = path.at(t)
        cost = _NEAR * t + (50 if _stub(path, t, label) < 0.3 else 0)
        if best is not None and cost >= best[0]:  # the costs still to add are >= 0: it cannot win
            continue
        box, roomy = _label_box(label, at), _label_box(label, at, 0.1)
        near_shapes = shapes.near(roomy)
        if best is not None and cost + _COVER >= best[0] and any(_hits(s, box) for s in near_shapes):
            continue  # it covers a shape (and so comes near it): at least _COVER more, it cannot win
        cost += _crowding(box, roomy, shapes, placed, near_shapes)
        if best is not None and cost >= best[0]:
            continue
        cost += _CROSS * len({j for j, piece in pieces.near(box) if j != k and _crosses(piece, box)})
        if best is None or cost < best[0]:
            best = (cost, at, box)
    assert best is not None
    return best[1], best[2]


def _text_spot(shape: Shape, shapes: _Grid[Shape], pieces: _Grid[tuple[int, Segment]],
               placed: _Board) -> tuple[Point, Box]:
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
