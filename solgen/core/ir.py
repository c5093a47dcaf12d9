"""The expression tree every node of a computation graph is written in.

It keeps the order in which the user (or the network builder) wrote the
terms, so that the symbolic line and the numbers-substituted line of an
equation read the same way.  sympy is used only to differentiate
(see ``symdiff``); printing and evaluation walk this tree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True, slots=True)
class Num:
    value: Fraction
    frac: bool = False  # print as \frac{p}{q} (structural constants such as 1/2)


@dataclass(frozen=True, slots=True)
class Var:
    name: str


@dataclass(frozen=True, slots=True)
class Add:
    terms: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Neg:
    arg: Expr


@dataclass(frozen=True, slots=True)
class Mul:
    factors: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Div:
    num: Expr
    den: Expr


@dataclass(frozen=True, slots=True)
class Pow:
    base: Expr
    exp: Expr


@dataclass(frozen=True, slots=True)
class Call:
    fn: str
    args: tuple[Expr, ...]


Expr = Num | Var | Add | Neg | Mul | Div | Pow | Call

#: functions a spec may call, with their arity
USER_FUNCTIONS: dict[str, int] = {
    "sigmoid": 1,
    "relu": 1,
    "tanh": 1,
    "exp": 1,
    "log": 1,
    "sqrt": 1,
    "abs": 1,
    "sin": 1,
    "cos": 1,
    "max": 2,
    "min": 2,
    "leaky_relu": 2,
    "elu": 2,
    "softplus": 1,
    "gelu": 1,
    "silu": 1,
}
#: a function that may be called with one argument less: the default of its last (a number)
DEFAULT_LAST_ARGUMENT: dict[str, Fraction] = {"leaky_relu": Fraction(1, 100), "elu": Fraction(1)}
#: functions whose last argument must be a number (a slope, not a differentiated quantity)
NUMBER_LAST_ARGUMENT = ("leaky_relu", "elu")
#: functions only derivatives produce (ReLU' and |x|', ...) or the layer and loss builders
#: max pooling: maxpool(x1, ..., xn) is the window's maximum; firstmax(m, x1, ..., xn) its
#: derivative by x_m (1 if x_m is the first maximum in order, else 0: PyTorch's rule)
INTERNAL_FUNCTIONS = ("step", "sign", "softmax", "lstep", "elu_grad", "tie", "Phi", "phi", "huber",
                      "clip", "hinge", "softmax_ce", "maxpool", "firstmax")


def num(value: Fraction | int, frac: bool = False) -> Num:
    return Num(Fraction(value), frac)


def sub(a: Expr, b: Expr) -> Add:
    return Add((a, Neg(b)))


def variables(expr: Expr) -> list[str]:
    """The names an expression uses, in order of first appearance."""
    seen: dict[str, None] = {}
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Var):
            seen.setdefault(node.name)
        else:
            stack.extend(reversed(children(node)))
    return list(seen)


def children(node: Expr) -> tuple[Expr, ...]:
    if isinstance(node, (Num, Var)):
        return ()
    if isinstance(node, Add):
        return node.terms
    if isinstance(node, Mul):
        return node.factors
    if isinstance(node, Neg):
        return (node.arg,)
    if isinstance(node, (Div,)):
        return (node.num, node.den)
    if isinstance(node, Pow):
        return (node.base, node.exp)
    return node.args


def is_leaf(node: Expr) -> bool:
    return isinstance(node, (Num, Var))


def uses(expr: Expr, name: str) -> bool:
    return name in variables(expr)


def rebuild(e: Expr, var: Callable[[Var], Expr], call: Callable[[Call], Expr | None] | None = None) -> Expr:
    """The same tree with each variable replaced by ``var(v)`` (and each call for which
    ``call`` returns an expression, by that expression)."""
    if isinstance(e, Var):
        return var(e)
    if isinstance(e, Num):
        return e
    if isinstance(e, Add):
        return Add(tuple(rebuild(t, var, call) for t in e.terms))
    if isinstance(e, Mul):
        return Mul(tuple(rebuild(t, var, call) for t in e.factors))
    if isinstance(e, Neg):
        return Neg(rebuild(e.arg, var, call))
    if isinstance(e, Div):
        return Div(rebuild(e.num, var, call), rebuild(e.den, var, call))
    if isinstance(e, Pow):
        return Pow(rebuild(e.base, var, call), rebuild(e.exp, var, call))
    if call is not None:
        replaced = call(e)
        if replaced is not None:
            return replaced
    return Call(e.fn, tuple(rebuild(a, var, call) for a in e.args))
