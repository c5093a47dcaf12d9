"""What tensor form updates as one matrix: each kernel (per output and input channel), weight
matrix or vector of a layer (the update equations are the matrix form's)."""

from __future__ import annotations

from typing import Any

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
