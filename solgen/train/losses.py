"""Losses as data: name -> how the loss of one example is built from outputs and targets.

Derivatives are not written here: ``symdiff`` differentiates the expressions these build.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

from solgen.core.ir import Add, Call, Expr, Mul, Neg, Num, Pow, Var, sub

HALF = Num(Fraction(1, 2), frac=True)


def _squared_error(a: Sequence[Var], t: Sequence[Var]) -> Expr:
    return _sum(Pow(sub(aj, tj), Num(Fraction(2))) for aj, tj in zip(a, t))


def _half_squared_error(a: Sequence[Var], t: Sequence[Var]) -> Expr:
    return _sum(Mul((HALF, Pow(sub(tj, aj), Num(Fraction(2))))) for aj, tj in zip(a, t))


def _mse(a: Sequence[Var], t: Sequence[Var]) -> Expr:
    if len(a) == 1:  # (1/1)(a - t)^2 is written (a - t)^2
        return _squared_error(a, t)
    return Mul((Num(Fraction(1, len(a)), frac=True), _squared_error(a, t)))


def _bce(a: Sequence[Var], t: Sequence[Var]) -> Expr:
    one = Num(Fraction(1))
    terms = (
        Add((Mul((tj, Call("log", (aj,)))), Mul((sub(one, tj), Call("log", (sub(one, aj),))))))
        for aj, tj in zip(a, t)
    )
    return Neg(_sum(terms, group=True))


def _cross_entropy(a: Sequence[Var], t: Sequence[Var]) -> Expr:
    return Neg(_sum((Mul((tj, Call("log", (aj,)))) for aj, tj in zip(a, t)), group=True))


def _sum(terms: Sequence[Expr] | object, group: bool = False) -> Expr:
    items = tuple(terms)  # type: ignore[arg-type]
    if len(items) == 1 and not group:
        return items[0]
    return Add(items)


LOSSES: dict[str, Callable[[Sequence[Var], Sequence[Var]], Expr]] = {
    "squared_error": _squared_error,
    "half_squared_error": _half_squared_error,
    "mse": _mse,
    "binary_cross_entropy": _bce,
    "cross_entropy": _cross_entropy,
}

