"""Solution -> text through the Jinja templates in templates/.

Two environments: Markdown with Jinja's usual delimiters, LaTeX with
``((* *))``, ``((( )))`` and ``((= =))`` so that TeX's braces and ``{#1}``
never collide with Jinja.  Layout lives in the templates only.
"""

from __future__ import annotations

import functools
import inspect
import os
import re
import signal
import stat
import threading
import types
from dataclasses import replace
from functools import cache
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from solgen.errors import SolgenError
from solgen.explain.solution import Rich, Solution

from .breaking import blocks, share
from .latexsafe import md_escape, tex_escape, text_needs
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
            elif piece:  # (a table cell of one formula has empty text on either side)
                out.append(escape(piece))
        return "".join(out)

    return render


def _message(key: str, language: str, **words: object) -> str:
    """A heading or sentence of the templates, from the message catalog (unescaped text)."""
    from solgen.messages import text

    return text(key, language, **words)


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs (Jinja checks them against the sources).

    The cache is unpickled, so it is used only when its folder and the ``solgen``
    folder above it belong to this user and nobody else may write to them."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(root) / "solgen" / f"jinja-{jinja2.__version__}"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not all(_private(p) for p in (folder, folder.parent)):
            return None
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder)) if os.access(folder, os.W_OK) else None


def _private(folder: Path) -> bool:
    info = folder.lstat()
    owner = os.getuid() if hasattr(os, "getuid") else info.st_uid
    return stat.S_ISDIR(info.st_mode) and info.st_uid == owner and not info.st_mode & 0o022


class _InsideLoader(jinja2.FileSystemLoader):
    """A user's template folder: a template (or a symlink) that resolves outside it is not found."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, object]:
        source, filename, uptodate = super().get_source(environment, template)
        real = os.path.realpath(filename)
        if not any(real.startswith(os.path.realpath(root) + os.sep) for root in self.searchpath):
            raise jinja2.TemplateNotFound(f"{template} (it leads outside the template folder)")
        return source, filename, uptodate


@cache
def environment(fmt: str, user_dir: str | None = None) -> jinja2.Environment:
    folder, _ = FORMATS[fmt]
    paths = [str(template_root() / folder)]
    loader: jinja2.BaseLoader = jinja2.FileSystemLoader(paths)
    if user_dir:  # the user's folder first, each template resolving inside its own folder
        mine = _InsideLoader([str(Path(user_dir) / folder), user_dir])
        loader = jinja2.ChoiceLoader([mine, loader])
    options = dict(
        loader=loader,
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
    env = (_BoundedSandbox if user_dir else jinja2.Environment)(**options)  # type: ignore[arg-type]
    if user_dir:
        env.filters.update({k: _bounded_call(f) for k, f in env.filters.items()})
        env.globals.update({k: _bounded_call(f) for k, f in env.globals.items()})
    escape = tex_escape if fmt == "tex" else md_escape
    env.filters["text"] = escape
    env.filters["rich"] = _rich(escape, "${}$")
    env.filters["blocks"] = blocks
    env.filters["columns"] = columns
    env.globals["t"] = _message
    env.globals["text_needs"] = text_needs
    env.filters["code_point"] = lambda c: f"U+{ord(c):04X}"
    return env


MAX_OUTPUT = 32 * 1024 * 1024  # characters a user's template may write for one document
MAX_SECONDS = 30  # and how long it may run
MAX_ARGUMENT = 100_000  # the largest number a call may take (a width, a count, a repeat)


class TemplateLimit(SolgenError):
    """A user's template went beyond what a template may produce or how long it may run."""


def _check_arguments(args: tuple, kwargs: dict) -> None:  # type: ignore[type-arg]
    for a in (*args, *kwargs.values()):
        if isinstance(a, int) and not isinstance(a, bool) and abs(a) > MAX_ARGUMENT:
            raise TemplateLimit(f"template error: {a} is larger than a template may ask for "
                                f"(at most {MAX_ARGUMENT:,})")


def _sized(value: object) -> bool:
    return isinstance(value, (str, list, bytes, dict, tuple))


def _checked_size(value: object) -> object:
    if isinstance(value, (str, list, bytes, dict, tuple, range)) and len(value) > MAX_OUTPUT:
        raise TemplateLimit(f"template error: a value of more than {MAX_OUTPUT:,} items")
    return value


def _bounded_call(fn):  # type: ignore[no-untyped-def]
    if not inspect.isfunction(fn):  # cycler, joiner, namespace: classes, left as they are
        return fn

    @functools.wraps(fn)  # keeps Jinja's pass_context / pass_environment mark (in __dict__)
    def call(*args, **kwargs):  # type: ignore[no-untyped-def]
        _check_arguments(args, kwargs)
        return _checked_size(fn(*args, **kwargs))

    return call


class _BoundedSandbox(SandboxedEnvironment):
    """Jinja's sandbox, and no call with a huge number (``center(10**9)``, a format width)."""

    intercepted_binops = frozenset(["*", "**", "+"])

    def call(__self, __context, __obj, *args, **kwargs):  # type: ignore[no-untyped-def,override]
        _check_arguments(args, kwargs)
        return _checked_size(super().call(__context, __obj, *args, **kwargs))

    def call_binop(self, context, operator, left, right):  # type: ignore[no-untyped-def,override]
        _check_arguments((left, right), {})
        if operator == "+" and _sized(left) and _sized(right):  # before it is built: ``x + x`` doubles
            _checked_size(range(len(left) + len(right)))
        return _checked_size(super().call_binop(context, operator, left, right))

    def wrap_str_format(self, value):  # type: ignore[no-untyped-def,override]
        owner = value.__self__ if isinstance(value, types.BuiltinMethodType) else ""
        if isinstance(owner, str) and re.search(r"\d{6,}", owner):
            raise TemplateLimit("template error: a format width or precision larger than a template may use")
        return super().wrap_str_format(value)


def _bounded_render(template: jinja2.Template, **context: object) -> str:
    """Stream the output, stopping at ``MAX_OUTPUT`` characters or after ``MAX_SECONDS``."""
    def too_slow(signum: int, frame: object) -> None:
        raise TemplateLimit(f"template error: the template ran longer than {MAX_SECONDS} s")

    timed = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    old = signal.signal(signal.SIGALRM, too_slow) if timed else None
    if timed:
        signal.alarm(MAX_SECONDS)
    try:
        out: list[str] = []
        size = 0
        for chunk in template.generate(**context):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise TemplateLimit(f"template error: the template wrote more than {MAX_OUTPUT:,} characters")
            out.append(chunk)
        return "".join(out)
    finally:
        if timed:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)


def render(solution: Solution, fmt: str, user_dir: str | None = None, problem: bool = False) -> str:
    """The solution as ``fmt`` text (the question sheet with ``problem``).  A sheet's own diagram
    (``solution.sheet``, drawn on demand) is drawn here for a sheet, and for a user's templates,
    which may show it anywhere; the built-in templates read ``sheet_diagram`` on a sheet only."""
    share(solution)  # its documents break each equation once between them (before any copy)
    if solution.sheet is not None and (problem or user_dir) and not solution.sheet_diagram:
        solution = replace(solution, sheet_diagram=solution.sheet.tikz)
    env = environment(fmt, user_dir)
    try:
        template = env.get_template(FORMATS[fmt][1])
        if user_dir:
            return _bounded_render(template, s=solution, problem=problem)
        return template.render(s=solution, problem=problem)
    except jinja2.TemplateError as e:
        where = f" ({e.filename}:{e.lineno})" if isinstance(e, jinja2.TemplateSyntaxError) else ""
        raise SolgenError(f"template error{where}: {e.message or e}") from None
    except jinja2.exceptions.SecurityError as e:  # pragma: no cover - subclass of TemplateError
        raise SolgenError(f"template error: {e}") from None
