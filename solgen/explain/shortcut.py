"""dL/dz_j = a_j - t_j: the standard simplification for softmax + cross-entropy (targets summing to
1) and sigmoid + binary cross-entropy, stated and used in compact keys instead of the route through
dL/da and the activation's Jacobian (``[style] detail = "full"`` keeps that route)."""

from __future__ import annotations

from solgen.core.graph import Graph
from solgen.core.ir import Add, Neg, Var
from solgen.render.latex import Printer
from solgen.spec.sections import Network, Spec

from .solution import Eq, Rich

PAIRS = {("softmax", "cross_entropy"), ("sigmoid", "binary_cross_entropy")}


def output_shortcut(spec: Spec, graph: Graph) -> dict[str, tuple[str, str]]:
    """For each output pre-activation z_j the shortcut applies to: (a_j, t_j); empty if it does not."""
    net = spec.problem
    if spec.style.detail == "full" or not isinstance(net, Network) or net.loss is None or net.upstream:
        return {}
    act = net.layers[-1].activation
    if (act, net.loss) not in PAIRS or net.targets is None:
        return {}
    if act == "softmax" and sum(net.targets) != 1:  # dL/dz_j = a_j sum(t) - t_j
        return {}
    last = len(net.layers)
    by_role = {(n.role, n.index): n.name for n in graph.nodes if n.layer in (0, last)}
    out = {}
    for n in graph.nodes:
        if n.layer == last and n.role == "z":
            a, t = by_role.get(("a", n.index)), by_role.get(("t", n.index))
            if a is None or t is None:
                return {}
            out[n.name] = (a, t)
    return out


def shortcut_eq(name: str, lhs: str, a: str, t: str, value: str, symbolic: Printer, sub: Printer, note: Rich,
                boxed: bool) -> Eq:
    diff = Add((Var(a), Neg(Var(t))))
    return Eq(lhs, (symbolic.terms(diff), sub.terms(diff), (value,)), "adjoint", name, note=note, boxed=boxed)
