"""chain = "paths": every gradient as the full product of local derivatives from
the loss down, summed over every path (the way seed 001 writes it)."""

from __future__ import annotations

from functools import cache

from solgen.core.derive import Iteration as Step
from solgen.core.graph import Graph, Node
from solgen.core.ir import Expr, Mul, Var, is_leaf
from solgen.errors import SpecError
from solgen.render.latex import Printer
from solgen.spec.sections import Spec

from .base import Explainer, backward_order, d
from .solution import Eq, Rich

MAX_PATHS = 24

Path = tuple[tuple[str, str], ...]  # edges (child, parent), from the quantity up


def check_paths(spec: Spec, g: Graph) -> None:
    """Refuse a graph with a gradient of more than MAX_PATHS paths to the loss, from the graph
    alone (counting, not listing, the paths), before anything is derived."""
    seeds = set(g.upstream) | ({"L"} if g.has_loss else set())
    count: dict[str, int] = {}
    for n in reversed(g.nodes):
        total = 1 if n.name in seeds and n.name != "L" else 0
        for c in g.children[n.name]:
            total += 1 if c == "L" else count[c]
        count[n.name] = total
        if total > MAX_PATHS and n.kind in ("param", "input", "node"):
            raise SpecError(spec.file, "style.chain",
                            f"dL/d{n.name} has {total} paths to the loss, too many to write out "
                            f'(limit {MAX_PATHS}); use chain = "adjoint"')


class PathsExplainer(Explainer):
    def __init__(self, *args: object) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        g = self.graph
        self.seeds = set(g.upstream) | ({"L"} if g.has_loss else set())

        @cache
        def paths(name: str) -> tuple[Path, ...]:
            out: list[Path] = [()] if name in self.seeds and name != "L" else []
            for c in g.children[name]:
                if c == "L":
                    out.append(((c, name),))
                else:
                    out += [((c, name),) + p for p in paths(c)]
            if len(out) > MAX_PATHS:
                raise SpecError(self.spec.file, "style.chain",
                                f"dL/d{name} has {len(out)} paths to the loss, too many to write out "
                                f'(limit {MAX_PATHS}); use chain = "adjoint"')
            return tuple(out)

        self.paths = paths
        for n in g.nodes:
            if n.kind in ("param", "input", "node"):
                paths(n.name)
        for (c, p) in self.der.formulas:
            self.names[f"l:{c}/{p}"] = d(self.tex(c), self.tex(p))

    def backward(self, step: Step) -> tuple[Eq, ...]:
        values = {**step.values, **{f"d:{k}": v for k, v in step.adjoint.items()},
                  **{f"l:{c}/{p}": v for (c, p), v in step.local.items()}}
        sub = Printer(self.names, self.fmt, values, self.exact0 if step.index == 0 else frozenset())
        out: list[Eq] = []
        shown: set[tuple[str, str]] = set()
        order = backward_order(self.graph)
        for n in order:  # the local derivatives first, each once, named with formula and value
            for c in self.graph.children[n.name]:
                f = self.der.formulas[(c, n.name)]
                if not is_leaf(f) and (c, n.name) not in shown:
                    shown.add((c, n.name))
                    out.append(self.local_eq(c, n, f, step, sub))
        for n in order:
            out.append(self.path_eq(n, step, sub))
        return tuple(out)

    def path_eq(self, n: Node, step: Step, sub: Printer) -> Eq:
        paths = self.paths(n.name)
        lhs = d("L", n.latex)
        if not paths:
            return Eq(lhs, (("0",),), "adjoint", n.name, note=self.say("notes.no_effect", n.latex))
        products: list[Expr] = []
        for path in paths:
            factors: list[Expr] = [Var(f"l:{c}/{p}") for c, p in reversed(path)]
            top = path[-1][0] if path else n.name
            if top != "L":
                factors.insert(0, Var(f"d:{top}"))
            products.append(factors[0] if len(factors) == 1 else Mul(tuple(factors)))
        total = products[0] if len(products) == 1 else _add(products)
        note: Rich = ()
        if len(paths) > 1:
            note = self.say("notes.paths", n.latex, count=len(paths))
        steps = (self.symbolic.terms(total), sub.terms(total), (self.num(step.adjoint[n.name]),))
        return Eq(lhs, steps, "adjoint", n.name, note=note,
                  boxed=n.name in self.ask)


def _add(terms: list[Expr]) -> Expr:
    from solgen.core.ir import Add

    return Add(tuple(terms))
