"""The command line, as a user runs it (click's CliRunner)."""

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from solgen import __version__
from solgen.cli import main

SPECS = Path(__file__).resolve().parent.parent / "specs"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_version_and_help() -> None:
    code, out, _ = run("--version")
    assert code == 0 and __version__ in out
    code, out, _ = run("render", "--help")
    assert code == 0 and "--problem" in out and "--check" in out


def test_render_writes_md_and_tex(tmp_path: Path) -> None:
    code, _, err = run("render", str(SPECS / "mazur.toml"), "-o", str(tmp_path))
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mazur.md", "mazur.svg", "mazur.tex"]
    md = (tmp_path / "mazur.md").read_text()
    assert "\\boxed{0.2984}" in md and "0.3775" in md


def test_render_a_folder_and_json(tmp_path: Path) -> None:
    code, _, err = run("render", str(SPECS), "-o", str(tmp_path), "--format", "json")
    assert code == 0, err
    names = {p.name for p in tmp_path.iterdir()}
    assert names == {p.stem + ".json" for p in SPECS.glob("*.toml")}


def test_solve_prints_the_contract_json() -> None:
    code, out, _ = run("solve", str(SPECS / "mazur.toml"))
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"title", "steps", "facts"}
    step = data["steps"][0]
    assert set(step) == {"iteration", "forward", "loss", "gradients", "updated"}
    assert step["iteration"] == 0 and data["facts"]["parameters"] == 10
    assert "b1" not in step["updated"]  # frozen
    assert {"x[1]", "a1[1]", "W2[1,1]", "b2"} <= set(step["gradients"])


def test_architecture_only_json() -> None:
    code, out, _ = run("solve", str(SPECS / "seed004_q4_architecture.toml"))
    data = json.loads(out)
    assert code == 0 and data["steps"] == []
    assert data["facts"]["parameters"] == 784 * 512 + 512 + 512 * 512 + 512 + 512 * 10 + 10


def test_check_exits_1_after_a_spec_changes(tmp_path: Path) -> None:
    spec = tmp_path / "p.toml"
    shutil.copy(SPECS / "mazur.toml", spec)
    out = tmp_path / "out"
    assert run("render", str(spec), "-o", str(out))[0] == 0
    assert run("render", str(spec), "-o", str(out), "--check")[0] == 0
    spec.write_text(spec.read_text().replace("0.05, 0.10", "0.06, 0.10"))
    code, stdout, _ = run("render", str(spec), "-o", str(out), "--check")
    assert code == 1 and "p.md" in stdout and "p.tex" in stdout


def test_bad_spec_one_line_exit_2_nothing_written(tmp_path: Path) -> None:
    spec = tmp_path / "hw3.toml"
    spec.write_text((SPECS / "mazur.toml").read_text().replace("[[0.40, 0.45], [0.50, 0.55]]",
                                                              "[[0.4, 0.45], [0.5, 0.55], [1, 2]]"))
    out = tmp_path / "out"
    code, stdout, stderr = run("render", str(spec), "-o", str(out))
    assert code == 2
    assert stderr.strip() == "hw3.toml: network.layer[2].weights: 3 rows, but the layer has 2 units"
    assert not out.exists()
    code, stdout, stderr = run("solve", str(spec))
    assert code == 2 and stdout == ""


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("render", str(SPECS / "mazur.toml"), "--format", "docx", "-o", str(tmp_path))
    assert code == 2 and "docx" in err
