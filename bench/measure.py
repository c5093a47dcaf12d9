"""What the benchmark measures, and in which order: settings, results, the measuring steps."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from baselines import NaiveResult, TorchResult, max_grad_diff, run_naive, run_torch, solve_check
from equations import count_equations
from fmt import fmt_s, fmt_timing
from problems import (
    BATCH_SIZE,
    SEED,
    SEED_SPEC,
    SIZES,
    Net,
    graph_chain_text,
    make_net,
    one_unit_net_text,
    spec_text,
    write_batch,
    write_spec,
)
from timers import (
    BASIS,
    LoadSampler,
    Timing,
    fixed_cmd,
    in_process,
    last_line,
    peak_memory_kib,
    py_cmd,
    render_cmd,
    run,
    time_cmd,
    time_pair,
    warm_and_time,
)

BENCH_DIR = Path(__file__).resolve().parent
CHAIN_SIZES = (500, 2000)  # [graph] chain nodes and one-unit layers (issue 16: linear from 500 to 2,000)
PARSE_NODES = 20_000
BIG_BATCH = 1000
PDF_BATCH = 600
ONE = ("-j", "1")  # one process: the batch of 100 against one spec (issue 6), peak memory
TWO = ("-j", "2")  # two workers: the 1,000-spec batch and the PDF batch (issue 16)


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

    @property
    def pdf_batch(self) -> int:
        """Seed keys with PDFs timed in one call with -j 2: the 600 of issue 16 in a full run, a
        few in a quick one (the 600-key figure then extrapolated, and labelled so)."""
        return 10 if self.quick else PDF_BATCH

    @property
    def big_batch(self) -> int:
        return 200 if self.quick else BIG_BATCH


def default_solgen() -> str | None:
    """The ``solgen`` beside this interpreter, else the one on PATH (a pyenv shim on PATH runs
    bash and pyenv before every command: time that is not solgen's)."""
    beside = Path(sys.executable).parent / "solgen"
    return str(beside) if beside.exists() else shutil.which("solgen")


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
        solgen=args.solgen or default_solgen(),
        keep=args.keep,
        naive_budget=budget,
        fixed_runs=3 if args.quick else 7,
        torch_runs=20 if args.quick else 200,
        batch_runs=1 if args.quick else 3,
        pdf_runs=1 if args.quick else 3,
    )


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
class Wave2:
    """The measurements of issue 16 (performance, wave 2)."""

    solve_big: Timing = field(default_factory=Timing)
    chains: dict[int, Timing] = field(default_factory=dict)  # [graph] chain of n nodes, md+tex
    units: dict[int, Timing] = field(default_factory=dict)  # n one-unit layers, md+tex
    parse: Timing = field(default_factory=Timing)  # a PARSE_NODES-node graph, in-process
    paths_refusal: Timing = field(default_factory=Timing)  # the largest MLP with chain = "paths": exit 2
    big_batch: Timing = field(default_factory=Timing)
    big_batch_size: int = 0
    peak_batch: dict[int, int | None] = field(default_factory=dict)  # specs -> peak KiB
    writes: Timing = field(default_factory=Timing)  # 300 files by solgen.write.write_all
    plain_writes: Timing = field(default_factory=Timing)  # the same 300 files, open/write/close
    tex_only: Timing = field(default_factory=Timing)  # the PDF key rendered as .tex only
    pdflatex_pass: Timing = field(default_factory=Timing)  # one direct pdflatex pass of that .tex
    pdf_batch: Timing = field(default_factory=Timing)
    pdf_batch_size: int = 0
    sympy_free: dict[str, bool | None] = field(default_factory=dict)  # spec -> rendered without importing sympy
    # measured in alternation, for the two ratio targets
    floor_ab: Timing = field(default_factory=Timing)  # import sympy, jinja2, click
    seed_ab: Timing = field(default_factory=Timing)  # the smallest MLP, md+tex
    render_ab: Timing = field(default_factory=Timing)  # the largest MLP, md+tex
    solve_ab: Timing = field(default_factory=Timing)  # the largest MLP, solve


@dataclass
class Report:
    settings: Settings
    solgen_note: str = ""
    solgen_version: str = "n/a"
    solgen_module: str = "n/a"
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
    wave2: Wave2 = field(default_factory=Wave2)
    checks: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    load: str = "unknown"
    load_during: str = "unknown"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def check_solgen(report: Report) -> str | None:
    exe = report.settings.solgen
    if exe is None or shutil.which(exe) is None:
        report.solgen_note = f"solgen is not installed ({exe or 'no `solgen` on PATH'}): solgen figures are n/a"
        return None
    proc = run([exe, "--version"])
    if proc.returncode == 0:
        report.solgen_version = last_line(proc.stdout or proc.stderr)
    helptext = run([exe, "render", "--help"])
    report.has_no_verify = "--no-verify" in helptext.stdout
    report.solgen_note = f"solgen: {exe}"
    interp = solgen_interpreter(exe)
    if interp and Path(interp).resolve() != Path(sys.executable).resolve():
        report.solgen_note += f" (runs {interp}; baselines use {sys.executable})"
    where = run([interp or sys.executable, "-c", "import solgen; print(solgen.__file__)"])
    if where.returncode == 0:
        report.solgen_module = where.stdout.strip()
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
    cmds = {
        "python -c pass": py_cmd("pass"),
        "import sympy, jinja2, click": py_cmd("import sympy, jinja2, click"),
    }
    if solgen:
        cmds["solgen --help"] = fixed_cmd([solgen, "--help"])
        cmds["solgen --version"] = fixed_cmd([solgen, "--version"])
    cmds["import torch (info)"] = py_cmd("import torch")
    for name, cmd in cmds.items():
        report.fixed[name] = warm_and_time(cmd, runs, scratch)
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
    report.single = time_cmd(render_cmd(solgen, single, "md,tex", ONE), runs, scratch)
    report.batch = time_cmd(render_cmd(solgen, batch_dir, "md,tex", ONE), runs, scratch)
    if report.batch.ok and report.batch.last_out is not None:
        written = len(list(report.batch.last_out.glob("*.md")))
        if written != BATCH_SIZE:
            report.batch.error = f"wrote {written} .md files, expected {BATCH_SIZE}"
    log(f"  one seed spec: {fmt_timing(report.single)}; batch of {BATCH_SIZE}: {fmt_timing(report.batch)}")
    w = report.wave2
    big, _ = write_batch(scratch, report.settings.big_batch, "bigbatch")
    w.big_batch_size = report.settings.big_batch
    w.big_batch = time_cmd(render_cmd(solgen, big, "md,tex", TWO), 1, scratch)
    log(f"  batch of {w.big_batch_size}: {fmt_timing(w.big_batch)}")
    for size, folder in ((BATCH_SIZE, batch_dir), (w.big_batch_size, big)):
        out = Path(tempfile.mkdtemp(dir=scratch, prefix="peak-"))
        w.peak_batch[size], _ = peak_memory_kib([solgen, "render", str(folder), "-o", str(out), "--format", "md,tex",
                                                 *ONE])


def measure_pdf(report: Report, res: SizeResult, solgen: str, scratch: Path) -> None:
    if shutil.which("pdflatex") is None:
        report.pdf_note = "n/a: pdflatex not found"
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
    w = report.wave2
    w.tex_only = time_cmd(render_cmd(solgen, res.spec, "tex"), report.settings.pdf_runs, scratch)
    if w.tex_only.ok and w.tex_only.last_out is not None:
        tex = w.tex_only.last_out / f"{res.spec.stem}.tex"
        w.pdflatex_pass = time_cmd(lambda out: _pdflatex(tex, out), report.settings.pdf_runs, scratch)
    log(f"  tex only: {fmt_timing(w.tex_only)}; one pdflatex pass: {fmt_timing(w.pdflatex_pass)}")
    folder, _ = write_batch(scratch, report.settings.pdf_batch, "pdfbatch")
    w.pdf_batch_size = report.settings.pdf_batch
    w.pdf_batch = time_cmd(render_cmd(solgen, folder, "md,tex,pdf", TWO), 1, scratch)
    if w.pdf_batch.ok and w.pdf_batch.last_out is not None:
        written = len(list(w.pdf_batch.last_out.glob("*.pdf")))
        if written != w.pdf_batch_size:
            w.pdf_batch.error = f"wrote {written} .pdf files, expected {w.pdf_batch_size}"
    log(f"  {w.pdf_batch_size} seed keys with PDFs: {fmt_timing(w.pdf_batch)}")


def _pdflatex(tex: Path, out: Path) -> list[str]:
    """One pdflatex pass of ``tex`` in ``out`` with the flags solgen uses."""
    shutil.copy(tex, out / "doc.tex")
    return ["env", "SOURCE_DATE_EPOCH=1700000000", "FORCE_SOURCE_DATE=1", "openin_any=p", "openout_any=p",
            f"TEXMFOUTPUT={out}", "shell_escape=f", "pdflatex", f"-output-directory={out}",
            "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", str(out / "doc.tex")]


def measure_peak(report: Report, res: SizeResult, solgen: str, scratch: Path) -> None:
    out = Path(tempfile.mkdtemp(dir=scratch, prefix="peak-"))
    cmd = [solgen, "render", str(res.spec), "-o", str(out), "--format", "md,tex"]
    report.peak_kib, report.peak_method = peak_memory_kib(cmd)
    report.peak_floor_kib, _ = peak_memory_kib([sys.executable, "-c", "import sympy, jinja2, click"])


PARSE_CODE = """\
import sys, time
from pathlib import Path
from solgen.spec.sections import load_spec
start, cpu = time.perf_counter(), time.process_time()
load_spec(Path({path!r}))
print(time.perf_counter() - start, time.process_time() - cpu)
"""

SYMPY_CODE = """\
import sys
from solgen.cli import main
sys.argv = ["solgen", "render", {spec!r}, "-o", {out!r}, "--format", "md,tex"]
try:
    main()
except SystemExit as e:
    if e.code:
        raise
print("sympy" not in sys.modules)
"""


def sympy_free(python: str, spec: Path, scratch: Path) -> bool | None:
    """Whether a render of ``spec`` (md+tex) finished without importing sympy (None: it failed)."""
    out = tempfile.mkdtemp(dir=scratch, prefix="sympy-")
    proc = run([python, "-c", SYMPY_CODE.format(spec=str(spec), out=out)])
    answer = proc.stdout.strip().splitlines()[-1:] if proc.returncode == 0 else []
    return None if not answer else answer[0] == "True"


WRITE_CODE = """\
import tempfile, time
from pathlib import Path
from solgen.write import write_all
files = {{f"key{{i:03d}}.md": bytes([65 + i % 26]) * 12_000 for i in range(300)}}
out = Path(tempfile.mkdtemp(dir={scratch!r})) / "out"
start, cpu = time.perf_counter(), time.process_time()
if {plain}:
    out.mkdir()
    for name, data in files.items():
        (out / name).write_bytes(data)
else:
    write_all(out, files)
print(time.perf_counter() - start, time.process_time() - cpu)
"""


def measure_wave2(report: Report, solgen: str, scratch: Path) -> None:
    """Issue 16: solve against render, long chains, parsing, the paths refusal, batch writes."""
    w, s = report.wave2, report.settings
    big, seed = report.sizes[-1], report.sizes[0]
    w.solve_big = warm_and_time(fixed_cmd([solgen, "solve", str(big.spec)]), s.render_runs(big.net.params), scratch)
    log(f"  solve {big.net.arch}: {fmt_timing(w.solve_big)}")
    w.floor_ab, w.seed_ab = time_pair(py_cmd("import sympy, jinja2, click"), render_cmd(solgen, seed.spec, "md,tex"),
                                      3 if s.quick else 9, scratch)
    log(f"  alternately: import floor {fmt_timing(w.floor_ab)}, render {seed.net.arch} {fmt_timing(w.seed_ab)}")
    solve = fixed_cmd([solgen, "solve", str(big.spec)])
    w.render_ab, w.solve_ab = time_pair(render_cmd(solgen, big.spec, "md,tex"), solve, 1 if s.quick else 3, scratch)
    log(f"  alternately: render {big.net.arch} {fmt_timing(w.render_ab)}, solve {fmt_timing(w.solve_ab)}")
    runs = 1 if s.quick else 3
    for n in CHAIN_SIZES:
        spec = write_spec(scratch, f"chain_{n}", graph_chain_text(n))
        w.chains[n] = warm_and_time(render_cmd(solgen, spec, "md,tex"), runs, scratch)
        spec = write_spec(scratch, f"units_{n}", one_unit_net_text(n))
        w.units[n] = warm_and_time(render_cmd(solgen, spec, "md,tex"), runs, scratch)
        log(f"  [graph] chain of {n}: {fmt_timing(w.chains[n])}; {n} one-unit layers: {fmt_timing(w.units[n])}")
    python = solgen_interpreter(solgen) or sys.executable
    spec = write_spec(scratch, f"chain_{PARSE_NODES}", graph_chain_text(PARSE_NODES))
    w.parse = in_process(python, PARSE_CODE.format(path=str(spec)), runs)
    log(f"  parse a {PARSE_NODES:,}-node graph: {fmt_timing(w.parse)}")
    paths = write_spec(scratch, "mlp_paths", spec_text(big.net) + '\n[style]\nchain = "paths"\n')
    w.paths_refusal = warm_and_time(render_cmd(solgen, paths, "md,tex"), runs, scratch, expect=2)
    log(f"  paths chain refused ({big.net.arch}): {fmt_timing(w.paths_refusal)}")
    for res in (seed, big):
        w.sympy_free[res.net.arch] = sympy_free(python, res.spec, scratch)
    log(f"  rendered without importing sympy: {w.sympy_free}")
    w.writes = in_process(python, WRITE_CODE.format(scratch=str(scratch), plain=False), runs)
    w.plain_writes = in_process(python, WRITE_CODE.format(scratch=str(scratch), plain=True), runs)
    log(f"  300 files: write_all {fmt_timing(w.writes)}, plain {fmt_timing(w.plain_writes)}")


def run_all(settings: Settings, scratch: Path) -> Report:
    began = time.perf_counter()
    report = Report(settings)
    if hasattr(os, "getloadavg"):
        report.load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    with LoadSampler() as load:
        _run(report, settings, scratch)
    report.load_during = load.summary()
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if load.mean is not None and load.mean > cpus:
        BASIS["value"] = "cpu"  # other work had the CPUs: judge on the time solgen itself used
    report.elapsed = time.perf_counter() - began
    return report


def _run(report: Report, settings: Settings, scratch: Path) -> None:
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
        measure_pdf(report, report.sizes[2], solgen, scratch)
        measure_peak(report, report.sizes[-1], solgen, scratch)
        log("issue 16 cases:")
        measure_wave2(report, solgen, scratch)
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


__all__ = ["SEED_SPEC", "Report", "Settings", "make_settings", "run_all", "log"]
