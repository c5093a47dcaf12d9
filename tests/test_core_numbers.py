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
