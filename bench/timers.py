"""Timers: cold processes (medians), peak memory, timings inside one process, and the machine's load."""

from __future__ import annotations

import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# Every timed process runs with bytecode caching on, in a private cache folder (as an installed
# package runs from its compiled .pyc files); the first, untimed run of each command fills it.
PYCACHE = Path(tempfile.mkdtemp(prefix="solgen-bench-pyc-"))
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONPYCACHEPREFIX": str(PYCACHE)}


# What the targets are judged on: "wall" clock, or "cpu" time (user + system of the process and
# its children) when the machine is overloaded by other work (set by the report from the load).
BASIS = {"value": "wall"}


@dataclass
class Timing:
    runs: list[float] = field(default_factory=list)  # wall clock
    error: str | None = None
    last_out: Path | None = None
    cpu: list[float] = field(default_factory=list)  # user + system time, same runs

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.runs)

    @property
    def wall(self) -> float | None:
        return statistics.median(self.runs) if self.ok else None

    @property
    def cpu_median(self) -> float | None:
        return statistics.median(self.cpu) if self.ok and self.cpu else None

    @property
    def median(self) -> float | None:
        """The median on the basis the targets are judged on (see BASIS)."""
        if BASIS["value"] == "cpu" and self.cpu_median is not None:
            return self.cpu_median
        return self.wall


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1][:200] if lines else "(no output)"


def run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, env=ENV, **kwargs)  # type: ignore[call-overload]


def time_cmd(make_cmd: Callable[[Path], list[str]], runs: int, scratch: Path, expect: int = 0) -> Timing:
    """Median-able wall times of ``runs`` fresh processes, each with a fresh output dir."""
    timing = Timing()
    for _ in range(runs):
        out = Path(tempfile.mkdtemp(dir=scratch, prefix="out-"))
        cmd = make_cmd(out)
        start, cpu = time.perf_counter(), _children_cpu()
        proc = run(cmd)
        elapsed, cpu = time.perf_counter() - start, _children_cpu() - cpu
        if proc.returncode != expect:
            timing.error = f"exit {proc.returncode}: {last_line(proc.stderr or proc.stdout)}"
            return timing
        timing.runs.append(elapsed)
        timing.cpu.append(cpu)
        timing.last_out = out
    return timing


def warm_and_time(make_cmd: Callable[[Path], list[str]], runs: int, scratch: Path, expect: int = 0) -> Timing:
    """One untimed run (file cache, .pyc files), then ``runs`` timed ones."""
    time_cmd(make_cmd, 1, scratch, expect)
    return time_cmd(make_cmd, runs, scratch, expect)


def time_pair(a: Callable[[Path], list[str]], b: Callable[[Path], list[str]], runs: int,
              scratch: Path) -> tuple[Timing, Timing]:
    """A and B alternately (one untimed pair first), so that a change in the machine's load
    during the measurement weighs on both alike: the fairest ratio on a shared machine."""
    time_cmd(a, 1, scratch)
    time_cmd(b, 1, scratch)
    ta, tb = Timing(), Timing()
    for _ in range(runs):
        for timing, cmd in ((ta, a), (tb, b)):
            one = time_cmd(cmd, 1, scratch)
            if not one.ok:
                timing.error = one.error
                continue
            timing.runs += one.runs
            timing.cpu += one.cpu
            timing.last_out = one.last_out
    return ta, tb


def py_cmd(code: str, python: str = sys.executable) -> Callable[[Path], list[str]]:
    return lambda _out: [python, "-c", code]


def fixed_cmd(cmd: list[str]) -> Callable[[Path], list[str]]:
    return lambda _out: cmd


def render_cmd(solgen: str, target: Path, fmt: str, extra: tuple[str, ...] = ()) -> Callable[[Path], list[str]]:
    return lambda out: [solgen, "render", str(target), "-o", str(out), "--format", fmt, *extra]


def in_process(python: str, code: str, runs: int) -> Timing:
    """The wall and cpu seconds that ``code`` prints on its last line (it times its own work,
    imports excluded), one process per run."""
    timing = Timing()
    for _ in range(runs + 1):  # the first run warms the caches
        proc = run([python, "-c", code])
        try:
            wall, cpu = map(float, proc.stdout.strip().splitlines()[-1].split())
        except (ValueError, IndexError):
            timing.error = f"exit {proc.returncode}: {last_line(proc.stderr or proc.stdout)}"
            return timing
        timing.runs.append(wall)
        timing.cpu.append(cpu)
    timing.runs, timing.cpu = timing.runs[1:], timing.cpu[1:]
    return timing


RUSAGE_WRAPPER = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.run(sys.argv[1:], capture_output=True).returncode\n"
    "print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def peak_memory_kib(cmd: list[str]) -> tuple[int | None, str]:
    """Peak resident set size of one run of ``cmd`` in KiB, and how it was measured."""
    gnu_time = Path("/usr/bin/time")
    if gnu_time.exists():
        proc = run([str(gnu_time), "-v", *cmd])
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
        if proc.returncode == 0 and m:
            return int(m.group(1)), "/usr/bin/time -v"
    proc = run([sys.executable, "-c", RUSAGE_WRAPPER, *cmd])
    parts = proc.stdout.split()
    if len(parts) == 2 and parts[0] == "0":
        return int(parts[1]), "getrusage(RUSAGE_CHILDREN).ru_maxrss"
    return None, "failed"


class LoadSampler:
    """The 1-minute load average every few seconds while the benchmark runs (a shared machine's
    other work slows every figure; the report shows how busy it was)."""

    def __init__(self, every: float = 5.0) -> None:
        self.every, self.samples = every, []  # type: ignore[var-annotated]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while True:
            if hasattr(os, "getloadavg"):
                self.samples.append(os.getloadavg()[0])
            if self._stop.wait(self.every):
                return

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def mean(self) -> float | None:
        return statistics.fmean(self.samples) if self.samples else None

    def summary(self) -> str:
        if not self.samples:
            return "unknown"
        s = self.samples
        return (f"1-minute load average sampled every {self.every:.0f} s: mean {statistics.fmean(s):.2f}, "
                f"max {max(s):.2f}, min {min(s):.2f} ({len(s)} samples, {os.cpu_count()} CPUs)")
