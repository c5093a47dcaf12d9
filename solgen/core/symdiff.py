"""Derivatives of term shapes by sympy.diff: the generator of ``derivative_table``
and the fallback of ``partials`` for a shape the table lacks.

The functions below (sigmoid, ReLU with ReLU'(0) = 0, |x| with sgn, softmax)
carry their own derivatives, so sigmoid'(z) comes out as s (1 - s); ``partials``
then names each function application that is a node, so it reads ``a (1 - a)``.
"""

from __future__ import annotations

from fractions import Fraction
from functools import cache

import sympy as sp

from .evaluate import DomainError
from .ir import Add, Call, Div, Expr, Mul, Neg, Num, Pow, Var
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


class Constant(sp.Function):
    """A function whose derivative is 0 where it is used (indicators and clipped slopes)."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.Integer(0)


class LStep(Constant):
    """leaky_relu'(z) = 1 if z > 0 else s (so s at 0)."""


class EluGrad(Constant):
    """elu'(z) = 1 if z > 0 else alpha e^z (so alpha at 0)."""


class Tie(Constant):
    """d max(u, v)/du = H(u - v) with H(0) = 1/2: a tie splits the gradient evenly."""


class Clip(Constant):
    """huber'(r) = clip(r, -delta, delta)."""


class LeakyRelu(sp.Function):
    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return LStep(*self.args)


class Elu(sp.Function):
    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return EluGrad(*self.args)


class Hinge(sp.Function):
    """max(0, x) inside the multiclass hinge loss (printed so); derivative 1[x > 0]."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return Step(self.args[0])


class Softplus(sp.Function):
    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return Sigmoid(self.args[0])


class NormPdf(sp.Function):
    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return -self.args[0] * NormPdf(self.args[0])


class NormCdf(sp.Function):
    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return NormPdf(self.args[0])


class Gelu(sp.Function):
    def fdiff(self, argindex: int = 1) -> sp.Expr:
        z = self.args[0]
        return NormCdf(z) + z * NormPdf(z)


class Silu(sp.Function):
    def fdiff(self, argindex: int = 1) -> sp.Expr:
        z = self.args[0]
        s = Sigmoid(z)
        return s * (1 + z * (1 - s))


class TwoMax(sp.Function):
    def fdiff(self, argindex: int = 1) -> sp.Expr:
        u, v = self.args
        return Tie(u - v) if argindex == 1 else Tie(v - u)


class TwoMin(sp.Function):
    def fdiff(self, argindex: int = 1) -> sp.Expr:
        u, v = self.args
        return Tie(v - u) if argindex == 1 else Tie(u - v)


class Huber(sp.Function):
    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return Clip(*self.args)


class SoftmaxCE(sp.Function):
    """SoftmaxCE(flag, a_1..a_K, t_1..t_K) = -sum_j t_j log softmax(a)_j.

    d/da_k = softmax_k - t_k when the targets sum to 1 (flag 1), else (sum_j t_j) softmax_k - t_k."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        flag, rest = self.args[0], self.args[1:]
        k = len(rest) // 2
        a, t = rest[:k], rest[k:]
        m = argindex - 1  # 1-based position among the a's
        soft = Softmax(sp.Integer(m), *a)
        scale = sp.Integer(1) if flag == 1 else sp.Add(*t)
        return scale * soft - t[m - 1]


class FirstMax(Constant):
    """FirstMax(m, x_1, ..., x_n): 1 if x_m is the first maximum, else 0 (derivative 0)."""


class MaxPool(sp.Function):
    """The maximum of a pooling window; the gradient goes to the first maximum (PyTorch)."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return FirstMax(sp.Integer(argindex), *self.args)


_TO_SYMPY = {
    "sigmoid": Sigmoid, "relu": Relu, "step": Step, "tanh": sp.tanh, "exp": sp.exp,
    "log": sp.log, "sqrt": sp.sqrt, "abs": Absolute, "sign": Sign, "sin": sp.sin, "cos": sp.cos,
    "leaky_relu": LeakyRelu, "lstep": LStep, "elu": Elu, "elu_grad": EluGrad, "softplus": Softplus,
    "gelu": Gelu, "Phi": NormCdf, "phi": NormPdf, "silu": Silu, "max": TwoMax, "min": TwoMin,
    "tie": Tie, "huber": Huber, "clip": Clip, "hinge": Hinge, "softmax_ce": SoftmaxCE,
    "maxpool": MaxPool, "firstmax": FirstMax,
}
_FROM_SYMPY = {**{v: k for k, v in _TO_SYMPY.items() if k != "sqrt"}, sp.Abs: "abs", sp.sign: "sign"}


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
    if e.has(sp.I, sp.pi):  # (-2)^u, sqrt(-exp(v)): the derivative leaves the real numbers
        raise DomainError("its derivative is not a real number (a negative number to a variable "
                          "power, or the root of a negative one): rewrite the expression")
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


# -- shapes the derivative table lacks ----------------------------------------

def sympy_diff_shape(shape: Expr, placeholder: str) -> Expr:
    """d(shape)/d(placeholder) by sympy.diff (``partials`` asks only for a shape its table lacks)."""
    # factor_terms keeps the chain-rule shape a student writes: 2(a - t), not 2a - 2t
    return from_sympy(sp.factor_terms(sp.diff(to_sympy(shape), _symbol(placeholder))))


# kept importable from here as before
from .partials import local_partial, terms_by_variable  # noqa: E402

__all__ = ["local_partial", "terms_by_variable", "sympy_diff_shape", "to_sympy", "from_sympy"]
