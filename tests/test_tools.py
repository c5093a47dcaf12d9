"""Behaviour around external tools and terminals: missing TeX, the progress bar."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from solgen.cli import main
from solgen.progress import progress
from solgen.render import pdf

SPECS = Path(__file__).resolve().parent.parent / "specs"


def test_pdf_without_tex_names_the_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    result = CliRunner().invoke(main, ["render", str(SPECS / "mazur.toml"), "-o", str(tmp_path / "o"),
                                       "--format", "md,pdf"])
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1
    assert "apt-get install texlive-latex-base texlive-latex-recommended texlive-pictures latexmk" in line
    assert not (tmp_path / "o").exists()


def test_no_progress_bar_without_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    paths = [Path(f"{i}.toml") for i in range(5)]
    with progress(paths) as items:
        assert list(items) == paths
    assert capsys.readouterr().err == ""


def test_progress_bar_on_a_terminal_after_a_moment(monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    from solgen import progress as module

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(module, "DELAY", 0.0)
    paths = [Path(f"{i}.toml") for i in range(3)]
    with progress(paths) as items:
        assert list(items) == paths
    assert "rendering" in capsys.readouterr().err
