"""Every math block of a Markdown document, checked with MathJax 3 through node (tests/mathjax)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

FOLDER = Path(__file__).resolve().parent.parent / "mathjax"
DISPLAY = re.compile(r"^\$\$\n(.*?)\n\$\$$", re.S | re.M)
INLINE = re.compile(r"(?<![\\$])\$([^$\n]+?)(?<!\\)\$(?!\$)")


def math_blocks(label: str, markdown: str) -> list[tuple[str, str, bool]]:
    """(label, TeX, display?) for every $$ block and every inline $...$ outside them."""
    out = [(label, m, True) for m in DISPLAY.findall(markdown)]
    rest = DISPLAY.sub("", markdown)
    out += [(label, m, False) for line in rest.splitlines() for m in INLINE.findall(line)]
    return out


def mathjax_errors(items: list[tuple[str, str, bool]]) -> tuple[int, list[tuple[str, str]]]:
    """(how many were typeset, [(label, MathJax's error)])."""
    script = FOLDER / "check.js"
    if not (FOLDER / "node_modules" / "mathjax-full").is_dir() or not shutil.which("node"):
        raise RuntimeError("MathJax is not installed: run `npm install` in tests/mathjax "
                           "(scripts/setup.sh --test does)")
    run = subprocess.run(["node", str(script)], input=json.dumps(items), capture_output=True, text=True,
                         timeout=600, check=True)
    result = json.loads(run.stdout)
    return result["checked"], [tuple(e) for e in result["errors"]]
