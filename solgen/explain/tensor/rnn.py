"""rnn in tensor form: each step's vectors, then backpropagation through time (per example n):

    z_s = W_ih x_s + W_hh h_{s-1} + b,   h_s = f(z_s)                      (s = 1..S)
    delta_s = dL/dh_s (.) f'(z_s),   dL/dh_{s-1} = W_hh^T delta_s,   dL/dx_s = W_ih^T delta_s
    dL/dW_ih = sum_{n,s} delta_s x_s^T,   dL/dW_hh = sum_{n,s} delta_s h_{s-1}^T,   dL/db = sum_{n,s} delta_s

Column vectors; every number is the Derivation's.
"""

from __future__ import annotations

from typing import Any

from solgen.core.derive import Iteration as Step

from ..matrix import bmatrix
from ..solution import Eq
from . import Cells, names


def symbol(ex: Any, l: int, subs: tuple[object, ...], bold: bool) -> str:
    """The layer's output, its last hidden state."""
    steps = ex.net.layers[l - 1].steps
    return f"\\mathbf{{h}}^{{({l})}}_{{{','.join(str(s) for s in (*subs, steps))}}}"


def output_table(ex: Any, l: int, n: int) -> dict[tuple[int, ...], str]:
    steps = ex.net.layers[l - 1].steps
    return {(j,): name for (s, j), name in ex.table(l, "h", n).items() if s == steps}


def outputs(ex: Any, l: int, layer: Any) -> list[str]:
    return [n.name for n in ex.parts[(l, "h")] if n.index[0] == layer.steps]


def _col(table: dict[tuple[int, ...], str], s: int, size: int) -> Cells:
    return [[table[(s, j)]] for j in range(1, size + 1)]


def _weights(ex: Any, l: int, role: str) -> Cells:
    table = ex.table(l, role, 0)
    rows = max(r for r, _ in table)
    cols = max(c for _, c in table)
    return [[table[(r, c)] for c in range(1, cols + 1)] for r in range(1, rows + 1)]


def _h(ex: Any, l: int, n: int) -> dict[tuple[int, ...], str]:
    return {**ex.table(l, "h0", n), **ex.table(l, "h", n)}


def _s(l: int, head: str, *subs: object) -> str:
    return f"\\mathbf{{{head}}}^{{({l})}}_{{{','.join(str(s) for s in subs)}}}"


def forward(ex: Any, l: int, layer: Any, step: Step, exact: bool) -> list[Eq]:
    v, out = step.values, []
    wih, whh = ex.cells(_weights(ex, l, "Wih"), v, exact), ex.cells(_weights(ex, l, "Whh"), v, exact)
    features = layer.in_shape[1]
    for n in ex.examples():
        ins, h, z = ex.input_table(l, n), _h(ex, l, n), ex.table(l, "z", n)
        for s in range(1, layer.steps + 1):
            x = _col(ins, s, features)
            sym = [f"W^{{({l})}}_{{\\mathrm{{ih}}}} {_s(0, 'x', *ex.sub(n, s)).replace('^{(0)}', '')}",
                   f"+ W^{{({l})}}_{{\\mathrm{{hh}}}} {_s(l, 'h', *ex.sub(n, s - 1))}"]
            before = ex.cells(_col(h, s - 1, layer.units), v, exact and s == 1)
            num = [f"{wih} {ex.cells(x, v, exact and l == 1)}", f"+ {whh} {before}"]
            if layer.has_bias:
                sym.append(f"+ \\mathbf{{b}}^{{({l})}}")
                num.append(f"+ {ex.cells([[b] for b in ex.table(l, 'b', 0).values()], v, exact)}")
            zc, hc = _col(z, s, layer.units), _col(h, s, layer.units)
            note = ex.say("tensor.rnn", l=l, steps=layer.steps) if not out else ()
            out.append(Eq(_s(l, "z", *ex.sub(n, s)), (tuple(sym), tuple(num), (ex.cells(zc, v),)), "vector-forward",
                          f"z{l}", entries=names(zc), note=note))
            fz = f"{ex.fn(layer.activation)}\\left({_s(l, 'z', *ex.sub(n, s))}\\right)"
            out.append(Eq(_s(l, "h", *ex.sub(n, s)), ((fz,), (ex.cells(hc, v),)), "vector-forward", f"h{l}",
                          entries=names(hc)))
    return out


def backward(ex: Any, l: int, layer: Any, step: Step) -> list[Eq]:
    v, g, local, out = step.values, step.adjoint, step.local, []
    whh = ex.cells(_weights(ex, l, "Whh"), v)
    wih = ex.cells(_weights(ex, l, "Wih"), v)
    grads: dict[str, tuple[list[str], list[str]]] = {"Wih": ([], []), "Whh": ([], []), "b": ([], [])}
    for n in ex.examples():
        ins, h, z = ex.input_table(l, n), _h(ex, l, n), ex.table(l, "z", n)
        for s in range(layer.steps, 0, -1):
            hs, zs = _col(h, s, layer.units), _col(z, s, layer.units)
            dh = f"\\frac{{\\partial L}}{{\\partial {_s(l, 'h', *ex.sub(n, s))}}}"
            delta = f"\\boldsymbol{{\\delta}}^{{({l})}}_{{{','.join(map(str, ex.sub(n, s)))}}}"
            if s == layer.steps and l == len(ex.net.layers):
                out.append(Eq(dh, ((ex.cells(hs, g),),), "vector-adjoint", f"h{l}", entries=names(hs),
                              note=ex.top_note()))
            if s < layer.steps:
                after = f"\\boldsymbol{{\\delta}}^{{({l})}}_{{{','.join(map(str, ex.sub(n, s + 1)))}}}"
                out.append(Eq(dh, ((f"{{W^{{({l})}}_{{\\mathrm{{hh}}}}}}^{{\\top}} {after}",),
                                   (f"{whh}^{{\\top}} {ex.cells(_col(z, s + 1, layer.units), g)}",),
                                   (ex.cells(hs, g),)),
                              "vector-adjoint", f"h{l}", entries=names(hs)))
            fp = bmatrix([[ex.num(local[(hn[0], zn[0])])] for hn, zn in zip(hs, zs)])
            note = ex.say("tensor.rnn_back", l=l) if s == layer.steps and n == ex.examples()[0] else ()
            fpz = f"{ex.prime(layer.activation)}\\left({_s(l, 'z', *ex.sub(n, s))}\\right)"
            out.append(Eq(delta, ((f"{dh} \\odot {fpz}",),
                                  (f"{ex.cells(hs, g)} \\odot {fp}",), (ex.cells(zs, g),)), "vector-adjoint", f"z{l}",
                          entries=names(zs), note=note))
            dz = ex.cells(zs, g)
            if l == 1:
                xs = _col(ins, s, layer.in_shape[1])
                out.append(Eq(f"\\frac{{\\partial L}}{{\\partial {_s(0, 'x', *ex.sub(n, s)).replace('^{(0)}', '')}}}",
                              ((f"{{W^{{({l})}}_{{\\mathrm{{ih}}}}}}^{{\\top}} {delta}",), (f"{wih}^{{\\top}} {dz}",),
                               (ex.cells(xs, g),)), "vector-adjoint", "x", entries=names(xs)))
            plus = "+ " if grads["b"][0] else ""
            x_s = _s(0, 'x', *ex.sub(n, s)).replace('^{(0)}', '')
            for key, sym, num in (("Wih", f"{delta} {{{x_s}}}^{{\\top}}",
                                   f"{dz} {ex.cells(_col(ins, s, layer.in_shape[1]), v)}^{{\\top}}"),
                                  ("Whh", f"{delta} {{{_s(l, 'h', *ex.sub(n, s - 1))}}}^{{\\top}}",
                                   f"{dz} {ex.cells(_col(h, s - 1, layer.units), v)}^{{\\top}}"),
                                  ("b", delta, dz)):
                grads[key][0].append(plus + sym)
                grads[key][1].append(plus + num)
    for key, head in (("Wih", f"W^{{({l})}}_{{\\mathrm{{ih}}}}"), ("Whh", f"W^{{({l})}}_{{\\mathrm{{hh}}}}"),
                      ("b", f"\\mathbf{{b}}^{{({l})}}")):
        if key == "b" and not layer.has_bias:
            continue
        grid = _weights(ex, l, key) if key != "b" else [[b] for b in ex.table(l, "b", 0).values()]
        note = ex.say("tensor.rnn_sum", l=l) if key == "Wih" else ()
        sym, num = list(grads[key][0]), list(grads[key][1])
        if key != "b":
            note = ex.penalized(head, grid, sym, num, note, step.local)
        grads[key] = (sym, num)
        out.append(Eq(f"\\frac{{\\partial L}}{{\\partial {head}}}", (tuple(grads[key][0]), tuple(grads[key][1]),
                                                                    (ex.cells(grid, g),)),
                      "vector-adjoint", f"{key}{l}", entries=names(grid), boxed=True, note=note))
    return out
