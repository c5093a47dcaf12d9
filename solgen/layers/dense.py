"""The dense (fully connected) layer: z = W a + b (``out_in``) or a W + b (``in_out``), then the activation."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from solgen.core.ir import Add, Expr, Mul, Var
from solgen.train.activations import ACTIVATIONS

from .shapes import Facts, Maps, Shape, show_shape

KEYS = ("units", "activation", "weights", "bias", "negative_slope", "alpha")


def read(r: Any, table: dict[str, Any], place: str, shape: Shape, layout: str, arch_only: bool) -> Any:
    """Validate one dense layer's keys (``r`` is the spec reader) and return its ``Layer``."""
    from solgen.spec.reader import plural
    from solgen.spec.sections import Layer

    r.keys(table, KEYS, place)
    if len(shape) != 1:
        raise r.fail(place, f"a dense layer takes a vector, but the previous layer's output has shape "
                     f"{show_shape(shape)}: add a flatten layer before it")
    previous = shape[0]
    if "units" not in table:
        raise r.fail(f"{place}.units", "missing: how many units does the layer have?")
    units = r.integer(table["units"], f"{place}.units", 1)
    activation = r.choice(table.get("activation", "linear"), f"{place}.activation", tuple(ACTIVATIONS))
    parameter = _activation_parameter(r, table, place, activation)
    if arch_only:
        if "weights" in table:
            raise r.fail(f"{place}.weights", "inputs is a count, so weights cannot be used")
        has_bias = table.get("bias", True) is not False  # counted unless bias = false
        return Layer(units, activation, None, Fraction(0) if has_bias else None, parameter=parameter)
    if "weights" not in table:
        raise r.fail(f"{place}.weights", "missing: give the layer's weights")
    weights = _matrix(r, table["weights"], f"{place}.weights", units, previous, layout)
    bias: Fraction | tuple[Fraction, ...] | None = None
    if "bias" in table:
        if isinstance(table["bias"], list):
            bias = r.numbers(table["bias"], f"{place}.bias")
            if len(bias) != units:
                raise r.fail(f"{place}.bias", f"{plural(len(bias), 'bias')}, but the layer has "
                             f"{plural(units, 'unit')} (or give one number: a bias shared by the layer)")
        else:
            bias = r.number(table["bias"], f"{place}.bias")
    return Layer(units, activation, weights, bias, parameter=parameter)


def _activation_parameter(r: Any, table: dict[str, Any], place: str, activation: str) -> Fraction | None:
    """negative_slope (leaky_relu) or alpha (elu): only with the activation that takes it."""
    value = None
    for key in ("negative_slope", "alpha"):
        if key in table:
            owner = next(a.name for a in ACTIVATIONS.values() if a.key == key)
            if activation != owner:
                raise r.fail(f"{place}.{key}", f"only a {owner} layer takes {key} (this one is {activation})")
            value = r.number(table[key], f"{place}.{key}")
            if key == "alpha" and value < 0:
                raise r.fail(f"{place}.{key}", f"must not be negative, got {float(value):g}")
    return value


def _matrix(r: Any, raw: Any, place: str, units: int, previous: int, layout: str
            ) -> tuple[tuple[Fraction, ...], ...]:
    from solgen.spec.reader import kind_of, plural

    rows_want, cols_want = (units, previous) if layout == "out_in" else (previous, units)
    this, prev = f"the layer has {plural(units, 'unit')}", f"the previous layer has {plural(previous, 'unit')}"
    if place.startswith("network.layer[1]."):
        prev = f"there {'is' if previous == 1 else 'are'} {plural(previous, 'input')}"
    row_what, col_what = (this, prev) if layout == "out_in" else (prev, this)
    if not isinstance(raw, list) or not raw or not all(isinstance(row, list) for row in raw):
        got = kind_of(raw) if not isinstance(raw, list) or not raw else "a list that is not all rows"
        raise r.fail(place, f"expected a list of rows (a {rows_want}x{cols_want} matrix), got {got}")
    if len(raw) != rows_want:
        raise r.fail(place, f"{plural(len(raw), 'row')}, but {row_what}"
                     + _layout_hint(len(raw), len(raw[0]), rows_want, cols_want))
    rows = []
    for i, row in enumerate(raw, 1):
        if len(row) != cols_want:
            raise r.fail(f"{place}[{i}]", f"{plural(len(row), 'column')}, but {col_what}"
                         + _layout_hint(len(raw), len(row), rows_want, cols_want))
        rows.append(tuple(r.number(v, f"{place}[{i}][{c}]") for c, v in enumerate(row, 1)))
    return tuple(rows)


def _layout_hint(rows: int, cols: int, rows_want: int, cols_want: int) -> str:
    if (rows, cols) == (cols_want, rows_want) and rows != cols:
        return ' (the matrix looks transposed: check network.layout, "out_in" or "in_out")'
    return ""


def build(b: Any, l: int, layer: Any, prev: list[list[Var]]) -> list[list[Var]]:
    """Add layer ``l``'s weights and biases (once) and every example's pre-activations and
    activations to the builder ``b``; ``prev`` holds one list of quantities per example."""
    from solgen.core.graph import Node

    net = b.net
    b.stage += 1
    n_in = len(prev[0])
    wide = max(layer.units, n_in) >= 10
    shape = (layer.units, n_in) if net.layout == "out_in" else (n_in, layer.units)
    grid = layer.weights or [[None] * shape[1] for _ in range(shape[0])]
    for r, row in enumerate(grid, 1):
        for c, w in enumerate(row, 1):
            sep = "," if wide else ""
            b.nodes.append(Node(f"W{l}[{r},{c}]", "param", f"w^{{({l})}}_{{{r}{sep}{c}}}", value=w,
                                stage=b.stage, layer=l, role="W", index=(r, c)))
    bias_names = _biases(b, l, layer)
    b.stage += 1
    zs_all = []
    for n, inputs in enumerate(prev, 1):
        zs = []
        for j in range(1, layer.units + 1):
            terms: list[Expr] = []
            for i, a in enumerate(inputs, 1):
                w = f"W{l}[{j},{i}]" if net.layout == "out_in" else f"W{l}[{i},{j}]"
                terms.append(Mul((Var(w), a)))
            if bias_names[j - 1]:
                terms.append(Var(bias_names[j - 1]))  # type: ignore[arg-type]
            expr = Add(tuple(terms)) if len(terms) > 1 else terms[0]
            zs.append(b.add("z", l, n, j, expr))
        zs_all.append(zs)
    b.stage += 1
    act = ACTIVATIONS[layer.activation]
    return [[b.add("a", l, n, j, act.build(j, zs, layer.parameter)) for j in range(1, layer.units + 1)]
            for n, zs in enumerate(zs_all, 1)]


def _biases(b: Any, l: int, layer: Any) -> list[str | None]:
    from solgen.core.graph import Node

    if layer.bias is None:
        return [None] * layer.units
    if isinstance(layer.bias, Fraction):
        b.nodes.append(Node(f"b{l}", "param", f"b^{{({l})}}", value=layer.bias, stage=b.stage,
                            layer=l, role="b"))
        return [f"b{l}"] * layer.units
    for j, value in enumerate(layer.bias, 1):
        value = None if b.net.symbolic else value
        b.nodes.append(Node(f"b{l}[{j}]", "param", f"b^{{({l})}}_{{{j}}}", value=value, stage=b.stage,
                            layer=l, role="b", index=(j,)))
    return [f"b{l}[{j}]" for j in range(1, layer.units + 1)]


def build_maps(b: Any, l: int, layer: Any, prevs: list[Maps]) -> list[Maps]:
    """``build`` for each example's maps (a vector each)."""
    return [Maps((layer.units,), tuple(out)) for out in build(b, l, layer, [list(m.vars) for m in prevs])]


def facts(layer: Any, in_shape: Shape) -> Facts:
    n_in, n_out = in_shape[0], layer.units
    has_bias = layer.bias is not None
    params = n_in * n_out + (n_out if has_bias else 0)
    pf = "n_\\text{in} n_\\text{out}" + (" + n_\\text{out}" if has_bias else "") + \
        f" = {n_in} \\cdot {n_out}" + (f" + {n_out}" if has_bias else "")
    return Facts((n_out,), params, n_in * n_out, pf, f"n_\\text{{in}} n_\\text{{out}} = {n_in} \\cdot {n_out}")
