"""flatten: channel-major, then row-major, as ``torch.flatten`` (entry j of the vector is a copy)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from solgen.core.ir import Var

from .shapes import Facts, Maps, Shape, name, size, tex


@dataclass(frozen=True)
class Flatten:
    in_shape: Shape
    type: str = "flatten"

    @property
    def shape(self) -> Shape:
        return (size(self.in_shape),)


def read(r: Any, table: dict[str, Any], place: str, previous: Shape, layout: str, arch_only: bool) -> Flatten:
    r.keys(table, (), place)
    if place == "network.layer[1]":
        raise r.fail(f"{place}.type", "flatten cannot be the first layer: give the inputs in the shape "
                     "the next layer takes")
    return Flatten(previous)


def build(b: Any, l: int, layer: Flatten, prevs: list[Maps]) -> list[Maps]:
    from solgen.core.graph import Node

    b.stage += 1
    outs = []
    for n, prev in enumerate(prevs, 1):
        ex = n if b.batched else None
        out = []
        for j, src in enumerate(prev.vars, 1):
            node = name(f"a{l}", (j,), ex)
            b.nodes.append(Node(node, "node", tex("a", l, (j,), ex), src, (src.name,), stage=b.stage,
                                layer=l, role="a", index=(j,), example=ex or 0))
            out.append(Var(node))
        outs.append(Maps(layer.shape, tuple(out)))
    return outs


def facts(layer: Flatten, in_shape: Shape) -> Facts:
    return Facts(layer.shape, 0, 0, "0", "0")
