"""Spec text -> a TOML table: UTF-8 only, every number exact, syntax errors located.

Floats are read with ``parse_float`` as exact rationals (``0.15`` is 3/20);
nan, inf and numbers beyond a double are kept as ``BadNumber`` so that the
spec reader can report them at their key path.
"""

from __future__ import annotations

import re
import tomllib
from fractions import Fraction
from typing import Any

from solgen.errors import ExprError, SpecError

from .expr import decimal_value


class BadNumber(str):
    """What the TOML reader returns for a float we refuse (nan, inf, out of a double's
    range), so that the problem is reported with the place it was found."""

    problem = ""


class ExactFloat(Fraction):
    """A TOML float read exactly, remembering how it was written (``2.0``, ``1.5e-3``)."""

    text = ""


def decode(data: bytes, file: str) -> str:
    """The bytes of a spec as text: UTF-8 (with or without a byte-order mark) only."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SpecError(file, "line 1", "the file is UTF-16: save it as UTF-8")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        start = data.rfind(b"\n", 0, e.start) + 1
        line = data.count(b"\n", 0, e.start) + 1
        column = len(data[start:e.start].decode("utf-8", "replace")) + 1
        raise SpecError(file, f"line {line}, column {column}",
                        f"not UTF-8 (byte 0x{data[e.start]:02x}): save the file as UTF-8") from None


def read_toml(text: str, file: str) -> dict[str, Any]:
    """TOML text -> a table with every number exact; syntax errors with line and column."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise SpecError(file, "line 1", "the file is empty: a spec needs a title and a [network] or [graph]")
    try:
        raw = tomllib.loads(text, parse_float=parse_float)
    except tomllib.TOMLDecodeError as e:
        place, problem = _toml_error(text, str(e))
        raise SpecError(file, place, "TOML syntax error: " + problem) from None
    except ValueError:  # an integer too long for int(): tomllib does not wrap it
        place = _long_number(text) or "TOML syntax"
        raise SpecError(file, place, "TOML syntax error: a number with more than 4300 digits") from None
    except RecursionError:
        raise SpecError(file, _deep_nesting(text), "TOML syntax error: arrays or tables nested too deeply") from None
    if not raw:
        raise SpecError(file, "line 1", "the file holds only comments and blank lines: a spec needs "
                        "a title and a [network] or [graph]")
    return raw


_TOML_AT = re.compile(r"(.*) \(at (?:line (\d+), column (\d+)|end of document)\)\Z", re.S)


def _toml_error(text: str, message: str) -> tuple[str, str]:
    """tomllib's message as (place, problem): ``line 3, column 9`` and a plain sentence."""
    m = _TOML_AT.match(message)
    if not m:
        return "TOML syntax", _one_line(message)
    problem, line, column = m.group(1), m.group(2), m.group(3)
    lines = text.split("\n")
    if line is None:  # at end of document: name the last line that has text
        while len(lines) > 1 and not lines[-1].strip():
            lines.pop()
        line, column = str(len(lines)), str(len(lines[-1]) + 1)
        end = " (at the end of the file)"
    else:
        end = ""
    problem = _toml_hint(problem, lines[int(line) - 1] if int(line) <= len(lines) else "", int(column) - 1)
    return f"line {line}, column {column}", _one_line(problem + end)


def _toml_hint(problem: str, line: str, col: int) -> str:
    twice = re.match(r"Cannot declare \((.*)\) twice\Z", problem)
    if twice:
        table = ".".join(re.findall(r"'([^']*)'", twice.group(1)))
        return f"the table [{table}] is declared twice"
    if problem == "Cannot overwrite a value":
        return "a key is given twice (cannot overwrite a value)"
    if problem == "Illegal character '\\n'":
        return "a string is not closed before the end of the line"
    if problem in ("Unclosed array", "Unclosed inline table"):
        return problem.lower() + (": a ']' is missing" if "array" in problem else ": a '}' is missing")
    problem = problem[:1].lower() + problem[1:]
    here, before = line[col:col + 1], line[col - 1:col] if col > 0 else ""
    word = re.match(r"[A-Za-z_][A-Za-z0-9_-]*", line[col:])
    if problem == "invalid value" and not line[col:].split("#")[0].strip():
        return problem + ": the value after '=' is missing"
    if here == "." and problem == "invalid value":
        return problem + ": write 0.5, not .5 (TOML needs a digit before the point)"
    if before == "." and problem.startswith("expected newline"):
        return "a number needs a digit after the point: write 5.0, not 5."
    if word and problem == "invalid value":
        w = word.group()
        if w.lower() in ("true", "false"):
            return problem + f": write {w.lower()} in lower case"
        if w.lower() in ("nan", "inf", "infinity"):
            return problem + f": {w!r} is not a TOML number (and solgen needs finite numbers)"
        return problem + f": {w!r} is not a number; a string needs quotes (\"{w}\")"
    if here == "," and problem.startswith("expected newline"):
        return "unexpected ',': write decimals with a point (1.5), and lists in brackets ([1, 5])"
    return problem


def _deep_nesting(text: str, limit: int = 100) -> str:
    """Where brackets first nest ``limit`` deep (strings are not skipped: it is a hint)."""
    depth = 0
    for i, c in enumerate(text):
        depth += 1 if c in "[{" else -1 if c in "]}" else 0
        if depth >= limit:
            line = text.count("\n", 0, i) + 1
            return f"line {line}, column {i - (text.rfind(chr(10), 0, i) + 1) + 1}"
    return "TOML syntax"


def _long_number(text: str) -> str | None:
    m = re.search(r"\d[\d_]{4000,}", text)
    if not m:
        return None
    line = text.count("\n", 0, m.start()) + 1
    column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
    return f"line {line}, column {column}"


def _one_line(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")


def parse_float(text: str) -> Fraction | BadNumber:
    """tomllib's parse_float: every float exactly, within a double's range, never raising."""
    if text.lstrip("+-") in ("nan", "inf"):
        bad = BadNumber(text)
        bad.problem = f"{text} is not allowed: give a finite number"
        return bad
    try:
        value = ExactFloat(decimal_value(text))
    except ExprError as e:
        bad = BadNumber(text)
        bad.problem = str(e)
        return bad
    value.text = text
    return value
