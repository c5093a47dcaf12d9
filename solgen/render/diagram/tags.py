"""Edge labels as drawn: rectangles turned to lie along their edge ("tags"), and exact tests of a tag
against segments, nodes and other tags (the placement and the tests use the same ones)."""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING

from .geometry import Box, Point, Segment, _crosses

if TYPE_CHECKING:
    from .model import Shape
    from .text import Text

#: (centre x, centre y, unit vector along the label x, y, half width, half height)
Tag = tuple[float, float, float, float, float, float]


def label_tag(label: Text, at: Point, angle: float = 0.0, margin: float = 0.0) -> Tag:
    """The rectangle a label covers at ``at``, turned by ``angle`` degrees (as ``_label_box`` when 0)."""
    w, h = label.width + 0.08 + 5 * margin, label.height + 0.06 + 2 * margin
    rad = math.radians(angle)
    return at[0], at[1], math.cos(rad), math.sin(rad), w / 2, h / 2


def box_tag(box: Box) -> Tag:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2, 1.0, 0.0, (box[2] - box[0]) / 2, (box[3] - box[1]) / 2


def grown_tag(tag: Tag, along: float, across: float) -> Tag:
    x, y, ux, uy, hw, hh = tag
    return x, y, ux, uy, hw + along, hh + across


def tag_box(tag: Tag) -> Box:
    """The upright box round a tag."""
    x, y, ux, uy, hw, hh = tag
    ex, ey = abs(ux) * hw + abs(uy) * hh, abs(uy) * hw + abs(ux) * hh
    return x - ex, y - ey, x + ex, y + ey


def _local(tag: Tag, p: Point) -> Point:
    dx, dy = p[0] - tag[0], p[1] - tag[1]
    return dx * tag[2] + dy * tag[3], -dx * tag[3] + dy * tag[2]


def tag_crosses(tag: Tag, seg: Segment) -> bool:
    """Whether the segment passes through the tag."""
    a, b = _local(tag, (seg[0], seg[1])), _local(tag, (seg[2], seg[3]))
    return _crosses((a[0], a[1], b[0], b[1]), (-tag[4], -tag[5], tag[4], tag[5]))


@lru_cache(maxsize=8192)
def _flat_corners(tag: Tag) -> tuple[float, ...]:
    """A tag's corners x0, y0, ..., x3, y3: (x, y) + sx hw u + sy hh u-perpendicular for (sx, sy) =
    (1, 1), (1, -1), (-1, -1), (-1, 1).  A label's tag is tested against many others, and again in
    each pass, so they are kept."""
    x, y, ux, uy, hw, hh = tag
    wx, wy, hx, hy = hw * ux, hw * uy, hh * ux, hh * uy
    return (x + wx - hy, y + wy + hx, x + wx + hy, y + wy - hx,
            x - wx + hy, y - wy - hx, x - wx - hy, y - wy + hx)


def tags_overlap(a: Tag, b: Tag) -> bool:
    """Whether two tags overlap (separating axes: the two sides of each)."""
    a0, a1, a2, a3, a4, a5, a6, a7 = _flat_corners(a)
    b0, b1, b2, b3, b4, b5, b6, b7 = _flat_corners(b)
    for ux, uy in ((a[2], a[3]), (-a[3], a[2]), (b[2], b[3]), (-b[3], b[2])):
        p, q, r, t = a0 * ux + a1 * uy, a2 * ux + a3 * uy, a4 * ux + a5 * uy, a6 * ux + a7 * uy
        f, g, h, k = b0 * ux + b1 * uy, b2 * ux + b3 * uy, b4 * ux + b5 * uy, b6 * ux + b7 * uy
        if max(p, q, r, t) <= min(f, g, h, k) or max(f, g, h, k) <= min(p, q, r, t):
            return False
    return True


#: upright boxes further apart than this (cm) surround tags that do not overlap, and ``tags_overlap``
#: says so: two rectangles a distance d apart have a side whose normal separates them by at least
#: d sin 45 degrees (their Minkowski difference turns by at most 90 degrees at each corner), and
#: 1e-9 cm lies far above the rounding of a picture's coordinates
_APART = 1e-9


def boxes_apart(a: Box, b: Box) -> bool:
    """Whether two upright boxes lie more than ``_APART`` apart: a cheap and exact first test
    before ``tags_overlap`` of the tags they surround (``tag_box``)."""
    return a[0] > b[2] + _APART or b[0] > a[2] + _APART or a[1] > b[3] + _APART or b[1] > a[3] + _APART


def tag_hits(shape: Shape, tag: Tag) -> bool:
    """Whether the tag covers part of the shape (a circle is tested as a circle)."""
    if shape.kind not in ("circle", "unit"):
        return tags_overlap(tag, box_tag(shape.extent()))
    cx, cy = _local(tag, (shape.x, shape.y))
    nx, ny = min(max(cx, -tag[4]), tag[4]), min(max(cy, -tag[5]), tag[5])
    return (nx - cx) ** 2 + (ny - cy) ** 2 < (shape.w / 2) ** 2


def reading_angle(direction: Point) -> float:
    """The angle (degrees) of a label along this direction, turned so that it reads left to right."""
    dx, dy = direction
    if dx < 0 or (dx == 0 and dy < 0):
        dx, dy = -dx, -dy
    angle = math.degrees(math.atan2(dy, dx))
    return round(angle, 1)
