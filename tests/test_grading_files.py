"""solgen grade from the command line: answer files (CSV, TOML, JSON), bad submissions, the
spec's [grading] table, variant folders, the outputs, and the seeds' own answers."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from solgen.cli import main

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
SEEDS = ROOT / "tests" / "seed_answers"
MAZUR = str(SPECS / "mazur.toml")
# mazur's key, to 4 digits: z1[1] = 0.3775, a1[1] = 0.5933, dW2[1,1] = 0.08217, W2[1,1] (updated) = 0.3589
HEADER = "id,z1[1],a1[1],dW2[1,1],W2[1,1]"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["grade", *args])
    return result.exit_code, result.stdout, result.stderr


def gradebook(folder: Path) -> list[dict[str, str]]:
    with open(folder / "gradebook.csv", newline="") as f:
        return list(csv.DictReader(f))


def write(tmp: Path, name: str, text: str) -> str:
    path = tmp / name
    path.write_text(text)
    return str(path)


def test_a_class_csv_gives_a_gradebook_and_feedback_pages(tmp_path: Path) -> None:
    answers = write(tmp_path, "answers.csv", f"{HEADER}\nann,0.3775,0.5933,0.08217,0.3589\n"
                                             "ben,0.3775,0.5933,-0.08217,0.4411\n")
    out = tmp_path / "grades"
    code, stdout, err = run(MAZUR, answers, "-o", str(out))
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["ann.md", "ben.md", "gradebook.csv"]
    rows = gradebook(out)
    assert rows[0] == {"id": "ann", "score": "4", "max": "4", "first_wrong_step": "", "diagnosis": ""}
    assert rows[1]["score"] == "3" and rows[1]["first_wrong_step"] == "dW2[1,1]"
    ben = (out / "ben.md").read_text()
    assert "The first wrong step is dW2\\[1,1\\]." in ben
    # W2[1,1]' = 0.40 - 0.5 * (-0.08217) follows from ben's own gradient: credited, flagged
    assert "Credited as carried forward" in ben and "follows from your earlier values" in ben
    assert "\\frac{\\partial L}{\\partial w^{(2)}_{11}}" in ben  # the correct working of the step


def test_the_bundled_example_grades(tmp_path: Path) -> None:
    code, _, err = run(str(SPECS / "mazur.toml"), str(ROOT / "examples" / "grading" / "answers.csv"),
                       "-o", str(tmp_path))
    assert code == 0, err
    rows = {r["id"]: r for r in gradebook(tmp_path)}
    assert rows["ada"]["score"] == rows["ada"]["max"] and rows["ada"]["first_wrong_step"] == ""
    # ben wrote dz2[1] = 9.011 (sigma' as a/(1-a)^2) and carried it on with its unrounded value
    # 9.0107...: dW2[1,2] = 9.0107 * 0.59688 = 5.378 (9.011 * 0.59688 would be 5.379) still follows
    assert (rows["ben"]["first_wrong_step"], rows["ben"]["diagnosis"]) == ("dz2[1]", "sigmoid_ratio")
    assert rows["ben"]["score"] == "9"
    assert (rows["cid"]["first_wrong_step"], rows["cid"]["diagnosis"]) == ("W2[1,1]", "update_sign")
    assert (rows["dee"]["first_wrong_step"], rows["dee"]["diagnosis"]) == ("z1[1]", "w_transposed")


def test_shuffled_columns_grade_the_same(tmp_path: Path) -> None:
    a = write(tmp_path, "a.csv", f"{HEADER}\nann,0.3775,0.5,0.08217,0.3589\n")
    b = write(tmp_path, "b.csv", "W2[1,1],dW2[1,1],id,a1[1],z1[1]\n0.3589,0.08217,ann,0.5,0.3775\n")
    assert run(MAZUR, a, "-o", str(tmp_path / "a"))[0] == 0
    assert run(MAZUR, b, "-o", str(tmp_path / "b"))[0] == 0
    assert gradebook(tmp_path / "a") == gradebook(tmp_path / "b")
    assert gradebook(tmp_path / "a")[0]["first_wrong_step"] == "a1[1]"


def test_cell_messages_never_a_traceback(tmp_path: Path) -> None:
    answers = write(tmp_path, "answers.csv",
                    "id,z1[1],dW2[1,2],W9[1,1],email\n"
                    "ann,0.3775,abc,1,ann@example.org\n"
                    "ben,,0.08267\n")
    code, _, err = run(MAZUR, answers, "-o", str(tmp_path / "out"))
    assert code == 0, err
    assert "answers.csv: row 2, column dW2[1,2]: 'abc' is not a number; taken as not answered" in err
    assert "answers.csv: column W9[1,1]: names no quantity of mazur.toml; ignored" in err
    assert "answers.csv: column email: names no quantity of mazur.toml; ignored" in err
    assert "answers.csv: row 3: 3 cells, but the header has 5 columns" in err
    assert "Traceback" not in err
    rows = {r["id"]: r for r in gradebook(tmp_path / "out")}
    assert rows["ann"]["score"] == "1" and rows["ann"]["max"] == "2"  # dW2[1,2] not answered
    assert rows["ben"]["score"] == "1"  # z1[1] blank
    assert "'abc' is not a number" in (tmp_path / "out" / "ann.md").read_text()


def test_decimal_commas(tmp_path: Path) -> None:
    semicolons = write(tmp_path, "s.csv", "id;z1[1];a1[1]\nann;0,3775;0,5933\n")
    quoted = write(tmp_path, "q.csv", 'id,z1[1],a1[1]\nann,"0,3775","0,5933"\n')
    for path in (semicolons, quoted):
        out = tmp_path / Path(path).stem
        assert run(MAZUR, path, "-o", str(out))[0] == 0
        assert gradebook(out)[0]["score"] == "2"
    bare = write(tmp_path, "bare.csv", "id,z1[1],a1[1]\nann,0,3775,0,5933\n")
    code, _, err = run(MAZUR, bare, "-o", str(tmp_path / "bare"))
    assert code == 2 and "bare.csv: row 2: 5 cells, but the header has 3 columns (a decimal comma" in err
    assert not (tmp_path / "bare").exists()


@pytest.mark.parametrize(("text", "message"), [
    ("z1[1],a1[1]\n0.3775,0.5933\n", 'bad.csv: line 1: the header needs exactly one "id" column'),
    ("id,z1[1]\nann,0.3775\nann,0.3\n", "bad.csv: row 3: the id 'ann' is also on row 2"),
    ("id,z1[1],z1[1]\nann,1,2\n", "bad.csv: line 1, column 3: 'z1[1]' is also column 2"),
    ("id,dW2[1,1],d:W2[1,1]\nann,1,2\n", "bad.csv: column d:W2[1,1]: names the same quantity as column dW2[1,1]"),
    ("id,z1[1]\n../x,1\n", "bad.csv: row 2, column id: '../x' cannot name a feedback file"),
    ("", "bad.csv: no header"),
])
def test_a_malformed_file_is_exit_2_and_writes_nothing(tmp_path: Path, text: str, message: str) -> None:
    bad = write(tmp_path, "bad.csv", text)
    code, _, err = run(MAZUR, bad, "-o", str(tmp_path / "out"))
    assert code == 2 and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "out").exists()


def test_toml_and_json_per_student_and_the_other_spellings(tmp_path: Path) -> None:
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "ann.toml").write_text('"z1[1]" = 0.3775\n"dL/dW2[1,1]" = "0,08217"\n"W2[1,1]\'" = 0.3589\n')
    (folder / "ben.json").write_text(json.dumps({"id": "ben", "answers": {"d:W2[1,1]": 0.08217,
                                                                          "new:W2[1,1]": "0.9", "a1[1]": [1]}}))
    code, _, err = run(MAZUR, str(folder), "-o", str(tmp_path / "out"))
    assert code == 0, err
    rows = {r["id"]: r for r in gradebook(tmp_path / "out")}
    assert rows["ann"]["score"] == rows["ann"]["max"] == "3"
    assert rows["ben"]["first_wrong_step"] == "W2[1,1]" and rows["ben"]["diagnosis"] == ""
    assert "ben.json: a1[1]: '[\"1\"]' is not a number; taken as not answered" in err
    bad = write(tmp_path, "bad.toml", '"z1[1]" = \n')
    code, _, err = run(MAZUR, bad, "-o", str(tmp_path / "o2"))
    assert code == 2 and err.startswith("bad.toml: TOML syntax")


def test_the_spec_grading_table(tmp_path: Path) -> None:
    spec = tmp_path / "hw.toml"
    spec.write_text((SPECS / "mazur.toml").read_text() + '\n[grading]\necf = false\npoints = 2\n'
                    '[grading.sections]\nupdates = 3\n[grading.quantities]\n"dW2[1,1]" = 5\n')
    answers = write(tmp_path, "a.csv", f"{HEADER}\nann,0.3775,0.5933,-0.08217,0.4411\n")
    code, _, err = run(str(spec), answers, "-o", str(tmp_path / "out"))
    assert code == 0, err
    row = gradebook(tmp_path / "out")[0]
    assert row["max"] == str(2 + 2 + 5 + 3) and row["score"] == "4"  # the carried update earns nothing
    assert run(str(spec), answers, "--credit", "ecf", "-o", str(tmp_path / "o2"))[0] == 0
    assert gradebook(tmp_path / "o2")[0]["score"] == "7"
    spec.write_text((SPECS / "mazur.toml").read_text() + '\n[grading]\nsections = { forwards = 1 }\n')
    code, _, err = run(str(spec), answers, "-o", str(tmp_path / "o3"))
    assert code == 2 and "hw.toml: grading.sections.forwards: unknown section" in err
    spec.write_text((SPECS / "mazur.toml").read_text() + '\n[grading]\ngraded = ["dW9[1,1]"]\n')
    code, _, err = run(str(spec), answers, "-o", str(tmp_path / "o4"))
    assert code == 2 and "hw.toml: grading.graded: 'dW9[1,1]' names no quantity" in err


def test_tolerance_option(tmp_path: Path) -> None:
    answers = write(tmp_path, "a.csv", "id,z1[1]\nann,0.38\n")  # 0.3775: within 0.005 of 0.38
    for tol, score in (("shown", "1"), ("0.001", "0"), ("1%", "1"), ("0.1%", "0")):
        assert run(MAZUR, answers, "--tolerance", tol, "-o", str(tmp_path / tol))[0] == 0
        assert gradebook(tmp_path / tol)[0]["score"] == score, tol
    code, _, err = run(MAZUR, answers, "--tolerance", "lots", "-o", str(tmp_path / "x"))
    assert code == 2 and "--tolerance" in err


def test_a_folder_of_variants_grades_each_student_against_their_own_spec(tmp_path: Path) -> None:
    variants = tmp_path / "hw"
    variants.mkdir()
    shutil.copy(SPECS / "mazur.toml", variants / "ann.toml")
    (variants / "ben.toml").write_text((SPECS / "mazur.toml").read_text().replace("0.05, 0.10", "1, 0.10"))
    # z1[1] = 0.15 x1 + 0.20 x2 + 0.35: 0.3775 for ann (x1 = 0.05), 0.52 for ben (x1 = 1)
    answers = write(tmp_path, "a.csv", "id,z1[1]\nann,0.3775\nben,0.52\n")
    code, _, err = run(str(variants), answers, "-o", str(tmp_path / "out"))
    assert code == 0, err
    assert [r["score"] for r in gradebook(tmp_path / "out")] == ["1", "1"]
    missing = write(tmp_path, "m.csv", "id,z1[1]\ncid,0.3775\n")
    code, _, err = run(str(variants), missing, "-o", str(tmp_path / "o2"))
    assert code == 2 and "no variant spec cid.toml" in err


def test_pdf_feedback(tmp_path: Path) -> None:
    if not shutil.which("latexmk"):
        pytest.skip("TeX is not installed")
    answers = write(tmp_path, "a.csv", f"{HEADER}\nann,\u22120.3775,x\U0001F600,-0.08217,0.4411\n")
    code, _, err = run(MAZUR, answers, "--format", "md,pdf", "-o", str(tmp_path / "out"))
    assert code == 0, err  # a Unicode minus and an emoji in a cell do not break LaTeX
    pdf = (tmp_path / "out" / "ann.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert "x\U0001F600" in (tmp_path / "out" / "ann.md").read_text()
    assert run(MAZUR, answers, "--format", "docx", "-o", str(tmp_path / "x"))[0] == 2


# --- the seeds' own answers, against their corrected specs ---------------------------------------

SEED_REPORTS = {  # id: (first wrong step, diagnosis): what each spec's description says went wrong
    "seed000": ("", ""),  # every result the seed wrote is right; its slip is in line 54's factors:
    "seed000-line54": ("dz1[1]", ""),  # with those factors (-20, -20) the first wrong step is dL/dy1
    "seed001": ("z1[1]", "w_transposed"),  # w2 and w3 swapped in the hidden layer
    "seed002": ("dB1", "missing_path"),  # B1 feeds C1 and C2: two paths, not one
    "seed003": ("old:b2[1]@2", ""),  # iteration 2 starts from b2 = -0.335 where the update gave -0.535
    "seed004-q2": ("", ""),  # question 2 has no mistake to correct
    "seed004-q3": ("a2[1]", "relu_negative"),  # relu(-2) = 0, but the seed kept -2
}


@pytest.mark.parametrize("csv_path", sorted(SEEDS.glob("*.csv")), ids=lambda p: p.stem)
def test_the_seeds_own_answers_find_each_seeds_first_mistake(tmp_path: Path, csv_path: Path) -> None:
    code, _, err = run(str(SPECS / f"{csv_path.stem}.toml"), str(csv_path), "-o", str(tmp_path))
    assert code == 0 and not err, err
    for row in gradebook(tmp_path):
        assert (row["first_wrong_step"], row["diagnosis"]) == SEED_REPORTS[row["id"]], row


def test_seed002_credits_what_follows_from_the_missing_path(tmp_path: Path) -> None:
    run(str(SPECS / "seed002_graph_abcd.toml"), str(SEEDS / "seed002_graph_abcd.csv"), "-o", str(tmp_path))
    page = (tmp_path / "seed002.md").read_text()
    # dA1 = dB1 u11 + dB2 u21 = 2(-2) + 0(1) = -4: wrong against the key (-12), right from the seed's own values
    assert "| dA1 | \\-4 | \\-12 | follows from your earlier values | 1 / 1 |" in page
