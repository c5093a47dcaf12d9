"""A network given without values: the general formulas only (forward, loss, backward)."""

from __future__ import annotations

from solgen.core.derive import Derivation, local_formulas
from solgen.core.graph import Graph, Node
from solgen.spec.sections import Spec

from .base import Explainer, _sum, backward_order, d
from .solution import Eq, Iteration, Rich, Section, Solution, Table

_KIND = {"param": "parameter"}


class SymbolicExplainer(Explainer):
    def __init__(self, spec: Spec, graph: Graph) -> None:
        super().__init__(spec, Derivation(graph, local_formulas(graph), (), None))

    def solution(self) -> Solution:
        g = self.graph
        forward = tuple(Eq(n.latex, (self.symbolic.terms(n.expr),), "symbolic", n.name)  # type: ignore[arg-type]
                        for n in g.nodes if n.expr is not None and n.kind != "loss")
        sections = [Section(self.word("heading.forward"), (), forward)]
        if g.has_loss:
            loss = g.by_name["L"]
            shown = Eq("L", (self.symbolic.terms(loss.expr),), "symbolic", "L")  # type: ignore[arg-type]
            sections.append(Section(self.word("heading.loss"), (), (shown,)))
        back: list[Eq] = []
        for n in backward_order(g):
            back += self.general(n)
        sections.append(Section(self.word("heading.backward"), self.say("symbolic.intro"), tuple(back)))
        kinds = {"x": "input", "W": "weight", "b": "bias"}
        rows = tuple((("", n.latex), (self.word(f"table.{kinds.get(n.role, _KIND.get(n.kind, n.kind))}"),))
                     for n in g.nodes if n.kind in ("input", "param"))
        given = Table(((self.word("table.quantity"),), (self.word("table.kind"),)), rows)
        conventions: tuple[Rich, ...] = (self.say("symbolic.no_values"), *self.conventions()[1:])
        return Solution(self.spec.title, self.spec.description, "worked", conventions, given, (),
                        (Iteration(1, tuple(sections)),), None, {"parameters": len(g.params)},
                        language=self.lang, detail=self.spec.style.detail)

    def general(self, n: Node) -> list[Eq]:
        kids = self.graph.children[n.name]
        if not kids:
            return [Eq(d("L", n.latex), (("0",),), "symbolic", n.name)]
        out = [Eq(d(self.tex(c), n.latex), (self.symbolic.terms(f),), "symbolic", f"{c}/{n.name}")
               for c, f in self.nontrivial_locals(n)]
        chain, named = self.chain_rule(n)
        steps = [] if kids == ("L",) else [self.symbolic.terms(_sum(chain))]
        second = self.symbolic.terms(_sum(named))
        if not steps or second != steps[0]:
            steps.append(second)
        out.append(Eq(d("L", n.latex), tuple(steps), "symbolic", n.name))
        return out
