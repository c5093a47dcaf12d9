"""Every document compiles and fits the page: the LaTeX of a broad generated sample (tests/docs/sample.py;
SOLGEN_HYPOTHESIS_PROFILE=long compiles ten times as many) and of every bundled spec goes through pdflatex
with zero errors and zero Overfull \\hbox; every math block of the Markdown goes through MathJax 3 with
zero errors; the PDFs stay short."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from pathlib import Path

import pytest

from solgen.errors import LatexError
from solgen.pipeline import Options, documents, solve, solve_file, solve_text
from solgen.render.pdf import build_pdf
from solgen.spec.sections import load_spec
from tests.docs.compile import compile_batch
from tests.docs.mathjax import math_blocks, mathjax_errors
from tests.docs.sample import rendered

SPECS = sorted((Path(__file__).resolve().parent.parent / "specs").glob("*.toml"))


def _bundled(fmt: str) -> list[tuple[str, str]]:
    out = []
    for path in SPECS:
        solved = solve_file(path, Options(formats=(fmt,), verify=False))
        out.append((path.stem, documents(solved, Options(formats=(fmt,)))[f"{path.stem}.{fmt}"].decode()))
    return out


def _report(problems: dict[str, list[str]]) -> str:
    return "\n".join(f"{label}: {p}" for label, found in problems.items() for p in found[:3])


def test_generated_latex_compiles_without_overfull_lines(tmp_path: Path) -> None:
    docs = rendered("tex")
    assert len(docs) > 60
    code, problems = compile_batch(docs, tmp_path)
    assert not problems, _report(problems)
    assert code == 0


def test_bundled_keys_compile_without_overfull_lines(tmp_path: Path) -> None:
    code, problems = compile_batch(_bundled("tex"), tmp_path)
    assert not problems, _report(problems)
    assert code == 0


def test_markdown_math_typesets_in_mathjax() -> None:
    items = [b for label, md in (*rendered("md"), *_bundled("md")) for b in math_blocks(label, md)]
    checked, errors = mathjax_errors(items)
    assert checked == len(items) > 1000
    assert not errors, errors[:10]


def test_mathjax_check_finds_a_double_superscript() -> None:
    """The check can fail: the bug this suite was written for is caught."""
    checked, errors = mathjax_errors([("bad", "1 - a^{(2)}_{1}^{2}", True), ("good", "1 - {a^{(2)}_{1}}^{2}", True)])
    assert checked == 2 and [label for label, _ in errors] == ["bad"]


def test_tanh_square_has_braces() -> None:
    toml = """title = "tanh"
[network]
inputs = [0.5]
targets = [0.2]
loss = "mse"
[[network.layer]]
units = 1
activation = "tanh"
weights = [[0.3]]
"""
    solved = solve_text(toml, "tanh.toml", Options(formats=("tex",)))
    tex = documents(solved, Options(formats=("tex",)))["tanh.tex"].decode()
    assert "1 - {a^{(1)}_{1}}^{2}" in tex or "1 - \\left(a^{(1)}_{1}\\right)^{2}" in tex
    assert not re.search(r"\}\^\{\(\d\)\}_\{\d+\}\^", tex)


def _pages(pdf: bytes, tmp_path: Path) -> int:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]


SOFTMAX_223 = """title = "2-2-3 softmax with cross-entropy"
[network]
inputs = [0.5, -1.0]
targets = [0, 1, 0]
loss = "cross_entropy"
learning_rate = 0.1
[[network.layer]]
units = 2
activation = "sigmoid"
weights = [[0.1, 0.2], [-0.3, 0.4]]
bias = [0.1, -0.1]
[[network.layer]]
units = 3
activation = "softmax"
weights = [[0.5, -0.5], [0.3, 0.8], [-0.6, 0.2]]
bias = [0.0, 0.1, -0.1]
"""


@pytest.mark.parametrize(("name", "pages"), [("mazur", 3), ("seed003_relu_iterations", 7), ("softmax", 4)])
def test_keys_are_short(name: str, pages: int, tmp_path: Path) -> None:
    options = Options(formats=("pdf",))
    if name == "softmax":
        solved = solve_text(SOFTMAX_223, "softmax.toml", options)
    else:
        solved = solve_file(Path(__file__).resolve().parent.parent / "specs" / f"{name}.toml", options)
    pdf = documents(solved, options)[f"{solved.spec.stem}.pdf"]
    assert _pages(pdf, tmp_path) <= pages


def test_full_detail_sets_one_quantity_per_display() -> None:
    spec = load_spec(SPECS[0])
    full = dataclasses.replace(spec, style=dataclasses.replace(spec.style, detail="full"))
    compact_tex = documents(solve(spec), Options(formats=("tex",)))[f"{spec.stem}.tex"].decode()
    full_tex = documents(solve(full), Options(formats=("tex",)))[f"{spec.stem}.tex"].decode()
    assert "\\\\[2pt]" in compact_tex and "\\\\[2pt]" not in full_tex
    assert "\\begin{longtable}" in full_tex  # the given values as today's table
    assert full_tex.count("\\[") + full_tex.count("\\begin{align*}") > compact_tex.count("\\begin{align*}") * 3


def test_a_latex_failure_is_a_bug_with_the_kept_tex() -> None:
    bad = b"\\documentclass{article}\\begin{document}$x^1^2$\\end{document}\n"
    with pytest.raises(LatexError) as info:
        build_pdf(bad, "broken")
    message = str(info.value)
    assert info.value.exit_code == 3 and "\n" not in message
    kept = Path(message.rsplit(" ", 1)[-1])
    assert kept.name == "broken.tex" and kept.read_bytes() == bad
    kept.unlink()
    kept.parent.rmdir()
