"""Gradient-descent updates in tensor form: each parameter matrix, kernel or vector of a layer,
old - eta gradient = new (values from the Derivation)."""

from __future__ import annotations

from typing import Any

from solgen.core.derive import Iteration as Step

from ..base import ETA
from ..solution import Eq

HEADS = {"W": "W^{{({l})}}", "b": "\\mathbf{{b}}^{{({l})}}", "gamma": "\\boldsymbol{{\\gamma}}^{{({l})}}",
         "beta": "\\boldsymbol{{\\beta}}^{{({l})}}", "Wih": "W^{{({l})}}_{{\\mathrm{{ih}}}}",
         "Whh": "W^{{({l})}}_{{\\mathrm{{hh}}}}"}


def groups(ex: Any, l: int) -> list[tuple[str, list[list[str]]]]:
    """A layer's parameters as (symbol, grid of names): a kernel per (o, c), a matrix, a vector."""
    by_role: dict[str, list[Any]] = {}
    for p in ex.graph.params:
        if p.layer == l:
            by_role.setdefault(p.role, []).append(p)
    out = []
    for role, nodes in by_role.items():
        head = HEADS.get(role, role).format(l=l)
        rank = len(nodes[0].index)
        if rank >= 3:  # a conv kernel: one matrix per (out, in) channel, rows and columns its last indices
            planes: dict[tuple[int, ...], dict[int, list[str]]] = {}
            for p in nodes:
                lead, row = p.index[:2], p.index[2] if rank == 4 else 1
                planes.setdefault(lead, {}).setdefault(row, []).append(p.name)
            for (o, c), rows in planes.items():
                out.append((f"{head}_{{{o},{c}}}", list(rows.values())))
        elif rank == 2:
            rows: dict[int, list[str]] = {}
            for p in nodes:
                rows.setdefault(p.index[0], []).append(p.name)
            out.append((head.replace("\\mathbf", ""), list(rows.values())))
        elif rank == 1:
            column = ex.column and not ex.graph.examples and role == "b"
            out.append((head, [[p.name] for p in nodes] if column else [[p.name for p in nodes]]))
        else:
            out.append((head.replace("\\mathbf{b}", "b"), [[nodes[0].name]]))
    return out


def tensor_updates(ex: Any, step: Step) -> tuple[Eq, ...]:
    lr = ex.der.learning_rate
    out = []
    exact = step.index == 0
    for l in range(1, len(ex.net.layers) + 1):
        for sym, grid in groups(ex, l):
            names = tuple(n for row in grid for n in row)
            live = [n for n in names if n not in ex.graph.frozen]
            if not live:
                continue
            new = {n: step.updated.get(n, step.values[n]) for n in names}
            scalar = len(names) == 1
            old = ex.num(step.values[names[0]], exact) if scalar else ex.shown(grid, step.values, exact)
            grad = f"\\left({ex.num(step.adjoint[names[0]])}\\right)" if scalar else ex.shown(grid, step.adjoint)
            value = ex.num(new[names[0]]) if scalar else ex.shown(grid, new)
            d = f"\\frac{{\\partial L}}{{\\partial {sym}}}"
            note = ex.say("matrix.frozen") if len(live) < len(names) else ()
            out.append(Eq(sym, ((f"{sym} - {ETA} {d}",), (f"{old} - {ex.num(lr, True)} {grad}",), (value,)),
                          "vector-update", sym, rel="\\leftarrow", entries=names, boxed=True, note=note))
    return tuple(out)
