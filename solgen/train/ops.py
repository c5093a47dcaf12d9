"""Activations and losses as data: how each builds its expression.

Derivatives are not written here: ``symdiff`` differentiates the expressions
these build (with ReLU'(0) = 0 and sigmoid' = a(1 - a) by construction).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from solgen.core.ir import Add, Call, Expr, Mul, Neg, Num, Pow, Var, sub


@dataclass(frozen=True)
class Activation:
    name: str
    formula: str  # f(z), plain words for the conventions sentence
    derivative: str  # f'(z)

    def build(self, j: int, zs: Sequence[Var]) -> Expr:
        z = zs[j - 1]
        if self.name in ("linear", "identity"):
            return z
        if self.name == "softmax":
            return Call("softmax", (Num(Fraction(j)),) + tuple(zs))
        return Call(self.name, (z,))


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("linear", "z", "1"),
        Activation("identity", "z", "1"),
        Activation("relu", "max(0, z)", "1 if z > 0, else 0 (so f'(0) = 0)"),
        Activation("sigmoid", "1/(1+e^-z)", "f(z)(1 - f(z))"),
        Activation("tanh", "tanh z", "1 - tanh^2 z"),
        Activation("softmax", "e^z_j / sum_k e^z_k", "a_j(δ_jk - a_k)"),
    )
}

HALF = Num(Fraction(1, 2), frac=True)


def _squared_error(a: Sequence[Var], t: Sequence[Var]) -> Expr:
    return _sum(Pow(sub(aj, tj), Num(Fraction(2))) for aj, tj in zip(a, t))


def _half_squared_error(a: Sequence[Var], t: Sequence[Var]) -> Expr:
    return _sum(Mul((HALF, Pow(sub(tj, aj), Num(Fraction(2))))) for aj, tj in zip(a, t))


def _mse(a: Sequence[Var], t: Sequence[Var]) -> Expr:
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

