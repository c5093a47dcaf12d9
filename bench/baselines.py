"""The baselines: the naive approach (sympy.diff of the whole loss per parameter) and PyTorch autograd,
and the gradient cross-checks between them and solgen."""

from __future__ import annotations

import json
import multiprocessing as mp
import queue
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fmt import fmt_s
from problems import Net
from timers import last_line, run

ParamKey = tuple[int, str, int, int]  # (layer, "W" or "b", row, col), 0-based row/col


def naive_worker(net: Net, order: list[ParamKey], out: Any) -> None:
    """Child process: build the loss, then diff + evaluate each parameter in ``order``."""
    import sympy

    start = time.perf_counter()
    symbols: dict[ParamKey, Any] = {}
    values: dict[Any, Any] = {}
    acts: list[Any] = [sympy.Float(x) for x in net.inputs]
    for layer, (w, b) in enumerate(zip(net.weights, net.biases), start=1):
        new_acts = []
        for j, row in enumerate(w):
            ws = [sympy.Symbol(f"W{layer}_{j + 1}_{i + 1}") for i in range(len(row))]
            bs = sympy.Symbol(f"b{layer}_{j + 1}")
            for i, s in enumerate(ws):
                symbols[(layer, "W", j, i)] = s
                values[s] = sympy.Float(row[i])
            symbols[(layer, "b", j, 0)] = bs
            values[bs] = sympy.Float(b[j])
            z = sympy.Add(*[s * a for s, a in zip(ws, acts)]) + bs
            new_acts.append(1 / (1 + sympy.exp(-z)))
        acts = new_acts
    half = sympy.Rational(1, 2)
    loss = sympy.Add(*[half * (sympy.Float(t) - a) ** 2 for t, a in zip(net.targets, acts)])
    out.put(("built", time.perf_counter() - start))
    for key in order:
        t0 = time.perf_counter()
        grad = sympy.diff(loss, symbols[key])
        value = float(grad.xreplace(values))
        out.put(("param", key, time.perf_counter() - t0, value))
    out.put(("done",))


def naive_order(net: Net, full: bool, per_layer: int) -> list[ParamKey]:
    """Parameters to time: all, or ``per_layer`` evenly spread ones per layer,
    last layer first (cheapest first, so a time budget still covers most layers)."""
    order: list[ParamKey] = []
    for layer in range(len(net.weights), 0, -1):
        keys = net.layer_params(layer)
        if not full:
            step = len(keys) / per_layer
            keys = [keys[int(step * k + step / 2)] for k in range(per_layer)]
        order += [(layer, kind, j, i) for kind, j, i in keys]
    return order


@dataclass
class NaiveResult:
    seconds: float | None = None  # diff + evaluate over every parameter (or estimate)
    kind: str = "n/a"  # "measured", "estimated", "lower bound", "n/a"
    build: float | None = None
    timed: int = 0
    note: str = ""
    grads: dict[ParamKey, float] = field(default_factory=dict)

    def text(self) -> str:
        if self.seconds is None:
            return "n/a"
        if self.kind == "measured":
            return fmt_s(self.seconds)
        if self.kind == "estimated":
            return f"≈{fmt_s(self.seconds)} (est.)"
        return f"≥{fmt_s(self.seconds)} (lower bound)"


def collect_naive(
    proc: Any, out: Any, deadline: float
) -> tuple[float | None, dict[ParamKey, float], dict[ParamKey, float], float | None, bool]:
    """Read the worker's messages until done or the deadline.
    Returns build time, per-parameter times, gradients, time spent on the unfinished
    parameter (if cut off) and whether it finished."""
    build: float | None = None
    times: dict[ParamKey, float] = {}
    grads: dict[ParamKey, float] = {}
    last = time.perf_counter()
    while True:
        remaining = deadline - time.perf_counter()
        try:
            msg = out.get(timeout=max(remaining, 0.01))
        except queue.Empty:
            if remaining > 0 and proc.is_alive():
                continue
            return build, times, grads, time.perf_counter() - last, False
        last = time.perf_counter()
        if msg[0] == "built":
            build = msg[1]
        elif msg[0] == "param":
            times[msg[1]] = msg[2]
            grads[msg[1]] = msg[3]
        else:
            return build, times, grads, None, True


def estimate_naive(
    net: Net, times: dict[ParamKey, float], cut: float | None, order: list[ParamKey]
) -> tuple[float, bool]:
    """Sum over layers of (parameters in layer) x (mean timed cost in layer).
    Layers not reached get a lower bound: the time spent on the cut-off parameter
    (deeper layers cost at least as much as the layers after them)."""
    total, bound = 0.0, False
    floor = 0.0
    for layer in sorted({k[0] for k in order}, reverse=True):
        costs = [t for k, t in times.items() if k[0] == layer]
        count = len(net.layer_params(layer))
        if costs:
            mean = statistics.fmean(costs)
            floor = max(floor, mean)
        else:
            mean = max(floor, cut or 0.0)
            floor, bound = mean, True
        total += count * mean
    return total, bound


def run_naive(net: Net, full: bool, per_layer: int, budget: float) -> NaiveResult:
    order = naive_order(net, full, per_layer)
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=naive_worker, args=(net, order, out), daemon=True)
    proc.start()
    try:
        build, times, grads, cut, finished = collect_naive(proc, out, time.perf_counter() + budget)
    finally:
        if proc.is_alive():
            proc.terminate()
        proc.join()
    if build is None:
        return NaiveResult(note=f"building the loss took over {budget:.0f} s")
    result = NaiveResult(build=build, timed=len(times), grads=grads)
    if full and finished:
        result.seconds, result.kind = sum(times.values()), "measured"
        return result
    result.seconds, bound = estimate_naive(net, times, cut, order)
    result.kind = "lower bound" if bound else "estimated"
    result.note = f"{len(times)} of {net.params} parameters timed"
    if not finished:
        result.note += f", cut off at the {budget:.0f} s budget"
    return result


@dataclass
class TorchResult:
    seconds: float | None = None
    note: str = ""
    grads: dict[ParamKey, float] = field(default_factory=dict)
    loss: float | None = None


def run_torch(net: Net, runs: int) -> TorchResult:
    try:
        import torch
    except ImportError as exc:
        return TorchResult(note=f"torch not importable: {exc}")
    f64 = torch.float64
    x = torch.tensor(net.inputs, dtype=f64)
    t = torch.tensor(net.targets, dtype=f64)
    ws = [torch.tensor(w, dtype=f64, requires_grad=True) for w in net.weights]
    bs = [torch.tensor(b, dtype=f64, requires_grad=True) for b in net.biases]

    def step() -> Any:
        for p in ws + bs:
            p.grad = None
        a = x
        for w, b in zip(ws, bs):
            a = torch.sigmoid(w @ a + b)
        loss = 0.5 * ((t - a) ** 2).sum()
        loss.backward()
        return loss

    for _ in range(5):
        step()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        loss = step()
        samples.append(time.perf_counter() - start)
    grads: dict[ParamKey, float] = {}
    for layer, (w, b) in enumerate(zip(ws, bs), start=1):
        for (j, i), g in zip(((j, i) for j in range(w.shape[0]) for i in range(w.shape[1])), w.grad.flatten().tolist()):
            grads[(layer, "W", j, i)] = g
        for j, g in enumerate(b.grad.tolist()):
            grads[(layer, "b", j, 0)] = g
    return TorchResult(statistics.median(samples), f"median of {runs}", grads, loss.item())


def max_grad_diff(a: dict[ParamKey, float], b: dict[ParamKey, float]) -> float | None:
    common = a.keys() & b.keys()
    return max(abs(a[k] - b[k]) for k in common) if common else None


def canonical(key: ParamKey) -> str:
    layer, kind, j, i = key
    return f"W{layer}[{j + 1},{i + 1}]" if kind == "W" else f"b{layer}[{j + 1}]"


def solve_check(solgen: str, spec: Path, torch_grads: dict[ParamKey, float]) -> str:
    """Compare `solgen solve` gradients with torch's (untimed)."""
    if not torch_grads:
        return "n/a (no torch gradients)"
    proc = run([solgen, "solve", str(spec)])
    if proc.returncode != 0:
        return f"n/a (solgen solve: {last_line(proc.stderr or proc.stdout)})"
    try:
        grads = json.loads(proc.stdout)["steps"][0]["gradients"]
    except (ValueError, KeyError, IndexError, TypeError):
        return "n/a (unexpected JSON)"
    missing = [canonical(k) for k in torch_grads if canonical(k) not in grads]
    if missing:
        return f"{len(missing)} parameters missing from the JSON, e.g. {missing[0]}"
    diff = max(abs(float(grads[canonical(k)]) - g) for k, g in torch_grads.items())
    return f"max |solgen - torch| over {len(torch_grads)} gradients = {diff:.2e}"

