"""Issue 10: user text prints as written; user templates are bounded and stay in their folder.

- a lone CR or indentation in a description makes no Markdown heading, list or code block;
- quotes print straight in the PDF (no curly or Spanish marks), Greek letters print, and a
  character the fonts lack is named instead of failing the build;
- a template may not ask for a huge width or count, write without end, or run for ever;
- a symlink in --templates cannot pull in a file from outside the folder;
- the Jinja bytecode cache is used only from a folder that is the user's own.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from solgen.cli import main
from solgen.render import templates
from solgen.render.latexsafe import md_escape, tex_escape

ROOT = Path(__file__).resolve().parent.parent
MAZUR = ROOT / "specs" / "mazur.toml"
needs_tex = pytest.mark.skipif(not shutil.which("latexmk") or not shutil.which("pdftotext"),
                               reason="needs TeX and poppler")


def run(args: list[str]):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_a_lone_cr_starts_no_heading_or_list() -> None:
    out = md_escape("Intro\r===\r- item\r1. first")
    assert "\r" not in out
    assert out.splitlines() == ["Intro", "\\===", "\\- item", "1\\. first"]


def test_indented_text_is_no_code_block() -> None:
    out = md_escape("lead\n    four spaces\n\ttab")
    for line in out.splitlines()[1:]:
        assert not line.startswith((" ", "\t"))
        assert line.startswith("\u00a0\u00a0\u00a0\u00a0")


def test_quotes_and_greek_in_tex() -> None:
    out = tex_escape('"hi" ?` !` σ Σ')
    assert '"' not in out.replace("\\char34", "") and "?`" not in out and "!`" not in out
    assert "\\ensuremath{\\sigma}" in out and "\\ensuremath{\\Sigma}" in out


@needs_tex
def test_unicode_and_quotes_print_in_the_pdf(tmp_path: Path) -> None:
    text = MAZUR.read_text(encoding="utf-8")
    title = 'Sigmoid σ network, café "hi" ?` 中文 😀'
    text = re.sub(r"(?m)^title = .*$", lambda m: "title = '" + title + "'", text, count=1)
    assert title in text
    spec = tmp_path / "uni.toml"
    spec.write_text(text, encoding="utf-8")
    result = run(["render", str(spec), "-o", str(tmp_path / "out"), "--format", "pdf"])
    assert result.exit_code == 0, result.output
    pdf_text = subprocess.run(["pdftotext", str(tmp_path / "out" / "uni.pdf"), "-"], capture_output=True,
                              text=True, check=True).stdout
    pdf_text = unicodedata.normalize("NFC", pdf_text.replace("e\u0301", "é").replace("´e", "é"))
    assert "σ" in pdf_text and "café" in pdf_text and '"hi"' in pdf_text
    assert "¿" not in pdf_text and "”hi”" not in pdf_text
    assert "中文" in pdf_text  # printed with the CJK fonts
    assert "U+1F600" in pdf_text and "code points" in pdf_text  # an emoji is named, with a note


def _template(tmp_path: Path, body: str) -> Path:
    root = tmp_path / "mine"
    (root / "markdown").mkdir(parents=True, exist_ok=True)
    (root / "markdown" / "solution.md.j2").write_text(body, encoding="utf-8")
    return root


@pytest.mark.parametrize("body", [
    "{{ '{:999999999}'.format(1) }}",
    "{{ 'x'.center(10**9) }}",
    "{{ lipsum(10**6) }}",
    "{{ [1, 2]|batch(10**9, 0)|list }}",
    "{{ 'ab' * 100000 * 1000 }}",
    "{% set ns = namespace(x=[1]) %}{% for i in range(40) %}{% set ns.x = ns.x + ns.x %}{% endfor %}",
])
def test_a_template_cannot_make_gigabytes(tmp_path: Path, body: str) -> None:
    result = run(["render", str(MAZUR), "-o", str(tmp_path / "out"), "--templates", str(_template(tmp_path, body))])
    assert result.exit_code == 2 and "template error" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_template_cannot_run_for_ever(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(templates, "MAX_SECONDS", 2)
    body = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    result = run(["render", str(MAZUR), "-o", str(tmp_path / "out"), "--templates", str(_template(tmp_path, body))])
    assert result.exit_code == 2 and "longer than 2 s" in result.stderr


def test_a_symlink_cannot_read_outside_the_template_folder(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    root = _template(tmp_path, "{% include 'data.j2' %}")
    os.symlink(secret, root / "markdown" / "data.j2")
    result = run(["render", str(MAZUR), "-o", str(tmp_path / "out"), "--format", "md",
                  "--templates", str(root)])
    assert result.exit_code == 2 and "template error: data.j2" in result.stderr  # not found: outside
    assert "TOP SECRET" not in result.output
    assert not (tmp_path / "out").exists()


def test_the_bytecode_cache_needs_a_private_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert templates._bytecode_cache() is not None
    (tmp_path / "solgen").chmod(0o777)  # another user could plant a pickle here
    assert templates._bytecode_cache() is None
    (tmp_path / "solgen").chmod(0o700)
    assert templates._bytecode_cache() is not None
    real = os.getuid
    monkeypatch.setattr(templates.os, "getuid", lambda: real() + 1)  # owned by someone else
    assert templates._bytecode_cache() is None
