"""Numeric evaluation of expression trees.

Values stay exact ``Fraction`` while the arithmetic is rational (sums,
products, integer powers, ReLU, and functions at points where their value is
rational, such as sigmoid(0) = 1/2); anything else becomes a 40-digit mpmath
number.  Domain errors (log of a non-positive number, division by zero) raise
``DomainError`` with a sentence a student can act on; so does a value beyond
what the JSON answers (doubles) can carry.  Every node's value is kept in
bounds (``checked``): a rational whose numerator or denominator outgrows
``MAX_BITS`` continues as a 40-digit number, and a value smaller than
``TINY`` is 0, so a hostile spec cannot make the arithmetic run for hours.

Precision: ``WATCH`` records, while an evaluation runs, how many bits the
worst operation lost (a sum that cancels its terms, log near 1, a power with a
huge exponent) and how many digits the magnitudes seen could need
(1 - sigmoid(200) needs about 90).  ``derive`` reruns an iteration with more
digits until no operation lost more than the working precision can spare, so
every value is right to far more digits than a double carries.
"""

from __future__ import annotations

import math
import sys
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

MAX_BITS = 4096  # a rational this long (about 1200 digits) continues as a 40-digit number
DOUBLE_MAX = Fraction(sys.float_info.max)
TINY = MP.mpf("1e-99999")  # far below a double's smallest number (about 5e-324): taken as 0
_TINY_LOG2 = -332190  # log2(1e-99999), rounded down
_EXP_LOW = -230200  # exp(x) < TINY below this
LOG10_2 = 0.30103


class Watch:
    """What the evaluations since ``reset`` lost: ``lost`` is the most bits one operation
    cancelled (``math.inf`` for a sum of nonzero inexact terms that came out exactly 0),
    ``need`` the digits that the magnitudes seen could call for."""

    def __init__(self) -> None:
        self.lost: float = 0
        self.finite: float = 0  # the most bits a finite loss took: the terms' own error, at worst
        self.need: float = 0

    def reset(self) -> None:
        self.lost, self.finite, self.need = 0, 0, 0

    def lose(self, bits: float) -> None:
        if bits > self.lost:
            self.lost = bits
        if self.finite < bits < math.inf:
            self.finite = bits

    def magnitude(self, digits: float) -> None:
        if digits > self.need:
            self.need = digits


WATCH = Watch()


class DomainError(ValueError):
    """A value outside a function's domain (or beyond what a double carries)."""


def _overflow(v: Value) -> DomainError:
    return DomainError(f"overflow: {_show(v)} is more than JSON (a double) can carry (at most about 1.8e308)")


def _show(v: Value) -> str:
    """A number for a message: ``10``, ``0.5``, ``1e+10``, ``1.88e+9565``."""
    x = float(to_mpf(v))
    return f"{x:.6g}" if math.isfinite(x) else MP.nstr(to_mpf(v), 3)


def checked(v: Value) -> Value:
    """``v`` if a double can carry it; big rationals become 40-digit numbers; tiny values 0."""
    if isinstance(v, Fraction):
        top, bottom = abs(v.numerator).bit_length(), v.denominator.bit_length()
        if top - bottom > 1022 and abs(v) > DOUBLE_MAX:
            raise _overflow(v)
        if top <= MAX_BITS and bottom <= MAX_BITS:
            return v
        v = to_mpf(v)
    if not MP.isfinite(v):
        raise DomainError("the value is not a finite number")
    if not v:
        return Fraction(0)
    mag = MP.mag(v)
    if mag > 1022 and abs(v) > to_mpf(DOUBLE_MAX):
        raise _overflow(v)
    if mag < _TINY_LOG2 and abs(v) < TINY:
        return Fraction(0)
    if abs(mag) > 64:
        WATCH.magnitude(abs(mag) * LOG10_2)
    return v


def to_mpf(v: Value) -> mpmath.mpf:
    if isinstance(v, Fraction):
        return _fraction_mpf(v, MP.prec)
    return v


@lru_cache(maxsize=1 << 16)
def _fraction_mpf(q: Fraction, prec: int) -> mpmath.mpf:
    """q at the working precision ``prec`` (part of the key: a rerun with more digits
    must not reuse a value rounded to fewer)."""
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
    return checked(_compound(expr, env, record, zero_kinks))


def _compound(
    expr: Expr, env: Mapping[str, Value], record: set[Call] | None, zero_kinks: frozenset[Call]
) -> Value:
    if isinstance(expr, Add):
        return total([evaluate(t, env, record, zero_kinks) for t in expr.terms])
    if isinstance(expr, Mul):
        factors = expr.factors
        prod = evaluate(factors[0], env, record, zero_kinks) if factors else Fraction(1)
        for f in factors[1:]:
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
    return total([a, b])


def total(values: list[Value]) -> Value:
    """The sum, exact while every term is; otherwise rounded once (fsum), and measured
    against its largest term: what cancelled is recorded in ``WATCH``, and a sum that
    cancelled down to rounding noise is 0 (the next precision tells a real small value)."""
    exact = Fraction(0)
    inexact = []
    for v in values:
        if isinstance(v, Fraction):
            exact += v
        elif v:
            inexact.append(v)
    if not inexact:
        return exact
    if exact:
        inexact.append(to_mpf(exact))
    result = MP.fsum(inexact)
    if len(inexact) > 1 and min(inexact) < 0 < max(inexact):  # terms of both signs: what cancelled?
        lost = max(MP.mag(t) for t in inexact) - MP.mag(result) if result else math.inf
        if lost > MP.prec - 16 - WATCH.finite:  # only noise is left: 0 as far as this precision knows
            WATCH.lose(math.inf)
            return Fraction(0)
        WATCH.lose(lost)
    return result


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
        if base != 0 and abs(e) > 64:  # far out of range? say so before computing
            _power_in_range(base, to_mpf(exp))
        if not isinstance(base, Fraction):
            WATCH.lose(abs(e).bit_length())  # x^e multiplies x's relative error by |e|
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
    if not _power_in_range(base, to_mpf(exp)):
        return Fraction(0)
    if not (isinstance(base, Fraction) and isinstance(exp, Fraction)):
        e = to_mpf(exp)
        WATCH.lose(max(MP.mag(e), MP.mag(e * MP.log(abs(to_mpf(base)))) if base != 1 else 0))
    return MP.power(to_mpf(base), to_mpf(exp))


def _power_in_range(base: Value, exp: mpmath.mpf) -> bool:
    """Raise for |base|^exp beyond a double; False if it is below ``TINY`` (so 0)."""
    size = exp * MP.log(abs(to_mpf(base)), 2)
    if size > 1100:
        raise DomainError(f"overflow: {_show(abs(to_mpf(base)))} to the power {_show(exp)} "
                          "is more than JSON (a double) can carry (at most about 1.8e308)")
    return size > _TINY_LOG2 - 10


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
    exps = [MP.exp(z - top) if z - top > _EXP_LOW else MP.mpf(0) for z in zs]
    return exps[j - 1] / MP.fsum(exps)


def _exp(x: Value) -> Value:
    if x == 0:
        return Fraction(1)
    if x > 710:  # e^709.78 is the largest double
        raise DomainError(f"overflow: exp({_show(x)}) is more than JSON (a double) can carry "
                          "(at most about 1.8e308, which is exp(709.78))")
    if x < _EXP_LOW:  # below TINY: 0
        return Fraction(0)
    m = to_mpf(x)
    WATCH.magnitude(abs(m) * 0.4343)  # 1 - exp(-m) may need that many digits
    return MP.exp(m)


def _log(x: Value) -> Value:
    if x <= 0:
        raise DomainError(f"log of a non-positive number ({_show(x)})")
    if x == 1:
        if not isinstance(x, Fraction):
            WATCH.lose(math.inf)  # log(1 - tiny) rounded to log(1): the tiny part was lost
        return Fraction(0)
    y = MP.log(to_mpf(x))
    if not isinstance(x, Fraction) and MP.mag(y) < 0:
        WATCH.lose(-MP.mag(y))  # log near 1 divides x's relative error by |log x|
    return y


def _sigmoid(x: Value) -> Value:
    if x == 0:
        return Fraction(1, 2)
    m = to_mpf(x)
    if m < _EXP_LOW:  # below TINY: 0
        return Fraction(0)
    WATCH.magnitude(abs(m) * 0.4343)  # 1 - sigmoid(m) is about e^-|m|
    if m >= 0:
        return 1 / (1 + MP.exp(-m))
    e = MP.exp(m)
    return e / (1 + e)


def _tanh(x: Value) -> Value:
    if x == 0:
        return Fraction(0)
    m = to_mpf(x)
    WATCH.magnitude(abs(m) * 0.8686)  # 1 - tanh(m) is about 2e^-2|m|
    return MP.tanh(m)


def _sqrt(x: Value) -> Value:
    if x < 0:
        raise DomainError(f"square root of a negative number ({float(x):.6g})")
    return power(x, Fraction(1, 2))


UNARY = {"exp": _exp, "log": _log, "sigmoid": _sigmoid, "tanh": _tanh, "sqrt": _sqrt}
