"""What the scalar key says about layers beyond dense (sentences from the [layers] catalog).

The explainer asks this module for the conventions of each layer, a note for a forward
equation (a pooling window's winner, a dropped unit), for a parameter's gradient (a shared
kernel weight sums over its positions, an RNN weight over its time steps) and for a local
derivative (which pooling entry receives the gradient).  Dense-only networks get nothing
from here, so their keys are unchanged.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from solgen.core.ir import Call
from solgen.layers import LAYER_KINDS
from solgen.layers.shapes import show_shape, size
from solgen.messages import catalog, rich, text

from .solution import Rich

if TYPE_CHECKING:
    from solgen.core.derive import Iteration
    from solgen.core.graph import Node

    from .base import Explainer


def kind_words(layer_type: str) -> str:
    """What a layer is ("2-D convolution"), from the catalog's [layers.kind] (else the registry's words)."""
    key = f"layers.kind.{layer_type}"
    return text(key) if key in catalog("en") else LAYER_KINDS[layer_type].words


def _k(values: tuple[int, ...]) -> str:
    return str(values[0]) if len(set(values)) == 1 else "×".join(str(v) for v in values)


def layer_conventions(ex: Explainer) -> list[Rich]:
    net = ex.spec.problem
    out: list[Rich] = []
    for l, layer in enumerate(net.layers, 1):  # type: ignore[union-attr]
        words = {"l": l, "kind": kind_words(layer.type)}
        if layer.type.startswith("conv"):
            if layer.dims == 1:
                formula = f"z^{{({l})}}_{{o,p}} = \\sum_{{c}} \\sum_{{k}} w^{{({l})}}_{{o,c,k}} x_{{c,(p-1)s+k-P}}"
            else:
                formula = (f"z^{{({l})}}_{{o,r,q}} = \\sum_{{c}} \\sum_{{i,j}} w^{{({l})}}_{{o,c,i,j}} "
                           "x_{c,(r-1)s+i-P,(q-1)s+j-P}")
            formula += f" + b^{{({l})}}_{{o}}" if layer.has_bias else ""
            out.append(rich("layers.conv", formula, stride=_k(layer.stride), padding=_k(layer.padding), **words))
        elif layer.type.startswith("maxpool"):
            out.append(rich("layers.maxpool", kernel=_k(layer.kernel), stride=_k(layer.stride), **words))
        elif layer.type.startswith("avgpool"):
            share = f"\\frac{{1}}{{{size(layer.kernel)}}}"
            out.append(rich("layers.avgpool", share, kernel=_k(layer.kernel), stride=_k(layer.stride), **words))
        elif layer.type == "flatten":
            out.append(rich("layers.flatten", shape=show_shape(layer.in_shape), size=size(layer.in_shape), l=l))
        elif layer.type == "dropout":
            out.extend(_dropout(ex, l, layer))
        elif layer.type == "batchnorm":
            out.append(_batchnorm(ex, l, layer))
        elif layer.type == "rnn":
            z = f"z^{{({l})}}_{{s,j}} = \\sum_i w^{{({l})}}_{{\\mathrm{{ih}},j,i}} x_{{s,i}} + \\sum_k " \
                f"w^{{({l})}}_{{\\mathrm{{hh}},j,k}} h^{{({l})}}_{{s-1,k}}"
            z += f" + b^{{({l})}}_{{j}}" if layer.has_bias else ""
            fn = "\\tanh" if layer.activation == "tanh" else "\\operatorname{ReLU}"
            out.append(rich("layers.rnn", z, f"h^{{({l})}}_{{s,j}} = {fn}\\left(z^{{({l})}}_{{s,j}}\\right)",
                            f"h^{{({l})}}_{{0,j}}", l=l, steps=layer.steps))
    return out


def _dropout(ex: Explainer, l: int, layer: Any) -> list[Rich]:
    scale = 1 / (1 - layer.p)
    formula = f"a^{{({l})}} = \\frac{{m^{{({l})}} \\odot a^{{({l - 1})}}}}{{1 - p}}" if l > 1 else \
        f"a^{{({l})}} = \\frac{{m^{{({l})}} \\odot x}}{{1 - p}}"
    p = f"{float(layer.p):g}"
    out = [rich("layers.dropout", formula, f"\\frac{{1}}{{1 - p}} = {ex.num(scale, True)}", l=l, p=p)]
    dropped = [n.latex for n in ex.graph.nodes if n.role == "m" and n.layer == l and n.value == 0]
    if dropped:
        out.append(rich("layers.dropped", ", ".join(dropped)))
    else:
        out.append(rich("layers.none_dropped"))
    return out


def _batchnorm(ex: Explainer, l: int, layer: Any) -> Rich:
    net = ex.spec.problem
    what = ex.word("layers.feature" if len(layer.in_shape) == 1 else "layers.channel")
    m = net.size if len(layer.in_shape) == 1 else f"{net.size} \\cdot {size(layer.in_shape[1:])}"  # type: ignore
    return rich("layers.batchnorm",
                f"\\mu^{{({l})}}_{{c}} = \\frac{{1}}{{{m}}} \\sum x",
                f"\\sigma^{{2\\,({l})}}_{{c}} = \\frac{{1}}{{{m}}} \\sum \\left(x - \\mu^{{({l})}}_{{c}}\\right)^{{2}}",
                f"\\hat{{x}} = \\frac{{x - \\mu^{{({l})}}_{{c}}}}{{\\sqrt{{\\sigma^{{2\\,({l})}}_{{c}} + \\epsilon}}}}",
                f"a = \\gamma^{{({l})}}_{{c}} \\hat{{x}} + \\beta^{{({l})}}_{{c}}",
                f"\\epsilon = {ex.num(layer.eps, True)}", l=l, n=net.size, what=what)  # type: ignore[union-attr]


def forward_note(ex: Explainer, n: Node, step: Iteration) -> Rich:
    """A pooling window's winner; a dropped unit."""
    e = n.expr
    if isinstance(e, Call) and e.fn == "maxpool":
        values = [step.values[a.name] for a in e.args]  # type: ignore[union-attr]
        win = 0
        for k, v in enumerate(values):
            if v > values[win]:
                win = k
        return rich("layers.winner", f"{ex.tex(e.args[win].name)} = {ex.num(values[win])}")  # type: ignore
    if n.role == "a" and n.layer and _type(ex, n.layer) == "dropout":
        mask = next(p for p in n.parents if ex.graph.by_name[p].role == "m")
        if ex.graph.by_name[mask].value == 0:
            return rich("layers.dropped_unit", ex.tex(mask))
    return ()


def adjoint_note(ex: Explainer, n: Node) -> Rich | None:
    """A shared weight's gradient: the sum over its positions or time steps (None: the usual note)."""
    kids = ex.graph.children[n.name]
    if n.kind != "param" or not n.layer or len(kids) < 2:
        return None
    kind = _type(ex, n.layer)
    layer = ex.spec.problem.layers[n.layer - 1]  # type: ignore[union-attr]
    if kind.startswith("conv"):
        return rich("layers.shared", n.latex, k=len(kids))
    if kind == "rnn":
        return rich("layers.shared_steps", n.latex, steps=layer.steps, k=len(kids))
    if kind == "batchnorm":
        what = ex.word("layers.feature" if len(layer.in_shape) == 1 else "layers.channel")
        return rich("layers.bn_param", n.latex, what=what, k=len(kids))
    return None


def local_note(ex: Explainer, child: str, n: Node, value: Any) -> Rich:
    f = ex.der.formulas[(child, n.name)]
    if isinstance(f, Call) and f.fn == "firstmax":
        return rich("layers.pool_winner" if value == Fraction(1) else "layers.pool_loser", n.latex)
    return ()


_SUB = re.compile(r"_\{((?:[^{}]|\{[^{}]*\})*)\}$")  # a name's subscript (one level of braces inside)


def given_rows(ex: Explainer, leaves: list[Node], words: dict[str, str]) -> list[tuple[Rich, ...]]:
    """The given values, a map or kernel of two or more dimensions shown as matrices (rows and
    columns its last two indices), one row of the table per leading index."""
    groups: dict[tuple[str, tuple[str, ...], str], list[tuple[list[str], Node]]] = {}
    order: list[Any] = []
    for n in leaves:
        m = _SUB.search(n.latex)
        parts = m.group(1).split(",") if m else []
        if m is None or len(parts) < 2:
            order.append(n)
            continue
        key = (n.latex[:m.start()], tuple(parts[:-2]), n.role or n.kind)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append((parts, n))
    rows: list[tuple[Rich, ...]] = []
    for item in order:
        if isinstance(item, tuple):
            head, prefix, role = item
            entries = groups[item]
            row_ids = list(dict.fromkeys(parts[-2] for parts, _ in entries))
            fixed = [row_ids[0]] if len(row_ids) == 1 else ["\\cdot"]
            label = head + "_{" + ",".join([*prefix, *fixed, "\\cdot"]) + "}"
            kind = ex.word(f"table.{words.get(role, entries[0][1].kind)}")
            rows.append((("", label), (kind,), ("", _matrix(ex, entries))))
        else:
            kind = ex.word(f"table.{words.get(item.role or item.kind, item.kind)}")
            rows.append((("", item.latex), (kind,), ("", ex.num(item.value, exact=True))))  # type: ignore[arg-type]
    return rows


def _matrix(ex: Explainer, entries: list[tuple[list[str], Node]]) -> str:
    """Entries by their last two indices (row, column), in the order given."""
    lines: dict[str, list[str]] = {}
    for parts, n in entries:
        lines.setdefault(parts[-2], []).append(ex.num(n.value, exact=True))  # type: ignore[arg-type]
    body = " \\\\ ".join(" & ".join(v) for v in lines.values())
    return f"\\begin{{bmatrix}} {body} \\end{{bmatrix}}"


def _type(ex: Explainer, l: int) -> str:
    return ex.spec.problem.layers[l - 1].type  # type: ignore[union-attr]
