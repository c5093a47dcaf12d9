"""A small in-process API for scripts and tests."""

from __future__ import annotations

from typing import Any

from .pipeline import Options, solve_text


def solve_toml(text: str, filename: str = "spec.toml", verify: bool = True) -> dict[str, Any]:
    """The JSON answers of ``solgen solve`` for a spec given as TOML text."""
    return solve_text(text, filename, Options(formats=("json",), verify=verify)).answers
