#!/usr/bin/env python3
"""Benchmark for issues 6 and 16: solgen against the import floor, naive sympy and PyTorch.

Run from the repository root::

    python bench/bench.py            # full run, writes bench/RESULTS.md (~10 min)
    python bench/bench.py --quick    # smoke run, prints only (add --out to write)

Everything is measured in one run on one machine: cold ``solgen`` processes
(median of several), the interpreter and import floor, the naive approach
(``sympy.diff`` of the whole loss for every parameter, then evaluation),
PyTorch float64 autograd on the same generated sigmoid MLPs, and the cases of
issue 16 (long chains, parsing, batches, PDFs).  A missing ``solgen`` (or torch,
or pdflatex) is reported and the rest still runs.

The parts: problems.py (the specs), timers.py (cold processes, peak memory, load),
equations.py (counting equations), baselines.py (naive sympy, PyTorch),
measure.py (what is measured, in order), targets.py (met or not), report.py
(RESULTS.md and the printed summary).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import log, make_settings, run_all  # noqa: E402
from report import print_summary, render_report  # noqa: E402
from timers import PYCACHE  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
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
        report = run_all(settings, scratch)
    finally:
        if settings.keep:
            log(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(PYCACHE, ignore_errors=True)
    print_summary(report)
    if settings.out is not None:
        settings.out.write_text(render_report(report), encoding="utf-8")
        log(f"wrote {settings.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
