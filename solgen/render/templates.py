"""Solution -> text through the Jinja templates in templates/.

Two environments: Markdown with Jinja's usual delimiters, LaTeX with
``((* *))``, ``((( )))`` and ``((= =))`` so that TeX's braces and ``{#1}``
never collide with Jinja.  Layout lives in the templates only.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from solgen.errors import SolgenError
from solgen.explain.solution import Rich, Solution

from .breaking import blocks
from .latexsafe import md_escape, tex_escape
from .tables import columns

FORMATS = {"md": ("markdown", "solution.md.j2"), "tex": ("latex", "solution.tex.j2")}


def template_root() -> Path:
    package = Path(__file__).resolve().parents[1]  # solgen/
    packaged = package / "templates"  # the wheel's copy
    if packaged.is_dir():
        return packaged
    return package.parent / "templates"  # an editable install: the repository's templates/


def _rich(escape: callable[[str], str], math: str) -> callable[[Rich], str]:  # type: ignore[valid-type]
    def render(pieces: Rich) -> str:
        out = []
        for i, piece in enumerate(pieces):
            if i % 2:
                out.append(math.format(piece))
            else:
                out.append(escape(piece))
        return "".join(out)

    return render


def _message(key: str, language: str, **words: object) -> str:
    """A heading or sentence of the templates, from the message catalog (unescaped text)."""
    from solgen.messages import text

    return text(key, language, **words)


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs (Jinja checks them against the sources)."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(root) / "solgen" / f"jinja-{jinja2.__version__}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder)) if os.access(folder, os.W_OK) else None


@cache
def environment(fmt: str, user_dir: str | None = None) -> jinja2.Environment:
    folder, _ = FORMATS[fmt]
    paths = [str(template_root() / folder)]
    if user_dir:
        paths.insert(0, str(Path(user_dir) / folder))
        paths.insert(1, user_dir)
    options = dict(
        loader=jinja2.FileSystemLoader(paths),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    if fmt == "tex":
        options.update(
            block_start_string="((*", block_end_string="*))",
            variable_start_string="(((", variable_end_string=")))",
            comment_start_string="((=", comment_end_string="=))",
        )
    cache = _bytecode_cache()
    if cache is not None and not user_dir:
        options["bytecode_cache"] = cache
    env = (SandboxedEnvironment if user_dir else jinja2.Environment)(**options)  # type: ignore[arg-type]
    escape = tex_escape if fmt == "tex" else md_escape
    env.filters["text"] = escape
    env.filters["rich"] = _rich(escape, "${}$")
    env.filters["blocks"] = blocks
    env.filters["columns"] = columns
    env.globals["t"] = _message
    return env


def render(solution: Solution, fmt: str, user_dir: str | None = None, problem: bool = False) -> str:
    env = environment(fmt, user_dir)
    try:
        template = env.get_template(FORMATS[fmt][1])
        return template.render(s=solution, problem=problem)
    except jinja2.TemplateError as e:
        where = f" ({e.filename}:{e.lineno})" if isinstance(e, jinja2.TemplateSyntaxError) else ""
        raise SolgenError(f"template error{where}: {e.message or e}") from None
    except jinja2.exceptions.SecurityError as e:  # pragma: no cover - subclass of TemplateError
        raise SolgenError(f"template error: {e}") from None
