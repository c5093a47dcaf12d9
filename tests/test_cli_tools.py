"""``solgen new`` (starter specs that render as they are) and ``solgen check`` (validate, write nothing)."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from solgen.cli import main
from solgen.cli_tools import STARTERS

ROOT = Path(__file__).resolve().parent.parent


def _ready(kind: str) -> bool:
    """Whether the reader has what a starter needs (layer types and training helpers arrive in parallel)."""
    from solgen.layers import LAYER_KINDS
    from solgen.train.optimizers import OPTIMIZERS

    needs = {"cnn": {"conv2d", "maxpool2d", "flatten"} <= set(LAYER_KINDS), "rnn": "rnn" in LAYER_KINDS,
             "batch": "adam" in OPTIMIZERS}
    return needs.get(kind, True)


@pytest.mark.parametrize("kind", STARTERS)
def test_new_writes_a_starter_that_renders(kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(main, ["new", kind, "hw1"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "hw1.toml").read_text()
    data = tomllib.loads(text)  # always: valid TOML with the name in the title
    assert data["title"].startswith("hw1: ") and "solgen render hw1.toml" in text and "#" in text
    if not _ready(kind):
        pytest.skip(f"the reader does not accept the {kind} starter's layer types or keys yet")
    check = runner.invoke(main, ["check", "hw1.toml"])
    assert check.exit_code == 0, check.stderr
    render = runner.invoke(main, ["render", "hw1.toml", "-o", "out", "--format", "md,tex,json,html"])
    assert render.exit_code == 0, render.stderr
    assert (tmp_path / "out" / "hw1.md").exists() and (tmp_path / "out" / "hw1.html").exists()


def test_mlp_and_graph_starters_are_ready_now() -> None:
    assert _ready("mlp") and _ready("graph")


def test_new_refuses_to_overwrite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "hw1.toml").write_text("mine")
    result = CliRunner().invoke(main, ["new", "mlp", "hw1"])
    assert result.exit_code == 2 and (tmp_path / "hw1.toml").read_text() == "mine"
    assert result.stderr.strip() == "solgen: hw1.toml exists: choose another name, or --force to overwrite it"
    assert CliRunner().invoke(main, ["new", "mlp", "hw1", "--force"]).exit_code == 0
    assert (tmp_path / "hw1.toml").read_text() != "mine"


def test_new_rejects_an_unknown_kind() -> None:
    assert CliRunner().invoke(main, ["new", "transformer", "x"]).exit_code == 2


def test_check_passes_the_bundled_specs(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(ROOT / "specs")])
    assert result.exit_code == 0, result.stderr
    assert result.output.strip() == f"{len(list((ROOT / 'specs').glob('*.toml')))} specs checked: no errors"


def test_check_lists_every_error_one_line_each_and_writes_nothing(tmp_path: Path) -> None:
    bad = ROOT / "tests" / "bad_specs"
    names = ["typo_loss.toml", "missing_title.toml", "domain_log_nonpositive.toml"]
    for n in names:
        shutil.copy(bad / n, tmp_path / n)
    shutil.copy(ROOT / "specs" / "mazur.toml", tmp_path / "mazur.toml")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 2
    expected = {line.split(": ", 1)[0]: line for line in (bad / "expected.txt").read_text().splitlines()
                if line and not line.startswith("#")}
    assert result.stderr.splitlines() == [expected[n] for n in sorted(names)]
    assert sorted(p.name for p in tmp_path.iterdir()) == before
