"""Student ids: from a roster CSV (a column ``id``, else the first column) or a count."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from solgen.errors import SpecError
from solgen.spec.files import read_text

ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")


def counted(n: int) -> list[str]:
    """s001, s002, ...: the same ids whatever the count, so adding students keeps the others."""
    return [f"s{i:03d}" for i in range(1, n + 1)]


def read_roster(path: Path) -> list[str]:
    name = path.name
    text = read_text(path, name, "a roster (a CSV file)")
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    if not rows:
        raise SpecError(name, "", "the roster is empty: give a header row with an id column, then one row per student")
    header = [c.strip().lower() for c in rows[0]]
    col = header.index("id") if "id" in header else 0
    ids: list[str] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], 2):
        sid = row[col].strip() if col < len(row) else ""
        if not ID.match(sid):
            raise SpecError(name, f"line {line}", f"{sid!r} is not a student id (letters, digits, '.', '_' "
                            "and '-', up to 64, starting with a letter or digit: it names the student's files)")
        if sid in seen:
            raise SpecError(name, f"line {line}", f"{sid!r} is listed twice (first on line {seen[sid]})")
        seen[sid] = line
        ids.append(sid)
    if not ids:
        raise SpecError(name, "", "the roster lists no students (only a header row)")
    return ids
