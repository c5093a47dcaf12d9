"""IMS QTI 1.2 for Canvas Classic Quizzes: a zip with one assessment per problem.

Each variant is a ``numerical_question`` whose answer is the range value ± tolerance
(Canvas's margin-of-error form); the variants of a problem form a question group that
draws one.  Canvas Classic has no several-part numerical question, so a problem that
asks several quantities becomes one group per quantity (each question shows its
variant's given values).  Diagrams are files in the package.  The zip's bytes are the
same every run (fixed timestamps, sorted members).

``write`` adds a fragment (JSON: the items and files of one variant) under
``<problem>.qti.zip``; ``combine`` builds the package from every fragment.
"""

from __future__ import annotations

import hashlib
import io
import json
import xml.etree.ElementTree as ET
import zipfile
from typing import Any

import solgen.export.lms as lms
from solgen.export import SUFFIXES

SUFFIX = SUFFIXES["qti"]
NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _ident(*parts: str) -> str:
    return "g" + hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]


def _field(meta: ET.Element, label: str, entry: str) -> None:
    f = ET.SubElement(meta, "qtimetadatafield")
    ET.SubElement(f, "fieldlabel").text = label
    ET.SubElement(f, "fieldentry").text = entry


def _mat(parent: ET.Element, html: str) -> None:
    m = ET.SubElement(parent, "material")
    ET.SubElement(m, "mattext", {"texttype": "text/html"}).text = html


def item(solved: Any, answer: Any, image: str, feedback: str) -> ET.Element:
    ident = _ident(lms.question_id(solved), answer.key)
    it = ET.Element("item", {"ident": ident, "title": f"{lms.question_name(solved)}: {answer.key}"})
    meta = ET.SubElement(ET.SubElement(it, "itemmetadata"), "qtimetadata")
    _field(meta, "question_type", "numerical_question")
    _field(meta, "points_possible", "1.0")
    pres = ET.SubElement(it, "presentation")
    _mat(pres, lms.question_html(solved, image, [(answer.label, "")]))
    resp = ET.SubElement(pres, "response_str", {"ident": "response1", "rcardinality": "Single"})
    ET.SubElement(ET.SubElement(resp, "render_fib", {"fibtype": "Decimal"}), "response_label", {"ident": "answer1"})
    proc = ET.SubElement(it, "resprocessing")
    ET.SubElement(ET.SubElement(proc, "outcomes"), "decvar",
                  {"maxvalue": "100", "minvalue": "0", "varname": "SCORE", "vartype": "Decimal"})
    fb = ET.SubElement(proc, "respcondition", {"continue": "Yes"})
    ET.SubElement(ET.SubElement(fb, "conditionvar"), "other")
    ET.SubElement(fb, "displayfeedback", {"feedbacktype": "Response", "linkrefid": "general_fb"})
    cond = ET.SubElement(proc, "respcondition", {"continue": "No"})
    either = ET.SubElement(ET.SubElement(cond, "conditionvar"), "or")
    ET.SubElement(either, "varequal", {"respident": "response1"}).text = lms.number(answer.value)
    both = ET.SubElement(either, "and")
    ET.SubElement(both, "vargte", {"respident": "response1"}).text = lms.number(answer.value - answer.tolerance)
    ET.SubElement(both, "varlte", {"respident": "response1"}).text = lms.number(answer.value + answer.tolerance)
    ET.SubElement(cond, "setvar", {"action": "Set", "varname": "SCORE"}).text = "100"
    flow = ET.SubElement(ET.SubElement(it, "itemfeedback", {"ident": "general_fb"}), "flow_mat")
    _mat(flow, feedback)
    return it


def write(solved: Any, options: Any, out: dict[str, bytes]) -> None:
    answers = lms.asked_answers(solved)
    files = {}
    image = ""
    if solved.svg:
        path = f"images/{lms.image_name(solved)}"
        files[path] = solved.diagram_svg(True)
        image = f"$IMS-CC-FILEBASE$/{path}"
    feedback = lms.solution_html(solved)
    items = [{"group": a.key, "title": solved.spec.title,
              "xml": ET.tostring(item(solved, a, image, feedback), encoding="unicode")} for a in answers]
    out[lms.group(solved) + SUFFIX] = json.dumps({"items": items, "files": files}, sort_keys=True).encode()


def assessment(name: str, items: list[dict[str, str]]) -> bytes:
    title = items[0]["title"] if items else name
    root = ET.Element("questestinterop", {"xmlns": NS})
    test = ET.SubElement(root, "assessment", {"ident": _ident(name), "title": title})
    meta = ET.SubElement(ET.SubElement(test, "qtimetadata"), "qtimetadatafield")
    ET.SubElement(meta, "fieldlabel").text = "cc_maxattempts"
    ET.SubElement(meta, "fieldentry").text = "1"
    top = ET.SubElement(test, "section", {"ident": "root_section"})
    groups: dict[str, list[dict[str, str]]] = {}
    for i in items:
        groups.setdefault(i["group"], []).append(i)
    for key, members in groups.items():
        label = title if len(groups) == 1 else f"{title}: {key}"
        sec = ET.SubElement(top, "section", {"ident": _ident(name, key), "title": label})
        sel = ET.SubElement(ET.SubElement(sec, "selection_ordering"), "selection")
        ET.SubElement(sel, "selection_number").text = "1"
        ET.SubElement(ET.SubElement(sel, "selection_extension"), "points_per_item").text = "1.0"
        for m in members:
            sec.append(ET.fromstring(m["xml"]))
    ET.indent(root)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"


def manifest(name: str, quiz: str, files: list[str]) -> bytes:
    root = ET.Element("manifest", {"identifier": _ident(name, "manifest"), "xmlns": CP})
    ET.SubElement(root, "organizations")
    res = ET.SubElement(root, "resources")
    r = ET.SubElement(res, "resource", {"identifier": _ident(name, "quiz"), "type": "imsqti_xmlv1p2",
                                        "href": quiz})
    ET.SubElement(r, "file", {"href": quiz})
    for f in files:
        w = ET.SubElement(res, "resource", {"identifier": _ident(name, f), "type": "webcontent", "href": f})
        ET.SubElement(w, "file", {"href": f})
    ET.indent(root)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"


def combine(name: str, fragments: list[bytes]) -> bytes:
    stem = name.removesuffix(SUFFIX)
    items: list[dict[str, str]] = []
    files: dict[str, str] = {}
    for fragment in fragments:
        data = json.loads(fragment)
        items.extend(data["items"])
        files.update(data["files"])
    quiz = f"{stem}/{stem}.xml"
    members = {"imsmanifest.xml": manifest(stem, quiz, sorted(files)), quiz: assessment(stem, items)}
    members.update({k: v.encode() for k, v in files.items()})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for member in sorted(members):
            info = zipfile.ZipInfo(member, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, members[member])
    return buf.getvalue()
