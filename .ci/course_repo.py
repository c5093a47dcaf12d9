#!/usr/bin/env python3
"""Run the example course repository's CI workflow, step by step as written, in a clean clone.

    python3 .ci/course_repo.py [--workdir DIR]

1. ``git clone`` this repository (its committed HEAD) into DIR/solgen;
2. copy its examples/course-repo/ to DIR/course and make it a git repository;
3. make a virtual environment (with the system's packages, so only solgen is installed);
4. run every ``run:`` step of examples/course-repo/.github/workflows/answer-keys.yml in
   DIR/course with bash -e, the job's ``env`` and SOLGEN=DIR/solgen (``uses:`` steps are
   GitHub's checkout, setup-python and upload: done by 1-3 or not needed here).

Exit 0 when every step passes; otherwise the failing step's exit code.  Needs git and PyYAML.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = Path("examples/course-repo/.github/workflows/answer-keys.yml")


def steps(workflow: Path) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The job's env and its steps (one job)."""
    data = yaml.safe_load(workflow.read_text())
    (job,) = data["jobs"].values()
    return {k: str(v) for k, v in job.get("env", {}).items()}, job["steps"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", type=Path, help="where to clone and run (default: a temporary folder)")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="solgen-course-"))
    work.mkdir(parents=True, exist_ok=True)
    clone, course, env_dir = work / "solgen", work / "course", work / "venv"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    shutil.copytree(clone / "examples" / "course-repo", course)
    for cmd in (["init", "--quiet"], ["add", "-A"],
                ["-c", "user.name=ci", "-c", "user.email=ci@example.invalid", "commit", "--quiet", "-m", "course"]):
        subprocess.run(["git", *cmd], cwd=course, check=True)
    venv.EnvBuilder(system_site_packages=True, with_pip=True).create(env_dir)
    job_env, job_steps = steps(clone / WORKFLOW)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # the clone's solgen, not a checkout's
    env.update(job_env, SOLGEN=str(clone), VIRTUAL_ENV=str(env_dir), PATH=f"{env_dir / 'bin'}:{env['PATH']}")
    for step in job_steps:
        name = step.get("name") or step.get("uses") or step.get("run", "").split("\n")[0]
        if "run" not in step:
            print(f"-- skipped (a GitHub action): {name}", flush=True)
            continue
        print(f"-- {name}", flush=True)
        done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", step["run"]], cwd=course, env=env)
        if done.returncode:
            print(f"-- FAILED (exit {done.returncode}): {name}", flush=True)
            return done.returncode
    print(f"-- every step passed in {course}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
