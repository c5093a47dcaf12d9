"""Issue 13: Moodle XML and QTI 1.2 exports (structure checked with lxml) and ``-j N``.

Moodle has no published XSD for its question format, nor is the QTI 1.2 XSD at hand
offline; the structure checked here is what Moodle's qformat_xml and Canvas's QTI
importer read: the elements, their nesting and the numbers in them.
"""

from __future__ import annotations

import base64
import io
import json
import re
import tomllib
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from solgen.cli import main

ROOT = Path(__file__).resolve().parent.parent
HW = ROOT / "specs" / "hw_variants.toml"
QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
CP = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"


def _run(*args: str) -> str:
    r = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return r.output


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def klass(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("class")
    _run("variants", str(HW), "--count", "6", "-o", str(out), "--format", "moodle,qti,json", "-j", "2")
    return out


def _answers(out: Path) -> dict[str, dict[str, float]]:
    table = json.loads((out / "answers.json").read_text())
    return {s["variant"]: s["answers"]["dL/dW1[1,1]"] for s in table["students"]}


def test_moodle_one_category_and_one_numerical_question_per_variant(klass: Path) -> None:
    root = etree.parse(str(klass / "hw_variants.moodle.xml")).getroot()
    assert root.tag == "quiz"
    questions = root.findall("question")
    assert questions[0].get("type") == "category"
    assert questions[0].findtext("category/text") == "$course$/top/solgen/hw_variants"
    answers = _answers(klass)
    assert len(questions) == 1 + len(answers) == 7
    for q in questions[1:]:
        assert q.get("type") == "numerical"
        vid = q.findtext("idnumber").removeprefix("hw_variants-")
        a = q.find("answer")
        assert a.get("fraction") == "100"
        assert float(a.findtext("text")) == answers[vid]["value"]
        assert float(a.findtext("tolerance")) == answers[vid]["tolerance"]
        text = q.find("questiontext")
        assert text.get("format") == "html"
        html = etree.fromstring(f"<div>{text.findtext('text')}</div>", etree.HTMLParser())
        assert html is not None and f"Variant {vid}" in text.findtext("text")
        img = text.find("file")
        assert img.get("encoding") == "base64" and f'src="@@PLUGINFILE@@/{img.get("name")}"' in text.findtext("text")
        assert base64.b64decode(img.text).startswith(b"<svg")
        feedback = q.findtext("generalfeedback/text")
        assert "\\frac{\\partial L}{\\partial w^{(1)}_{11}}" in feedback and "\\boxed{" in feedback
        assert feedback.count("\\(") == feedback.count("\\)") > 10


def test_moodle_cloze_for_several_answers(tmp_path: Path) -> None:
    _run("render", str(ROOT / "specs" / "mazur.toml"), "-o", str(tmp_path), "--format", "moodle,json")
    root = etree.parse(str(tmp_path / "mazur.moodle.xml")).getroot()
    (q,) = root.findall("question[@type='cloze']")
    text = q.findtext("questiontext/text")
    fields = re.findall(r"\{1:NUMERICAL:=([^:}]+):([^}]+)\}", text)
    key = json.loads((tmp_path / "mazur.json").read_text())["steps"][0]
    params = [k for k in key["gradients"] if k not in key["forward"]]  # in the order of the graph
    expected = [key["loss"]] + [key[part][w] for w in params for part in ("gradients", "updated")
                                if w in key[part]]
    assert [float(v) for v, _ in fields] == expected
    assert all(0 < float(t) < 1e-3 for _, t in fields)
    assert q.findtext("defaultgrade") == str(len(fields))


def test_qti_package_one_group_per_problem_with_ranges(klass: Path) -> None:
    data = (klass / "hw_variants.qti.zip").read_bytes()
    z = zipfile.ZipFile(io.BytesIO(data))
    names = z.namelist()
    assert names == sorted(names) and "imsmanifest.xml" in names
    assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in z.infolist())
    manifest = etree.fromstring(z.read("imsmanifest.xml"))
    res = manifest.findall(f"{CP}resources/{CP}resource")
    quiz = [r for r in res if r.get("type") == "imsqti_xmlv1p2"]
    assert len(quiz) == 1 and quiz[0].get("href") == "hw_variants/hw_variants.xml"
    files = {r.get("href") for r in res if r.get("type") == "webcontent"}
    assert files == {n for n in names if n.startswith("images/")}
    root = etree.fromstring(z.read("hw_variants/hw_variants.xml"))
    (test,) = root.findall(f"{QTI}assessment")
    (group,) = test.findall(f"{QTI}section/{QTI}section")
    assert group.findtext(f"{QTI}selection_ordering/{QTI}selection/{QTI}selection_number") == "1"
    items = group.findall(f"{QTI}item")
    answers = _answers(klass)
    assert len(items) == len(answers) == 6
    values = sorted(a["value"] for a in answers.values())
    seen = []
    for item in items:
        fields = {f.findtext(f"{QTI}fieldlabel"): f.findtext(f"{QTI}fieldentry")
                  for f in item.iter(f"{QTI}qtimetadatafield")}
        assert fields["question_type"] == "numerical_question"
        cond = item.find(f"{QTI}resprocessing/{QTI}respcondition[@continue='No']/{QTI}conditionvar/{QTI}or")
        exact = float(cond.findtext(f"{QTI}varequal"))
        low, high = float(cond.findtext(f"{QTI}and/{QTI}vargte")), float(cond.findtext(f"{QTI}and/{QTI}varlte"))
        tol = next(a["tolerance"] for a in answers.values() if a["value"] == exact)
        assert low == pytest.approx(exact - tol) and high == pytest.approx(exact + tol)
        assert item.find(f"{QTI}presentation/{QTI}response_str/{QTI}render_fib").get("fibtype") == "Decimal"
        assert "\\(" in item.findtext(f"{QTI}itemfeedback/{QTI}flow_mat/{QTI}material/{QTI}mattext")
        seen.append(exact)
    assert sorted(seen) == values


def test_exports_are_the_same_bytes_every_run(klass: Path, tmp_path: Path) -> None:
    _run("variants", str(HW), "--count", "6", "-o", str(tmp_path), "--format", "moodle,qti,json", "-j", "1")
    assert _tree(tmp_path) == _tree(klass)


def test_decimal_comma_shows_commas_and_stores_points(tmp_path: Path) -> None:
    spec = tmp_path / "comma.toml"
    spec.write_text(HW.read_text().replace("[variants]", '[style]\ndecimal = ","\n\n[variants]'))
    _run("variants", str(spec), "--count", "2", "-o", str(tmp_path / "out"), "--format", "moodle,qti")
    root = etree.parse(str(tmp_path / "out" / "comma.moodle.xml")).getroot()
    for q in root.findall("question[@type='numerical']"):
        float(q.findtext("answer/text"))  # a machine number: a decimal point
        assert "," not in q.findtext("answer/text")
        assert re.search(r"\d\{,\}\d", q.findtext("generalfeedback/text"))
    answers = json.loads((tmp_path / "out" / "answers.json").read_text())["students"][0]["answers"]
    assert "," in answers["dL/dW1[1,1]"]["shown"]


def test_render_of_a_variant_folder_gives_one_file_per_problem(klass: Path, tmp_path: Path) -> None:
    _run("render", str(klass), "-o", str(tmp_path), "--format", "moodle,qti")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hw_variants.moodle.xml", "hw_variants.qti.zip"]
    assert (tmp_path / "hw_variants.moodle.xml").read_bytes() == (klass / "hw_variants.moodle.xml").read_bytes()


def test_architecture_only_has_nothing_to_export(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["render", str(ROOT / "specs" / "seed004_q4_architecture.toml"), "-o",
                                  str(tmp_path), "--format", "moodle"])
    assert r.exit_code == 2
    assert r.output.strip() == ("seed004_q4_architecture.toml: an architecture-only or symbolic problem has no "
                                "numeric answers to export")


def test_parallel_render_equals_serial(tmp_path: Path) -> None:
    for jobs in ("1", "2"):
        _run("render", str(ROOT / "specs"), "-o", str(tmp_path / jobs), "--format", "md,tex,json", "-j", jobs)
    assert _tree(tmp_path / "1") == _tree(tmp_path / "2")
    assert _tree(tmp_path / "1") == {k: v for k, v in _tree(ROOT / "output").items()}


def test_parallel_render_reports_spec_errors_like_serial(tmp_path: Path) -> None:
    bad = tmp_path / "specs"
    bad.mkdir()
    (bad / "a.toml").write_text(HW.read_text())
    (bad / "b.toml").write_text('title = "x"\n')
    outs = []
    for jobs in ("1", "2"):
        r = CliRunner().invoke(main, ["render", str(bad), "-o", str(tmp_path / jobs), "-j", jobs])
        assert r.exit_code == 2
        outs.append(r.output)
        assert not (tmp_path / jobs).exists()
    assert outs[0] == outs[1]


def test_variant_files_read_back_as_the_table_they_came_from(klass: Path) -> None:
    base = tomllib.loads(HW.read_text())
    for path in klass.glob("*.toml"):
        variant = tomllib.loads(path.read_text())
        assert variant["title"] == base["title"] and variant["ask"] == base["ask"]
        assert "variants" not in variant and variant["variant"]["student"] == path.stem
        assert variant["network"]["layer"][1]["bias"] == base["network"]["layer"][1]["bias"]  # not varied
