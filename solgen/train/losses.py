"""Losses as data: name -> how the loss of one example is built from outputs and targets.

Derivatives are not written here: ``symdiff`` differentiates the expressions these build.
A builder gets the outputs ``a``, the target quantities ``t`` and the loss's ``Options``
(its key values, and what the targets are known to be).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

from solgen.core.ir import Add, Call, Expr, Mul, Neg, Num, Pow, Var, sub
from solgen.record import record

HALF = Num(Fraction(1, 2), frac=True)


@record
class Options:
    delta: Fraction = Fraction(1)  # huber
    margin: Fraction = Fraction(1)  # multiclass_hinge
    label: int = 0  # the labelled class y (1-based) of this example, for multiclass_hinge
    normalized: bool = False  # the targets are known to sum to 1 (labels, or given so)


def _squared_error(a: Sequence[Var], t: Sequence[Var], o: Options) -> Expr:
    return _sum(Pow(sub(aj, tj), Num(Fraction(2))) for aj, tj in zip(a, t))


def _half_squared_error(a: Sequence[Var], t: Sequence[Var], o: Options) -> Expr:
    return _sum(Mul((HALF, Pow(sub(tj, aj), Num(Fraction(2))))) for aj, tj in zip(a, t))


def _mean(a: Sequence[Var], body: Expr) -> Expr:
    return Mul((Num(Fraction(1, len(a)), frac=True), body)) if len(a) > 1 else body


def _mse(a: Sequence[Var], t: Sequence[Var], o: Options) -> Expr:
    return _mean(a, _squared_error(a, t, o))  # one output: (a - t)^2, never 1(a - t)^2


def _bce(a: Sequence[Var], t: Sequence[Var], o: Options) -> Expr:
    one = Num(Fraction(1))
    terms = (
        Add((Mul((tj, Call("log", (aj,)))), Mul((sub(one, tj), Call("log", (sub(one, aj),))))))
        for aj, tj in zip(a, t)
    )
    return Neg(_sum(terms, group=True))


def _cross_entropy(a: Sequence[Var], t: Sequence[Var], o: Options) -> Expr:
    return Neg(_sum((Mul((tj, Call("log", (aj,)))) for aj, tj in zip(a, t)), group=True))


def _mae(a: Sequence[Var], t: Sequence[Var], o: Options) -> Expr:
    return _mean(a, _sum(Call("abs", (sub(aj, tj),)) for aj, tj in zip(a, t)))


def _huber(a: Sequence[Var], t: Sequence[Var], o: Options) -> Expr:
    return _mean(a, _sum(Call("huber", (sub(aj, tj), Num(o.delta))) for aj, tj in zip(a, t)))


def _softmax_ce(a: Sequence[Var], t: Sequence[Var], o: Options) -> Expr:
    return Call("softmax_ce", (Num(Fraction(1 if o.normalized else 0)), *a, *t))


def _multiclass_hinge(a: Sequence[Var], t: Sequence[Var], o: Options) -> Expr:
    y = a[o.label - 1]
    return _sum(Call("hinge", (Add((aj, Neg(y), Num(o.margin))),)) for j, aj in enumerate(a, 1) if j != o.label)


def _sum(terms: Sequence[Expr] | object, group: bool = False) -> Expr:
    items = tuple(terms)  # type: ignore[arg-type]
    if len(items) == 1 and not group:
        return items[0]
    return Add(items)


@record
class Loss:
    name: str
    build: Callable[[Sequence[Var], Sequence[Var], Options], Expr]
    keys: tuple[str, ...] = ()  # its keys of [network] (huber's delta, the hinge's margin)
    classes: bool = False  # a classification loss: may take labels instead of targets
    min_outputs: int = 1


LOSSES: dict[str, Loss] = {
    x.name: x
    for x in (
        Loss("squared_error", _squared_error),
        Loss("half_squared_error", _half_squared_error),
        Loss("mse", _mse),
        Loss("binary_cross_entropy", _bce),
        Loss("cross_entropy", _cross_entropy, classes=True),
        Loss("mae", _mae),
        Loss("huber", _huber, ("delta",)),
        Loss("softmax_cross_entropy", _softmax_ce, classes=True),
        Loss("multiclass_hinge", _multiclass_hinge, ("margin",), classes=True, min_outputs=2),
    )
}
