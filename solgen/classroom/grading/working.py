"""Recomputing one step from a student's own values, with the graph's local formula.

``get(key)`` gives the student's value of an earlier step (their answer, or where they
left it blank, what follows from their answers).  A forward step evaluates its node's
expression; a gradient step sums, over the node's children, the child's gradient times
the local partial (``derive.local_formulas``) at the student's forward values; an update
is ``old - eta * gradient``.  The optional arguments change one piece of that working,
which is how the mistakes in ``mistakes`` recompute a number *with* a mistake.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from fractions import Fraction

from solgen.core.evaluate import DomainError, Value, add, evaluate, mul
from solgen.core.ir import Expr

from .sheet import Key, Sheet, Step

Lookup = Callable[[Key], Value]
Local = Callable[[str, "Env"], Value | None]  # (child, env) -> a replacement local partial, or None
FAILURES = (DomainError, OverflowError, ZeroDivisionError, ValueError, KeyError)


class Env(Mapping[str, Value]):
    """The values a formula of iteration k sees: given values, and the student's for the rest."""

    def __init__(self, sheet: Sheet, get: Lookup, k: int, rename: Mapping[str, str] | None = None) -> None:
        self.sheet, self.get, self.k, self.rename = sheet, get, k, rename or {}

    def __getitem__(self, name: str) -> Value:
        name = self.rename.get(name, name)
        node = self.sheet.graph.by_name[name]
        if node.kind in ("input", "constant"):
            return node.value  # type: ignore[return-value]
        if node.kind == "param":
            if self.k > 0 and self.sheet.updates(name):
                return self.get(("old", name, self.k))
            return node.value  # type: ignore[return-value]
        return self.get(("forward", name, self.k))

    def __iter__(self) -> Iterator[str]:
        return iter(self.sheet.graph.by_name)

    def __len__(self) -> int:
        return len(self.sheet.graph.by_name)


def forward(sheet: Sheet, step: Step, get: Lookup, expr: Expr | None = None,
            rename: Mapping[str, str] | None = None) -> Value:
    node = sheet.graph.by_name[step.node]
    return evaluate(expr or node.expr, Env(sheet, get, step.iteration, rename))  # type: ignore[arg-type]


def gradient_terms(sheet: Sheet, step: Step, get: Lookup, local: Local | None = None) -> list[tuple[str, Value]]:
    """The terms of dL/d(node): the upstream gradient (if given), then one per child."""
    g, k = sheet.graph, step.iteration
    env = Env(sheet, get, k)
    terms: list[tuple[str, Value]] = []
    if step.node in g.upstream:
        terms.append(("", g.upstream[step.node]))
    for child in g.children[step.node]:
        partial = local(child, env) if local else None
        if partial is None:
            partial = evaluate(sheet.formulas[(child, step.node)], env)
        upstream = Fraction(1) if child == "L" else get(("gradient", child, k))
        terms.append((child, mul(upstream, partial)))
    return terms


def total(terms: list[tuple[str, Value]]) -> Value:
    out: Value = Fraction(0)
    for _, v in terms:
        out = add(out, v)
    return out


def update(sheet: Sheet, step: Step, get: Lookup, sign: int = -1, old_from: int | None = None,
           grad_from: int | None = None) -> Value:
    """``old + sign * eta * gradient``; ``old_from``/``grad_from`` take them from another iteration."""
    k = step.iteration
    ko = k if old_from is None else old_from
    old = get(("old", step.node, ko)) if ko > 0 else sheet.given_value(step.node)
    grad = get(("gradient", step.node, k if grad_from is None else grad_from))
    choice = sheet.derivation.optimizer
    if choice is not None and choice.given:  # an [optimizer]: its step, with the key's state before it
        from solgen.train.optimizers import OPTIMIZERS

        before = sheet.derivation.iterations[k - 2].state.get(step.node, {}) if k > 1 else {}
        new, _, _ = OPTIMIZERS[choice.name].step(choice.hyper, old, grad, before, k)  # type: ignore[arg-type]
        return new if sign < 0 else add(old, add(old, -1 * new))  # the sign mistake: the step reversed
    return add(old, sign * mul(sheet.learning_rate, grad))  # type: ignore[arg-type]


def compute(sheet: Sheet, step: Step, get: Lookup) -> Value:
    """The step's value from the student's values of its inputs, with the graph's own formula."""
    if step.kind == "forward":
        return forward(sheet, step, get)
    if step.kind == "gradient":
        return total(gradient_terms(sheet, step, get))
    if step.kind == "update":
        return update(sheet, step, get)
    return get(("update", step.node, step.iteration - 1))


def traced(fn: Callable[[Lookup], Value], get: Lookup) -> tuple[Value, list[Key]]:
    """``fn(get)`` and the steps it read."""
    seen: dict[Key, None] = {}

    def spy(key: Key) -> Value:
        seen.setdefault(key)
        return get(key)

    return fn(spy), list(seen)
