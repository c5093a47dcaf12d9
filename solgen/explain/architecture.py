"""Architecture-only networks: parameter and operation counts, conventions stated."""

from __future__ import annotations

from solgen.messages import rich, text
from solgen.spec.sections import Network, Spec

from .solution import Rich, Solution, Table

CONVENTION_MATH: dict[str, tuple[str, ...]] = {  # the catalog's [architecture] sentences and their math
    "parameters": ("n_\\text{in} n_\\text{out} + n_\\text{out}",),
    "multiplications": ("n_\\text{in} n_\\text{out}",),
    "additions": ("n_\\text{in}", "n_\\text{in} - 1", "n_\\text{in} n_\\text{out}", "(n_\\text{in} - 1) n_\\text{out}"),
    "activations": (),
    "operations": (),
}


def layer_counts(net: Network) -> list[dict[str, int]]:
    rows = []
    previous = net.input_count
    for layer in net.layers:
        n_in, n_out = previous, layer.units
        has_bias = layer.bias is not None
        rows.append({
            "inputs": n_in,
            "units": n_out,
            "weights": n_in * n_out,
            "biases": n_out if has_bias else 0,
            "parameters": n_in * n_out + (n_out if has_bias else 0),
            "multiplications": n_in * n_out,
            "additions": n_in * n_out if has_bias else (n_in - 1) * n_out,
            "activations": 0 if layer.activation in ("linear", "identity") else n_out,
        })
        previous = n_out
    return rows


def facts(net: Network) -> dict[str, int]:
    rows = layer_counts(net)
    keys = ("parameters", "multiplications", "additions", "activations")
    total = {k: sum(r[k] for r in rows) for k in keys}
    total["operations"] = total["multiplications"] + total["additions"] + total["activations"]
    return total


def architecture_solution(spec: Spec) -> Solution:
    net = spec.problem
    assert isinstance(net, Network)
    rows = layer_counts(net)
    keys = ("inputs", "units", "parameters", "multiplications", "additions", "activations")
    header: tuple[Rich, ...] = tuple((text(f"architecture.{k}_head"),) for k in ("layer", "activation", *keys))
    body = []
    for i, (layer, r) in enumerate(zip(net.layers, rows), 1):
        body.append(((str(i),), (layer.activation,)) + tuple((f"{r[k]:,}",) for k in keys))
    total = facts(net)
    body.append(((text("architecture.total"),), ("",), ("",), ("",)) + tuple(
        (f"{total[k]:,}",) for k in ("parameters", "multiplications", "additions", "activations")))
    given = Table(((text("architecture.quantity"),), (text("architecture.value"),)),
                  (((text("architecture.inputs"),), (f"{net.input_count:,}",)),))
    summary = Table(header, tuple(body))
    conventions = tuple(rich(f"architecture.{k}", *math) for k, math in CONVENTION_MATH.items())
    return Solution(spec.title, spec.description, "architecture", conventions, given, (), (), summary,
                    total, language=spec.style.language)
