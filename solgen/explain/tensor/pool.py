"""Max and average pooling in tensor form, per example and channel:

    P_c = maxpool(A_c)  /  avgpool(A_c)
    dL/dA_c = M_c (.) up(dL/dP_c)      (max: M_c marks each window's first maximum)
    dL/dA_c = 1/|window| up(dL/dP_c)   (average)

up(.) repeats each entry of the gradient over its window (entries in no window get 0).  When
windows overlap (stride smaller than the window), an entry sums what each of its windows sends:
then the map is given with a sentence.  Every number is the Derivation's.
"""

from __future__ import annotations

import itertools
from typing import Any

from solgen.core.derive import Iteration as Step
from solgen.layers.shapes import size

from ..matrix import bmatrix
from ..solution import Eq
from . import Cells, names, plane


def _win(layer: Any) -> str:
    k = layer.kernel
    return str(k[0]) if len(set(k)) == 1 else "\\times".join(str(v) for v in k)


def forward(ex: Any, l: int, layer: Any, step: Step, exact: bool) -> list[Eq]:
    out = []
    op = f"\\operatorname{{{layer.mode}pool}}_{{{_win(layer)}}}"
    for n in ex.examples():
        ins, at = ex.input_table(l, n), ex.table(l, "a", n)
        for c in range(1, layer.in_shape[0] + 1):
            src, got = plane(ins, layer.in_shape, (c,)), plane(at, layer.shape, (c,))
            prev = ex.symbol(l - 1, *ex.sub(n, c))
            note = ex.say(f"tensor.{layer.mode}pool", l=l) if (n, c) == (ex.examples()[0], 1) else ()
            out.append(Eq(ex.symbol(l, *ex.sub(n, c)), ((f"{op}\\left({prev}\\right)",),
                                                        (f"{op}\\left({ex.cells(src, step.values, exact and l == 1)}"
                                                         "\\right)",), (ex.cells(got, step.values),)),
                          "vector-forward", f"a{l}", entries=names(got), note=note))
    return out


def _owner(layer: Any) -> dict[tuple[int, ...], tuple[int, ...]] | None:
    """Each input index's window (output index), or None when windows overlap."""
    if layer.stride != layer.kernel:
        return None
    owner = {}
    for idx in itertools.product(*(range(1, s + 1) for s in layer.shape)):
        for w in layer.window(idx):
            owner[w] = idx
    return owner


def backward(ex: Any, l: int, layer: Any, step: Step) -> list[Eq]:
    adj, out = step.adjoint, []
    owner = _owner(layer)
    for n in ex.examples():
        ins, at = ex.input_table(l, n), ex.table(l, "a", n)
        for c in range(1, layer.in_shape[0] + 1):
            dp = f"\\frac{{\\partial L}}{{\\partial {ex.symbol(l, *ex.sub(n, c))}}}"
            got = plane(at, layer.shape, (c,))
            if l == len(ex.net.layers):
                out.append(Eq(dp, ((ex.cells(got, adj),),), "vector-adjoint", f"a{l}", entries=names(got),
                              note=ex.top_note()))
            grid = plane(ins, layer.in_shape, (c,))
            steps: list[tuple[str, ...]] = []
            if owner is not None:
                up: Cells = [[at[owner[idx]] if (idx := _index(ex, layer, cell)) in owner else None for cell in row]
                             for row in grid]
                if layer.mode == "max":
                    mask = [[_mask(step, at, owner, ex, layer, cell) for cell in row] for row in grid]
                    m = f"M_{{{','.join(map(str, ex.sub(n, c)))}}}"
                    steps += [(f"{m} \\odot \\operatorname{{up}}\\left({dp}\\right)",),
                              (f"{bmatrix(mask)} \\odot {ex.cells(up, adj)}",)]
                else:
                    share = f"\\frac{{1}}{{{size(layer.kernel)}}}"
                    steps += [(f"{share} \\operatorname{{up}}\\left({dp}\\right)",), (f"{share} {ex.cells(up, adj)}",)]
            note = ()
            if (n, c) == (ex.examples()[0], 1):
                note = ex.say(f"tensor.{layer.mode}pool_back" + ("" if owner is not None else "_overlap"), l=l)
            prev = ex.symbol(l - 1, *ex.sub(n, c))
            out.append(Eq(f"\\frac{{\\partial L}}{{\\partial {prev}}}", (*steps, (ex.cells(grid, adj),)),
                          "vector-adjoint", "x" if l == 1 else f"a{l - 1}", entries=names(grid), note=note))
    return out


def _index(ex: Any, layer: Any, cell: str) -> tuple[int, ...]:
    return ex.graph.by_name[cell].index


def _mask(step: Step, at: dict[tuple[int, ...], str], owner: dict[tuple[int, ...], tuple[int, ...]], ex: Any,
          layer: Any, cell: str) -> str:
    """1 if the entry is its window's first maximum (the Derivation's local derivative), else 0."""
    idx = _index(ex, layer, cell)
    if idx not in owner:
        return "0"
    key = (at[owner[idx]], cell)
    return ex.num(step.local[key], True) if key in step.local else "0"
