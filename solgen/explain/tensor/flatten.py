"""flatten in tensor form: a = vec(A) (channel first, then row by row); the gradient is the vector's
gradient put back in the maps' shape.  Every number is the Derivation's."""

from __future__ import annotations

from typing import Any

from solgen.core.derive import Iteration as Step

from ..solution import Eq
from . import names, plane


def forward(ex: Any, l: int, layer: Any, step: Step, exact: bool) -> list[Eq]:
    ins = [ex.input_table(l, n) for n in ex.examples()]
    maps = []
    for table in ins:
        parts = [ex.cells(plane(table, layer.in_shape, (c,)), step.values, exact and l == 1)
                 for c in range(1, layer.in_shape[0] + 1)] if len(layer.in_shape) > 1 else \
            [ex.cells([[table[i] for i in sorted(table)]], step.values, exact and l == 1)]
        maps.append(f"\\operatorname{{vec}}\\left({', '.join(parts)}\\right)")
    grid = ex.vec(ex.units(l, "a"))
    batch = len(maps) > 1  # one row per example: the maps were just shown, example by example
    note = ex.say("tensor.flatten_batch" if batch else "tensor.flatten", l=l)
    steps = ((f"\\operatorname{{vec}}\\left({ex.symbol(l - 1)}\\right)",), *(() if batch else (tuple(maps),)),
             (ex.shown(grid, step.values),))
    return [Eq(ex.symbol(l), steps, "vector-forward", f"a{l}", entries=ex.entries(grid), note=note)]


def backward(ex: Any, l: int, layer: Any, step: Step) -> list[Eq]:
    out = []
    for n in ex.examples():
        table = ex.input_table(l, n)
        channels = range(1, layer.in_shape[0] + 1) if len(layer.in_shape) > 1 else [0]
        for c in channels:
            grid = plane(table, layer.in_shape, (c,)) if c else [[table[i] for i in sorted(table)]]
            prev = ex.symbol(l - 1, *ex.sub(n, *((c,) if c else ())))
            note = ex.say("tensor.unflatten", l=l) if c <= 1 and n == ex.examples()[0] else ()
            out.append(Eq(f"\\frac{{\\partial L}}{{\\partial {prev}}}", ((ex.cells(grid, step.adjoint),),),
                          "vector-adjoint", "x" if l == 1 else f"a{l - 1}", entries=names(grid), note=note))
    return out
