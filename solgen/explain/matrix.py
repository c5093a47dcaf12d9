"""Matrix form: per layer, vectors and matrices with their shapes.

Forward z = W a + b (or a W + b in the "in_out" layout), a = f(z); backward
delta = dL/da (.) f'(z), dL/dW = delta a^T (or a^T delta), dL/db = delta,
dL/da_prev = W^T delta (or delta W^T): each written as the general formula,
then with the numbers.  Values come from the same Derivation as the scalar form.
"""

from __future__ import annotations

from solgen.core.derive import Iteration as Step
from solgen.core.evaluate import Value
from solgen.core.graph import Node
from solgen.render.width import LINE, width
from solgen.spec.sections import Network

from .base import ETA, Explainer
from .shortcut import output_shortcut
from .solution import Eq, Iteration, Rich, Section

Grid = list[list[str]]  # canonical names, row-major


WIDEST = LINE - 6.0  # a matrix wider than this (more columns than rows) is written as its transpose


def bmatrix(rows: list[list[str]]) -> str:
    """A matrix; one too wide for the line, with more columns than rows, as the transpose of its
    transpose (``{[...]^T}``, braced so that a following ^T applies to the whole)."""
    body = " \\\\ ".join(" & ".join(r) for r in rows)
    shown = f"\\begin{{bmatrix}} {body} \\end{{bmatrix}}"
    if rows and len(rows[0]) > len(rows) and width(shown) > WIDEST:
        body = " \\\\ ".join(" & ".join(col) for col in zip(*rows))
        return f"{{\\begin{{bmatrix}} {body} \\end{{bmatrix}}^{{\\top}}}}"
    return shown


class MatrixExplainer(Explainer):
    """The scalar explainer's front matter and summary, with matrix-form iterations."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        net = self.spec.problem
        assert isinstance(net, Network)
        self.net = net
        self.column = net.layout == "out_in"  # column vectors, z = W a + b
        by_layer: dict[tuple[int, str], list[Node]] = {}
        for n in self.graph.nodes:
            by_layer.setdefault((n.layer, n.role), []).append(n)
        self.parts = by_layer

    # -- vectors and matrices ---------------------------------------------
    def vec(self, names: list[str]) -> Grid:
        return [[n] for n in names] if self.column else [names]

    def weights(self, l: int) -> Grid:
        nodes = self.parts[(l, "W")]
        rows = max(n.index[0] for n in nodes)
        grid: Grid = [[] for _ in range(rows)]
        for n in nodes:
            grid[n.index[0] - 1].append(n.name)
        return grid

    def shown(self, grid: Grid, value: dict[str, Value], exact: bool = False) -> str:
        return bmatrix([[self.num(value[n], exact and n in self.exact0) for n in row] for row in grid])

    def units(self, l: int, role: str) -> list[str]:
        return [n.name for n in self.parts[(l, role)]]

    def inputs_of(self, l: int) -> tuple[list[str], str]:
        if l == 1:
            return self.units(0, "x"), "\\mathbf{x}"
        return self.units(l - 1, "a"), f"\\mathbf{{a}}^{{({l - 1})}}"

    def bias(self, l: int) -> tuple[str, str, list[str]] | None:
        nodes = self.parts.get((l, "b"))
        if not nodes:
            return None
        if len(nodes) == 1 and not nodes[0].index:
            return "shared", f"b^{{({l})}}", [nodes[0].name]
        return "unit", f"\\mathbf{{b}}^{{({l})}}", [n.name for n in nodes]

    def entries(self, grid: Grid) -> tuple[str, ...]:
        return tuple(n for row in grid for n in row)

    # -- one iteration -------------------------------------------------------
    def iteration(self, step: Step) -> Iteration:
        exact = step.index == 0
        forward: list[Eq] = []
        for l in range(1, len(self.net.layers) + 1):
            forward += self.forward_layer(l, step, exact)
        sections = [Section(self.word("heading.forward_matrix"), self.shapes(), tuple(forward))]
        if self.graph.has_loss:
            sub = self.scalar_printer(step)
            loss = self.forward_eq(self.graph.by_name["L"], step, sub)
            sections.append(Section(self.word("heading.loss"), (), (loss,)))
        back: list[Eq] = []
        for l in range(len(self.net.layers), 0, -1):
            back += self.backward_layer(l, step)
        intro = self.say("matrix.intro", "\\odot")
        sections.append(Section(self.word("heading.backward_matrix"), intro, tuple(back)))
        if self.der.optimizer is not None and self.der.optimizer.given:
            sections.extend(self.update_sections(step))
        elif self.der.learning_rate is not None:
            sections.append(Section(self.word("heading.updates"), self.update_intro(), self.matrix_updates(step)))
        return Iteration(step.index + 1, tuple(sections))

    def scalar_printer(self, step: Step):  # type: ignore[no-untyped-def]
        from solgen.render.latex import Printer

        return Printer(self.names, self.fmt, step.values, self.exact0 if step.index == 0 else frozenset())

    def shapes(self) -> Rich:
        out: list[str] = []
        prev = self.net.input_count
        for l, layer in enumerate(self.net.layers, 1):
            r, c = (layer.units, prev) if self.column else (prev, layer.units)
            out += [self.word("matrix.shapes") + " " if l == 1 else ", ",
                    f"W^{{({l})}} \\in \\mathbb{{R}}^{{{r} \\times {c}}}"]
            prev = layer.units
        return (*out, "; " + self.word("matrix.column" if self.column else "matrix.row"))

    def forward_layer(self, l: int, step: Step, exact: bool) -> list[Eq]:
        values = step.values
        ins, in_sym = self.inputs_of(l)
        zs, as_ = self.units(l, "z"), self.units(l, "a")
        w = self.weights(l)
        bias = self.bias(l)
        wsym = f"W^{{({l})}}"
        sym = f"{wsym} {in_sym}" if self.column else f"{in_sym} {wsym}"
        num_w, num_in = self.shown(w, values, exact), self.shown(self.vec(ins), values, exact and l == 1)
        num = f"{num_w} {num_in}" if self.column else f"{num_in} {num_w}"
        if bias:
            kind, bsym, names = bias
            if kind == "shared":
                sym += f" + {bsym} \\mathbf{{1}}"
                num += f"{signed_term(self.num(values[names[0]], exact))} \\mathbf{{1}}"
            else:
                sym += f" + {bsym}"
                num += " + " + self.shown(self.vec(names), values, exact)
        zgrid, agrid = self.vec(zs), self.vec(as_)
        out = [Eq(f"\\mathbf{{z}}^{{({l})}}", ((sym,), (num,), (self.shown(zgrid, values),)),
                  "vector-forward", f"z{l}", entries=self.entries(zgrid))]
        act = self.net.layers[l - 1].activation
        f = {"linear": "", "identity": "", "sigmoid": "\\sigma", "tanh": "\\tanh",
             "relu": "\\operatorname{ReLU}"}.get(act, f"\\operatorname{{{act}}}")
        asym = f"{f}\\left(\\mathbf{{z}}^{{({l})}}\\right)" if f else f"\\mathbf{{z}}^{{({l})}}"
        out.append(Eq(f"\\mathbf{{a}}^{{({l})}}", ((asym,), (self.shown(agrid, values),)),
                      "vector-forward", f"a{l}", entries=self.entries(agrid)))
        return out

    def backward_layer(self, l: int, step: Step) -> list[Eq]:
        adj, local = step.adjoint, step.local
        zs, as_ = self.units(l, "z"), self.units(l, "a")
        act = self.net.layers[l - 1].activation
        delta = f"\\boldsymbol{{\\delta}}^{{({l})}}"
        da = f"\\frac{{\\partial L}}{{\\partial \\mathbf{{a}}^{{({l})}}}}"
        out: list[Eq] = []
        agrid, zgrid = self.vec(as_), self.vec(zs)
        short = output_shortcut(self.spec, self.graph) if l == len(self.net.layers) else {}
        if l == len(self.net.layers) and not short:
            out.append(Eq(da, ((self.shown(agrid, adj),),), "vector-adjoint", f"a{l}",
                          entries=self.entries(agrid), note=self.top_note()))
        if short:  # dL/dz = a - t, stated and used instead of the route through dL/da
            tgrid = self.vec([short[z][1] for z in zs])
            note = self.say(f"backward.shortcut_{act}", "\\frac{\\partial L}{\\partial z_j} = a_j - t_j")
            out.append(Eq(delta, ((f"\\mathbf{{a}}^{{({l})}} - \\mathbf{{t}}",),
                                  (f"{self.shown(agrid, step.values)} - {self.shown(tgrid, step.values)}",),
                                  (self.shown(zgrid, adj),)), "vector-adjoint", f"z{l}",
                          entries=self.entries(zgrid), note=note))
        elif act == "softmax":
            jac = [[self.num(local[(a, z)]) for z in zs] for a in as_]
            jt = "J^{\\top}"
            out.append(Eq(delta, ((f"{jt} {da}",), (f"{bmatrix(jac)}^{{\\top}} {self.shown(agrid, adj)}",),
                                  (self.shown(zgrid, adj),)), "vector-adjoint", f"z{l}",
                          entries=self.entries(zgrid),
                          note=self.say("matrix.softmax", "J_{jk} = a_j(\\delta_{jk} - a_k)")))
        elif act in ("linear", "identity"):
            out.append(Eq(delta, ((da,), (self.shown(zgrid, adj),)), "vector-adjoint", f"z{l}",
                          entries=self.entries(zgrid)))
        else:
            deriv = {a: self.num(local[(a, z)]) for a, z in zip(as_, zs)}
            fprime = bmatrix([[deriv[n] for n in row] for row in agrid])
            fz = f"{_prime(act)}\\left(\\mathbf{{z}}^{{({l})}}\\right)"
            out.append(Eq(delta, ((f"{da} \\odot {fz}",), (f"{self.shown(agrid, adj)} \\odot {fprime}",),
                                  (self.shown(zgrid, adj),)), "vector-adjoint", f"z{l}",
                          entries=self.entries(zgrid)))
        ins, in_sym = self.inputs_of(l)
        vins = self.vec(ins)
        w = self.weights(l)
        dW = f"\\frac{{\\partial L}}{{\\partial W^{{({l})}}}}"
        gsym = f"{delta} {{{in_sym}}}^{{\\top}}" if self.column else f"{{{in_sym}}}^{{\\top}} {delta}"
        din, dz = self.shown(vins, step.values), self.shown(zgrid, adj)
        gnum = f"{dz} {din}^{{\\top}}" if self.column else f"{din}^{{\\top}} {dz}"
        gsym, gnum, note = self.with_penalty(f"W^{{({l})}}", w, gsym, gnum, local)
        out.append(Eq(dW, ((gsym,), (gnum,), (self.shown(w, adj),)), "vector-adjoint", f"W{l}",
                      entries=self.entries(w), boxed=True, note=note))
        bias = self.bias(l)
        if bias:
            kind, bsym, names = bias
            db = f"\\frac{{\\partial L}}{{\\partial {bsym}}}"
            if kind == "shared":
                out.append(Eq(db, ((f"\\mathbf{{1}}^{{\\top}} {delta}",), (self.num(adj[names[0]]),)),
                              "vector-adjoint", f"b{l}", entries=(names[0],), boxed=True))
            else:
                bgrid = self.vec(names)
                out.append(Eq(db, ((delta,), (self.shown(bgrid, adj),)), "vector-adjoint", f"b{l}",
                              entries=self.entries(bgrid), boxed=True))
        prev = self.inputs_of(l)[1]
        wsym = f"W^{{({l})}}"
        psym = f"{{{wsym}}}^{{\\top}} {delta}" if self.column else f"{delta} {{{wsym}}}^{{\\top}}"
        wn = self.shown(w, step.values)
        pnum = f"{wn}^{{\\top}} {dz}" if self.column else f"{dz} {wn}^{{\\top}}"
        out.append(Eq(f"\\frac{{\\partial L}}{{\\partial {prev}}}", ((psym,), (pnum,), (self.shown(vins, adj),)),
                      "vector-adjoint", "x" if l == 1 else f"a{l - 1}", entries=self.entries(vins)))
        return out

    def with_penalty(self, wsym: str, grid: Grid, sym: str, num: str, local: dict) -> tuple[str, str, Rich]:  # type: ignore[type-arg]
        """A penalized weight's gradient gains the penalty's direct term dR/dW (an l1/l2 network)."""
        if self.graph.penalty is None:
            return sym, num, ()
        term = bmatrix([[self.num(local.get(("L", n), 0)) for n in row] for row in grid])
        d_r = f"\\frac{{\\partial R}}{{\\partial {wsym}}}"
        return f"{sym} + {d_r}", f"{num} + {term}", self.say("tensor.penalty", d_r)

    def top_note(self) -> Rich:
        if self.graph.upstream:
            return self.say("matrix.upstream")
        return self.say("matrix.from_loss", "\\frac{\\partial L}{\\partial a_j}")

    def update_groups(self, l: int) -> list[tuple[str, Grid]]:
        """Layer ``l``'s parameters as (symbol, grid of names), each updated as one matrix."""
        groups: list[tuple[str, Grid]] = [(f"W^{{({l})}}", self.weights(l))]
        bias = self.bias(l)
        if bias:
            groups.append((bias[1], self.vec(bias[2]) if bias[0] == "unit" else [[bias[2][0]]]))
        return groups

    def matrix_updates(self, step: Step) -> tuple[Eq, ...]:
        lr = self.der.learning_rate
        assert lr is not None
        out = []
        exact = step.index == 0
        for l in range(1, len(self.net.layers) + 1):
            for sym, grid in self.update_groups(l):
                names = self.entries(grid)
                live = [n for n in names if n not in self.graph.frozen]
                if not live:
                    continue
                new = {n: step.updated.get(n, step.values[n]) for n in names}
                scalar = len(names) == 1
                old = self.num(step.values[names[0]], exact) if scalar else self.shown(grid, step.values, exact)
                grad = f"\\left({self.num(step.adjoint[names[0]])}\\right)" if scalar \
                    else self.shown(grid, step.adjoint)
                value = self.num(new[names[0]]) if scalar else self.shown(grid, new)
                d = f"\\frac{{\\partial L}}{{\\partial {sym}}}"
                note = self.say("matrix.frozen") if len(live) < len(names) else ()
                out.append(Eq(sym, ((f"{sym} - {ETA} {d}",), (f"{old} - {self.num(lr, True)} {grad}",), (value,)),
                              "vector-update", sym, rel="\\leftarrow", entries=tuple(names), boxed=True,
                              note=note))
        return tuple(out)


def signed_term(number: str) -> str:
    """`` + number`` as a term of a sum: `` - 0.08`` for ``-0.08`` (never ``+ -0.08``)."""
    return f" - {number[1:]}" if number.startswith("-") else f" + {number}"


def _prime(act: str) -> str:
    return {"sigmoid": "\\sigma'", "relu": "\\operatorname{ReLU}'", "tanh": "\\tanh'"}.get(act, "f'")
