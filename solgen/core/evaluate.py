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
from typing import Union

import mpmath
from mpmath.libmp import mpf_sum

from .ir import Add, Call, Div, Expr, Mul, Neg, Num, Pow, Var

MP = mpmath.MPContext()
MP.dps = 40

Value = Union[Fraction, "mpmath.mpf"]

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
    if type(v) is Fraction:
        top, bottom = abs(v.numerator).bit_length(), v.denominator.bit_length()
        if top - bottom > 1022 and abs(v) > DOUBLE_MAX:
            raise _overflow(v)
        if top <= MAX_BITS and bottom <= MAX_BITS:
            return v
        v = to_mpf(v)
    raw = getattr(v, "_mpf_", None)
    if raw is not None and raw[1]:  # the common case: a finite nonzero mpf, its magnitude read off it
        mag = raw[2] + raw[3]
    else:
        if not MP.isfinite(v):
            raise DomainError("the value is not a finite number")
        if not v:
            return Fraction(0)
        mag = _mag(v)
    if mag > 1022 and abs(v) > to_mpf(DOUBLE_MAX):
        raise _overflow(v)
    if mag < _TINY_LOG2 and abs(v) < TINY:
        return Fraction(0)
    if abs(mag) > 64:
        WATCH.magnitude(abs(mag) * LOG10_2)
    return v


def to_mpf(v: Value) -> mpmath.mpf:
    if type(v) is Fraction:  # not isinstance: Fraction's ABC makes a failed check slow
        return _fraction_mpf(v, MP.prec)
    return v


_ROUNDED: dict[tuple[int, int, int], mpmath.mpf] = {}


def _fraction_mpf(q: Fraction, prec: int) -> mpmath.mpf:
    """q at the working precision ``prec`` (part of the key: a rerun with more digits
    must not reuse a value rounded to fewer); remembered by its integers (a Fraction's
    own hash is slow)."""
    key = (q.numerator, q.denominator, prec)
    v = _ROUNDED.get(key)
    if v is None:
        if len(_ROUNDED) >= 1 << 16:
            _ROUNDED.clear()
        v = _ROUNDED[key] = MP.mpf(q.numerator) / q.denominator
    return v


def evaluate(
    expr: Expr,
    env: Mapping[str, Value],
    record: set[Call] | None = None,
    zero_kinks: frozenset[Call] = frozenset(),
) -> Value:
    """Evaluate ``expr`` with the variable values in ``env``.

    ``record`` collects the calls met exactly at their kink (ReLU or abs of 0, a
    tie of max, ...); a later evaluation passed them as ``zero_kinks`` keeps those
    calls on the branch whose slope the derivative convention uses (ReLU'(0) = 0,
    leaky_relu'(0) = s, a tie of max splits evenly), which is what a central
    difference across the kink must see.
    """
    kind = type(expr)  # (the tree's classes have no subclasses)
    if kind is Var:
        return env[expr.name]  # type: ignore[union-attr]
    if kind is Num:
        return expr.value  # type: ignore[union-attr]
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
    if type(a) is Fraction and type(b) is Fraction:
        return a + b
    return total([a, b])


def total(values: list[Value]) -> Value:
    """The sum, exact while every term is; otherwise rounded once (fsum), and measured
    against its largest term: what cancelled is recorded in ``WATCH``, and a sum that
    cancelled down to rounding noise is 0 (the next precision tells a real small value)."""
    exact: Fraction | None = None  # the sum of the nonzero Fractions (None: there are none)
    inexact = []
    for v in values:
        if type(v) is Fraction:
            if v:
                exact = v if exact is None else exact + v
        elif v:
            inexact.append(v)
    if not inexact:
        return Fraction(0) if exact is None else exact
    if exact:
        inexact.append(to_mpf(exact))
    result = _fsum(inexact)
    if len(inexact) > 1 and _both_signs(inexact):  # terms of both signs: what cancelled?
        lost = max(_mag(t) for t in inexact) - _mag(result) if result else math.inf
        if lost > MP.prec - 16 - WATCH.finite:  # only noise is left: 0 as far as this precision knows
            WATCH.lose(math.inf)
            return Fraction(0)
        WATCH.lose(lost)
    return result


def _fsum(terms: list[Value]) -> Value:
    """MP.fsum(terms), for mpf terms without its per-term conversions (one rounding, as fsum)."""
    try:
        raw = [t._mpf_ for t in terms]
    except AttributeError:
        return MP.fsum(terms)
    return MP.make_mpf(mpf_sum(raw, *MP._prec_rounding))


def _both_signs(terms: list[Value]) -> bool:
    """min(terms) < 0 < max(terms) for nonzero terms, read from the signs of mpf numbers."""
    try:
        first = terms[0]._mpf_[0]
        return any(t._mpf_[0] != first for t in terms)
    except AttributeError:  # not all mpf
        return bool(min(terms) < 0 < max(terms))


def _mag(t: Value) -> float:
    """MP.mag(t), read from a nonzero mpf's exponent and bit count."""
    raw = getattr(t, "_mpf_", None)
    if raw is not None and raw[1]:
        return raw[2] + raw[3]
    return MP.mag(t)


def mul(a: Value, b: Value) -> Value:
    ta, tb = type(a) is Fraction, type(b) is Fraction
    if ta and tb:
        return a * b
    if (ta and not a) or (tb and not b):
        return Fraction(0)  # an exact 0 times anything finite stays exact (keeps later sums rational)
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
    if fn in ("maxpool", "firstmax"):
        return _pool(expr, env, record, zero_kinks)
    args = [evaluate(a, env, record, zero_kinks) for a in expr.args]
    kink = KINKED.get(fn)
    if kink is not None:
        at, branch = kink
        if at(*args):
            if record is not None:
                record.add(expr)
            return branch(*args)
        if expr in zero_kinks:
            return branch(*args)
    if fn in MULTI:
        return MULTI[fn](*args)
    return UNARY[fn](args[0])


def _softmax(
    expr: Call, env: Mapping[str, Value], record: set[Call] | None, zero_kinks: frozenset[Call]
) -> Value:
    j = int(expr.args[0].value)  # type: ignore[union-attr]
    zs = [to_mpf(evaluate(a, env, record, zero_kinks)) for a in expr.args[1:]]
    top = max(zs)
    exps = [MP.exp(z - top) if z - top > _EXP_LOW else MP.mpf(0) for z in zs]
    return exps[j - 1] / MP.fsum(exps)


def _pool(
    expr: Call, env: Mapping[str, Value], record: set[Call] | None, zero_kinks: frozenset[Call]
) -> Value:
    """maxpool: the first maximum's value; firstmax(m, ...): 1 if argument m is that maximum.

    At a tie ``record`` gets ``Call("pooltie", (k, *args))`` for the winner k; evaluating with
    it in ``zero_kinks`` keeps the winner (as a central difference across the tie must).
    """
    args = expr.args[1:] if expr.fn == "firstmax" else expr.args
    xs = [evaluate(a, env, record, zero_kinks) for a in args]
    win = 0
    for k, x in enumerate(xs):
        if x > xs[win]:
            win = k
    if zero_kinks and expr.fn == "maxpool":
        for k in range(len(xs)):
            if Call("pooltie", (Num(Fraction(k)),) + args) in zero_kinks:
                win = k
    elif record is not None and expr.fn == "maxpool" and sum(1 for x in xs if x == xs[win]) > 1:
        record.add(Call("pooltie", (Num(Fraction(win)),) + args))
    if expr.fn == "firstmax":
        return Fraction(1 if win == int(expr.args[0].value) - 1 else 0)  # type: ignore[union-attr]
    return xs[win]


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


def _sin(x: Value) -> Value:
    return Fraction(0) if x == 0 else MP.sin(to_mpf(x))


def _cos(x: Value) -> Value:
    return Fraction(1) if x == 0 else MP.cos(to_mpf(x))


def _softplus(x: Value) -> Value:
    """log(1 + e^x), computed without overflow for large x."""
    m = to_mpf(x)
    if m > 0:
        return m + MP.log1p(MP.exp(-m))
    return MP.log1p(to_mpf(_exp(m))) if m > -23100 else Fraction(0)


def _phi_cdf(x: Value) -> Value:
    """The standard normal CDF, exactly erfc(-x/sqrt 2)/2."""
    return Fraction(1, 2) if x == 0 else MP.erfc(-to_mpf(x) / MP.sqrt(2)) / 2


def _phi_pdf(x: Value) -> Value:
    m = to_mpf(x)
    return to_mpf(_exp(-m * m / 2)) / MP.sqrt(2 * MP.pi) if abs(m) < 1000 else Fraction(0)


def _gelu(x: Value) -> Value:
    return mul(x, _phi_cdf(x))


def _silu(x: Value) -> Value:
    return mul(x, _sigmoid(x))


def _less(a: Value, b: Value) -> bool:
    """a < b for any two values (a Fraction and an mpf do not compare directly)."""
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a < b
    return bool(to_mpf(a) < to_mpf(b))


def _same(a: Value, b: Value) -> bool:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a == b
    return bool(to_mpf(a) == to_mpf(b))


def _huber(r: Value, delta: Value) -> Value:
    size = abs(r)
    if _less(size, delta):
        return mul(Fraction(1, 2), mul(r, r))
    return mul(delta, sub(size, mul(Fraction(1, 2), delta)))


def _clip(r: Value, delta: Value) -> Value:
    return -delta if _less(r, -delta) else delta if _less(delta, r) else r


def _elu_branch(x: Value, alpha: Value) -> Value:
    return mul(alpha, sub(_exp(x), Fraction(1)))


UNARY.update({"sin": _sin, "cos": _cos, "softplus": _softplus, "gelu": _gelu, "silu": _silu,
              "Phi": _phi_cdf, "phi": _phi_pdf})
_ZERO, _ONE, _HALF = Fraction(0), Fraction(1), Fraction(1, 2)
#: the two-branch functions: fn -> (at the kink?, the value on the branch whose slope the
#: derivative convention takes there).  Away from the kink MULTI/UNARY give the value.
KINKED = {
    "relu": (lambda x: x == 0, lambda x: _ZERO),
    "hinge": (lambda x: x == 0, lambda x: _ZERO),
    "abs": (lambda x: x == 0, lambda x: _ZERO),
    "step": (lambda x: x == 0, lambda x: _ZERO),
    "sign": (lambda x: x == 0, lambda x: _ZERO),
    "leaky_relu": (lambda x, s: x == 0, lambda x, s: mul(s, x)),
    "lstep": (lambda x, s: x == 0, lambda x, s: s),
    "elu": (lambda x, a: x == 0, _elu_branch),
    "elu_grad": (lambda x, a: x == 0, lambda x, a: mul(a, _exp(x))),
    "max": (_same, lambda u, v: mul(_HALF, add(u, v))),
    "min": (_same, lambda u, v: mul(_HALF, add(u, v))),
    "tie": (lambda x: x == 0, lambda x: _HALF),
}
MULTI = {
    "relu": lambda x: x if x > 0 else _ZERO,
    "hinge": lambda x: x if x > 0 else _ZERO,
    "abs": lambda x: x if x > 0 else -x,
    "step": lambda x: _ONE if x > 0 else _ZERO,
    "sign": lambda x: _ONE if x > 0 else -_ONE,
    "leaky_relu": lambda x, s: x if x > 0 else mul(s, x),
    "lstep": lambda x, s: _ONE if x > 0 else s,
    "elu": lambda x, a: x if x > 0 else _elu_branch(x, a),
    "elu_grad": lambda x, a: _ONE if x > 0 else mul(a, _exp(x)),
    "max": lambda u, v: v if _less(u, v) else u,
    "min": lambda u, v: u if _less(u, v) else v,
    "tie": lambda x: _ONE if x > 0 else _ZERO,
    "huber": _huber,
    "clip": _clip,
    "softmax_ce": lambda *args: _softmax_ce(args),
}


def _softmax_ce(args: tuple[Value, ...]) -> Value:
    """-sum_j t_j log softmax(a)_j = (sum_j t_j) logsumexp(a) - sum_j t_j a_j.

    The arguments are (flag, a_1..a_K, t_1..t_K); the flag (1 when the targets sum to 1)
    only changes how the derivative is printed."""
    k = (len(args) - 1) // 2
    a, t = [to_mpf(v) for v in args[1:k + 1]], args[k + 1:]
    top = max(a)
    lse = top + MP.log(MP.fsum(MP.exp(x - top) if x - top > -23100 else MP.mpf(0) for x in a))
    total: Value = _ZERO
    for tj, aj in zip(t, a):
        if tj != 0:
            total = add(total, mul(tj, lse - aj))
    return total
