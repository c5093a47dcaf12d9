"""The expression parser: what it accepts, in order, and what it refuses."""

from fractions import Fraction

import pytest

from solgen.core.ir import Add, Call, Div, Mul, Neg, Num, Pow, Var
from solgen.errors import ExprError
from solgen.spec.expr import parse_definition, parse_expression


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("u11*A1 + u12*A2", Add((Mul((Var("u11"), Var("A1"))), Mul((Var("u12"), Var("A2")))))),
        ("(D - t)^2", Pow(Add((Var("D"), Neg(Var("t")))), Num(Fraction(2)))),
        ("(D - t)**2", Pow(Add((Var("D"), Neg(Var("t")))), Num(Fraction(2)))),
        ("0.15", Num(Fraction(3, 20))),
        ("-0.5", Num(Fraction(-1, 2))),
        ("-a*b", Neg(Mul((Var("a"), Var("b"))))),
        ("a/b", Div(Var("a"), Var("b"))),
        ("sigmoid(z)", Call("sigmoid", (Var("z"),))),
        ("1e-3*x", Mul((Num(Fraction(1, 1000)), Var("x")))),
    ],
)
def test_parses_in_the_order_written(text: str, tree: object) -> None:
    assert parse_expression(text) == tree


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os').system('true')", "only the functions sigmoid, relu"),
        ("__import__('os')", "unknown function '__import__'"),
        ("a.b", "attribute access"),
        ("lambda: 1", "lambdas"),
        ("[x for x in y]", "comprehensions"),
        ("a[1]", "subscripts"),
        ("foo(x)", "unknown function 'foo'"),
        ("a %", "incomplete expression"),
        ("a % b", "operator '%'"),
        ("'text'", "strings are not allowed"),
        ("", "empty expression"),
        ("x < y", "comparisons"),
        ("sigmoid(x, y)", "exactly one argument"),
        ("sigmoid", "is a function"),
    ],
)
def test_refuses(text: str, message: str) -> None:
    with pytest.raises(ExprError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_expression(text)


def test_definition_name_and_expression() -> None:
    assert parse_definition("B1 = u11*A1") == ("B1", Mul((Var("u11"), Var("A1"))))
    with pytest.raises(ExprError, match="not a valid name"):
        parse_definition("1B = x")
    with pytest.raises(ExprError, match="reserved"):
        parse_definition("L = x")
