"""Issue 10: every name a [graph] accepts has a display that compiles in LaTeX and MathJax, a very
long one shortened (unique, explained in the conventions); titles and descriptions print any
Unicode the fonts have (Latin with accents, Greek, Chinese, kana, Cyrillic), the rest named with a
note; the PDF stays deterministic."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from solgen.pipeline import Options, documents, solve_text
from solgen.render.latexsafe import _LATIN, LONG_NAME, name_displays, tex_escape, text_needs
from tests.docs.compile import compile_batch
from tests.docs.mathjax import math_blocks, mathjax_errors

needs_tex = pytest.mark.skipif(not shutil.which("pdflatex") or not shutil.which("pdftotext"),
                               reason="needs TeX and poppler")
LONG = "v" + "abcdefghij" * 50  # 501 characters
NAMES = ["a_x_", "x___", "a_", "a__b", "A_1_2", "alpha_", "alpha__beta", "w_ab", "u11", "alpha2", "B_c_d_",
         LONG, LONG[:-1] + "z", "q" * 30 + "_" + "r" * 30, "q" * 30 + "_" + "s" * 30]
TITLE = "Sigmoid σ network 中文 café «Łódź» ą ǖ ά Ω 網絡 Привет ひらがな ?` \"hi\" 😀"


def graph_spec(names: list[str], title: str = "names", description: str = "") -> str:
    nodes = [f'"{names[0]} = w * x"'] + [f'"{n} = {p} + 1"' for p, n in zip(names, names[1:])]
    return (f"title = {title!r}\ndescription = {description!r}\n[graph]\ninputs = {{ x = 2 }}\n"
            f"params = {{ w = 0.5 }}\nnodes = [{', '.join(nodes)}]\nupstream = {{ {names[-1]} = 1 }}\n")


def render(toml: str, fmt: str) -> str:
    solved = solve_text(toml, "t.toml", Options(formats=(fmt,)))
    return documents(solved, Options(formats=(fmt,)))[f"t.{fmt}"].decode()


def test_displays_are_unique_and_short() -> None:
    shown = name_displays(NAMES, {})
    assert len(set(shown.values())) == len(NAMES)
    for name in NAMES:
        assert len(shown[name]) < 80, name
    assert shown["u11"] == "u_{11}" and shown["w_ab"] == "w_{ab}"  # the usual names are unchanged
    assert shown["a_x_"] == "\\mathit{a\\_x\\_}"
    assert all("ldots" in shown[n] for n in NAMES if len(n) > LONG_NAME)


@needs_tex
def test_every_accepted_name_compiles_and_fits(tmp_path: Path) -> None:
    """Before: `a_x_`, `x___` gave "Missing { inserted", a 500-character name "Dimension too large"."""
    doc = render(graph_spec(NAMES), "tex")
    code, problems = compile_batch([("names", doc)], tmp_path)
    assert not problems and code == 0, problems
    assert "is short for the name" in doc


def test_every_accepted_name_typesets_in_mathjax() -> None:
    md = render(graph_spec(NAMES), "md")
    items = math_blocks("names", md)
    checked, errors = mathjax_errors(items)
    assert checked == len(items) > 10 and not errors, errors[:5]


def test_unicode_needs() -> None:
    needs = text_needs(TITLE)
    assert needs.t1 and needs.cjk and needs.missing == ("😀",)
    assert text_needs("plain ASCII, café") == text_needs()  # the usual documents keep their preamble
    assert "\\begin{CJK}{UTF8}{gbsn}中文\\end{CJK}" in tex_escape("中文")
    assert "\\hspace{0pt plus 1pt}" in tex_escape("x" * 100)


@needs_tex
def test_titles_print_any_unicode_the_fonts_have(tmp_path: Path) -> None:
    """Before: 中文 printed as [U+4E2D], « » ą ð and 200 more Latin letters failed the build."""
    toml = graph_spec(["y"], TITLE, "naïve — 中文网络 …")
    pdfs = []
    for _ in range(2):
        solved = solve_text(toml, "t.toml", Options(formats=("pdf",)))
        pdfs.append(documents(solved, Options(formats=("pdf",)))["t.pdf"])
    assert pdfs[0] == pdfs[1]  # deterministic
    (tmp_path / "t.pdf").write_bytes(pdfs[0])
    text = subprocess.run(["pdftotext", str(tmp_path / "t.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = "".join(text.split())
    for word in ("σ", "中文", "café", "«Łódź»", "ą", "網絡", "Привет", "ひらがな", '"hi"', "naïve", "中文网络"):
        assert word in flat, word
    assert "U+1F600" in text and "code points" in text


@needs_tex
def test_every_latin_letter_the_table_lists_compiles(tmp_path: Path) -> None:
    letters = "".join(chr(c) for a, b in _LATIN for c in range(a, b + 1) if not chr(c).isspace())
    decomposed = "ǕǖǗǘǙǚǛǜǞǟǠǡǬǭǸǹǺǻǾǿȦȧȨȩȪȫȬȭȮȯȰȱ"
    doc = render(graph_spec(["y"], "letters", letters + " " + decomposed), "tex")
    assert text_needs(letters).missing == ()
    doc = doc.replace("\\begin{document}\n", "\\begin{document}\n\\tracinglostchars=3\n", 1)
    (tmp_path / "doc.tex").write_text(doc, encoding="utf-8")
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"], cwd=tmp_path,
                         capture_output=True, stdin=subprocess.DEVNULL, timeout=300)
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert run.returncode == 0 and "\n!" not in log, [x for x in log.splitlines() if x.startswith("!")]


def _random_names(count: int) -> list[str]:
    """Names as the grammar allows them (a letter, then letters, digits or _), underscores often."""
    import random

    from solgen.spec.expr import USER_FUNCTIONS

    rng = random.Random(10)
    alphabet = "abxyzAWalpha_____0123456789"
    names: list[str] = []
    while len(names) < count:
        name = rng.choice("abxwAWq") + "".join(rng.choice(alphabet) for _ in range(rng.choice([0, 1, 3, 8, 30, 70])))
        if name not in names and name not in USER_FUNCTIONS and name != "L":
            names.append(name)
    return names


@needs_tex
def test_random_accepted_names_compile_and_typeset(tmp_path: Path) -> None:
    names = _random_names(300)
    shown = name_displays(names, {})
    assert len(set(shown.values())) == len(names)
    math = [f"{s} + \\frac{{\\partial L}}{{\\partial {s}}} = {s}^{{2}}" for s in shown.values()]
    body = "\n\n".join(f"${m}$" for m in math)
    doc = ("\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\begin{document}\n"
           f"{body}\n\\end{{document}}\n")
    code, problems = compile_batch([("names", doc)], tmp_path)
    assert code == 0 and not problems, problems
    checked, errors = mathjax_errors([("names", m, False) for m in math])
    assert checked == len(math) and not errors, errors[:5]


@needs_tex
def test_a_feedback_page_prints_unicode_too(tmp_path: Path) -> None:
    """Before: a title or a student's text beyond Latin-1 became [U+XXXX], and « ð þ failed the build."""
    from solgen.classroom.grading.report import Feedback, render_feedback
    from solgen.render.pdf import build_pdf

    fb = Feedback(title=TITLE, id="李明", score="1", max="2", first=None, also_wrong=(), rows=(), carried=(),
                  ecf=False, problems=("«ð» 中文 😀",))
    (tmp_path / "fb.pdf").write_bytes(build_pdf(render_feedback(fb, "tex").encode(), "fb"))
    text = subprocess.run(["pdftotext", str(tmp_path / "fb.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "李明" in text and "«ð»" in text and "中文" in text and "U+1F600" in text


@needs_tex
def test_a_machine_without_the_cjk_fonts_is_told_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from solgen.errors import ToolError
    from solgen.render import pdf

    monkeypatch.setattr(pdf, "_first_error", lambda log: "LaTeX Error: File `CJKutf8.sty' not found.")
    with pytest.raises(ToolError) as caught:
        pdf.build_pdf(b"\\documentclass{article}\\begin{document}\\undefinedcommand\\end{document}", "t")
    assert caught.value.exit_code == 2 and "latex-cjk-common" in str(caught.value)
