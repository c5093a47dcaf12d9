"""Display rounding: significant digits, ROUND_HALF_UP, decimal comma, carry mode."""

from fractions import Fraction

import pytest

from solgen.core.evaluate import MP
from solgen.core.numbers import NumberFormat, carry


@pytest.mark.parametrize(
    ("value", "digits", "shown"),
    [
        (Fraction("0.9475"), 4, "0.9475"),
        (Fraction("0.94750"), 6, "0.9475"),  # trailing zeros dropped
        (Fraction("0.125"), 2, "0.13"),  # half up, unlike round(0.125, 2) == 0.12
        (Fraction("-0.125"), 2, "-0.13"),
        (Fraction(1, 3), 4, "0.3333"),
        (Fraction("0.000433"), 3, "0.000433"),
        (Fraction("0.0000433"), 3, "4.33 \\times 10^{-5}"),
        (Fraction(12345678), 4, "1.235 \\times 10^{7}"),
        (Fraction(0), 4, "0"),
        (Fraction(25), 4, "25"),
    ],
)
def test_latex_numbers(value: Fraction, digits: int, shown: str) -> None:
    assert NumberFormat(digits).latex(value) == shown


def test_decimal_comma() -> None:
    assert NumberFormat(3, ",").latex(Fraction("0.3825")) == "0{,}383"
    assert NumberFormat(3, ",").text(Fraction("0.3825")) == "0,383"


def test_given_values_are_shown_exactly() -> None:
    assert NumberFormat(4).latex(Fraction("0.149780716"), exact=True) == "0.149780716"
    assert NumberFormat(4).latex(Fraction(1, 3), exact=True) == "0.3333"


def test_high_precision_values() -> None:
    assert NumberFormat(4).latex(1 / (1 + MP.exp(-MP.mpf("0.3775")))) == "0.5933"


def test_carry_rounds_to_an_exact_rational() -> None:
    assert carry(Fraction("0.12345"), 4) == Fraction("0.1235")
    assert carry(MP.mpf(2) / 3, 3) == Fraction("0.667")


def test_digits_are_those_of_mpmaths_to_str() -> None:
    """The fast path of to_decimal gives the digits mpmath's to_str gives, at random values of
    every size and at the roundings' edges (a 46th digit of 5 or 4, 45 nines)."""
    import random

    from mpmath.libmp import from_man_exp, mpf_pos, to_str

    from solgen.core.numbers import _PREC50, _digits

    rng = random.Random(20261202)
    raws = [from_man_exp(rng.choice((1, -1)) * (rng.getrandbits(rng.choice((1, 10, 53, 169, 300))) | 1),
                         rng.randint(-1100, 900)) for _ in range(3000)]
    for _ in range(3000):
        head = "9" * 44 if rng.random() < 0.2 else "".join(rng.choice("0123456789") for _ in range(44))
        tail = rng.choice(("5", "4", "49999999", "50000001", "9", "0"))
        with MP.workdps(rng.choice((50, 60, 120))):
            raws.append(MP.mpf(f"{rng.choice('-+')}{rng.choice('19')}.{head}{tail}e{rng.randint(-290, 290)}")._mpf_)
    checked = 0
    for raw in raws:
        raw = mpf_pos(raw, _PREC50, "n")
        if raw[1] and abs(raw[2] + raw[3]) < 1000:
            assert _digits(raw) == to_str(raw, 45, strip_zeros=False, min_fixed=0, max_fixed=0)
            checked += 1
    assert checked > 4000
