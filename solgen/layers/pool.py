"""maxpool1d/2d and avgpool1d/2d, per channel, as ``torch.nn.MaxPool*d`` / ``AvgPool*d`` (no padding).

Max pooling sends the gradient to the first maximum of each window in row-major order
(PyTorch's rule); average pooling splits it equally over the window.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from solgen.core.ir import Add, Call, Expr, Mul, Num

from .shapes import (
    Maps,
    Shape,
    conv_length,
    indices,
    ints,
    output_node,
    parameterless,
    show_shape,
    size,
    want_rank,
)

KEYS = ("kernel_size", "stride")


@dataclass(frozen=True)
class Pool:
    type: str
    in_shape: Shape
    kernel: tuple[int, ...]
    stride: tuple[int, ...]

    @property
    def mode(self) -> str:
        return self.type[:3]  # max | avg

    @property
    def shape(self) -> Shape:
        return (self.in_shape[0],) + tuple(conv_length(n, k, s, 0) for n, k, s in
                                           zip(self.in_shape[1:], self.kernel, self.stride))

    def window(self, idx: tuple[int, ...]) -> list[tuple[int, ...]]:
        """The input indices pooled into output entry ``idx``, in row-major order."""
        c, pos = idx[0], idx[1:]
        starts = [(p - 1) * s for p, s in zip(pos, self.stride)]
        return [(c,) + tuple(st + k for st, k in zip(starts, ks))
                for ks in itertools.product(*(range(1, k + 1) for k in self.kernel))]


def reader(mode: str, dims: int) -> Any:
    def read(r: Any, table: dict[str, Any], place: str, previous: Shape, layout: str, arch_only: bool) -> Pool:
        kind = f"{mode}pool{dims}d"
        r.keys(table, KEYS, place)
        want_rank(r, previous, place, dims + 1, kind,
                  "(channels, length)" if dims == 1 else "(channels, height, width)")
        if "kernel_size" not in table:
            raise r.fail(f"{place}.kernel_size", "missing: how large is each pooling window?")
        kernel = ints(r, table["kernel_size"], f"{place}.kernel_size", dims, 1)
        stride = ints(r, table["stride"], f"{place}.stride", dims, 1) if "stride" in table else kernel
        for n, k in zip(previous[1:], kernel):
            if k > n:
                raise r.fail(f"{place}.kernel_size", f"a window of {k} does not fit the input of shape "
                             f"{show_shape(previous)}")
        return Pool(kind, previous, kernel, stride)
    return read


def build(b: Any, l: int, layer: Pool, prevs: list[Maps]) -> list[Maps]:

    b.stage += 1
    outs = []
    k = size(layer.kernel)
    for n, prev in enumerate(prevs, 1):
        ex = n if b.batched else None
        out = []
        for idx in indices(layer.shape):
            window = [prev.at(w) for w in layer.window(idx)]
            expr: Expr
            if len(window) == 1:
                expr = window[0]
            elif layer.mode == "max":
                expr = Call("maxpool", tuple(window))
            else:
                expr = Mul((Num(Fraction(1, k), frac=True), Add(tuple(window))))
            out.append(output_node(b, l, idx, ex, expr))
        outs.append(Maps(layer.shape, tuple(out)))
    return outs


facts = parameterless
