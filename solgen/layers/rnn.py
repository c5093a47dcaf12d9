"""rnn: an Elman RNN as ``torch.nn.RNN`` (one layer, one bias), unrolled over the input's steps.

z[s, j] = sum_i Wih[j, i] x[s, i] + sum_k Whh[j, k] h[s-1, k] + b[j],  h[s, j] = f(z[s, j]);
h[0] is given (zeros by default, constants); the last hidden state feeds the next layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from solgen.core.ir import Add, Call, Expr, Mul, Var, variables

from .shapes import Facts, Maps, Shape, name, show_shape, tex, want_rank

KEYS = ("units", "weights_ih", "weights_hh", "bias", "h0", "activation")


@dataclass(frozen=True)
class RNN:
    in_shape: Shape  # (steps, features)
    units: int
    weights_ih: tuple[tuple[Fraction, ...], ...] | None
    weights_hh: tuple[tuple[Fraction, ...], ...] | None
    bias: tuple[Fraction, ...] | None
    has_bias: bool
    h0: tuple[Fraction, ...]
    activation: str
    type: str = "rnn"

    @property
    def steps(self) -> int:
        return self.in_shape[0]

    @property
    def shape(self) -> Shape:
        return (self.units,)


def read(r: Any, table: dict[str, Any], place: str, previous: Shape, layout: str, arch_only: bool) -> RNN:
    from solgen.layers.shapes import nested

    r.keys(table, KEYS, place)
    want_rank(r, previous, place, 2, "rnn", "(steps, features)")
    if "units" not in table:
        raise r.fail(f"{place}.units", "missing: how many hidden units does the layer have?")
    units = r.integer(table["units"], f"{place}.units", 1)
    activation = r.choice(table.get("activation", "tanh"), f"{place}.activation", ("tanh", "relu"))
    features = previous[1]
    h0 = (Fraction(0),) * units
    if "h0" in table:
        h0 = r.numbers(table["h0"], f"{place}.h0")
        if len(h0) != units:
            raise r.fail(f"{place}.h0", f"{len(h0)} numbers, but the layer has {units} units")
    if arch_only:
        for key in ("weights_ih", "weights_hh"):
            if key in table:
                raise r.fail(f"{place}.{key}", "an architecture-only network has no weights")
        return RNN(previous, units, None, None, None, table.get("bias", True) is not False, h0, activation)
    mats = []
    for key, want in (("weights_ih", (units, features)), ("weights_hh", (units, units))):
        if key not in table:
            raise r.fail(f"{place}.{key}", f"missing: give the {show_shape(want)} matrix")
        got, values = nested(r, table[key], f"{place}.{key}", 2)
        if got != want:
            why = (f"the layer has {units} units and the input {features} features" if key == "weights_ih"
                   else f"the layer has {units} units")
            raise r.fail(f"{place}.{key}", f"shape {show_shape(got)}, but {why}, so it must be {show_shape(want)}")
        mats.append(tuple(values[i * want[1]:(i + 1) * want[1]] for i in range(want[0])))
    bias = None
    if "bias" in table and table["bias"] is not False:
        bias = r.numbers(table["bias"], f"{place}.bias")
        if len(bias) != units:
            raise r.fail(f"{place}.bias", f"{len(bias)} numbers, but the layer has {units} units")
    return RNN(previous, units, mats[0], mats[1], bias, bias is not None, h0, activation)


def build(b: Any, l: int, layer: RNN, prevs: list[Maps]) -> list[Maps]:
    from solgen.core.graph import Node

    b.stage += 1
    units, features = layer.units, layer.in_shape[1]
    for key, head, mat, cols in (("Wih", "\\mathrm{ih}", layer.weights_ih, features),
                                 ("Whh", "\\mathrm{hh}", layer.weights_hh, units)):
        for rr in range(1, units + 1):
            for c in range(1, cols + 1):
                value = mat[rr - 1][c - 1] if mat is not None else None
                b.nodes.append(Node(name(f"{key}{l}", (rr, c)), "param", f"w^{{({l})}}_{{{head},{rr},{c}}}",
                                    value=value, stage=b.stage, layer=l, role=key, index=(rr, c)))
    if layer.has_bias:
        for j in range(1, units + 1):
            value = layer.bias[j - 1] if layer.bias is not None else None
            b.nodes.append(Node(name(f"b{l}", (j,)), "param", tex("b", l, (j,)), value=value, stage=b.stage,
                                layer=l, role="b", index=(j,)))
    outs = []
    first = b.stage
    for n, prev in enumerate(prevs, 1):
        ex = n if b.batched else None
        b.stage = first
        hs = []
        for j in range(1, units + 1):
            h = name(f"h{l}", (0, j), ex)
            b.nodes.append(Node(h, "constant", tex("h", l, (0, j), ex), value=layer.h0[j - 1], stage=b.stage,
                                layer=l, role="h0", index=(0, j), example=ex or 0))
            hs.append(Var(h))
        for s in range(1, layer.steps + 1):
            b.stage += 1
            zs = []
            for j in range(1, units + 1):
                terms: list[Expr] = [Mul((Var(name(f"Wih{l}", (j, i))), prev.at((s, i))))
                                     for i in range(1, features + 1)]
                terms += [Mul((Var(name(f"Whh{l}", (j, k))), hs[k - 1])) for k in range(1, units + 1)]
                if layer.has_bias:
                    terms.append(Var(name(f"b{l}", (j,))))
                zn = name(f"z{l}", (s, j), ex)
                expr = Add(tuple(terms))
                b.nodes.append(Node(zn, "node", tex("z", l, (s, j), ex), expr, tuple(variables(expr)),
                                    stage=b.stage, layer=l, role="z", index=(s, j), example=ex or 0))
                zs.append(Var(zn))
            b.stage += 1
            hs = []
            for j, z in enumerate(zs, 1):
                hn = name(f"h{l}", (s, j), ex)
                expr = Call(layer.activation, (z,))
                b.nodes.append(Node(hn, "node", tex("h", l, (s, j), ex), expr, (z.name,), stage=b.stage,
                                    layer=l, role="h", index=(s, j), example=ex or 0))
                hs.append(Var(hn))
        outs.append(Maps(layer.shape, tuple(hs)))
    return outs


def facts(layer: RNN, in_shape: Shape) -> Facts:
    u, f, s = layer.units, layer.in_shape[1], layer.steps
    params = u * f + u * u + (u if layer.has_bias else 0)
    pf = "H F + H^2" + (" + H" if layer.has_bias else "") + f" = {u} \\cdot {f} + {u}^2" + \
        (f" + {u}" if layer.has_bias else "")
    return Facts(layer.shape, params, s * (u * f + u * u), pf, f"S (H F + H^2) = {s} ({u} \\cdot {f} + {u}^2)")
