"""Layer kinds: one module per kind, one registry line each.

A kind answers the same questions for every stage: ``read`` validates its keys of a
``[[network.layer]]`` table (messages name the place) and returns its ``Layer``;
``build`` adds its scalar nodes to the graph and returns the quantities the next layer
takes.  The spec reader and the graph builder look a kind up here by the layer's
``type`` and never branch on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import dense


@dataclass(frozen=True)
class LayerKind:
    name: str
    read: Callable[..., Any]  # (reader, table, place, previous, layout, arch_only) -> Layer
    build: Callable[..., Any]  # (builder, l, layer, prev) -> the layer's output quantities


LAYER_KINDS: dict[str, LayerKind] = {
    "dense": LayerKind("dense", dense.read, dense.build),
}
