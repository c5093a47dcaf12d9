"""Degenerate variants: what a drawn problem must not do that its base problem did not.

* ``dead_relu``: a ReLU whose input is <= 0 where the base problem's was > 0;
* ``saturation``: a sigmoid or tanh whose input has |z| > 4;
* ``ties``: a kink met exactly (ReLU or abs at 0, max or min of equal arguments);
* ``zero_gradients``: an asked gradient that the key would show as 0 where the base's is not;
* ``duplicates``: the same drawn values as another student's variant (settled in ``variants``).

Every iteration's values are checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from solgen.core.derive import Derivation, NodeDomainError, derive
from solgen.core.evaluate import Value, evaluate
from solgen.core.graph import Graph, build_graph
from solgen.core.ir import Add, Call, Div, Expr, Mul, Neg, Pow
from solgen.errors import SpecError
from solgen.spec.sections import Spec

from .answers import Answer, asked

SATURATION = 4
KINKS = ("relu", "abs", "max", "min")
ADVICE = {
    "dead_relu": "widen the ranges of [variants] vary toward values that keep every ReLU active, "
                 'or drop "dead_relu" from avoid',
    "saturation": "give smaller ranges (|z| <= 4 keeps sigmoid and tanh off their flat tails), "
                  'or drop "saturation" from avoid',
    "ties": 'use a step that does not land on the kink, or drop "ties" from avoid',
    "zero_gradients": "vary values away from those that zero an asked gradient, "
                      'or drop "zero_gradients" from avoid',
    "duplicates": "widen the ranges or add choices: there are fewer distinct variants than students",
    "invalid": "narrow the ranges of [variants] vary to values the problem accepts",
}


@dataclass(frozen=True)
class Failure:
    check: str
    detail: str


@dataclass(frozen=True)
class Call_:
    node: str  # the node whose expression holds the call
    fn: str
    args: tuple[Value, ...]
    arg: str  # the argument's name (or the node's) for messages


@dataclass(frozen=True)
class Analysis:
    graph: Graph
    derivation: Derivation
    calls: tuple[tuple[Call_, ...], ...]  # per iteration
    answers: tuple[Answer, ...]


def advice(check: str) -> str:
    return ADVICE[check]


def analyse(spec: Spec, avoid: frozenset[str]) -> Analysis:
    graph = build_graph(spec)
    try:
        der = derive(graph, spec.learning_rate, spec.iterations, optimizer=spec.optimizer)
    except NodeDomainError as e:
        raise SpecError(spec.file, e.node, e.message) from None
    calls = tuple(tuple(_calls(graph, it.values)) for it in der.iterations)
    return Analysis(graph, der, calls, asked(spec, der))


def _calls(graph: Graph, values: dict[str, Value]) -> Iterator[Call_]:
    for node in graph.nodes:
        if node.expr is None:
            continue
        for c in _walk(node.expr):
            if c.fn in KINKS or c.fn in ("sigmoid", "tanh"):
                args = tuple(evaluate(a, values) for a in c.args)
                first = c.args[0]
                arg = getattr(first, "name", node.name)
                yield Call_(node.name, c.fn, args, arg)


def _walk(e: Expr) -> Iterator[Call]:
    if isinstance(e, Call):
        yield e
        for a in e.args:
            yield from _walk(a)
    elif isinstance(e, (Add, Mul)):
        for t in (e.terms if isinstance(e, Add) else e.factors):
            yield from _walk(t)
    elif isinstance(e, Neg):
        yield from _walk(e.arg)
    elif isinstance(e, Div):
        yield from _walk(e.num)
        yield from _walk(e.den)
    elif isinstance(e, Pow):
        yield from _walk(e.base)
        yield from _walk(e.exp)


def compare(base: Analysis, found: Analysis, avoid: frozenset[str]) -> list[Failure]:
    """Every check in ``avoid`` that the variant fails, first failure first."""
    out: list[Failure] = []
    for k, (was, now) in enumerate(zip(base.calls, found.calls), 1):
        when = f" (iteration {k})" if len(found.calls) > 1 else ""
        for b, c in zip(was, now):
            out.extend(_call_failures(b, c, avoid, when))
    if "zero_gradients" in avoid:
        for b, a in zip(base.answers, found.answers):
            if a.what == "gradient" and _is_zero(a.shown) and not _is_zero(b.shown):
                out.append(Failure("zero_gradients", f"{a.key} shows as 0"))
    return out


def _call_failures(b: Call_, c: Call_, avoid: frozenset[str], when: str) -> list[Failure]:
    out = []
    x = c.args[0]
    if c.fn == "relu" and "dead_relu" in avoid and x < 0 and b.args[0] > 0:
        out.append(Failure("dead_relu", f"a dead ReLU: {c.arg} = {float(x):.4g} < 0{when}"))
    if c.fn in ("relu", "abs") and "ties" in avoid and x == 0:
        out.append(Failure("ties", f"a tie at the kink: {c.arg} = 0 in {c.node}{when}"))
        if c.fn == "relu" and "dead_relu" in avoid and b.args[0] > 0:
            out.append(Failure("dead_relu", f"a dead ReLU: {c.arg} = 0{when}"))
    if c.fn in ("max", "min") and "ties" in avoid and len(set(c.args)) < len(c.args):
        out.append(Failure("ties", f"a tie at the kink: equal arguments of {c.fn} in {c.node}{when}"))
    if c.fn in ("sigmoid", "tanh") and "saturation" in avoid and abs(x) > SATURATION:
        out.append(Failure("saturation", f"a saturated {c.fn}: |{c.arg}| = {abs(float(x)):.4g} > {SATURATION}{when}"))
    return out


def _is_zero(shown: str) -> bool:
    return shown.strip("-") == "0"
