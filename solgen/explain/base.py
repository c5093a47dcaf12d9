"""Derivation -> Solution: which equations are shown, in which order (scalar form)."""

from __future__ import annotations

from fractions import Fraction

from solgen.core.derive import Derivation
from solgen.core.derive import Iteration as Step
from solgen.core.evaluate import Value, evaluate
from solgen.core.graph import Graph, Node
from solgen.core.ir import Add, Call, Expr, Mul, Num, Var, is_leaf
from solgen.core.numbers import NumberFormat
from solgen.messages import rich, text
from solgen.render.latex import Printer
from solgen.render.latexsafe import SHORTENED
from solgen.spec.sections import Network, Spec

from .given import given_equations
from .shortcut import output_shortcut, shortcut_eq
from .solution import Eq, Iteration, Rich, Section, Solution, Table

ETA = "\\eta"
KIND_WORDS = {"x": "input", "t": "target", "W": "weight", "b": "bias", "param": "parameter",
              "Wih": "weight", "Whh": "weight", "gamma": "scale", "beta": "shift", "m": "dropout_mask",
              "h0": "initial_state"}  # keys of the catalog's [table]


CONVENTION_MATH: dict[str, tuple[str, ...]] = {  # the math of each function's conventions sentence
    "relu": ("\\operatorname{ReLU}(z) = \\max(0, z)", "\\mathbf{1}[z > 0]"),
    "sigmoid": ("\\sigma(z) = \\frac{1}{1 + e^{-z}}", "\\sigma'(z) = \\sigma(z)\\left(1 - \\sigma(z)\\right)"),
    "tanh": ("1 - \\tanh^{2}(z)",),
    "softmax": ("\\frac{\\partial a_j}{\\partial z_k} = a_j(\\delta_{jk} - a_k)",),
}


def d(of: str, wrt: str) -> str:
    return f"\\frac{{\\partial {of}}}{{\\partial {wrt}}}"


class Explainer:
    def __init__(self, spec: Spec, derivation: Derivation) -> None:
        self.spec, self.der, self.graph = spec, derivation, derivation.graph
        self.fmt = NumberFormat(spec.style.digits, spec.style.decimal)
        self.lang = spec.style.language
        g = self.graph
        self.names = {n.name: n.latex for n in g.nodes}
        self.names.update({f"d:{n.name}": d("L", n.latex) for n in g.nodes})
        from .training import penalty_locals

        self.names.update(penalty_locals(g))  # dR/dw: a penalized weight's direct term
        self.exact0 = frozenset(n.name for n in g.nodes if n.expr is None)
        self.symbolic = Printer(self.names, self.fmt)
        # boxed answers: what the problem asks for (default: the loss, the parameters'
        # gradients and their updated values)
        self.ask = set(spec.ask) or {"L"} | {p.name for p in g.params}
        net = spec.problem
        self.layered = isinstance(net, Network) and not net.dense_only  # layers beyond dense

    def say(self, key: str, *math: str, **words: object) -> Rich:
        """A sentence from the message catalog of the spec's language."""
        return rich(key, *math, language=self.lang, **words)

    def word(self, key: str, **words: object) -> str:
        return text(key, self.lang, **words)

    def tex(self, name: str) -> str:
        return self.names[name]

    def num(self, v: Value, exact: bool = False) -> str:
        return self.fmt.latex(v, exact)

    def solution(self) -> Solution:
        its = tuple(self.iteration(s) for s in self.der.iterations)
        from .batch import examples_table

        examples, caption = examples_table(self)
        return Solution(
            self.spec.title, self.spec.description, "worked", self.conventions(), self.given(),
            self.definitions(), its, self.summary(), {"parameters": len(self.graph.params)},
            examples=examples, examples_caption=rich(caption),
            given_math=self.given_math(), language=self.lang, detail=self.spec.style.detail,
        )

    def given_math(self) -> tuple[Eq, ...]:
        if self.spec.style.detail == "full":
            return ()
        upstream = [(d("L", self.tex(name)), self.num(g, True)) for name, g in self.graph.upstream.items()]
        rate = self.der.learning_rate
        return given_equations(self.graph, lambda v: self.num(v, True), upstream,
                               None if rate is None else self.num(rate, True))

    # -- front matter ------------------------------------------------------
    def conventions(self) -> tuple[Rich, ...]:
        style = self.spec.style
        out: list[Rich] = [self.say(f"conventions.precision_{style.rounding}", digits=style.digits)]
        kinds = {n.expr.fn for n in self.graph.nodes if isinstance(n.expr, Call)}
        for fn, math in CONVENTION_MATH.items():
            if fn in kinds:
                out.append(self.say(f"conventions.{fn}", *math))
        if self.graph.upstream:
            out.append(self.say("conventions.upstream"))
        out += [self.say("names.shortened", n.latex, name=n.name) for n in self.graph.nodes if SHORTENED in n.latex]
        from .optimizer import conventions
        from .training import training_conventions

        if self.layered:
            from .layers import layer_conventions

            out.extend(layer_conventions(self))
        return (*out, *training_conventions(self), *conventions(self))

    def given(self) -> Table:
        from .batch import in_examples_table, training_rows

        rows = []
        leaves = [n for n in self.graph.nodes if n.expr is None and not in_examples_table(self, n.role)]
        if self.layered:  # feature maps and kernels as matrices
            from .layers import given_rows

            rows = given_rows(self, leaves, KIND_WORDS)
            leaves = []
        for n in leaves:
            kind = self.word(f"table.{KIND_WORDS.get(n.role or n.kind, n.kind)}")
            rows.append((("", n.latex), (kind,), ("", self.num(n.value, exact=True))))  # type: ignore[arg-type]
        for name, g in self.graph.upstream.items():
            rows.append((("", d("L", self.tex(name))), (self.word("table.upstream"),), ("", self.num(g, True))))
        if self.der.learning_rate is not None:
            rows.append((("", ETA), (self.word("table.learning_rate"),), ("", self.num(self.der.learning_rate, True))))
        rows.extend(training_rows(self))
        header = tuple((self.word(f"table.{k}"),) for k in ("quantity", "kind", "value"))
        return Table(header, tuple(rows))

    def definitions(self) -> tuple[Eq, ...]:
        """The graph's own definitions (a layered network's are its forward pass)."""
        if self.graph.nodes and self.graph.nodes[0].role:
            return ()
        return tuple(
            Eq(n.latex, (self.symbolic.terms(n.expr),), "definition", n.name)  # type: ignore[arg-type]
            for n in self.graph.nodes if n.expr is not None
        )

    # -- one iteration -------------------------------------------------------
    def iteration(self, step: Step) -> Iteration:
        exact = self.exact0 if step.index == 0 else self.exact0 - {p.name for p in self.graph.params}
        sub = Printer(self.names, self.fmt, step.values, exact)
        forward = [self.forward_eq(n, step, sub) for n in self.graph.nodes
                   if n.expr is not None and n.kind != "loss"]
        sections = [Section(self.word("heading.forward"), (), tuple(forward))]
        if self.graph.has_loss:
            loss = self.forward_eq(self.graph.by_name["L"], step, sub)
            sections.append(Section(self.word("heading.loss"), (), (loss,)))
        sections.append(Section(self.word("heading.backward"), self.backward_intro(), self.backward(step)))
        sections.extend(self.update_sections(step))
        return Iteration(step.index + 1, tuple(sections))

    def update_sections(self, step: Step) -> list[Section]:
        """Plain gradient descent, or the [optimizer]'s step written out (explain/optimizer)."""
        if self.der.optimizer is not None and self.der.optimizer.given:
            from .optimizer import optimizer_section

            return [optimizer_section(self, step)]
        if self.der.learning_rate is not None:
            return [Section(self.word("heading.updates"), self.update_intro(), self.updates(step))]
        return []

    def backward_intro(self) -> Rich:
        key = "backward.intro_full" if self.spec.style.detail == "full" else "backward.intro"
        return self.say(key)

    def forward_eq(self, n: Node, step: Step, sub: Printer) -> Eq:
        assert n.expr is not None
        sym, num = self.symbolic.terms(n.expr), sub.terms(n.expr)
        steps = [sym] if sym == num else [sym, num]
        value = step.values[n.name]
        box = n.name in self.ask
        note: Rich = ()
        if self.layered:
            from .layers import forward_note

            note = forward_note(self, n, step)
        return Eq(n.latex, (*steps, (self.num(value),)), "loss" if n.kind == "loss" else "forward",
                  n.name, note=note, boxed=box)

    def backward(self, step: Step) -> tuple[Eq, ...]:
        values = {**step.values, **{f"d:{k}": v for k, v in step.adjoint.items()},
                  **{f"l:{c}/{p}": v for (c, p), v in step.local.items()}}
        sub = Printer(self.names, self.fmt, values, self.exact0 if step.index == 0 else frozenset())
        out: list[Eq] = []
        short = output_shortcut(self.spec, self.graph)  # dL/dz_j = a_j - t_j
        skipped = {a for a, _ in short.values()}
        for n in backward_order(self.graph):
            if n.name in short:
                a, t = short[n.name]
                note = self.say(f"backward.shortcut_{self.spec.problem.layers[-1].activation}",  # type: ignore[union-attr]
                            "\\frac{\\partial L}{\\partial z_j} = a_j - t_j") if not out else ()
                out.append(shortcut_eq(n.name, d("L", n.latex), a, t, self.num(step.adjoint[n.name]),
                                       self.symbolic, sub, note, n.name in self.ask))
            elif n.name not in skipped:
                out.extend(self.adjoint_eqs(n, step, sub))
        return tuple(out)

    def adjoint_eqs(self, n: Node, step: Step, sub: Printer) -> list[Eq]:
        g, name = self.graph, n.name
        kids = g.children[name]
        lhs = d("L", n.latex)
        value = step.adjoint[name]
        box = name in self.ask
        seed = g.upstream.get(name)
        if not kids:
            if seed is not None:
                return [Eq(lhs, ((self.num(seed, True),),), "given", name, note=self.say("notes.upstream_given"))]
            return [Eq(lhs, (("0",),), "adjoint", name, note=self.say("notes.no_effect", n.latex))]
        out: list[Eq] = [self.local_eq(c, n, f, step, sub) for c, f in self.nontrivial_locals(n)]
        chain, named = self.chain_rule(n)
        if seed is not None:
            chain.insert(0, Num(Fraction(seed)))
            named.insert(0, Num(Fraction(seed)))
        full = self.spec.style.detail == "full"
        # compact: the chain rule with leaf local derivatives already written in (dL/dz x)
        steps = [] if (kids == ("L",) and seed is None) or not full else [self.symbolic.terms(_sum(chain))]
        s2 = self.symbolic.terms(_sum(named))
        if not steps or s2 != steps[0]:
            steps.append(s2)
        s3 = sub.terms(_sum(named))
        if s3 != steps[-1]:
            steps.append(s3)
        steps.append((self.num(value),))
        note: Rich = ()
        shared = None
        if self.layered:
            from .layers import adjoint_note

            shared = adjoint_note(self, n)
        from .batch import gradient_note

        if shared is not None:
            note = shared
        elif len(kids) > 1:
            note = gradient_note(self, name) or ()
            if not note and full:  # compact: the backward intro says it once
                note = self.say("notes.feeds", n.latex, ",\\ ".join(self.tex(c) for c in kids), count=len(kids))
        out.append(Eq(lhs, tuple(steps), "adjoint", name, note=note, boxed=box))
        return out

    def nontrivial_locals(self, n: Node) -> list[tuple[str, Expr]]:
        """The local derivatives into n's children that get a line of their own (not a leaf)."""
        return [(c, f) for c in self.graph.children[n.name] if c != "L"
                and not is_leaf(f := self.der.formulas[(c, n.name)])]

    def chain_rule(self, n: Node) -> tuple[list[Expr], list[Expr]]:
        """dL/dn over n's children: as products of partials, and with leaf local derivatives
        written out (the substituted line prints the second with numbers)."""
        chain: list[Expr] = []
        named: list[Expr] = []
        for c in self.graph.children[n.name]:
            f = self.der.formulas[(c, n.name)]
            local = f"l:{c}/{n.name}"
            self.names.setdefault(local, d(self.tex(c), n.latex))
            if c == "L":
                chain.append(Var(local))
                named.append(f)
                continue
            chain.append(Mul((Var(f"d:{c}"), Var(local))))
            named.append(_times(Var(f"d:{c}"), f if is_leaf(f) else Var(local)))
        return chain, named

    def local_eq(self, c: str, n: Node, f: Expr, step: Step, sub: Printer) -> Eq:
        value = step.local[(c, n.name)]
        steps = [self.symbolic.terms(f)]
        s2 = sub.terms(f)
        if s2 != steps[0]:
            steps.append(s2)
        steps.append((self.num(value),))
        note: Rich = ()
        if isinstance(f, Call) and f.fn == "step" and value == 0:
            z = f.args[0]
            shown = f"{self.symbolic(z)} = {self.num(evaluate(z, step.values))} \\le 0"
            note = self.say("notes.relu_inactive", shown)
        elif self.layered:
            from .layers import local_note

            note = local_note(self, c, n, value)
        return Eq(d(self.tex(c), n.latex), tuple(steps), "local", f"{c}/{n.name}", note=note)

    def update_intro(self) -> Rich:
        frozen = sorted(self.graph.frozen)
        rule = "\\theta \\leftarrow \\theta - \\eta \\frac{\\partial L}{\\partial \\theta}"
        pieces = list(self.say("updates.rule", rule))
        if frozen:  # one formula a name, so that a long list breaks between names
            names = [self.tex(f) for f in frozen]
            pieces += [f". {self.word('updates.frozen')} "]
            for i, m in enumerate(names):
                pieces += ([", "] if i else []) + [m]
        return (*pieces, ".")

    def updates(self, step: Step) -> tuple[Eq, ...]:
        lr = self.der.learning_rate
        assert lr is not None
        exact = self.exact0 if step.index == 0 else frozenset()
        out = []
        for p in self.graph.params:
            if p.name in self.graph.frozen:
                continue
            g = step.adjoint[p.name]
            old = step.values[p.name]
            sym = f"{p.latex} - {ETA} {d('L', p.latex)}"
            gs = self.num(g)
            num = f"{self.num(old, p.name in exact)} - {self.num(lr, True)}\\left({gs}\\right)"
            shown = ((sym,), (num,)) if self.spec.style.detail == "full" else ((num,),)  # the intro has the rule
            out.append(Eq(p.latex, (*shown, (self.num(step.updated[p.name]),)), "update", p.name,
                          rel="\\leftarrow", boxed=p.name in self.ask))
        return tuple(out)

    # -- summary -------------------------------------------------------------
    def summary(self) -> Table:
        its = self.der.iterations
        header: list[Rich] = [(self.word("table.quantity"),), (self.word("table.value"),)]
        for s in its:
            suffix = " " + self.word("heading.in_iteration", n=s.index + 1) if len(its) > 1 else ""
            header.append(("", "\\partial L / \\partial \\cdot", suffix))
            if self.der.learning_rate is not None:
                header.append((self.word("table.updated") + suffix,))
        rows = []
        for n in self.graph.nodes:
            if n.kind not in ("param", "input"):
                continue
            row: list[Rich] = [("", n.latex), ("", self.num(n.value, True))]  # type: ignore[arg-type]
            for s in its:
                row.append(("", self.num(s.adjoint[n.name])))
                if self.der.learning_rate is not None:
                    new = s.updated.get(n.name)
                    row.append(("", self.num(new)) if new is not None else ("—" if n.kind == "param" else "",))
            rows.append(tuple(row))
        return Table(tuple(header), tuple(rows))


def backward_order(graph: Graph) -> list[Node]:
    """Interior nodes stage by stage from the loss down; each leaf as soon as all its users are done."""
    interior = [n for n in graph.nodes if n.expr is not None and n.kind != "loss"]
    stages: dict[int, list[Node]] = {}
    for n in interior:
        stages.setdefault(n.stage, []).append(n)
    leaves = [n for n in graph.nodes if n.kind in ("param", "input")]
    order = sorted(stages, reverse=True)
    ready: dict[int, list[Node]] = {}  # stage -> the leaves whose last user is done with it, in graph order
    for leaf in leaves:
        kids = graph.children[leaf.name]
        if kids:
            users = [graph.by_name[c].stage for c in kids if c != "L"]
            ready.setdefault(min(users) if users else order[0] if order else 0, []).append(leaf)
    out: list[Node] = []
    for stage in order:
        out += stages[stage]
        out += ready.pop(stage, [])
    out.extend(leaf for leaf in leaves if not graph.children[leaf.name])  # used by nothing: last
    return out


def _times(adjoint: Expr, local: Expr) -> Expr:
    """dL/dc times a local derivative, dropping a factor of 1."""
    if isinstance(local, Num) and local.value == 1:
        return adjoint
    return Mul((adjoint, local))


def _sum(terms: list[Expr]) -> Expr:
    return terms[0] if len(terms) == 1 else Add(tuple(terms))
