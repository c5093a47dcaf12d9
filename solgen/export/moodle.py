"""Moodle XML: one question category per problem, one question per variant.

A problem that asks one quantity becomes a ``numerical`` question, one that asks
several a ``cloze`` question with a ``{n:NUMERICAL:=value:tolerance}`` field each.
The tolerance is absolute, one unit in the last digit the key shows; the worked
solution is the general feedback, its diagram an embedded file.  Moodle's "random
question from category" then hands each student a variant.

``write`` adds one ``<question>`` (a fragment) under ``<problem>.moodle.xml``;
``combine`` joins the fragments of every variant of a problem into one quiz file.
"""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from typing import Any

import solgen.export.lms as lms
from solgen.export import SUFFIXES

SUFFIX = SUFFIXES["moodle"]


def _text(parent: ET.Element, tag: str, value: str, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    ET.SubElement(el, "text").text = value
    return el


def question(solved: Any) -> ET.Element:
    answers = lms.asked_answers(solved)
    image = lms.image_name(solved)
    one = len(answers) == 1
    if one:
        blanks = [(answers[0].label, "")]
    else:
        blanks = [(a.label, f"{{1:NUMERICAL:={lms.number(a.value)}:{lms.number(a.tolerance)}}}") for a in answers]
    body = lms.question_html(solved, f"@@PLUGINFILE@@/{image}" if solved.svg else "", blanks)
    q = ET.Element("question", {"type": "numerical" if one else "cloze"})
    _text(q, "name", lms.question_name(solved))
    qt = _text(q, "questiontext", body, format="html")
    if solved.svg:
        f = ET.SubElement(qt, "file", {"name": image, "path": "/", "encoding": "base64"})
        f.text = base64.b64encode(solved.diagram_svg(True).encode()).decode()
    _text(q, "generalfeedback", lms.solution_html(solved), format="html")
    ET.SubElement(q, "defaultgrade").text = str(len(answers))
    ET.SubElement(q, "penalty").text = "0.3333333"
    ET.SubElement(q, "hidden").text = "0"
    ET.SubElement(q, "idnumber").text = lms.question_id(solved)
    if one:
        a = answers[0]
        ans = _text(q, "answer", lms.number(a.value), fraction="100")
        ET.SubElement(ans, "tolerance").text = lms.number(a.tolerance)
        _text(ans, "feedback", "", format="html")
        for tag, value in (("unitgradingtype", "0"), ("unitpenalty", "0.1000000"), ("showunits", "3"),
                           ("unitsleft", "0")):
            ET.SubElement(q, tag).text = value
    return q


def write(solved: Any, options: Any, out: dict[str, bytes]) -> None:
    out[lms.group(solved) + SUFFIX] = ET.tostring(question(solved), encoding="unicode").encode()


def combine(name: str, fragments: list[bytes]) -> bytes:
    quiz = ET.Element("quiz")
    cat = ET.SubElement(quiz, "question", {"type": "category"})
    _text(cat, "category", f"$course$/top/solgen/{name.removesuffix(SUFFIX)}")
    _text(cat, "info", "", format="html")
    for fragment in fragments:
        quiz.append(ET.fromstring(fragment))
    ET.indent(quiz)
    return ET.tostring(quiz, encoding="UTF-8", xml_declaration=True) + b"\n"
