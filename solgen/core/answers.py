"""Derivation -> the JSON answers of the contract (full double precision)."""

from __future__ import annotations

import math
from typing import Any

from solgen.errors import SpecError

from .derive import Derivation
from .evaluate import Value


def to_float(v: Value, file: str, place: str) -> float:
    try:
        x = float(v)
    except OverflowError:
        x = math.inf
    if not math.isfinite(x):
        raise SpecError(file, place, "the value overflows what JSON (a double) can carry")
    return x


def answers(title: str, derivation: Derivation, file: str) -> dict[str, Any]:
    g = derivation.graph
    steps = []
    for it in derivation.iterations:
        def f(name: str, v: Value, k: int = it.index) -> float:
            return to_float(v, file, f"{name} (iteration {k + 1})")

        forward = {n.name: f(n.name, it.values[n.name]) for n in g.nodes
                   if n.kind in ("input", "constant", "node", "loss")}
        step: dict[str, Any] = {
            "iteration": it.index,
            "forward": forward,
            "loss": forward.get("L"),
            "gradients": {n.name: f(n.name, it.adjoint[n.name]) for n in g.nodes
                          if n.kind in ("param", "node", "input")},
        }
        if derivation.learning_rate is not None:
            step["updated"] = {k: f(k, v) for k, v in it.updated.items()}
        if derivation.optimizer is not None and derivation.optimizer.given:
            step["state"] = _state(derivation, it, f)
        steps.append(step)
    return {"title": title, "steps": steps, "facts": {"parameters": len(g.params)}}


def _state(derivation: Derivation, it: Any, f: Any) -> dict[str, dict[str, float]]:
    """The optimizer's state after the step, under PyTorch's names: {"exp_avg": {"W1[1,1]": ...}}."""
    from solgen.train.optimizers import OPTIMIZERS

    choice = derivation.optimizer
    assert choice is not None
    out: dict[str, dict[str, float]] = {}
    for key in OPTIMIZERS[choice.name].state_names(choice.hyper):
        values = {p: f(f"{key} of {p}", s[key]) for p, s in it.state.items() if key in s}
        if values:  # every parameter frozen: no state at all
            out[key] = values
    return out
