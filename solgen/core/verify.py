"""Self-check: every gradient against central differences, before anything is written.

The adjoint of a node is the derivative of the loss with respect to an
additive nudge of that node's value.  Nudging every input, parameter and
node at once along a random direction v, the central difference
(L(+h v) - L(-h v)) / 2h must equal sum_n v_n dL/dn.  With continuous random
weights v, a wrong gradient (or several) makes the two sides differ except on
a set of directions of measure zero, so one direction per iteration checks
every gradient at the cost of two forward passes (80-digit arithmetic,
h = 1e-30, so the O(h^2) truncation error is far below any real disagreement).
On a disagreement each quantity is checked alone to name the one that is
wrong.  Where a nudge leaves a function's domain (a value on the edge of
log's), that iteration cannot be checked this way and is passed over.
"""

from __future__ import annotations

import random

from solgen.errors import VerifyError

from .derive import Derivation, Iteration
from .evaluate import MP, DomainError, Value, add, evaluate, mul, to_mpf
from .graph import Graph

DIGITS = 80
H = MP.mpf("1e-30")
TOLERANCE = MP.mpf("1e-12")  # relative to the size of the terms compared
FLOOR = MP.mpf("1e-40")  # absolute, times (1 + |L|): central differences err by O(h^2)


def verify(derivation: Derivation) -> None:
    with MP.workdps(DIGITS):
        for step in derivation.iterations:
            try:
                _check(derivation.graph, step)
            except (DomainError, OverflowError):
                continue  # a nudge left a function's domain: this iteration cannot be checked


def _check(graph: Graph, step: Iteration) -> None:
    names = [n.name for n in graph.nodes if n.kind not in ("constant", "loss")]
    rng = random.Random(20261124 + step.index)
    # nudges are relative to each value, so that a tiny positive value (a softmax
    # output, say) stays inside log's domain
    direction = {n: MP.mpf(rng.choice((-1, 1)) * rng.uniform(0.5, 1.0)) * _size(step.values[n])
                 for n in names}
    if not _agrees(graph, step, direction):
        _locate(graph, step, names)


def _agrees(graph: Graph, step: Iteration, direction: dict[str, Value]) -> bool:
    fd = (_loss(graph, step, direction, H) - _loss(graph, step, direction, -H)) / (2 * H)
    terms = [to_mpf(mul(v, step.adjoint[n])) for n, v in direction.items()]
    analytic = MP.fsum(terms)
    scale = MP.fsum(abs(t) for t in terms)
    return abs(fd - analytic) <= TOLERANCE * scale + _floor(graph, step)


def _size(v: Value) -> Value:
    m = abs(to_mpf(v))
    return m if 0 < m < 1 else MP.mpf(1)


def _floor(graph: Graph, step: Iteration) -> Value:
    size = abs(to_mpf(step.values["L"])) if graph.has_loss else 0
    return FLOOR * (1 + size)


def _locate(graph: Graph, step: Iteration, names: list[str]) -> None:
    for name in names:
        nudge = {name: _size(step.values[name])}
        fd = (_loss(graph, step, nudge, H) - _loss(graph, step, nudge, -H)) / (2 * H * nudge[name])
        got = to_mpf(step.adjoint[name])
        if abs(fd - got) > TOLERANCE * (abs(fd) + abs(got)) + _floor(graph, step):
            rel = abs(fd - got) / max(abs(fd), abs(got))
            raise VerifyError(
                f"verification failed in iteration {step.index + 1}: dL/d{name} is {MP.nstr(got, 10)} "
                f"but central differences give {MP.nstr(fd, 10)} (relative difference {MP.nstr(rel, 3)}); "
                "this is a bug in solgen, please report it"
            )
    raise VerifyError(f"verification failed in iteration {step.index + 1}: the gradients disagree "
                      "with central differences; this is a bug in solgen, please report it")


def _loss(graph: Graph, step: Iteration, direction: dict[str, Value], eps: Value) -> Value:
    values: dict[str, Value] = {}
    for node in graph.nodes:
        if node.expr is None:
            v = step.values[node.name]
        else:
            v = evaluate(node.expr, values, zero_kinks=step.zero_kinks)
        nudge = direction.get(node.name)
        values[node.name] = add(v, mul(eps, nudge)) if nudge is not None else v
    if graph.has_loss:
        return to_mpf(values["L"])
    return MP.fsum(to_mpf(mul(g, values[n])) for n, g in graph.upstream.items())
