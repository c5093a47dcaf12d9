"""Independent oracles for networks with section-10 layers (nothing here imports solgen).

* :func:`torch_layers` : PyTorch float64 autograd with ``torch.nn.functional`` (conv1d, conv2d,
  max_pool1d/2d, avg_pool1d/2d, batch_norm in training mode, dropout as mask / (1 - p)) and
  ``torch.nn.RNN``; every tensor's gradient by ``retain_grad``.
* :func:`mpmath_layers` : a scalar re-implementation at 50 digits (loops over indices); every
  parameter's and input's gradient is a central difference.

Both read the spec dict as ``tomllib.loads`` returns it and give ``{"forward": {...},
"gradients": {...}, "margin": float}`` under the contract's canonical names; ``margin`` is the
smallest gap met at a kink (a ReLU argument's |z|, a max-pooling window's best minus second
best), so a test can skip problems a float oracle cannot answer to 1e-9.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

import mpmath
import torch
import torch.nn.functional as F

Values = dict[str, float]


def _name(base: str, index: Sequence[int]) -> str:
    return f"{base}[{','.join(str(i + 1) for i in index)}]" if len(index) else base


def _batched(net: dict[str, Any], rank: int) -> bool:
    d, x = 0, net["inputs"]
    while isinstance(x, list):
        x, d = x[0], d + 1
    return d == rank + 1


def _rank(layer: dict[str, Any]) -> int:
    t = layer.get("type", "dense")
    return {"conv1d": 2, "conv2d": 3, "maxpool1d": 2, "maxpool2d": 3, "avgpool1d": 2, "avgpool2d": 3,
            "rnn": 2}.get(t, 1)


# --------------------------------------------------------------------------------------------------
# PyTorch
# --------------------------------------------------------------------------------------------------

_TORCH_ACT: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "linear": lambda z: z, "identity": lambda z: z, "relu": torch.relu, "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
}


def _t(v: Any) -> torch.Tensor:
    return torch.tensor(v, dtype=torch.float64)


def torch_layers(spec: dict[str, Any]) -> dict[str, Any]:
    net = spec["network"]
    layers = net["layer"]
    batched = _batched(net, _rank(layers[0]))
    x = _t(net["inputs"]) if batched else _t([net["inputs"]])
    x.requires_grad_(True)
    named: dict[str, torch.Tensor] = {"x": x}
    params: dict[str, torch.Tensor] = {}
    margin = math.inf
    a = x
    for l, layer in enumerate(layers, 1):
        kind = layer.get("type", "dense")
        act = _TORCH_ACT[layer.get("activation", "tanh" if kind == "rnn" else "linear")]
        if kind in ("conv1d", "conv2d"):
            w = params[f"W{l}"] = _t(layer["weights"]).requires_grad_(True)
            b = params[f"b{l}"] = _t(layer["bias"]).requires_grad_(True) if "bias" in layer else None
            conv = F.conv1d if kind == "conv1d" else F.conv2d
            z = conv(a, w, b, stride=layer.get("stride", 1), padding=layer.get("padding", 0))
            named[f"z{l}"] = z
            a = act(z)
        elif kind.startswith(("maxpool", "avgpool")):
            k = layer["kernel_size"]
            s = layer.get("stride", k)
            fn = {"maxpool1d": F.max_pool1d, "maxpool2d": F.max_pool2d, "avgpool1d": F.avg_pool1d,
                  "avgpool2d": F.avg_pool2d}[kind]
            if kind.startswith("max"):
                margin = min(margin, _pool_margin(a.detach(), k, s, kind.endswith("2d")))
            a = fn(a, k, s)
        elif kind == "flatten":
            a = a.flatten(1)
        elif kind == "dropout":
            p = layer.get("p", 0.5)
            mask = _t(layer["mask"]) if batched else _t([layer["mask"]])
            a = a * mask / (1 - p)
        elif kind == "batchnorm":
            c = a.shape[1]
            g = params[f"gamma{l}"] = _t(layer.get("gamma", [1.0] * c)).requires_grad_(True)
            be = params[f"beta{l}"] = _t(layer.get("beta", [0.0] * c)).requires_grad_(True)
            a = F.batch_norm(a, None, None, g, be, training=True, eps=layer.get("eps", 1e-5))
        elif kind == "rnn":
            a, margin = _torch_rnn(layer, l, a, params, named, margin)
            continue
        else:
            w = params[f"W{l}"] = _t(layer["weights"]).requires_grad_(True)
            z = a @ w.T
            if "bias" in layer:
                bias = layer["bias"]
                if isinstance(bias, list):
                    params[f"b{l}"] = _t(bias).requires_grad_(True)
                    z = z + params[f"b{l}"]
                else:
                    params[f"b{l}"] = _t(bias).requires_grad_(True)
                    z = z + params[f"b{l}"]
            named[f"z{l}"] = z
            a = act(z)
        if kind in ("conv1d", "conv2d", "dense") and layer.get("activation") == "relu":
            margin = min(margin, float(named[f"z{l}"].detach().abs().min()))
        named[f"a{l}"] = a
    for t in named.values():
        if t.requires_grad:
            t.retain_grad()
    target = _t(net["targets"]) if batched else _t([net["targets"]])
    loss = _torch_loss(net["loss"], a, target, net.get("reduction", "mean"))
    loss.backward()
    forward: Values = {"L": float(loss.detach())}
    grads: Values = {}
    for base, tensor in named.items():
        if base.endswith("@last"):  # the last hidden state: its gradient under h{l}[S, j]
            steps = named[base[:-5]].shape[1]
            _spread(grads, base[:-5], tensor.grad.unsqueeze(1), batched, first_step=steps)
            continue
        _spread(forward, base, tensor.detach(), batched)
        if tensor.grad is not None:
            _spread(grads, base, tensor.grad, batched)
    for base, tensor in params.items():
        if tensor is not None:
            _spread(grads, base, tensor.grad, batched=False, param=True)
    return {"forward": forward, "gradients": grads, "margin": margin}


def _torch_rnn(layer: dict[str, Any], l: int, a: torch.Tensor, params: dict[str, torch.Tensor],
               named: dict[str, torch.Tensor], margin: float) -> tuple[torch.Tensor, float]:
    units = layer["units"]
    activation = layer.get("activation", "tanh")
    rnn = torch.nn.RNN(a.shape[2], units, nonlinearity=activation, batch_first=True, dtype=torch.float64,
                       bias=True)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(_t(layer["weights_ih"]))
        rnn.weight_hh_l0.copy_(_t(layer["weights_hh"]))
        rnn.bias_ih_l0.copy_(_t(layer.get("bias", [0.0] * units)))
        rnn.bias_hh_l0.zero_()
    h0 = _t(layer.get("h0", [0.0] * units)).expand(a.shape[0], units).unsqueeze(0).contiguous()
    out, _ = rnn(a, h0)
    # h{l}[s, j] for s = 1..S: values only, since out.grad holds just the gradient that reaches
    # ``out`` from outside (the last step's), not what flows back through the recurrence
    named[f"h{l}"] = out.detach()
    last = out[:, -1, :]
    named[f"h{l}@last"] = last
    params[f"Wih{l}"] = rnn.weight_ih_l0
    params[f"Whh{l}"] = rnn.weight_hh_l0
    if "bias" in layer:
        params[f"b{l}"] = rnn.bias_ih_l0
    if activation == "relu":
        margin = min(margin, float(out.detach().abs().min()))
    return last, margin


def _pool_margin(a: torch.Tensor, k: int, s: int, two_d: bool) -> float:
    """The smallest gap between a window's maximum and its runner-up."""
    if two_d:
        win = a.unfold(2, k, s).unfold(3, k, s).flatten(-2)
    else:
        win = a.unfold(2, k, s)
    if win.shape[-1] < 2:
        return math.inf
    top = win.topk(2, dim=-1).values
    return float((top[..., 0] - top[..., 1]).min())


def _torch_loss(loss: str, a: torch.Tensor, t: torch.Tensor, reduction: str) -> torch.Tensor:
    if loss == "half_squared_error":
        per = 0.5 * ((t - a) ** 2).sum(1)
    elif loss == "squared_error":
        per = ((a - t) ** 2).sum(1)
    elif loss == "mse":
        per = ((a - t) ** 2).mean(1)
    else:
        raise ValueError(loss)
    return per.mean() if reduction == "mean" else per.sum()


def _spread(out: Values, base: str, tensor: torch.Tensor, batched: bool, param: bool = False,
            first_step: int = 0) -> None:
    if param:
        if tensor.dim() == 0:
            out[base] = float(tensor)
            return
        for idx in itertools.product(*(range(s) for s in tensor.shape)):
            out[_name(base, idx)] = float(tensor[idx])
        return
    for idx in itertools.product(*(range(s) for s in tensor.shape)):
        shown = idx if batched else idx[1:]
        if first_step:  # (n, 1, units) holding step first_step (1-based)
            shown = shown[:-2] + (first_step, shown[-1]) if not batched else (idx[0], first_step, idx[2])
            out[f"{base}[{','.join(str(i) if k == len(shown) - 2 else str(i + 1) for k, i in enumerate(shown))}]"] \
                = float(tensor[idx])
            continue
        out[_name(base, shown)] = float(tensor[idx])


# --------------------------------------------------------------------------------------------------
# mpmath: loops over indices, central differences
# --------------------------------------------------------------------------------------------------

MP = mpmath.MPContext()
MP.dps = 50
H = MP.mpf("1e-20")

Tensor = dict[tuple[int, ...], Any]  # 0-based index -> value (a batch: example first)


def _tensor(raw: Any, prefix: tuple[int, ...] = ()) -> Tensor:
    if not isinstance(raw, list):
        return {prefix: MP.mpf(raw) if not isinstance(raw, str) else MP.mpf(raw)}
    out: Tensor = {}
    for i, item in enumerate(raw):
        out.update(_tensor(item, prefix + (i,)))
    return out


def _shape(t: Tensor) -> tuple[int, ...]:
    return tuple(max(k[d] for k in t) + 1 for d in range(len(next(iter(t)))))


_MP_ACT: dict[str, Callable[[Any], Any]] = {
    "linear": lambda z: z, "identity": lambda z: z, "relu": lambda z: z if z > 0 else MP.mpf(0),
    "sigmoid": lambda z: 1 / (1 + MP.exp(-z)), "tanh": MP.tanh,
}


def _mp_forward(net: dict[str, Any], x: Tensor, params: dict[str, Tensor]) -> Any:
    a = x
    for l, layer in enumerate(net["layer"], 1):
        kind = layer.get("type", "dense")
        a = _MP_LAYERS[kind](layer, l, a, params)
    t = _tensor(net["targets"] if _batched(net, _rank(net["layer"][0])) else [net["targets"]])
    n, k = _shape(t)
    per = []
    for e in range(n):
        d = [a[(e, j)] - t[(e, j)] for j in range(k)]
        s = MP.fsum(v * v for v in d)
        per.append({"half_squared_error": s / 2, "squared_error": s, "mse": s / k}[net["loss"]])
    total = MP.fsum(per)
    return total / n if net.get("reduction", "mean") == "mean" else total


def _mp_conv(layer: dict[str, Any], l: int, a: Tensor, params: dict[str, Tensor]) -> Tensor:
    w, b = params[f"W{l}"], params.get(f"b{l}")
    n, c_in, *spatial = _shape(a)
    o_n, _, *ks = _shape(w)
    dims = len(ks)
    s = _pair(layer.get("stride", 1), dims)
    p = _pair(layer.get("padding", 0), dims)
    outs = [(sz + 2 * pp - k) // st + 1 for sz, k, st, pp in zip(spatial, ks, s, p)]
    act = _MP_ACT[layer.get("activation", "linear")]
    out: Tensor = {}
    for e, o in itertools.product(range(n), range(o_n)):
        for pos in itertools.product(*(range(m) for m in outs)):
            total = b[(o,)] if b is not None else MP.mpf(0)
            for c in range(c_in):
                for kk in itertools.product(*(range(k) for k in ks)):
                    at = tuple(q * st + k - pp for q, st, k, pp in zip(pos, s, kk, p))
                    if all(0 <= v < sz for v, sz in zip(at, spatial)):
                        total += w[(o, c) + kk] * a[(e, c) + at]
            out[(e, o) + pos] = act(total)
    return out


def _pair(v: Any, dims: int) -> list[int]:
    return list(v) if isinstance(v, list) else [v] * dims


def _mp_pool(layer: dict[str, Any], l: int, a: Tensor, params: dict[str, Tensor]) -> Tensor:
    kind = layer["type"]
    n, c_n, *spatial = _shape(a)
    dims = len(spatial)
    k = _pair(layer["kernel_size"], dims)
    s = _pair(layer.get("stride", layer["kernel_size"]), dims)
    outs = [(sz - kk) // st + 1 for sz, kk, st in zip(spatial, k, s)]
    out: Tensor = {}
    for e, c in itertools.product(range(n), range(c_n)):
        for pos in itertools.product(*(range(m) for m in outs)):
            vals = [a[(e, c) + tuple(q * st + j for q, st, j in zip(pos, s, kk))]
                    for kk in itertools.product(*(range(x) for x in k))]
            out[(e, c) + pos] = max(vals) if kind.startswith("max") else MP.fsum(vals) / len(vals)
    return out


def _mp_flatten(layer: dict[str, Any], l: int, a: Tensor, params: dict[str, Tensor]) -> Tensor:
    shape = _shape(a)
    out: Tensor = {}
    for idx in sorted(a):
        flat = 0
        for size, i in zip(shape[1:], idx[1:]):
            flat = flat * size + i
        out[(idx[0], flat)] = a[idx]
    return out


def _mp_dropout(layer: dict[str, Any], l: int, a: Tensor, params: dict[str, Tensor]) -> Tensor:
    mask = _tensor(layer["mask"])
    batched = len(next(iter(mask))) == len(next(iter(a)))
    scale = 1 / (1 - MP.mpf(layer.get("p", 0.5)))
    return {idx: v * mask[idx if batched else idx[1:]] * scale for idx, v in a.items()}


def _mp_batchnorm(layer: dict[str, Any], l: int, a: Tensor, params: dict[str, Tensor]) -> Tensor:
    g, be = params[f"gamma{l}"], params[f"beta{l}"]
    eps = MP.mpf(layer.get("eps", 1e-5))
    out: Tensor = {}
    for c in range(_shape(a)[1]):
        keys = [k for k in a if k[1] == c]
        mu = MP.fsum(a[k] for k in keys) / len(keys)
        var = MP.fsum((a[k] - mu) ** 2 for k in keys) / len(keys)
        for k in keys:
            out[k] = g[(c,)] * (a[k] - mu) / MP.sqrt(var + eps) + be[(c,)]
    return out


def _mp_rnn(layer: dict[str, Any], l: int, a: Tensor, params: dict[str, Tensor]) -> Tensor:
    wih, whh, b = params[f"Wih{l}"], params[f"Whh{l}"], params.get(f"b{l}")
    n, steps, feats = _shape(a)
    units = layer["units"]
    act = _MP_ACT[layer.get("activation", "tanh")]
    h0 = [MP.mpf(v) for v in layer.get("h0", [0] * units)]
    out: Tensor = {}
    for e in range(n):
        h = list(h0)
        for s in range(steps):
            h = [act(MP.fsum([wih[(j, i)] * a[(e, s, i)] for i in range(feats)]
                             + [whh[(j, k)] * h[k] for k in range(units)]) + (b[(j,)] if b else 0))
                 for j in range(units)]
        for j in range(units):
            out[(e, j)] = h[j]
    return out


def _mp_dense(layer: dict[str, Any], l: int, a: Tensor, params: dict[str, Tensor]) -> Tensor:
    w = params[f"W{l}"]
    n, m = _shape(a)
    units = layer["units"]
    act = _MP_ACT[layer.get("activation", "linear")]
    b = params.get(f"b{l}")
    out: Tensor = {}
    for e, j in itertools.product(range(n), range(units)):
        bias = (b[(j,)] if (j,) in b else b[()]) if b is not None else 0
        out[(e, j)] = act(MP.fsum(w[(j, i)] * a[(e, i)] for i in range(m)) + bias)
    return out


_MP_LAYERS = {"conv1d": _mp_conv, "conv2d": _mp_conv, "maxpool1d": _mp_pool, "maxpool2d": _mp_pool,
              "avgpool1d": _mp_pool, "avgpool2d": _mp_pool, "flatten": _mp_flatten, "dropout": _mp_dropout,
              "batchnorm": _mp_batchnorm, "rnn": _mp_rnn, "dense": _mp_dense}

_PARAM_KEYS = {"conv1d": (("W", "weights"), ("b", "bias")), "conv2d": (("W", "weights"), ("b", "bias")),
               "dense": (("W", "weights"), ("b", "bias")), "batchnorm": (("gamma", "gamma"), ("beta", "beta")),
               "rnn": (("Wih", "weights_ih"), ("Whh", "weights_hh"), ("b", "bias"))}


def mpmath_layers(spec: dict[str, Any]) -> dict[str, Any]:
    """L and, by central differences, dL/d(every parameter and input entry)."""
    net = spec["network"]
    batched = _batched(net, _rank(net["layer"][0]))
    x = _tensor(net["inputs"] if batched else [net["inputs"]])
    params: dict[str, Tensor] = {}
    for l, layer in enumerate(net["layer"], 1):
        for base, key in _PARAM_KEYS.get(layer.get("type", "dense"), ()):
            if key in layer:
                params[f"{base}{l}"] = _tensor(layer[key])
            elif key in ("gamma", "beta"):
                raise ValueError("give gamma and beta explicitly in generated batchnorm layers")
    grads: Values = {}
    with MP.workdps(50):
        loss = _mp_forward(net, x, params)
        for pname, tensor in params.items():
            for idx in list(tensor):
                grads[_name(pname, idx)] = _central(lambda d, i=idx, t=tensor: _nudged(t, i, d, lambda: _mp_forward(
                    net, x, params)))
        for idx in list(x):
            shown = idx if batched else idx[1:]
            grads[_name("x", shown)] = _central(lambda d, i=idx: _nudged(x, i, d, lambda: _mp_forward(net, x, params)))
    return {"forward": {"L": float(loss)}, "gradients": grads}


def _nudged(t: Tensor, idx: tuple[int, ...], delta: Any, run: Callable[[], Any]) -> Any:
    old = t[idx]
    t[idx] = old + delta
    try:
        return run()
    finally:
        t[idx] = old


def _central(f: Callable[[Any], Any]) -> float:
    return float((f(H) - f(-H)) / (2 * H))
