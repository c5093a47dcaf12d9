"""Activations as data: the registry every layer and explainer looks a name up in.

Derivatives are not written here: ``symdiff`` differentiates the expressions
these build (with ReLU'(0) = 0 and sigmoid' = a(1 - a) by construction).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from solgen.core.ir import Call, Expr, Num, Var


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
