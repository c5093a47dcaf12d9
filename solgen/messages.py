"""Prose from message catalogs: ``templates/messages/<language>.toml``.

Every sentence and heading a document shows comes from a catalog, never from a
Python string.  A message is text with numbered placeholders for math, e.g.
``"Sigmoid: {0} with derivative {1}."``; ``rich`` turns it into the alternating
text/math pieces a ``Rich`` holds.  A key missing from a language falls back to
English (a user's catalog may be partial; the bundled ones are complete, tests/test_languages.py);
a key missing from English is a bug (KeyError).

A call without ``language`` speaks the language of the spec being solved: ``speaking(language)``
sets it for the calls inside it (the pipeline and ``solgen grade`` wrap each spec in it), so a
module needs no language argument to pass down; outside any ``speaking`` it is English.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any

DEFAULT_LANGUAGE = "en"
_SLOT = re.compile(r"\{(\d+)\}")
_SPEAKING: ContextVar[str] = ContextVar("solgen_language", default=DEFAULT_LANGUAGE)


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Messages asked for without a language come from ``language`` inside this block."""
    token = _SPEAKING.set(language)
    try:
        yield
    finally:
        _SPEAKING.reset(token)


def catalog_dir() -> Any:
    from solgen.render.templates import template_root

    return template_root() / "messages"


@cache
def catalog(language: str) -> dict[str, str]:
    """The flat catalog of one language: ``{"conventions.sigmoid": "...", ...}``."""
    path = catalog_dir() / f"{language}.toml"
    return _flatten(tomllib.loads(path.read_text(encoding="utf-8")))


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def text(key: str, language: str | None = None, **words: Any) -> str:
    """A plain message, with ``{name}`` fields filled from ``words``."""
    message = catalog(language or _SPEAKING.get()).get(key)
    if message is None:
        message = catalog(DEFAULT_LANGUAGE)[key]
    return message.format(**words) if words else message


def rich(key: str, *math: str, language: str | None = None, **words: Any) -> tuple[str, ...]:
    """A message as Rich pieces (text, math, text, ...): ``{0}``, ``{1}``... are math slots."""
    message = text(key, language)
    if words:
        message = re.sub(r"\{([A-Za-z_]\w*)\}", lambda m: str(words[m.group(1)]), message)
    pieces: list[str] = []
    last = 0
    for m in _SLOT.finditer(message):
        pieces.append(message[last:m.start()])
        pieces.append(math[int(m.group(1))])
        last = m.end()
    tail = message[last:]
    if tail:
        pieces.append(tail)
    return tuple(pieces)
