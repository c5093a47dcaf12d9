"""The targets of issue 6 and issue 16, each met or not, with its figures."""

from __future__ import annotations

import math
from dataclasses import dataclass

from fmt import fmt_mib, fmt_ratio, fmt_s, fmt_timing, ratio
from measure import BIG_BATCH, CHAIN_SIZES, PARSE_NODES, PDF_BATCH, Report
from problems import BATCH_SIZE
from timers import BASIS, Timing

WORKERS = 2  # the -j of the batch targets


def two_workers(t: Timing) -> tuple[float | None, str]:
    """A -j 2 run's time as the targets read it: wall clock, or on the CPU basis (an overloaded
    machine) the CPU time of the process and its two workers shared by two cores, i.e. what two
    idle cores would take if the work splits evenly (said so in the figures)."""
    if BASIS["value"] == "cpu" and t.cpu_median is not None:
        return t.cpu_median / WORKERS, f"cpu {fmt_s(t.cpu_median)} ÷ {WORKERS} cores = {fmt_s(t.cpu_median / WORKERS)}"
    return t.wall, f"wall {fmt_s(t.wall)}"


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




def exponent(t1: float | None, t2: float | None, n1: int, n2: int) -> float | None:
    return None if not t1 or not t2 else math.log(t2 / t1) / math.log(n2 / n1)


def targets16(report: Report) -> list[Target]:
    """Issue 16: faster than importing sympy, linear everywhere, a whole course in minutes."""
    w, fx = report.wave2, report.fixed
    floor = fx["import sympy, jinja2, click"].median
    seed, key, big = report.sizes[0], report.sizes[2], report.sizes[-1]
    out = []
    r = ratio(w.seed_ab.median, w.floor_ab.median)
    r0 = ratio(seed.render.median, floor)
    out.append(target(f"seed-sized render ({seed.net.params} parameters, md+tex), cold process, ≤ 0.6× "
                      "`python -c \"import sympy, jinja2, click\"`", None if r is None else r <= 0.6,
                      f"measured alternately: {fmt_timing(w.seed_ab)} vs {fmt_timing(w.floor_ab)}: {fmt_ratio(r)}"
                      f" (the separate runs of the tables: {fmt_s(seed.render.median)} vs {fmt_s(floor)}: "
                      f"{fmt_ratio(r0)})"))
    r = ratio(w.solve_ab.median, w.render_ab.median)
    r0 = ratio(w.solve_big.median, big.render.median)
    out.append(target(f"`solve` ≤ 0.5× `render` on the {big.net.params:,}-parameter MLP",
                      None if r is None else r <= 0.5,
                      f"measured alternately: solve {fmt_timing(w.solve_ab)} vs render {fmt_timing(w.render_ab)}: "
                      f"{fmt_ratio(r)} (separate runs: {fmt_s(w.solve_big.median)} vs {fmt_s(big.render.median)}: "
                      f"{fmt_ratio(r0)})"))
    small, large = CHAIN_SIZES
    for what, runs in (("[graph] chain of {n:,} nodes", w.chains), ("{n:,}-layer one-unit network", w.units)):
        t1, t2 = (runs.get(n, Timing()).median for n in CHAIN_SIZES)
        out.append(target(what.format(n=large) + " renders (md+tex) in under 3 s", None if t2 is None else t2 < 3,
                          fmt_timing(runs.get(large))))
        g = exponent(t1, t2, small, large)
        out.append(target(what.format(n=large) + f": growth exponent ≤ 1.1 from {small:,} to {large:,}",
                          None if g is None else g <= 1.1,
                          "n/a" if g is None else f"{fmt_s(t1)} → {fmt_s(t2)}: exponent {g:.3f}"))
    out.append(target(f"a {PARSE_NODES:,}-node graph parses in under 1 s (in one process, imports excluded)",
                      None if w.parse.median is None else w.parse.median < 1, fmt_timing(w.parse)))
    r = ratio(w.paths_refusal.median, big.render.median)
    out.append(target(f'the paths chain refuses a too-large network ({big.net.params:,} parameters, chain = '
                      '"paths") before derive and verify: exit 2 in ≤ 0.5× the time of its render',
                      None if r is None else r <= 0.5,
                      f"refused in {fmt_timing(w.paths_refusal)} vs render {fmt_s(big.render.median)}: "
                      f"{fmt_ratio(r)}"))
    t, how = two_workers(w.big_batch)
    per = None if t is None or not w.big_batch_size else t / w.big_batch_size
    met = None if per is None else per <= 0.015
    scaled = "" if w.big_batch_size == BIG_BATCH else f" (quick run: {w.big_batch_size:,} specs, not {BIG_BATCH:,})"
    out.append(target(f"{BIG_BATCH:,} seed-sized specs in one `render` call, md+tex, ≤ 15 ms per spec with `-j 2`",
                      met, f"{w.big_batch_size:,} specs with `-j 2` in {fmt_timing(w.big_batch)}; {how}: "
                      f"{fmt_s(per)} per spec{scaled}"))
    p1, p2 = w.peak_batch.get(BATCH_SIZE), w.peak_batch.get(w.big_batch_size)
    r = ratio(p2, p1)
    out.append(target("peak memory flat in the number of specs (outputs written as they are done)",
                      None if r is None else r <= 1.25,
                      f"{BATCH_SIZE} specs {fmt_mib(p1)}, {w.big_batch_size:,} specs {fmt_mib(p2)}: {fmt_ratio(r)}"))
    pdf_t = report.pdf.median if report.pdf else None
    extra = None if pdf_t is None or w.tex_only.median is None else pdf_t - w.tex_only.median
    r = ratio(extra, w.pdflatex_pass.median)
    out.append(target(f"the {key.net.params:,}-parameter key's PDF within 1.5× one pdflatex pass of its .tex",
                      None if r is None else r <= 1.5,
                      f"pdf {fmt_s(pdf_t)} - tex {fmt_s(w.tex_only.median)} = {fmt_s(extra)} vs one pass "
                      f"{fmt_timing(w.pdflatex_pass)}: {fmt_ratio(r)}"))
    out.append(pdf_batch_target(report))
    free = w.sympy_free
    out.append(target("sympy is imported only for a term shape the derivative table lacks: none for the seed-sized "
                      f"render or the {big.net.params:,}-parameter MLP (md+tex)",
                      None if not free or None in free.values() else all(free.values()),
                      ", ".join(f"{arch}: {'no sympy' if ok else 'sympy imported' if ok is not None else 'failed'}"
                                for arch, ok in free.items()) or "n/a"))
    return out


def pdf_batch_target(report: Report) -> Target:
    """600 keys with PDFs with -j 2: the real batch in a full run; a quick run's few keys
    extrapolated (and labelled so)."""
    w = report.wave2
    n = w.pdf_batch_size
    t, how = two_workers(w.pdf_batch)
    real = n >= PDF_BATCH
    est = None if t is None or not n else (t if real else t / n * PDF_BATCH)
    figures = (f"{n} keys (md, tex, pdf) with `-j 2` in {fmt_timing(w.pdf_batch)}; {how}"
               + ("" if real or est is None else f": {fmt_s(t / n)} per key, {PDF_BATCH} ≈ {fmt_s(est)} "
                  f"(extrapolated from {n} keys, not measured)"))
    met = None if est is None else est < 180
    return target(f"{PDF_BATCH} seed-sized keys with PDFs under 3 minutes with `-j 2`", met, figures)
