"""Issue 16: edge-label placement works out its candidates on demand and looks at them cheapest
base first; it must choose exactly what the exhaustive search (every candidate's full cost, in
order of t, the first of equal ones) chooses, on calm boards and on crowded ones."""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solgen.core.graph import build_graph
from solgen.render.diagram import layout
from solgen.render.diagram.geometry import _Board, _paths, _piece_grid, _shape_grid, _touch
from solgen.render.diagram.model import Picture
from solgen.render.diagram.placement import _CANDIDATES, _Choices, _direction, _edge_spot
from solgen.render.diagram.tags import (
    boxes_apart,
    grown_tag,
    label_tag,
    reading_angle,
    tag_box,
    tag_crosses,
    tag_hits,
    tags_overlap,
)
from solgen.spec.sections import Network, load_spec, parse_spec

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").glob("*.toml"))

CROWDED_GRAPH = """
title = "Crowded"
[graph]
inputs = { x = 0.5, y = -1.25 }
params = { a = 2, b = 0.5, c = -3, d = 1.5, e = 0.25 }
nodes = ["u = a*x", "v = b*y", "w = c*u + d*v", "z = e*w + u"]
loss = "z"
"""


def _exhaustive(choices: _Choices, placed: _Board) -> tuple[tuple[float, float], float]:
    """The search as it was before issue 16: every candidate's cost, worked out in full."""
    k, path, label = choices.k, choices.path, choices.label
    near_labels = placed.near(choices.span)
    near_shapes = choices.shapes.near_items(choices.span)
    near_pieces = choices.pieces.near_items(choices.span)
    best = None
    for t in _CANDIDATES:
        at = path.at(t)
        angle = reading_angle(_direction(path, t))
        tag = label_tag(label, at, angle)
        room = grown_tag(tag, 0.25, 0.1)
        box, room_box = tag_box(tag), tag_box(room)
        stub = math.hypot(at[0] - path.start[0], at[1] - path.start[1]) - tag[4]
        base = 3.0 * t + (50 if stub < 0.3 else 0)
        close = [s for b, s in near_shapes if _touch(b, room_box)]
        touch = grown_tag(tag, 0.04, 0.04)
        crossed = {j for b, (j, piece) in near_pieces if _touch(b, box) and j != k and tag_crosses(tag, piece)}
        crowd = 100 * sum(tag_hits(s, touch) for s in close) + 3.0 * sum(tag_hits(s, room) for s in close)
        labels = [o for _, o in near_labels if tags_overlap(o, room)]
        crowd += 100 * sum(tags_overlap(tag, o) for o in labels) + 3.0 * len(labels)
        cost = base + crowd + 60.0 * len(crossed)
        if best is None or cost < best[0]:
            best = (cost, at, angle)
    assert best is not None
    return best[1], best[2]


@cache
def _pictures() -> list[tuple[str, Picture]]:
    out = []
    for path in SPECS:
        spec = load_spec(path)
        if isinstance(spec.problem, Network) and spec.problem.inputs is None:
            continue
        out.append((path.stem, layout(spec, build_graph(spec, max_parameters=10**9))))
    spec = parse_spec(CROWDED_GRAPH, "crowded.toml")
    out.append(("crowded", layout(spec, build_graph(spec))))
    return [(name, pic) for name, pic in out if any(e.label is not None for e in pic.edges)]


@pytest.mark.parametrize(("name", "pic"), _pictures(), ids=lambda v: v if isinstance(v, str) else "")
def test_edge_spot_is_the_exhaustive_choice(name: str, pic: Picture) -> None:
    paths = _paths(pic)
    pieces = _piece_grid(paths)
    fixed = _shape_grid([s for s in pic.shapes if not s.spots])
    labelled = [k for k, e in enumerate(pic.edges) if e.label is not None]
    for crowded in (False, True):  # the labels where they were placed; all at their first candidate
        board, tags = _Board(), {}
        for k in labelled:
            e = pic.edges[k]
            assert e.label is not None and e.at is not None
            at, angle = (paths[k].at(_CANDIDATES[0]), 0.0) if crowded else (e.at, e.angle)
            tags[k] = label_tag(e.label, at, angle)
            board.put((0, k), tag_box(tags[k]), tags[k])
        for k in labelled:
            label = pic.edges[k].label
            assert label is not None
            board.take((0, k))
            choices = _Choices(k, label, paths[k], fixed, pieces)
            at, angle, _ = _edge_spot(choices, board)
            assert (at, angle) == _exhaustive(_Choices(k, label, paths[k], fixed, pieces), board), (name, k)
            board.put((0, k), tag_box(tags[k]), tags[k])


_coord = st.floats(-30, 30, allow_nan=False)
_half = st.floats(0.01, 3, allow_nan=False)
_turn = st.floats(-90, 90, allow_nan=False)


@settings(max_examples=2000, deadline=None)
@given(_coord, _coord, _half, _half, _turn, _coord, _coord, _half, _half, _turn)
def test_boxes_apart_only_when_the_tags_do_not_overlap(x: float, y: float, w: float, h: float, a: float,
                                                        u: float, v: float, p: float, q: float, b: float) -> None:
    """The cheap first test never hides an overlap the exact test would find (nor invents one:
    it only answers "apart")."""
    one = (x, y, math.cos(math.radians(a)), math.sin(math.radians(a)), w, h)
    two = (u, v, math.cos(math.radians(b)), math.sin(math.radians(b)), p, q)
    if boxes_apart(tag_box(one), tag_box(two)):
        assert not tags_overlap(one, two)



def _corners(tag: tuple[float, ...]) -> list[tuple[float, float]]:
    """The corners as they were worked out before issue 16 (a product per sign)."""
    x, y, ux, uy, hw, hh = tag
    return [(x + sx * hw * ux - sy * hh * uy, y + sx * hw * uy + sy * hh * ux) for sx, sy in
            ((1, 1), (1, -1), (-1, -1), (-1, 1))]


def _overlap_before(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    ca, cb = _corners(a), _corners(b)
    for ux, uy in ((a[2], a[3]), (-a[3], a[2]), (b[2], b[3]), (-b[3], b[2])):
        pa = [px * ux + py * uy for px, py in ca]
        pb = [px * ux + py * uy for px, py in cb]
        if max(pa) <= min(pb) or max(pb) <= min(pa):
            return False
    return True


@settings(max_examples=2000, deadline=None)
@given(_coord, _coord, _half, _half, _turn, _coord, _coord, _half, _half, _turn)
def test_tags_overlap_is_the_separating_axes_test_as_it_was(x: float, y: float, w: float, h: float, a: float,
                                                             u: float, v: float, p: float, q: float,
                                                             b: float) -> None:
    """The kept corners are the same floats, so every answer is the same (near misses included)."""
    from solgen.render.diagram.tags import _flat_corners

    one = (x, y, math.cos(math.radians(a)), math.sin(math.radians(a)), w, h)
    two = (u, v, math.cos(math.radians(b)), math.sin(math.radians(b)), p, q)
    assert _flat_corners(one) == tuple(c for point in _corners(one) for c in point)
    assert tags_overlap(one, two) == _overlap_before(one, two)
    near = (x + (w + p) * 0.999999, y, 1.0, 0.0, p, q)  # a near miss or a hair's overlap
    assert tags_overlap(one, near) == _overlap_before(one, near)


@pytest.mark.parametrize(("name", "pic"), _pictures(), ids=lambda v: v if isinstance(v, str) else "")
def test_candidates_are_ordered_by_base_then_t(name: str, pic: Picture) -> None:
    paths = _paths(pic)
    pieces, fixed = _piece_grid(paths), _shape_grid([s for s in pic.shapes if not s.spots])
    for k, e in enumerate(pic.edges):
        if e.label is not None:
            choices = _Choices(k, e.label, paths[k], fixed, pieces)
            assert choices.order == sorted(range(len(_CANDIDATES)), key=lambda i: (choices.bases[i], i))
