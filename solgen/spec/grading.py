"""The spec's optional ``[grading]`` table: how ``solgen grade`` scores a submission.

```toml
[grading]
ecf = true                  # credit a step that follows from the student's own earlier values
tolerance = "shown"         # "shown" (half a unit in the last shown digit), a number, or "2%"
points = 1                  # points of every graded quantity
graded = ["L", "dW1[1,1]"]  # the quantities a sheet is marked on (default: every one answered)
[grading.sections]          # points per section: forward, loss, gradients, updates, values
gradients = 2
[grading.quantities]        # points of single quantities, by canonical name
"dW1[1,2]" = 3
```

Names are checked against the graph when grading (the reader does not build the graph).
"""

from __future__ import annotations

import re
from dataclasses import field
from fractions import Fraction
from typing import Any

from solgen.record import record

from .reader import Reader, key_path, kind_of

SECTIONS = ("forward", "loss", "gradients", "updates", "values")
KEYS = ("ecf", "tolerance", "points", "graded", "sections", "quantities")
_PERCENT = re.compile(r"\s*(\d+(?:\.\d+)?)\s*%\s*\Z")


@record
class Tolerance:
    """``shown``: half a unit in the last digit the student wrote; else absolute or relative."""

    mode: str = "shown"  # shown | absolute | relative
    value: Fraction = Fraction(0)


@record
class GradingPolicy:
    ecf: bool = True
    tolerance: Tolerance = Tolerance()
    points: Fraction = Fraction(1)
    graded: tuple[str, ...] = ()
    sections: dict[str, Fraction] = field(default_factory=dict)
    quantities: dict[str, Fraction] = field(default_factory=dict)


def parse_tolerance(value: Any) -> Tolerance | None:
    """``"shown"``, ``"2%"`` or a non-negative number (a Fraction, int or decimal string); None if neither."""
    if isinstance(value, str):
        if value.strip() == "shown":
            return Tolerance()
        m = _PERCENT.match(value)
        if m:
            return Tolerance("relative", Fraction(m.group(1)) / 100)
        try:
            value = Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            return None
    if isinstance(value, bool) or not isinstance(value, (int, Fraction)) or value < 0:
        return None
    return Tolerance("absolute", Fraction(value))


def read_grading(r: Reader, value: Any) -> GradingPolicy:
    table = r.table(value, "grading")
    r.keys(table, KEYS, "grading")
    d = GradingPolicy()
    ecf = table.get("ecf", d.ecf)
    if not isinstance(ecf, bool):
        raise r.fail("grading.ecf", f"expected true or false, got {kind_of(ecf)}")
    tolerance = d.tolerance
    if "tolerance" in table:
        parsed = parse_tolerance(table["tolerance"])
        if parsed is None:
            raise r.fail("grading.tolerance", 'expected "shown", a number of at least 0, or a percentage '
                         f'such as "2%", got {kind_of(table["tolerance"])}')
        tolerance = parsed
    graded = table.get("graded", [])
    if not isinstance(graded, list):
        raise r.fail("grading.graded", f"expected a list of names, got {kind_of(graded)}")
    names = tuple(r.string(v, f"grading.graded[{i}]") for i, v in enumerate(graded, 1))
    sections = _points_table(r, table.get("sections", {}), "grading.sections")
    for name in sections:
        if name not in SECTIONS:
            raise r.fail(key_path("grading.sections", name), "unknown section (expected one of: "
                         + ", ".join(SECTIONS) + ")")
    return GradingPolicy(ecf, tolerance, _points(r, table.get("points", 1), "grading.points"), names,
                         sections, _points_table(r, table.get("quantities", {}), "grading.quantities"))


def _points(r: Reader, value: Any, place: str) -> Fraction:
    number = r.number(value, place)
    if number < 0:
        raise r.fail(place, f"points cannot be negative, got {float(number):g}")
    return number


def _points_table(r: Reader, value: Any, place: str) -> dict[str, Fraction]:
    return {name: _points(r, v, key_path(place, name)) for name, v in r.table(value, place).items()}
