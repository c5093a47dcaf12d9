"""Equations -> display rows that fit the line, measured by width (solgen.render.width), not by count.

A section's equations are set in blocks: a run of equations without a note between them shares
one aligned display (the left-hand sides in one column), each equation's rows kept together.  An
equation takes as few rows as fit: ``lhs = step = step = value`` on one row when it fits,
otherwise the steps packed greedily, and a step wider than the line broken between its terms
(and, for a product too wide by itself, between its factors).  ``detail = "full"`` puts every
step on its own row, as one quantity per display.

Cost: linear in the equations.  Each equation is measured once (``_Measured``: its sides with
repeats dropped, each side's text and width, its size in TeX), and a row is packed by adding the
widths already known, never by measuring the candidate row.  An equation's rows at a budget are
kept with its measure; while one solution is rendered (``share``) the measures are kept between
its documents, so the Markdown and the LaTeX key, which part the equations into different blocks
but break each equation the same way at the same budget, measure and break it once.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from typing import NamedTuple

from solgen.explain.solution import Eq, Rich

from .width import LINE, width

REL = 1.6  # "&= " with its spacing
QUAD = 1.0
MARGIN = 1.5  # em kept free at the right, for the estimate's error


class Row(NamedTuple):  # a tuple: a template may take it apart (``for lhs, op, text in eq``)
    lhs: str  # the left-hand side on an equation's first row, else ""
    op: str  # "=", "\\leftarrow", or "" for a continued step (set after a \quad)
    text: str


@dataclass(frozen=True)
class Block:
    note: Rich  # the first equation's note, set above the display
    equations: tuple[tuple[Row, ...], ...]
    notes: tuple[Rich, ...] = ()  # the later equations' notes, set inside it (LaTeX's \\intertext)
    pairs: bool = False  # short equations two to a row

    @property
    def one_row(self) -> bool:
        return len(self.equations) == 1 and len(self.equations[0]) == 1


EQUALS = 1.45  # " = " with its spacing
GAP = 2.5  # em between the two equations of a row


class _Measured:
    """One equation measured once: its sides (``sides``), their texts and widths, the width of
    its left-hand side, its size in TeX, and its rows at each budget asked so far."""

    __slots__ = ("eq", "steps", "texts", "widths", "lhs", "size", "rows")

    def __init__(self, e: Eq) -> None:
        self.eq = e
        self.steps, self.texts = sides(e)
        self.widths = [width(t) for t in self.texts]
        self.lhs = width(e.lhs)
        self.size = len(e.lhs) + sum(len(p) + 4 for s in e.steps for p in s)
        self.rows: dict[tuple[float, bool], tuple[Row, ...]] = {}

    def at(self, budget: float, full: bool) -> tuple[Row, ...]:
        key = (budget, full)
        shown = self.rows.get(key)
        if shown is None:
            shown = self.rows[key] = tuple(_rows(self, budget, full))
        return shown


_SHARED: dict[int, _Measured] = {}  # id(equation) -> its measure, while a solution is rendered
_OWNER: list[weakref.ref[object]] = []  # that solution


def share(solution: object) -> None:
    """Keep measures between the documents of ``solution`` (and drop those of any other)."""
    if _OWNER and _OWNER[0]() is solution:
        return
    _SHARED.clear()
    _OWNER[:] = [weakref.ref(solution, _forget)]


def _forget(ref: weakref.ref[object]) -> None:
    if _OWNER and _OWNER[0] is ref:
        _SHARED.clear()
        _OWNER.clear()


def _measure(e: Eq) -> _Measured:
    m = _SHARED.get(id(e))
    if m is None or m.eq is not e:  # (the entry holds its equation, so its id is not reused)
        m = _Measured(e)
        if _OWNER:
            _SHARED[id(e)] = m
    return m


def blocks(equations: tuple[Eq, ...], full: bool = False, inner_notes: bool = False,
           line: float = LINE, chars: int = 100_000) -> list[Block]:
    """``inner_notes``: a note does not end a block (it is set inside the display); ``chars``: the
    most TeX one block holds."""
    groups: list[list[_Measured]] = []
    for e in equations:
        m = _measure(e)
        if not groups or full or (e.note and not inner_notes):
            groups.append([m])
        else:
            groups[-1].append(m)
    out: list[Block] = []
    for ms in groups:
        for seg, pairs in _segments(ms, full, line, inner_notes):
            out += [_block(part, full, line, pairs) for part in _parts(seg, chars)]
    return out


def _parts(ms: list[_Measured], chars: int) -> list[list[_Measured]]:
    """A block cut so that none holds more than ``chars`` characters of TeX (MathJax, as GitHub runs
    it, stops at 5 KiB a formula); one equation longer than that stays whole."""
    out: list[list[_Measured]] = [[]]
    size = 0
    for m in ms:
        if out[-1] and size + m.size > chars:
            out.append([])
            size = 0
        out[-1].append(m)
        size += m.size
    return out


def _block(ms: list[_Measured], full: bool, line: float, pairs: bool) -> Block:
    lhs = max(m.lhs for m in ms)
    budget = max(((line - GAP) / 2 if pairs else line) - lhs - REL - MARGIN, 12.0)
    shown = tuple(m.at(budget, full) for m in ms)
    if pairs and any(len(r) > 1 for r in shown):  # two to a row only when each takes one row
        return _block(ms, full, line, False)
    return Block(ms[0].eq.note, shown, tuple(m.eq.note for m in ms), pairs)


def _segments(ms: list[_Measured], full: bool, line: float,
              inner_notes: bool) -> list[tuple[list[_Measured], bool]]:
    """Runs of two or more short equations (each fits half a line, no note inside the run) are set
    two to a row; the equations between them as usual."""
    if full:
        return [(ms, False)]
    half = (line - GAP) / 2
    short = [m.lhs + REL + _joined(m.widths) + MARGIN <= half for m in ms]
    out: list[tuple[list[_Measured], bool]] = []
    i = 0
    while i < len(ms):
        j = i
        while j < len(ms) and short[j] and (j == i or not ms[j].eq.note):
            j += 1
        if j - i >= 2:
            out.append((ms[i:j], True))
            i = j
            continue
        if out and not out[-1][1] and (inner_notes or not ms[i].eq.note):
            out[-1][0].append(ms[i])
        else:
            out.append(([ms[i]], False))
        i += 1
    return out


def sides(e: Eq) -> tuple[list[tuple[str, ...]], list[str]]:
    """The steps with repeats dropped (``= 1 = 1``), the last one boxed when it is an answer; and
    each one's text (its terms joined)."""
    steps: list[tuple[str, ...]] = []
    texts: list[str] = []
    for s in e.steps:
        text = " ".join(s)
        if not texts or text != texts[-1]:
            steps.append(s)
            texts.append(text)
        elif s is e.steps[-1]:
            steps[-1] = s  # the same text
    if e.boxed:
        texts[-1] = "\\boxed{" + texts[-1] + "}"
        steps[-1] = (texts[-1],)
    return steps, texts


def _rows(m: _Measured, budget: float, full: bool) -> list[Row]:
    """The steps packed greedily into rows of at most ``budget`` em (by the widths measured)."""
    e, texts, widths = m.eq, m.texts, m.widths
    if texts and not full and widths[0] <= budget:  # the common case first: every side on the first row
        room = budget - (QUAD if not e.rel else 0.0)
        fit = 1
        while fit < len(texts) and _joined(widths[:fit + 1]) <= room:
            fit += 1
        if fit == len(texts):
            return [Row(e.lhs, e.rel, " = ".join(texts))]
    out: list[Row] = []
    current: list[str] = []
    used: list[float] = []  # the widths of ``current``
    op = e.rel

    def flush() -> None:
        out.append(Row("" if out else e.lhs, op, " = ".join(current)))

    for step, text, w in zip(m.steps, texts, widths):
        room = budget - (QUAD if not op else 0.0)
        if current and not full and _joined([*used, w]) <= room:
            current.append(text)
            used.append(w)
            continue
        if current:
            flush()
        first_op = "=" if out else e.rel
        pieces = [text] if w <= budget else wrap(step, budget)
        for j, piece in enumerate(pieces[:-1]):
            out.append(Row("" if out else e.lhs, first_op if j == 0 else "", piece))
        current, op = [pieces[-1]], first_op if len(pieces) == 1 else ""
        used = [w if len(pieces) == 1 else width(pieces[-1])]
    flush()
    return out


def wrap(step: tuple[str, ...], budget: float) -> list[str]:
    """A step's terms in lines no wider than the budget (continuations start after a \\quad)."""
    chunks = [p for term in step for p in (factors(term) if width(term) > budget - QUAD else [term])]
    lines: list[str] = []
    used = 0.0
    for c in chunks:
        room = budget - (QUAD if lines else 0.0)
        w = width(c)
        if lines and used + w <= room:
            lines[-1] += " " + c
            used += w
        else:
            lines.append(c)
            used = w
    return lines


def _joined(widths: list[float]) -> float:
    """The width of sides of these widths joined by " = "."""
    return sum(widths) + EQUALS * (len(widths) - 1)


def factors(term: str) -> list[str]:
    """A term too wide for a line, cut at its top level: between the factors of a product (the cut
    marked by a \\cdot) and before the + and - of a sum written as one piece (a matrix line)."""
    cuts: list[tuple[int, bool]] = []  # (position, is a product cut)
    depth = 0
    for i, ch in enumerate(term):
        depth += (ch == "{") - (ch == "}")
        if depth or i == 0 or _nesting(term[:i]):
            continue
        before = term[:i]
        if before.rstrip().endswith(OPERATORS):
            continue
        if term.startswith("\\left", i) and before.endswith(AFTER):
            cuts.append((i, True))
        elif term.startswith(("\\frac", "\\begin{bmatrix}"), i) and before.endswith(" "):
            cuts.append((i, True))
        elif term.startswith(("+ ", "- ", "\\cdot ", "\\odot "), i) and before.endswith(" "):
            cuts.append((i, False))
    if not cuts:
        return _opened(term)
    bounds = [0, *(c for c, _ in cuts), len(term)]
    parts = [term[a:b].strip() for a, b in zip(bounds, bounds[1:])]
    return [parts[0], *(("\\cdot " if product else "") + p for p, (_, product) in zip(parts[1:], cuts))]


def _opened(term: str) -> list[str]:
    """``-\\left(a + b + c\\right)`` too wide: the parentheses become \\Bigl( \\Bigr) (which need not
    stand on one line) and the inside is cut between its terms."""
    start = term.find("\\left(")
    if start < 0 or not term.endswith("\\right)") or not _balanced(term[:start]):
        return [term]
    inner = term[start + 6:-7]
    if not _balanced(inner):
        return [term]  # the parenthesis that opens is not the one that closes at the end
    pieces = factors(inner)
    if len(pieces) == 1:
        return [term]
    pieces[0] = term[:start] + "\\Bigl(" + pieces[0]
    pieces[-1] += "\\Bigr)"
    return pieces


OPERATORS = ("+", "-", "=", "\\cdot", "\\odot", "\\times", "\\quad")
AFTER = ("\\right)", "\\right]", "\\right|", "\\end{bmatrix}", "}^{\\top}", " ")
_LEFT, _RIGHT = re.compile(r"\\left(?![a-z])"), re.compile(r"\\right(?![a-z])")


def _balanced(s: str) -> bool:
    """Every \\left closed by its \\right (never more closed than opened), and every brace."""
    depth = 0
    for m in re.finditer(r"\\left(?![a-z])|\\right(?![a-z])", s):
        depth += 1 if m.group().startswith("\\left") else -1
        if depth < 0:
            return False
    return depth == 0 and s.count("{") == s.count("}")


def _nesting(s: str) -> int:
    """How many \\left..\\right and \\begin..\\end are open at the end of ``s``."""
    return (len(_LEFT.findall(s)) - len(_RIGHT.findall(s))) + s.count("\\begin{") - s.count("\\end{")
