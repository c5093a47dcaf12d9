"""The corpus of wrong specs: each gives exactly its one-line message, exit 2, and nothing else.

tests/bad_specs/ holds one wrong spec per file and expected.txt, the exact line each
must print on stderr (``FILE: place: problem``).  A spec whose first line is
``# args: ...`` runs with those extra options (``--max-parameters 5``).  Every spec
is checked through both commands: ``solve`` prints nothing on stdout, ``render``
writes nothing into its -o folder.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from solgen.cli import main

HERE = Path(__file__).parent
CORPUS = HERE / "bad_specs"
EXPECTED = CORPUS / "expected.txt"
SPECS = sorted(CORPUS.glob("*.toml"))


def expected_lines() -> dict[str, str]:
    out: dict[str, str] = {}
    for line in EXPECTED.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name = line.split(": ", 1)[0]
            assert name not in out, f"{name} is listed twice in expected.txt"
            out[name] = line
    return out


def extra_args(spec: Path) -> list[str]:
    first = spec.read_bytes()[:200].split(b"\n", 1)[0]
    if first.startswith(b"# args:"):
        return shlex.split(first[len(b"# args:"):].decode())
    return []


EXPECTED_LINES = expected_lines()


def run(args: list[str]):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_the_corpus_is_complete():
    names = {p.name for p in SPECS}
    assert len(names) >= 40
    assert names == set(EXPECTED_LINES), (
        f"specs without a message: {sorted(names - set(EXPECTED_LINES))}; "
        f"messages without a spec: {sorted(set(EXPECTED_LINES) - names)}")


def test_the_corpus_covers_the_issue():
    """Every kind of mistake the issue lists has at least one spec (by file-name prefix)."""
    kinds = ["syntax_", "not_utf8", "empty", "neither_", "both_", "missing_", "typo_", "type_",
             "nan_", "inf_", "shape_rows", "shape_columns", "shape_bias", "shape_targets", "shape_upstream",
             "units_zero", "units_negative", "iterations_negative", "learning_rate_negative",
             "frozen_names_nothing", "graph_used_before_defined", "graph_node_defined_twice",
             "graph_node_uses_itself", "graph_input_and_param", "expr_unknown_function", "expr_bad_syntax",
             "domain_log", "domain_division_by_zero", "overflow_exp_exp", "too_many_parameters",
             "too_large_default_limit", "latex_"]
    names = [p.name for p in SPECS]
    missing = [k for k in kinds if not any(n.startswith(k) for n in names)]
    assert not missing


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_solve_gives_exactly_the_message(spec: Path, monkeypatch):
    monkeypatch.chdir(CORPUS)
    result = run(["solve", *extra_args(spec), spec.name])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == EXPECTED_LINES[spec.name] + "\n"


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_render_gives_the_message_and_writes_nothing(spec: Path, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(CORPUS)
    out = tmp_path / "out"
    result = run(["render", *extra_args(spec), spec.name, "-o", str(out), "--format", "md,tex,json"])
    assert result.exit_code == 2, result.output
    assert result.stderr == EXPECTED_LINES[spec.name] + "\n"
    assert result.stdout == ""
    assert not out.exists() or not any(out.iterdir())


def test_messages_have_a_file_a_place_and_a_problem():
    for name, line in EXPECTED_LINES.items():
        file, place, problem = (line.split(": ", 2) + ["", ""])[:3]
        assert file == name
        assert place and problem, line
        assert "Traceback" not in line and "\n" not in line


def test_a_bad_spec_in_a_batch_stops_the_whole_batch(tmp_path: Path):
    """One wrong spec among good ones: exit 2, its message, and not even the good ones written."""
    batch = tmp_path / "batch"
    batch.mkdir()
    good = HERE.parent / "specs" / "mazur.toml"
    (batch / "a_good.toml").write_bytes(good.read_bytes())
    (batch / "b_bad.toml").write_bytes((CORPUS / "typo_activation.toml").read_bytes())
    (batch / "c_good.toml").write_bytes(good.read_bytes())
    out = tmp_path / "out"
    result = run(["render", str(batch), "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr == EXPECTED_LINES["typo_activation.toml"].replace("typo_activation", "b_bad") + "\n"
    assert not out.exists() or not any(out.iterdir())


def test_every_bad_spec_in_a_batch_is_reported(tmp_path: Path):
    batch = tmp_path / "batch"
    batch.mkdir()
    names = ["nan_weight.toml", "empty.toml", "typo_loss.toml"]
    for n in names:
        (batch / n).write_bytes((CORPUS / n).read_bytes())
    result = run(["render", str(batch), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [EXPECTED_LINES[n] for n in sorted(names)]


def test_the_size_limit_is_raised_by_the_option(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(CORPUS)
    small = run(["solve", "--max-parameters", "10", "too_many_parameters.toml"])
    assert small.exit_code == 0, small.output
    big = run(["render", "--max-parameters", "20000", "too_large_default_limit.toml",
               "-o", str(tmp_path), "--format", "json"])
    assert big.exit_code == 0, big.output
    assert (tmp_path / "too_large_default_limit.json").exists()


@pytest.mark.parametrize("name", ["syntax_unclosed_string.toml", "not_utf8.toml",
                                  "domain_log_nonpositive.toml", "overflow_exp_exp.toml",
                                  "too_many_parameters.toml"])
def test_as_a_real_process(name: str, tmp_path: Path):
    """The installed command line, not just click's runner: same line, exit 2, no traceback."""
    spec = CORPUS / name
    cmd = [sys.executable, "-m", "solgen.cli"]
    solve = subprocess.run([*cmd, "solve", *extra_args(spec), str(spec)], capture_output=True, text=True,
                           timeout=120)
    assert (solve.returncode, solve.stdout, solve.stderr) == (2, "", EXPECTED_LINES[name] + "\n")
    out = tmp_path / "out"
    render = subprocess.run([*cmd, "render", *extra_args(spec), str(spec), "-o", str(out)],
                            capture_output=True, text=True, timeout=120)
    assert (render.returncode, render.stdout, render.stderr) == (2, "", EXPECTED_LINES[name] + "\n")
    assert not out.exists() or not any(out.iterdir())


def test_a_missing_file_is_one_line(tmp_path: Path):
    result = run(["solve", str(tmp_path / "nope.toml")])
    assert result.exit_code == 2
    assert result.stderr == "nope.toml: cannot read the file (No such file or directory)\n"


def regenerate() -> None:
    """Rewrite expected.txt from what solgen says now (after a deliberate wording change)."""
    import os

    os.chdir(CORPUS)
    header = [line for line in EXPECTED.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    lines = []
    for spec in SPECS:
        result = CliRunner().invoke(main, ["solve", *extra_args(spec), spec.name])
        lines.append(result.stderr.rstrip("\n"))
    EXPECTED.write_text("\n".join(header + lines) + "\n", encoding="utf-8")


if __name__ == "__main__" and "--regenerate" in sys.argv:
    regenerate()
