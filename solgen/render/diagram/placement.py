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
    _overlap,
    _Path,
    _path,
    _paths,
    _piece_grid,
    _shape_grid,
    _touch,
)
from .model import Picture, Shape
from .tags import (
    Tag,
    box_tag,
    boxes_apart,
    grown_tag,
    label_tag,
    reading_angle,
    tag_box,
    tag_crosses,
    tag_hits,
    tags_overlap,
)
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
_NEAR, _CROSS, _CLOSE = 3.0, 60.0, 3.0  # costs: per unit of t away from the sender, per edge crossed, per near miss


def _hits(shape: Shape, box: tuple[float, float, float, float]) -> bool:
    """Whether the box covers part of the shape (a circle is tested as a circle)."""
    if shape.kind not in ("circle", "unit"):
        return _overlap(box, shape.extent())
    nx, ny = min(max(shape.x, box[0]), box[2]), min(max(shape.y, box[1]), box[3])
    return (nx - shape.x) ** 2 + (ny - shape.y) ** 2 < (shape.w / 2) ** 2


def place_labels(pic: Picture, rounds: int = 3) -> None:
    """Put each edge label on its edge, turned to lie along it, as near the sending end as it can
    go, and each movable text (a shape with ``spots``) on its first good spot, so that no label
    covers a node, another label or another edge where a free place exists.

    Deterministic: a greedy pass in order (edge labels, then movable texts), then ``rounds - 1``
    passes that move each one to its best place given where all the others are.  The part of each
    candidate's cost that does not depend on the other labels (nodes covered, edges crossed) is
    worked out once; a label whose neighbourhood (every cell its candidates look at) has not
    changed since it was last placed would land where it is, so it is skipped: a pass costs what
    changed, not every label.  Each label's candidates are worked out on demand and looked at
    cheapest base cost first (``_Choices``, ``_edge_spot``), so a label usually costs one or two
    candidates of 33, with exactly the choice the full search would make."""
    paths = _paths(pic)
    pieces = _piece_grid(paths)
    fixed = _shape_grid([s for s in pic.shapes if not s.spots])
    movable = [s for s in pic.shapes if s.spots]
    labels = {k: e.label for k, e in enumerate(pic.edges) if e.label is not None}
    keys = [(0, k) for k in labels] + [(1, i) for i in range(len(movable))]
    others = _Board()  # every placed label but the one being placed
    for i, s in enumerate(movable):
        others.put((1, i), s.extent(), box_tag(s.extent()))
    spots: dict[tuple[int, int], tuple[Point, float]] = {}
    placed_at: dict[tuple[int, int], int] = {}  # the board's clock when each label was last placed
    regions: dict[tuple[int, int], frozenset[tuple[int, int]]] = {}
    choices: dict[int, _Choices] = {}
    for _ in range(rounds):
        for key in keys:
            if key in placed_at and not others.changed_since(regions[key], placed_at[key]):
                continue
            kind, k = key
            if kind == 0 and k not in choices:
                choices[k] = _Choices(k, labels[k], paths[k], fixed, pieces)
                regions[key] = others.region(iter((choices[k].span,)))  # covers every candidate's cells
            elif key not in regions:
                regions[key] = others.region(_text_roomy(movable[k]))
            others.take(key)
            if kind == 0:
                at, angle, tag = _edge_spot(choices[k], others)
            else:
                at, box = _text_spot(movable[k], fixed, pieces, others)
                angle, tag = 0.0, box_tag(box)
            spots[key] = (at, angle)
            others.put(key, tag_box(tag), tag)
            placed_at[key] = others.clock
    for (kind, k), (at, angle) in spots.items():
        if kind == 0:
            pic.edges[k].at, pic.edges[k].angle = at, angle
        else:
            movable[k].x, movable[k].y = at


def _text_roomy(shape: Shape) -> Iterator[Box]:
    """The boxes ``_text_spot`` asks the board about (every spot, with its margin)."""
    x, y = shape.x, shape.y
    out = []
    for at in shape.spots:
        shape.x, shape.y = at
        out.append(_grown(shape.extent(), 0.1))
    shape.x, shape.y = x, y
    return iter(out)


def _crowding(box: Box, roomy: Box, shapes: _Grid[Shape], placed: _Board) -> float:
    near_shapes, near_labels = shapes.near(roomy), placed.near(roomy)
    tag, room = box_tag(box), box_tag(roomy)
    cost = 100 * (sum(_hits(s, box) for s in near_shapes) + sum(tags_overlap(tag, o) for _, o in near_labels))
    return cost + _CLOSE * (sum(_hits(s, roomy) for s in near_shapes)
                            + sum(tags_overlap(room, o) for _, o in near_labels))


class _Choices:
    """The candidate places of one edge label along its path, each worked out only when
    ``_edge_spot`` first asks for it: its base cost (nearness to the sender, and a label that
    would leave no stub of its edge showing) at once, as it needs only the label's length; its
    centre, angle, tag and tag with margin (``place``); the costs that do not depend on the other
    labels (``costs``: nodes covered, nodes come near, edges crossed).  Each is exactly what it
    would be if all were worked out at once.  ``span`` covers every candidate's tag with margin;
    ``order`` is the candidates by (base, t)."""

    def __init__(self, k: int, label: Text, path: _Path, shapes: _Grid[Shape],
                 pieces: _Grid[tuple[int, Segment]]) -> None:
        self.k, self.label, self.path, self.shapes, self.pieces = k, label, path, shapes, pieces
        self.places: list[tuple[Point, float, Tag, Tag, Box, Box] | None] = [None] * len(_CANDIDATES)
        self.fixed: list[tuple[int, int, int] | None] = [None] * len(_CANDIDATES)
        self.near: tuple[list[tuple[Box, Shape]], list[tuple[Box, tuple[int, Segment]]]] | None = None
        half = label_tag(label, path.start)[4]  # the tag's half length, the same at every angle
        x0, y0 = path.start
        self.bases, stubless, stubbed = [], [], []
        for i, t in enumerate(_CANDIDATES):
            x, y = path.at(t)
            short = math.hypot(x - x0, y - y0) - half < 0.3
            self.bases.append(_NEAR * t + (50 if short else 0))
            (stubbed if short else stubless).append(i)
        # by (base, t): 3t grows with t and stays below 2.7 < 50, so the candidates without the stub
        # penalty come first, each group in the order of t
        self.order = stubless + stubbed
        # a straight edge gives every candidate the same tag size and angle, and each side of its
        # box moves monotonically with t: the first and last candidates bound them all
        ends = (0, len(_CANDIDATES) - 1) if path.control is None else range(len(_CANDIDATES))
        boxes = [self.place(i)[5] for i in ends]
        self.span: Box = (min(r[0] for r in boxes), min(r[1] for r in boxes),
                          max(r[2] for r in boxes), max(r[3] for r in boxes))

    def place(self, i: int) -> tuple[Point, float, Tag, Tag, Box, Box]:
        """Candidate i's centre, angle, tag, tag with margin and the upright boxes round those two."""
        found = self.places[i]
        if found is None:
            t, path = _CANDIDATES[i], self.path
            at, angle = path.at(t), reading_angle(_direction(path, t))
            tag = label_tag(self.label, at, angle)
            room = grown_tag(tag, 0.25, 0.1)
            found = self.places[i] = (at, angle, tag, room, tag_box(tag), tag_box(room))
        return found

    def costs(self, i: int) -> tuple[int, int, int]:
        """Candidate i's nodes covered, nodes come near and edges crossed."""
        found = self.fixed[i]
        if found is None:
            if self.near is None:
                self.near = self.shapes.near_items(self.span), self.pieces.near_items(self.span)
            near_shapes, near_pieces = self.near
            _, _, tag, room, box, room_box = self.place(i)
            touch = grown_tag(tag, 0.04, 0.04)
            close = [s for b, s in near_shapes if _touch(b, room_box)]
            crossed = {j for b, (j, piece) in near_pieces
                       if _touch(b, box) and j != self.k and tag_crosses(tag, piece)}
            found = self.fixed[i] = (sum(tag_hits(s, touch) for s in close),
                                     sum(tag_hits(s, room) for s in close), len(crossed))
        return found


def _direction(path: _Path, t: float) -> Point:
    if path.control is None:
        return path.end[0] - path.start[0], path.end[1] - path.start[1]
    a, b = path.at(max(0.0, t - 0.01)), path.at(min(1.0, t + 0.01))
    return b[0] - a[0], b[1] - a[1]


def _edge_spot(choices: _Choices, placed: _Board) -> tuple[Point, float, Tag]:
    """The cheapest candidate given the labels placed (of equal ones, the nearest the sender):
    base + 100 (covered) + _CLOSE (come near) + _CROSS (edges crossed).  Every cost but the
    base is >= 0, so the candidates are looked at by (base, t) and the search stops at the first
    whose base alone is dearer than the best so far (or as dear, further from the sender); one
    that is dearer without the other labels is not tested against them.  (All costs but the base
    are whole numbers, so these sums are exact and the bounds hold to the last bit.)"""
    near = placed.near(choices.span)
    best: tuple[float, int] | None = None
    for i in choices.order:
        base = choices.bases[i]
        if best is not None and (base, i) > best:
            break
        _, _, tag, room, box, room_box = choices.place(i)
        covers, nears, crossed = choices.costs(i)
        crowd = 100 * covers + _CLOSE * nears
        if best is not None and (base + crowd + _CROSS * crossed, i) > best:  # dear without the labels
            continue
        if near:
            labels = [(b, o) for b, o in near if not boxes_apart(b, room_box) and tags_overlap(o, room)]
            crowd += (100 * sum(not boxes_apart(b, box) and tags_overlap(tag, o) for b, o in labels)
                      + _CLOSE * len(labels))
        cost = base + crowd + _CROSS * crossed
        if best is None or (cost, i) < best:
            best = (cost, i)
    assert best is not None
    at, angle, tag = choices.place(best[1])[:3]
    return at, angle, tag


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


def label_faults(pic: Picture) -> list[tuple[int, str]]:
    """(edge, what) for each placed edge label that another edge passes through ("edge") or that
    touches a node ("node"): what a reader would trip over.  Linear in the picture's size."""
    paths = _paths(pic)
    pieces = _piece_grid(paths)
    solid = _shape_grid([s for s in pic.shapes if s.kind != "text"])
    out: list[tuple[int, str]] = []
    for k, e in enumerate(pic.edges):
        if e.label is None or e.at is None:
            continue
        tag = label_tag(e.label, e.at, e.angle)
        box = tag_box(tag)
        if any(j != k and tag_crosses(tag, piece) for j, piece in pieces.near(box)):
            out.append((k, "edge"))
        touch = grown_tag(tag, 0.03, 0.03)
        if any(tag_hits(s, touch) for s in solid.near(tag_box(touch))):
            out.append((k, "node"))
    return out
