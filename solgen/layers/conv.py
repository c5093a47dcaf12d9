"""conv1d and conv2d: cross-correlation as ``torch.nn.Conv1d/Conv2d`` (weights (O, C, k...), zero padding).

z[o, p] = sum_{c, k} W[o, c, k] x[c, p s + k - pad] + b[o], then the activation.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from solgen.core.ir import Add, Expr, Mul, Num, Var, variables
from solgen.train.activations import ACTIVATIONS

from .shapes import Facts, Maps, Shape, conv_length, indices, ints, name, nested, show_shape, size, tex, want_rank

KEYS = ("weights", "bias", "stride", "padding", "activation", "out_channels", "in_channels", "kernel_size")
CONV_ACTIVATIONS = tuple(a for a in ACTIVATIONS if a != "softmax")


@dataclass(frozen=True)
class Conv:
    type: str
    in_shape: Shape
    out_channels: int
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    weights: tuple[Fraction, ...] | None  # row-major over (O, C, k...); None: architecture only
    bias: tuple[Fraction, ...] | None
    has_bias: bool
    activation: str

    @property
    def dims(self) -> int:
        return len(self.kernel)

    @property
    def shape(self) -> Shape:
        spatial = self.in_shape[1:]
        return (self.out_channels,) + tuple(conv_length(n, k, s, p) for n, k, s, p in
                                            zip(spatial, self.kernel, self.stride, self.padding))

    @property
    def weight_shape(self) -> Shape:
        return (self.out_channels, self.in_shape[0]) + self.kernel


def reader(dims: int) -> Any:
    def read(r: Any, table: dict[str, Any], place: str, previous: Shape, layout: str, arch_only: bool) -> Conv:
        kind = f"conv{dims}d"
        r.keys(table, KEYS, place)
        want_rank(r, previous, place, dims + 1, kind,
                  "(channels, length)" if dims == 1 else "(channels, height, width)")
        channels = previous[0]
        if "in_channels" in table:
            given = r.integer(table["in_channels"], f"{place}.in_channels", 1)
            if given != channels:
                raise r.fail(f"{place}.in_channels", f"{given}, but the layer's input has {channels} "
                             f"channel{'s' if channels != 1 else ''} (shape {show_shape(previous)})")
        activation = r.choice(table.get("activation", "linear"), f"{place}.activation", CONV_ACTIVATIONS)
        stride = ints(r, table.get("stride", 1), f"{place}.stride", dims, 1)
        padding = ints(r, table.get("padding", 0), f"{place}.padding", dims, 0)
        out_channels = (r.integer(table["out_channels"], f"{place}.out_channels", 1)
                        if "out_channels" in table else None)
        kernel = ints(r, table["kernel_size"], f"{place}.kernel_size", dims, 1) if "kernel_size" in table else None
        weights = None
        if arch_only:
            if "weights" in table:
                raise r.fail(f"{place}.weights", "an architecture-only network has no weights")
            for key, value in (("out_channels", out_channels), ("kernel_size", kernel)):
                if value is None:
                    raise r.fail(f"{place}.{key}", "missing: an architecture-only conv layer needs it")
            has_bias = table.get("bias", True) is not False
            bias = None
        else:
            if "weights" not in table:
                raise r.fail(f"{place}.weights", f"missing: give the kernels, shape (out_channels, "
                             f"in_channels, {'k' if dims == 1 else 'kh, kw'})")
            got, weights = nested(r, table["weights"], f"{place}.weights", dims + 2)
            out_channels = out_channels or got[0]
            kernel = kernel or got[2:]
            want = (out_channels, channels) + kernel
            if got != want:
                ks = f" and kernel_size {_ks(kernel)}" if "kernel_size" in table else ""
                oc = f"out_channels is {out_channels}, " if "out_channels" in table else ""
                raise r.fail(f"{place}.weights", f"shape {show_shape(got)}, but {oc}in_channels is "
                             f"{channels}{ks} gives {show_shape(want)}")
            bias, has_bias = _bias(r, table, place, out_channels)
        assert out_channels is not None and kernel is not None
        layer = Conv(kind, previous, out_channels, kernel, stride, padding, weights, bias, has_bias, activation)
        for n, k, p, d in zip(previous[1:], kernel, padding, ("length", "height", "width")[dims - 1:]):
            if n + 2 * p < k:
                raise r.fail(place, f"kernel_size {k} is larger than the padded input {d} {n + 2 * p}")
        return layer
    return read


def _ks(kernel: tuple[int, ...]) -> str:
    return str(kernel[0]) if len(set(kernel)) == 1 else show_shape(kernel)


def _bias(r: Any, table: dict[str, Any], place: str, out_channels: int) -> tuple[tuple[Fraction, ...] | None, bool]:
    if "bias" not in table or table["bias"] is False:
        return None, False
    raw = table["bias"]
    if not isinstance(raw, list):
        raw = [raw] * out_channels if out_channels == 1 else raw
    bias = r.numbers(raw, f"{place}.bias")
    if len(bias) != out_channels:
        raise r.fail(f"{place}.bias", f"{len(bias)} numbers, but the layer has {out_channels} output "
                     f"channel{'s' if out_channels != 1 else ''} (one bias per output channel)")
    return bias, True


def build(b: Any, l: int, layer: Conv, prevs: list[Maps]) -> list[Maps]:
    """Kernels and biases (once), then each example's pre-activations and activations."""
    from solgen.core.graph import Node

    b.stage += 1
    for k, idx in enumerate(indices(layer.weight_shape)):
        value = layer.weights[k] if layer.weights is not None else None
        b.nodes.append(Node(name(f"W{l}", idx), "param", tex("w", l, idx), value=value, stage=b.stage,
                            layer=l, role="W", index=idx))
    if layer.has_bias:
        for o in range(1, layer.out_channels + 1):
            value = layer.bias[o - 1] if layer.bias is not None else None
            b.nodes.append(Node(name(f"b{l}", (o,)), "param", tex("b", l, (o,)), value=value,
                                stage=b.stage, layer=l, role="b", index=(o,)))
    out_stage = b.stage + 1
    outs = []
    for n, prev in enumerate(prevs, 1):
        ex = n if b.batched else None
        b.stage = out_stage
        zs = [_z(b, l, layer, prev, idx, ex) for idx in indices(layer.shape)]
        b.stage = out_stage + 1
        act = ACTIVATIONS[layer.activation]
        out = []
        for j, idx in enumerate(indices(layer.shape), 1):
            expr = act.build(j, zs)
            node = name(f"a{l}", idx, ex)
            b.nodes.append(Node(node, "node", tex("a", l, idx, ex), expr, tuple(variables(expr)),
                                stage=b.stage, layer=l, role="a", index=idx, example=ex or 0))
            out.append(Var(node))
        outs.append(Maps(layer.shape, tuple(out)))
    return outs


def _z(b: Any, l: int, layer: Conv, prev: Maps, idx: tuple[int, ...], ex: int | None) -> Var:
    from solgen.core.graph import Node

    o, pos = idx[0], idx[1:]
    terms: list[Expr] = []
    spatial = layer.in_shape[1:]
    for c in range(1, layer.in_shape[0] + 1):
        for ks in itertools.product(*(range(1, k + 1) for k in layer.kernel)):
            at = tuple((p - 1) * s + k - pad for p, s, k, pad in zip(pos, layer.stride, ks, layer.padding))
            if all(1 <= a <= n for a, n in zip(at, spatial)):
                terms.append(Mul((Var(name(f"W{l}", (o, c) + ks)), prev.at((c,) + at))))
    if layer.has_bias:
        terms.append(Var(name(f"b{l}", (o,))))
    expr: Expr = Add(tuple(terms)) if len(terms) > 1 else terms[0] if terms else Num(Fraction(0))
    node = name(f"z{l}", idx, ex)
    b.nodes.append(Node(node, "node", tex("z", l, idx, ex), expr, tuple(variables(expr)),
                        stage=b.stage, layer=l, role="z", index=idx, example=ex or 0))
    return Var(node)


def facts(layer: Conv, in_shape: Shape) -> Facts:
    o, c, ks = layer.out_channels, layer.in_shape[0], layer.kernel
    k = size(ks)
    positions = size(layer.shape[1:])
    params = o * c * k + (o if layer.has_bias else 0)
    kt = " \\cdot ".join(str(x) for x in ks)
    pf = f"C_\\text{{out}} C_\\text{{in}} k{'' if layer.dims == 1 else '_h k_w'}" + \
        (" + C_\\text{out}" if layer.has_bias else "") + f" = {o} \\cdot {c} \\cdot {kt}" + \
        (f" + {o}" if layer.has_bias else "")
    mf = f"C_\\text{{out}} \\cdot \\text{{positions}} \\cdot C_\\text{{in}} k{'' if layer.dims == 1 else '_h k_w'}" \
        f" = {o} \\cdot {positions} \\cdot {c} \\cdot {kt}"
    return Facts(layer.shape, params, o * positions * c * k, pf, mf)
