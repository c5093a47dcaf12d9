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
    step = answers["steps"][iteration]
    if kind in ("forward", "loss"):
        return step["forward"][name]
    if kind == "adjoint":
        return step["gradients"][name]
    if kind == "update":
        return step["updated"][name]
    return None


def shown_equations(solution) -> list[tuple[str, str, int]]:
    out = [(e.kind, e.name, -1) for e in solution.definitions]
    for it in solution.iterations:
        for sec in it.sections:
            out += [(e.kind, e.name, it.number - 1) for e in sec.equations]
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
    for block, (kind, name, it) in zip(blocks, eqs):
        value = expected(solved.answers, kind, name, it) if it >= 0 else None
        if value is None:
            continue
        assert final_value(block) == fmt_.latex(_exact(value)), (kind, name, block)
        checked += 1
    assert checked > 0 or solved.solution.kind == "architecture"


def _exact(x: float):
    from fractions import Fraction

    return Fraction(x)
