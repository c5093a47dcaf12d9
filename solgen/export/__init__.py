"""Output formats: one writer each, one registry line each.

``pipeline.documents`` and the CLI's ``--format`` iterate over ``FORMATS`` and never
branch on a format's name.  Importing this module is cheap (writers import what they
need when they run), so ``solgen --help`` stays instant.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import documents, html


@dataclass(frozen=True)
class Format:
    name: str
    write: Callable[[Any, Any, dict[str, bytes]], None]  # (solved, options, files so far) -> adds its files


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("md", documents.markdown),
        Format("tex", documents.latex),
        Format("pdf", documents.pdf),
        Format("json", documents.answers),
        Format("html", html.html),
    )
}
