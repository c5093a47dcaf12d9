#!/usr/bin/env python3
"""Benchmark for issue 13: a class of variants rendered serially and with ``-j 2``.

Run from the repository root::

    python bench/bench_class.py              # 40 variants x 15 problems = 600 keys, writes bench/RESULTS-class.md
    python bench/bench_class.py --students 4 --out /tmp/class.md   # a smoke run

It generates 15 seed-sized problems (2 to 4 layers, 1 to 3 units a layer, sigmoid,
tanh, ReLU and linear units, each with a ``[variants]`` table), draws the variants of
each for a roster of ``--students`` ids (``solgen variants``), then renders every
variant's key as md + tex + pdf in one ``solgen render`` run with ``-j 1`` and with
``-j 2``, and checks that both runs wrote the same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import filecmp
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHAPES = [(2, 2, 1), (2, 2, 2), (1, 2, 1), (3, 2, 1), (2, 3, 1), (1, 2, 2, 1), (2, 2, 2, 1), (2, 1, 1),
          (3, 3, 1), (2, 2, 1), (1, 3, 1), (2, 3, 2), (3, 2, 2), (2, 2, 2, 2), (1, 1, 1, 1)]
HIDDEN = ["sigmoid", "relu", "sigmoid"]  # not tanh: its PDF fails in main (a^{(1)}_{1}^{2}, reported)


def problem(k: int, shape: tuple[int, ...]) -> str:
    rng = random.Random(k)
    hidden = HIDDEN[k % 3]
    out = "sigmoid" if k % 2 else "linear"
    lines = [f'title = "Class benchmark problem {k + 1}"', "", "[network]",
             f"inputs = [{', '.join(str(rng.choice([0.5, 1, 1.5])) for _ in range(shape[0]))}]",
             f"targets = [{', '.join('1' for _ in range(shape[-1]))}]", 'loss = "half_squared_error"',
             "learning_rate = 0.5"]
    for l, units in enumerate(shape[1:], 1):
        prev = shape[l - 1]
        w = [[round(rng.uniform(0.1, 0.9), 1) for _ in range(prev)] for _ in range(units)]
        act = out if l == len(shape) - 1 else hidden
        lines += ["", "[[network.layer]]", f"units = {units}", f'activation = "{act}"',
                  f"weights = {w}", f"bias = {[0.1] * units}"]
    lines += ["", "[variants]", "seed = 13",
              'vary = { W1 = { min = 0.1, max = 0.9, step = 0.1 }, W2 = { min = 0.1, max = 0.9, step = 0.1 }, '
              'x = { choices = [0.5, 1, 1.5, 2] } }']
    return "\n".join(lines) + "\n"


def run(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--students", type=int, default=40)
    ap.add_argument("--out", default="bench/RESULTS-class.md")
    ap.add_argument("--solgen", default="solgen")
    args = ap.parse_args()
    env = {**os.environ, "CI": "1"}
    tmp = Path(tempfile.mkdtemp(prefix="solgen-class-"))
    try:
        folders = []
        draw = 0.0
        for k, shape in enumerate(SHAPES):
            spec = tmp / f"p{k + 1:02d}.toml"
            spec.write_text(problem(k, shape))
            roster = tmp / f"p{k + 1:02d}.csv"
            roster.write_text("id\n" + "".join(f"p{k + 1:02d}-s{i:03d}\n" for i in range(1, args.students + 1)))
            folder = tmp / "variants" / spec.stem
            draw += run([args.solgen, "variants", str(spec), "--roster", str(roster), "-o", str(folder)], env)
            folders.append(str(folder))
        keys = len(SHAPES) * args.students
        times = {}
        for jobs in (1, 2):
            out = tmp / f"out-j{jobs}"
            times[jobs] = run([args.solgen, "render", *folders, "-o", str(out), "--format", "md,tex,pdf",
                               "-j", str(jobs)], env)
        cmp = filecmp.dircmp(tmp / "out-j1", tmp / "out-j2")
        same = not (cmp.diff_files or cmp.left_only or cmp.right_only)
        same = same and all(filecmp.cmp(tmp / "out-j1" / f, tmp / "out-j2" / f, shallow=False)
                            for f in os.listdir(tmp / "out-j1"))
        report(args.out, keys, draw, times, same, len(os.listdir(tmp / "out-j1")))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def report(path: str, keys: int, draw: float, times: dict[int, float], same: bool, files: int) -> None:
    rows = [f"| `-j {j}` | {t:.1f} s | {1000 * t / keys:.0f} ms |" for j, t in times.items()]
    text = "\n".join([
        "# Class benchmark (issue 13)", "",
        f"{dt.date.today().isoformat()}, {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; `python bench/bench_class.py` (the machine was shared with other jobs).", "",
        f"{len(SHAPES)} seed-sized problems x {keys // len(SHAPES)} variants = {keys} keys, each as md + tex + pdf "
        f"({files} files), rendered by one `solgen render` of the {len(SHAPES)} variant folders.", "",
        f"Drawing the variants (`solgen variants`, {len(SHAPES)} runs, serial): {draw:.1f} s "
        f"({1000 * draw / keys:.0f} ms a variant, process start included).", "",
        "| render | wall time | per key |", "| --- | --- | --- |", *rows, "",
        f"Speed-up with 2 workers: {times[1] / times[2]:.2f}x. "
        f"Outputs of `-j 1` and `-j 2` byte-identical: {'yes' if same else 'NO'}.", ""])
    Path(path).write_text(text)
    print(text)
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
