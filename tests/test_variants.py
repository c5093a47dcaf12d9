"""Issue 13: per-student variants, the class answer table and their guarantees.

Determinism is checked by content (the same text under another name or folder, another
process with another hash seed), constraint avoidance over 1,000 draws against the
variants' own values computed by PyTorch, and every variant's answers against PyTorch.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from solgen.batch import pool
from solgen.classroom.roster import counted
from solgen.classroom.variants import draw_class, load_plan
from solgen.cli import main
from tests.oracle.reference import torch_reference

ROOT = Path(__file__).resolve().parent.parent
HW = ROOT / "specs" / "hw_variants.toml"
SCHEMA = ROOT / "solgen" / "classroom" / "variants.schema.json"


def _variants(tmp: Path, *args: str) -> tuple[int, str]:
    r = CliRunner().invoke(main, ["variants", *args], catch_exceptions=False)
    return r.exit_code, r.output


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- the schema ----------------------------------------------------------------------
def test_schema_validates_the_bundled_example_and_rejects_a_wrong_table() -> None:
    import jsonschema

    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    table = tomllib.loads(HW.read_text())["variants"]
    jsonschema.validate(table, schema)
    for bad in ({"vary": {}}, {"vary": {"W1": {"min": 0, "max": 1}}}, {"vary": {"x": {"choices": []}}},
                {"vary": {"x": {"integers": [1, 2]}}, "avoid": ["dead"]}, {"seed": 1}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


def test_schema_lists_the_checks_the_code_knows() -> None:
    from solgen.classroom.plan import AVOID

    schema = json.loads(SCHEMA.read_text())
    assert schema["properties"]["avoid"]["items"]["enum"] == list(AVOID)


# -- determinism -----------------------------------------------------------------------
def test_same_content_same_variants_whatever_the_name_or_folder(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b" / "deep"
    b.mkdir(parents=True)
    a.mkdir()
    shutil.copy(HW, a / "hw_variants.toml")
    shutil.copy(HW, b / "other_name.toml")
    va = draw_class(str(a / "hw_variants.toml"), None, counted(6))
    vb = draw_class(str(b / "other_name.toml"), None, counted(6))
    assert [(v.id, v.answers) for v in va] == [(v.id, v.answers) for v in vb]
    assert len({v.id for v in va}) == 6


def test_another_process_and_hash_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    outs = []
    for hash_seed in ("1", "987"):
        out = tmp_path / f"out{hash_seed}"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run([sys.executable, "-m", "solgen.cli", "variants", str(HW), "--count", "5", "-o", str(out),
                        "-j", "1"], check=True, env=env, capture_output=True)
        outs.append(_tree(out))
    assert outs[0] == outs[1]
    assert set(outs[0]) == {f"s00{i}.toml" for i in range(1, 6)} | {"answers.csv", "answers.json"}


def test_order_and_added_students_do_not_change_a_variant() -> None:
    path = str(HW)
    first = {v.student: v for v in draw_class(path, None, ["ann", "bob", "cy"])}
    reordered = {v.student: v for v in draw_class(path, None, ["cy", "ann"])}
    more = {v.student: v for v in draw_class(path, None, ["dee", "cy", "bob", "ann", "eve"])}
    for s in ("ann", "cy"):
        assert reordered[s] == first[s]
    for s in ("ann", "bob", "cy"):
        assert more[s] == first[s]


def test_the_seed_changes_the_variants() -> None:
    a = draw_class(str(HW), None, counted(4))
    b = draw_class(str(HW), 99, counted(4))
    assert [v.id for v in a] != [v.id for v in b]
    assert "seed = 99" in b[0].text


# -- constraints -------------------------------------------------------------------------
def test_a_thousand_draws_have_no_dead_relu_tie_saturation_zero_or_duplicate() -> None:
    students = counted(1000)
    with pool(None, len(students)) as ex:
        drawn = draw_class(str(HW), None, students, ex)
    assert len({v.id for v in drawn}) == 1000
    seen_values = set()
    redrawn = 0
    for v in drawn:
        spec = tomllib.loads(v.text)
        ref = torch_reference(spec)["steps"][0]
        zs = [ref["forward"][f"z1[{j}]"] for j in (1, 2)]
        assert all(z > 0 for z in zs), (v.student, zs)  # the base problem has both ReLUs active
        assert abs(ref["forward"]["z2[1]"]) <= 4
        assert round(ref["gradients"]["W1[1,1]"], 10) != 0
        net = spec["network"]
        values = (tuple(net["inputs"]), tuple(map(tuple, net["layer"][0]["weights"])), tuple(net["layer"][0]["bias"]),
                  tuple(net["layer"][1]["weights"][0]), tuple(net["targets"]))
        assert values not in seen_values
        seen_values.add(values)
        redrawn += v.attempt > 0
    assert redrawn > 100  # the checks did reject draws (about 3 in 4 kill a ReLU here)


def test_every_variant_answers_agree_with_pytorch(tmp_path: Path) -> None:
    out = tmp_path / "class"
    code, output = _variants(tmp_path, str(HW), "--count", "40", "-o", str(out), "-j", "1")
    assert code == 0, output
    table = json.loads((out / "answers.json").read_text())
    assert len(table["students"]) == 40 and table["columns"] == ["dL/dW1[1,1]"]
    rows = list(csv.DictReader(io.StringIO((out / "answers.csv").read_text())))
    for row, entry in zip(rows, table["students"]):
        spec = tomllib.loads((out / f"{entry['student']}.toml").read_text())
        assert spec["variant"] == {"student": entry["student"], "id": entry["variant"], "seed": 2027,
                                   "problem": "hw_variants"}
        expected = torch_reference(spec)["steps"][0]["gradients"]["W1[1,1]"]
        got = entry["answers"]["dL/dW1[1,1]"]
        assert math.isclose(got["value"], expected, rel_tol=1e-9, abs_tol=1e-12)
        assert float(row["dL/dW1[1,1]"]) == got["value"]
        # one unit in the 4th significant digit
        assert got["tolerance"] == pytest.approx(10 ** (math.floor(math.log10(abs(expected))) - 3))
        assert float(row["dL/dW1[1,1] tolerance"]) == got["tolerance"]


def test_too_tight_a_constraint_is_one_spec_error_naming_it(tmp_path: Path) -> None:
    spec = tmp_path / "dead.toml"
    spec.write_text(HW.read_text().replace('W1 = { min = -1, max = 1, step = 0.1 }',
                                           'W1 = { min = -1, max = -0.5, step = 0.1 }')
                    .replace("b1 = { min = -0.5, max = 0.5, step = 0.1 }", 'b1 = { choices = [-0.5] }'))
    code, output = _variants(tmp_path, str(spec), "--count", "3", "-o", str(tmp_path / "out"))
    assert code == 2
    assert output.startswith("dead.toml: variants: no variant for student s001 in 100 draws: 100 failed 'dead_relu'")
    assert len(output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_too_few_distinct_variants_is_a_duplicates_error(tmp_path: Path) -> None:
    spec = tmp_path / "small.toml"
    text = HW.read_text()
    start = text.index("vary = ")
    spec.write_text(text[:start] + 'vary = { "t[1]" = { choices = [0, 1] } }\n')
    code, output = _variants(tmp_path, str(spec), "--count", "2", "-o", str(tmp_path / "two"))
    assert code == 0, output
    ids = [json.loads((tmp_path / "two" / "answers.json").read_text())["students"][i]["variant"] for i in (0, 1)]
    assert ids[0] != ids[1]
    code, output = _variants(tmp_path, str(spec), "--count", "3", "-o", str(tmp_path / "three"))
    assert code == 2 and "failed 'duplicates'" in output


def test_avoid_empty_allows_dead_relus(tmp_path: Path) -> None:
    spec = tmp_path / "dead.toml"
    spec.write_text(HW.read_text().replace('W1 = { min = -1, max = 1, step = 0.1 }',
                                           'W1 = { min = -1, max = -0.5, step = 0.1 }')
                    .replace("seed = 2027", 'seed = 2027\navoid = ["duplicates"]'))
    code, output = _variants(tmp_path, str(spec), "--count", "3", "-o", str(tmp_path / "out"))
    assert code == 0, output


@pytest.mark.parametrize("vary, message", [
    ('{ W9 = { choices = [1] } }', 'variants.vary.W9: there is no layer 9 (the network has 2)'),
    ('{ "W1[3,1]" = { choices = [1] } }', 'variants.vary."W1[3,1]": W1 has 2 rows and 2 columns'),
    ('{ W1 = { min = 1, max = 0, step = 0.1 } }', 'variants.vary.W1.max: 0 is below min = 1'),
    ('{ W1 = { min = 0, max = 1 } }', 'variants.vary.W1: give exactly one of { min, max, step }, '
                                      '{ choices = [...] } and { integers = [low, high] }'),
    ('{ W1 = { choices = [1] }, "W1[1,1]" = { choices = [2] } }',
     "variants.vary.\"W1[1,1]\": W1[1,1] is varied twice (also by 'W1')"),
    ('{ learning_rate = { choices = [1] } }',
     'variants.vary.learning_rate: the problem has no learning_rate to vary (add one to [network])'),
    ('{ z1 = { choices = [1] } }', "variants.vary.z1: 'z1' names no given value that can vary"),
])
def test_a_wrong_variants_table_is_one_line(tmp_path: Path, vary: str, message: str) -> None:
    spec = tmp_path / "bad.toml"
    text = HW.read_text()
    start = text.index("vary = ")
    spec.write_text(text[:start] + f"vary = {vary}\n")
    code, output = _variants(tmp_path, str(spec), "--count", "1", "-o", str(tmp_path / "out"))
    assert code == 2
    assert output.strip().startswith(f"bad.toml: {message}"), output
    assert not (tmp_path / "out").exists()


def test_roster_ids_name_the_files_and_bad_rosters_are_spec_errors(tmp_path: Path) -> None:
    out = tmp_path / "class"
    code, output = _variants(tmp_path, str(HW), "--roster", str(ROOT / "examples" / "roster.csv"), "-o", str(out))
    assert code == 0, output
    ids = [r["id"] for r in csv.DictReader((ROOT / "examples" / "roster.csv").open())]
    assert sorted(p.stem for p in out.glob("*.toml")) == sorted(ids)
    bad = tmp_path / "bad.csv"
    bad.write_text("id\nok1\n../evil\n")
    code, output = _variants(tmp_path, str(HW), "--roster", str(bad), "-o", str(tmp_path / "x"))
    assert code == 2 and output.startswith("bad.csv: line 3: '../evil' is not a student id")
    bad.write_text("id\nok1\nok1\n")
    code, output = _variants(tmp_path, str(HW), "--roster", str(bad), "-o", str(tmp_path / "x"))
    assert code == 2 and "listed twice" in output


def test_a_variant_renders_with_its_student_and_variant_id(tmp_path: Path) -> None:
    out = tmp_path / "class"
    code, output = _variants(tmp_path, str(HW), "--count", "2", "-o", str(out), "--format", "md,tex")
    assert code == 0, output
    vid = tomllib.loads((out / "s001.toml").read_text())["variant"]["id"]
    for folder in ("keys", "sheets"):
        assert f"**Student s001, variant {vid}**" in (out / folder / "s001.md").read_text()
        assert f"\\textbf{{Student s001, variant {vid}}}" in (out / folder / "s001.tex").read_text()
    sheet = (out / "sheets" / "s001.md").read_text()
    assert "Backward pass" not in sheet and "Backward pass" in (out / "keys" / "s001.md").read_text()
    # the key is exactly what `solgen render` makes of the variant's own file
    r = CliRunner().invoke(main, ["render", str(out / "s001.toml"), "-o", str(tmp_path / "again")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "again" / "s001.md").read_bytes() == (out / "keys" / "s001.md").read_bytes()


def test_solve_ignores_the_variants_table() -> None:
    from solgen.api import solve_toml

    text = HW.read_text()
    assert solve_toml(text) == solve_toml(text[:text.index("[variants]")])


def test_the_base_plan_reads_every_slot() -> None:
    plan, base = load_plan(str(HW), None)
    names = [s.name for s in plan.slots]
    assert names == ["x[1]", "x[2]", "W1[1,1]", "W1[1,2]", "W1[2,1]", "W1[2,2]", "W2[1,1]", "W2[1,2]",
                     "b1[1]", "b1[2]", "t[1]"]
    assert plan.seed == 2027 and plan.avoid == {"dead_relu", "saturation", "ties", "zero_gradients", "duplicates"}


@pytest.mark.parametrize("table, message", [
    ('[variant]\nstudent = "a"\nid = "b"\nseed = 1\n', "variant.problem: missing: solgen variants writes "
                                                        "student, id, seed and problem"),
    ('[variant]\nstudent = "a"\nid = "b"\nseed = 1\nproblem = "p"\nextra = 1\n', "variant.extra: unknown key"),
    ('[variant]\nstudent = "a"\nid = "b"\nseed = -1\nproblem = "p"\n', "variant.seed: must be at least 0, got -1"),
    ("variants = 3\n", "variants: expected a table, got 3"),
])
def test_the_reader_checks_variant_and_variants_tables(table: str, message: str) -> None:
    from solgen.errors import SpecError
    from solgen.spec.sections import parse_spec

    text = HW.read_text()
    base = text[:text.index("[variants]")]
    if table.startswith("variants"):
        base = table + base
    else:
        base += table
    with pytest.raises(SpecError) as e:
        parse_spec(base, "v.toml")
    assert str(e.value) == f"v.toml: {message}"


def test_toml_writer_round_trips_every_bundled_spec() -> None:
    from solgen.classroom.tomlwrite import dumps
    from solgen.spec.tomltext import read_toml

    for path in sorted((ROOT / "specs").glob("*.toml")):
        raw = read_toml(path.read_text(), path.name)
        assert tomllib.loads(dumps(raw)) == tomllib.loads(path.read_text()), path.name


def test_a_graph_varies_its_named_values_and_avoids_a_relu_tie(tmp_path: Path) -> None:
    spec = tmp_path / "g.toml"
    spec.write_text('title = "g"\n[graph]\ninputs = { x = 2 }\nparams = { w = 1, c = -1 }\n'
                    'nodes = ["h = relu(w*x + c)", "y = abs(h - 1)"]\nloss = "y^2"\n'
                    '[variants]\nvary = { w = { choices = [0.5, 1, 1.5] }, x = { integers = [1, 3] } }\n')
    drawn = draw_class(str(spec), None, counted(5))
    for v in drawn:
        g = tomllib.loads(v.text)["graph"]
        w, x, c = g["params"]["w"], g["inputs"]["x"], g["params"]["c"]
        assert w * x + c > 0  # the base has the ReLU active (2 - 1 = 1): no dead ReLU, no tie at 0
        assert max(w * x + c, 0) != 1  # abs(h - 1) at its kink would be a tie
    assert len({v.id for v in drawn}) == 5
