"""Local partials by sympy.diff of single terms equal sympy.diff of the whole node expression."""

import random
from fractions import Fraction

import pytest
import sympy as sp

from solgen.core.evaluate import evaluate, to_mpf
from solgen.core.ir import Call, Num, Var, variables
from solgen.core.symdiff import Absolute, Relu, Sigmoid, Sign, Step, local_partial, to_sympy
from solgen.spec.expr import parse_expression

EXPRESSIONS = [
    "u11*A1 + u12*A2 + b",
    "(D - t)^2 + 0.5*D*t",
    "sigmoid(z)*w + tanh(z)^2",
    "log(exp(x) + 1) - sqrt(x^2 + 1)/(y^2 + 1)",
    "abs(x - y)*exp(-x) + x^y",
    "relu(x*y - 1) + relu(-x)",
]


def _whole(expr_text: str, var: str) -> sp.Expr:
    """The derivative of the whole expression, with sympy's own Heaviside-free functions."""
    e = to_sympy(parse_expression(expr_text))
    return sp.diff(e, sp.Symbol(var, real=True))


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_local_partial_matches_whole_expression_derivative(text: str) -> None:
    expr = parse_expression(text)
    rng = random.Random(7)
    for _ in range(5):
        env = {v: Fraction(rng.randint(3, 19), 7) for v in variables(expr)}
        subs = {sp.Symbol(k, real=True): sp.Rational(v.numerator, v.denominator) for k, v in env.items()}
        for v in variables(expr):
            ours = to_mpf(evaluate(local_partial(expr, v, {}), env))
            theirs = _whole(text, v).subs(subs)
            theirs = theirs.replace(Sigmoid, lambda a: 1 / (1 + sp.exp(-a)))
            theirs = theirs.replace(Relu, lambda a: sp.Max(0, a)).replace(Step, lambda a: sp.Heaviside(a, 0))
            theirs = theirs.replace(Absolute, sp.Abs).replace(Sign, sp.sign)
            assert abs(ours - sp.N(theirs, 30)) < 1e-20 * (1 + abs(ours))


def test_sigmoid_tanh_and_relu_derivatives_read_as_hand_work() -> None:
    s, t, r = (Call(f, (Var("z"),)) for f in ("sigmoid", "tanh", "relu"))
    apps = {s: "a", t: "h", r: "y"}
    from solgen.core.numbers import NumberFormat
    from solgen.render.latex import Printer

    p = Printer({"a": "a", "h": "h", "z": "z"}, NumberFormat())
    assert p(local_partial(s, "z", apps)) == "a\\left(1 - a\\right)"
    assert p(local_partial(t, "z", apps)) == "1 - h^{2}"
    assert p(local_partial(r, "z", apps)) == "\\mathbf{1}\\left[z > 0\\right]"


def test_relu_derivative_at_zero_is_zero() -> None:
    step = local_partial(Call("relu", (Var("z"),)), "z", {})
    assert evaluate(step, {"z": Fraction(0)}) == 0
    assert evaluate(step, {"z": Fraction(1, 10)}) == 1
    assert evaluate(Num(Fraction(1)), {}) == 1
