"""Self-check: every gradient against central differences, before anything is written.

The adjoint of a node is the derivative of the loss with respect to an
additive nudge of that node's value.  Nudging every input, parameter and
node at once along a random direction v, the central difference
(L(+h v) - L(-h v)) / 2h must equal sum_n v_n dL/dn.  With continuous random
weights v, a wrong gradient (or several) makes the two sides differ except on
a set of directions of measure zero, so one direction per iteration checks
every gradient at the cost of two forward passes (80-digit arithmetic,
h = 1e-30, so the O(h^2) truncation error is far below any real disagreement;
an iteration that ``derive`` had to compute with more digits is checked with
twice its digits and a step to match).  The same two passes check every
forward value: their mean must equal the value derive reported.
On a disagreement each quantity is checked alone to name the one that is
wrong.  Where a nudge leaves a function's domain (a value on the edge of
log's), that iteration cannot be checked this way and is passed over.
"""

from __future__ import annotations

import random

from solgen.errors import VerifyError

from .derive import Derivation, Iteration
from .evaluate import MP, WATCH, DomainError, Value, evaluate, mul, to_mpf
from .graph import Graph

DIGITS = 80
TOLERANCE = MP.mpf("1e-12")  # relative to the size of the terms compared
VALUE_TOLERANCE = MP.mpf("1e-20")  # a forward value, relative: a double carries 16 digits
TINIEST = MP.mpf("2.2e-308")  # absolute: below a double's smallest normal number, 0 is as right


def verify(derivation: Derivation) -> None:
    for step in derivation.iterations:
        digits = max(DIGITS, 2 * step.digits)
        with MP.workdps(digits):
            try:
                _check(derivation.graph, step)
            except (DomainError, OverflowError):
                continue  # a nudge left a function's domain: this iteration cannot be checked


def _step(step: Iteration) -> Value:
    """h: 1e-30 at 80 digits, smaller when derive needed more digits (a value near a
    singularity, where a larger step would see the curvature)."""
    return MP.mpf(10) ** -(3 * max(DIGITS, 2 * step.digits) // 8)


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
    h = _step(step)
    up, down = _forward(graph, step, direction, h), _forward(graph, step, direction, -h)
    _check_values(graph, step, up, down)
    fd = (_total(graph, up) - _total(graph, down)) / (2 * h)
    terms = [to_mpf(mul(v, step.adjoint[n])) for n, v in direction.items()]
    analytic = MP.fsum(terms)
    scale = MP.fsum(abs(t) for t in terms)
    return abs(fd - analytic) <= TOLERANCE * scale + _floor(graph, step)


def _size(v: Value) -> Value:
    m = abs(to_mpf(v))
    return m if 0 < m < 1 else MP.mpf(1)


def _floor(graph: Graph, step: Iteration) -> Value:
    """Absolute, times (1 + |L|): central differences err by O(h^2)."""
    size = abs(to_mpf(step.values["L"])) if graph.has_loss else 0
    return _step(step) ** 2 * MP.mpf(10) ** 20 * (1 + size) + TINIEST


def _check_values(graph: Graph, step: Iteration, up: dict[str, Value], down: dict[str, Value]) -> None:
    """Every computed value against the mean of the two nudged passes (off by O(h^2))."""
    floor = _step(step) ** 2 * MP.mpf(10) ** 20 + TINIEST
    for node in graph.nodes:
        if node.expr is None:
            continue
        key = f"<{node.name}>"
        mean = (to_mpf(up[key]) + to_mpf(down[key])) / 2
        got = to_mpf(step.values[node.name])
        if abs(mean - got) > VALUE_TOLERANCE * max(abs(mean), abs(got)) + floor * (1 + abs(got)):
            raise VerifyError(
                f"verification failed in iteration {step.index + 1}: {node.name} is {_text(got)} "
                f"but computing it again with {MP.dps} digits gives {_text(mean)}; "
                "this is a bug in solgen, please report it"
            )


def _locate(graph: Graph, step: Iteration, names: list[str]) -> None:
    for name in names:
        nudge = {name: _size(step.values[name])}
        h = _step(step)
        fd = (_loss(graph, step, nudge, h) - _loss(graph, step, nudge, -h)) / (2 * h * nudge[name])
        got = to_mpf(step.adjoint[name])
        if abs(fd - got) > TOLERANCE * (abs(fd) + abs(got)) + _floor(graph, step):
            rel = abs(fd - got) / max(abs(fd), abs(got))
            raise VerifyError(
                f"verification failed in iteration {step.index + 1}: dL/d{name} is {_text(got)} "
                f"but central differences give {_text(fd)} (relative difference {_text(rel)}); "
                "this is a bug in solgen, please report it"
            )
    raise VerifyError(f"verification failed in iteration {step.index + 1}: the gradients disagree "
                      "with central differences; this is a bug in solgen, please report it")


def _loss(graph: Graph, step: Iteration, direction: dict[str, Value], eps: Value) -> Value:
    return _total(graph, _forward(graph, step, direction, eps))


def _forward(graph: Graph, step: Iteration, direction: dict[str, Value], eps: Value) -> dict[str, Value]:
    """The forward pass with every node nudged by eps times its direction; the result holds
    each node's value before its own nudge under ``"<name>"`` and after it under its name."""
    values: dict[str, Value] = {}
    before: dict[str, Value] = {}
    WATCH.reset()  # what earlier passes lost says nothing about this one (a stale count zeroed 1 + h)
    for node in graph.nodes:
        if node.expr is None:
            v = step.values[node.name]
        else:
            v = evaluate(node.expr, values, zero_kinks=step.zero_kinks)
            before[node.name] = v
        nudge = direction.get(node.name)
        # v + eps nudge, rounded once (as ``add`` would: a nudge of 1e-30 relative cancels nothing)
        values[node.name] = to_mpf(v) + eps * nudge if nudge is not None else v
    return {**values, **{f"<{k}>": v for k, v in before.items()}}


def _total(graph: Graph, values: dict[str, Value]) -> Value:
    if graph.has_loss:
        return to_mpf(values["L"])
    return MP.fsum(to_mpf(mul(g, values[n])) for n, g in graph.upstream.items())


def _text(v: Value) -> str:
    with MP.workdps(17):
        return MP.nstr(+to_mpf(v), 17)
