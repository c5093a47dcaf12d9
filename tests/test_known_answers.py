"""Published answers from cited sources, reproduced end to end."""

from pathlib import Path

import pytest

from solgen.pipeline import solve_file

SPECS = Path(__file__).resolve().parent.parent / "specs"


def test_mazur_published_numbers() -> None:
    """Matt Mazur, "A Step by Step Backpropagation Example" (2015): E_total = 0.298371109,
    w5+ = 0.35891648, w1+ = 0.149780716 (his w5 is W2[1,1], his w1 is W1[1,1])."""
    step = solve_file(SPECS / "mazur.toml").answers["steps"][0]
    assert step["loss"] == pytest.approx(0.298371109, abs=5e-10)
    assert step["updated"]["W2[1,1]"] == pytest.approx(0.35891648, abs=5e-9)
    assert step["updated"]["W1[1,1]"] == pytest.approx(0.149780716, abs=5e-10)
