"""LaTeX -> PDF with latexmk, reproducibly and without shell escape.

The build runs in a temporary folder with -no-shell-escape, TeX's file
access restricted to that folder (openin_any=p, openout_any=p), and
SOURCE_DATE_EPOCH / FORCE_SOURCE_DATE fixed, so the same .tex gives the same
bytes every time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from solgen.errors import LatexError, ToolError

PACKAGES = "texlive-latex-base texlive-latex-recommended texlive-pictures latexmk"
EPOCH = "1700000000"


def build_pdf(tex: bytes, stem: str, ours: bool = True) -> bytes:
    """``ours``: the .tex comes from solgen's own templates, so a failure is solgen's bug (exit 3);
    from a user's --templates it is that template's error (exit 2)."""
    if not shutil.which("latexmk") or not shutil.which("pdflatex"):
        raise ToolError(f"PDF output needs TeX: install it with `apt-get install {PACKAGES}`")
    with tempfile.TemporaryDirectory(prefix="solgen-") as tmp:
        src = Path(tmp) / "doc.tex"
        src.write_bytes(tex)
        env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "FORCE_SOURCE_DATE": "1",
               "openin_any": "p", "openout_any": "p", "TEXMFOUTPUT": tmp, "shell_escape": "f"}
        # one pdflatex pass: the documents say \nofiles (no cross-references, no .aux to settle)
        cmd = ["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape",
               "-quiet", "doc.tex"]
        result = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True,
                                stdin=subprocess.DEVNULL, timeout=600)
        pdf = Path(tmp) / "doc.pdf"
        if result.returncode != 0 or not pdf.exists():
            log = (Path(tmp) / "doc.log")
            first = _first_error(log.read_text(errors="replace") if log.exists() else result.stdout)
            if not ours:
                raise ToolError(f"{stem}.tex: LaTeX failed: {first}")
            kept = _keep(tex, stem)
            raise LatexError(f"{stem}.tex: LaTeX failed: {first}; this is a bug in solgen, please report it "
                             f"with the kept file {kept}")
        return pdf.read_bytes()


def _keep(tex: bytes, stem: str) -> Path:
    """The failing .tex, kept outside the build folder (which is removed) for the bug report."""
    folder = Path(tempfile.mkdtemp(prefix="solgen-failed-"))
    kept = folder / f"{stem}.tex"
    kept.write_bytes(tex)
    return kept


def _first_error(log: str) -> str:
    for line in log.splitlines():
        if line.startswith("!"):
            return line[1:].strip()
    return "see the LaTeX log (run latexmk on the .tex)"
