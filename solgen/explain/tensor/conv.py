"""conv1d / conv2d in tensor form, per example n, output channel o and input channel c:

    Z_o = sum_c X~_c (*)_s W_{o,c} + b_o            (X~: the input with P rings of zeros)
    Delta_o = dL/dA_o (.) f'(Z_o)
    dL/dW_{o,c} = sum_n X~_c (*) Delta^_o           (Delta^: s - 1 zeros between entries)
    dL/db_o = sum_n 1^T Delta_o 1
    dL/dX_c = crop_P( sum_o pad_{k-1}(Delta^_o) (*) rot180(W_{o,c}) )   (a full convolution)

(*) is cross-correlation.  A 1-D map is one row.  The matrices hold the Derivation's values.
"""

from __future__ import annotations

from typing import Any

from solgen.core.derive import Iteration as Step

from ..matrix import signed_term
from ..solution import Eq, Rich
from . import Cells, names, plane


def _two(layer: Any) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int], tuple[int, int], tuple[int, int]]:
    """(H, W), (Ho, Wo), kernel, stride, padding: a 1-D layer as height 1."""
    def pair(t: tuple[int, ...], one: int) -> tuple[int, int]:
        return (t[0], t[1]) if len(t) == 2 else (one, t[0])
    return (pair(layer.in_shape[1:], 1), pair(layer.shape[1:], 1), pair(layer.kernel, 1),
            pair(layer.stride, 1), pair(layer.padding, 0))


def _at(layer: Any, lead: int, r: int, q: int) -> tuple[int, ...]:
    return (lead, r, q) if layer.dims == 2 else (lead, q)


def padded(layer: Any, table: dict[tuple[int, ...], str], c: int, rows: int | None = None,
           cols: int | None = None) -> Cells:
    """Channel c of the input with its zero padding, cut to ``rows`` x ``cols`` (default: all)."""
    (h, w), _, _, _, (ph, pw) = _two(layer)
    rows, cols = rows or h + 2 * ph, cols or w + 2 * pw
    return [[table[_at(layer, c, r, q)] if 1 <= r <= h and 1 <= q <= w else None
             for q in range(1 - pw, 1 - pw + cols)] for r in range(1 - ph, 1 - ph + rows)]


def used(layer: Any) -> tuple[int, int]:
    """How much of the padded input the kernel reaches: (Ho - 1) s + k per dimension."""
    _, (ho, wo), (kh, kw), (sh, sw), _ = _two(layer)
    return (ho - 1) * sh + kh, (wo - 1) * sw + kw


def dilated(layer: Any, table: dict[tuple[int, ...], str], o: int, ring: bool = False) -> Cells:
    """Delta_o with s - 1 zeros between its entries; ``ring``: with k - 1 zeros around it too."""
    _, (ho, wo), (kh, kw), (sh, sw), _ = _two(layer)
    eh, ew = (kh - 1, kw - 1) if ring else (0, 0)
    out: Cells = []
    for i in range(-eh, (ho - 1) * sh + 1 + eh):
        out.append([table[_at(layer, o, i // sh + 1, j // sw + 1)]
                    if 0 <= i <= (ho - 1) * sh and 0 <= j <= (wo - 1) * sw and i % sh == 0 and j % sw == 0
                    else None for j in range(-ew, (wo - 1) * sw + 1 + ew)])
    return out


def kernel(layer: Any, table: dict[tuple[int, ...], str], o: int, c: int, flip: bool = False) -> Cells:
    _, _, (kh, kw), _, _ = _two(layer)
    order = (lambda k, n: n + 1 - k) if flip else (lambda k, n: k)
    idx = (lambda i, j: (o, c, i, j)) if layer.dims == 2 else (lambda i, j: (o, c, j))
    return [[table[idx(order(i, kh), order(j, kw))] for j in range(1, kw + 1)] for i in range(1, kh + 1)]


def _k(values: tuple[int, ...]) -> str:
    return str(values[0]) if len(set(values)) == 1 else ",".join(str(v) for v in values)


def _star(layer: Any) -> str:
    return "\\star" if set(layer.stride) == {1} else f"\\star_{{{_k(layer.stride)}}}"


def forward(ex: Any, l: int, layer: Any, step: Step, exact: bool) -> list[Eq]:
    values, out = step.values, []
    x_name = "\\tilde{X}" if l == 1 else f"\\tilde{{A}}^{{({l - 1})}}"
    if not any(layer.padding):
        x_name = x_name.replace("\\tilde{X}", "X").replace("\\tilde{A}", "A")
    first = True
    for n in ex.examples():
        ins, zt, at = ex.input_table(l, n), ex.table(l, "z", n), ex.table(l, "a", n)
        for o in range(1, layer.out_channels + 1):
            sym, num = [], []
            for c in range(1, layer.in_shape[0] + 1):
                plus = "+ " if c > 1 else ""
                wt = ex.table(l, "W", 0)
                xc = f"{x_name}_{{{','.join(map(str, ex.sub(n, c)))}}}"
                sym.append(f"{plus}{xc} {_star(layer)} W^{{({l})}}_{{{o},{c}}}")
                num.append(f"{plus}{ex.cells(padded(layer, ins, c), values, exact and l == 1)} {_star(layer)} "
                           f"{ex.cells(kernel(layer, wt, o, c), values, exact)}")
            if layer.has_bias:
                b = ex.table(l, "b", 0)[(o,)]
                sym.append(f"+ b^{{({l})}}_{{{o}}}")
                num.append(signed_term(ex.num(values[b], exact)).lstrip())
            zc = plane(zt, layer.shape, (o,))
            note = _forward_note(ex, l, layer) if first else ()
            first = False
            out.append(Eq(f"Z^{{({l})}}_{{{','.join(map(str, ex.sub(n, o)))}}}", (tuple(sym), tuple(num),
                                                                                  (ex.cells(zc, values),)),
                          "vector-forward", f"z{l}", entries=names(zc), note=note))
            ac = plane(at, layer.shape, (o,))
            zsym = f"Z^{{({l})}}_{{{','.join(map(str, ex.sub(n, o)))}}}"
            asym = zsym if layer.activation in ("linear", "identity") else \
                f"{ex.fn(layer.activation)}\\left({zsym}\\right)"
            out.append(Eq(ex.symbol(l, *ex.sub(n, o)), ((asym,), (ex.cells(ac, values),)), "vector-forward",
                          f"a{l}", entries=names(ac)))
    return out


def _forward_note(ex: Any, l: int, layer: Any) -> Rich:
    return ex.say("tensor.conv_forward", _star(layer), l=l, stride=_k(layer.stride), padding=_k(layer.padding))


def backward(ex: Any, l: int, layer: Any, step: Step) -> list[Eq]:
    adj, values = step.adjoint, step.values
    out: list[Eq] = []
    for n in ex.examples():
        out += _deltas(ex, l, layer, step, n)
    wt = ex.table(l, "W", 0)
    hd, wd = used(layer)
    for o in range(1, layer.out_channels + 1):
        for c in range(1, layer.in_shape[0] + 1):
            sym, num = [], []
            for k, n in enumerate(ex.examples()):
                plus = "+ " if k else ""
                xs = "\\tilde{X}" if l == 1 else f"\\tilde{{A}}^{{({l - 1})}}"
                sym.append(f"{plus}{xs}_{{{','.join(map(str, ex.sub(n, c)))}}} \\star "
                           f"\\hat{{\\Delta}}^{{({l})}}_{{{','.join(map(str, ex.sub(n, o)))}}}")
                num.append(f"{plus}{ex.cells(padded(layer, ex.input_table(l, n), c, hd, wd), values)} \\star "
                           f"{ex.cells(dilated(layer, ex.table(l, 'z', n), o), adj)}")
            grid = kernel(layer, wt, o, c)
            gaps = _k(tuple(k - 1 for k in layer.stride))
            note = ex.say("tensor.conv_weights", f"s - 1 = {gaps}", l=l) if o == c == 1 else ()
            note = ex.penalized(f"W^{{({l})}}_{{{o},{c}}}", grid, sym, num, note, step.local)
            out.append(Eq(f"\\frac{{\\partial L}}{{\\partial W^{{({l})}}_{{{o},{c}}}}}",
                          (tuple(sym), tuple(num), (ex.cells(grid, adj),)), "vector-adjoint", f"W{l}",
                          entries=names(grid), boxed=True, note=note))
        if layer.has_bias:
            b = ex.table(l, "b", 0)[(o,)]
            sym, num = [], []
            for k, n in enumerate(ex.examples()):
                plus = "+ " if k else ""
                sym.append(f"{plus}\\mathbf{{1}}^{{\\top}} \\Delta^{{({l})}}_{{{','.join(map(str, ex.sub(n, o)))}}} "
                           "\\mathbf{1}")
                dz = ex.cells(plane(ex.table(l, 'z', n), layer.shape, (o,)), adj)
                num.append(f"{plus}\\mathbf{{1}}^{{\\top}} {dz} \\mathbf{{1}}")
            out.append(Eq(f"\\frac{{\\partial L}}{{\\partial b^{{({l})}}_{{{o}}}}}", (tuple(sym), tuple(num),
                                                                                     (ex.num(adj[b]),)),
                          "vector-adjoint", b, boxed=True))
    for n in ex.examples():
        out += _input_gradient(ex, l, layer, step, n)
    return out


def _deltas(ex: Any, l: int, layer: Any, step: Step, n: int) -> list[Eq]:
    adj, local, out = step.adjoint, step.local, []
    zt, at = ex.table(l, "z", n), ex.table(l, "a", n)
    for o in range(1, layer.out_channels + 1):
        sub = ",".join(map(str, ex.sub(n, o)))
        zc, ac = plane(zt, layer.shape, (o,)), plane(at, layer.shape, (o,))
        da = f"\\frac{{\\partial L}}{{\\partial {ex.symbol(l, *ex.sub(n, o))}}}"
        if l == len(ex.net.layers):
            out.append(Eq(da, ((ex.cells(ac, adj),),), "vector-adjoint", f"a{l}", entries=names(ac),
                          note=ex.top_note()))
        delta = f"\\Delta^{{({l})}}_{{{sub}}}"
        if layer.activation in ("linear", "identity"):
            steps: tuple[tuple[str, ...], ...] = ((da,), (ex.cells(zc, adj),))
        else:
            fp = [[ex.num(local[(a, z)]) for a, z in zip(ra, rz)] for ra, rz in zip(ac, zc)]
            from ..matrix import bmatrix

            steps = ((f"{da} \\odot {ex.prime(layer.activation)}\\left(Z^{{({l})}}_{{{sub}}}\\right)",),
                     (f"{ex.cells(ac, adj)} \\odot {bmatrix(fp)}",), (ex.cells(zc, adj),))
        out.append(Eq(delta, steps, "vector-adjoint", f"z{l}", entries=names(zc)))
    return out


def _input_gradient(ex: Any, l: int, layer: Any, step: Step, n: int) -> list[Eq]:
    adj, values, out = step.adjoint, step.values, []
    ins, wt = ex.input_table(l, n), ex.table(l, "W", 0)
    (h, w), _, _, _, (ph, pw) = _two(layer)
    hd, wd = used(layer)
    crop = any(layer.padding) or hd < h + 2 * ph or wd < w + 2 * pw
    for c in range(1, layer.in_shape[0] + 1):
        sym, num = [], []
        for o in range(1, layer.out_channels + 1):
            plus = "+ " if o > 1 else ""
            sub = ",".join(map(str, ex.sub(n, o)))
            sym.append(f"{plus}\\operatorname{{pad}}\\left(\\hat{{\\Delta}}^{{({l})}}_{{{sub}}}\\right) \\star "
                       f"\\operatorname{{rot}}_{{180}}\\left(W^{{({l})}}_{{{o},{c}}}\\right)")
            num.append(f"{plus}{ex.cells(dilated(layer, ex.table(l, 'z', n), o, ring=True), adj)} \\star "
                       f"{ex.cells(kernel(layer, wt, o, c, flip=True), values)}")
        if crop:
            sym = ["\\operatorname{crop}\\Big(", *sym, "\\Big)"]
            num = ["\\operatorname{crop}\\Big(", *num, "\\Big)"]
        grid = plane(ins, layer.in_shape, (c,))
        prev = ex.symbol(l - 1, *ex.sub(n, c))
        ring = f"k - 1 = {_k(tuple(k - 1 for k in layer.kernel))}"
        note = ex.say("tensor.conv_input", ring, "180^{\\circ}", l=l) if c == 1 and n == ex.examples()[0] else ()
        out.append(Eq(f"\\frac{{\\partial L}}{{\\partial {prev}}}", (tuple(sym), tuple(num), (ex.cells(grid, adj),)),
                      "vector-adjoint", "x" if l == 1 else f"a{l - 1}", entries=names(grid), note=note))
    return out
