"""batchnorm in tensor form (training mode).  After a dense layer X holds one example per row and
one feature per column, and mu, sigma^2, gamma, beta are row vectors (the sums run over the rows);
after a conv layer each channel c is its own block: X_c holds example n's map entries in row n, and
its mu, sigma^2 are numbers (the sums run over every entry of the block, m = N x positions):

    mu = 1/m sum X,  sigma^2 = 1/m sum (X - mu)^2,  Xhat = (X - mu) / sqrt(sigma^2 + eps),  A = gamma Xhat + beta
    dL/dgamma = sum dL/dA (.) Xhat,  dL/dbeta = sum dL/dA,  dL/dXhat = dL/dA (.) gamma
    dL/dsigma^2 = -1/2 sum dL/dXhat (.) (X - mu) (sigma^2 + eps)^(-3/2)
    dL/dmu = -sum dL/dXhat / sqrt(sigma^2 + eps)          (the sigma^2 term is 0: sum (X - mu) = 0)
    dL/dX = dL/dXhat / sqrt(sigma^2 + eps) + 2/m (X - mu) dL/dsigma^2 + 1/m dL/dmu

Every matrix holds the Derivation's values (of x, mu, var, xhat, a and their gradients).
"""

from __future__ import annotations

from typing import Any

from solgen.core.derive import Iteration as Step
from solgen.layers.shapes import indices

from ..matrix import signed_term
from ..solution import Eq
from . import Cells, names


def _blocks(ex: Any, l: int, layer: Any) -> list[tuple[str, list[tuple[int, ...]], list[tuple[int, ...]]]]:
    """(subscript, the entries' indices as columns, the per-column parameter index) of each block."""
    if len(layer.in_shape) == 1:
        cols = [(j,) for j in range(1, layer.in_shape[0] + 1)]
        return [("", cols, cols)]
    out = []
    for c in range(1, layer.in_shape[0] + 1):
        cols = [(c,) + pos for pos in indices(layer.in_shape[1:])]
        out.append((f"_{{{c}}}", cols, [(c,)] * len(cols)))
    return out


def _rows(ex: Any, table_of: Any, cols: list[tuple[int, ...]]) -> Cells:
    return [[table_of(n)[i] for i in cols] for n in ex.examples()]


def _vec(ex: Any, l: int, role: str, params: list[tuple[int, ...]], values: Any, exact: bool = False) -> str:
    """A per-column quantity: a row vector, or one number when the block shares it."""
    table = ex.table(l, role, 0)
    cells = [table[p] for p in dict.fromkeys(params)]
    return ex.num(values[cells[0]], exact) if len(cells) == 1 and len(params) > 1 else ex.cells([cells], values, exact)


class _Block:
    def __init__(self, ex: Any, l: int, layer: Any, sub: str, cols: list[tuple[int, ...]],
                 params: list[tuple[int, ...]]) -> None:
        self.ex, self.l, self.sub, self.cols, self.params = ex, l, sub, cols, params
        self.x = _rows(ex, lambda n: ex.input_table(l, n), cols)
        self.xhat = _rows(ex, lambda n: ex.table(l, "xhat", n), cols)
        self.a = _rows(ex, lambda n: ex.table(l, "a", n), cols)
        self.m = len(ex.examples()) * len(dict.fromkeys(c for c, p in zip(cols, params) if p == params[0]))
        self.sums = "\\sum_{n}" if len(set(params)) > 1 or len(params) == 1 else "\\sum_{n,p}"

    def one(self, role: str, values: Any, exact: bool = False) -> str:
        return _vec(self.ex, self.l, role, self.params, values, exact)

    def names(self, role: str) -> tuple[str, ...]:
        table = self.ex.table(self.l, role, 0)
        return tuple(table[p] for p in dict.fromkeys(self.params))

    def input(self) -> str:
        """The layer's input (the previous layer's output), this block's channel as subscript."""
        return self.ex.symbol(self.l - 1, *((self.params[0][0],) if self.sub else ()))

    def s(self, head: str) -> str:
        if head.endswith("^{2}"):  # sigma^{2 (l)}: one superscript
            return f"{head[:-1]}\\,({self.l})}}{self.sub}"
        return f"{head}^{{({self.l})}}{self.sub}"


def forward(ex: Any, l: int, layer: Any, step: Step, exact: bool) -> list[Eq]:
    v, out = step.values, []
    eps = ex.num(layer.eps, True)
    for sub, cols, params in _blocks(ex, l, layer):
        b = _Block(ex, l, layer, sub, cols, params)
        x, mu, var = b.input(), b.s("\\mu"), b.s("\\sigma^{2}")
        xs, ms, vs = ex.cells(b.x, v, exact and l == 1), b.one("mu", v), b.one("var", v)
        centered = f"\\left({xs} - {ms}\\right)"
        note = ex.say("tensor.batchnorm", l=l) if not out else ()
        out += [Eq(mu, ((f"\\frac{{1}}{{{b.m}}} {b.sums} {x}",), (f"\\frac{{1}}{{{b.m}}} {b.sums} {xs}",), (ms,)),
                   "vector-forward", "", entries=b.names("mu"), note=note),
                Eq(var, ((f"\\frac{{1}}{{{b.m}}} {b.sums} \\left({x} - {mu}\\right)^{{2}}",),
                         (f"\\frac{{1}}{{{b.m}}} {b.sums}", f"{centered}^{{2}}"), (vs,)),
                   "vector-forward", "", entries=b.names("var")),
                Eq(b.s("\\hat{X}"), ((f"\\frac{{{x} - {mu}}}{{\\sqrt{{{var} + \\epsilon}}}}",),
                                     (f"{centered} \\Big/ \\sqrt{{{vs} + {eps}}}",), (ex.cells(b.xhat, v),)),
                   "vector-forward", "", entries=names(b.xhat)),
                Eq(b.s("A"), ((f"{b.s(chr(92) + 'gamma')} \\odot {b.s(chr(92) + 'hat{X}')} + {b.s(chr(92) + 'beta')}",),
                              (f"{b.one('gamma', v, exact)} \\odot {ex.cells(b.xhat, v)}",
                               signed_term(b.one("beta", v, exact)).lstrip()),
                              (ex.cells(b.a, v),)), "vector-forward", f"a{l}", entries=names(b.a))]
    return out


def backward(ex: Any, l: int, layer: Any, step: Step) -> list[Eq]:
    v, g, out = step.values, step.adjoint, []
    eps = ex.num(layer.eps, True)
    for sub, cols, params in _blocks(ex, l, layer):
        b = _Block(ex, l, layer, sub, cols, params)
        dhat = _rows(ex, lambda n: ex.table(l, "xhat", n), cols)
        da, dx, dv, dm = (f"\\frac{{\\partial L}}{{\\partial {q}}}" for q in
                          (b.s("A"), b.s("\\hat{X}"), b.s("\\sigma^{2}"), b.s("\\mu")))
        x = b.input()
        var, mu = b.s("\\sigma^{2}"), b.s("\\mu")
        xs, ms, vs = ex.cells(b.x, v), b.one("mu", v), b.one("var", v)
        if l == len(ex.net.layers):
            out.append(Eq(da, ((ex.cells(b.a, g),),), "vector-adjoint", f"a{l}", entries=names(b.a),
                          note=ex.top_note()))
        ga, gh = ex.cells(b.a, g), ex.cells(dhat, g)
        note = ex.say("tensor.batchnorm_back", l=l) if not out else ()
        out += [Eq(f"\\frac{{\\partial L}}{{\\partial {b.s(chr(92) + 'gamma')}}}",
                   ((f"{b.sums} {da} \\odot {b.s(chr(92) + 'hat{X}')}",),
                    (f"{b.sums} {ga} \\odot {ex.cells(b.xhat, v)}",), (b.one("gamma", g),)),
                   "vector-adjoint", "", entries=b.names("gamma"), boxed=True, note=note),
                Eq(f"\\frac{{\\partial L}}{{\\partial {b.s(chr(92) + 'beta')}}}",
                   ((f"{b.sums} {da}",), (f"{b.sums} {ga}",), (b.one("beta", g),)),
                   "vector-adjoint", "", entries=b.names("beta"), boxed=True),
                Eq(dx, ((f"{da} \\odot {b.s(chr(92) + 'gamma')}",), (f"{ga} \\odot {b.one('gamma', v)}",), (gh,)),
                   "vector-adjoint", "", entries=names(dhat)),
                Eq(dv, ((f"-\\frac{{1}}{{2}} {b.sums} {dx} \\odot \\left({x} - {mu}\\right) "
                         f"\\left({var} + \\epsilon\\right)^{{-3/2}}",),
                        (f"-\\frac{{1}}{{2}} {b.sums} {gh} \\odot \\left({xs} - {ms}\\right)",
                         f"\\left({vs} + {eps}\\right)^{{-3/2}}"), (b.one("var", g),)),
                   "vector-adjoint", "", entries=b.names("var")),
                Eq(dm, ((f"-{b.sums} {dx} \\Big/ \\sqrt{{{var} + \\epsilon}}",),
                        (f"-{b.sums} {gh} \\Big/ \\sqrt{{{vs} + {eps}}}",), (b.one("mu", g),)),
                   "vector-adjoint", "", entries=b.names("mu"), note=ex.say("tensor.batchnorm_mu")),
                Eq(f"\\frac{{\\partial L}}{{\\partial {x}}}",
                   ((f"{dx} \\Big/ \\sqrt{{{var} + \\epsilon}}",
                     f"+ \\frac{{2}}{{{b.m}}} \\left({x} - {mu}\\right) {dv}",
                     f"+ \\frac{{1}}{{{b.m}}} {dm}"),
                    (f"{gh} \\Big/ \\sqrt{{{vs} + {eps}}}", f"+ \\frac{{2}}{{{b.m}}} \\left({xs} - {ms}\\right)",
                     f"\\odot {b.one('var', g)}", f"+ \\frac{{1}}{{{b.m}}} {b.one('mu', g)}"), (ex.cells(b.x, g),)),
                   "vector-adjoint", "x" if l == 1 else f"a{l - 1}", entries=names(b.x))]
    return out
