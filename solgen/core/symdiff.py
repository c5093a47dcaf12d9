"""Local partial derivatives by sympy.diff, one edge at a time.

For the edge parent -> child only the terms of the child's expression that
contain the parent are differentiated, so the cost grows with the number of
edges, never with the size of the whole loss.  Terms are first rewritten with
placeholder names (``w*a`` and ``v*b`` share the shape ``_0*_1``) and each
shape is differentiated once; the result is renamed back.

The derivative is returned as an ``ir`` expression in which a function
application that is itself a node is written as that node, so that
sigmoid'(z) reads ``a (1 - a)`` and tanh'(z) reads ``1 - a^2``.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from functools import cache

import sympy as sp

from .evaluate import DomainError
from .ir import Add, Call, Div, Expr, Mul, Neg, Num, Pow, Var, rebuild
from .numbers import terminating


class Sigmoid(sp.Function):
    def fdiff(self, argindex: int = 1) -> sp.Expr:
        s = Sigmoid(self.args[0])
        return s * (1 - s)


class Step(sp.Function):
    """ReLU'(z): 1 for z > 0, else 0 (so ReLU'(0) = 0, unlike Heaviside(0) = 1/2)."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.Integer(0)


class Relu(sp.Function):
    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return Step(self.args[0])


class Sign(sp.Function):
    """sgn(z), with derivative 0 (the convention at 0 as for ReLU)."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.Integer(0)


class Absolute(sp.Function):
    """|z| for any real argument: d|u|/du = sgn(u), so sympy never reaches for re() and im()."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return Sign(self.args[0])


class Softmax(sp.Function):
    """Softmax(j, z_1, ..., z_n) = e^{z_j} / sum_k e^{z_k}."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        j, zs = int(self.args[0]), self.args[1:]
        m = argindex - 1
        if m == j:
            return self * (1 - self)
        return -self * Softmax(sp.Integer(m), *zs)


_TO_SYMPY = {
    "sigmoid": Sigmoid, "relu": Relu, "step": Step, "tanh": sp.tanh, "exp": sp.exp,
    "log": sp.log, "sqrt": sp.sqrt, "abs": Absolute, "sign": Sign,
}
_FROM_SYMPY = {Sigmoid: "sigmoid", Relu: "relu", Step: "step", sp.tanh: "tanh", sp.exp: "exp",
               sp.log: "log", Absolute: "abs", Sign: "sign"}


@cache
def _symbol(name: str) -> sp.Symbol:
    return sp.Symbol(name, real=True)


def to_sympy(e: Expr) -> sp.Expr:
    if isinstance(e, Num):
        return sp.Rational(e.value.numerator, e.value.denominator)
    if isinstance(e, Var):
        return _symbol(e.name)
    if isinstance(e, Add):
        return sp.Add(*(to_sympy(t) for t in e.terms))
    if isinstance(e, Mul):
        return sp.Mul(*(to_sympy(f) for f in e.factors))
    if isinstance(e, Neg):
        return -to_sympy(e.arg)
    if isinstance(e, Div):
        return to_sympy(e.num) / to_sympy(e.den)
    if isinstance(e, Pow):
        return sp.Pow(to_sympy(e.base), to_sympy(e.exp))
    args = [to_sympy(a) for a in e.args]
    if e.fn == "softmax":
        return Softmax(*args)
    return _TO_SYMPY[e.fn](*args)


def from_sympy(e: sp.Basic) -> Expr:
    if e.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise DomainError("division by zero in its derivative")
    if isinstance(e, sp.Symbol):
        return Var(e.name)
    if isinstance(e, sp.Rational):
        q = Fraction(int(e.p), int(e.q))
        return Num(q, frac=not terminating(q))
    if e is sp.E:
        return Call("exp", (Num(Fraction(1)),))
    if isinstance(e, sp.Add):
        terms = [from_sympy(t) for t in e.as_ordered_terms()]
        terms.sort(key=lambda t: isinstance(t, Neg))  # a - t, not -t + a
        return Add(tuple(terms))
    if isinstance(e, sp.Mul):
        return _from_mul(e)
    if isinstance(e, sp.Pow):
        return _from_pow(e)
    if isinstance(e, Softmax):
        return Call("softmax", tuple(from_sympy(a) for a in e.args))
    for cls, name in _FROM_SYMPY.items():
        if isinstance(e, cls):
            return Call(name, tuple(from_sympy(a) for a in e.args))
    raise NotImplementedError(f"cannot show {e!r}")


def _from_mul(e: sp.Mul) -> Expr:
    coeff, factors = e.as_coeff_mul()
    if coeff < 0:
        return Neg(from_sympy(-e))
    num: list[Expr] = []
    den: list[Expr] = []
    q = Fraction(int(coeff.p), int(coeff.q)) if isinstance(coeff, sp.Rational) else None
    if q is not None and q.denominator != 1 and not terminating(q):
        if q.numerator != 1:
            num.append(Num(Fraction(q.numerator)))
        den.append(Num(Fraction(q.denominator)))
    elif coeff != 1:
        num.append(from_sympy(coeff))
    for f in factors:
        if isinstance(f, sp.Pow) and f.exp.is_Number and f.exp < 0:
            den.append(from_sympy(sp.Pow(f.base, -f.exp)))
        else:
            num.append(from_sympy(f))
    num.sort(key=_factor_rank)
    top: Expr = Num(Fraction(1)) if not num else num[0] if len(num) == 1 else Mul(tuple(num))
    if not den:
        return top
    return Div(top, den[0] if len(den) == 1 else Mul(tuple(den)))


def _factor_rank(e: Expr) -> int:
    """Numbers first, then symbols and calls, sums last: ``2 a (1 - a)``."""
    return 0 if isinstance(e, Num) else 2 if isinstance(e, Add) else 1


def _from_pow(e: sp.Pow) -> Expr:
    base, exp = e.base, e.exp
    if exp == sp.Rational(1, 2):
        return Call("sqrt", (from_sympy(base),))
    if exp.is_Number and exp < 0:
        return Div(Num(Fraction(1)), from_sympy(sp.Pow(base, -exp)))
    if base is sp.E:
        return Call("exp", (from_sympy(exp),))
    return Pow(from_sympy(base), from_sympy(exp))


# -- shapes ------------------------------------------------------------------

def _shape(e: Expr, names: dict[str, str]) -> Expr:
    """``e`` with its variables renamed _0, _1, ... in order of appearance."""
    return rebuild(e, lambda v: Var(names.setdefault(v.name, f"_{len(names)}")))


def rename(e: Expr, names: Mapping[str, str]) -> Expr:
    return rebuild(e, lambda v: Var(names.get(v.name, v.name)))


@cache
def _diff_shape(shape: Expr, placeholder: str) -> Expr:
    # factor_terms keeps the chain-rule shape a student writes: 2(a - t), not 2a - 2t
    return from_sympy(sp.factor_terms(sp.diff(to_sympy(shape), _symbol(placeholder))))


def terms_by_variable(expr: Expr) -> dict[str, list[Expr]]:
    """For a sum, the terms that mention each variable (one pass over the terms)."""
    from .ir import variables

    out: dict[str, list[Expr]] = {}
    for t in expr.terms if isinstance(expr, Add) else (expr,):
        for v in variables(t):
            out.setdefault(v, []).append(t)
    return out


def local_partial(expr: Expr, parent: str, apps: Mapping[Expr, str],
                  terms: Mapping[str, list[Expr]] | None = None) -> Expr:
    """d(expr)/d(parent), with function applications that are nodes named.

    Only the terms of a sum that contain ``parent`` are differentiated;
    ``terms`` (from ``terms_by_variable``) saves finding them again per edge.
    """
    picked = (terms or terms_by_variable(expr))[parent]
    part = picked[0] if len(picked) == 1 else Add(tuple(picked))
    names: dict[str, str] = {}
    shape = _shape(part, names)
    result = _diff_shape(shape, names[parent])
    back = {v: k for k, v in names.items()}
    return _name_apps(rename(result, back), apps)


def _name_apps(e: Expr, apps: Mapping[Expr, str]) -> Expr:
    return rebuild(e, lambda v: v, lambda c: Var(apps[c]) if c in apps else None)
