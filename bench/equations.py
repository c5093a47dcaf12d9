"""Counting the equations of a rendered key (rows holding '=' inside math)."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

from timers import run

MATH_RE = re.compile(
    r"(?<!\\)\$\$(.+?)(?<!\\)\$\$"
    r"|\\\[(.+?)\\\]"
    r"|\\begin\{(align\*?|aligned|equation\*?|gather\*?|multline\*?)\}(.+?)\\end\{\3\}"
    r"|(?<!\\)\$(.+?)(?<!\\)\$",
    re.S,
)
FENCE_RE = re.compile(r"^```.*?^```", re.S | re.M)
ROW_RE = re.compile(r"\\\\|\n")


def count_math_equations(text: str) -> int:
    """Rows (split at newlines and ``\\\\``) holding '=' inside display math,
    plus inline ``$...$`` spans holding '='."""
    text = FENCE_RE.sub("", text)
    count = 0
    for m in MATH_RE.finditer(text):
        display = m.group(1) or m.group(2) or m.group(4)
        if display is not None:
            count += sum(1 for row in ROW_RE.split(display) if "=" in row)
        elif "=" in (m.group(5) or ""):
            count += 1
    return count


def find_int_key(data: Any, names: tuple[str, ...]) -> int | None:
    if isinstance(data, dict):
        for key, value in data.items():
            if key in names and isinstance(value, int) and not isinstance(value, bool):
                return value
        for value in data.values():
            found = find_int_key(value, names)
            if found is not None:
                return found
    elif isinstance(data, list):
        for value in data:
            found = find_int_key(value, names)
            if found is not None:
                return found
    return None


def json_equation_count(solgen: str, spec: Path, scratch: Path) -> int | None:
    out = Path(tempfile.mkdtemp(dir=scratch, prefix="json-"))
    cmd = [solgen, "render", str(spec), "-o", str(out), "--format", "json"]
    if run(cmd).returncode != 0:
        return None
    path = out / f"{spec.stem}.json"
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None
    return find_int_key(data, ("equations", "equation_count", "n_equations"))


def count_equations(solgen: str, spec: Path, out: Path | None, scratch: Path) -> tuple[int | None, str]:
    from_json = json_equation_count(solgen, spec, scratch)
    if from_json is not None:
        return from_json, "the 'equations' count in solgen's JSON render"
    if out is None:
        return None, "no output"
    md = out / f"{spec.stem}.md"
    if md.exists():
        n = count_math_equations(md.read_text(encoding="utf-8"))
        if n:
            return n, "rows containing '=' inside math in the .md"
    tex = out / f"{spec.stem}.tex"
    if tex.exists():
        return count_math_equations(tex.read_text(encoding="utf-8")), ("rows containing '=' inside math in the .tex")
    return None, "no .md or .tex produced"
