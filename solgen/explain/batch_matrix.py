"""Matrix form of a batch: X holds one example per row (N x inputs), and per layer

    Z = X W^T + 1 b^T  ("out_in")   or   Z = X W + 1 b^T  ("in_out"),   A = f(Z),
    Delta = dL/dZ,  dL/dW = Delta^T X (or X^T Delta),  dL/db = Delta^T 1,  dL/dX = Delta W (or Delta W^T):

each matrix product over the batch sums the examples; shapes are stated.  Values come from
the same Derivation as the scalar form.
"""

from __future__ import annotations

from dataclasses import replace

from solgen.core.derive import Iteration as Step
from solgen.messages import rich

from .matrix import Grid, MatrixExplainer, bmatrix, signed_term
from .solution import Eq, Iteration, Rich


class BatchMatrixExplainer(MatrixExplainer):
    """The matrix explainer with one row per example."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self.n = self.graph.examples

    def iteration(self, step: Step) -> Iteration:
        """The matrix iteration, with each example's loss L_n before L."""
        it = super().iteration(step)
        if not self.graph.has_loss:
            return it
        sub = self.scalar_printer(step)
        per = tuple(self.forward_eq(n, step, sub) for n in self.graph.nodes if n.role == "Ln")
        sections = tuple(replace(s, equations=per + s.equations) if s.title == "Loss" else s for s in it.sections)
        return replace(it, sections=sections)

    def rows(self, names: list[str]) -> Grid:
        """A batch's quantities (example-major) as an N-row matrix."""
        width = len(names) // self.n
        return [names[k * width:(k + 1) * width] for k in range(self.n)]

    def vec(self, names: list[str]) -> Grid:
        if len(names) % self.n == 0 and names and self.graph.by_name[names[0]].example:
            return self.rows(names)
        return [names]  # a bias: one row

    def shapes(self) -> Rich:
        parts = [f"X \\in \\mathbb{{R}}^{{{self.n} \\times {self.net.input_count}}}"]
        prev = self.net.input_count
        for l, layer in enumerate(self.net.layers, 1):
            r, c = (layer.units, prev) if self.column else (prev, layer.units)
            parts.append(f"W^{{({l})}} \\in \\mathbb{{R}}^{{{r} \\times {c}}}, \\; Z^{{({l})}}, A^{{({l})}} "
                         f"\\in \\mathbb{{R}}^{{{self.n} \\times {layer.units}}}")
            prev = layer.units
        return rich("batch_matrix.shapes", ", \\; ".join(parts), n=self.n)

    def inputs_sym(self, l: int) -> tuple[list[str], str]:
        if l == 1:
            return self.units(0, "x"), "X"
        return self.units(l - 1, "a"), f"A^{{({l - 1})}}"

    def forward_layer(self, l: int, step: Step, exact: bool) -> list[Eq]:
        values = step.values
        ins, in_sym = self.inputs_sym(l)
        w, wsym = self.weights(l), f"W^{{({l})}}"
        wt = f"{{{wsym}}}^{{\\top}}" if self.column else wsym
        sym = f"{in_sym} {wt}"
        num_w = self.shown(w, values, exact) + ("^{\\top}" if self.column else "")
        num = f"{self.shown(self.rows(ins), values, exact and l == 1)} {num_w}"
        bias = self.bias(l)
        if bias:
            kind, bsym, names = bias
            if kind == "shared":
                sym += f" + {bsym} \\mathbf{{1}}\\mathbf{{1}}^{{\\top}}"
                num += f"{signed_term(self.num(values[names[0]], exact))} \\mathbf{{1}}\\mathbf{{1}}^{{\\top}}"
            else:
                sym += f" + \\mathbf{{1}} {{{bsym}}}^{{\\top}}"
                num += f" + \\mathbf{{1}} {self.shown([names], values, exact)}"
        zgrid, agrid = self.rows(self.units(l, "z")), self.rows(self.units(l, "a"))
        out = [Eq(f"Z^{{({l})}}", ((sym,), (num,), (self.shown(zgrid, values),)), "vector-forward", f"z{l}",
                  entries=self.entries(zgrid))]
        act = self.net.layers[l - 1].activation
        asym = f"f\\left(Z^{{({l})}}\\right)" if act not in ("linear", "identity") else f"Z^{{({l})}}"
        out.append(Eq(f"A^{{({l})}}", ((asym,), (self.shown(agrid, values),)), "vector-forward", f"a{l}",
                      entries=self.entries(agrid)))
        return out

    def backward_layer(self, l: int, step: Step) -> list[Eq]:
        adj, local, values = step.adjoint, step.local, step.values
        zs, as_ = self.units(l, "z"), self.units(l, "a")
        act = self.net.layers[l - 1].activation
        delta, da = f"\\Delta^{{({l})}}", f"\\frac{{\\partial L}}{{\\partial A^{{({l})}}}}"
        agrid, zgrid = self.rows(as_), self.rows(zs)
        out: list[Eq] = []
        if l == len(self.net.layers):
            out.append(Eq(da, ((self.shown(agrid, adj),),), "vector-adjoint", f"a{l}", entries=self.entries(agrid),
                          note=self.top_note()))
        if act == "softmax":
            note = rich("batch_matrix.softmax", "\\delta_n = J_n^{\\top} \\frac{\\partial L}{\\partial \\mathbf{a}_n}")
            out.append(Eq(delta, ((self.shown(zgrid, adj),),), "vector-adjoint", f"z{l}",
                          entries=self.entries(zgrid), note=note))
        elif act in ("linear", "identity"):
            out.append(Eq(delta, ((da,), (self.shown(zgrid, adj),)), "vector-adjoint", f"z{l}",
                          entries=self.entries(zgrid)))
        else:
            fprime = bmatrix([[self.num(local[(a, z)]) for a, z in zip(ra, rz)] for ra, rz in zip(agrid, zgrid)])
            out.append(Eq(delta, ((f"{da} \\odot f'\\left(Z^{{({l})}}\\right)",),
                                  (f"{self.shown(agrid, adj)} \\odot {fprime}",), (self.shown(zgrid, adj),)),
                          "vector-adjoint", f"z{l}", entries=self.entries(zgrid)))
        ins, in_sym = self.inputs_sym(l)
        xin, dz, w = self.shown(self.rows(ins), values), self.shown(zgrid, adj), self.weights(l)
        dW, wsym = f"\\frac{{\\partial L}}{{\\partial W^{{({l})}}}}", f"W^{{({l})}}"
        gsym = f"{{{delta}}}^{{\\top}} {in_sym}" if self.column else f"{{{in_sym}}}^{{\\top}} {delta}"
        gnum = f"{dz}^{{\\top}} {xin}" if self.column else f"{xin}^{{\\top}} {dz}"
        if self.graph.penalty is not None:
            gsym += f" + \\frac{{\\partial R}}{{\\partial {wsym}}}"
            gnum += " + " + bmatrix([[self.num(local[("L", n)]) for n in row] for row in w])
        out.append(Eq(dW, ((gsym,), (gnum,), (self.shown(w, adj),)), "vector-adjoint", f"W{l}",
                      entries=self.entries(w), boxed=True, note=self.penalty_note(l)))
        bias = self.bias(l)
        if bias:
            kind, bsym, names = bias
            db = f"\\frac{{\\partial L}}{{\\partial {bsym}}}"
            total = f"\\mathbf{{1}}^{{\\top}} {delta} \\mathbf{{1}}" if kind == "shared" else \
                f"\\mathbf{{1}}^{{\\top}} {delta}"
            shown = self.num(adj[names[0]]) if kind == "shared" else self.shown([names], adj)
            out.append(Eq(db, ((total,), (shown,)), "vector-adjoint", f"b{l}", entries=tuple(names), boxed=True))
        wsym = f"W^{{({l})}}"
        psym = f"{delta} {wsym}" if self.column else f"{delta} {{{wsym}}}^{{\\top}}"
        wn = self.shown(w, values)
        pnum = f"{dz} {wn}" if self.column else f"{dz} {wn}^{{\\top}}"
        prev = self.inputs_sym(l)[1]
        out.append(Eq(f"\\frac{{\\partial L}}{{\\partial {prev}}}", ((psym,), (pnum,),
                                                                   (self.shown(self.rows(ins), adj),)),
                      "vector-adjoint", "x" if l == 1 else f"a{l - 1}", entries=tuple(ins)))
        return out

    def penalty_note(self, l: int) -> Rich:
        note = rich("batch_matrix.sum", n=self.n)
        if self.graph.penalty is not None:
            note = rich("batch_matrix.sum_penalty", f"\\frac{{\\partial R}}{{\\partial W^{{({l})}}}}", n=self.n)
        return note
