"""Every value printed in a rendered key equals the JSON answer, to the shown digits.

The numbers are read back out of the Markdown and LaTeX text (the last
'= value' of each display equation), not taken from the Solution object.
"""

from pathlib import Path

import pytest

from solgen.pipeline import Options, solve_file
from tests.printed import check_printed

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").glob("*.toml"))


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_printed_values_equal_json(spec: Path, fmt: str) -> None:
    solved = solve_file(spec, Options(formats=(fmt,)))
    if solved.spec.style.rounding == "carry":
        pytest.skip("carry mode shows hand-rounded values on purpose")
    checked = check_printed(solved, fmt)
    assert checked > 0 or not solved.answers["steps"]  # architecture-only or symbolic: no numbers
