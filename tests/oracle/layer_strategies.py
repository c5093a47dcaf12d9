"""Hypothesis strategies for networks with section-10 layers: a spec dict and its TOML text.

Values are multiples of 0.1 in [-2, 2] (exact decimals), so solgen reads exactly what the
float64 oracles use up to one rounding.  Kinks (ReLU at 0, max-pooling ties) are left to
the oracle's ``margin``: a test skips problems whose margin is below 1e-6.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

VALUES = st.integers(-20, 20).map(lambda k: k / 10)
ACTS = st.sampled_from(["linear", "relu", "sigmoid", "tanh"])
LOSSES = st.sampled_from(["half_squared_error", "mse", "squared_error"])


def to_toml(spec: dict[str, Any]) -> str:
    """A spec dict as TOML (arrays and strings as JSON writes them, which TOML accepts)."""
    net = spec["network"]
    lines = [f"title = {json.dumps(spec['title'])}", "", "[network]"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in net.items() if k != "layer"]
    for layer in net["layer"]:
        lines += ["", "[[network.layer]]"] + [f"{k} = {json.dumps(v)}" for k, v in layer.items()]
    return "\n".join(lines) + "\n"


def tensor(draw: Any, shape: tuple[int, ...], values: Any = VALUES) -> Any:
    if not shape:
        return draw(values)
    return [tensor(draw, shape[1:], values) for _ in range(shape[0])]


def _batch(draw: Any, shape: tuple[int, ...], n: int | None) -> Any:
    return tensor(draw, shape) if n is None else [tensor(draw, shape) for _ in range(n)]


def _head(draw: Any, net: dict[str, Any], width: int, n: int | None) -> None:
    """A dense output layer of 1-2 units, the loss and the targets."""
    units = draw(st.integers(1, 2))
    net["layer"].append({"units": units, "activation": draw(ACTS), "weights": tensor(draw, (units, width)),
                         "bias": tensor(draw, (units,))})
    net["loss"] = draw(LOSSES)
    net["targets"] = _batch(draw, (units,), n)
    if n is not None:
        net["reduction"] = draw(st.sampled_from(["mean", "sum"]))


@st.composite
def conv_networks(draw: Any, dims: int, batch: bool = False) -> dict[str, Any]:
    """conv (channels 1-3, kernels 1-3, stride 1-2, padding 0-1), maybe pooling, flatten, dense."""
    n = draw(st.integers(2, 3)) if batch else None
    c = draw(st.integers(1, 3))
    spatial = tuple(draw(st.integers(2, 5)) for _ in range(dims))
    k = draw(st.integers(1, 3))
    pad = draw(st.integers(0, 1))
    stride = draw(st.integers(1, 2))
    if any(s + 2 * pad < k for s in spatial):
        k = 1
    o = draw(st.integers(1, 3))
    conv: dict[str, Any] = {"type": f"conv{dims}d", "weights": tensor(draw, (o, c) + (k,) * dims)}
    if draw(st.booleans()):
        conv["bias"] = tensor(draw, (o,))
    if stride != 1:
        conv["stride"] = stride
    if pad:
        conv["padding"] = pad
    conv["activation"] = draw(ACTS)
    net: dict[str, Any] = {"inputs": _batch(draw, (c,) + spatial, n), "layer": [conv]}
    out = tuple((s + 2 * pad - k) // stride + 1 for s in spatial)
    if draw(st.booleans()) and min(out) >= 2:
        pk = 2
        mode = draw(st.sampled_from(["max", "avg"]))
        pool: dict[str, Any] = {"type": f"{mode}pool{dims}d", "kernel_size": pk}
        ps = draw(st.integers(1, 2))
        if ps != pk:
            pool["stride"] = ps
        net["layer"].append(pool)
        out = tuple((s - pk) // ps + 1 for s in out)
    net["layer"].append({"type": "flatten"})
    width = o
    for s in out:
        width *= s
    _head(draw, net, width, n)
    return {"title": f"conv{dims}d", "network": net}


@st.composite
def dropout_networks(draw: Any, batch: bool = False) -> dict[str, Any]:
    n = draw(st.integers(2, 3)) if batch else None
    f = draw(st.integers(1, 4))
    h = draw(st.integers(1, 4))
    p = draw(st.sampled_from([0.0, 0.2, 0.5, 0.75]))
    bits = st.sampled_from([0, 1])
    mask = tensor(draw, (h,), bits) if n is None else [tensor(draw, (h,), bits) for _ in range(n)]
    net: dict[str, Any] = {"inputs": _batch(draw, (f,), n), "layer": [
        {"units": h, "activation": draw(ACTS), "weights": tensor(draw, (h, f)), "bias": tensor(draw, (h,))},
        {"type": "dropout", "p": p, "mask": mask}]}
    _head(draw, net, h, n)
    return {"title": "dropout", "network": net}


@st.composite
def rnn_networks(draw: Any, batch: bool = False) -> dict[str, Any]:
    """An RNN of 1-4 steps (1-3 features, 1-3 units), then a dense head."""
    n = draw(st.integers(2, 3)) if batch else None
    steps, f, u = draw(st.integers(1, 4)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    layer: dict[str, Any] = {"type": "rnn", "units": u, "weights_ih": tensor(draw, (u, f)),
                             "weights_hh": tensor(draw, (u, u))}
    if draw(st.booleans()):
        layer["bias"] = tensor(draw, (u,))
    if draw(st.booleans()):
        layer["h0"] = tensor(draw, (u,))
    if draw(st.booleans()):
        layer["activation"] = "relu"
    net: dict[str, Any] = {"inputs": _batch(draw, (steps, f), n), "layer": [layer]}
    _head(draw, net, u, n)
    return {"title": "rnn", "network": net}


@st.composite
def batchnorm_networks(draw: Any) -> dict[str, Any]:
    """dense -> batchnorm (per feature) on a batch of 2-4, or conv1d -> batchnorm (per channel)."""
    n = draw(st.integers(2, 4))
    gamma_beta = draw(st.booleans())
    if draw(st.booleans()):
        f, h = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        net: dict[str, Any] = {"inputs": _batch(draw, (f,), n), "layer": [
            {"units": h, "activation": draw(ACTS), "weights": tensor(draw, (h, f)), "bias": tensor(draw, (h,))}]}
        channels, width = h, h
    else:
        c, length, o = draw(st.integers(1, 2)), draw(st.integers(2, 4)), draw(st.integers(1, 2))
        net = {"inputs": _batch(draw, (c, length), n), "layer": [
            {"type": "conv1d", "weights": tensor(draw, (o, c, 2)), "bias": tensor(draw, (o,))}]}
        channels, width = o, o * (length - 1)
    bn: dict[str, Any] = {"type": "batchnorm"}
    bn["gamma"] = tensor(draw, (channels,)) if gamma_beta else [1.0] * channels
    bn["beta"] = tensor(draw, (channels,)) if gamma_beta else [0.0] * channels
    net["layer"].append(bn)
    if len(net["layer"]) == 2 and net["layer"][0].get("type") == "conv1d":
        net["layer"].append({"type": "flatten"})
    _head(draw, net, width, n)
    return {"title": "batchnorm", "network": net}
