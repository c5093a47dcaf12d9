"""Tensor form (``[style] form = "matrix"``) of networks with layers beyond dense.

The matrix explainer's iteration, with each layer's forward and backward equations written by
the module of ``solgen.explain.tensor`` its kind names (``LAYER_KINDS[type].tensor``): feature
maps and kernels as matrices, one per channel (and example), the forward pass as a
cross-correlation, the gradients as correlations and full convolutions, pooling's gradient map,
dropout's mask, batch normalization's closed-form backward and an RNN's steps.  Dense layers
keep the matrix explainer's own form.  Every number shown is a value of the Derivation, placed
in its matrix (a zero of padding or dilation is written 0).
"""

from __future__ import annotations

from typing import Any

from solgen.core.derive import Iteration as Step
from solgen.core.evaluate import Value
from solgen.layers import LAYER_KINDS
from solgen.layers.shapes import show_shape

from ..batch_matrix import BatchMatrixExplainer
from ..matrix import MatrixExplainer, bmatrix
from ..solution import Eq, Rich

Cells = list[list[str | None]]  # canonical names, None for a 0 of padding or dilation

FUNCTIONS = {"sigmoid": "\\sigma", "tanh": "\\tanh", "relu": "\\operatorname{ReLU}"}
PRIMES = {"sigmoid": "\\sigma'", "tanh": "\\tanh'", "relu": "\\operatorname{ReLU}'"}


def form(layer: Any) -> Any:
    """The tensor-form module of a layer's kind (None: dense, the matrix explainer's own)."""
    module = LAYER_KINDS[layer.type].tensor
    if not module:
        return None
    from . import conv, dropout, flatten, norm, pool, rnn  # the modules a registry line may name

    return {m.__name__.rsplit(".", 1)[1]: m for m in (conv, dropout, flatten, norm, pool, rnn)}[module]


class TensorForm:
    """What the tensor explainers add to the matrix ones (mixed in before them)."""

    net: Any
    graph: Any

    def forward_layer(self, l: int, step: Step, exact: bool) -> list[Eq]:
        module = form(self.net.layers[l - 1])
        if module is None:
            return super().forward_layer(l, step, exact)  # type: ignore[misc]
        return module.forward(self, l, self.net.layers[l - 1], step, exact)

    def backward_layer(self, l: int, step: Step) -> list[Eq]:
        module = form(self.net.layers[l - 1])
        if module is None:
            return super().backward_layer(l, step)  # type: ignore[misc]
        return module.backward(self, l, self.net.layers[l - 1], step)

    # -- what the dense layers after them read --------------------------------------
    def outputs(self, l: int) -> list[str]:
        """Layer l's output entries (every example's, example-major); layer 0: the inputs."""
        if l == 0:
            return self.units(0, "x")  # type: ignore[attr-defined]
        module = form(self.net.layers[l - 1])
        if module is not None and hasattr(module, "outputs"):
            return module.outputs(self, l, self.net.layers[l - 1])
        return self.units(l, "a")  # type: ignore[attr-defined]

    def inputs_of(self, l: int) -> tuple[list[str], str]:
        return self.outputs(l - 1), self.symbol(l - 1, bold=True)

    def inputs_sym(self, l: int) -> tuple[list[str], str]:
        return self.outputs(l - 1), self.symbol(l - 1)

    def symbol(self, l: int, *subs: object, bold: bool = False) -> str:
        """Layer l's output (0: the input) as a matrix symbol, with subscripts (example, channel); a
        vector (one example's output of rank 1) in bold."""
        shape = self.net.layers[l - 1].shape if l else self.net.shape
        bold = bold or (len(shape) == 1 and not self.graph.examples)
        head = ("\\mathbf{x}" if bold else "X") if l == 0 else ("\\mathbf{a}" if bold else "A") + f"^{{({l})}}"
        module = form(self.net.layers[l - 1]) if l else None
        if module is not None and hasattr(module, "symbol"):
            return module.symbol(self, l, subs, bold)
        return head + (f"_{{{','.join(str(s) for s in subs)}}}" if subs else "")

    def shapes(self) -> Rich:
        parts = [f"X: {show_shape(self.net.shape)}"]
        for l, layer in enumerate(self.net.layers, 1):
            parts.append(f"{self.symbol(l)}: {show_shape(layer.shape)}")
        return self.say("tensor.shapes", ", \\; ".join(parts), n=self.graph.examples)  # type: ignore[attr-defined]

    def update_groups(self, l: int) -> list[tuple[str, list[list[str]]]]:
        from .updates import groups

        return groups(self, l)

    # -- helpers for the kinds' modules ---------------------------------------------
    def examples(self) -> list[int]:
        """The example numbers of the nodes (0: a single example)."""
        return list(range(1, self.graph.examples + 1)) if self.graph.examples else [0]

    def table(self, l: int, role: str, example: int) -> dict[tuple[int, ...], str]:
        """Layer l's nodes of one role and example, by index."""
        key = (l, role, example)
        cache = self.__dict__.setdefault("_tables", {})
        if key not in cache:
            cache[key] = {n.index: n.name for n in self.parts.get((l, role), ())  # type: ignore[attr-defined]
                          if n.example == example}
        return cache[key]

    def input_table(self, l: int, example: int) -> dict[tuple[int, ...], str]:
        """Layer l's input entries of one example, by index."""
        if l == 1:
            return self.table(0, "x", example)
        module = form(self.net.layers[l - 2])
        if module is not None and hasattr(module, "output_table"):
            return module.output_table(self, l - 1, example)
        return self.table(l - 1, "a", example)

    def cells(self, cells: Cells, values: dict[str, Value], exact: bool = False) -> str:
        """A matrix of values; None is a 0 of padding or dilation."""
        return bmatrix([["0" if n is None else self.num(values[n], exact and n in self.exact0)  # type: ignore
                         for n in row] for row in cells])

    def sub(self, n: int, *rest: object) -> tuple[object, ...]:
        """The subscripts of a batch's example n (none for a single example) and the rest."""
        return ((n,) if n else ()) + rest

    def penalized(self, wsym: str, grid: Cells, sym: list[str], num: list[str], note: Rich,
                  local: dict) -> Rich:  # type: ignore[type-arg]
        """An l1/l2 network: the weight's gradient terms gain dR/dW (appended to sym and num)."""
        if self.graph.penalty is None:
            return note
        s, n, extra = self.with_penalty(wsym, grid, "", "", local)  # type: ignore[attr-defined]
        sym.append(s.strip())
        num.append(n.strip())
        return joined(note, extra)

    def fn(self, activation: str) -> str:
        return FUNCTIONS.get(activation, f"\\operatorname{{{activation}}}")

    def prime(self, activation: str) -> str:
        return PRIMES.get(activation, f"\\operatorname{{{activation}}}'")


class TensorExplainer(TensorForm, MatrixExplainer):
    """One example: feature maps per channel, dense layers as column (or row) vectors."""


class BatchTensorExplainer(TensorForm, BatchMatrixExplainer):
    """A batch: feature maps per example and channel, dense layers one row per example."""


def tensor_explainer(batch: bool) -> type[MatrixExplainer]:
    return BatchTensorExplainer if batch else TensorExplainer


def plane(table: dict[tuple[int, ...], str], shape: tuple[int, ...], lead: tuple[int, ...]) -> Cells:
    """The rows of one channel (``lead``) of a map of ``shape``: a 1-D map is one row."""
    spatial = shape[len(lead):]
    if len(spatial) == 1:
        return [[table[lead + (q,)] for q in range(1, spatial[0] + 1)]]
    return [[table[lead + (r, q)] for q in range(1, spatial[1] + 1)] for r in range(1, spatial[0] + 1)]


def joined(a: Rich, b: Rich) -> Rich:
    """Two sentences as one Rich (text, math, text, ...)."""
    if not a:
        return b
    if len(a) % 2:  # ends with text
        return (*a[:-1], f"{a[-1]} {b[0]}", *b[1:])
    return (*a, " " + b[0], *b[1:])


def names(cells: Cells) -> tuple[str, ...]:
    return tuple(n for row in cells for n in row if n is not None)
