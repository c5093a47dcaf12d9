"""What the layer kinds share: shapes, feature maps, canonical names and nested-list reading.

A ``Maps`` is one example's output of a layer (or the inputs): its shape (without a batch
dimension, as the contract's section 10 says) and one graph variable per entry, in
row-major order (channel first).  Names follow the contract: ``x[c,r,q]``, ``z2[o,p]``,
and with a batch the example index first (``x[n,c,r,q]``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from fractions import Fraction
from typing import Any

from solgen.core.ir import Var
from solgen.record import record

Shape = tuple[int, ...]


@record
class Maps:
    shape: Shape
    vars: tuple[Var, ...]

    def at(self, index: Sequence[int]) -> Var:
        """The entry at a 1-based index."""
        return self.vars[flat(self.shape, index)]


def flat(shape: Shape, index: Sequence[int]) -> int:
    """Row-major position (0-based) of a 1-based index."""
    pos = 0
    for size, i in zip(shape, index):
        pos = pos * size + (i - 1)
    return pos


def indices(shape: Shape) -> Iterator[tuple[int, ...]]:
    """Every 1-based index of a shape, in row-major order."""
    return itertools.product(*(range(1, s + 1) for s in shape))


def size(shape: Shape) -> int:
    return math.prod(shape)


def show_shape(shape: Shape) -> str:
    """``(1, 2, 3)`` (a 1-tuple as ``(4)``, the way a student writes it)."""
    return "(" + ", ".join(str(s) for s in shape) + ")"


def name(base: str, index: Sequence[int], example: int | None = None) -> str:
    """Canonical name: ``name("W2", (1, 2))`` is ``W2[1,2]``; a batch puts ``n`` first."""
    idx = ([example] if example is not None else []) + list(index)
    return f"{base}[{','.join(str(i) for i in idx)}]" if idx else base


def tex(head: str, layer: int | None, index: Sequence[int], example: int | None = None) -> str:
    """LaTeX name: ``w^{(2)}_{1,2}`` (no superscript for layer None)."""
    idx = ([example] if example is not None else []) + list(index)
    sup = f"^{{({layer})}}" if layer is not None else ""
    sub = f"_{{{','.join(str(i) for i in idx)}}}" if idx else ""
    return f"{head}{sup}{sub}"


def conv_length(length: int, kernel: int, stride: int, padding: int) -> int:
    """floor((L + 2p - k) / s) + 1, as PyTorch (0 or less: the kernel does not fit)."""
    return (length + 2 * padding - kernel) // stride + 1


def nested(r: Any, raw: Any, place: str, rank: int) -> tuple[Shape, tuple[Fraction, ...]]:
    """A rectangular nested list of numbers of depth ``rank``: its shape and entries (row-major)."""
    from solgen.spec.reader import kind_of

    if rank == 0:
        return (), (r.number(raw, place),)
    if not isinstance(raw, list) or not raw:
        got = kind_of(raw)
        raise r.fail(place, f"expected {_depth_words(rank)}, got {got}")
    parts = [nested(r, item, f"{place}[{i}]", rank - 1) for i, item in enumerate(raw, 1)]
    inner = parts[0][0]
    for i, (shape, _) in enumerate(parts, 1):
        if shape != inner:
            raise r.fail(f"{place}[{i}]", f"shape {show_shape(shape)}, but {place}[1] has shape "
                         f"{show_shape(inner)} (every entry of a list must have the same shape)")
    return (len(raw),) + inner, tuple(v for _, values in parts for v in values)


def _depth_words(rank: int) -> str:
    return {1: "a list of numbers", 2: "a list of rows (lists of numbers)"}.get(
        rank, f"a {rank}-level nested list of numbers")


def depth(raw: Any) -> int:
    """How deeply lists nest at the first entry (a number: 0)."""
    d = 0
    while isinstance(raw, list) and raw:
        raw, d = raw[0], d + 1
    return d


def ints(r: Any, raw: Any, place: str, dims: int, low: int) -> tuple[int, ...]:
    """``kernel_size = 2`` or ``[2, 3]``: one whole number per spatial dimension."""
    if isinstance(raw, list):
        if len(raw) != dims:
            raise r.fail(place, f"{len(raw)} number{'s' if len(raw) != 1 else ''}, but the layer has {dims} spatial "
                         f"dimension{'s' if dims > 1 else ''} (or give one number for all)")
        return tuple(r.integer(v, f"{place}[{i}]", low) for i, v in enumerate(raw, 1))
    return (r.integer(raw, place, low),) * dims


def fraction_text(q: Fraction) -> str:
    return str(q.numerator) if q.denominator == 1 else f"{float(q):g}"


@record
class Facts:
    """A layer's architecture facts for one example: output shape, parameters, multiply-accumulates,
    with the formulas used (LaTeX, filled with the layer's numbers)."""

    shape: Shape
    parameters: int
    macs: int
    parameter_formula: str
    macs_formula: str


def want_rank(r: Any, previous: Shape, place: str, rank: int, kind: str, what: str) -> None:
    """The previous layer's output must have ``rank`` dimensions (``what`` says which)."""
    if len(previous) != rank:
        source = "the input" if place.startswith("network.layer[1].") or place == "network.layer[1]" \
            else "the previous layer's output"
        raise r.fail(place, f"a {kind} layer takes {what}, but {source} has shape {show_shape(previous)}")


def output_node(b: Any, l: int, index: tuple[int, ...], example: int | None, expr: Any) -> Var:
    """Add layer ``l``'s output entry ``a{l}[...]`` with its expression to the builder; its Var."""
    from solgen.core.graph import Node
    from solgen.core.ir import variables

    node = name(f"a{l}", index, example)
    b.nodes.append(Node(node, "node", tex("a", l, index, example), expr, tuple(variables(expr)),
                        stage=b.stage, layer=l, role="a", index=index, example=example or 0))
    return Var(node)


def parameterless(layer: Any, in_shape: Shape) -> Facts:
    """The facts of a layer with no parameters and no multiply-accumulates (pooling, dropout)."""
    return Facts(layer.shape, 0, 0, "0", "0")
