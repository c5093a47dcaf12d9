"""The command line: ``solgen render`` and ``solgen solve``.

Every SolgenError becomes one line on stderr and its exit code (2 for a wrong
spec or command line, 3 for a failed self-check, 4 for an output the operating
system would not let us write); Ctrl-C is exit 130 and SIGTERM 143, after the
temporary files are removed; any other exception is a bug in solgen and also
gets one line (exit 3; SOLGEN_DEBUG=1 shows the traceback).
sympy is imported only when a command needs it, so ``--help`` and ``--version``
stay instant.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from solgen import __version__

from .errors import SolgenError, SpecError, ascii_path

FORMATS = ("md", "tex", "pdf", "json")


def _reports_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _exit_on_sigterm()
        try:
            return fn(*args, **kwargs)
        except SolgenError as e:
            click.echo(_message(e), err=True)
            sys.exit(e.exit_code)
        except KeyboardInterrupt:
            click.echo("solgen: interrupted; nothing more was written", err=True)
            sys.exit(130)
        except OSError as e:  # the operating system refused something: not a bug in solgen
            where = f"{ascii_path(os.fsdecode(e.filename))}: " if e.filename else ""
            click.echo(_one_line(f"solgen: {where}{e.strerror or e}"), err=True)
            sys.exit(4)
        except RecursionError:
            click.echo("solgen: the spec is nested too deeply to process", err=True)
            sys.exit(2)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as e:  # a bug: one line, not a traceback (SOLGEN_DEBUG=1 shows it)
            if os.environ.get("SOLGEN_DEBUG"):
                raise
            click.echo(_one_line(f"solgen: internal error ({type(e).__name__}: {e}); this is a bug in "
                                 "solgen, please report it (SOLGEN_DEBUG=1 shows the traceback)"), err=True)
            sys.exit(3)

    return wrapper


def _exit_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C (temporary files removed), then exits 143."""
    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    try:
        signal.signal(signal.SIGTERM, stop)
    except (ValueError, OSError):  # not the main thread
        pass


def _message(e: SolgenError) -> str:
    """One line: ``FILE: place: problem`` for a spec, ``solgen: ...`` for anything else."""
    return ascii_path(_one_line(str(e) if isinstance(e, SpecError) else f"solgen: {e}"))


def _one_line(text: str) -> str:
    return " ".join(text.replace("\r", "\n").split("\n")) if "\n" in text or "\r" in text else text


def _formats(value: str) -> tuple[str, ...]:
    items = tuple(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))
    bad = [v for v in items if v not in FORMATS]
    if bad or not items:
        raise click.BadParameter(f"{','.join(bad) or value!r}: choose from {','.join(FORMATS)}")
    return items


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="solgen")
def main() -> None:
    """Worked backpropagation solutions (answer keys) from TOML specs."""


@main.command()
@click.argument("specs", nargs=-1, required=True)
@click.option("-o", "--output", default="output", show_default=True, help="Folder to write into.")
@click.option("--format", "fmt", default="md,tex", show_default=True,
              help="Comma-separated: md, tex, pdf, json.")
@click.option("--problem", is_flag=True, help="The question sheet: given values, what to find, no answers.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 listing the files that would change.")
@click.option("--no-verify", is_flag=True, help="Skip the central-difference self-check.")
@click.option("--templates", type=click.Path(file_okay=False), help="A folder whose templates override ours.")
@click.option("--max-parameters", type=click.IntRange(1), default=None,
              help="Largest network to render (default 10000).")
@_reports_errors
def render(specs: tuple[str, ...], output: str, fmt: str, problem: bool, check: bool,
           no_verify: bool, templates: str | None, max_parameters: int | None) -> None:
    """Render SPEC_OR_DIR... into OUTPUT/<spec stem>.<format>."""
    from solgen.core.graph import DEFAULT_MAX_PARAMETERS

    from .pipeline import MAX_COUNTED, Options, expand, solve_file
    from .progress import progress
    from .write import stale, write_all

    try:
        formats = _formats(fmt)
    except click.BadParameter as e:
        raise click.UsageError(str(e)) from None
    options = Options(formats, problem, not no_verify, templates, max_parameters or DEFAULT_MAX_PARAMETERS,
                      max_parameters or MAX_COUNTED)
    outdir = Path(output)
    paths = expand(list(specs))
    files: dict[str, bytes] = {}
    errors: list[str] = []
    with progress(paths) as bar:
        for path in bar:
            try:
                solved = solve_file(path, options)
                files.update(_documents(solved, options))
            except SolgenError as e:
                if e.exit_code != 2:
                    raise
                errors.append(_message(e))
    if errors:
        for line in errors:
            click.echo(line, err=True)
        sys.exit(2)
    if check:
        changed = stale(outdir, files)
        for path in changed:
            click.echo(f"would change: {path}")
        sys.exit(1 if changed else 0)
    write_all(outdir, files)


def _documents(solved: Any, options: Any) -> dict[str, bytes]:
    """Render one solved spec; with --templates, whatever a user template raises is a
    template error (exit 2), not a crash."""
    from .pipeline import documents

    if not options.templates:
        return documents(solved, options)
    try:
        return documents(solved, options)
    except SolgenError:
        raise
    except Exception as e:
        raise SolgenError(f"template error (--templates {options.templates}): "
                          f"{type(e).__name__}: {e}") from None


@main.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--no-verify", is_flag=True, help="Skip the central-difference self-check.")
@click.option("--max-parameters", type=click.IntRange(1), default=None)
@_reports_errors
def solve(spec: str, no_verify: bool, max_parameters: int | None) -> None:
    """Print the JSON answers of SPEC on stdout."""
    from solgen.core.graph import DEFAULT_MAX_PARAMETERS

    from .pipeline import MAX_COUNTED, Options, solve_file

    options = Options(("json",), verify=not no_verify,
                      max_parameters=max_parameters or DEFAULT_MAX_PARAMETERS,
                      max_counted=max_parameters or MAX_COUNTED)
    solved = solve_file(Path(spec), options)
    click.echo(json.dumps(solved.answers, indent=2))
if __name__ == "__main__":
    main()
