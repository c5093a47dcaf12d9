"""A batch's examples as one table (one row per example: its inputs, then its targets or label),
and the training rows of the given values: the optimizer and its arguments, the penalties,
the reduction and the loss keys (spec sections 6-8)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from solgen.core.ir import uses
from solgen.messages import rich, text
from solgen.spec.sections import Network

from .solution import Rich, Table

if TYPE_CHECKING:
    from .base import Explainer


#: an examples table with more columns than this (inputs and targets) has one column per example
MAX_COLUMNS = 12


def examples_table(ex: Explainer) -> tuple[Table | None, str]:
    """One row per example (n, x_{n,1..}, t_{n,1..} or its label), or, when the examples are wider
    than MAX_COLUMNS, one column per example; None outside a batch.  With the catalog key of its
    caption."""
    net = ex.spec.problem
    if not ex.graph.examples or not isinstance(net, Network):
        return None, "batch.examples_caption"
    header: list[Rich] = [(text("batch.example"),)]
    header += [("", f"x_{{n,{i}}}") for i in range(1, net.input_count + 1)]
    outputs = net.layers[-1].units
    if net.labels:
        header.append((text("batch.label"),))
    elif net.example_targets:
        header += [("", f"t_{{n,{j}}}") for j in range(1, outputs + 1)]
    elif net.example_upstream:
        header += [("", f"\\partial L / \\partial a_{{n,{j}}}") for j in range(1, outputs + 1)]
    rows = []
    for n, row in enumerate(net.examples, 1):
        cells: list[Rich] = [(str(n),)]
        cells += [("", ex.num(v, True)) for v in row]
        if net.labels:
            cells.append((str(net.labels[n - 1]),))
        elif net.example_targets:
            cells += [("", ex.num(v, True)) for v in net.example_targets[n - 1]]
        elif net.example_upstream:
            cells += [("", ex.num(v, True)) for v in net.example_upstream[n - 1]]
        rows.append(tuple(cells))
    if len(header) > MAX_COLUMNS and len(rows) + 1 < len(header):  # wide examples: one column each
        columns = [header[0], *(r[0] for r in rows)]
        table = [(h, *(r[k] for r in rows)) for k, h in enumerate(header[1:], 1)]
        return Table(tuple(columns), tuple(table)), "batch.examples_columns"
    return Table(tuple(header), tuple(rows)), "batch.examples_caption"


def in_examples_table(ex: Explainer, role: str) -> bool:
    """Inputs and targets of a batch are listed in the examples table, not one by one."""
    return bool(ex.graph.examples) and role in ("x", "t")


def training_rows(ex: Explainer) -> list[tuple[Rich, ...]]:
    """Given-table rows for the optimizer and its arguments, penalties, reduction and loss keys."""
    from .optimizer import HYPER, TORCH

    spec, rows = ex.spec, []
    net = spec.problem
    choice = ex.der.optimizer
    if choice is not None and choice.given:
        name = f"torch.optim.{TORCH[choice.name]}"
        rows.append(((text("given.optimizer"),), (text("given.optimizer_kind"),), (name,)))
        for key, value in choice.hyper.items():
            if key == "lr":
                continue
            if key == "nesterov":
                rows.append(((key,), ("sgd",), ("true" if value else "false",)))
                continue
            rows.append((("", HYPER[key]), (key.replace("_", " "),), ("", ex.num(value, True))))
    for key, symbol, weight in (("l1", "\\lambda_1", spec.l1), ("l2", "\\lambda_2", spec.l2)):
        if weight:
            rows.append((("", symbol), (text(f"given.{key}"),), ("", ex.num(weight, True))))
    if isinstance(net, Network) and ex.graph.examples:
        rows.append(((text("given.reduction"),), (text("given.reduction_kind"),), (net.reduction,)))
    if isinstance(net, Network) and net.loss == "huber":
        rows.append((("", "\\delta"), (text("given.huber_delta"),), ("", ex.num(net.delta, True))))
    if isinstance(net, Network) and net.loss == "multiclass_hinge":
        rows.append((("", "m"), (text("given.hinge_margin"),), ("", ex.num(net.margin, True))))
    return rows


def gradient_note(ex: Explainer, name: str) -> Rich | None:
    """For a parameter of a batch: its gradient is the sum over the examples (with the mean's 1/N)."""
    g, net = ex.graph, ex.spec.problem
    node = g.by_name[name]
    if not g.examples or node.kind != "param" or not isinstance(net, Network):
        return None
    examples = {g.by_name[c].example for c in g.children[name] if c != "L"}
    if len(examples) < 2:
        return None
    form = f"\\frac{{\\partial L}}{{\\partial {node.latex}}} = \\sum_{{n=1}}^{{{g.examples}}} " \
           f"\\frac{{\\partial L}}{{\\partial L_n}} \\frac{{\\partial L_n}}{{\\partial {node.latex}}}"
    if g.penalty is not None and uses(g.penalty, name):
        form += f" + \\frac{{\\partial R}}{{\\partial {node.latex}}}"
    if net.reduction == "mean":
        return rich("batch.sum_note_mean", form, f"\\frac{{1}}{{{g.examples}}}",
                    "\\frac{\\partial L}{\\partial L_n}", n=g.examples)
    return rich("batch.sum_note", form, n=g.examples)
