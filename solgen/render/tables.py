"""Column widths for the LaTeX tables: each column as wide as its widest formula (text wraps), the
whole table within the line; a table that does not fit at the body size is set \\small and closer."""

from __future__ import annotations

from solgen.explain.solution import Rich, Table
from solgen.record import record

from .width import width

LINE_CM = 16.9
EM_CM = {False: 0.386, True: 0.351}  # 11 pt and \small
SEP_CM = {False: 0.211, True: 0.106}  # \tabcolsep 6 pt, 3 pt
TEXT_EM = 0.5  # a character of text


@record
class Columns:
    narrow: bool  # \small, \tabcolsep 3 pt
    widths: tuple[str, ...]  # "2.10cm", ...


def _need(cell: Rich) -> float:
    """em a cell needs: its widest formula, or its longest word (text wraps)."""
    math = max((width(p, 1.0) for p in cell[1::2]), default=0.0)
    words = max((len(w) for p in cell[0::2] for w in p.split()), default=0) * TEXT_EM
    return max(math, words) + 0.3


def columns(table: Table) -> Columns:
    n = len(table.header)
    need = [max(_need(r[c]) for r in (table.header, *table.rows) if c < len(r)) for c in range(n)]
    for narrow in (False, True):
        avail = LINE_CM - 2 * SEP_CM[narrow] * n
        cm = [w * EM_CM[narrow] for w in need]
        if sum(cm) <= avail or narrow:
            if sum(cm) > avail:  # the widest columns give way first
                cm = _fit(cm, avail)
            even = min(3.2, avail / n)  # what room is left widens the narrow columns towards even widths
            short = [max(0.0, even - c) for c in cm]
            share = min(1.0, (avail - sum(cm)) / sum(short)) if sum(short) else 0.0
            cm = [c + d * share for c, d in zip(cm, short)]
            return Columns(narrow or n > 5, tuple(f"{c:.2f}cm" for c in cm))
    raise AssertionError("unreachable")


def _fit(cm: list[float], avail: float) -> list[float]:
    """Shrink the columns above the common cap until the sum fits."""
    lo, hi = 0.0, max(cm)
    for _ in range(40):
        mid = (lo + hi) / 2
        if sum(min(c, mid) for c in cm) > avail:
            hi = mid
        else:
            lo = mid
    return [min(c, lo) for c in cm]
