"""Reading submissions: a class CSV (a row per student) or one TOML or JSON file per student.

Numbers keep the digits the student wrote (``0.594`` is 0.594 give or take 0.0005); a decimal
comma is read as a point; a blank is "not answered".  A cell that is not a number is a
per-cell message (the cell counts as not answered); a file that cannot be read as a table
of answers (no id column, a row with more cells than the header, duplicate ids, ...) is a
``SpecError``: exit 2, nothing written.
"""

from __future__ import annotations

import csv
import json
import re
import tomllib
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from solgen.errors import SpecError
from solgen.messages import text
from solgen.spec.files import read_text

_NUMBER = re.compile(r"([+-]?)(\d*)(?:[.,](\d*))?(?:(?:[eE]|\s*[x×·*]\s*10\^\{?)([+-]?\d+)\}?)?\Z")
_ID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*\Z")
SUFFIXES = (".csv", ".toml", ".json")


@dataclass(frozen=True)
class Answer:
    text: str  # as written
    value: Fraction
    unit: Fraction  # one unit in the last digit written


@dataclass(frozen=True)
class Column:
    number: int  # 1-based
    name: str  # as written in the header (spaces removed)


@dataclass(frozen=True)
class Cell:
    raw: str
    place: str  # for messages: "row 3, column dW1[1,2]" or "dW1[1,2]"


@dataclass(frozen=True)
class Submission:
    id: str
    file: str
    cells: dict[str, Cell]  # the non-blank cells, by the name as written
    columns: tuple[Column, ...]  # every name the file gives (CSV: the header), in order
    problems: tuple[str, ...]

    def answer(self, name: str) -> Answer | str | None:
        """The answer under ``name``: None if blank, the message if it is not a number."""
        cell = self.cells.get(name)
        if cell is None:
            return None
        return parse_number(cell.raw) or text("grading.cells.not_number", file=self.file, place=cell.place,
                                              cell=cell.raw.strip())


def parse_number(raw: str) -> Answer | None:
    """``0.594``, ``-0,3825``, ``4,33e-4``, ``1.1 x 10^-3`` -> an Answer; None if not a number."""
    cell = raw.strip().replace("\u2212", "-").replace(" ", "")
    m = _NUMBER.match(cell)
    if not cell or not m or not (m.group(2) or m.group(3)):
        return None
    sign, whole, frac, exp = m.group(1), m.group(2) or "0", m.group(3) or "", int(m.group(4) or 0)
    if abs(exp) > 400:
        return None
    value = Fraction(int(whole + frac), 10 ** len(frac)) * Fraction(10) ** exp
    shown = raw.strip().replace("\u2212", "-")
    return Answer(shown, -value if sign == "-" else value, Fraction(10) ** (exp - len(frac)))


def read_submissions(path: Path) -> list[Submission]:
    name = path.name
    data = read_text(path, name, "a file of answers (CSV, TOML or JSON)")
    if path.suffix == ".csv":
        return _csv(data, name)
    if path.suffix == ".toml":
        try:
            raw = tomllib.loads(data, parse_float=str)
        except tomllib.TOMLDecodeError as e:
            raise SpecError(name, "TOML syntax", str(e)) from None
        return [_one(raw, name, path.stem)]
    try:
        raw = json.loads(data, parse_float=str, parse_int=str)
    except json.JSONDecodeError as e:
        raise SpecError(name, f"line {e.lineno}, column {e.colno}", f"JSON syntax: {e.msg}") from None
    items = raw if isinstance(raw, list) else [raw]
    return [_one(item, name, path.stem if len(items) == 1 else "") for item in items]


def _one(raw: Any, file: str, stem: str) -> Submission:
    """One student's answers from a TOML or JSON table: ``id`` and names, or ``id`` and ``answers``."""
    if not isinstance(raw, dict):
        raise SpecError(file, "", "expected a table of answers (name = number)")
    sid = str(raw.get("id", stem)).strip()
    _check_id(sid, file, "id")
    table = raw.get("answers", {k: v for k, v in raw.items() if k != "id"})
    if not isinstance(table, dict):
        raise SpecError(file, "answers", "expected a table of answers (name = number)")
    cells, columns = {}, []
    for i, (key, value) in enumerate(table.items(), 1):
        name = key.replace(" ", "")
        columns.append(Column(i, name))
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        cells[name] = Cell(_show(value), name)
    return Submission(sid, file, cells, tuple(columns), ())


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return json.dumps(value, default=str)  # a list, table, boolean or date: never a number


def _check_id(sid: str, file: str, place: str) -> None:
    if not sid:
        raise SpecError(file, place, "empty: every submission needs a student id")
    if not _ID.match(sid):
        raise SpecError(file, place, f"{sid!r} cannot name a feedback file (use letters, digits, '.', '_', '-')")


def _csv(data: str, file: str) -> list[Submission]:
    lines = [(n, line) for n, line in enumerate(data.splitlines(), 1)
             if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise SpecError(file, "", "no header: the first line names the columns (id, then quantities)")
    first, header_line = lines[0]
    delimiter = ";" if ";" in header_line else "\t" if "\t" in header_line else ","
    rows = list(csv.reader([line for _, line in lines], delimiter=delimiter))
    header = [h.strip().replace(" ", "") for h in _header(header_line, delimiter)]
    ids = [i for i, h in enumerate(header) if h.lower() == "id"]
    if len(ids) != 1:
        raise SpecError(file, f"line {first}", 'the header needs exactly one "id" column'
                        + (f" (it has {len(ids)})" if ids else ""))
    seen: dict[str, int] = {}
    for i, h in enumerate(header, 1):
        if not h:
            raise SpecError(file, f"line {first}, column {i}", "a column without a name")
        if h in seen:
            raise SpecError(file, f"line {first}, column {i}", f"{h!r} is also column {seen[h]}")
        seen[h] = i
    columns = tuple(Column(i, h) for i, h in enumerate(header, 1) if i - 1 != ids[0])
    out, taken = [], {}
    for (line_no, _), row in zip(lines[1:], rows[1:]):
        out.append(_row(row, header, ids[0], columns, file, line_no, delimiter))
        sid = out[-1].id
        if sid in taken:
            raise SpecError(file, f"row {line_no}", f"the id {sid!r} is also on row {taken[sid]}")
        taken[sid] = line_no
    return out


def _header(line: str, delimiter: str) -> list[str]:
    """The header's names: a delimiter inside brackets (``W1[1,2]``) or quotes does not split."""
    names, current, depth, quoted = [], [], 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
            continue
        if not quoted:
            depth += (c == "[") - (c == "]")
        if c == delimiter and depth <= 0 and not quoted:
            names.append("".join(current))
            current = []
        else:
            current.append(c)
    return names + ["".join(current)]


def _row(row: list[str], header: list[str], id_col: int, columns: tuple[Column, ...], file: str,
         line: int, delimiter: str) -> Submission:
    if len(row) > len(header):
        hint = text("grading.cells.comma_hint") if delimiter == "," else ""
        raise SpecError(file, f"row {line}", f"{len(row)} cells, but the header has {len(header)} columns{hint}")
    problems = []
    if len(row) < len(header):
        problems.append(text("grading.cells.short_row", file=file, row=line, cells=len(row), columns=len(header)))
    sid = row[id_col].strip() if id_col < len(row) else ""
    _check_id(sid, file, f"row {line}, column id")
    cells = {}
    for col in columns:
        cell = row[col.number - 1] if col.number - 1 < len(row) else ""
        if cell.strip():
            cells[col.name] = Cell(cell, f"row {line}, column {col.name}")
    return Submission(sid, file, cells, columns, tuple(problems))


def submission_files(args: list[str]) -> list[Path]:
    """Answer files from file and folder arguments (a folder: every .csv, .toml and .json in it)."""
    out: list[Path] = []
    for raw in args:
        p = Path(raw)
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.suffix in SUFFIXES and f.is_file())
            if not found:
                raise SpecError(raw, "", "the folder holds no .csv, .toml or .json answers")
            out.extend(found)
        elif p.suffix not in SUFFIXES:
            raise SpecError(p.name, "", "answers are a .csv, .toml or .json file")
        else:
            out.append(p)
    return list(dict.fromkeys(out))
