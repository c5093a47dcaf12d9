"""A solved problem as the HTML an LMS shows: the question text and the worked solution.

Math is written as ``\\( ... \\)`` for MathJax (Moodle's and Canvas's filters read
it); text is HTML-escaped.  Layout lives in ``templates/lms/``; words come from the
message catalog.
"""

from __future__ import annotations

import html
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

from solgen.explain.solution import Eq, Rich
from solgen.messages import text


def rich(pieces: Rich) -> Markup:
    out = []
    for i, piece in enumerate(pieces):
        out.append(f"\\({html.escape(piece, quote=False)}\\)" if i % 2 else html.escape(piece, quote=False))
    return Markup("".join(out))


def equation(e: Eq) -> Markup:
    sides = list(e.sides)
    if e.boxed:
        sides[-1] = f"\\boxed{{{sides[-1]}}}"
    if e.short:
        body = f"{e.lhs} {e.rel} " + " = ".join(sides)
    else:
        body = f"\\begin{{aligned}}{e.lhs} &{e.rel} " + " \\\\ &= ".join(sides) + "\\end{aligned}"
    return Markup(f"\\({html.escape(body, quote=False)}\\)")


@cache
def environment() -> jinja2.Environment:
    from solgen.render.templates import template_root

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_root() / "lms")),
        undefined=jinja2.StrictUndefined, autoescape=True, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["rich"] = rich
    env.filters["equation"] = equation
    env.globals["say"] = text
    return env


def question(solved: Any, image: str, blanks: list[tuple[Rich, str]]) -> str:
    """The question text: given values, the diagram (``image`` is its src) and what to find;
    each blank is (label, what the LMS puts after it, e.g. a cloze field)."""
    spec = solved.spec
    tag = text("variants.lms_tag", variant=spec.variant.id) if spec.variant else ""
    return environment().get_template("question.html.j2").render(
        s=solved.solution, tag=tag, image=image, blanks=blanks, digits=spec.style.digits)


def solution(solved: Any) -> str:
    return environment().get_template("solution.html.j2").render(s=solved.solution)
