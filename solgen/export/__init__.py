"""Output formats: one writer each, one registry line each.

``pipeline.documents`` and the CLI's ``--format`` iterate over ``FORMATS`` and never
branch on a format's name.  Importing this module is cheap (writers import what they
need when they run, and a format's module is imported when it is first used), so
``solgen --help`` stays instant and a Markdown render never loads XML or zip code.

A format with ``combine`` writes one file for many specs (Moodle XML, a QTI zip: one
question per variant of a problem): its writer adds a fragment under the combined
file's name, and ``gather`` joins the fragments of every spec, in order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from solgen.lazy import lazy
from solgen.record import record

from . import documents


@record
class Format:
    name: str
    write: Callable[[Any, Any, dict[str, bytes]], None]  # (solved, options, files so far) -> adds its files
    suffix: str = ""  # with combine: the ending of the combined file's name
    combine: Callable[[str, list[bytes]], bytes] | None = None  # (file name, fragments) -> the file
    explained: bool = True  # needs the worked solution and the diagram (the JSON answers do not)


def _html() -> Callable[..., Any]:
    from .html import html

    return html


def _moodle() -> ModuleType:
    from . import moodle

    return moodle


def _qti() -> ModuleType:
    from . import qti

    return qti


SUFFIXES = {"moodle": ".moodle.xml", "qti": ".qti.zip"}  # the combined files' endings

FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("md", documents.markdown),
        Format("tex", documents.latex),
        Format("pdf", documents.pdf),
        Format("json", documents.answers, explained=False),
        Format("html", lazy(_html)),
        Format("moodle", lazy(lambda: _moodle().write), SUFFIXES["moodle"], lazy(lambda: _moodle().combine)),
        Format("qti", lazy(lambda: _qti().write), SUFFIXES["qti"], lazy(lambda: _qti().combine)),
    )
}


def combined(name: str) -> Format | None:
    """The combining format whose file this is, if any."""
    for f in FORMATS.values():
        if f.combine is not None and name.endswith(f.suffix):
            return f
    return None


def gather(per_spec: Iterable[dict[str, bytes]]) -> dict[str, bytes]:
    """The files of many specs: combined files joined from their fragments, the rest as they are."""
    out: dict[str, bytes] = {}
    fragments: dict[str, list[bytes]] = {}
    for files in per_spec:
        for name, data in files.items():
            if combined(name) is not None:
                fragments.setdefault(name, []).append(data)
            else:
                out[name] = data
    for name, parts in fragments.items():
        out[name] = combined(name).combine(name, parts)  # type: ignore[union-attr]
    return out
