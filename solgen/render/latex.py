"""Expression trees -> LaTeX math, symbolic or with the numbers substituted.

Both lines of an equation come from the same walk over the same tree, so the
terms stand in the same order; only the leaves differ (a symbol's display name,
or its formatted value).
"""

from __future__ import annotations

from collections.abc import Mapping

from solgen.core.evaluate import Value
from solgen.core.ir import Add, Call, Div, Expr, Mul, Neg, Num, Pow, Var
from solgen.core.numbers import NumberFormat

ADD, NEG, MUL, POW, ATOM = 1, 2, 3, 4, 5


def paren(s: str) -> str:
    return f"\\left({s}\\right)"


class Printer:
    """``values=None`` prints symbols; otherwise every variable is replaced by its value."""

    def __init__(self, names: Mapping[str, str], fmt: NumberFormat,
                 values: Mapping[str, Value] | None = None, exact: frozenset[str] = frozenset()) -> None:
        self.names, self.fmt, self.values, self.exact = names, fmt, values, exact

    def __call__(self, e: Expr) -> str:
        return self.print(e)[0]

    def terms(self, e: Expr) -> tuple[str, ...]:
        """A sum as its terms with their signs (``a``, ``+ b``, ``- c``), for line wrapping."""
        if not isinstance(e, Add):
            return (self(e),)
        flat = _flatten(e)  # a + (b + c) is a + b + c
        out = [self.print(flat[0])[0]]
        out += [self._signed(t) for t in flat[1:]]
        return tuple(out)

    def number(self, v: Value, exact: bool = False) -> str:
        return self.fmt.latex(v, exact)

    # -- the walk ---------------------------------------------------------
    def print(self, e: Expr) -> tuple[str, int]:
        if isinstance(e, Var):
            return self._var(e)
        if isinstance(e, Num):
            return self._num(e)
        if isinstance(e, Add):
            return " ".join(self.terms(e)), ADD
        if isinstance(e, Neg):
            s, p = self.print(e.arg)
            return "-" + (paren(s) if p <= NEG else s), NEG
        if isinstance(e, Mul):
            return self._mul(e), MUL
        if isinstance(e, Div):
            return f"\\frac{{{self(e.num)}}}{{{self(e.den)}}}", ATOM
        if isinstance(e, Pow):
            s, p = self.print(e.base)
            numeric = self.values is not None and isinstance(e.base, Var)
            if p < ATOM or numeric or (isinstance(e.base, Call) and e.base.fn == "exp") or "^" in s:
                s = paren(s)
            elif _scripted(s):  # a^{(2)}_{1} squared: {a^{(2)}_{1}}^{2}, never a double superscript
                s = f"{{{s}}}"
            return f"{s}^{{{self(e.exp)}}}", POW
        return self._call(e), ATOM

    def _signed(self, t: Expr) -> str:
        if isinstance(t, Neg):
            s, p = self.print(t.arg)
            return "- " + (paren(s) if p <= NEG else s)  # a - (-1), never a - -1
        s, p = self.print(t)
        return "+ " + (paren(s) if p <= NEG else s)

    def _var(self, e: Var) -> tuple[str, int]:
        if self.values is None:
            return self.names[e.name], ATOM
        v = self.values[e.name]
        s = self.number(v, e.name in self.exact)
        return s, NEG if s.startswith("-") else ATOM

    def _num(self, e: Num) -> tuple[str, int]:
        q = e.value
        if e.frac and q.denominator != 1:
            s = f"\\frac{{{abs(q.numerator)}}}{{{q.denominator}}}"
            return ("-" + s, NEG) if q < 0 else (s, ATOM)
        s = self.number(q, exact=True)
        return s, NEG if s.startswith("-") else ATOM

    def _mul(self, e: Mul) -> str:
        out, prev = "", ""
        for f in e.factors:
            s, p = self.print(f)
            substituted = self.values is not None and isinstance(f, Var)
            if p <= NEG or (substituted and len(e.factors) > 1):
                s = paren(s)
            if not out:
                out = s
            elif s.startswith("\\left("):
                out += s
            elif _starts_numeric(s) and (_starts_numeric(prev) or prev.endswith("right)")):
                out += " \\cdot " + s
            elif s.startswith("\\mathit{") or prev.startswith("\\mathit{"):  # num inv reads as a word
                out += " \\cdot " + s
            else:
                out += " " + s
            prev = s
        return out

    def _call(self, e: Call) -> str:
        fn = e.fn
        if fn == "softmax":
            zs = e.args[1:]
            j = int(e.args[0].value)  # type: ignore[union-attr]
            den = " + ".join(f"e^{{{self(z)}}}" for z in zs)
            return f"\\frac{{e^{{{self(zs[j - 1])}}}}}{{{den}}}"
        if fn == "maxpool":
            return f"\\max{paren(', '.join(self(a) for a in e.args))}"
        if fn == "firstmax":
            m = int(e.args[0].value)  # type: ignore[union-attr]
            window = ", ".join(self(a) for a in e.args[1:])
            return f"\\mathbf{{1}}\\left[{self(e.args[m])} = \\max{paren(window)}\\right]"
        if fn in TWO_ARGUMENTS:
            return self._two(e)
        arg = e.args[0]
        inner = self(arg)
        if fn in ONE_ARGUMENT:
            return ONE_ARGUMENT[fn].format(x=inner, px=paren(inner))
        if fn == "exp":
            return f"e^{{{inner}}}"
        if fn == "sigmoid":
            if self.values is None:
                return f"\\sigma{paren(inner)}"
            return f"\\frac{{1}}{{1 + e^{{{self._negated(arg)}}}}}"
        if fn == "relu":
            if self.values is None:
                return f"\\operatorname{{ReLU}}{paren(inner)}"
            return f"\\max{paren('0, ' + inner)}"
        if fn == "sqrt":
            return f"\\sqrt{{{inner}}}"
        if fn == "abs":
            return f"\\left|{inner}\\right|"
        if fn == "step":
            return f"\\mathbf{{1}}\\left[{inner} > 0\\right]"
        if fn == "sign":
            return f"\\operatorname{{sgn}}{paren(inner)}"
        return f"\\{fn}{paren(inner)}"  # tanh, log

    def _two(self, e: Call) -> str:
        fn, (u, v) = e.fn, (self(e.args[0]), self(e.args[1]))
        if fn == "softmax_ce":
            return self._softmax_ce(e)
        return TWO_ARGUMENTS[fn].format(u=u, v=v, pu=paren(u), neg=self._negated(e.args[1]))

    def _softmax_ce(self, e: Call) -> str:
        """(sum_j t_j) log sum_k e^{a_k} - sum_j t_j a_j: the log-sum-exp closed form."""
        k = (len(e.args) - 1) // 2
        a, t = e.args[1:k + 1], e.args[k + 1:]
        lse = "\\log" + paren(" + ".join(f"e^{{{self(x)}}}" for x in a))
        if not (isinstance(e.args[0], Num) and e.args[0].value == 1):
            lse = paren(" + ".join(self(x) for x in t)) + " " + lse
        dots = " + ".join(self._mul(Mul((tj, aj))) for tj, aj in zip(t, a))
        return f"{lse} - {paren(dots)}"

    def _negated(self, arg: Expr) -> str:
        """-(arg) for e^{-z}: a substituted negative number flips its sign."""
        s, p = self.print(arg)
        if s.startswith("-") and p == NEG and isinstance(arg, (Var, Num)):
            return s[1:]
        return "-" + (paren(s) if p < ATOM else s)


#: how the one-argument functions of training print (x: the argument, px: in parentheses)
ONE_ARGUMENT = {
    "sin": "\\sin{px}", "cos": "\\cos{px}", "softplus": "\\log\\left(1 + e^{{{x}}}\\right)",
    "gelu": "\\operatorname{{GELU}}{px}", "silu": "\\operatorname{{SiLU}}{px}", "Phi": "\\Phi{px}",
    "phi": "\\varphi{px}", "hinge": "\\max\\left(0, {x}\\right)", "tie": "H{px}",
}
#: the two-argument ones (u, v: the arguments; neg: minus v)
TWO_ARGUMENTS = {
    "max": "\\max\\left({u}, {v}\\right)", "min": "\\min\\left({u}, {v}\\right)",
    "leaky_relu": "\\operatorname{{LReLU}}_{{{v}}}{pu}", "elu": "\\operatorname{{ELU}}_{{{v}}}{pu}",
    "lstep": "\\mathbf{{1}}\\left[{u} > 0\\right] + {v} \\, \\mathbf{{1}}\\left[{u} \\le 0\\right]",
    "elu_grad": "\\mathbf{{1}}\\left[{u} > 0\\right] + {v} \\, e^{{{u}}} \\, \\mathbf{{1}}\\left[{u} \\le 0\\right]",
    "huber": "h_{{{v}}}{pu}", "clip": "\\operatorname{{clip}}\\left({u}, {neg}, {v}\\right)",
    "softmax_ce": "",
}


def _flatten(e: Add) -> list[Expr]:
    out: list[Expr] = []
    for t in e.terms:
        out += _flatten(t) if isinstance(t, Add) else [t]
    return out


def _scripted(s: str) -> bool:
    """Whether a printed atom ends in a sub- or superscript at its top level (a power needs braces)."""
    depth = 0
    for i, ch in enumerate(s):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0 and ch in "^_" and i > 0:
            return True
    return False


def _starts_numeric(s: str) -> bool:
    return s[:1].isdigit() or s.startswith("\\frac")
