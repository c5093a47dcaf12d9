"""Activations as data: the registry every layer and explainer looks a name up in.

Derivatives are not written here: ``symdiff`` differentiates the expressions
these build (with ReLU'(0) = 0, leaky_relu'(0) = s, elu'(0) = alpha and
sigmoid' = a(1 - a) by construction).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from solgen.core.ir import Call, Expr, Num, Var
from solgen.record import record


@record
class Activation:
    name: str
    formula: str  # f(z), plain words for the conventions sentence
    derivative: str  # f'(z)
    key: str = ""  # the layer key of its parameter (leaky_relu's negative_slope, elu's alpha)
    default: Fraction | None = None  # that parameter's default

    def build(self, j: int, zs: Sequence[Var], parameter: Fraction | None = None) -> Expr:
        z = zs[j - 1]
        if self.name in ("linear", "identity"):
            return z
        if self.name == "softmax":
            return Call("softmax", (Num(Fraction(j)),) + tuple(zs))
        if self.key:
            value = self.default if parameter is None else parameter
            return Call(self.name, (z, Num(value)))  # type: ignore[arg-type]
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
        Activation("leaky_relu", "z if z > 0, else s z", "1 if z > 0, else s (so f'(0) = s)",
                   "negative_slope", Fraction(1, 100)),
        Activation("elu", "z if z > 0, else α(e^z - 1)", "1 if z > 0, else α e^z (so f'(0) = α)",
                   "alpha", Fraction(1)),
        Activation("softplus", "log(1 + e^z)", "σ(z)"),
        Activation("gelu", "z Φ(z)", "Φ(z) + z φ(z)"),
        Activation("silu", "z σ(z)", "σ(z)(1 + z(1 - σ(z)))"),
    )
}
