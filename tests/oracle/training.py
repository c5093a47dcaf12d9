"""Independent oracles for the training part of the contract (spec sections 6-9).

Nothing here imports solgen.  :func:`torch_training_reference` reads a spec dict (as
``tomllib.loads`` returns it) and answers as ``solgen solve`` would: batches as tensors
(one row per example, ``torch.nn.functional`` activations and losses), the l1/l2 penalty
added once after the batch reduction, gradients by autograd (``retain_grad`` on every
node), and every update and state by ``torch.optim`` itself (SGD, RMSprop, Adagrad, Adam,
AdamW), read back from ``optimizer.state`` under PyTorch's names.

:func:`mpmath_training_gradients` is the second oracle: a scalar re-implementation at 50
digits whose parameter and input gradients are central differences.

Graph specs with the new functions (max, min, sin, cos, leaky_relu, elu, softplus, gelu,
silu) are answered by the existing graph oracles of ``reference.py``, whose function
tables are extended here (:func:`install_graph_functions`).

Conventions (the contract's): leaky_relu'(0) = s, elu'(0) = alpha, relu'(0) = 0, abs'(0) = 0,
max/min at a tie give each argument half (torch.maximum), the hinge's derivative is 0 at
the kink; torch's own backward formulas follow these, and the kink tests check them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import torch
import torch.nn.functional as F

from tests.oracle.reference import float64

Answers = dict[str, Any]
F64 = torch.float64
STATE_NAMES = ("momentum_buffer", "square_avg", "sum", "exp_avg", "exp_avg_sq")
TORCH_OPTIMIZERS = {"sgd": torch.optim.SGD, "rmsprop": torch.optim.RMSprop, "adagrad": torch.optim.Adagrad,
                    "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}
CLASS_LOSSES = ("cross_entropy", "softmax_cross_entropy", "multiclass_hinge")


@dataclass
class Net:
    batch: bool
    inputs: list[list[float]]  # one row per example
    targets: list[list[float]] | None
    labels: list[int] | None
    loss: str | None
    upstream: list[list[float]] | None
    reduction: str
    delta: float
    margin: float
    l1: float
    l2: float
    layout: str
    layers: list[dict[str, Any]]
    frozen: list[str]
    iterations: int
    optimizer: dict[str, Any] | None  # torch.optim arguments and "name"; None: no updates


def read(spec: Mapping[str, Any]) -> Net:
    net = spec["network"]
    raw = net["inputs"]
    batch = isinstance(raw[0], list)
    inputs = [[float(v) for v in row] for row in (raw if batch else [raw])]

    def rows(key: str) -> list[list[float]] | None:
        if key not in net:
            return None
        value = net[key]
        return [[float(v) for v in row] for row in (value if batch else [value])]

    lr = net.get("learning_rate")
    opt = spec.get("optimizer")
    optimizer: dict[str, Any] | None = None
    if opt is not None:
        optimizer = {k: v for k, v in opt.items() if k not in ("name", "learning_rate", "betas")}
        optimizer["name"] = opt.get("name", "sgd")
        if "betas" in opt:
            optimizer["betas"] = tuple(float(b) for b in opt["betas"])
        if "learning_rate" in opt or lr is not None:
            optimizer["lr"] = float(opt.get("learning_rate", lr))
    elif lr is not None:
        optimizer = {"name": "sgd", "lr": float(lr)}
    return Net(batch, inputs, rows("targets"), [int(y) for y in net["labels"]] if "labels" in net else None,
               net.get("loss"), rows("upstream"), net.get("reduction", "mean"), float(net.get("delta", 1)),
               float(net.get("margin", 1)), float(net.get("l1", 0)), float(net.get("l2", 0)),
               net.get("layout", "out_in"), list(net["layer"]), list(net.get("frozen", [])),
               int(net.get("iterations", 1)), optimizer)


def _name(base: str, batch: bool, n: int, *index: int) -> str:
    full = (n + 1, *(i + 1 for i in index)) if batch else tuple(i + 1 for i in index)
    return f"{base}[{','.join(str(i) for i in full)}]"


def activation(name: str, z: torch.Tensor, layer: Mapping[str, Any]) -> torch.Tensor:
    if name in ("linear", "identity"):
        return z
    if name == "softmax":
        return torch.softmax(z, dim=1)
    if name == "leaky_relu":
        return F.leaky_relu(z, float(layer.get("negative_slope", 0.01)))
    if name == "elu":
        return F.elu(z, float(layer.get("alpha", 1)))
    if name == "softplus":
        return F.softplus(z, beta=1.0, threshold=1e6)  # exact log(1 + e^z), no linear cut-off
    if name == "gelu":
        return F.gelu(z, approximate="none")
    return {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "silu": F.silu}[name](z)


def example_losses(net: Net, a: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """L[n] for every example n (each reduced over the outputs as section 1 says)."""
    name = net.loss
    if name == "squared_error":
        return ((a - t) ** 2).sum(1)
    if name == "half_squared_error":
        return 0.5 * ((t - a) ** 2).sum(1)
    if name == "mse":
        return ((a - t) ** 2).mean(1)
    if name == "binary_cross_entropy":
        return -(t * torch.log(a) + (1 - t) * torch.log(1 - a)).sum(1)
    if name == "cross_entropy":
        return -(t * torch.log(a)).sum(1)
    if name == "mae":
        return (a - t).abs().mean(1)
    if name == "huber":
        return F.huber_loss(a, t, reduction="none", delta=net.delta).mean(1)
    if name == "softmax_cross_entropy":
        return -(t * F.log_softmax(a, dim=1)).sum(1)
    assert name == "multiclass_hinge"
    y = t.argmax(1)
    ay = a.gather(1, y[:, None])
    others = 1 - t  # one-hot targets: every class but the label
    return (torch.relu(a - ay + net.margin) * others).sum(1)


def _targets(net: Net, outputs: int) -> torch.Tensor:
    if net.labels is not None:
        return torch.tensor([[1.0 if j + 1 == y else 0.0 for j in range(outputs)] for y in net.labels], dtype=F64)
    assert net.targets is not None
    return torch.tensor(net.targets, dtype=F64)


class _Model:
    """The network's parameters as torch leaves, and one forward pass over the batch."""

    def __init__(self, net: Net) -> None:
        self.net = net
        self.weights: list[torch.Tensor] = []
        self.biases: list[torch.Tensor | None] = []
        for layer in net.layers:
            self.weights.append(torch.tensor(layer["weights"], dtype=F64, requires_grad=True))
            bias = layer.get("bias")
            self.biases.append(None if bias is None else torch.tensor(bias, dtype=F64, requires_grad=True))

    def leaves(self) -> list[tuple[str, torch.Tensor]]:
        out: list[tuple[str, torch.Tensor]] = []
        for l, (w, b) in enumerate(zip(self.weights, self.biases), 1):
            out.append((f"W{l}", w))
            if b is not None:
                out.append((f"b{l}", b))
        return out

    def forward(self) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
        net = self.net
        x = torch.tensor(net.inputs, dtype=F64, requires_grad=True)
        tensors: dict[str, torch.Tensor] = {"x": x}
        a = x
        for l, (layer, w, b) in enumerate(zip(net.layers, self.weights, self.biases), 1):
            z = a @ (w.T if net.layout == "out_in" else w)
            if b is not None:
                z = z + b
            z.retain_grad()
            a = activation(layer.get("activation", "linear"), z, layer)
            a.retain_grad()
            tensors[f"z{l}"], tensors[f"a{l}"] = z, a
        if net.upstream is not None:
            return tensors, (a * torch.tensor(net.upstream, dtype=F64)).sum()
        per = example_losses(net, a, _targets(net, a.shape[1]))
        per.retain_grad()
        tensors["L"] = per
        total = per.mean() if net.reduction == "mean" else per.sum()
        if not net.batch:
            total = per[0]
        return tensors, total + self.penalty()

    def penalty(self) -> torch.Tensor:
        out = torch.zeros((), dtype=F64)
        for w in self.weights:
            if self.net.l2:
                out = out + self.net.l2 / 2 * (w**2).sum()
            if self.net.l1:
                out = out + self.net.l1 * w.abs().sum()
        return out


def _entries(base: str, t: torch.Tensor) -> dict[str, float]:
    """A parameter tensor's entries by canonical name (W1[r,c], b1[j] or the shared b1)."""
    if t.dim() == 0:
        return {base: float(t)}
    if t.dim() == 1:
        return {f"{base}[{j + 1}]": float(v) for j, v in enumerate(t.tolist())}
    return {f"{base}[{r + 1},{c + 1}]": float(v) for r, row in enumerate(t.tolist()) for c, v in enumerate(row)}


def _node_values(net: Net, tensors: dict[str, torch.Tensor], grad: bool) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, t in tensors.items():
        if key == "L" and not net.batch:
            continue
        values = (t.grad if t.grad is not None else torch.zeros_like(t)) if grad else t.detach()
        if key == "L":
            out.update({f"L[{n + 1}]": float(v) for n, v in enumerate(values.tolist())})
            continue
        for n, row in enumerate(values.tolist()):
            for j, v in enumerate(row):
                out[_name(key, net.batch, n, j)] = float(v)
    return out


def torch_training_reference(spec: Mapping[str, Any]) -> Answers:
    """The full expected answers of a layered spec with batches, new activations and losses,
    penalties and optimizers, by PyTorch float64 (autograd and torch.optim)."""
    net = read(spec)
    with float64(), torch.enable_grad():
        model = _Model(net)
        trained = [(name, t) for name, t in model.leaves() if name not in net.frozen]
        opt = None
        if net.optimizer is not None and trained:
            args = {k: v for k, v in net.optimizer.items() if k != "name"}
            opt = TORCH_OPTIMIZERS[net.optimizer["name"]]([t for _, t in trained], **args)
        steps = []
        for k in range(net.iterations):
            for _, t in model.leaves():
                t.grad = None
            tensors, total = model.forward()
            total.backward()
            step: dict[str, Any] = {"iteration": k}
            forward = _node_values(net, tensors, grad=False)
            forward.update(_targets_forward(net, tensors))
            gradients = _node_values(net, tensors, grad=True)
            params: dict[str, float] = {}
            for name, t in model.leaves():
                params.update(_entries(name, t.detach()))
                gradients.update(_entries(name, t.grad if t.grad is not None else torch.zeros_like(t)))
            if net.loss is not None:
                forward["L"] = float(total.detach())
            step.update(forward=forward, loss=float(total.detach()) if net.loss is not None else None,
                        gradients=gradients, params=params)
            if net.optimizer is not None:
                if opt is not None:
                    opt.step()
                step["updated"] = {n: v for name, t in trained for n, v in _entries(name, t.detach()).items()}
                if "optimizer" in spec:
                    step["state"] = _state(opt, trained)
            steps.append(step)
        count = sum(t.numel() for _, t in model.leaves())
        return {"title": spec["title"], "steps": steps, "facts": {"parameters": count}}


def _targets_forward(net: Net, tensors: dict[str, torch.Tensor]) -> dict[str, float]:
    if net.loss is None:
        return {}
    outputs = tensors[f"a{len(net.layers)}"].shape[1]
    t = _targets(net, outputs)
    return {_name("t", net.batch, n, j): float(v) for n, row in enumerate(t.tolist()) for j, v in enumerate(row)}


def _state(opt: torch.optim.Optimizer | None, trained: list[tuple[str, torch.Tensor]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    if opt is None:
        return out
    for name, t in trained:
        for key, value in opt.state[t].items():
            if key in STATE_NAMES and isinstance(value, torch.Tensor):
                out.setdefault(key, {}).update(_entries(name, value))
    return out


def compare_state(actual: Answers, expected: Answers, rel: float = 1e-9, abs_: float = 1e-12) -> list[str]:
    """Every disagreement between the optimizer states of two answers (keys and values)."""
    problems = []
    for a_step, e_step in zip(actual["steps"], expected["steps"]):
        it = e_step["iteration"]
        a_state, e_state = a_step.get("state"), e_step.get("state")
        if (a_state is None) != (e_state is None):
            problems.append(f"step {it}: state is {a_state!r}, expected {e_state!r}")
            continue
        if e_state is None:
            continue
        if set(a_state) != set(e_state):
            problems.append(f"step {it}: state names {sorted(a_state)}, expected {sorted(e_state)}")
            continue
        for key, values in e_state.items():
            if set(values) != set(a_state[key]):
                problems.append(f"step {it}: state[{key}] has {sorted(a_state[key])}, expected {sorted(values)}")
                continue
            for p, v in values.items():
                if not math.isclose(a_state[key][p], v, rel_tol=rel, abs_tol=abs_):
                    problems.append(f"step {it}: state[{key}][{p}] = {a_state[key][p]!r}, expected {v!r}")
    return problems


def kink_margin(spec: Mapping[str, Any], answers: Answers) -> float:
    """The smallest distance of any kinked argument from its kink (relu/leaky_relu/elu at 0, the
    hinge's margin, mae's residual, huber's |r| = delta), from the reference's forward values."""
    net = read(spec)
    step_margins = []
    for step in answers["steps"]:
        f = step["forward"]
        margins = [math.inf]
        for l, layer in enumerate(net.layers, 1):
            if layer.get("activation") in ("relu", "leaky_relu", "elu"):
                margins += [abs(v) for k, v in f.items() if k.startswith(f"z{l}[")]
        last = len(net.layers)
        if net.loss in ("mae", "huber", "multiclass_hinge"):
            for n in range(len(net.inputs)):
                a = [f[k] for k in sorted((k for k in f if k.startswith(f"a{last}[") and _example(k, net.batch) == n),
                                          key=_unit)]
                t = [f[k] for k in sorted((k for k in f if k.startswith("t[") and _example(k, net.batch) == n),
                                          key=_unit)]
                margins += _loss_margins(net, a, t)
        step_margins.append(min(margins))
    return min(step_margins)


def _example(name: str, batch: bool) -> int:
    return int(name[name.index("[") + 1:].split(",")[0]) - 1 if batch else 0


def _unit(name: str) -> int:
    return int(name[name.index("[") + 1:-1].split(",")[-1])


def _loss_margins(net: Net, a: list[float], t: list[float]) -> list[float]:
    if net.loss == "mae":
        return [abs(x - y) for x, y in zip(a, t)]
    if net.loss == "huber":
        return [abs(abs(x - y) - net.delta) for x, y in zip(a, t)]
    y = t.index(max(t))
    return [abs(a[j] - a[y] + net.margin) for j in range(len(a)) if j != y]


# --------------------------------------------------------------------------------------------------
# Oracle 2: 50-digit mpmath, gradients by central differences.
# --------------------------------------------------------------------------------------------------

MP = mpmath.MPContext()
MP.dps = 50
H = MP.mpf("1e-20")


def _mp_activation(name: str, z: list[Any], layer: Mapping[str, Any]) -> list[Any]:
    if name == "softmax":
        top = max(z)
        e = [MP.exp(v - top) for v in z]
        s = MP.fsum(e)
        return [v / s for v in e]
    s = MP.mpf(str(layer.get("negative_slope", 0.01)))
    alpha = MP.mpf(str(layer.get("alpha", 1)))
    table = {
        "linear": lambda v: v, "identity": lambda v: v, "relu": lambda v: v if v > 0 else MP.mpf(0),
        "sigmoid": lambda v: 1 / (1 + MP.exp(-v)), "tanh": MP.tanh,
        "leaky_relu": lambda v: v if v > 0 else s * v, "elu": lambda v: v if v > 0 else alpha * (MP.exp(v) - 1),
        "softplus": lambda v: MP.log(1 + MP.exp(v)), "gelu": lambda v: v * MP.ncdf(v),
        "silu": lambda v: v / (1 + MP.exp(-v)),
    }
    return [table[name](v) for v in z]


def _mp_loss(net: Net, a: list[Any], t: list[Any]) -> Any:
    name, k = net.loss, len(a)
    if name == "squared_error":
        return MP.fsum((x - y) ** 2 for x, y in zip(a, t))
    if name == "half_squared_error":
        return MP.fsum((y - x) ** 2 for x, y in zip(a, t)) / 2
    if name == "mse":
        return MP.fsum((x - y) ** 2 for x, y in zip(a, t)) / k
    if name == "binary_cross_entropy":
        return -MP.fsum(y * MP.log(x) + (1 - y) * MP.log(1 - x) for x, y in zip(a, t))
    if name == "cross_entropy":
        return -MP.fsum(y * MP.log(x) for x, y in zip(a, t) if y != 0)
    if name == "mae":
        return MP.fsum(abs(x - y) for x, y in zip(a, t)) / k
    if name == "huber":
        d = MP.mpf(str(net.delta))
        return MP.fsum((r * r / 2 if abs(r) < d else d * (abs(r) - d / 2)) for r in (x - y for x, y in zip(a, t))) / k
    if name == "softmax_cross_entropy":
        top = max(a)
        lse = top + MP.log(MP.fsum(MP.exp(x - top) for x in a))
        return MP.fsum(y * (lse - x) for x, y in zip(a, t))
    y = max(range(k), key=lambda j: t[j])
    m = MP.mpf(str(net.margin))
    return MP.fsum(max(MP.mpf(0), a[j] - a[y] + m) for j in range(k) if j != y)


def _mp_total(net: Net, params: dict[str, Any], inputs: list[list[Any]]) -> Any:
    per = []
    for n, row in enumerate(inputs):
        a = row
        for l, layer in enumerate(net.layers, 1):
            units = len(layer["weights"]) if net.layout == "out_in" else len(layer["weights"][0])
            z = []
            for j in range(units):
                total = MP.fsum(params[f"W{l}[{j + 1},{i + 1}]" if net.layout == "out_in" else f"W{l}[{i + 1},{j + 1}]"]
                                * a[i] for i in range(len(a)))
                bias = layer.get("bias")
                if isinstance(bias, list):
                    total += params[f"b{l}[{j + 1}]"]
                elif bias is not None:
                    total += params[f"b{l}"]
                z.append(total)
            a = _mp_activation(layer.get("activation", "linear"), z, layer)
        if net.upstream is not None:
            per.append(MP.fsum(MP.mpf(str(g)) * v for g, v in zip(net.upstream[n], a)))
            continue
        t = net.targets[n] if net.targets is not None else [float(j + 1 == net.labels[n]) for j in range(len(a))]  # type: ignore[index]
        per.append(_mp_loss(net, a, [MP.mpf(str(v)) for v in t]))
    if net.upstream is not None:
        return MP.fsum(per)
    total = MP.fsum(per) / (len(per) if net.reduction == "mean" else 1)
    weights = [v for k, v in params.items() if k.startswith("W")]
    total += MP.mpf(str(net.l2)) / 2 * MP.fsum(w * w for w in weights)
    total += MP.mpf(str(net.l1)) * MP.fsum(abs(w) for w in weights)
    return total


def mpmath_training_gradients(spec: Mapping[str, Any], params: Mapping[str, float]) -> dict[str, float]:
    """dL/d(every parameter and input) at the given parameter values, by 50-digit central differences."""
    net = read(spec)
    base = {k: MP.mpf(repr(v)) for k, v in params.items()}
    inputs = [[MP.mpf(repr(v)) for v in row] for row in net.inputs]
    out: dict[str, float] = {}
    for name in base:
        up, down = dict(base), dict(base)
        up[name] += H
        down[name] -= H
        out[name] = float((_mp_total(net, up, inputs) - _mp_total(net, down, inputs)) / (2 * H))
    for n, row in enumerate(inputs):
        for i in range(len(row)):
            up = [list(r) for r in inputs]
            down = [list(r) for r in inputs]
            up[n][i] += H
            down[n][i] -= H
            out[_name("x", net.batch, n, i)] = float((_mp_total(net, base, up) - _mp_total(net, base, down)) / (2 * H))
    return out


def mpmath_training_loss(spec: Mapping[str, Any], params: Mapping[str, float]) -> float:
    net = read(spec)
    return float(_mp_total(net, {k: MP.mpf(repr(v)) for k, v in params.items()},
                           [[MP.mpf(repr(v)) for v in row] for row in net.inputs]))


def finite(answers: Answers, bound: float = 1e6) -> bool:
    """Every number of the reference is finite and below ``bound`` in size."""
    def ok(values: Sequence[float]) -> bool:
        return all(math.isfinite(v) and abs(v) < bound for v in values)

    for step in answers["steps"]:
        for part in ("forward", "gradients", "updated"):
            if not ok(list(step.get(part, {}).values())):
                return False
        for values in step.get("state", {}).values():
            if not ok(list(values.values())):
                return False
    return True


# --------------------------------------------------------------------------------------------------
# Graphs with the new functions (the trees of training_strategies.function_graphs)
# --------------------------------------------------------------------------------------------------

def _torch_call(fn: str, args: list[torch.Tensor], consts: list[float]) -> torch.Tensor:
    if fn == "max":
        return torch.maximum(args[0], args[1])
    if fn == "min":
        return torch.minimum(args[0], args[1])
    if fn == "leaky_relu":
        return F.leaky_relu(args[0], consts[0] if consts else 0.01)
    if fn == "elu":
        return F.elu(args[0], consts[0] if consts else 1.0)
    if fn == "softplus":
        return F.softplus(args[0], beta=1.0, threshold=1e6)
    if fn == "gelu":
        return F.gelu(args[0], approximate="none")
    return {"sin": torch.sin, "cos": torch.cos, "silu": F.silu}[fn](args[0])


def _mp_call(fn: str, args: list[Any], consts: list[Any]) -> Any:
    u = args[0]
    if fn == "max":
        return max(args)
    if fn == "min":
        return min(args)
    if fn == "leaky_relu":
        s = consts[0] if consts else MP.mpf("0.01")
        return u if u > 0 else s * u
    if fn == "elu":
        a = consts[0] if consts else MP.mpf(1)
        return u if u > 0 else a * (MP.exp(u) - 1)
    return {"sin": MP.sin, "cos": MP.cos, "softplus": lambda v: MP.log(1 + MP.exp(v)),
            "gelu": lambda v: v * MP.ncdf(v), "silu": lambda v: v / (1 + MP.exp(-v))}[fn](u)


def _eval_tree(t: tuple[Any, ...], env: Mapping[str, Any], call: Any, number: Any) -> Any:
    if t[0] == "lin":
        return number(t[1]) * env[t[2]] + number(t[3]) * env[t[4]]
    args = [_eval_tree(a, env, call, number) for a in t[2] if a[0] != "num"]
    consts = [number(a[1]) for a in t[2] if a[0] == "num"]
    return call(t[1], args, consts)


def torch_graph_reference(spec: Mapping[str, Any], meta: Mapping[str, Any]) -> Answers:
    """Forward values, gradients, updates and optimizer state of a function graph, by torch."""
    g = spec["graph"]
    l2 = float(g.get("l2", 0))
    with float64(), torch.enable_grad():
        params = {k: torch.tensor(float(v), dtype=F64, requires_grad=True) for k, v in g["params"].items()}
        opt = None
        if "optimizer" in spec:
            o = dict(spec["optimizer"])
            name = o.pop("name", "sgd")
            if "learning_rate" in o:
                o["lr"] = float(o.pop("learning_rate"))
            if "betas" in o:
                o["betas"] = tuple(float(b) for b in o["betas"])
            opt = TORCH_OPTIMIZERS[name](list(params.values()), **o)
        steps = []
        for k in range(int(g.get("iterations", 1))):
            for p in params.values():
                p.grad = None
            env: dict[str, torch.Tensor] = {n: torch.tensor(float(v), dtype=F64, requires_grad=True)
                                            for n, v in g["inputs"].items()}
            leaves = dict(env)
            env.update(params)
            env["t"] = torch.tensor(float(g["constants"]["t"]), dtype=F64)
            nodes = {}
            for name, tree in meta["nodes"]:
                v = _eval_tree(tree, env, _torch_call, float)
                v.retain_grad()
                env[name] = nodes[name] = v
            loss = (env[meta["loss"][1]] - env["t"]) ** 2 + l2 / 2 * sum(p**2 for p in params.values())
            loss.backward()
            forward = {n: float(v) for n, v in env.items() if n not in params}
            forward["L"] = float(loss)
            grads = {n: float(v.grad) if v.grad is not None else 0.0
                     for n, v in {**leaves, **params, **nodes}.items()}
            step: dict[str, Any] = {"iteration": k, "forward": forward, "loss": float(loss), "gradients": grads,
                                    "params": {n: float(p) for n, p in params.items()}}
            if opt is not None:
                opt.step()
                step["updated"] = {n: float(p) for n, p in params.items()}
                step["state"] = _state(opt, list(params.items()))
            steps.append(step)
        return {"title": spec["title"], "steps": steps, "facts": {"parameters": len(params)}}


def mpmath_graph_gradients(spec: Mapping[str, Any], meta: Mapping[str, Any],
                           values: Mapping[str, float]) -> dict[str, float]:
    """dL/d(every parameter and input) of a function graph at ``values``, by 50-digit central differences."""
    g = spec["graph"]
    l2 = MP.mpf(str(g.get("l2", 0)))

    def total(env: dict[str, Any]) -> Any:
        env = dict(env)
        for name, tree in meta["nodes"]:
            env[name] = _eval_tree(tree, env, _mp_call, lambda s: MP.mpf(str(s)))
        return (env[meta["loss"][1]] - env["t"]) ** 2 + l2 / 2 * MP.fsum(env[p] ** 2 for p in g["params"])

    base = {k: MP.mpf(repr(float(v))) for k, v in values.items()}
    base["t"] = MP.mpf(str(g["constants"]["t"]))
    out = {}
    for name in [*g["inputs"], *g["params"]]:
        up, down = dict(base), dict(base)
        up[name] += H
        down[name] -= H
        out[name] = float((total(up) - total(down)) / (2 * H))
    return out


def graph_kink_margin(meta: Mapping[str, Any], answers: Answers) -> float:
    """The smallest distance from a kink: max/min arguments' difference, leaky_relu/elu arguments from 0."""
    margins = [math.inf]
    for step in answers["steps"]:
        env = {**step["forward"], **step["params"]}
        for _, tree in meta["nodes"]:
            fn, args = tree[1], [a for a in tree[2] if a[0] != "num"]
            vals = [_eval_tree(a, env, _torch_call, float) for a in args]
            if fn in ("max", "min"):
                margins.append(abs(vals[0] - vals[1]))
            elif fn in ("leaky_relu", "elu"):
                margins.append(abs(vals[0]))
    return min(margins)


ADAPTIVE = ("rmsprop", "adagrad", "adam", "adamw")


def well_scaled(spec: Mapping[str, Any], answers: Answers, least: float = 1e-7) -> bool:
    """False where an adaptive optimizer divides a gradient by its own size and that gradient is a
    float's rounding noise: a gradient that is exactly 0 in exact arithmetic (a shared bias into a
    softmax, say) is ~1e-17 in float64, and g / (sqrt(g^2) + eps) turns that noise into a real step."""
    if spec.get("optimizer", {}).get("name") not in ADAPTIVE:
        return True
    params = answers["steps"][0]["params"]
    return all(abs(step["gradients"][p]) == 0 or abs(step["gradients"][p]) > least
               for step in answers["steps"] for p in params)
