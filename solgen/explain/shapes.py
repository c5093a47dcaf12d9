"""Architecture questions with shapes (section 10): each layer's output shape, parameter
count and multiply-accumulates, the formula used for each, and the totals.

Used when a network gives ``input_shape`` or has layers beyond dense; a dense-only
network given ``inputs = N`` keeps the operation counts of ``architecture``.
"""

from __future__ import annotations

from typing import Any

from solgen.layers import LAYER_KINDS
from solgen.layers.shapes import Facts, show_shape
from solgen.messages import rich, text
from solgen.spec.sections import Network, Spec

from .layers import kind_words
from .solution import Rich, Solution, Table


def layer_facts(net: Network) -> list[Facts]:
    out = []
    shape = net.shape
    for layer in net.layers:
        facts = LAYER_KINDS[layer.type].facts(layer, shape)
        out.append(facts)
        shape = facts.shape
    return out


def shape_facts(net: Network) -> dict[str, Any]:
    """The JSON facts: totals, then one entry per layer."""
    rows = layer_facts(net)
    return {
        "parameters": sum(f.parameters for f in rows),
        "macs": sum(f.macs for f in rows),
        "input_shape": list(net.shape),
        "layers": [{"layer": l, "type": layer.type, "output_shape": list(f.shape), "parameters": f.parameters,
                    "macs": f.macs} for l, (layer, f) in enumerate(zip(net.layers, rows), 1)],
    }


def shape_solution(spec: Spec) -> Solution:
    net = spec.problem
    assert isinstance(net, Network)
    rows = layer_facts(net)
    header: tuple[Rich, ...] = tuple((text(f"shapes.{k}"),) for k in
                                     ("layer", "type", "output_shape", "parameters_head", "parameter_formula",
                                      "macs_head", "macs_formula"))
    body: list[tuple[Rich, ...]] = []
    for l, (layer, f) in enumerate(zip(net.layers, rows), 1):
        body.append(((str(l),), (kind_words(layer.type),), (show_shape(f.shape),), (f"{f.parameters:,}",),
                     ("", f.parameter_formula), (f"{f.macs:,}",), ("", f.macs_formula)))
    total = shape_facts(net)
    body.append(((text("shapes.total"),), ("",), ("",), (f"{total['parameters']:,}",), ("",),
                 (f"{total['macs']:,}",), ("",)))
    given = Table(((text("shapes.quantity"),), (text("shapes.value"),)),
                  (((text("shapes.input_shape"),), (show_shape(net.shape),)),))
    conventions = tuple(rich(f"shapes.{k}") for k in ("output", "parameters", "macs"))
    totals = {k: v for k, v in total.items() if k in ("parameters", "macs")}
    summary = Table(header, tuple(body))
    return Solution(spec.title, spec.description, "architecture", conventions, given, (), (), summary, totals,
                    language=spec.style.language)
