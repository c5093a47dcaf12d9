"""A TOML table (as ``read_toml`` returns it) -> TOML text, numbers exact.

Only what a spec holds: strings, booleans, integers, exact numbers (``ExactFloat``
keeps the text the user typed; a drawn ``Fraction`` is written as its terminating
decimal), lists, tables and arrays of tables.  Reading the text back gives the
same table.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

from solgen.core.numbers import terminating, to_decimal
from solgen.spec.tomltext import ExactFloat

_BARE = re.compile(r"[A-Za-z0-9_-]+\Z")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def key(k: str) -> str:
    return k if _BARE.match(k) else string(k)


def string(s: str) -> str:
    out = []
    for c in s:
        if c in _ESCAPES:
            out.append(_ESCAPES[c])
        elif ord(c) < 32 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def number(v: Fraction) -> str:
    if isinstance(v, ExactFloat) and v.text:
        return v.text
    if v.denominator == 1:
        return str(v.numerator)
    if not terminating(v):
        raise ValueError(f"{v} has no finite decimal expansion")
    d = to_decimal(v).normalize()
    text = format(d, "f")
    return text if "." in text else text + ".0"


def value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return string(v)
    if isinstance(v, Fraction):
        return number(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, Decimal):
        return number(Fraction(v))
    if isinstance(v, list):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{key(k)} = {value(x)}" for k, x in v.items()) + " }" if v else "{}"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def _is_table_array(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def dumps(table: dict[str, Any], header: str = "") -> str:
    """The table as TOML: plain keys first, then sub-tables and arrays of tables."""
    lines: list[str] = []
    later: list[tuple[str, Any]] = []
    for k, v in table.items():
        if isinstance(v, dict) or _is_table_array(v):
            later.append((k, v))
        else:
            lines.append(f"{key(k)} = {value(v)}")
    text = "\n".join(lines) + ("\n" if lines else "")
    for k, v in later:
        name = f"{header}.{key(k)}" if header else key(k)
        if isinstance(v, dict):
            text += f"\n[{name}]\n" + dumps(v, name)
        else:
            for item in v:
                text += f"\n[[{name}]]\n" + dumps(item, name)
    return text
