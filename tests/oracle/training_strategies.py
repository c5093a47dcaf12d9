"""Hypothesis strategies for the training part of the contract: batches (1-4 examples, both
reductions, targets and labels), every optimizer with random arguments over 1-3 steps,
l1/l2 penalties, the new activations and losses, and graphs with the new functions.

Each strategy writes the spec as a user would (TOML text) and returns a ``Problem``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from tests.oracle.strategies import Problem, _array, _problem, homework_numbers

NEW_ACTIVATIONS = ("leaky_relu", "elu", "softplus", "gelu", "silu")
HIDDEN = ("linear", "relu", "sigmoid", "tanh", *NEW_ACTIVATIONS, *NEW_ACTIVATIONS)
LOSSES = ("squared_error", "half_squared_error", "mse", "binary_cross_entropy", "cross_entropy", "mae",
          "huber", "softmax_cross_entropy", "multiclass_hinge")
#: the output activations each loss is drawn with
OUTPUTS = {"binary_cross_entropy": ("sigmoid",), "cross_entropy": ("softmax",),
           "softmax_cross_entropy": ("linear", "tanh", "leaky_relu"), "multiclass_hinge": ("linear", "elu")}
OPTIMIZERS = ("sgd", "rmsprop", "adagrad", "adam", "adamw")


def _num(draw: Any, lo: float, hi: float) -> str:
    return draw(homework_numbers(lo, hi))


def _row(draw: Any, n: int, lo: float, hi: float) -> str:
    return _array([_num(draw, lo, hi) for _ in range(n)])


@st.composite
def optimizer_tables(draw: Any) -> str:
    """An [optimizer] table with random torch.optim arguments (each key present or left to its default)."""
    name = draw(st.sampled_from(OPTIMIZERS))
    lines = [f'name = "{name}"']
    if draw(st.booleans()):
        lines.append(f"learning_rate = {draw(st.sampled_from(('0.1', '0.05', '0.01', '0.2', '0.001')))}")

    def maybe(key: str, values: Sequence[str]) -> None:
        if draw(st.booleans()):
            lines.append(f"{key} = {draw(st.sampled_from(values))}")

    maybe("weight_decay", ("0", "0.01", "0.1", "0.5"))
    if name == "sgd":
        momentum = draw(st.sampled_from(("0", "0.9", "0.5")))
        lines.append(f"momentum = {momentum}")
        if momentum != "0" and draw(st.booleans()):
            lines.append("nesterov = true")
        else:
            maybe("dampening", ("0", "0.1", "0.5"))
    elif name == "rmsprop":
        maybe("momentum", ("0", "0.9", "0.5"))
        maybe("alpha", ("0.99", "0.9", "0.5"))
        maybe("eps", ("1e-8", "0.001", "0.1"))
    elif name == "adagrad":
        maybe("eps", ("1e-10", "0.001"))
        maybe("lr_decay", ("0", "0.1", "0.5"))
        maybe("initial_accumulator_value", ("0", "0.1", "1"))
    else:
        maybe("betas", ("[0.9, 0.999]", "[0.5, 0.9]", "[0.8, 0.99]"))
        maybe("eps", ("1e-8", "0.001", "0.1"))
    return "\n".join(lines)


@st.composite
def training_networks(draw: Any, loss: str | None = None) -> Problem:
    """A layered net: 1-4 examples (a flat list for one, sometimes), 1-2 layers, the new activations,
    any loss (targets or labels) or upstream, a reduction, penalties, an optimizer, 1-3 iterations."""
    mode = loss or draw(st.sampled_from((*LOSSES, "upstream")))
    n = draw(st.integers(1, 4))
    flat = n == 1 and draw(st.booleans())
    n_in = draw(st.integers(1, 3))
    depth = draw(st.integers(1, 2))
    outputs = draw(st.integers(2 if mode == "multiclass_hinge" else 1, 3))
    if mode in ("cross_entropy", "softmax_cross_entropy") and outputs == 1:
        outputs = 2
    widths = [draw(st.integers(1, 3)) for _ in range(depth - 1)] + [outputs]
    layout = draw(st.sampled_from(("out_in", "in_out")))
    tags = [mode]
    body: list[str] = []

    def rows(width: int, lo: float, hi: float) -> str:
        made = [_row(draw, width, lo, hi) for _ in range(n)]
        return made[0] if flat else _array(made)

    body.append(f"inputs = {rows(n_in, -2, 2)}")
    if mode == "upstream":
        body.append(f"upstream = {rows(outputs, -2, 2)}")
    else:
        body.append(f'loss = "{mode}"')
        body += _targets(draw, mode, n, outputs, flat)
        if draw(st.booleans()):
            body.append(f'reduction = "{draw(st.sampled_from(("mean", "sum")))}"')
        if mode == "huber" and draw(st.booleans()):
            body.append(f"delta = {draw(st.sampled_from(('0.5', '1', '2', '0.1')))}")
        if mode == "multiclass_hinge" and draw(st.booleans()):
            body.append(f"margin = {draw(st.sampled_from(('0', '0.5', '1', '2')))}")
    for key in ("l1", "l2"):
        if mode != "upstream" and draw(st.integers(0, 3)) == 0:
            body.append(f"{key} = {draw(st.sampled_from(('0.01', '0.1', '0.5')))}")
    body.append(f'layout = "{layout}"')
    iterations = draw(st.integers(1, 3))
    optimizer = ""
    choice = draw(st.sampled_from(("none", "lr", "optimizer", "optimizer")))
    if choice == "lr":
        body.append(f"learning_rate = {draw(st.sampled_from(('0.1', '0.5', '0.05')))}")
    elif choice == "optimizer":
        optimizer = draw(optimizer_tables())
        tags.append(optimizer.splitlines()[0])
    if choice != "none":
        body.append(f"iterations = {iterations}")
    layers, previous = [], n_in
    for k, units in enumerate(widths, 1):
        last = k == depth
        act = draw(st.sampled_from(OUTPUTS.get(mode, HIDDEN))) if last else draw(st.sampled_from(HIDDEN))
        tags.append(act)
        shape = (units, previous) if layout == "out_in" else (previous, units)
        weights = _array([_row(draw, shape[1], -1.5, 1.5) for _ in range(shape[0])])
        lines = ["[[network.layer]]", f"units = {units}", f'activation = "{act}"', f"weights = {weights}"]
        bias = draw(st.sampled_from(("none", "shared", "per_unit")))
        if bias == "shared":
            lines.append(f"bias = {_num(draw, -1, 1)}")
        elif bias == "per_unit":
            lines.append(f"bias = {_row(draw, units, -1, 1)}")
        if act == "leaky_relu" and draw(st.booleans()):
            lines.append(f"negative_slope = {draw(st.sampled_from(('0.1', '0.2', '0.01', '0.5')))}")
        if act == "elu" and draw(st.booleans()):
            lines.append(f"alpha = {draw(st.sampled_from(('0.5', '1', '2')))}")
        layers.append("\n".join(lines))
        previous = units
    if choice != "none" and draw(st.integers(0, 3)) == 0:
        body.append(f'frozen = ["{draw(st.sampled_from(["W1", f"W{depth}"]))}"]')
    text = 'title = "generated training problem"\n\n[network]\n' + "\n".join(body) + "\n\n"
    text += "\n\n".join(layers) + "\n"
    if optimizer:
        text += "\n[optimizer]\n" + optimizer + "\n"
    if draw(st.integers(0, 3)) == 0:  # the matrix form prints the same numbers another way
        text += '\n[style]\nform = "matrix"\n'
        tags.append("matrix")
    return _problem(text, "network", tags)


def _targets(draw: Any, loss: str, n: int, outputs: int, flat: bool) -> list[str]:
    classes = loss in ("cross_entropy", "softmax_cross_entropy", "multiclass_hinge")
    if classes and draw(st.booleans()):
        return [f"labels = {_array([str(draw(st.integers(1, outputs))) for _ in range(n)])}"]
    made = []
    for _ in range(n):
        if classes:
            y = draw(st.integers(0, outputs - 1))
            made.append(_array(["1" if j == y else "0" for j in range(outputs)]))
        elif loss == "binary_cross_entropy":
            made.append(_row(draw, outputs, 0, 1))
        else:
            made.append(_row(draw, outputs, -2, 2))
    return [f"targets = {made[0] if flat else _array(made)}"]


# --------------------------------------------------------------------------------------------------
# Graphs with the new functions
# --------------------------------------------------------------------------------------------------

GRAPH_FUNCTIONS = ("max", "min", "sin", "cos", "leaky_relu", "elu", "softplus", "gelu", "silu")
#: an expression tree: ("name", n) | ("num", text) | ("lin", c1, X, c2, Y) | ("call", fn, (args...))
Tree = tuple[Any, ...]


@st.composite
def function_graphs(draw: Any) -> tuple[Problem, dict[str, Any]]:
    """A [graph] whose nodes call the new functions on affine combinations; returns the problem and
    the trees (so the oracle evaluates the same structure without parsing solgen's language)."""
    inputs = {"A1": _num(draw, -2, 2), "A2": _num(draw, -2, 2)}
    params = {"p1": _num(draw, -1.5, 1.5), "p2": _num(draw, -1.5, 1.5), "p3": _num(draw, -1.5, 1.5)}
    names = [*inputs, *params]
    nodes: list[tuple[str, Tree]] = []
    for k in range(1, draw(st.integers(2, 4)) + 1):
        fn = draw(st.sampled_from(GRAPH_FUNCTIONS))

        def affine() -> Tree:
            return ("lin", _num(draw, -2, 2), draw(st.sampled_from(names)), _num(draw, -2, 2),
                    draw(st.sampled_from(names)))

        args: tuple[Tree, ...] = (affine(),)
        if fn in ("max", "min"):
            args += (affine(),)
        elif fn == "leaky_relu" and draw(st.booleans()):
            args += (("num", draw(st.sampled_from(("0.1", "0.2", "0.01")))),)
        elif fn == "elu" and draw(st.booleans()):
            args += (("num", draw(st.sampled_from(("0.5", "1", "2")))),)
        nodes.append((f"N{k}", ("call", fn, args)))
        names.append(f"N{k}")
    last = nodes[-1][0]
    meta: dict[str, Any] = {"nodes": nodes, "loss": ("sq", last, "t")}
    body = [f"inputs = {{ {', '.join(f'{k} = {v}' for k, v in inputs.items())} }}",
            f"constants = {{ t = {_num(draw, -1, 1)} }}",
            f"params = {{ {', '.join(f'{k} = {v}' for k, v in params.items())} }}",
            "nodes = [" + ", ".join(f'"{n} = {_text(t)}"' for n, t in nodes) + "]",
            f'loss = "({last} - t)^2"']
    if draw(st.booleans()):
        body.append(f"l2 = {draw(st.sampled_from(('0.01', '0.1')))}")
    optimizer = ""
    if draw(st.booleans()):
        optimizer = draw(optimizer_tables())
        body.append(f"iterations = {draw(st.integers(1, 3))}")
    text = 'title = "generated function graph"\n\n[graph]\n' + "\n".join(body) + "\n"
    if optimizer:
        text += "\n[optimizer]\n" + optimizer + "\n"
    return _problem(text, "graph", [t[1] for _, t in nodes]), meta


def _text(t: Tree) -> str:
    if t[0] == "num":
        return t[1]
    if t[0] == "name":
        return t[1]
    if t[0] == "lin":
        return f"{t[1]}*{t[2]} + {t[3]}*{t[4]}"
    return f"{t[1]}(" + ", ".join(_text(a) for a in t[2]) + ")"
