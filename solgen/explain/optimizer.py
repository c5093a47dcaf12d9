"""An optimizer's step written out as in a textbook, with the numbers (spec section 7).

For each parameter: the gradient the optimizer sees, each state update
(``v <- mu v + g``, ``m <- beta1 m + (1 - beta1) g``, ...), the bias corrections and the
parameter's new value; then a table of the state after the step.  The formulas are
PyTorch's (``torch.optim``); where textbooks differ a conventions sentence says so.
The lines of each optimizer are data (``LINES``), looked up by name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction
from typing import TYPE_CHECKING

from solgen.core.derive import Iteration as Step
from solgen.core.evaluate import Value
from solgen.messages import rich, text
from solgen.record import record
from solgen.train.optimizers import OPTIMIZERS

from .solution import Eq, Rich, Section, Table

if TYPE_CHECKING:
    from .base import Explainer

TORCH = {"sgd": "SGD", "rmsprop": "RMSprop", "adagrad": "Adagrad", "adam": "Adam", "adamw": "AdamW"}
#: how each state name reads in the equations
SYMBOL = {"momentum_buffer": "v", "square_avg": "s", "sum": "G", "exp_avg": "m", "exp_avg_sq": "v"}
#: hyperparameter symbols
HYPER = {"lr": "\\eta", "momentum": "\\mu", "dampening": "\\tau", "weight_decay": "\\lambda", "alpha": "\\alpha",
         "eps": "\\varepsilon", "beta1": "\\beta_1", "beta2": "\\beta_2", "lr_decay": "\\gamma",
         "initial_accumulator_value": "G_0"}


@record
class Line:
    """One equation of a step: ``lhs rel symbolic = numbers = value``.

    ``numbers`` gets a function ``n(key)`` that formats a value by key: a hyperparameter
    (``lr``), ``old:<state>``, ``new:<state>``, ``work:<name>``, ``p`` (the parameter before)
    or ``grad`` (dL/dtheta); ``value`` names the key of the result."""

    lhs: str
    symbolic: str
    numbers: Callable[[Callable[[str], str]], str]
    value: str
    rel: str = "="
    when: Callable[[dict[str, Fraction], int], bool] = lambda h, t: True


def _g_line(decay: bool = True) -> list[Line]:
    """g: the gradient the optimizer sees (with torch's L2 weight decay added, if any)."""
    return [Line("g", "\\frac{\\partial L}{\\partial \\theta} + \\lambda \\theta",
                 lambda n: f"{n('grad')} + {n('weight_decay')} \\cdot {n('p')}", "work:g",
                 when=lambda h, t: decay and bool(h["weight_decay"])),
            Line("g", "\\frac{\\partial L}{\\partial \\theta}", lambda n: n("grad"), "work:g",
                 when=lambda h, t: not decay or not h["weight_decay"])]


def _theta(direction: str, numbers: Callable[[Callable[[str], str]], str]) -> Line:
    return Line("\\theta", f"\\theta - \\eta {direction}", numbers, "updated", rel="\\leftarrow")


def _momentum(first: bool) -> Line:
    if first:
        return Line("v", "g", lambda n: n("g"), "new:momentum_buffer", rel="\\leftarrow",
                    when=lambda h, t: bool(h["momentum"]) and t == 1)
    return Line("v", "\\mu v + (1 - \\tau) g", lambda n: f"{n('momentum')} \\cdot {n('old:momentum_buffer')} + "
                f"\\left(1 - {n('dampening')}\\right) {n('g')}", "new:momentum_buffer", rel="\\leftarrow",
                when=lambda h, t: bool(h["momentum"]) and bool(h["dampening"]) and t > 1)


def _momentum_undamped() -> Line:
    return Line("v", "\\mu v + g", lambda n: f"{n('momentum')} \\cdot {n('old:momentum_buffer')} + {n('g')}",
                "new:momentum_buffer", rel="\\leftarrow",
                when=lambda h, t: bool(h["momentum"]) and not h["dampening"] and t > 1)


def _sgd() -> list[Line]:
    plain = _theta("g", lambda n: f"{n('p')} - {n('lr')} \\cdot {n('g')}")
    return [
        *_g_line(), _momentum(True), _momentum(False), _momentum_undamped(),
        Line("d", "g + \\mu v", lambda n: f"{n('g')} + {n('momentum')} \\cdot {n('new:momentum_buffer')}",
             "work:direction", when=lambda h, t: bool(h["nesterov"])),
        Line(plain.lhs, plain.symbolic, plain.numbers, plain.value, plain.rel, lambda h, t: not h["momentum"]),
        Line("\\theta", "\\theta - \\eta v", lambda n: f"{n('p')} - {n('lr')} \\cdot {n('new:momentum_buffer')}",
             "updated", "\\leftarrow", lambda h, t: bool(h["momentum"]) and not h["nesterov"]),
        Line("\\theta", "\\theta - \\eta d", lambda n: f"{n('p')} - {n('lr')} \\cdot {n('work:direction')}",
             "updated", "\\leftarrow", lambda h, t: bool(h["nesterov"])),
    ]


def _rmsprop() -> list[Line]:
    return [
        *_g_line(),
        Line("s", "\\alpha s + (1 - \\alpha) g^{2}", lambda n: f"{n('alpha')} \\cdot {n('old:square_avg')} + "
             f"\\left(1 - {n('alpha')}\\right) {_squared(n('g'))}", "new:square_avg", rel="\\leftarrow"),
        Line("v", "\\mu v + \\frac{g}{\\sqrt{s} + \\varepsilon}", lambda n: f"{n('momentum')} \\cdot "
             f"{n('old:momentum_buffer')} + \\frac{{{n('g')}}}{{\\sqrt{{{n('new:square_avg')}}} + {n('eps')}}}",
             "new:momentum_buffer", rel="\\leftarrow", when=lambda h, t: bool(h["momentum"])),
        Line("\\theta", "\\theta - \\eta \\frac{g}{\\sqrt{s} + \\varepsilon}", lambda n: f"{n('p')} - {n('lr')} "
             f"\\cdot \\frac{{{n('g')}}}{{\\sqrt{{{n('new:square_avg')}}} + {n('eps')}}}", "updated",
             "\\leftarrow", lambda h, t: not h["momentum"]),
        Line("\\theta", "\\theta - \\eta v", lambda n: f"{n('p')} - {n('lr')} \\cdot {n('new:momentum_buffer')}",
             "updated", "\\leftarrow", lambda h, t: bool(h["momentum"])),
    ]


def _adagrad() -> list[Line]:
    return [
        *_g_line(),
        Line("\\eta_t", "\\frac{\\eta}{1 + (t - 1) \\gamma}", lambda n: f"\\frac{{{n('lr')}}}{{1 + {n('t-1')} "
             f"\\cdot {n('lr_decay')}}}", "work:clr", when=lambda h, t: bool(h["lr_decay"])),
        Line("G", "G + g^{2}", lambda n: f"{n('old:sum')} + {_squared(n('g'))}", "new:sum",
             rel="\\leftarrow"),
        Line("\\theta", "\\theta - \\eta_t \\frac{g}{\\sqrt{G} + \\varepsilon}", lambda n: f"{n('p')} - "
             f"{n('work:clr')} \\cdot \\frac{{{n('g')}}}{{\\sqrt{{{n('new:sum')}}} + {n('eps')}}}", "updated",
             "\\leftarrow"),
    ]


def _adam(decoupled: bool) -> list[Line]:
    lines = _g_line(not decoupled)
    lines += [
        Line("m", "\\beta_1 m + (1 - \\beta_1) g", lambda n: f"{n('beta1')} \\cdot {n('old:exp_avg')} + "
             f"\\left(1 - {n('beta1')}\\right) {n('g')}", "new:exp_avg", rel="\\leftarrow"),
        Line("v", "\\beta_2 v + (1 - \\beta_2) g^{2}", lambda n: f"{n('beta2')} \\cdot {n('old:exp_avg_sq')} + "
             f"\\left(1 - {n('beta2')}\\right) {_squared(n('g'))}", "new:exp_avg_sq", rel="\\leftarrow"),
        Line("\\hat{m}", "\\frac{m}{1 - \\beta_1^{t}}", lambda n: f"\\frac{{{n('new:exp_avg')}}}{{1 - "
             f"{n('beta1')}^{{{n('t')}}}}}", "work:m_hat"),
        Line("\\hat{v}", "\\frac{v}{1 - \\beta_2^{t}}", lambda n: f"\\frac{{{n('new:exp_avg_sq')}}}{{1 - "
             f"{n('beta2')}^{{{n('t')}}}}}", "work:v_hat"),
    ]
    step = "\\frac{\\hat{m}}{\\sqrt{\\hat{v}} + \\varepsilon}"
    if decoupled:
        lines.append(Line("\\theta'", "\\theta (1 - \\eta \\lambda)", lambda n: f"{n('p')} \\left(1 - {n('lr')} "
                          f"\\cdot {n('weight_decay')}\\right)", "work:decayed"))
        lines.append(Line("\\theta", f"\\theta' - \\eta {step}", lambda n: f"{n('work:decayed')} - {n('lr')} \\cdot "
                          f"\\frac{{{n('work:m_hat')}}}{{\\sqrt{{{n('work:v_hat')}}} + {n('eps')}}}", "updated",
                          "\\leftarrow"))
    else:
        lines.append(Line("\\theta", f"\\theta - \\eta {step}", lambda n: f"{n('p')} - {n('lr')} \\cdot "
                          f"\\frac{{{n('work:m_hat')}}}{{\\sqrt{{{n('work:v_hat')}}} + {n('eps')}}}", "updated",
                          "\\leftarrow"))
    return lines


LINES: dict[str, Callable[[], list[Line]]] = {
    "sgd": _sgd, "rmsprop": _rmsprop, "adagrad": _adagrad, "adam": lambda: _adam(False), "adamw": lambda: _adam(True),
}


def optimizer_section(ex: Explainer, step: Step) -> Section:
    """The optimizer's step for every parameter that is not frozen, and its state table."""
    choice = ex.der.optimizer
    assert choice is not None
    h, t = choice.hyper, step.index + 1
    before = ex.der.iterations[step.index - 1].state if step.index else {}
    exact = ex.exact0 if step.index == 0 else frozenset()
    lines = [line for line in LINES[choice.name]() if line.when(h, t)]
    out: list[Eq] = []
    for p in ex.graph.params:
        if p.name in ex.graph.frozen:
            continue
        values = _values(ex, step, p.name, before.get(p.name, {}), h, t)

        def n(key: str, values: dict[str, Value] = values, name: str = p.name) -> str:
            if key == "g":
                key = "work:g"
            exactly = key in h or key in ("t", "t-1") or (key == "p" and name in exact) or key.startswith("old:") \
                and values[key] == 0
            shown = ex.num(values[key], exactly)
            lead = key in ("p", "work:decayed")  # the first term of its line: no parentheses
            return f"\\left({shown}\\right)" if shown.startswith("-") and not lead else shown

        for i, line in enumerate(lines):
            lhs = line.lhs.replace("\\theta", p.latex)
            symbolic = line.symbolic.replace("\\theta", p.latex)
            value = values[line.value]
            note = rich("optimizer.parameter", p.latex) if i == 0 else ()
            steps = [(symbolic,), (line.numbers(n),), (ex.num(value),)]
            if steps[1][0] in (steps[2][0], f"\\left({steps[2][0]}\\right)"):
                del steps[1]
            out.append(Eq(lhs, tuple(steps), "update",
                          p.name if line.value == "updated" else f"{line.value}/{p.name}", rel=line.rel, note=note,
                          boxed=line.value == "updated" and p.name in ex.ask))
    return Section(text("optimizer.section", name=TORCH[choice.name]), _intro(ex, lines), tuple(out),
                   _state_table(ex, step), rich("optimizer.state_caption", t=t))


def _values(ex: Explainer, step: Step, name: str, before: dict[str, Value], h: dict[str, Fraction],
            t: int) -> dict[str, Value]:
    choice = ex.der.optimizer
    assert choice is not None
    values: dict[str, Value] = {**h, "t": Fraction(t), "t-1": Fraction(t - 1), "p": step.values[name],
                                "grad": step.adjoint[name], "updated": step.updated[name]}
    zero = h.get("initial_accumulator_value", Fraction(0)) if choice.name == "adagrad" else Fraction(0)
    for key in OPTIMIZERS[choice.name].state_names(h):
        values[f"old:{key}"] = before.get(key, zero)
        values[f"new:{key}"] = step.state[name][key]
    values.update({f"work:{k}": v for k, v in step.work[name].items()})
    values.setdefault("work:clr", h.get("lr", Fraction(0)))
    return values


def _intro(ex: Explainer, lines: list[Line]) -> Rich:
    choice = ex.der.optimizer
    assert choice is not None
    update = next(line for line in lines if line.value == "updated")
    form = f"{update.lhs} \\leftarrow {update.symbolic}"
    intro = rich("optimizer.intro", form, name=TORCH[choice.name], torch=TORCH[choice.name])
    args = ", ".join(f"{HYPER[k]} = {ex.num(v, True)}" for k, v in choice.hyper.items() if k in HYPER)
    frozen = sorted(ex.graph.frozen)
    listed = rich("optimizer.frozen", ", ".join(ex.tex(f) for f in frozen)) if frozen else ()
    return join(intro, rich("optimizer.arguments", args), listed)


def join(*runs: Rich) -> Rich:
    """Rich runs one after another, separated by a space (text, math, text, ... kept alternating)."""
    out: list[str] = []
    for run in runs:
        if not run:
            continue
        if not out:
            out.extend(run)
        elif len(out) % 2 == 1:  # ends with text: the run's leading text continues it
            out[-1] += " " + run[0]
            out.extend(run[1:])
        else:  # ends with math: the run's leading text follows it
            out.extend((" " + run[0], *run[1:]))
    return tuple(out)


def _state_table(ex: Explainer, step: Step) -> Table | None:
    choice = ex.der.optimizer
    assert choice is not None
    names = OPTIMIZERS[choice.name].state_names(choice.hyper)
    if not names:
        return None
    header: list[Rich] = [(text("table.parameter"),)]
    header += [(f"{key} (", SYMBOL[key], ")") for key in names]
    rows = []
    for p in ex.graph.params:
        if p.name in step.state:
            rows.append((("", p.latex), *(("", ex.num(step.state[p.name][key])) for key in names)))
    return Table(tuple(header), tuple(rows))


def conventions(ex: Explainer) -> list[Rich]:
    """The sentences that state PyTorch's form where textbooks differ."""
    choice = ex.der.optimizer
    if choice is None or not choice.given:
        return []
    h = choice.hyper
    out: list[Rich] = []
    if choice.name == "sgd" and h["momentum"]:
        out.append(rich("optimizer.sgd_momentum", "v \\leftarrow \\mu v + (1 - \\tau) g",
                        "\\theta \\leftarrow \\theta - \\eta v", "v \\leftarrow \\mu v + \\eta g",
                        "\\theta \\leftarrow \\theta - v", "v = g"))
        if h["nesterov"]:
            out.append(rich("optimizer.nesterov", "g + \\mu v"))
    if choice.name == "rmsprop":
        out.append(rich("optimizer.rmsprop", "\\sqrt{s} + \\varepsilon", "\\varepsilon", "s"))
    if choice.name == "adagrad":
        out.append(rich("optimizer.adagrad", f"G_0 = {ex.num(h['initial_accumulator_value'], True)}",
                        "\\sqrt{G} + \\varepsilon", "\\varepsilon"))
    if choice.name in ("adam", "adamw"):
        out.append(rich("optimizer.adam", "\\hat{v}", "\\sqrt{\\hat{v}} + \\varepsilon", "\\varepsilon", "t"))
    if choice.name == "adamw":
        out.append(rich("optimizer.decoupled", "\\theta \\leftarrow \\theta (1 - \\eta \\lambda)"))
    elif h["weight_decay"]:
        out.append(rich("optimizer.weight_decay", "\\lambda", "g = \\frac{\\partial L}{\\partial \\theta} + "
                        "\\lambda \\theta"))
    return out


_PLAIN = re.compile(r"\d+(\.\d+)?\Z")


def _squared(shown: str) -> str:
    """``shown`` squared: a plain decimal as it is, anything else (a negative number, already in
    parentheses, or in scientific notation) inside one pair of parentheses."""
    if _PLAIN.match(shown):
        return f"{shown}^{{2}}"
    if shown.startswith("\\left(") and shown.endswith("\\right)") and shown.count("\\left(") == 1:
        return f"{shown}^{{2}}"
    return f"\\left({shown}\\right)^{{2}}"
