"""Jupyter: the ``%%solgen`` cell magic (``%load_ext solgen``).

A cell that starts with ``%%solgen`` holds a spec in TOML; running it shows the
answer key (MathML and the diagram inline as SVG, from ``Key._repr_html_``).
Options after the magic's name::

    %%solgen                 the answer key
    %%solgen --problem       the question sheet instead
    %%solgen --no-verify     skip the central-difference self-check
    %%solgen key             also store the Key in the notebook variable ``key``

A wrong spec prints its one-line message (``cell.toml: place: problem``) and
shows nothing else: no traceback.
"""

from __future__ import annotations

from typing import Any


def register(ipython: Any) -> None:
    ipython.register_magic_function(_magic(ipython), magic_kind="cell", magic_name="solgen")


class _Sheet:
    """The question sheet shown in a cell (HTML, with Markdown and LaTeX as fallbacks)."""

    def __init__(self, key: Any) -> None:
        self.key = key

    def _repr_html_(self) -> str:
        from .export.html import fragment

        return fragment(self.key.solved, self.key.options, problem=True)

    def _repr_markdown_(self) -> str:
        return self.key.problem_sheet("md")

    def _repr_latex_(self) -> str:
        return self.key.problem_sheet("tex")


def _magic(ipython: Any) -> Any:
    def solgen(line: str, cell: str) -> Any:
        from .api import load as load_problem
        from .errors import SolgenError

        words = line.split()
        flags = {w for w in words if w.startswith("--")}
        names = [w for w in words if not w.startswith("--")]
        unknown = flags - {"--problem", "--no-verify"}
        if unknown or len(names) > 1:
            print(f"solgen: unknown options {' '.join(sorted(unknown) + names[1:])}; "
                  "use %%solgen [NAME] [--problem] [--no-verify]")
            return None
        try:
            key = load_problem(cell, name="cell.toml").solve(verify="--no-verify" not in flags)
        except SolgenError as e:
            print(e)
            return None
        if names:
            ipython.user_ns[names[0]] = key
        return _Sheet(key) if "--problem" in flags else key

    return solgen
