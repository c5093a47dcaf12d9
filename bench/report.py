"""The report: the results tables, the targets of issues 6 and 16 (met or not), the machine, RESULTS.md."""

from __future__ import annotations

import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from fmt import fmt_mib, fmt_ratio, fmt_s, fmt_timing, md_table, ratio
from measure import CHAIN_SIZES, PARSE_NODES, Report
from problems import BATCH_SIZE, SEED
from targets import targets, targets16
from timers import BASIS

REPO = Path(__file__).resolve().parent.parent


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
        f"- load during the run: {report.load_during}",
        f"- OS: {platform.platform()}",
        f"- python: {platform.python_version()} ({sys.executable})",
        f"- packages: {pkgs}",
        f"- `solgen --version`: {report.solgen_version}; module: {report.solgen_module}",
        f"- latexmk: {tool_version(['latexmk', '-v'])}; pdflatex: {tool_version(['pdflatex', '--version'])}",
        f"- git commit: {git_commit()}",
    ]


def fixed_table(report: Report) -> str:
    bare = report.fixed["python -c pass"].median
    rows = [[f"`{name}`", fmt_timing(t), fmt_ratio(ratio(t.median, bare))] for name, t in report.fixed.items()]
    return md_table(["command (cold process)", "time", "÷ python -c pass"], rows)


def extra_table(report: Report) -> str:
    key = report.sizes[2]
    pdf_t = report.pdf.median if report.pdf else None
    rows = [
        ["one seed spec (contract example, 10 parameters), md+tex", fmt_timing(report.single)],
        [f"batch of {BATCH_SIZE} seed specs, one `solgen render DIR -j 1`", fmt_timing(report.batch)],
        [
            f"pdf of the {key.net.params:,}-parameter key (`--format pdf`)",
            fmt_timing(report.pdf) if report.pdf else report.pdf_note or "n/a",
        ],
        ["pdf beyond its md+tex render", fmt_s(pdf_t - key.render.median) if pdf_t and key.render.median else "n/a"],
    ]
    return md_table(["case", "time"], rows)


def basis_line(report: Report) -> str:
    if BASIS["value"] == "cpu":
        return ("Judged on **CPU time** (user + system of each solgen process and its children, medians): "
                f"the machine was overloaded by other work during the run ({report.load_during}), so wall "
                "clock measured the queue for the CPUs more than solgen; the tables give both. (The naive "
                "sympy and PyTorch figures are wall clock inside their own process.)")
    return "Judged on wall-clock medians (the tables also give the CPU time of each process)."


def wave2_table(report: Report) -> str:
    w = report.wave2
    big = report.sizes[-1]
    rows = [[f"`solgen solve` of the {big.net.params:,}-parameter MLP (JSON only)", fmt_timing(w.solve_big)]]
    for n in CHAIN_SIZES:
        rows.append([f"[graph] chain of {n:,} nodes, md+tex", fmt_timing(w.chains.get(n))])
    for n in CHAIN_SIZES:
        rows.append([f"{n:,} one-unit sigmoid layers, md+tex", fmt_timing(w.units.get(n))])
    rows += [
        [f"parse a {PARSE_NODES:,}-node [graph] (in one process, imports excluded)", fmt_timing(w.parse)],
        [f'the {big.net.params:,}-parameter MLP with chain = "paths" (refused, exit 2)', fmt_timing(w.paths_refusal)],
        [f"batch of {w.big_batch_size:,} seed specs, one `solgen render DIR -j 2`, md+tex", fmt_timing(w.big_batch)],
    ]
    rows += [[f"peak memory, batch of {n:,} seed specs", fmt_mib(kib)] for n, kib in w.peak_batch.items()]
    rows += [
        ["300 files of 12 kB by `solgen.write.write_all` (temp + rename, one sync)", fmt_timing(w.writes)],
        ["the same 300 files written plainly (open, write, close)", fmt_timing(w.plain_writes)],
        [f"the {report.sizes[2].net.params:,}-parameter key as .tex only", fmt_timing(w.tex_only)],
        ["one direct pdflatex pass of that .tex (solgen's flags)", fmt_timing(w.pdflatex_pass)],
        [f"{w.pdf_batch_size} seed keys with md, tex and pdf, one `solgen render DIR -j 2`", fmt_timing(w.pdf_batch)],
    ]
    return md_table(["case (issue 16)", "time"], rows)


def notes(report: Report) -> list[str]:
    methods = sorted({r.eq_method for r in report.sizes if r.eq_method})
    s = report.settings
    return [
        "- All times are wall clock of cold processes started from this script "
        "(`subprocess.run`, output captured, a fresh output folder per run), medians; "
        "each command is run once untimed first to warm the file cache. Every process runs "
        "with Python's bytecode cache on, in a private folder (`PYTHONPYCACHEPREFIX`; "
        "`PYTHONDONTWRITEBYTECODE` unset), as an installed package runs from its compiled files.",
        "- Issue 16 cases: the [graph] chains are `n_k = p_k * n_(k-1)` (p_k alternately 2 and 0.5), "
        "the one-unit networks `a = sigmoid(4 a' - 2)`; the parse time is `load_spec` timed inside "
        "its process; the write figures are `write_all` against plain writes of the same files in "
        "one process; the PDF pass is `pdflatex` run directly on the key's .tex with solgen's flags; "
        "the batch of 100 (against one spec) and the peak memory of the batches run with `-j 1` (one "
        "process), the 1,000-spec batch and the PDF batch with `-j 2`, one run each; the PDF batch is "
        "the 600 keys themselves in a full run (a quick run extrapolates from a few, and says so). "
        "CPU time counts the workers too (user + system of the process and its children).",
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
        "# solgen benchmark (issues 6 and 16)",
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
        "## Issue 16 cases",
        "",
        wave2_table(report),
        "",
        "## Targets (issue 6)",
        "",
        basis_line(report),
        "",
    ]
    for t in targets(report):
        mark = "met" if t.met else "NOT met"
        parts.append(f"- **{mark}**: {t.text}: {t.figures}")
    parts += ["", "## Targets (issue 16)", ""]
    for t in targets16(report):
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
    for t in targets(report) + targets16(report):
        print(f"[{'met' if t.met else 'NOT met'}] {t.text}: {t.figures}")
    print(f"load: {report.load_during}; judged on {BASIS['value']}")
    for c in report.checks:
        print(f"check: {c}")


