"""Optimizers as data: name -> the state it keeps and one step of one parameter.

The meaning of every optimizer is that of ``torch.optim`` with the same arguments.
``derive`` calls ``step`` once per parameter per iteration and never branches on the name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from solgen.core.evaluate import Value, mul, sub

Hyper = Mapping[str, Value]  # the optimizer's arguments: lr, momentum, betas, ...
State = dict[str, Value]  # one parameter's state, under PyTorch's names
Step = Callable[[Hyper, Value, Value, State, int], tuple[Value, State]]


@dataclass(frozen=True)
class Optimizer:
    name: str
    state_names: tuple[str, ...]  # PyTorch's names, in the order a state table shows them
    step: Step  # (hyper, parameter, gradient, state before, step number t >= 1) -> (new value, state after)


def _sgd(h: Hyper, p: Value, g: Value, state: State, t: int) -> tuple[Value, State]:
    return sub(p, mul(h["lr"], g)), state


OPTIMIZERS: dict[str, Optimizer] = {
    o.name: o
    for o in (
        Optimizer("sgd", (), _sgd),
    )
}
