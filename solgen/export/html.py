"""HTML: one self-contained page per key (``--format html``).

Math is MathML (converted from the Solution's LaTeX fragments by latex2mathml),
shown by every current browser with no script and no network, and read by screen
readers; the diagram is the SVG inline; one stylesheet in the page has light and
dark colour schemes and print rules.  Layout is ``templates/html/solution.html.j2``;
user text (title, description, notes) is escaped by Jinja's autoescape.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

WRAP = 6  # terms per line of a long sum, as in the Markdown and LaTeX


def html(solved: Any, options: Any, out: dict[str, bytes]) -> None:
    out[f"{solved.spec.stem}.html"] = page(solved, options).encode()


def page(solved: Any, options: Any) -> str:
    """The whole page: ``<!DOCTYPE html>`` to ``</html>``."""
    return _render(solved, options, options.problem, standalone=True)


def fragment(solved: Any, options: Any, problem: bool = False) -> str:
    """The key as one ``<div>`` with its own (scoped) style, for a notebook cell."""
    return _render(solved, options, problem, standalone=False)


def _render(solved: Any, options: Any, problem: bool, standalone: bool) -> str:
    import jinja2

    from solgen.errors import SolgenError

    env = environment(options.templates)
    try:
        template = env.get_template("solution.html.j2")
        return template.render(s=solved.solution, svg=_svg(solved.diagram_svg(problem)), problem=problem,
                               standalone=standalone)
    except jinja2.TemplateError as e:
        raise SolgenError(f"template error: {e.message or e}") from None


def _svg(svg: str) -> Any:
    from markupsafe import Markup

    return Markup(svg.strip())  # solgen's own drawing: every text in it is already XML-escaped


@cache
def environment(user_dir: str | None = None) -> Any:
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    from solgen.render.templates import template_root

    paths = [str(template_root() / "html")]
    if user_dir:
        paths.insert(0, str(Path(user_dir) / "html"))
    kind = SandboxedEnvironment if user_dir else jinja2.Environment
    env = kind(loader=jinja2.FileSystemLoader(paths), undefined=jinja2.StrictUndefined, autoescape=True,
               trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["math"] = lambda tex: _markup(mathml(tex, False))
    env.filters["rich"] = rich
    env.filters["equation"] = equation
    env.globals["t"] = _message
    return env


def _markup(text: str) -> Any:
    from markupsafe import Markup

    return Markup(text)


_FLAT_PARENS = re.compile(r"\\left\(([^\\{}]*)\\right\)")  # \left( 0.15 \right): nothing tall inside

# a minus right after an opening, a relation or an operator is a sign: no binary spacing
_UNARY_MINUS = re.compile(r"(<mrow>|<mo[^>]*>(?:&#x00028;|&#x0003D;|&#x0005B;|&#x0002B;|&#x02212;|&#x000B7;)</mo>)"
                          r"<mo>&#x02212;</mo>")


@lru_cache(maxsize=65536)
def mathml(tex: str, block: bool) -> str:
    """One LaTeX fragment as a ``<math>`` element.

    Parentheses around something flat (a number) are not stretchy (browsers space
    stretchy fences widely), and ``\\boxed`` becomes a bordered ``<mrow>``, because
    MathML Core (Chromium) does not draw ``<menclose>``.
    """
    from latex2mathml.converter import convert

    out = convert(_FLAT_PARENS.sub(r"(\1)", tex), display="block" if block else "inline")
    out = _UNARY_MINUS.sub(r'\1<mo lspace="0em" rspace="0em">&#x02212;</mo>', out)
    return out.replace('<menclose notation="box">', '<mrow class="boxed">').replace("</menclose>", "</mrow>")


def rich(pieces: tuple[str, ...]) -> Any:
    """Text, math, text, math, ...: the text escaped, the math as inline MathML."""
    from markupsafe import Markup, escape

    return Markup("").join(Markup(mathml(p, False)) if i % 2 else escape(p) for i, p in enumerate(pieces))


def _message(key: str, language: str = "en", **words: object) -> str:
    """A heading or sentence from the message catalog (the page escapes it)."""
    from solgen.messages import text

    return text(key, language, **words)


def equation(e: Any) -> Any:
    """One equation: a single display line when short; otherwise one row per line, the
    left side and the relation signs aligned (a CSS grid), long sums wrapped."""
    from markupsafe import Markup, escape

    sides = list(e.sides)
    if e.boxed:
        sides[-1] = "\\boxed{" + sides[-1] + "}"
    note = Markup(f'<p class="note">{rich(e.note)}</p>') if e.note else Markup("")
    if e.short:
        tex = f"{e.lhs} {e.rel} " + " = ".join(sides)
        return note + Markup(f'<div class="eq">{mathml(tex, True)}</div>')
    rows = []
    for k, chunks in enumerate(e.steps):
        last = k == len(e.steps) - 1
        lines = [sides[-1]] if last else [" ".join(chunks[i:i + WRAP]) for i in range(0, len(chunks), WRAP)]
        for j, line in enumerate(lines):
            lhs = mathml(e.lhs, False) if k == 0 and j == 0 else ""
            rel = (e.rel if k == 0 else "=") if j == 0 else "\\quad"
            rows.append(f'<span class="lhs">{lhs}</span><span class="rhs">{mathml(rel + " " + line, False)}</span>')
    name = f' data-name="{escape(e.name)}"' if e.name else ""
    return note + Markup(f'<div class="eq eq-long"{name}>' + "".join(rows) + "</div>")
