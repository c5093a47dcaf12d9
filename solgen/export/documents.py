"""The core formats: Markdown (+ its SVG diagram), LaTeX, PDF and the JSON answers."""

from __future__ import annotations

import json
from typing import Any


def _text(solved: Any, options: Any, fmt: str) -> bytes:
    from solgen.render.templates import render

    return render(solved.solution, fmt, options.templates, options.problem).encode()


def markdown(solved: Any, options: Any, out: dict[str, bytes]) -> None:
    stem = solved.spec.stem
    out[f"{stem}.md"] = _text(solved, options, "md")
    if solved.svg:
        out[f"{stem}.svg"] = solved.diagram_svg(options.problem).encode()


def latex(solved: Any, options: Any, out: dict[str, bytes]) -> None:
    out[f"{solved.spec.stem}.tex"] = _text(solved, options, "tex")


def pdf(solved: Any, options: Any, out: dict[str, bytes]) -> None:
    from solgen.render.pdf import build_pdf

    stem = solved.spec.stem
    tex = out.get(f"{stem}.tex") or _text(solved, options, "tex")
    out[f"{stem}.pdf"] = build_pdf(tex, stem, ours=not options.templates)


def answers(solved: Any, options: Any, out: dict[str, bytes]) -> None:
    out[f"{solved.spec.stem}.json"] = (json.dumps(solved.answers, indent=2) + "\n").encode()
