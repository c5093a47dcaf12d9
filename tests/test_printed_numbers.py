"""Every value printed in a rendered key equals the JSON answer, to the shown digits.

The numbers are read back out of the Markdown and LaTeX text (the last
'= value' of each display equation), not taken from the Solution object.
"""

import re
from pathlib import Path

import pytest

from solgen.numbers import NumberFormat
from solgen.pipeline import Options, documents, solve_file

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").glob("*.toml"))
MD_BLOCK = re.compile(r"^\$\$\n(.*?)\n\$\$$", re.S | re.M)
TEX_BLOCK = re.compile(r"^\\\[ (.*?) \\\]$|^\\begin\{align\*\}\n(.*?)\n\\end\{align\*\}", re.S | re.M)


def final_value(block: str) -> str:
    block = block.replace("\\end{aligned}", "").strip()
    last = re.split(r"(?:^|[\s&])(?:=|\\leftarrow) ", block)[-1].strip()
    m = re.fullmatch(r"\\boxed\{(.*)\}", last)
    return m.group(1) if m else last


def expected(answers: dict, kind: str, name: str, iteration: int) -> float | None:
    if kind == "symbolic":
        return None
    step = answers["steps"][iteration]
    kind = kind.removeprefix("vector-")
    if kind in ("forward", "loss"):
        return step["forward"][name]
    if kind == "adjoint":
        return step["gradients"][name]
    if kind == "update":
        return step["updated"].get(name)
    return None


def matrix_entries(value: str) -> list[str]:
    m = re.fullmatch(r"\\begin\{bmatrix\} (.*) \\end\{bmatrix\}", value)
    if not m:
        return [value]
    return [c.strip() for row in m.group(1).split("\\\\") for c in row.split("&")]


def shown_equations(solution) -> list[tuple[str, str, int]]:
    out = [(e.kind, e.name, -1, e.entries) for e in solution.definitions]
    for it in solution.iterations:
        for sec in it.sections:
            out += [(e.kind, e.name, it.number - 1, e.entries) for e in sec.equations]
    return out


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_printed_values_equal_json(spec: Path, fmt: str) -> None:
    options = Options(formats=(fmt,))
    solved = solve_file(spec, options)
    if solved.spec.style.rounding == "carry":
        pytest.skip("carry mode shows hand-rounded values on purpose")
    text = documents(solved, options)[f"{spec.stem}.{fmt}"].decode()
    if fmt == "md":
        blocks = MD_BLOCK.findall(text)
    else:
        blocks = [a or b for a, b in TEX_BLOCK.findall(text)]
    eqs = shown_equations(solved.solution)
    assert len(blocks) == len(eqs)
    style = solved.spec.style
    fmt_ = NumberFormat(style.digits, style.decimal)
    checked = 0
    for block, (kind, name, it, entries) in zip(blocks, eqs):
        if it < 0:
            continue
        shown = matrix_entries(final_value(block)) if entries else [final_value(block)]
        for text, entry in zip(shown, entries or (name,), strict=True):
            value = expected(solved.answers, kind, entry, it)
            if value is not None:
                assert text == fmt_.latex(_exact(value)), (kind, entry, block)
                checked += 1
    assert checked > 0 or not solved.answers["steps"]  # architecture-only or symbolic: no numbers


def _exact(x: float):
    from fractions import Fraction

    return Fraction(x)
