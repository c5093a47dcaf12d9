"""batchnorm in training mode, as ``torch.nn.functional.batch_norm(training=True)``.

Per feature after a dense layer, per channel after a conv layer: mu = the batch mean,
var = the biased batch variance, xhat = (x - mu) / sqrt(var + eps), a = gamma xhat + beta.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from solgen.core.ir import Add, Call, Div, Expr, Mul, Neg, Num, Pow, Var, variables

from .shapes import Facts, Maps, Shape, indices, name, show_shape, tex

KEYS = ("gamma", "beta", "eps")


@dataclass(frozen=True)
class BatchNorm:
    in_shape: Shape
    gamma: tuple[Fraction, ...] | None
    beta: tuple[Fraction, ...] | None
    eps: Fraction
    type: str = "batchnorm"

    @property
    def shape(self) -> Shape:
        return self.in_shape

    @property
    def features(self) -> int:
        return self.in_shape[0]


def read(r: Any, table: dict[str, Any], place: str, previous: Shape, layout: str, arch_only: bool) -> BatchNorm:
    r.keys(table, KEYS, place)
    c = previous[0]
    eps = r.number(table.get("eps", Fraction(1, 100000)), f"{place}.eps")
    if eps <= 0:
        raise r.fail(f"{place}.eps", f"must be positive, got {float(eps):g}")
    if arch_only:
        return BatchNorm(previous, None, None, eps)
    examples = getattr(r, "batch_size", None)
    if not examples or examples < 2:
        raise r.fail(place, "batchnorm needs a batch of 2 or more examples (training mode uses the "
                     "batch mean and variance): give inputs as a list of examples")
    what = "feature" if len(previous) == 1 else "channel"
    values = []
    for key, default in (("gamma", 1), ("beta", 0)):
        raw = table.get(key, [default] * c)
        v = r.numbers(raw if isinstance(raw, list) else [raw], f"{place}.{key}")
        if len(v) != c:
            raise r.fail(f"{place}.{key}", f"{len(v)} numbers, but the input (shape {show_shape(previous)}) "
                         f"has {c} {what}{'s' if c != 1 else ''}: one per {what}")
        values.append(v)
    return BatchNorm(previous, values[0], values[1], eps)


def build(b: Any, l: int, layer: BatchNorm, prevs: list[Maps]) -> list[Maps]:
    from solgen.core.graph import Node

    b.stage += 1
    c_count = layer.features
    for role, head, values in (("gamma", "\\gamma", layer.gamma), ("beta", "\\beta", layer.beta)):
        for c in range(1, c_count + 1):
            v = values[c - 1] if values is not None else None
            b.nodes.append(Node(name(f"{role}{l}", (c,)), "param", tex(head, l, (c,)), value=v, stage=b.stage,
                                layer=l, role=role, index=(c,)))
    entries = list(indices(layer.shape))
    by_channel: dict[int, list[Var]] = {c: [] for c in range(1, c_count + 1)}
    for prev in prevs:
        for k, idx in enumerate(entries):
            by_channel[idx[0]].append(prev.vars[k])
    b.stage += 1
    for c, xs in by_channel.items():
        m = Num(Fraction(1, len(xs)), frac=True)
        mean: Expr = Mul((m, Add(tuple(xs)))) if len(xs) > 1 else xs[0]
        _node(b, l, name(f"mu{l}", (c,)), tex("\\mu", l, (c,)), mean, "mu", (c,))
    b.stage += 1
    for c, xs in by_channel.items():
        mu = Var(name(f"mu{l}", (c,)))
        squares = tuple(Pow(Add((x, Neg(mu))), Num(Fraction(2))) for x in xs)
        var: Expr = Mul((Num(Fraction(1, len(xs)), frac=True), Add(squares)))
        _node(b, l, name(f"var{l}", (c,)), tex("\\sigma^{2}", None, (c,)).replace("^{2}", f"^{{2\\,({l})}}"),
              var, "var", (c,))
    outs: list[Maps] = []
    b.stage += 1
    for n, prev in enumerate(prevs, 1):
        ex = n if b.batched else None
        for k, idx in enumerate(entries):
            mu, var = Var(name(f"mu{l}", idx[:1])), Var(name(f"var{l}", idx[:1]))
            xhat = Div(Add((prev.vars[k], Neg(mu))), Call("sqrt", (Add((var, Num(layer.eps))),)))
            _node(b, l, name(f"xhat{l}", idx, ex), tex("\\hat{x}", l, idx, ex), xhat, "xhat", idx, ex)
    b.stage += 1
    for n in range(1, len(prevs) + 1):
        ex = n if b.batched else None
        out = []
        for idx in entries:
            c = idx[0]
            expr = Add((Mul((Var(name(f"gamma{l}", (c,))), Var(name(f"xhat{l}", idx, ex)))),
                        Var(name(f"beta{l}", (c,)))))
            an = name(f"a{l}", idx, ex)
            _node(b, l, an, tex("a", l, idx, ex), expr, "a", idx, ex)
            out.append(Var(an))
        outs.append(Maps(layer.shape, tuple(out)))
    return outs


def _node(b: Any, l: int, node: str, latex: str, expr: Expr, role: str, idx: tuple[int, ...],
          ex: int | None = None) -> None:
    from solgen.core.graph import Node

    b.nodes.append(Node(node, "node", latex, expr, tuple(variables(expr)), stage=b.stage, layer=l,
                        role=role, index=idx, example=ex or 0))


def facts(layer: BatchNorm, in_shape: Shape) -> Facts:
    c = layer.features
    return Facts(layer.shape, 2 * c, 0, f"2C = 2 \\cdot {c}", "0")
