"""The Python API: load a problem, solve it, render its key in memory.

>>> import solgen
>>> key = solgen.load("specs/mazur.toml").solve()
>>> key.answers["steps"][0]["loss"]          # the contract's JSON, as a dict
0.2983711087600027
>>> md, tex, page = key.markdown(), key.latex(), key.html()

``load`` takes a path, TOML text or a dict; every wrong spec raises
``solgen.SpecError`` (``.file``, ``.place``, ``.problem``), exactly the message the
command line prints.  The command line is a thin layer over the same pipeline.
"""

from __future__ import annotations

import base64
import copy
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .core.graph import DEFAULT_MAX_PARAMETERS
from .pipeline import Options, Solved, documents, solve, solve_text

__all__ = ["Key", "Problem", "load", "solve_toml"]


def solve_toml(text: str, filename: str = "spec.toml", verify: bool = True) -> dict[str, Any]:
    """The JSON answers of ``solgen solve`` for a spec given as TOML text."""
    return solve_text(text, filename, Options(formats=("json",), verify=verify)).answers


def load(source: str | os.PathLike[str] | dict[str, Any], name: str | None = None) -> Problem:
    """A problem from a spec file, TOML text or a dict.

    * a ``pathlib.Path`` (or any path-like) is read as a file;
    * a ``str`` holding a newline or an ``=`` is TOML text, any other ``str`` a path;
    * a ``dict`` is the TOML table itself (a float is taken as its shortest decimal,
      ``repr(x)``, so ``0.1`` means exactly 1/10, as in a TOML file).

    ``name`` is the file name that error messages and output files use (default:
    the file's name, or ``spec.toml``).
    """
    from .spec.sections import load_spec, parse_spec
    from .spec.table import from_table

    if isinstance(source, dict):
        return Problem(from_table(source, name or "spec.toml"))
    if isinstance(source, str) and ("\n" in source or "=" in source):
        return Problem(parse_spec(source, name or "spec.toml"))
    if isinstance(source, str | os.PathLike):
        spec = load_spec(Path(source))
        if name:
            from dataclasses import replace

            spec = replace(spec, file=name)
        return Problem(spec, Path(source))
    raise TypeError(f"solgen.load takes a path, TOML text or a dict, not {type(source).__name__}")


@dataclass(frozen=True)
class Problem:
    """A validated spec, ready to solve."""

    spec: Any  # solgen.spec.Spec
    path: Path | None = None  # the spec file, when it was loaded from one

    @property
    def title(self) -> str:
        return self.spec.title

    def variants(self, count: int | None = None, students: list[str] | None = None,
                 seed: int | None = None) -> list[Problem]:
        """One variant per student, exactly as ``solgen variants`` draws them: ``students`` (ids)
        or ``count`` (ids s001, s002, ...); ``seed`` overrides the spec's ``[variants] seed``.
        Each is a Problem of its own (``.solve()`` gives its key).  Needs a spec file."""
        from .classroom.roster import counted
        from .classroom.variants import draw_class
        from .spec.sections import parse_spec

        if self.path is None:
            raise TypeError("variants are drawn from a spec file: solgen.load(path)")
        ids = list(students) if students is not None else counted(count or 0)
        return [Problem(parse_spec(v.text, f"{v.student}.toml")) for v in draw_class(str(self.path), seed, ids)]

    def solve(self, *, verify: bool = True, max_parameters: int = DEFAULT_MAX_PARAMETERS,
              templates: str | None = None) -> Key:
        """Solve the problem (forward, loss, gradients, updates), self-checked unless ``verify=False``.

        ``templates`` is a folder whose templates override the bundled ones, as
        ``solgen render --templates``.
        """
        options = Options(verify=verify, templates=templates, max_parameters=max_parameters)
        return Key(solve(self.spec, options), options)

    def problem_sheet(self, format: str = "md") -> str | bytes:
        """The question sheet (given values, diagram, what to find; no answers)."""
        return self.solve(verify=False).problem_sheet(format)

    def _repr_markdown_(self) -> str:
        return self.problem_sheet("md")  # type: ignore[return-value]


@dataclass(frozen=True)
class Key:
    """A solved problem: its answers and its documents, rendered in memory."""

    solved: Solved = field(repr=False)
    options: Options = field(repr=False)

    @property
    def title(self) -> str:
        return self.solved.spec.title

    @property
    def answers(self) -> dict[str, Any]:
        """The JSON answers of ``solgen solve`` (section 3 of the contract), as a fresh dict."""
        return copy.deepcopy(self.solved.answers)

    @property
    def svg(self) -> str:
        """The diagram as standalone SVG text ("" when there is none)."""
        return self.solved.svg

    def files(self, formats: tuple[str, ...] = ("md", "tex"), problem: bool = False) -> dict[str, bytes]:
        """Every output file ``solgen render`` writes for these formats, by file name."""
        from dataclasses import replace

        return documents(self.solved, replace(self.options, formats=tuple(formats), problem=problem))

    def _one(self, fmt: str, ext: str, problem: bool = False) -> bytes:
        return self.files((fmt,), problem)[f"{self.solved.spec.stem}.{ext}"]

    def markdown(self) -> str:
        """The answer key in Markdown (its diagram is the ``.svg`` beside it: see ``svg``)."""
        return self._one("md", "md").decode()

    def latex(self) -> str:
        """The answer key as a LaTeX document (TikZ diagram)."""
        return self._one("tex", "tex").decode()

    def html(self) -> str:
        """The answer key as one self-contained HTML page (MathML, inline SVG)."""
        return self._one("html", "html").decode()

    def pdf(self) -> bytes:
        """The answer key as PDF (needs latexmk and TeX Live)."""
        return self._one("pdf", "pdf")

    def json(self) -> str:
        """The answers as the JSON text ``solgen solve`` prints."""
        return self._one("json", "json").decode()

    def problem_sheet(self, format: str = "md") -> str | bytes:
        """The question sheet in ``format`` (md, tex, html: text; pdf: bytes)."""
        data = self._one(format, format, problem=True)
        return data if format == "pdf" else data.decode()

    def write(self, folder: str | os.PathLike[str], formats: tuple[str, ...] = ("md", "tex"),
              problem: bool = False) -> list[Path]:
        """Write the files ``solgen render`` would (atomically) and return their paths."""
        from .write import write_all

        files = self.files(formats, problem)
        write_all(Path(folder), files)
        return [Path(folder) / name for name in files]

    # -- Jupyter's rich display ------------------------------------------
    def _repr_markdown_(self) -> str:
        text = self.markdown()
        image = self.solved.solution.image
        if image and self.svg:
            uri = "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()
            text = text.replace(image, f"![diagram]({uri})", 1)
        return text

    def _repr_latex_(self) -> str:
        return self.latex()

    def _repr_html_(self) -> str:
        from .export.html import fragment

        return fragment(self.solved, self.options)

    def __repr__(self) -> str:
        return f"<solgen.Key {self.title!r}>"
