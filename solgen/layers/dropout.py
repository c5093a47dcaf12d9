"""dropout with a given mask: a = m * x / (1 - p), as ``torch.nn.functional.dropout`` with that mask."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from solgen.core.ir import Mul, Num, Var

from .shapes import Maps, Shape, indices, name, nested, output_node, parameterless, show_shape, tex

KEYS = ("p", "mask")


@dataclass(frozen=True)
class Dropout:
    in_shape: Shape
    p: Fraction
    masks: tuple[tuple[Fraction, ...], ...] | None  # one flat mask per example; None: architecture only
    type: str = "dropout"

    @property
    def shape(self) -> Shape:
        return self.in_shape


def read(r: Any, table: dict[str, Any], place: str, previous: Shape, layout: str, arch_only: bool) -> Dropout:
    r.keys(table, KEYS, place)
    p = r.number(table.get("p", Fraction(1, 2)), f"{place}.p")
    if not 0 <= p < 1:
        raise r.fail(f"{place}.p", f"must be at least 0 and less than 1, got {float(p):g}")
    if arch_only:
        if "mask" in table:
            raise r.fail(f"{place}.mask", "an architecture-only network has no values to mask")
        return Dropout(previous, p, None)
    if "mask" not in table:
        raise r.fail(f"{place}.mask", f"missing: give the mask (0 or 1 for each entry of the layer's "
                     f"input, shape {show_shape(previous)})")
    examples = getattr(r, "batch_size", None)  # a batch: one mask per example
    rank = len(previous) + (1 if examples else 0)
    got, values = nested(r, table["mask"], f"{place}.mask", rank)
    want = ((examples,) if examples else ()) + previous
    if got != want:
        what = f"{examples} examples of shape {show_shape(previous)}" if examples else f"shape {show_shape(previous)}"
        raise r.fail(f"{place}.mask", f"shape {show_shape(got)}, but the layer's input has {what}")
    for i, v in enumerate(values):
        if v not in (0, 1):
            raise r.fail(f"{place}.mask", f"entries must be 0 or 1, got {float(v):g} "
                         f"(entry {i + 1} in row-major order)")
    per = len(values) // (examples or 1)
    masks = tuple(values[k * per:(k + 1) * per] for k in range(len(values) // per))
    return Dropout(previous, p, masks)


def build(b: Any, l: int, layer: Dropout, prevs: list[Maps]) -> list[Maps]:
    from solgen.core.graph import Node

    assert layer.masks is not None
    b.stage += 1
    scale = 1 / (1 - layer.p)
    outs = []
    for n, prev in enumerate(prevs, 1):
        ex = n if b.batched else None
        mask = layer.masks[n - 1]
        out = []
        for k, idx in enumerate(indices(layer.shape)):
            m = name(f"m{l}", idx, ex)
            b.nodes.append(Node(m, "constant", tex("m", l, idx, ex), value=mask[k], stage=b.stage,
                                layer=l, role="m", index=idx, example=ex or 0))
            factors = (Var(m), prev.vars[k]) if scale == 1 else (Num(scale, frac=True), Var(m), prev.vars[k])
            expr = Mul(factors)
            out.append(output_node(b, l, idx, ex, expr))
        outs.append(Maps(layer.shape, tuple(out)))
    return outs


facts = parameterless
