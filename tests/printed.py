"""Reading values back out of rendered Markdown and LaTeX, for comparison with the JSON answers."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from solgen.core.numbers import NumberFormat
from solgen.pipeline import Options, Solved, documents

MD_BLOCK = re.compile(r"^\$\$\n(.*?)\n\$\$$", re.S | re.M)
TEX_BLOCK = re.compile(r"^\\\[ (.*?) \\\]$|^\\begin\{align\*\}\n(.*?)\n\\end\{align\*\}", re.S | re.M)


def split_block(block: str) -> list[str]:
    """A display block's equations: an aligned block parts them with \\\\[2pt]."""
    parts = re.split(r"\n\\\\\[2pt\]\n", block)
    return [half.strip() for part in parts for half in part.split("\n& ")]  # two to a row


def final_value(block: str) -> str:
    block = block.replace("\\end{aligned}", "").replace("\\begin{aligned}", "").strip()
    last = re.split(r"(?:^|[\s&])(?:=|\\leftarrow) ", block)[-1].strip()
    m = re.fullmatch(r"\\boxed\{(.*)\}", last)
    return m.group(1) if m else last


def matrix_entries(value: str) -> list[str]:
    m = re.fullmatch(r"\\begin\{bmatrix\} (.*) \\end\{bmatrix\}", value)
    t = re.fullmatch(r"\{\\begin\{bmatrix\} (.*) \\end\{bmatrix\}\^\{\\top\}\}", value)
    if t:  # a wide matrix written as the transpose of its transpose: back to row-major
        cols = [[c.strip() for c in row.split("&")] for row in t.group(1).split("\\\\")]
        return [c for row in zip(*cols) for c in row]
    if not m:
        return [value]
    return [c.strip() for row in m.group(1).split("\\\\") for c in row.split("&")]


def expected(answers: dict[str, Any], kind: str, name: str, iteration: int) -> float | None:
    if kind == "symbolic":
        return None
    step = answers["steps"][iteration]
    kind = kind.removeprefix("vector-")
    if kind == "given":
        return step["gradients"][name]
    if kind in ("forward", "loss"):
        return step["forward"][name]
    if kind == "adjoint":
        return step["gradients"][name]
    if kind == "update":
        what, _, param = name.partition("/")
        if param:  # an optimizer's state line: "new:exp_avg/W1[1,1]" is state["exp_avg"]["W1[1,1]"]
            key = what.removeprefix("new:")
            return step["state"][key][param] if what.startswith("new:") else None
        return step["updated"].get(name)
    return None


def shown_equations(solution: Any) -> list[tuple[str, str, int, tuple[str, ...]]]:
    out = [(e.kind, e.name, -1, e.entries) for e in (*solution.given_math, *solution.definitions)]
    for it in solution.iterations:
        for sec in it.sections:
            out += [(e.kind, e.name, it.number - 1, e.entries) for e in sec.equations]
    return out


def check_printed(solved: Solved, fmt: str) -> int:
    """Assert every printed value equals the JSON answer to the shown digits; return how many."""
    options = Options(formats=(fmt,))
    text = documents(solved, options)[f"{solved.spec.stem}.{fmt}"].decode()
    if fmt == "md":
        blocks = [e for b in MD_BLOCK.findall(text) for e in split_block(b)]
    else:
        blocks = [e for a, b in TEX_BLOCK.findall(text) for e in split_block(a or b)]
    eqs = shown_equations(solved.solution)
    assert len(blocks) == len(eqs)
    style = solved.spec.style
    number = NumberFormat(style.digits, style.decimal)
    checked = 0
    for block, (kind, name, it, entries) in zip(blocks, eqs):
        if it < 0:
            continue
        shown = matrix_entries(final_value(block)) if entries else [final_value(block)]
        for text_value, entry in zip(shown, entries or (name,), strict=True):
            value = expected(solved.answers, kind, entry, it)
            if value is not None:
                # the JSON double of an exact 0.995 is 0.99499999...; its shortest repr is 0.995
                allowed = {number.latex(Fraction(value)), number.latex(Fraction(repr(value)))}
                if kind == "given":  # a given value is shown as given
                    allowed = {number.latex(Fraction(repr(value)), exact=True)}
                assert text_value in allowed or _underflows(value, text_value), (kind, entry, block)
                checked += 1
    return checked


def _underflows(value: float, shown: str) -> bool:
    """A value below the smallest double is 0.0 in the JSON (correctly rounded) while the key prints
    its true magnitude (1.778 \\cdot 10^{-503}): both right."""
    m = re.search(r"10\^\{[-\u2212](\d+)\}", shown)
    return value == 0.0 and m is not None and int(m.group(1)) > 323
