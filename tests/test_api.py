"""The Python API: solgen.load (path, TOML text, dict) -> Problem -> Key."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import solgen
from solgen.pipeline import Options, documents, solve_file

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").glob("*.toml"))


def test_import_and_help_do_not_import_sympy() -> None:
    code = "import sys, solgen; assert 'sympy' not in sys.modules and 'jinja2' not in sys.modules, sorted(sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "solgen.cli", "--help"],
                         capture_output=True, text=True, check=True)
    assert "Usage" in out.stdout and "sympy" not in out.stderr and "latex2mathml" not in out.stderr


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_path_text_and_dict_give_the_cli_answers(spec: Path) -> None:
    cli = json.loads(subprocess.run([sys.executable, "-m", "solgen.cli", "solve", str(spec)],
                                    capture_output=True, text=True, check=True).stdout)
    text = spec.read_text()
    assert solgen.load(spec).solve().answers == cli
    assert solgen.load(str(spec)).solve().answers == cli
    assert solgen.load(text, name=spec.name).solve().answers == cli
    # a dict with Python floats: each float is its shortest decimal, as typed in the file
    assert solgen.load(tomllib.loads(text), name=spec.name).solve().answers == cli


def test_documents_equal_what_the_cli_renders() -> None:
    spec = ROOT / "specs" / "mazur.toml"
    key = solgen.load(spec).solve()
    assert key.markdown() == (ROOT / "output" / "mazur.md").read_text()
    assert key.latex() == (ROOT / "output" / "mazur.tex").read_text()
    assert json.loads(key.json()) == key.answers
    assert key.svg == (ROOT / "output" / "mazur.svg").read_text()
    sheet = documents(solve_file(spec), Options(formats=("md",), problem=True))["mazur.md"].decode()
    assert key.problem_sheet() == sheet == solgen.load(spec).problem_sheet()
    assert key.html().startswith("<!DOCTYPE html>")


def test_answers_is_a_copy() -> None:
    key = solgen.load(ROOT / "specs" / "mazur.toml").solve()
    key.answers["steps"].clear()
    assert key.answers["steps"]


def test_pdf_is_bytes() -> None:
    pdf = solgen.load(ROOT / "specs" / "seed004_q2_upstream.toml").solve().pdf()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")


def test_write_writes_the_render_files(tmp_path: Path) -> None:
    paths = solgen.load(ROOT / "specs" / "mazur.toml").solve().write(tmp_path, ("md", "json"))
    assert sorted(p.name for p in paths) == ["mazur.json", "mazur.md", "mazur.svg"]
    assert (tmp_path / "mazur.md").read_bytes() == (ROOT / "output" / "mazur.md").read_bytes()


@pytest.mark.parametrize(("source", "file", "place", "problem"), [
    ('title = "t"\n[network]\ninputs = [1]\n', "spec.toml", "network.layer",
     "missing: add at least one [[network.layer]]"),
    ({"title": "t", "network": {"inputs": [float("nan")]}}, "spec.toml", "network.inputs[1]",
     "nan is not allowed: give a finite number"),
    ({"title": "t", "network": {"inputs": [object()]}}, "spec.toml", "network.inputs[1]",
     "a spec holds only TOML values (str, bool, int, float, list, dict), got object"),
    ({"title": "t", "graph": {"inputs": {"a": 1}, "nodes": ["b = __import__('os').system('x')"], "loss": "b"}},
     "spec.toml", "graph.nodes[1]", None),
    ({1: "t"}, "spec.toml", "", "a key must be a string, got int 1"),
])
def test_spec_errors_name_file_place_and_problem(source: object, file: str, place: str, problem: str | None) -> None:
    with pytest.raises(solgen.SpecError) as info:
        solgen.load(source)  # type: ignore[arg-type]
    e = info.value
    assert (e.file, e.place) == (file, place)
    if problem is not None:
        assert e.problem == problem
    assert str(e) == (f"{file}: {place}: {e.problem}" if place else f"{file}: {e.problem}")


def test_a_missing_file_is_a_spec_error(tmp_path: Path) -> None:
    with pytest.raises(solgen.SpecError) as info:
        solgen.load(tmp_path / "nope.toml")
    assert info.value.file == "nope.toml" and "cannot read" in info.value.problem


def test_dict_floats_are_their_shortest_decimal() -> None:
    from fractions import Fraction

    p = solgen.load({"title": "t", "graph": {"inputs": {"x": 0.1}, "params": {"w": 0.2},
                                             "nodes": ["y = w*x"], "loss": "y"}})
    assert p.spec.problem.inputs["x"] == Fraction(1, 10) and p.spec.problem.params["w"] == Fraction(1, 5)


def test_load_rejects_other_types() -> None:
    with pytest.raises(TypeError):
        solgen.load(42)  # type: ignore[arg-type]


def test_variants_are_those_the_command_draws(tmp_path: Path) -> None:
    """Problem.variants gives the specs `solgen variants` writes, and each solves."""
    from click.testing import CliRunner

    from solgen.cli import main

    spec = Path(__file__).resolve().parents[1] / "specs" / "hw_variants.toml"
    drawn = solgen.load(spec).variants(count=3)
    result = CliRunner().invoke(main, ["variants", str(spec), "--count", "3", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for problem, sid in zip(drawn, ("s001", "s002", "s003")):
        written = solgen.load(tmp_path / f"{sid}.toml")
        assert problem.solve().answers == written.solve().answers
    assert len({str(p.solve().answers["steps"]) for p in drawn}) == 3  # three different variants
    with pytest.raises(TypeError):
        solgen.load(spec.read_text()).variants(count=1)
