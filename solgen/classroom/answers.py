"""The asked quantities of a solved problem: the columns of the class answer table.

What a problem asks is its ``ask`` list, or by default what the key boxes: the loss
and every parameter's gradient (and updated value, with a learning rate).  An asked
node gives its value and its gradient, an asked input its gradient.  The grader's
tolerance is one unit in the last digit the key shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from solgen.core.answers import to_float
from solgen.core.derive import Derivation
from solgen.core.numbers import NumberFormat
from solgen.messages import rich, text
from solgen.spec.sections import Spec

Rich = tuple[str, ...]


@dataclass(frozen=True)
class Answer:
    key: str  # the column: "L", "dL/dW1[1,1]", "W1[1,1] updated", + " (iteration k)"
    name: str  # the canonical name of the quantity
    what: str  # value | gradient | updated
    iteration: int  # 1-based
    value: float  # full precision
    tolerance: float  # absolute: one unit in the last shown digit
    shown: str  # as the key prints it (decimal point or comma)
    label: Rich  # text and math pieces naming it


def tolerance(shown: Decimal, digits: int) -> float:
    if shown == 0:
        return float(Decimal(1).scaleb(-digits))
    return float(Decimal(1).scaleb(shown.adjusted() - digits + 1))


def asked(spec: Spec, derivation: Derivation) -> tuple[Answer, ...]:
    g = derivation.graph
    fmt = NumberFormat(spec.style.digits, spec.style.decimal)
    names = list(spec.ask) or ["L"] + [p.name for p in g.params]
    several = len(derivation.iterations) > 1
    out: list[Answer] = []
    for it in derivation.iterations:
        k = it.index + 1
        suffix = text("variants.in_iteration", k=k) if several else ""
        for name in names:
            node = g.by_name[name]
            parts: list[tuple[str, object, Rich]] = []
            if node.kind in ("loss", "node"):
                parts.append(("value", it.values[name], ("", node.latex)))
            if node.kind in ("param", "node", "input"):
                parts.append(("gradient", it.adjoint[name], ("", f"\\frac{{\\partial L}}{{\\partial {node.latex}}}")))
            if name in it.updated:
                parts.append(("updated", it.updated[name], rich("variants.updated", node.latex)))
            for what, v, label in parts:
                key = {"value": name, "gradient": f"dL/d{name}", "updated": f"{name} updated"}[what] + suffix
                shown = fmt.shown(v)  # type: ignore[arg-type]
                out.append(Answer(key, name, what, k, to_float(v, spec.file, key),  # type: ignore[arg-type]
                                  tolerance(shown, spec.style.digits), fmt.text(v),  # type: ignore[arg-type]
                                  (*label, suffix) if suffix else label))
    return tuple(out)
