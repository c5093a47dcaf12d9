"""dropout in tensor form, as the contract (and torch's inverted dropout) scales it:

    A = M (.) A_prev / (1 - p),    dL/dA_prev = M (.) dL/dA / (1 - p)

with the given mask M as a vector (after a dense layer) or as maps per channel.  Every number is
the Derivation's (the mask and 1 / (1 - p) are given)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from solgen.core.derive import Iteration as Step

from ..solution import Eq
from . import Cells, names, plane


def _grids(ex: Any, l: int, layer: Any, table: dict[tuple[int, ...], str],
           n: int) -> list[tuple[tuple[object, ...], Cells]]:
    """(subscripts, cells) of one example's map per channel, or its vector (one column or row)."""
    if len(layer.shape) == 1:
        row = [table[(j,)] for j in range(1, layer.shape[0] + 1)]
        return [(ex.sub(n), [[x] for x in row] if ex.column and not n else [row])]
    return [(ex.sub(n, c), plane(table, layer.shape, (c,))) for c in range(1, layer.shape[0] + 1)]


def _scale(ex: Any, layer: Any) -> str:
    return ex.num(1 / (1 - layer.p), True)


def _maps(ex: Any, l: int, layer: Any) -> Iterator[tuple[Any, Any, Any, Any, str]]:
    """Per example and map: its index, the input, the mask and the output grids, and the mask's symbol."""
    for n in ex.examples():
        pairs = zip(_grids(ex, l, layer, ex.input_table(l, n), n), _grids(ex, l, layer, ex.table(l, "m", n), n),
                    _grids(ex, l, layer, ex.table(l, "a", n), n))
        for (sub, src), (_, mask), (_, got) in pairs:
            yield sub, src, mask, got, f"M^{{({l})}}" + (f"_{{{','.join(map(str, sub))}}}" if sub else "")


def forward(ex: Any, l: int, layer: Any, step: Step, exact: bool) -> list[Eq]:
    out = []
    for sub, src, mask, got, m in _maps(ex, l, layer):
        prev = ex.symbol(l - 1, *sub)
        note = ex.say("tensor.dropout", f"\\frac{{1}}{{1 - p}} = {_scale(ex, layer)}", l=l) \
            if not out else ()
        out.append(Eq(ex.symbol(l, *sub), ((f"\\frac{{1}}{{1 - p}} {m} \\odot {prev}",),
                                           (f"{_scale(ex, layer)} {ex.cells(mask, step.values, True)} \\odot "
                                            f"{ex.cells(src, step.values, exact and l == 1)}",),
                                           (ex.cells(got, step.values),)),
                      "vector-forward", f"a{l}", entries=names(got), note=note))
    return out


def backward(ex: Any, l: int, layer: Any, step: Step) -> list[Eq]:
    out = []
    for sub, src, mask, got, m in _maps(ex, l, layer):
        da = f"\\frac{{\\partial L}}{{\\partial {ex.symbol(l, *sub)}}}"
        if l == len(ex.net.layers):
            out.append(Eq(da, ((ex.cells(got, step.adjoint),),), "vector-adjoint", f"a{l}", entries=names(got),
                          note=ex.top_note()))
        out.append(Eq(f"\\frac{{\\partial L}}{{\\partial {ex.symbol(l - 1, *sub)}}}",
                      ((f"\\frac{{1}}{{1 - p}} {m} \\odot {da}",),
                       (f"{_scale(ex, layer)} {ex.cells(mask, step.values, True)} \\odot "
                        f"{ex.cells(got, step.adjoint)}",), (ex.cells(src, step.adjoint),)),
                      "vector-adjoint", "x" if l == 1 else f"a{l - 1}", entries=names(src)))
    return out
