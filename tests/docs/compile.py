"""Compile many LaTeX documents in one pdflatex run and attribute every error and Overfull \\hbox to
the document it came from (each body is announced in the log by a \\typeout marker)."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

MARK = "SOLGEN-DOCUMENT:"
FLAGS = ["-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape"]


def split(doc: str) -> tuple[str, str]:
    """(preamble, body) of one of solgen's documents."""
    head, rest = doc.split("\\begin{document}\n", 1)
    return head, rest.rsplit("\\end{document}", 1)[0]


def batch(docs: list[tuple[str, str]]) -> str:
    """One document holding every body, each after a marker and on a fresh page."""
    preamble = split(docs[0][1])[0]
    parts = [preamble, "\\begin{document}\n"]
    for label, doc in docs:
        head, body = split(doc)
        title = re.search(r"\\title\{(.*)\}\n", head)
        parts += [f"\\clearpage\\typeout{{{MARK}{label}}}\n", f"\\title{{{title.group(1) if title else ''}}}\n",
                  body]
    parts.append("\\end{document}\n")
    return "".join(parts)


def problems_in_log(log: str) -> dict[str, list[str]]:
    """Every error (``! ...``) and Overfull \\hbox by document label."""
    found: dict[str, list[str]] = {}
    label = "(preamble)"
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(MARK):
            label = line[len(MARK):].strip()
        elif line.startswith("!") or line.startswith("Overfull \\hbox"):
            context = " ".join(lines[i:i + 3])[:300]
            found.setdefault(label, []).append(context)
    return found


def compile_batch(docs: list[tuple[str, str]], folder: Path | None = None) -> tuple[int, dict[str, list[str]]]:
    """(pdflatex's exit code, problems by label) for the documents compiled together."""
    with tempfile.TemporaryDirectory(prefix="solgen-compile-") as tmp:
        where = folder or Path(tmp)
        (where / "batch.tex").write_text(batch(docs))
        run = subprocess.run(["pdflatex", *FLAGS, "batch.tex"], cwd=where, capture_output=True, text=True,
                             stdin=subprocess.DEVNULL, timeout=900)
        log = (where / "batch.log").read_text(errors="replace")
        return run.returncode, problems_in_log(log)
