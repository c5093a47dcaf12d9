"""Optimizers as data: name -> its arguments, the state it keeps and one step of one parameter.

The meaning of every optimizer and every default is that of ``torch.optim`` (SGD, RMSprop,
Adagrad, Adam, AdamW; no amsgrad, centered or maximize), read from its single-tensor code.
``derive`` calls ``step`` once per parameter per iteration and never branches on the name.
A step returns the new value, the state after it (under PyTorch's names) and the
intermediate values the explainer writes out (``work``: the gradient after weight decay,
the bias-corrected moments, ...).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import field
from fractions import Fraction

from solgen.core.evaluate import Value, add, mul, power, sub, to_mpf
from solgen.record import record

Hyper = Mapping[str, Value]  # the optimizer's arguments: lr, momentum, beta1, ...
State = dict[str, Value]  # one parameter's state, under PyTorch's names
Work = dict[str, Value]  # intermediate values of one step, for the explanation
Step = Callable[[Hyper, Value, Value, State, int], tuple[Value, State, Work]]


@record
class Optimizer:
    name: str
    defaults: dict[str, Fraction]  # torch.optim's defaults; "lr" among them
    state_names: Callable[[Hyper], tuple[str, ...]]  # the state it keeps with these arguments
    step: Step  # (hyper, parameter, gradient, state before, step number t >= 1) -> (new value, state, work)


def div(a: Value, b: Value) -> Value:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a / b
    return to_mpf(a) / to_mpf(b)


def sqrt(a: Value) -> Value:
    return power(a, Fraction(1, 2))


def _decayed(h: Hyper, p: Value, g: Value) -> Value:
    """L2 weight decay as torch applies it inside the gradient: g + wd p."""
    return add(g, mul(h["weight_decay"], p)) if h["weight_decay"] else g


def _sgd(h: Hyper, p: Value, g: Value, state: State, t: int) -> tuple[Value, State, Work]:
    g = _decayed(h, p, g)
    work: Work = {"g": g}
    new: State = {}
    direction = g
    if h["momentum"]:
        old = state.get("momentum_buffer")
        buf = g if old is None else add(mul(h["momentum"], old), mul(1 - h["dampening"], g))  # type: ignore[operator]
        new["momentum_buffer"] = buf
        direction = add(g, mul(h["momentum"], buf)) if h["nesterov"] else buf
        work["direction"] = direction
    return sub(p, mul(h["lr"], direction)), new, work


def _rmsprop(h: Hyper, p: Value, g: Value, state: State, t: int) -> tuple[Value, State, Work]:
    g = _decayed(h, p, g)
    alpha = h["alpha"]
    square_avg = add(mul(alpha, state.get("square_avg", Fraction(0))), mul(1 - alpha, mul(g, g)))  # type: ignore[operator]
    avg = add(sqrt(square_avg), h["eps"])
    work: Work = {"g": g, "avg": avg}
    new: State = {"square_avg": square_avg}
    if h["momentum"]:
        buf = add(mul(h["momentum"], state.get("momentum_buffer", Fraction(0))), div(g, avg))
        new["momentum_buffer"] = buf
        return sub(p, mul(h["lr"], buf)), new, work
    return sub(p, mul(h["lr"], div(g, avg))), new, work


def _adagrad(h: Hyper, p: Value, g: Value, state: State, t: int) -> tuple[Value, State, Work]:
    g = _decayed(h, p, g)
    clr = div(h["lr"], add(Fraction(1), mul(Fraction(t - 1), h["lr_decay"])))
    total = add(state.get("sum", h["initial_accumulator_value"]), mul(g, g))
    std = add(sqrt(total), h["eps"])
    return sub(p, mul(clr, div(g, std))), {"sum": total}, {"g": g, "clr": clr, "std": std}


def _adam_moments(h: Hyper, g: Value, state: State, t: int) -> tuple[Value, State, Work]:
    """Adam's moments and step direction m_hat / (sqrt(v_hat) + eps)."""
    b1, b2 = h["beta1"], h["beta2"]
    m = add(mul(b1, state.get("exp_avg", Fraction(0))), mul(1 - b1, g))  # type: ignore[operator]
    v = add(mul(b2, state.get("exp_avg_sq", Fraction(0))), mul(1 - b2, mul(g, g)))  # type: ignore[operator]
    m_hat = div(m, 1 - power(b1, Fraction(t)))  # type: ignore[operator]
    v_hat = div(v, 1 - power(b2, Fraction(t)))  # type: ignore[operator]
    denom = add(sqrt(v_hat), h["eps"])
    direction = div(m_hat, denom)
    return direction, {"exp_avg": m, "exp_avg_sq": v}, {"g": g, "m_hat": m_hat, "v_hat": v_hat,
                                                         "denom": denom, "direction": direction}


def _adam(h: Hyper, p: Value, g: Value, state: State, t: int) -> tuple[Value, State, Work]:
    direction, new, work = _adam_moments(h, _decayed(h, p, g), state, t)
    return sub(p, mul(h["lr"], direction)), new, work


def _adamw(h: Hyper, p: Value, g: Value, state: State, t: int) -> tuple[Value, State, Work]:
    decayed = mul(p, sub(Fraction(1), mul(h["lr"], h["weight_decay"])))
    direction, new, work = _adam_moments(h, g, state, t)
    work["decayed"] = decayed
    return sub(decayed, mul(h["lr"], direction)), new, work


_F = Fraction
_ADAM = {"lr": _F(1, 1000), "beta1": _F(9, 10), "beta2": _F(999, 1000), "eps": _F(1, 10**8),
         "weight_decay": _F(0)}

OPTIMIZERS: dict[str, Optimizer] = {
    o.name: o
    for o in (
        Optimizer("sgd", {"lr": _F(1, 1000), "momentum": _F(0), "dampening": _F(0), "nesterov": _F(0),
                          "weight_decay": _F(0)},
                  lambda h: ("momentum_buffer",) if h["momentum"] else (), _sgd),
        Optimizer("rmsprop", {"lr": _F(1, 100), "alpha": _F(99, 100), "eps": _F(1, 10**8),
                              "weight_decay": _F(0), "momentum": _F(0)},
                  lambda h: ("square_avg", "momentum_buffer") if h["momentum"] else ("square_avg",), _rmsprop),
        Optimizer("adagrad", {"lr": _F(1, 100), "lr_decay": _F(0), "weight_decay": _F(0),
                              "initial_accumulator_value": _F(0), "eps": _F(1, 10**10)},
                  lambda h: ("sum",), _adagrad),
        Optimizer("adam", dict(_ADAM), lambda h: ("exp_avg", "exp_avg_sq"), _adam),
        Optimizer("adamw", {**_ADAM, "weight_decay": _F(1, 100)}, lambda h: ("exp_avg", "exp_avg_sq"), _adamw),
    )
}


@record
class OptimizerChoice:
    """The optimizer a problem steps with: a name of ``OPTIMIZERS`` and every argument (defaults filled)."""

    name: str = "sgd"
    hyper: dict[str, Fraction] = field(default_factory=dict)
    given: bool = True  # an [optimizer] table (False: plain gradient descent from learning_rate)

    @staticmethod
    def plain(learning_rate: Fraction) -> OptimizerChoice:
        return OptimizerChoice("sgd", {**OPTIMIZERS["sgd"].defaults, "lr": learning_rate}, given=False)


#: the spec keys of each argument (betas = [beta1, beta2]; learning_rate is lr)
SPEC_KEYS = {"learning_rate": "lr", "momentum": "momentum", "dampening": "dampening", "nesterov": "nesterov",
             "weight_decay": "weight_decay", "alpha": "alpha", "eps": "eps", "betas": "betas",
             "lr_decay": "lr_decay", "initial_accumulator_value": "initial_accumulator_value"}
