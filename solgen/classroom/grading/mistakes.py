"""Known mistakes, as data: each recomputes a step *with* the mistake from the student's own values.

A diagnosis is never a guess: a wrong answer is explained by a mistake only when one of the
mistake's variants, recomputed from the student's values, gives the student's number (and
the correct working does not).  Each entry has a name, its sentence in the message catalog
(``grading.mistakes.<name>``) and ``variants(sheet, step)``: the ways the mistake can enter
that step, each a function of the student's values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction

from solgen.core.evaluate import Value, evaluate, mul
from solgen.core.ir import Add, Call, Div, Expr, Mul, Num, Pow, Var, children, num, sub
from solgen.messages import text

from .sheet import Sheet, Step
from .working import Env, Lookup, forward, gradient_terms, total, update

Variant = Callable[[Lookup], Value]


@dataclass(frozen=True)
class Mistake:
    name: str
    variants: Callable[[Sheet, Step], Iterator[Variant]]

    @property
    def description(self) -> str:
        return text(f"grading.mistakes.{self.name}")


def _fed(sheet: Sheet, step: Step, fn: str) -> list[str]:
    """The children of a gradient step's node that apply ``fn`` to it alone (a = fn(z))."""
    if step.kind != "gradient":
        return []
    g = sheet.graph
    return [c for c in g.children[step.node] if g.by_name[c].expr == Call(fn, (Var(step.node),))]


def _local(sheet: Sheet, step: Step, kids: list[str], formula: Callable[[str], Expr]) -> Iterator[Variant]:
    """One variant: the local partial of each child in ``kids`` replaced by ``formula(child)``."""
    if kids:
        def local(child: str, env: Env) -> Value | None:
            return evaluate(formula(child), env) if child in kids else None

        yield lambda get: total(gradient_terms(sheet, step, get, local))


def _scaled(sheet: Sheet, step: Step, kids: list[str], factor: Fraction) -> Variant:
    def variant(get: Lookup) -> Value:
        return total([(c, mul(v, factor) if c in kids else v) for c, v in gradient_terms(sheet, step, get)])

    return variant


def missing_path(sheet: Sheet, step: Step) -> Iterator[Variant]:
    if step.kind != "gradient":
        return
    count = len(sheet.graph.children[step.node]) + (step.node in sheet.graph.upstream)
    if count < 2:
        return
    for i in range(count):
        yield lambda get, i=i: total([t for j, t in enumerate(gradient_terms(sheet, step, get)) if j != i])


def sigmoid_ratio(sheet: Sheet, step: Step) -> Iterator[Variant]:
    one, two = num(1), num(2)
    yield from _local(sheet, step, _fed(sheet, step, "sigmoid"), lambda a: Div(Var(a), Pow(sub(one, Var(a)), two)))


def sigmoid_at_z(sheet: Sheet, step: Step) -> Iterator[Variant]:
    z = Var(step.node)
    yield from _local(sheet, step, _fed(sheet, step, "sigmoid"), lambda a: Mul((z, sub(num(1), z))))


def relu_negative(sheet: Sheet, step: Step) -> Iterator[Variant]:
    expr = sheet.graph.by_name[step.node].expr
    if step.kind == "forward" and isinstance(expr, Call) and expr.fn == "relu":
        yield lambda get: forward(sheet, step, get, expr=expr.args[0])
    yield from _local(sheet, step, _fed(sheet, step, "relu"), lambda a: num(1))


def _mean_factor(expr: Expr | None) -> Fraction | None:
    """n where the expression multiplies a sum by 1/n (n >= 2): a mean over terms."""
    if expr is None:
        return None
    if isinstance(expr, Mul):
        for f in expr.factors:
            if (isinstance(f, Num) and f.value.numerator == 1 and f.value.denominator >= 2
                    and any(isinstance(o, Add) for o in expr.factors)):
                return Fraction(f.value.denominator)
    for c in children(expr):
        found = _mean_factor(c)
        if found:
            return found
    return None


def missing_mean(sheet: Sheet, step: Step) -> Iterator[Variant]:
    g = sheet.graph
    if step.kind == "forward":
        n = _mean_factor(g.by_name[step.node].expr)
        if n:
            yield lambda get: mul(forward(sheet, step, get), n)
    elif step.kind == "gradient":
        for child in g.children[step.node]:
            n = _mean_factor(g.by_name[child].expr)
            if n:
                yield _scaled(sheet, step, [child], n)


def _has_two(expr: Expr | None) -> bool:
    """A square, a 2 or a 1/2 in the expression: where a factor of 2 can go missing."""
    if expr is None:
        return False
    if isinstance(expr, Pow) and expr.exp == Num(Fraction(2)):
        return True
    if isinstance(expr, Num):
        return expr.value in (2, Fraction(1, 2))
    return any(_has_two(c) for c in children(expr))


def factor_two(sheet: Sheet, step: Step) -> Iterator[Variant]:
    g = sheet.graph
    for factor in (Fraction(2), Fraction(1, 2)):
        if step.kind == "forward" and _has_two(g.by_name[step.node].expr):
            yield lambda get, f=factor: mul(forward(sheet, step, get), f)
        elif step.kind == "gradient":
            kids = [c for c in g.children[step.node] if _has_two(g.by_name[c].expr)]
            if kids:
                yield _scaled(sheet, step, kids, factor)


def _transpose(sheet: Sheet, layer: int) -> dict[str, str] | None:
    """W{l}[r,c] -> W{l}[c,r] for every weight of a layer, or None if the matrix is not square."""
    out = {}
    for p in sheet.graph.params:
        if p.role == "W" and p.layer == layer:
            r, c = p.index
            other = f"W{layer}[{c},{r}]"
            if other not in sheet.graph.by_name:
                return None
            out[p.name] = other
    return out


def w_transposed(sheet: Sheet, step: Step) -> Iterator[Variant]:
    g = sheet.graph
    node = g.by_name[step.node]
    if step.kind == "forward" and node.role == "z":
        swap = _transpose(sheet, node.layer)
        if swap:
            yield lambda get: forward(sheet, step, get, rename=swap)
    elif step.kind == "gradient" and node.role == "W" and node.index[0] != node.index[1]:
        other = sheet.by_key.get(("gradient", f"W{node.layer}[{node.index[1]},{node.index[0]}]", step.iteration))
        if other is not None:
            yield lambda get: total(gradient_terms(sheet, other, get))
    elif step.kind == "gradient":
        kids = [c for c in g.children[step.node] if g.by_name[c].role == "z"]
        swaps = {c: _transpose(sheet, g.by_name[c].layer) for c in kids}
        if kids and all(swaps.values()):
            def local(child: str, env: Env) -> Value | None:
                renamed = Env(env.sheet, env.get, env.k, swaps[child])
                return evaluate(sheet.formulas[(child, step.node)], renamed)

            yield lambda get: total(gradient_terms(sheet, step, get, local))


def update_sign(sheet: Sheet, step: Step) -> Iterator[Variant]:
    if step.kind == "update":
        yield lambda get: update(sheet, step, get, sign=1)


def stale_update(sheet: Sheet, step: Step) -> Iterator[Variant]:
    k = step.iteration
    if step.kind == "update" and k > 0:
        yield lambda get: update(sheet, step, get, old_from=k - 1)
        yield lambda get: update(sheet, step, get, grad_from=k - 1)
    elif step.kind == "old":  # the iteration starts from the parameter before the update
        yield lambda get: get(("old", step.node, k - 1)) if k > 1 else sheet.given_value(step.node)


MISTAKES: dict[str, Mistake] = {
    m.name: m
    for m in (
        Mistake("relu_negative", relu_negative),
        Mistake("sigmoid_ratio", sigmoid_ratio),
        Mistake("sigmoid_at_z", sigmoid_at_z),
        Mistake("w_transposed", w_transposed),
        Mistake("missing_path", missing_path),
        Mistake("missing_mean", missing_mean),
        Mistake("factor_two", factor_two),
        Mistake("update_sign", update_sign),
        Mistake("stale_update", stale_update),
    )
}
