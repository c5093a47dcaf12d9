"""Reading typed values out of TOML tables, with messages that name the place."""

from __future__ import annotations

import datetime
import json
import re
from fractions import Fraction
from typing import Any

from solgen.errors import ExprError, SpecError

from .expr import DOUBLE_MAX, check_name
from .tomltext import BadNumber, ExactFloat


class Reader:
    """Typed values out of a TOML table; every error names the file and the key path."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, place: str, problem: str) -> SpecError:
        return SpecError(self.file, place, problem)

    # -- generic readers -------------------------------------------------
    def keys(self, table: dict[str, Any], allowed: tuple[str, ...], place: str) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail(key_path(place, key), "unknown key" + did_you_mean(key, allowed))

    def table(self, value: Any, place: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(place, f"expected a table, got {kind_of(value)}")
        return value

    def number(self, value: Any, place: str) -> Fraction:
        if isinstance(value, BadNumber):
            raise self.fail(place, value.problem)
        if isinstance(value, bool) or not isinstance(value, (int, Fraction)):
            raise self.fail(place, f"expected a number, got {kind_of(value)}")
        if abs(value) > DOUBLE_MAX:
            raise self.fail(place, f"a {len(str(abs(value)))}-digit number is too large: "
                            "JSON (a double) carries at most about 1.8e308")
        return Fraction(value)

    def integer(self, value: Any, place: str, low: int, high: int | None = None) -> int:
        if isinstance(value, ExactFloat) and value.denominator == 1 and low <= value <= (high or value):
            raise self.fail(place, f"expected a whole number: write {value.numerator}, not {value.text}")
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(place, f"expected a whole number, got {kind_of(value)}")
        if value < low:
            raise self.fail(place, f"must be at least {low}, got {value}")
        if high is not None and value > high:
            raise self.fail(place, f"must be at most {high}, got {value}")
        return value

    def numbers(self, value: Any, place: str) -> tuple[Fraction, ...]:
        if not isinstance(value, list):
            raise self.fail(place, f"expected a list of numbers, got {kind_of(value)}")
        if not value:
            raise self.fail(place, "the list is empty")
        return tuple(self.number(v, f"{place}[{i}]") for i, v in enumerate(value, 1))

    def string(self, value: Any, place: str) -> str:
        if not isinstance(value, str):
            raise self.fail(place, f"expected a string, got {kind_of(value)}")
        return value

    def choice(self, value: Any, place: str, options: tuple[str, ...]) -> str:
        text = self.string(value, place)
        if text not in options:
            raise self.fail(place, f"unknown value {text!r}" + did_you_mean(text, options, list_all=True))
        return text

    def named_numbers(self, value: Any, place: str) -> dict[str, Fraction]:
        out: dict[str, Fraction] = {}
        for name, v in self.table(value, place).items():
            where = key_path(place, name)
            self.name(name, where)
            out[name] = self.number(v, where)
        return out

    def text(self, value: Any, place: str, newlines: bool) -> str:
        """Plain text (title, description): no control characters."""
        text = self.string(value, place)
        for c in text if newlines else text.strip():
            if (ord(c) < 32 and not (newlines and c in "\n\r\t")) or 0x7F <= ord(c) < 0xA0 or c == "\ufffe":
                raise self.fail(place, f"the control character U+{ord(c):04X} is not allowed")
        return text

    def name(self, name: str, place: str) -> None:
        try:
            check_name(name)
        except ExprError as e:
            raise self.fail(place, str(e)) from None

    # -- the spec --------------------------------------------------------


def did_you_mean(word: str, options: tuple[str, ...], list_all: bool = False) -> str:
    import difflib  # only for a message

    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f' (did you mean "{close[0]}"?)'
    if list_all:
        return " (expected one of: " + ", ".join(options) + ")"
    return ""


def kind_of(value: Any) -> str:
    """What the user wrote, in a few words: ``the string "2"``, ``1.5``, ``true``, ``a table``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, ExactFloat):
        return value.text if len(value.text) <= 30 else "a number"
    if isinstance(value, BadNumber):
        return str(value)
    if isinstance(value, int):
        return str(value) if len(str(value)) <= 30 else "a number"
    if isinstance(value, str):
        return "the string " + json.dumps(value[:30] + ("..." if len(value) > 30 else ""), ensure_ascii=False)
    if isinstance(value, (datetime.date, datetime.time)):
        return "a date/time"
    if isinstance(value, list):
        return "an empty list" if not value else "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def plural(n: int, word: str) -> str:
    plural = {"bias": "biases"}.get(word, word + "s")
    return f"{n} {word if n == 1 else plural}"


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")


def key_path(place: str, key: str) -> str:
    """A key path as TOML writes it: ``graph.params.u1``, ``graph.params."a b"``."""
    shown = key if _BARE_KEY.match(key) else json.dumps(key)
    return f"{place}.{shown}" if place else shown
