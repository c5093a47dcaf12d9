"""Numeric evaluation of expression trees.

Values stay exact ``Fraction`` while the arithmetic is rational (sums,
products, integer powers, ReLU, and functions at points where their value is
rational, such as sigmoid(0) = 1/2); anything else becomes a 40-digit mpmath
number.  Domain errors (log of a non-positive number, division by zero) raise
``DomainError`` with a sentence a student can act on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from functools import lru_cache
from typing import Union

import mpmath

from .ir import Add, Call, Div, Expr, Mul, Neg, Num, Pow, Var

MP = mpmath.MPContext()
MP.dps = 40

Value = Union[Fraction, "mpmath.mpf"]
KINKS = ("relu", "abs", "step", "sign")


class DomainError(ValueError):
    """A value outside a function's domain."""


def to_mpf(v: Value) -> mpmath.mpf:
    if isinstance(v, Fraction):
        return _fraction_mpf(v)
    return v


@lru_cache(maxsize=1 << 16)
def _fraction_mpf(q: Fraction) -> mpmath.mpf:
    return MP.mpf(q.numerator) / q.denominator


def evaluate(
    expr: Expr,
    env: Mapping[str, Value],
    record: set[Call] | None = None,
    zero_kinks: frozenset[Call] = frozenset(),
) -> Value:
    """Evaluate ``expr`` with the variable values in ``env``.

    ``record`` collects the ReLU/abs calls whose argument is exactly 0;
    a later evaluation passed them as ``zero_kinks`` keeps those calls on the
    branch whose slope the derivative convention uses (f'(0) = 0), which is
    what a central difference across the kink must see.
    """
    if isinstance(expr, Num):
        return expr.value
    if isinstance(expr, Var):
        return env[expr.name]
    if isinstance(expr, Add):
        total: Value = Fraction(0)
        for t in expr.terms:
            total = add(total, evaluate(t, env, record, zero_kinks))
        return total
    if isinstance(expr, Mul):
        prod: Value = Fraction(1)
        for f in expr.factors:
            prod = mul(prod, evaluate(f, env, record, zero_kinks))
        return prod
    if isinstance(expr, Neg):
        return -evaluate(expr.arg, env, record, zero_kinks)
    if isinstance(expr, Div):
        n = evaluate(expr.num, env, record, zero_kinks)
        d = evaluate(expr.den, env, record, zero_kinks)
        if d == 0:
            raise DomainError("division by zero")
        if isinstance(n, Fraction) and isinstance(d, Fraction):
            return n / d
        return to_mpf(n) / to_mpf(d)
    if isinstance(expr, Pow):
        return power(
            evaluate(expr.base, env, record, zero_kinks),
            evaluate(expr.exp, env, record, zero_kinks),
        )
    return _call(expr, env, record, zero_kinks)


def add(a: Value, b: Value) -> Value:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a + b
    return to_mpf(a) + to_mpf(b)


def mul(a: Value, b: Value) -> Value:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a * b
    return to_mpf(a) * to_mpf(b)


def sub(a: Value, b: Value) -> Value:
    return add(a, -b)


def power(base: Value, exp: Value) -> Value:
    if isinstance(exp, Fraction) and exp.denominator == 1:
        e = exp.numerator
        if base == 0 and e < 0:
            raise DomainError("division by zero (0 raised to a negative power)")
        if isinstance(base, Fraction) and abs(e) <= 64:
            return base**e
        return to_mpf(base) ** e
    if base < 0:
        raise DomainError(f"a negative number raised to the non-integer power {float(exp):g}")
    if base == 0:
        if exp > 0:
            return Fraction(0)
        raise DomainError("division by zero (0 raised to a negative power)")
    if isinstance(base, Fraction) and exp == Fraction(1, 2):
        root = _exact_sqrt(base)
        if root is not None:
            return root
    return MP.power(to_mpf(base), to_mpf(exp))


def _exact_sqrt(q: Fraction) -> Fraction | None:
    n, d = math.isqrt(q.numerator), math.isqrt(q.denominator)
    if n * n == q.numerator and d * d == q.denominator:
        return Fraction(n, d)
    return None


def _call(
    expr: Call, env: Mapping[str, Value], record: set[Call] | None, zero_kinks: frozenset[Call]
) -> Value:
    fn = expr.fn
    if fn == "softmax":
        return _softmax(expr, env, record, zero_kinks)
    x = evaluate(expr.args[0], env, record, zero_kinks)
    if fn in KINKS:
        if x == 0:
            if record is not None:
                record.add(expr)
            return Fraction(0)
        if expr in zero_kinks:
            return Fraction(0)
        if fn == "relu":
            return x if x > 0 else Fraction(0)
        if fn == "abs":
            return x if x > 0 else -x
        if fn == "step":
            return Fraction(1 if x > 0 else 0)
        return Fraction(1 if x > 0 else -1)
    return UNARY[fn](x)


def _softmax(
    expr: Call, env: Mapping[str, Value], record: set[Call] | None, zero_kinks: frozenset[Call]
) -> Value:
    j = int(expr.args[0].value)  # type: ignore[union-attr]
    zs = [to_mpf(evaluate(a, env, record, zero_kinks)) for a in expr.args[1:]]
    top = max(zs)
    exps = [MP.exp(z - top) for z in zs]
    return exps[j - 1] / MP.fsum(exps)


def _exp(x: Value) -> Value:
    return Fraction(1) if x == 0 else MP.exp(to_mpf(x))


def _log(x: Value) -> Value:
    if x <= 0:
        raise DomainError(f"log of a non-positive number ({float(x):.6g})")
    return Fraction(0) if x == 1 else MP.log(to_mpf(x))


def _sigmoid(x: Value) -> Value:
    if x == 0:
        return Fraction(1, 2)
    m = to_mpf(x)
    if m >= 0:
        return 1 / (1 + MP.exp(-m))
    e = MP.exp(m)
    return e / (1 + e)


def _tanh(x: Value) -> Value:
    return Fraction(0) if x == 0 else MP.tanh(to_mpf(x))


def _sqrt(x: Value) -> Value:
    if x < 0:
        raise DomainError(f"square root of a negative number ({float(x):.6g})")
    return power(x, Fraction(1, 2))


UNARY = {"exp": _exp, "log": _log, "sigmoid": _sigmoid, "tanh": _tanh, "sqrt": _sqrt}
