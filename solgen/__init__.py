"""solgen: worked backpropagation solutions from a TOML spec.

The Python API (see docs/api.md)::

    import solgen
    key = solgen.load("specs/mazur.toml").solve()
    key.answers            # the JSON answers as a dict
    key.markdown()         # also .latex(), .html(), .pdf(), .problem_sheet()

Names are imported when first used, so ``import solgen`` (and ``solgen --help``)
stays fast: nothing here imports sympy.  In Jupyter, ``%load_ext solgen`` adds the
``%%solgen`` cell magic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Key", "Problem", "SolgenError", "SpecError", "load", "load_ipython_extension", "solve_toml"]

if TYPE_CHECKING:
    from .api import Key, Problem, load, solve_toml
    from .errors import SolgenError, SpecError


def __getattr__(name: str) -> Any:
    """The API's names, imported on first use (``import solgen`` stays cheap)."""
    if name in ("Key", "Problem", "load", "solve_toml"):
        from . import api

        return api.__dict__[name]
    if name in ("SpecError", "SolgenError"):
        from . import errors

        return errors.__dict__[name]
    raise AttributeError(f"module 'solgen' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*__all__, "__version__"])


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext solgen``: registers the ``%%solgen`` cell magic."""
    from .notebook import register

    register(ipython)
