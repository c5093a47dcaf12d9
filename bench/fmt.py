"""Formatting figures: times, ratios, sizes, Markdown tables."""

from __future__ import annotations

from timers import Timing


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
    if t.cpu:
        return f"{fmt_s(t.wall)} (cpu {fmt_s(t.cpu_median)}; median of {len(t.runs)})"
    return f"{fmt_s(t.wall)} (median of {len(t.runs)})"


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
