"""What the Moodle and QTI exports share: the asked answers, names, numbers and HTML."""

from __future__ import annotations

from typing import Any

from solgen.errors import SpecError
from solgen.messages import text


def asked_answers(solved: Any) -> tuple[Any, ...]:
    from solgen.classroom.answers import asked

    if solved.derivation is None:
        raise SpecError(solved.spec.file, "", "an architecture-only or symbolic problem has no "
                        "numeric answers to export")
    return asked(solved.spec, solved.derivation)


def number(x: float) -> str:
    """A machine number (always a decimal point: Moodle and Canvas store answers so)."""
    return repr(float(x))


def group(solved: Any) -> str:
    """The problem a spec belongs to: a variant's base problem, else the spec itself."""
    v = solved.spec.variant
    return v.problem if v else solved.spec.stem


def question_id(solved: Any) -> str:
    v = solved.spec.variant
    return f"{group(solved)}-{v.id}" if v else solved.spec.stem


def question_name(solved: Any) -> str:
    v = solved.spec.variant
    title = solved.spec.title
    return f"{title} ({text('variants.lms_tag', variant=v.id)})" if v else title


def image_name(solved: Any) -> str:
    return question_id(solved) + ".svg"


def question_html(solved: Any, image: str, blanks: list[tuple[Any, str]]) -> str:
    from .lmshtml import question

    return question(solved, image, blanks)


def solution_html(solved: Any) -> str:
    from .lmshtml import solution

    return solution(solved)
