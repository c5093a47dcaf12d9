"""The example course repository (examples/course-repo/): its output/ is current, its
pre-commit hooks name real commands, and its workflow's steps run as written in a clean
clone (.ci/course_repo.py), failing when output/ is stale."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from solgen.pipeline import Options, documents, expand, solve_file

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "examples" / "course-repo"
WORKFLOW = COURSE / ".github" / "workflows" / "answer-keys.yml"


def test_the_example_output_is_current() -> None:
    options = Options(formats=("md", "tex", "json"))
    files: dict[str, bytes] = {}
    for spec in expand([str(COURSE / "specs")]):
        files.update(documents(solve_file(spec, options), options))
    on_disk = {p.name: p.read_bytes() for p in (COURSE / "output").iterdir()}
    assert on_disk == files, ("run: solgen render examples/course-repo/specs -o examples/course-repo/output "
                              "--format md,tex,json")


def test_the_hooks_run_solgen_commands() -> None:
    from solgen.cli import main

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"solgen-check", "solgen-output-current"}
    for hook in hooks:
        words = hook["entry"].split()
        assert words[0] == "solgen" and words[1] in main.commands and hook["language"] == "python"
    config = yaml.safe_load((COURSE / ".pre-commit-config.yaml").read_text())
    assert {h["id"] for r in config["repos"] for h in r["hooks"]} == {h["id"] for h in hooks}


def test_the_workflow_builds_keys_and_sheets() -> None:
    runs = "\n".join(s.get("run", "") for s in yaml.safe_load(WORKFLOW.read_text())["jobs"]["keys"]["steps"])
    assert "solgen check specs" in runs and "--check" in runs and "--problem --format pdf" in runs


@pytest.mark.skipif(not shutil.which("git") or not shutil.which("latexmk"), reason="needs git and TeX Live")
def test_the_workflow_steps_run_as_written_in_a_clean_clone(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(ROOT / ".ci" / "course_repo.py"), "--workdir", str(tmp_path)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    course = tmp_path / "course"
    assert sorted(p.name for p in (course / "build" / "keys").iterdir()) == [
        "hw1.html", "hw1.pdf", "quiz1.html", "quiz1.pdf"]
    assert all(p.read_bytes().startswith(b"%PDF") for p in (course / "build" / "sheets").iterdir())
    # The clean clone's pip-installed solgen renders a key from Python (no checkout on the path).
    code = ("import solgen, sys; k = solgen.load('specs/hw1.toml').solve(); "
            "assert solgen.__file__.startswith(sys.prefix), solgen.__file__; "
            "print(k.answers['steps'][0]['loss'], k.html().startswith('<!DOCTYPE html>'))")
    api = subprocess.run([str(tmp_path / "venv" / "bin" / "python"), "-c", code], cwd=course, capture_output=True,
                         text=True, env={"PATH": "/usr/bin:/bin"})
    assert api.returncode == 0 and api.stdout.split()[1] == "True", api.stderr
    # The stale-output step fails once output/ no longer matches the specs.
    (course / "output" / "hw1.md").write_text("edited by hand\n")
    step = next(s["run"] for s in yaml.safe_load(WORKFLOW.read_text())["jobs"]["keys"]["steps"]
                if "--check" in s.get("run", ""))
    venv_bin = tmp_path / "venv" / "bin"
    stale = subprocess.run(["bash", "-c", step], cwd=course, capture_output=True, text=True,
                           env={"PATH": f"{venv_bin}:/usr/bin:/bin"})
    assert stale.returncode == 1 and "would change:" in stale.stdout and "hw1.md" in stale.stdout
