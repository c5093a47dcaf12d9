"""The Solution: what a worked answer shows, in order, as plain data.

Math is held as LaTeX fragments (the same in Markdown and LaTeX output);
plain text is held unescaped and escaped by each output's template.  A
``Rich`` is a run of pieces alternating text, math, text, math, ...
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from solgen.record import record

Rich = tuple[str, ...]  # text, math, text, math, ...
Chunks = tuple[str, ...]  # the terms of one side, for line wrapping


@dataclass(frozen=True)
class Eq:
    lhs: str
    steps: tuple[Chunks, ...]  # each "= ..." in turn; the last is the value
    kind: str  # forward, loss, local, adjoint, update, given
    name: str = ""  # canonical name of the quantity (local: "child/parent")
    rel: str = "="
    note: Rich = ()
    boxed: bool = False
    entries: tuple[str, ...] = ()  # vector/matrix values: canonical names, row-major

    @property
    def sides(self) -> tuple[str, ...]:
        """Each step as one string (its terms joined)."""
        return tuple(" ".join(s) for s in self.steps)

    @property
    def short(self) -> bool:
        """Fits one line of an HTML page or an LMS feedback (a browser wraps nothing in MathML):
        then it is set as one display."""
        width = len(self.lhs) + sum(len(s) + 3 for s in self.sides)
        return width < 160 and max(len(s) for s in self.steps) <= 6


@record
class Table:
    header: tuple[Rich, ...]
    rows: tuple[tuple[Rich, ...], ...]


@record
class Section:
    title: str
    intro: Rich
    equations: tuple[Eq, ...]
    table: Table | None = None  # shown after the equations (an optimizer's state after the step)
    caption: Rich = ()  # a sentence before the table


@record
class Iteration:
    number: int
    sections: tuple[Section, ...]


@record
class Solution:
    title: str
    description: str
    kind: str  # "worked" or "architecture"
    conventions: tuple[Rich, ...]
    given: Table
    definitions: tuple[Eq, ...]
    iterations: tuple[Iteration, ...]
    summary: Table | None
    facts: dict[str, int] = field(default_factory=dict)
    diagram: str = ""  # TikZ picture for LaTeX
    sheet_diagram: str = ""  # the question sheet's TikZ picture when it differs from the key's
    # ... drawn on demand (render/diagram ``SheetPicture``): ``render`` fills sheet_diagram from it
    sheet: Any = field(default=None, compare=False, repr=False)
    image: str = ""  # Markdown image reference to the SVG beside the .md
    variant: str = ""  # "Student s01, variant 3fa2c19b" on a variant's sheet and key (plain text)
    asked: tuple[Rich, ...] = ()  # what the spec's ask list asks for, as the sheet lists it
    find: Rich = ()  # the sentence before that list
    examples: Table | None = None  # a batch's examples, one row each (shown with the given values)
    examples_caption: Rich = ()
    given_math: tuple[Eq, ...] = ()  # the given values as vectors and matrices (compact detail)
    language: str = "en"  # [style] language: the catalog the templates' headings come from
    detail: str = "compact"  # [style] detail: "compact" or "full" (one quantity per display)
