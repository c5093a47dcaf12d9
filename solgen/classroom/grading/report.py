"""Graded submissions -> ``gradebook.csv`` and a feedback page per student (Markdown, LaTeX, PDF).

The pages are laid out by ``templates/markdown/feedback.md.j2`` and
``templates/latex/feedback.tex.j2``; every sentence comes from the ``[grading]`` section
of the message catalog.  The correct working of the first wrong step is the key's own
equation for that step (the scalar explainer's).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from fractions import Fraction

from solgen.core.evaluate import Value
from solgen.core.numbers import NumberFormat
from solgen.explain.solution import Eq
from solgen.messages import speaking, text

from .grade import Graded, Mark
from .mistakes import MISTAKES
from .run import Prepared

EQ_KINDS = {"forward": ("forward", "loss"), "gradient": ("adjoint",), "update": ("update",), "old": ("update",)}


@dataclass(frozen=True)
class Row:
    name: str
    yours: str
    key: str
    status: str
    points: str


@dataclass(frozen=True)
class First:
    name: str
    yours: str
    key: str
    own: str  # what the student's own values give ("" if undefined)
    diagnoses: tuple[str, ...]  # the catalog's sentences
    working: Eq | None


@dataclass(frozen=True)
class Feedback:
    title: str
    id: str
    score: str
    max: str
    first: First | None
    also_wrong: tuple[str, ...]
    rows: tuple[Row, ...]
    carried: tuple[str, ...]
    ecf: bool
    problems: tuple[str, ...]


def points_text(p: Fraction) -> str:
    if p.denominator == 1:
        return str(p.numerator)
    return f"{float(p):.3f}".rstrip("0").rstrip(".")


def _sig(answer_text: str) -> int:
    mantissa = answer_text.lower().split("e")[0].split("x")[0]
    digits = "".join(c for c in mantissa if c.isdigit()).lstrip("0")
    return max(len(digits), 1)


def _value(graded: Graded, v: Value, mark: Mark) -> str:
    style = graded.sheet.spec.style
    digits = max(style.digits, _sig(mark.answer.text) if mark.answer else 0)
    return NumberFormat(min(digits, 15), style.decimal).text(v)


def working(prep: Prepared, mark: Mark) -> Eq | None:
    step = mark.step
    k = step.iteration - 1 if step.kind == "old" else step.iteration
    for section in prep.working.iterations[k].sections:
        for eq in section.equations:
            if eq.name == step.node and eq.kind in EQ_KINDS[step.kind]:
                return eq
    return None


def feedback(graded: Graded, prep: Prepared) -> Feedback:
    rows = tuple(Row(m.step.name, m.answer.text if m.answer else "", _value(graded, m.key, m),
                     text(f"grading.status.{m.status}"), f"{points_text(m.earned)} / {points_text(m.points)}")
                 for m in graded.marks)
    first = None
    wrong = graded.first_wrong
    if wrong is not None:
        first = First(wrong.step.name, wrong.answer.text if wrong.answer else "", _value(graded, wrong.key, wrong),
                      _value(graded, wrong.own, wrong) if wrong.own is not None else "",
                      tuple(MISTAKES[d].description for d in wrong.diagnoses), working(prep, wrong))
    also = tuple(m.step.name for m in graded.marks if m.status == "wrong" and m is not wrong)
    return Feedback(graded.sheet.spec.title, graded.id, points_text(graded.score), points_text(graded.max),
                    first, also, rows, tuple(m.step.name for m in graded.carried), graded.ecf, graded.problems)


def gradebook(results: list[Graded]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["id", "score", "max", "first_wrong_step", "diagnosis"])
    for g in results:
        first = g.first_wrong
        w.writerow([g.id, points_text(g.score), points_text(g.max), first.step.name if first else "",
                    " or ".join(first.diagnoses) if first else ""])
    return out.getvalue().encode()


def render_feedback(fb: Feedback, fmt: str) -> str:
    from solgen.render.latexsafe import text_needs
    from solgen.render.templates import environment

    # student text (a cell quoted in a message) may hold any character: the preamble gets what it needs
    needs = text_needs(fb.title, fb.id, *fb.problems, *(r.yours for r in fb.rows))
    env = environment(fmt)
    name = "feedback.md.j2" if fmt == "md" else "feedback.tex.j2"
    return env.get_template(name).render(f=fb, t=text, needs=needs)


def documents(results: list[tuple[Graded, Prepared]], formats: tuple[str, ...]) -> dict[str, bytes]:
    from solgen.render.pdf import build_pdf

    files = {"gradebook.csv": gradebook([g for g, _ in results])}
    for graded, prep in results:
        with speaking(graded.sheet.spec.style.language):  # the course's language
            fb = feedback(graded, prep)
            if "md" in formats:
                files[f"{graded.id}.md"] = render_feedback(fb, "md").encode()
            if "tex" in formats or "pdf" in formats:
                tex = render_feedback(fb, "tex").encode()
                if "tex" in formats:
                    files[f"{graded.id}.tex"] = tex
                if "pdf" in formats:
                    files[f"{graded.id}.pdf"] = build_pdf(tex, graded.id)
    return files
