"""How numbers are shown: significant digits, ROUND_HALF_UP, decimal comma.

Computation keeps full precision (``evaluate``); only this module rounds.
``carry`` turns a value into the rounded value a student would carry forward
by hand (``rounding = "carry"``).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction

from mpmath.libmp import dps_to_prec, mpf_pos

from solgen.record import record

from .evaluate import MP, Value

_CTX = Context(prec=60)


_PREC50 = dps_to_prec(50)


def to_decimal(v: Value) -> Decimal:
    if isinstance(v, Fraction):
        return _CTX.divide(Decimal(v.numerator), Decimal(v.denominator))
    exact = getattr(v, "_mpf_", None)
    if exact is not None:  # +v at 50 digits (what MP.workdps(50) gives), without entering the context
        raw = mpf_pos(exact, _PREC50, "n")
        if raw[1] and abs(raw[2] + raw[3]) < 1000:  # nonzero, magnitude as MP.mag reads it
            return Decimal(_digits(raw))  # d.ddde+-N
    with MP.workdps(50):
        v = +v  # rounded: a value computed with thousands of digits prints from 50
        if abs(MP.mag(v)) < 1000:
            return Decimal(MP.nstr(v, 45, strip_zeros=False, min_fixed=0, max_fixed=0))  # d.ddde+-N
        shift = int(MP.floor(MP.log10(abs(v))))  # far from 1: scale first (no 4300-digit integers)
        return Decimal(MP.nstr(v / MP.mpf(10) ** shift, 45, strip_zeros=False)).scaleb(shift, _CTX)


_BITS = int(48 * math.log(10, 2)) + 10  # what to_str(raw, 45) works with: 45 digits and 3 more
_LOG2_10 = math.log(10, 2)
_POW10: dict[int, int] = {}


def _digits(raw: tuple[int, int, int, int]) -> str:
    """``to_str(raw, 45, strip_zeros=False, min_fixed=0, max_fixed=0)`` for a nonzero mpf of
    magnitude below 2^1000, by the same integer steps without mpmath's layers (a key prints
    thousands of values): the value cut to fixed point and then to decimal digits (both toward
    zero), then rounded half up at the 45th digit from the 46th alone, as to_str rounds."""
    sign, man, exp, bc = raw
    fixprec = max(_BITS - exp - bc, 0)
    fixdps = int(fixprec / _LOG2_10 + 0.5)
    shift = exp + fixprec
    fixed = man << shift if shift >= 0 else man >> -shift
    scale = _POW10.get(fixdps)
    if scale is None:
        scale = _POW10[fixdps] = 10**fixdps
    digits = str(fixed * scale >> fixprec)
    exponent = len(digits) - fixdps - 1
    shown = digits[:45]
    if len(digits) > 45 and digits[45] in "56789":
        shown = str(int(shown) + 1)
        if len(shown) > 45:  # 9.99...9 rounded up: 1.00...0, one place higher
            shown = shown[:45]
            exponent += 1
    body = ("-" if sign else "") + shown[0] + "." + shown[1:]
    return body if exponent == 0 else f"{body}e{'+' if exponent > 0 else ''}{exponent}"


def terminating(q: Fraction) -> bool:
    """Whether q has a finite decimal expansion (its denominator is 2^a 5^b)."""
    d = q.denominator
    d >>= (d & -d).bit_length() - 1  # all factors of 2 at once
    return pow(10, d.bit_length(), d) == 0 if d > 1 else True


def round_sig(d: Decimal, digits: int) -> Decimal:
    if d == 0:
        return Decimal(0)
    quantum = Decimal(1).scaleb(d.adjusted() - digits + 1)
    return d.quantize(quantum, rounding=ROUND_HALF_UP, context=_CTX)


_LATEX: dict[tuple[object, ...], str] = {}  # (digits, decimal, exact, _key(v)) -> the LaTeX shown


def _key(v: Value) -> object:
    """The value's integers: (numerator, denominator) of a Fraction, the raw tuple of an mpf."""
    if type(v) is Fraction:
        return (v.numerator, v.denominator)
    raw = getattr(v, "_mpf_", None)
    return raw if raw is not None else (type(v), v)


def carry(v: Value, digits: int) -> Fraction:
    """The value rounded to ``digits`` significant digits, as an exact rational."""
    return Fraction(round_sig(to_decimal(v), digits))


@record
class NumberFormat:
    digits: int = 4
    decimal: str = "."

    def shown(self, v: Value, exact: bool = False) -> Decimal:
        """The decimal that is printed: full for exact given values, else rounded."""
        if exact and isinstance(v, Fraction) and terminating(v):
            d = to_decimal(v)
            if len(d.normalize().as_tuple().digits) <= 15:
                return d
        return round_sig(to_decimal(v), self.digits)

    def latex(self, v: Value, exact: bool = False) -> str:
        """(Remembered by the value's integers, its type kept apart: an mpf's or a Fraction's own
        hash is slow, and an mpf equal to a Fraction need not print as the Fraction does.)"""
        key = (self.digits, self.decimal, exact, _key(v))
        shown = _LATEX.get(key)
        if shown is None:
            if len(_LATEX) >= 1 << 16:
                _LATEX.clear()
            shown = _LATEX[key] = self._format(self.shown(v, exact), latex=True)
        return shown

    def text(self, v: Value, exact: bool = False) -> str:
        return self._format(self.shown(v, exact), latex=False)

    def _format(self, d: Decimal, latex: bool) -> str:
        if d == 0:
            return "0"
        d = d.normalize()
        exp = d.adjusted()
        if -5 < exp < 7:
            body = format(d, "f")
            return self._comma(body, latex)
        mant = self._comma(format(d.scaleb(-exp).normalize(), "f"), latex)
        if latex:
            return f"{mant} \\times 10^{{{exp}}}"
        return f"{mant}e{exp}"

    def _comma(self, body: str, latex: bool) -> str:
        if self.decimal == ",":
            return body.replace(".", "{,}" if latex else ",")
        return body
