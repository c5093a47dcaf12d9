"""The training keys of a spec: the [optimizer] table and the l1/l2 penalties (spec sections 7, 8)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from solgen.train.optimizers import OPTIMIZERS, SPEC_KEYS, OptimizerChoice

from .reader import Reader, kind_of

#: the keys each optimizer takes besides name and learning_rate (torch.optim's arguments)
OPTIMIZER_KEYS = {
    "sgd": ("momentum", "dampening", "nesterov", "weight_decay"),
    "rmsprop": ("alpha", "eps", "momentum", "weight_decay"),
    "adagrad": ("eps", "weight_decay", "lr_decay", "initial_accumulator_value"),
    "adam": ("betas", "eps", "weight_decay"),
    "adamw": ("betas", "eps", "weight_decay"),
}
_BELOW_ONE = ("dampening", "alpha")  # in [0, 1]


def read_optimizer(r: Reader, raw: Any, problem_lr: Fraction | None, section: str) -> OptimizerChoice:
    """The [optimizer] table with every default of torch.optim filled in."""
    table = r.table(raw, "optimizer")
    name = r.choice(table.get("name", "sgd"), "optimizer.name", tuple(OPTIMIZERS))
    allowed = ("name", "learning_rate", *OPTIMIZER_KEYS[name])
    for key in table:
        if key not in allowed and key in SPEC_KEYS:
            raise r.fail(f"optimizer.{key}", f"not an argument of {name} (it takes "
                         + ", ".join(allowed[1:]) + ")")
    r.keys(table, allowed, "optimizer")
    hyper = dict(OPTIMIZERS[name].defaults)
    if "learning_rate" in table:
        if problem_lr is not None:
            raise r.fail("optimizer.learning_rate", f"the learning rate is given twice (also as "
                         f"{section}.learning_rate): give it in one place")
        hyper["lr"] = _positive(r, table["learning_rate"], "optimizer.learning_rate")
    elif problem_lr is not None:
        hyper["lr"] = problem_lr
    for key in OPTIMIZER_KEYS[name]:
        if key in table:
            hyper.update(_argument(r, key, table[key]))
    if name == "sgd" and hyper["nesterov"] and (not hyper["momentum"] or hyper["dampening"]):
        raise r.fail("optimizer.nesterov", "Nesterov momentum needs a momentum above 0 and zero dampening "
                     "(as torch.optim.SGD)")
    return OptimizerChoice(name, hyper)


def _argument(r: Reader, key: str, value: Any) -> dict[str, Fraction]:
    place = f"optimizer.{key}"
    if key == "nesterov":
        if not isinstance(value, bool):
            raise r.fail(place, f"expected true or false, got {kind_of(value)}")
        return {"nesterov": Fraction(int(value))}
    if key == "betas":
        betas = r.numbers(value, place)
        if len(betas) != 2:
            raise r.fail(place, f"expected two numbers [beta1, beta2], got {len(betas)}")
        for i, b in enumerate(betas, 1):
            if not 0 <= b < 1:
                raise r.fail(f"{place}[{i}]", f"must be at least 0 and below 1, got {float(b):g}")
        return {"beta1": betas[0], "beta2": betas[1]}
    number = r.number(value, place)
    if number < 0:
        raise r.fail(place, f"must not be negative, got {float(number):g}")
    if key in _BELOW_ONE and number > 1:
        raise r.fail(place, f"must be at most 1, got {float(number):g}")
    if key == "eps" and number == 0:
        raise r.fail(place, "must be positive (it keeps the division defined)")
    return {SPEC_KEYS[key]: number}


def _positive(r: Reader, value: Any, place: str) -> Fraction:
    lr = r.number(value, place)
    if lr <= 0:
        raise r.fail(place, f"must be positive, got {float(lr):g}")
    return lr


def read_penalties(r: Reader, body: dict[str, Any], section: str) -> tuple[Fraction, Fraction]:
    """(l1, l2): the penalty weights, 0 when absent."""
    out = []
    for key in ("l1", "l2"):
        value = Fraction(0)
        if key in body:
            value = r.number(body[key], f"{section}.{key}")
            if value < 0:
                raise r.fail(f"{section}.{key}", f"must not be negative, got {float(value):g}")
        out.append(value)
    return out[0], out[1]
