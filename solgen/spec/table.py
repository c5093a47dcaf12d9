"""A spec given as a Python dict -> the same validated ``Spec`` a TOML file gives.

The dict goes through the very reader a TOML file goes through; it is data, never
code.  Values must be what TOML itself produces: ``str``, ``bool``, ``int``, ``float``,
lists (or tuples) and dicts with string keys.  A Python ``float`` is converted to the
exact rational of its shortest decimal form, ``repr(x)`` (``0.1`` is 1/10, not the
binary double nearest 0.1), which is what the same number typed in a TOML file gives.
nan and infinity are reported at their place like in a file.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from solgen.errors import SpecError

from .reader import key_path
from .tomltext import parse_float


def from_table(data: dict[str, Any], file: str = "spec.toml") -> Any:
    """Validate a spec given as a dict; ``file`` is the name error messages use."""
    from .sections import _SpecReader

    if not isinstance(data, dict):
        raise SpecError(file, "", f"a spec is a dict (a TOML table), got {type(data).__name__}")
    if not data:
        raise SpecError(file, "", "the dict is empty: a spec needs a title and a [network] or [graph]")
    return _SpecReader(file).spec(_convert(data, "", file))


def _convert(value: Any, place: str, file: str) -> Any:
    if isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        return parse_float(repr(value))  # the shortest decimal: exactly what TOML would read
    if isinstance(value, Fraction):
        return value
    if isinstance(value, list | tuple):
        return [_convert(v, f"{place}[{i}]", file) for i, v in enumerate(value, 1)]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise SpecError(file, place, f"a key must be a string, got {type(k).__name__} {k!r}")
            out[k] = _convert(v, key_path(place, k), file)
        return out
    raise SpecError(file, place or "(top level)",
                    f"a spec holds only TOML values (str, bool, int, float, list, dict), got {type(value).__name__}")
