"""Layer kinds: one module per kind, one registry line each.

A kind answers the same questions for every stage: ``read`` validates its keys of a
``[[network.layer]]`` table (messages name the place) against the shape of one example
of the previous layer's output (or of the input) and returns its layer, whose ``shape``
is its own output's; ``build`` adds its scalar nodes to the graph and returns each
example's output maps; ``facts`` gives its architecture facts (output shape, parameters,
multiply-accumulates and the formulas used).  ``rank`` is the number of dimensions of
an example the kind takes as the first layer (None: it cannot be first); ``tensor`` names the
module of ``solgen.explain.tensor`` that writes the kind's tensor form (``[style] form = "matrix"``).  The spec
reader, the graph builder and the explainers look a kind up here by the layer's
``type`` and never branch on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import batchnorm, conv, dense, dropout, flatten, pool, rnn


@dataclass(frozen=True)
class LayerKind:
    name: str
    read: Callable[..., Any]  # (reader, table, place, previous shape, layout, arch_only) -> layer
    build: Callable[..., Any]  # (builder, l, layer, list of Maps, one per example) -> list of Maps
    facts: Callable[..., Any]  # (layer, its input shape) -> shapes.Facts
    rank: int | None  # dimensions of one example, when the kind is the first layer
    words: str  # what the layer is, for documents ("2-D convolution")
    panel: str = "maps"  # how the diagram draws it: "maps" (its output maps) or "steps" (unrolled in time)
    tensor: str = ""  # the module of solgen.explain.tensor writing its tensor form ("": dense, the matrix form)


LAYER_KINDS: dict[str, LayerKind] = {
    "dense": LayerKind("dense", dense.read, dense.build_maps, dense.facts, 1, "dense"),
    "conv1d": LayerKind("conv1d", conv.reader(1), conv.build, conv.facts, 2, "1-D convolution", tensor="conv"),
    "conv2d": LayerKind("conv2d", conv.reader(2), conv.build, conv.facts, 3, "2-D convolution", tensor="conv"),
    "maxpool1d": LayerKind("maxpool1d", pool.reader("max", 1), pool.build, pool.facts, 2,
                           "1-D max pooling", tensor="pool"),
    "maxpool2d": LayerKind("maxpool2d", pool.reader("max", 2), pool.build, pool.facts, 3,
                           "2-D max pooling", tensor="pool"),
    "avgpool1d": LayerKind("avgpool1d", pool.reader("avg", 1), pool.build, pool.facts, 2,
                           "1-D average pooling", tensor="pool"),
    "avgpool2d": LayerKind("avgpool2d", pool.reader("avg", 2), pool.build, pool.facts, 3,
                           "2-D average pooling", tensor="pool"),
    "flatten": LayerKind("flatten", flatten.read, flatten.build, flatten.facts, None, "flatten", tensor="flatten"),
    "dropout": LayerKind("dropout", dropout.read, dropout.build, dropout.facts, 1, "dropout", tensor="dropout"),
    "batchnorm": LayerKind("batchnorm", batchnorm.read, batchnorm.build, batchnorm.facts, 1,
                           "batch normalization", tensor="norm"),
    "rnn": LayerKind("rnn", rnn.read, rnn.build, rnn.facts, 2, "recurrent (RNN)", panel="steps", tensor="rnn"),
}
