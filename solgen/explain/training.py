"""The conventions sentences of training (spec sections 6, 8, 9): the new activations and
losses with their derivatives and kinks, the l1/l2 penalty, and a batch's names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from solgen.core.graph import Graph
from solgen.core.ir import Add, Call, Expr, children, uses
from solgen.messages import rich, text
from solgen.spec.sections import Network

from .solution import Rich

if TYPE_CHECKING:
    from .base import Explainer

IND = "\\mathbf{1}"
#: the math slots of each function's sentence, by the function the graph calls
FUNCTION_MATH: dict[str, tuple[str, ...]] = {
    "leaky_relu": ("\\operatorname{LReLU}_{s}(z) = z \\text{ if } z > 0 \\text{, else } s z",
                   f"{IND}[z > 0] + s \\, {IND}[z \\le 0]"),
    "elu": ("\\operatorname{ELU}_{\\alpha}(z) = z \\text{ if } z > 0 \\text{, else } \\alpha (e^{z} - 1)",
            f"{IND}[z > 0] + \\alpha e^{{z}} \\, {IND}[z \\le 0]", "\\alpha"),
    "softplus": ("\\log(1 + e^{z})", "\\sigma(z)"),
    "gelu": ("\\operatorname{GELU}(z) = z \\, \\Phi(z)", "\\Phi(z) + z \\, \\varphi(z)", "\\Phi", "\\varphi"),
    "silu": ("\\operatorname{SiLU}(z) = z \\, \\sigma(z)", "\\sigma(z) \\left(1 + z (1 - \\sigma(z))\\right)"),
    "max": ("\\frac{\\partial \\max(u, v)}{\\partial u} = H(u - v)", "H(r) = 1, \\tfrac{1}{2}, 0 \\text{ for } "
            "r > 0, r = 0, r < 0"),
    "huber": ("h_{\\delta}(r) = \\tfrac{1}{2} r^{2} \\text{ if } |r| < \\delta \\text{, else } "
              "\\delta (|r| - \\tfrac{1}{2} \\delta)", "h_{\\delta}'(r) = \\operatorname{clip}(r, -\\delta, \\delta)"),
    "softmax_ce": ("L = -\\sum_j t_j \\log \\operatorname{softmax}(a)_j",
                   "L = \\left(\\sum_j t_j\\right) \\log \\sum_k e^{a_k} - \\sum_j t_j a_j",
                   "\\frac{\\partial L}{\\partial a_j} = \\operatorname{softmax}(a)_j - t_j"),
    "hinge": ("L = \\sum_{j \\ne y} \\max(0, a_j - a_y + m)", f"{IND}[a_j - a_y + m > 0]",
              f"\\frac{{\\partial L}}{{\\partial a_y}} = -\\sum_{{j \\ne y}} {IND}[a_j - a_y + m > 0]"),
    "sin": ("\\sin'(u) = \\cos(u), \\; \\cos'(u) = -\\sin(u)",),
}
MESSAGE = {"softmax_ce": "softmax_cross_entropy", "hinge": "multiclass_hinge", "sin": "sincos"}
ALIASES = {"min": "max", "cos": "sin"}


def functions(graph: Graph) -> set[str]:
    """Every function any node's expression calls, at any depth."""
    out: set[str] = set()
    stack: list[Expr] = [n.expr for n in graph.nodes if n.expr is not None]
    while stack:
        e = stack.pop()
        if isinstance(e, Call):
            out.add(ALIASES.get(e.fn, e.fn))
        stack.extend(children(e))
    return out


def training_conventions(ex: Explainer) -> list[Rich]:
    used = functions(ex.graph)
    out = [rich(f"training.{MESSAGE.get(fn, fn)}", *math) for fn, math in FUNCTION_MATH.items() if fn in used]
    net = ex.spec.problem
    if isinstance(net, Network) and net.loss == "mae":
        out.append(rich("training.mae", "\\operatorname{sgn}(r)"))
    out.extend(_penalty(ex))
    if ex.graph.examples:
        assert isinstance(net, Network)
        n = ex.graph.examples
        form = "\\frac{1}{N} \\sum_{n=1}^{N} L_n" if net.reduction == "mean" else "\\sum_{n=1}^{N} L_n"
        out.append(rich("batch.conventions", f"L = {form}, \\; N = {n}", "x_{n,i}, \\; z^{(l)}_{n,j}, \\; "
                        "a^{(l)}_{n,j}, \\; L_n", n=n))
        out.append(rich("batch.grouped"))
    return out


def _penalty(ex: Explainer) -> list[Rich]:
    spec, out = ex.spec, []
    what = text("training.penalty_network" if isinstance(spec.problem, Network) else "training.penalty_graph")
    if spec.l2:
        lam = ex.num(spec.l2, True)
        out.append(rich("training.penalty_l2", f"R_2 = \\frac{{{lam}}}{{2}} \\sum w^{{2}}", f"{lam} \\, w", what=what))
    if spec.l1:
        lam = ex.num(spec.l1, True)
        out.append(rich("training.penalty_l1", f"R_1 = {lam} \\sum |w|", f"{lam} \\operatorname{{sgn}}(w)",
                        what=what))
    return out


def penalty_locals(graph: Graph) -> dict[str, str]:
    """Display names of the penalty's local derivatives dR/dw (the edge L -> w of a penalized weight)."""
    loss = graph.by_name.get("L")
    if graph.penalty is None or loss is None or not isinstance(loss.expr, Add):
        return {}
    base = loss.expr.terms[0]
    return {f"l:L/{p.name}": f"\\frac{{\\partial R}}{{\\partial {p.latex}}}" for p in graph.params
            if uses(graph.penalty, p.name) and not uses(base, p.name)}
