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
from types import ModuleType
from typing import Any

from solgen.lazy import lazy
from solgen.record import record

from . import dense


@record
class LayerKind:
    name: str
    read: Callable[..., Any]  # (reader, table, place, previous shape, layout, arch_only) -> layer
    build: Callable[..., Any]  # (builder, l, layer, list of Maps, one per example) -> list of Maps
    facts: Callable[..., Any]  # (layer, its input shape) -> shapes.Facts
    rank: int | None  # dimensions of one example, when the kind is the first layer
    words: str  # what the layer is, for documents ("2-D convolution")
    panel: str = "maps"  # how the diagram draws it: "maps" (its output maps) or "steps" (unrolled in time)
    tensor: str = ""  # the module of solgen.explain.tensor writing its tensor form ("": dense, the matrix form)


def _conv() -> ModuleType:
    from . import conv

    return conv


def _pool() -> ModuleType:
    from . import pool

    return pool


def _flatten() -> ModuleType:
    from . import flatten

    return flatten


def _dropout() -> ModuleType:
    from . import dropout

    return dropout


def _batchnorm() -> ModuleType:
    from . import batchnorm

    return batchnorm


def _rnn() -> ModuleType:
    from . import rnn

    return rnn


def _kind(name: str, module: Callable[[], Any], rank: int | None, words: str, *reader_args: Any,
          **more: Any) -> LayerKind:
    """A kind whose module is imported when a spec first uses it (a dense net never loads conv)."""
    read = lazy(lambda: module().reader(*reader_args)) if reader_args else lazy(lambda: module().read)
    return LayerKind(name, read, lazy(lambda: module().build), lazy(lambda: module().facts), rank, words, **more)


LAYER_KINDS: dict[str, LayerKind] = {
    k.name: k
    for k in (
        LayerKind("dense", dense.read, dense.build_maps, dense.facts, 1, "dense"),
        _kind("conv1d", _conv, 2, "1-D convolution", 1, tensor="conv"),
        _kind("conv2d", _conv, 3, "2-D convolution", 2, tensor="conv"),
        _kind("maxpool1d", _pool, 2, "1-D max pooling", "max", 1, tensor="pool"),
        _kind("maxpool2d", _pool, 3, "2-D max pooling", "max", 2, tensor="pool"),
        _kind("avgpool1d", _pool, 2, "1-D average pooling", "avg", 1, tensor="pool"),
        _kind("avgpool2d", _pool, 3, "2-D average pooling", "avg", 2, tensor="pool"),
        _kind("flatten", _flatten, None, "flatten", tensor="flatten"),
        _kind("dropout", _dropout, 1, "dropout", tensor="dropout"),
        _kind("batchnorm", _batchnorm, 1, "batch normalization", tensor="norm"),
        _kind("rnn", _rnn, 2, "recurrent (RNN)", panel="steps", tensor="rnn"),
    )
}
