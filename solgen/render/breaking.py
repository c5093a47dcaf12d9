"""Equations -> display rows that fit the line, measured by width (solgen.render.width), not by count.

A section's equations are set in blocks: a run of equations without a note between them shares
one aligned display (the left-hand sides in one column), each equation's rows kept together.  An
equation takes as few rows as fit: ``lhs = step = step = value`` on one row when it fits,
otherwise the steps packed greedily, and a step wider than the line broken between its terms
(and, for a product too wide by itself, between its factors).  ``detail = "full"`` puts every
step on its own row, as one quantity per display.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from solgen.explain.solution import Eq, Rich

from .width import LINE, width

REL = 1.6  # "&= " with its spacing
QUAD = 1.0
MARGIN = 1.5  # em kept free at the right, for the estimate's error


@dataclass(frozen=True)
class Row:
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


def blocks(equations: tuple[Eq, ...], full: bool = False, inner_notes: bool = False,
           line: float = LINE, chars: int = 100_000) -> list[Block]:
    """``inner_notes``: a note does not end a block (it is set inside the display); ``chars``: the
    most TeX one block holds."""
    groups: list[list[Eq]] = []
    for e in equations:
        if not groups or full or (e.note and not inner_notes):
            groups.append([e])
        else:
            groups[-1].append(e)
    out: list[Block] = []
    for eqs in groups:
        for seg, pairs in _segments(eqs, full, line, inner_notes):
            out += [_block(part, full, line, pairs) for part in _parts(seg, chars)]
    return out


def _parts(eqs: list[Eq], chars: int) -> list[list[Eq]]:
    """A block cut so that none holds more than ``chars`` characters of TeX (MathJax, as GitHub runs
    it, stops at 5 KiB a formula); one equation longer than that stays whole."""
    out: list[list[Eq]] = [[]]
    size = 0
    for e in eqs:
        n = len(e.lhs) + sum(len(p) + 4 for s in e.steps for p in s)
        if out[-1] and size + n > chars:
            out.append([])
            size = 0
        out[-1].append(e)
        size += n
    return out


def _block(eqs: list[Eq], full: bool, line: float, pairs: bool) -> Block:
    lhs = max(width(e.lhs) for e in eqs)
    budget = max(((line - GAP) / 2 if pairs else line) - lhs - REL - MARGIN, 12.0)
    shown = tuple(tuple(rows(e, budget, full)) for e in eqs)
    if pairs and any(len(r) > 1 for r in shown):  # two to a row only when each takes one row
        return _block(eqs, full, line, False)
    return Block(eqs[0].note, shown, tuple(e.note for e in eqs), pairs)


def _segments(eqs: list[Eq], full: bool, line: float, inner_notes: bool) -> list[tuple[list[Eq], bool]]:
    """Runs of two or more short equations (each fits half a line, no note inside the run) are set
    two to a row; the equations between them as usual."""
    if full:
        return [(eqs, False)]
    half = (line - GAP) / 2
    short = [width(e.lhs) + REL + _joined([" ".join(s) for s in sides(e)]) + MARGIN <= half
             for e in eqs]
    out: list[tuple[list[Eq], bool]] = []
    i = 0
    while i < len(eqs):
        j = i
        while j < len(eqs) and short[j] and (j == i or not eqs[j].note):
            j += 1
        if j - i >= 2:
            out.append((eqs[i:j], True))
            i = j
            continue
        if out and not out[-1][1] and (inner_notes or not eqs[i].note):
            out[-1][0].append(eqs[i])
        else:
            out.append(([eqs[i]], False))
        i += 1
    return out


def sides(e: Eq) -> list[tuple[str, ...]]:
    """The steps with repeats dropped (``= 1 = 1``), the last one boxed when it is an answer."""
    steps: list[tuple[str, ...]] = []
    for s in e.steps:
        if not steps or " ".join(s) != " ".join(steps[-1]):
            steps.append(s)
        elif s is e.steps[-1]:
            steps[-1] = s
    if e.boxed:
        steps[-1] = ("\\boxed{" + " ".join(steps[-1]) + "}",)
    return steps


def rows(e: Eq, budget: float, full: bool = False) -> list[Row]:
    out: list[Row] = []
    current: list[str] = []
    op = e.rel

    def flush() -> None:
        out.append(Row("" if out else e.lhs, op, " = ".join(current)))

    for step in sides(e):
        text = " ".join(step)
        room = budget - (QUAD if not op else 0.0)
        if current and not full and _joined([*current, text]) <= room:
            current.append(text)
            continue
        if current:
            flush()
        first_op = "=" if out else e.rel
        pieces = [text] if width(text) <= budget else wrap(step, budget)
        for j, piece in enumerate(pieces[:-1]):
            out.append(Row("" if out else e.lhs, first_op if j == 0 else "", piece))
        current, op = [pieces[-1]], first_op if len(pieces) == 1 else ""
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


def _joined(sides: list[str]) -> float:
    """The width of sides joined by " = " (each side measured once, and cached)."""
    return sum(width(s) for s in sides) + EQUALS * (len(sides) - 1)


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
