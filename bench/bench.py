#!/usr/bin/env python3
"""Benchmark for issue 6: solgen against the import floor, naive sympy and PyTorch.

Run from the repository root::

    python bench/bench.py            # full run, writes bench/RESULTS.md (~5-10 min)
    python bench/bench.py --quick    # smoke run, prints only (add --out to write)

Everything is measured in one run on one machine: cold ``solgen`` processes
(median of several), the interpreter and import floor, the naive approach
(``sympy.diff`` of the whole loss for every parameter, then evaluation) and
PyTorch float64 autograd on the same generated sigmoid MLPs.  A missing
``solgen`` (or torch, or latexmk) is reported and the rest still runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import multiprocessing as mp
import os
import platform
import queue
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
SEED = 6  # issue 6

# (label, layer sizes: inputs first).  Parameter counts are printed and computed.
SIZES: list[tuple[str, tuple[int, ...]]] = [
    ("~10", (2, 2, 2)),
    ("~130", (4, 8, 8, 2)),
    ("~1,000", (8, 16, 24, 16, 4)),
    ("~5,000", (16, 40, 48, 40, 8)),
]

# The contract's two-layer sigmoid example (10 parameters): the batch's seed spec.
SEED_SPEC = """\
title = "Two-layer sigmoid network"
description = "Inputs 0.05 and 0.10, targets 0.01 and 0.99, learning rate 0.5."

[network]
inputs  = [0.05, 0.10]
targets = [0.01, 0.99]
loss = "half_squared_error"
learning_rate = 0.5

[[network.layer]]
units = 2
activation = "sigmoid"
weights = [[0.15, 0.20], [0.25, 0.30]]
bias = 0.35

[[network.layer]]
units = 2
activation = "sigmoid"
weights = [[0.40, 0.45], [0.50, 0.55]]
bias = 0.60
"""
BATCH_SIZE = 100


# --------------------------------------------------------------------------- #
# Settings
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Settings:
    quick: bool
    out: Path | None
    solgen: str | None
    keep: bool
    naive_budget: float  # seconds per sampled (estimated) size
    fixed_runs: int
    torch_runs: int
    batch_runs: int
    pdf_runs: int

    def render_runs(self, params: int) -> int:
        if self.quick:
            return 3 if params <= 200 else 1
        if params <= 200:
            return 7
        return 5 if params <= 2000 else 3

    def naive_plan(self, params: int) -> tuple[bool, int]:
        """(measure every parameter?, parameters sampled per layer otherwise)."""
        if params <= 20:
            return True, 0
        if params <= 200:
            return (not self.quick), 2
        return False, 1 if self.quick else 2


def make_settings(args: argparse.Namespace) -> Settings:
    out = args.out
    if out is None and not args.quick:
        out = BENCH_DIR / "RESULTS.md"
    budget = args.naive_budget
    if budget is None:
        budget = 15.0 if args.quick else 120.0
    return Settings(
        quick=args.quick,
        out=out,
        solgen=args.solgen or shutil.which("solgen"),
        keep=args.keep,
        naive_budget=budget,
        fixed_runs=3 if args.quick else 7,
        torch_runs=20 if args.quick else 200,
        batch_runs=1 if args.quick else 3,
        pdf_runs=1 if args.quick else 3,
    )


# --------------------------------------------------------------------------- #
# Networks and specs
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Net:
    label: str
    sizes: tuple[int, ...]
    inputs: list[float]
    targets: list[float]
    weights: list[list[list[float]]]  # per layer, out_in: weights[j][i]
    biases: list[list[float]]  # per layer, one per unit

    @property
    def params(self) -> int:
        return sum(len(w) * len(w[0]) + len(b) for w, b in zip(self.weights, self.biases))

    @property
    def arch(self) -> str:
        return "-".join(str(s) for s in self.sizes)

    def layer_params(self, layer: int) -> list[tuple[str, int, int]]:
        """Parameters of layer ``layer`` (1-based) as (kind, row, col), 0-based."""
        w = self.weights[layer - 1]
        keys = [("W", j, i) for j in range(len(w)) for i in range(len(w[0]))]
        return keys + [("b", j, 0) for j in range(len(w))]


def two_decimals(rng: random.Random, lo: float, hi: float) -> float:
    value = round(rng.uniform(lo, hi), 2)
    return 0.0 if value == 0 else value


def make_net(label: str, sizes: tuple[int, ...], seed: int) -> Net:
    rng = random.Random(seed)
    inputs = [two_decimals(rng, 0.01, 0.99) for _ in range(sizes[0])]
    weights: list[list[list[float]]] = []
    biases: list[list[float]] = []
    for prev, units in zip(sizes, sizes[1:]):
        weights.append([[two_decimals(rng, -1, 1) for _ in range(prev)] for _ in range(units)])
        biases.append([two_decimals(rng, -1, 1) for _ in range(units)])
    targets = [two_decimals(rng, 0.01, 0.99) for _ in range(sizes[-1])]
    return Net(label, sizes, inputs, targets, weights, biases)


def toml_list(values: list[float]) -> str:
    return "[" + ", ".join(f"{v:.2f}" for v in values) + "]"


def spec_text(net: Net) -> str:
    lines = [
        f'title = "Sigmoid MLP {net.arch} ({net.params} parameters)"',
        f'description = "Generated by bench/bench.py with random.Random({SEED}), weights with 2 decimals."',
        "",
        "[network]",
        f"inputs = {toml_list(net.inputs)}",
        f"targets = {toml_list(net.targets)}",
        'loss = "half_squared_error"',
        "learning_rate = 0.5",
    ]
    for w, b in zip(net.weights, net.biases):
        rows = ",\n".join(f"  {toml_list(row)}" for row in w)
        lines += [
            "",
            "[[network.layer]]",
            f"units = {len(w)}",
            'activation = "sigmoid"',
            f"weights = [\n{rows},\n]",
            f"bias = {toml_list(b)}",
        ]
    return "\n".join(lines) + "\n"


def write_spec(folder: Path, stem: str, text: str) -> Path:
    path = folder / f"{stem}.toml"
    path.write_text(text, encoding="utf-8")
    tomllib.loads(text)  # the generator must produce valid TOML
    return path


def write_batch(folder: Path) -> tuple[Path, Path]:
    """100 copies of the seed spec in one folder, and one copy alone."""
    batch = folder / "batch"
    batch.mkdir()
    for k in range(BATCH_SIZE):
        write_spec(batch, f"seed_{k:03d}", SEED_SPEC)
    single = folder / "single"
    single.mkdir()
    return batch, write_spec(single, "seed", SEED_SPEC)


# --------------------------------------------------------------------------- #
# Timing cold processes
# --------------------------------------------------------------------------- #


@dataclass
class Timing:
    runs: list[float] = field(default_factory=list)
    error: str | None = None
    last_out: Path | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.runs)

    @property
    def median(self) -> float | None:
        return statistics.median(self.runs) if self.ok else None


def last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1][:200] if lines else "(no output)"


def time_cmd(make_cmd: Callable[[Path], list[str]], runs: int, scratch: Path) -> Timing:
    """Median-able wall times of ``runs`` fresh processes, each with a fresh output dir."""
    timing = Timing()
    for _ in range(runs):
        out = Path(tempfile.mkdtemp(dir=scratch, prefix="out-"))
        cmd = make_cmd(out)
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            timing.error = f"exit {proc.returncode}: {last_line(proc.stderr or proc.stdout)}"
            return timing
        timing.runs.append(elapsed)
        timing.last_out = out
    return timing


def py_cmd(code: str) -> Callable[[Path], list[str]]:
    return lambda _out: [sys.executable, "-c", code]


def fixed_cmd(cmd: list[str]) -> Callable[[Path], list[str]]:
    return lambda _out: cmd


def render_cmd(solgen: str, target: Path, fmt: str, extra: tuple[str, ...] = ()) -> Callable[[Path], list[str]]:
    return lambda out: [solgen, "render", str(target), "-o", str(out), "--format", fmt, *extra]


# --------------------------------------------------------------------------- #
# Counting equations
# --------------------------------------------------------------------------- #

MATH_RE = re.compile(
    r"(?<!\\)\$\$(.+?)(?<!\\)\$\$"
    r"|\\\[(.+?)\\\]"
    r"|\\begin\{(align\*?|aligned|equation\*?|gather\*?|multline\*?)\}(.+?)\\end\{\3\}"
    r"|(?<!\\)\$(.+?)(?<!\\)\$",
    re.S,
)
FENCE_RE = re.compile(r"^```.*?^```", re.S | re.M)
ROW_RE = re.compile(r"\\\\|\n")


def count_math_equations(text: str) -> int:
    """Rows (split at newlines and ``\\\\``) holding '=' inside display math,
    plus inline ``$...$`` spans holding '='."""
    text = FENCE_RE.sub("", text)
    count = 0
    for m in MATH_RE.finditer(text):
        display = m.group(1) or m.group(2) or m.group(4)
        if display is not None:
            count += sum(1 for row in ROW_RE.split(display) if "=" in row)
        elif "=" in (m.group(5) or ""):
            count += 1
    return count


def find_int_key(data: Any, names: tuple[str, ...]) -> int | None:
    if isinstance(data, dict):
        for key, value in data.items():
            if key in names and isinstance(value, int) and not isinstance(value, bool):
                return value
        for value in data.values():
            found = find_int_key(value, names)
            if found is not None:
                return found
    elif isinstance(data, list):
        for value in data:
            found = find_int_key(value, names)
            if found is not None:
                return found
    return None


def json_equation_count(solgen: str, spec: Path, scratch: Path) -> int | None:
    out = Path(tempfile.mkdtemp(dir=scratch, prefix="json-"))
    cmd = [solgen, "render", str(spec), "-o", str(out), "--format", "json"]
    if subprocess.run(cmd, capture_output=True, text=True).returncode != 0:
        return None
    path = out / f"{spec.stem}.json"
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None
    return find_int_key(data, ("equations", "equation_count", "n_equations"))


def count_equations(solgen: str, spec: Path, out: Path | None, scratch: Path) -> tuple[int | None, str]:
    from_json = json_equation_count(solgen, spec, scratch)
    if from_json is not None:
        return from_json, "the 'equations' count in solgen's JSON render"
    if out is None:
        return None, "no output"
    md = out / f"{spec.stem}.md"
    if md.exists():
        n = count_math_equations(md.read_text(encoding="utf-8"))
        if n:
            return n, "rows containing '=' inside math in the .md"
    tex = out / f"{spec.stem}.tex"
    if tex.exists():
        return count_math_equations(tex.read_text(encoding="utf-8")), ("rows containing '=' inside math in the .tex")
    return None, "no .md or .tex produced"


# --------------------------------------------------------------------------- #
# Peak memory
# --------------------------------------------------------------------------- #

RUSAGE_WRAPPER = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.run(sys.argv[1:], capture_output=True).returncode\n"
    "print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def peak_memory_kib(cmd: list[str]) -> tuple[int | None, str]:
    """Peak resident set size of one run of ``cmd`` in KiB, and how it was measured."""
    gnu_time = Path("/usr/bin/time")
    if gnu_time.exists():
        proc = subprocess.run([str(gnu_time), "-v", *cmd], capture_output=True, text=True)
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
        if proc.returncode == 0 and m:
            return int(m.group(1)), "/usr/bin/time -v"
    proc = subprocess.run([sys.executable, "-c", RUSAGE_WRAPPER, *cmd], capture_output=True, text=True)
    parts = proc.stdout.split()
    if len(parts) == 2 and parts[0] == "0":
        return int(parts[1]), "getrusage(RUSAGE_CHILDREN).ru_maxrss"
    return None, "failed"


# --------------------------------------------------------------------------- #
# The naive approach: sympy.diff of the whole loss for every parameter
# --------------------------------------------------------------------------- #

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


# --------------------------------------------------------------------------- #
# PyTorch autograd
# --------------------------------------------------------------------------- #


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
    proc = subprocess.run([solgen, "solve", str(spec)], capture_output=True, text=True)
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


# --------------------------------------------------------------------------- #
# The solgen side
# --------------------------------------------------------------------------- #


@dataclass
class SizeResult:
    net: Net
    spec: Path
    render: Timing = field(default_factory=Timing)
    no_verify: Timing | None = None
    equations: int | None = None
    eq_method: str = ""
    naive: NaiveResult = field(default_factory=NaiveResult)
    torch: TorchResult = field(default_factory=TorchResult)


@dataclass
class Report:
    settings: Settings
    solgen_note: str = ""
    solgen_version: str = "n/a"
    has_no_verify: bool = False
    fixed: dict[str, Timing] = field(default_factory=dict)
    sizes: list[SizeResult] = field(default_factory=list)
    batch: Timing = field(default_factory=Timing)
    single: Timing = field(default_factory=Timing)
    pdf: Timing | None = None
    pdf_note: str = ""
    peak_kib: int | None = None
    peak_floor_kib: int | None = None
    peak_method: str = ""
    checks: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    load: str = "unknown"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def check_solgen(report: Report) -> str | None:
    exe = report.settings.solgen
    if exe is None or shutil.which(exe) is None:
        report.solgen_note = f"solgen is not installed ({exe or 'no `solgen` on PATH'}): solgen figures are n/a"
        return None
    proc = subprocess.run([exe, "--version"], capture_output=True, text=True)
    if proc.returncode == 0:
        report.solgen_version = last_line(proc.stdout or proc.stderr)
    helptext = subprocess.run([exe, "render", "--help"], capture_output=True, text=True)
    report.has_no_verify = "--no-verify" in helptext.stdout
    report.solgen_note = f"solgen: {exe}"
    interp = solgen_interpreter(exe)
    if interp and Path(interp).resolve() != Path(sys.executable).resolve():
        report.solgen_note += f" (runs {interp}; baselines use {sys.executable})"
    return exe


def solgen_interpreter(exe: str) -> str | None:
    try:
        with open(exe, "rb") as fh:
            head = fh.readline().decode("utf-8", "replace").strip()
    except OSError:
        return None
    return head[2:].strip() if head.startswith("#!") else None


def measure_fixed(report: Report, solgen: str | None, scratch: Path) -> None:
    runs = report.settings.fixed_runs
    cmds: dict[str, Callable[[Path], list[str]]] = {
        "python -c pass": py_cmd("pass"),
        "import sympy, jinja2, click": py_cmd("import sympy, jinja2, click"),
    }
    if solgen:
        cmds["solgen --help"] = fixed_cmd([solgen, "--help"])
        cmds["solgen --version"] = fixed_cmd([solgen, "--version"])
    cmds["import torch (info)"] = py_cmd("import torch")
    for name, cmd in cmds.items():
        time_cmd(cmd, 1, scratch)  # warm the file cache and .pyc files
        report.fixed[name] = time_cmd(cmd, runs, scratch)
        log(f"  {name}: {fmt_timing(report.fixed[name])}")


def measure_render(report: Report, res: SizeResult, solgen: str, scratch: Path) -> None:
    runs = report.settings.render_runs(res.net.params)
    res.render = time_cmd(render_cmd(solgen, res.spec, "md,tex"), runs, scratch)
    log(f"  render {res.net.arch}: {fmt_timing(res.render)}")
    if report.has_no_verify and res.render.ok:
        cmd = render_cmd(solgen, res.spec, "md,tex", ("--no-verify",))
        res.no_verify = time_cmd(cmd, runs, scratch)
        log(f"  render --no-verify {res.net.arch}: {fmt_timing(res.no_verify)}")
    if res.render.ok:
        res.equations, res.eq_method = count_equations(solgen, res.spec, res.render.last_out, scratch)


def measure_batch(report: Report, solgen: str, scratch: Path) -> None:
    batch_dir, single = write_batch(scratch)
    runs = report.settings.batch_runs
    report.single = time_cmd(render_cmd(solgen, single, "md,tex"), runs, scratch)
    report.batch = time_cmd(render_cmd(solgen, batch_dir, "md,tex"), runs, scratch)
    if report.batch.ok and report.batch.last_out is not None:
        written = len(list(report.batch.last_out.glob("*.md")))
        if written != BATCH_SIZE:
            report.batch.error = f"wrote {written} .md files, expected {BATCH_SIZE}"
    log(f"  one seed spec: {fmt_timing(report.single)}; batch of {BATCH_SIZE}: {fmt_timing(report.batch)}")


def measure_pdf(report: Report, res: SizeResult, solgen: str, scratch: Path) -> None:
    if shutil.which("latexmk") is None:
        report.pdf_note = "n/a: latexmk not found"
        return
    timing = time_cmd(render_cmd(solgen, res.spec, "pdf"), report.settings.pdf_runs, scratch)
    if timing.ok and timing.last_out is not None:
        if not (timing.last_out / f"{res.spec.stem}.pdf").exists():
            timing.error = "no .pdf written"
    if not timing.ok:
        report.pdf_note = f"n/a: `solgen render --format pdf` failed ({timing.error})"
        return
    report.pdf = timing
    log(f"  pdf {res.net.arch}: {fmt_timing(timing)}")


def measure_peak(report: Report, res: SizeResult, solgen: str, scratch: Path) -> None:
    out = Path(tempfile.mkdtemp(dir=scratch, prefix="peak-"))
    cmd = [solgen, "render", str(res.spec), "-o", str(out), "--format", "md,tex"]
    report.peak_kib, report.peak_method = peak_memory_kib(cmd)
    report.peak_floor_kib, _ = peak_memory_kib([sys.executable, "-c", "import sympy, jinja2, click"])


# --------------------------------------------------------------------------- #
# Orchestration
# --------------------------------------------------------------------------- #


def run(settings: Settings, scratch: Path) -> Report:
    began = time.perf_counter()
    report = Report(settings)
    if hasattr(os, "getloadavg"):
        report.load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    solgen = check_solgen(report)
    log(report.solgen_note)
    nets = [make_net(label, sizes, SEED) for label, sizes in SIZES]
    for net in nets:
        log(f"{net.label}: {net.arch} = {net.params} parameters")
    report.sizes = [SizeResult(net, write_spec(scratch, f"mlp_{net.arch}", spec_text(net))) for net in nets]
    log("fixed costs (cold processes):")
    measure_fixed(report, solgen, scratch)
    if not solgen:
        report.pdf_note = "n/a: solgen not installed"
    else:
        log("solgen renders:")
        time_cmd(render_cmd(solgen, report.sizes[0].spec, "md,tex"), 1, scratch)  # warm-up
        for res in report.sizes:
            measure_render(report, res, solgen, scratch)
        measure_batch(report, solgen, scratch)
        key = report.sizes[2]
        measure_pdf(report, key, solgen, scratch)
        measure_peak(report, report.sizes[-1], solgen, scratch)
    log("naive sympy (whole loss, sympy.diff per parameter):")
    for res in report.sizes:
        full, per_layer = settings.naive_plan(res.net.params)
        budget = 900.0 if full else settings.naive_budget
        res.naive = run_naive(res.net, full, per_layer, budget)
        log(f"  {res.net.arch}: {res.naive.text()} {res.naive.note}")
    log("torch float64 autograd:")
    for res in report.sizes:
        res.torch = run_torch(res.net, settings.torch_runs)
        log(f"  {res.net.arch}: {fmt_s(res.torch.seconds)} {res.torch.note}")
    cross_checks(report, solgen)
    report.elapsed = time.perf_counter() - began
    return report


def cross_checks(report: Report, solgen: str | None) -> None:
    for res in report.sizes:
        diff = max_grad_diff(res.naive.grads, res.torch.grads)
        if diff is not None:
            report.checks.append(
                f"{res.net.arch}: naive sympy vs torch over {len(res.naive.grads)} gradients, max difference {diff:.2e}"
            )
    if solgen:
        res = report.sizes[1]
        report.checks.append(
            f"{res.net.arch}: `solgen solve` vs torch: {solve_check(solgen, res.spec, res.torch.grads)}"
        )


# --------------------------------------------------------------------------- #
# Formatting
# --------------------------------------------------------------------------- #


def fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    if seconds < 10:
        return f"{seconds:.3f} s"
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:,.0f} s"


def fmt_timing(t: Timing | None) -> str:
    if t is None:
        return "n/a"
    if not t.ok:
        return f"n/a ({t.error})" if t.error else "n/a"
    return f"{fmt_s(t.median)} (median of {len(t.runs)})"


def fmt_ratio(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{x:.2f}×" if x < 10 else f"{x:,.0f}×"


def fmt_mib(kib: int | None) -> str:
    return "n/a" if kib is None else f"{kib / 1024:.0f} MiB"


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def size_rows(report: Report) -> tuple[list[str], list[list[str]]]:
    floor = report.fixed["import sympy, jinja2, click"].median
    header = ["size", "layers", "parameters", "equations", "solgen md+tex", "equations/s"]
    if report.has_no_verify:
        header.append("--no-verify")
    header += ["naive sympy", "naive ÷ solgen", "solgen ÷ import floor", "torch fwd+bwd", "peak memory"]
    rows = []
    for k, res in enumerate(report.sizes):
        t = res.render.median
        eq = res.equations
        row = [
            res.net.label,
            res.net.arch,
            f"{res.net.params:,}",
            "n/a" if eq is None else f"{eq:,}",
            fmt_timing(res.render),
            "n/a" if t is None or eq is None else f"{eq / t:,.0f}",
        ]
        if report.has_no_verify:
            row.append(fmt_timing(res.no_verify))
        naive_ratio = ratio(res.naive.seconds, t)
        naive_txt = fmt_ratio(naive_ratio)
        if naive_ratio is not None and res.naive.kind != "measured":
            naive_txt = ("≥" if res.naive.kind == "lower bound" else "≈") + naive_txt
        row += [
            res.naive.text(),
            naive_txt,
            fmt_ratio(ratio(t, floor)),
            fmt_s(res.torch.seconds),
            fmt_mib(report.peak_kib) if k == len(report.sizes) - 1 else "—",
        ]
        rows.append(row)
    return header, rows


def growth_exponent(report: Report) -> float | None:
    a, b = report.sizes[2], report.sizes[3]
    ta, tb = a.render.median, b.render.median
    if ta is None or tb is None:
        return None
    return math.log(tb / ta) / math.log(b.net.params / a.net.params)


@dataclass(frozen=True)
class Target:
    text: str
    met: bool
    figures: str


def target(text: str, met: bool | None, figures: str) -> Target:
    if met is None:
        return Target(text, False, f"not measured ({figures})")
    return Target(text, met, figures)


def targets(report: Report) -> list[Target]:
    fx = report.fixed
    floor = fx["import sympy, jinja2, click"].median
    bare = fx["python -c pass"].median
    seed, small, key, big = report.sizes
    out = []
    t = seed.render.median
    r = ratio(t, floor)
    out.append(
        target(
            f"seed-size spec ({seed.net.params} parameters) cold render md+tex within 1.5× of "
            "`import sympy, jinja2, click`",
            None if r is None else r <= 1.5,
            f"{fmt_s(t)} vs {fmt_s(floor)}: {fmt_ratio(r)}",
        )
    )
    for name in ("solgen --help", "solgen --version"):
        tm = fx.get(name, Timing(error="solgen not installed"))
        r = ratio(tm.median, bare)
        out.append(
            target(
                f"`{name}` within 2× of `python -c pass`",
                None if r is None else r <= 2,
                f"{fmt_s(tm.median)} vs {fmt_s(bare)}: {fmt_ratio(r)}" if r else str(tm.error),
            )
        )
    for res, limit in ((key, 1.0), (big, 3.0)):
        tm = res.render.median
        out.append(
            target(
                f"{res.net.label} parameters ({res.net.params:,}) render md+tex under {limit:g} s",
                None if tm is None else tm < limit,
                fmt_timing(res.render),
            )
        )
    g = growth_exponent(report)
    out.append(
        target(
            f"growth exponent ≤ 1.1 between {key.net.params:,} and {big.net.params:,} parameters",
            None if g is None else g <= 1.1,
            "n/a" if g is None else f"log(t2/t1)/log(p2/p1) = {g:.3f}",
        )
    )
    r = ratio(small.naive.seconds, small.render.median)
    exact = small.naive.kind == "measured"
    out.append(
        target(
            f"≥25× faster than the naive approach at {small.net.params} parameters",
            None if r is None else (r >= 25 if exact else False if r < 25 else None),
            f"naive {small.naive.text()} vs solgen {fmt_s(small.render.median)}: {fmt_ratio(r)}"
            + ("" if exact or r is None else "; naive only estimated in this run"),
        )
    )
    pdf_t = report.pdf.median if report.pdf else None
    extra = None if pdf_t is None or key.render.median is None else pdf_t - key.render.median
    out.append(
        target(
            f"PDF of the {key.net.params:,}-parameter key within 2 s beyond its render",
            None if extra is None else extra <= 2,
            report.pdf_note
            if extra is None
            else f"pdf {fmt_s(pdf_t)} - md+tex {fmt_s(key.render.median)} = {fmt_s(extra)}",
        )
    )
    r = ratio(report.batch.median, report.single.median)
    out.append(
        target(
            f"batch of {BATCH_SIZE} seed-sized specs in one process within 5× of one",
            None if r is None else r <= 5,
            f"{fmt_timing(report.batch)} vs {fmt_timing(report.single)}: {fmt_ratio(r)}",
        )
    )
    out.append(
        target(
            "peak memory reported for the largest case",
            None if report.peak_kib is None else True,
            f"{fmt_mib(report.peak_kib)} ({big.net.params:,} parameters; "
            f"`import sympy, jinja2, click` alone {fmt_mib(report.peak_floor_kib)}; "
            f"{report.peak_method or 'n/a'})",
        )
    )
    return out


# --------------------------------------------------------------------------- #
# Machine description
# --------------------------------------------------------------------------- #


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def mem_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError):
        pass
    return "unknown"


def pkg_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def tool_version(cmd: list[str]) -> str:
    if shutil.which(cmd[0]) is None:
        return "not found"
    proc = subprocess.run(cmd, capture_output=True, text=True)
    lines = (proc.stdout or proc.stderr).strip().splitlines()
    return next((ln.strip() for ln in lines if ln.strip()), "unknown")


def git_commit() -> str:
    proc = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    if proc.returncode != 0:
        return "uncommitted"
    dirty = subprocess.run(
        ["git", "-C", str(REPO), "status", "--porcelain"], capture_output=True, text=True
    ).stdout.strip()
    return proc.stdout.strip() + (" (plus uncommitted changes)" if dirty else "")


def machine_lines(report: Report) -> list[str]:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    pkgs = ", ".join(f"{p} {pkg_version(p)}" for p in ("solgen", "sympy", "jinja2", "click", "torch"))
    return [
        f"- nproc: {cpus}",
        f"- CPU: {cpu_model()}",
        f"- memory: {mem_total()}",
        f"- load average (1, 5, 15 min) when the run started: {report.load}",
        f"- OS: {platform.platform()}",
        f"- python: {platform.python_version()} ({sys.executable})",
        f"- packages: {pkgs}",
        f"- `solgen --version`: {report.solgen_version}",
        f"- latexmk: {tool_version(['latexmk', '-v'])}; pdflatex: {tool_version(['pdflatex', '--version'])}",
        f"- git commit: {git_commit()}",
    ]


# --------------------------------------------------------------------------- #
# Report
# --------------------------------------------------------------------------- #


def fixed_table(report: Report) -> str:
    bare = report.fixed["python -c pass"].median
    rows = [[f"`{name}`", fmt_timing(t), fmt_ratio(ratio(t.median, bare))] for name, t in report.fixed.items()]
    return md_table(["command (cold process)", "time", "÷ python -c pass"], rows)


def extra_table(report: Report) -> str:
    key = report.sizes[2]
    pdf_t = report.pdf.median if report.pdf else None
    rows = [
        ["one seed spec (contract example, 10 parameters), md+tex", fmt_timing(report.single)],
        [f"batch of {BATCH_SIZE} seed specs, one `solgen render DIR`", fmt_timing(report.batch)],
        [
            f"pdf of the {key.net.params:,}-parameter key (`--format pdf`)",
            fmt_timing(report.pdf) if report.pdf else report.pdf_note or "n/a",
        ],
        ["pdf beyond its md+tex render", fmt_s(pdf_t - key.render.median) if pdf_t and key.render.median else "n/a"],
    ]
    return md_table(["case", "time"], rows)


def notes(report: Report) -> list[str]:
    methods = sorted({r.eq_method for r in report.sizes if r.eq_method})
    s = report.settings
    return [
        "- All times are wall clock of cold processes started from this script "
        "(`subprocess.run`, output captured, a fresh output folder per run), medians; "
        "each command is run once untimed first to warm the file cache.",
        "- Equations: " + ("; ".join(methods) if methods else "not counted (no solgen output)") + ".",
        "- Naive sympy: the whole loss built as one sympy expression of the parameter "
        "symbols (inputs and targets as Floats, sigmoid as 1/(1+exp(-z))), then for each "
        "parameter `sympy.diff(loss, p)` and evaluation by `xreplace` with the parameter "
        "values; the time is diff + evaluation summed over every parameter (import and "
        "loss construction excluded), in a fresh process per size. Where not every "
        "parameter was timed, the total is estimated per layer: parameters in the layer × "
        f"mean time of the ones timed there ({'1' if s.quick else '2'} per layer, last "
        f"layer first, {s.naive_budget:.0f} s budget per size); layers the budget did not "
        "reach get the time already spent on the cut-off parameter, a lower bound "
        "(derivatives deeper in the net cost more).",
        f"- PyTorch: float64 tensors, sigmoid layers, half squared error, forward + "
        f"backward in this process after 5 warm-up steps, median of {s.torch_runs} steps "
        "(import excluded; `import torch` cold is in the fixed-cost table).",
        "- Growth exponent: log(t2/t1)/log(p2/p1) between the two largest nets.",
        "- Specs: sigmoid MLPs with per-unit bias lists, `out_in` weights with 2 decimals "
        f"from `random.Random({SEED})`, half squared error, learning rate 0.5.",
        f"- Whole benchmark took {report.elapsed:.0f} s.",
    ]


def render_report(report: Report) -> str:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    header, rows = size_rows(report)
    parts = [
        "# solgen benchmark (issue 6)",
        "",
        f"Produced by `python bench/bench.py{' --quick' if report.settings.quick else ''}` on {now}.",
    ]
    if report.settings.quick:
        parts += ["", "**Quick smoke run: few repetitions, naive sympy estimated. Not the reference figures.**"]
    parts += [
        "",
        report.solgen_note,
        "",
        "## Machine",
        "",
        *machine_lines(report),
        "",
        "## Results",
        "",
        md_table(header, rows),
        "",
        "## Fixed costs",
        "",
        fixed_table(report),
        "",
        "## Batch and PDF",
        "",
        extra_table(report),
        "",
        "## Targets (issue 6)",
        "",
    ]
    for t in targets(report):
        mark = "met" if t.met else "NOT met"
        parts.append(f"- **{mark}**: {t.text}: {t.figures}")
    parts += ["", "## Cross-checks", ""]
    parts += [f"- {c}" for c in report.checks] or ["- none"]
    parts += ["", "## How measured", "", *notes(report), ""]
    return "\n".join(parts)


def print_summary(report: Report) -> None:
    header, rows = size_rows(report)
    widths = [max(len(h), *(len(r[k]) for r in rows)) for k, h in enumerate(header)]
    print()
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)))
    print()
    for name, t in report.fixed.items():
        print(f"{name:32s} {fmt_timing(t)}")
    print(f"{'one seed spec':32s} {fmt_timing(report.single)}")
    print(f"{'batch of ' + str(BATCH_SIZE):32s} {fmt_timing(report.batch)}")
    pdf_txt = fmt_timing(report.pdf) if report.pdf else report.pdf_note or "n/a"
    print(f"{'pdf (~1,000 key)':32s} {pdf_txt}")
    print()
    for t in targets(report):
        print(f"[{'met' if t.met else 'NOT met'}] {t.text}: {t.figures}")
    for c in report.checks:
        print(f"check: {c}")


# --------------------------------------------------------------------------- #
# Entry point
# --------------------------------------------------------------------------- #


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fast smoke run: fewer repetitions, naive sympy sampled")
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="write the report here (default: bench/RESULTS.md for a full run, nothing for --quick)",
    )
    p.add_argument("--solgen", default=None, help="solgen executable (default: on PATH)")
    p.add_argument(
        "--naive-budget",
        type=float,
        default=None,
        help="seconds for the naive sympy estimate per large size (default 120, 15 with --quick)",
    )
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    settings = make_settings(parse_args(argv))
    scratch = Path(tempfile.mkdtemp(prefix="solgen-bench-"))
    try:
        report = run(settings, scratch)
    finally:
        if settings.keep:
            log(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print_summary(report)
    if settings.out is not None:
        settings.out.write_text(render_report(report), encoding="utf-8")
        log(f"wrote {settings.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
