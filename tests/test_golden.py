"""Golden files: output/ holds exactly what the bundled specs render to, byte for byte."""

from pathlib import Path

import pytest

from solgen.pipeline import Options, documents, solve_file

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").glob("*.toml"))
OPTIONS = Options(formats=("md", "tex", "json"))


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_output_folder_is_current(spec: Path) -> None:
    files = documents(solve_file(spec, OPTIONS), OPTIONS)
    assert files, "nothing rendered"
    for name, data in files.items():
        golden = ROOT / "output" / name
        assert golden.exists(), f"{name} missing: run scripts/render.sh"
        assert golden.read_bytes() == data, f"{name} differs: run scripts/render.sh and review the diff"


def test_rendering_is_deterministic_across_processes(tmp_path: Path) -> None:
    import subprocess
    import sys

    outs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        env = {"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"}
        subprocess.run([sys.executable, "-m", "solgen.cli", "render", str(ROOT / "specs"), "-o", str(out),
                        "--format", "md,tex,json"], check=True, env=env)
        outs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outs[0] == outs[1]
