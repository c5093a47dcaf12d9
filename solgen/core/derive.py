"""Forward values, local partials, adjoints and updates, iteration by iteration.

Reverse mode: each node's adjoint is the sum over its children of
(child's adjoint) x (local partial), so every edge is visited once and a node
used by several others sums every path.

Each iteration runs at the lowest precision at which its values are known
(``LEVELS``): 40 digits unless an operation lost more bits than the working
precision can spare (1 - sigmoid(91) at 40 digits keeps about one digit), in
which case it runs again with twice the digits, until every operation kept at
least ``KEEP`` bits, or two precisions agree, or the magnitudes involved need no
more (a sum of equal terms is 0 at every precision).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field, replace
from fractions import Fraction

from mpmath.libmp import dps_to_prec

from solgen.record import record
from solgen.train.optimizers import OPTIMIZERS, OptimizerChoice, State, Work

from .evaluate import MP, WATCH, DomainError, Value, evaluate, mul, to_mpf, total
from .graph import Graph
from .ir import Call, Expr
from .numbers import carry
from .partials import local_partial, terms_by_variable

Edge = tuple[str, str]  # (child, parent)


class NodeDomainError(ValueError):
    def __init__(self, node: str, iteration: int, message: str) -> None:
        super().__init__(message)
        self.node, self.iteration, self.message = node, iteration, message


@record
class Iteration:
    index: int
    values: dict[str, Value]
    local: dict[Edge, Value]
    adjoint: dict[str, Value]
    updated: dict[str, Value]
    zero_kinks: frozenset[Call]
    digits: int = 40  # the working precision the values were computed at
    state: dict[str, State] = field(default_factory=dict)  # parameter -> its optimizer state after the step
    work: dict[str, Work] = field(default_factory=dict)  # parameter -> the step's intermediate values


@record
class Derivation:
    graph: Graph
    formulas: dict[Edge, Expr]
    iterations: tuple[Iteration, ...]
    learning_rate: Fraction | None
    optimizer: OptimizerChoice | None = None  # None: no updates


def local_formulas(graph: Graph) -> dict[Edge, Expr]:
    apps = {n.expr: n.name for n in graph.nodes if isinstance(n.expr, Call)}
    out: dict[Edge, Expr] = {}
    for node in graph.nodes:
        if node.expr is None:
            continue
        terms = terms_by_variable(node.expr)
        for p in node.parents:
            if graph.by_name[p].kind != "constant":
                try:
                    out[(node.name, p)] = local_partial(node.expr, p, apps, terms)
                except DomainError as e:
                    raise NodeDomainError(node.name, 0, str(e)) from None
                except NotImplementedError as e:  # a derivative solgen has no way to show
                    raise NodeDomainError(node.name, 0, f"solgen cannot show its derivative ({e})") from None
    return out


def derive(graph: Graph, learning_rate: Fraction | None, iterations: int,
           carry_digits: int | None = None, optimizer: OptimizerChoice | None = None) -> Derivation:
    """Run every iteration; ``carry_digits`` rounds each value as it is produced.

    ``optimizer`` steps the parameters (default: plain gradient descent with ``learning_rate``;
    neither: no updates)."""
    settle: Callable[[Value], Value] = (
        (lambda v: carry(v, carry_digits)) if carry_digits else (lambda v: v)
    )
    if optimizer is None and learning_rate is not None:
        optimizer = OptimizerChoice.plain(learning_rate)
    if optimizer is not None:
        learning_rate = optimizer.hyper["lr"]
    formulas = local_formulas(graph)  # may raise NodeDomainError
    params = {n.name: n.value for n in graph.nodes if n.kind == "param"}
    state: dict[str, State] = {}
    steps = []
    for k in range(iterations):
        step = _precise_iteration(graph, formulas, params, k, settle, optimizer, state)
        state = step.state
        steps.append(step)
        params = {**params, **step.updated}
    return Derivation(graph, formulas, tuple(steps), learning_rate, optimizer)


def _step(graph: Graph, choice: OptimizerChoice, step: Iteration, params: dict[str, Value],
          state: dict[str, State], settle: Callable[[Value], Value]) -> Iteration:
    """One optimizer step of every parameter that is not frozen."""
    optimizer = OPTIMIZERS[choice.name]
    updated: dict[str, Value] = {}
    after: dict[str, State] = {}
    work: dict[str, Work] = {}
    for name in params:
        if name in graph.frozen:
            continue
        value, new, shown = optimizer.step(choice.hyper, params[name], step.adjoint[name],
                                           state.get(name, {}), step.index + 1)
        updated[name] = settle(value)
        after[name] = {k: settle(v) for k, v in new.items()}
        work[name] = {k: settle(v) for k, v in shown.items()}
    return replace(step, updated=updated, state=after, work=work)


LEVELS = (40, 80, 160, 320, 640, 1280, 2560, 5120, 10240)
KEEP = 100  # bits every operation must keep (a double needs 53)
AGREE = MP.mpf(2) ** -90  # two precisions agree: relative difference below this


def _precise_iteration(graph: Graph, formulas: dict[Edge, Expr], params: dict[str, Value], k: int,
                       settle: Callable[[Value], Value], optimizer: OptimizerChoice | None,
                       state: dict[str, State]) -> Iteration:
    """The iteration at the first of ``LEVELS`` whose values are known to far more than
    double precision (see the module's note)."""
    before: Iteration | None = None
    cap = LEVELS[-1]
    for digits in LEVELS:
        WATCH.reset()
        with MP.workdps(digits):
            try:
                step = _iteration(graph, formulas, params, k, settle)
                if optimizer is not None:  # the step too, at this precision
                    step = _step(graph, optimizer, step, params, state, settle)
                failed = None
            except NodeDomainError as e:
                failed, step = e, None  # type: ignore[assignment]
        lost, need = WATCH.lost, WATCH.need
        if digits == LEVELS[0]:
            cap = next((d for d in LEVELS if d >= 2 * (need + 40)), LEVELS[-1])
        if failed is not None:
            if lost == 0 or digits >= cap:
                raise failed  # no rounding can explain it: the spec's own domain error
            before = None
            continue
        if lost <= dps_to_prec(digits) - KEEP:
            return replace(step, digits=digits)
        if digits >= cap or (before is not None and lost < float("inf") and _agree(before, step)):
            return replace(step, digits=digits)
        before = step
    return replace(step, digits=LEVELS[-1])


def _agree(a: Iteration, b: Iteration) -> bool:
    for x, y in ((a.values, b.values), (a.local, b.local), (a.adjoint, b.adjoint), (a.updated, b.updated)):
        for key, u in x.items():
            v = y[key]  # type: ignore[index]
            if u == v:
                continue
            if not u or not v:
                return False
            if abs(to_mpf(u) - to_mpf(v)) > AGREE * max(abs(to_mpf(u)), abs(to_mpf(v))):
                return False
    return True


def _iteration(graph: Graph, formulas: dict[Edge, Expr], params: dict[str, Value], k: int,
               settle: Callable[[Value], Value]) -> Iteration:
    values: dict[str, Value] = {}
    kinks: set[Call] = set()
    for node in graph.nodes:
        if node.expr is None:
            values[node.name] = params[node.name] if node.kind == "param" else node.value  # type: ignore[assignment]
            continue
        try:
            values[node.name] = settle(evaluate(node.expr, values, kinks))
        except (DomainError, OverflowError) as e:
            raise NodeDomainError(node.name, k, str(e)) from None
    local: dict[Edge, Value] = {}
    for edge, formula in formulas.items():
        try:
            local[edge] = settle(evaluate(formula, values))
        except (DomainError, OverflowError) as e:
            raise NodeDomainError(edge[0], k, f"its derivative is undefined here ({e})") from None
    adjoint: dict[str, Value] = {}
    for node in reversed(graph.nodes):
        if node.kind == "constant":
            continue
        if node.kind == "loss":
            adjoint[node.name] = Fraction(1)
            continue
        terms = [graph.upstream.get(node.name, Fraction(0))]
        terms += [mul(adjoint[child], local[(child, node.name)]) for child in graph.children[node.name]]
        adjoint[node.name] = settle(total(terms))
    return Iteration(k, values, local, adjoint, {}, frozenset(kinks))
