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

import gc
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from functools import wraps
from pathlib import Path
from typing import Any

import click

from solgen import __version__

from .errors import SolgenError, SpecError, ascii_path
from .export import FORMATS


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


EPILOG = """\b
Examples:
  solgen new mlp hw1                         write a commented starter spec hw1.toml
  solgen render hw1.toml --format md,html    -> output/hw1.md, output/hw1.html
  solgen solve hw1.toml                      the JSON answers on stdout
  solgen check specs/                        validate, write nothing

Every key of a spec: docs/reference.md; every command: docs/cli.md."""


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EPILOG)
@click.version_option(__version__, prog_name="solgen")
def main() -> None:
    """Worked backpropagation solutions (answer keys) from TOML specs."""
    gc.set_threshold(*GC_THRESHOLDS)


#: A key is millions of objects that all live to the end of its render (values, expressions,
#: equations, rows), none of them garbage: at Python's default (700, 10, 10) the collector
#: walked all of them some ten times, 15% of a 2,000-layer key's render.  Collecting every
#: 50,000 allocations instead finds the same garbage, later, in a tenth of the time.
GC_THRESHOLDS = (50_000, 20, 10)


JOBS = click.option("-j", "--jobs", type=click.IntRange(1), default=None,
                    help="Worker processes (default: every core); outputs are the same for any N.")


@main.command()
@click.argument("specs", nargs=-1, required=True)
@click.option("-o", "--output", default="output", show_default=True, help="Folder to write into.")
@click.option("--format", "fmt", default="md,tex", show_default=True,
              help="Comma-separated: " + ", ".join(FORMATS) + ".")
@click.option("--problem", is_flag=True, help="The question sheet: given values, what to find, no answers.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 listing the files that would change.")
@click.option("--no-verify", is_flag=True, help="Skip the central-difference self-check.")
@click.option("--templates", type=click.Path(file_okay=False), help="A folder whose templates override ours.")
@click.option("--max-parameters", type=click.IntRange(1), default=None,
              help="Largest network to render (default 10000).")
@JOBS
@_reports_errors
def render(specs: tuple[str, ...], output: str, fmt: str, problem: bool, check: bool,
           no_verify: bool, templates: str | None, max_parameters: int | None, jobs: int | None) -> None:
    """Render SPEC_OR_DIR... into OUTPUT/<spec stem>.<format>.

    \b
    Examples:
      solgen render specs/mazur.toml                      -> output/mazur.md, output/mazur.tex
      solgen render specs/ -o keys --format md,html,pdf   every spec in the folder
      solgen render specs/ --problem -o sheets            question sheets, no answers
      solgen render specs/ --check                        exit 1 when output/ is stale

    The spec format: docs/reference.md.
    """
    from solgen.core.graph import DEFAULT_MAX_PARAMETERS

    from .batch import pool
    from .export import combined, gather
    from .pipeline import MAX_COUNTED, Options, expand
    from .write import Spool, stale

    try:
        formats = _formats(fmt)
    except click.BadParameter as e:
        raise click.UsageError(str(e)) from None
    options = Options(formats, problem, not no_verify, templates, max_parameters or DEFAULT_MAX_PARAMETERS,
                      max_parameters or MAX_COUNTED)
    outdir = Path(output)
    paths = expand(list(specs))
    errors: list[str] = []
    changed: list[Path] = []
    fragments: list[dict[str, bytes]] = []  # of formats that write one file for many specs
    spool = Spool(outdir)  # each spec's files go to disk as it is done; into place when all are
    try:
        with pool(jobs, len(paths)) as executor:
            for files in _render_all([(p, options) for p in paths], executor, errors):
                fragments.append({n: d for n, d in files.items() if combined(n) is not None})
                plain = {n: d for n, d in files.items() if combined(n) is None}
                if check:
                    changed += stale(outdir, plain)
                elif not errors:
                    spool.add(plain)
        if errors:
            for line in dict.fromkeys(errors):
                click.echo(line, err=True)
            sys.exit(2)
        joined = gather(fragments)
        if check:
            changed += stale(outdir, joined)
            for changed_path in changed:
                click.echo(f"would change: {changed_path}")
            sys.exit(1 if changed else 0)
        spool.add(joined)
        spool.commit()
    finally:
        spool.discard()


def _render_all(jobs: list[tuple[Path, Any]], executor: Any, errors: list[str]) -> Iterator[dict[str, bytes]]:
    """Each (spec, options) job's documents, rendered by the pool in input order (one
    progress bar), as each is done; a spec error is added to ``errors`` (the caller ends
    with exit 2 once every job is done)."""
    from .batch import documents
    from .progress import progress

    with progress([p for p, _ in jobs]) as bar:
        for _, result in zip(bar, documents(jobs, executor)):
            if isinstance(result, SolgenError):
                if result.exit_code != 2:
                    raise result
                errors.append(_message(result))
            else:
                yield result


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
@click.option("--count", type=click.IntRange(1, 100_000), default=None, help="Students s001, s002, ... (no roster).")
@click.option("--roster", type=click.Path(dir_okay=False), default=None,
              help="A CSV with an id column (else the first column): one variant per student.")
@click.option("--seed", type=click.IntRange(0), default=None, help="Overrides [variants] seed.")
@click.option("-o", "--output", required=True, help="Folder to write <id>.toml and answers.csv/json into.")
@click.option("--format", "fmt", default=None,
              help="Also render: keys/ and sheets/ (md, tex, pdf, json), <problem>.moodle.xml, <problem>.qti.zip.")
@click.option("--no-verify", is_flag=True, help="Skip the central-difference self-check of the keys.")
@JOBS
@_reports_errors
def variants(spec: str, count: int | None, roster: str | None, seed: int | None, output: str,
             fmt: str | None, no_verify: bool, jobs: int | None) -> None:
    """One variant of SPEC per student: OUTPUT/<id>.toml and the class answer table."""
    from .batch import pool
    from .classroom.roster import counted, read_roster
    from .classroom.variants import draw_class, load_plan
    from .write import write_all

    if (count is None) == (roster is None):
        raise click.UsageError("give one of --count N and --roster FILE")
    try:
        formats = _formats(fmt) if fmt else ()
    except click.BadParameter as e:
        raise click.UsageError(str(e)) from None
    students = read_roster(Path(roster)) if roster else counted(count or 0)
    plan, _ = load_plan(spec, seed)
    with pool(jobs, len(students)) as executor:
        drawn = draw_class(spec, seed, students, executor)
        files = _class_files(plan, drawn)
        if formats:
            files.update(_class_documents(drawn, formats, not no_verify, executor))
    write_all(Path(output), files)
    click.echo(f"{len(drawn)} variants of {plan.file} (seed {plan.seed}) in {output}", err=True)


def _class_files(plan: Any, drawn: list[Any]) -> dict[str, bytes]:
    from solgen.spec.sections import parse_spec

    from .classroom.table import answers_csv, answers_json

    files = {f"{v.student}.toml": v.text.encode() for v in drawn}
    digits = parse_spec(drawn[0].text, "variant.toml").style.digits
    files["answers.csv"] = answers_csv(drawn)
    files["answers.json"] = answers_json(plan.stem, plan.seed, digits, drawn)
    return files


def _class_documents(drawn: list[Any], formats: tuple[str, ...], verify: bool, executor: Any) -> dict[str, bytes]:
    """keys/ and sheets/ of every variant, and the combined LMS files, rendered from the
    variants' own spec files (written to a private folder first, so that each key is exactly
    what ``solgen render`` makes of OUTPUT/<id>.toml)."""
    import tempfile

    from .export import combined, gather
    from .pipeline import Options

    out: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for v in drawn:
            p = Path(tmp) / f"{v.student}.toml"
            p.write_text(v.text, encoding="utf-8")
            paths.append(p)
        key = Options(formats, verify=verify)
        sheet = Options(tuple(f for f in formats if f in ("md", "tex", "pdf")), problem=True, verify=False)
        jobs = [(p, key) for p in paths] + ([(p, sheet) for p in paths] if sheet.formats else [])
        errors: list[str] = []
        results = list(_render_all(jobs, executor, errors))
        if errors:
            for line in dict.fromkeys(errors):
                click.echo(line, err=True)
            sys.exit(2)
        for name, data in gather(results[:len(paths)]).items():
            out[name if combined(name) else f"keys/{name}"] = data
        for files in results[len(paths):]:
            out.update({f"sheets/{n}": d for n, d in files.items()})
    return out


@main.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--no-verify", is_flag=True, help="Skip the central-difference self-check.")
@click.option("--max-parameters", type=click.IntRange(1), default=None)
@_reports_errors
def solve(spec: str, no_verify: bool, max_parameters: int | None) -> None:
    """Print the JSON answers of SPEC on stdout.

    \b
    Example:
      solgen solve specs/mazur.toml > mazur.json

    The JSON's keys (steps, forward, loss, gradients, updated, facts): docs/reference.md.
    """
    from solgen.core.graph import DEFAULT_MAX_PARAMETERS

    from .pipeline import MAX_COUNTED, Options, solve_file

    options = Options(("json",), verify=not no_verify,
                      max_parameters=max_parameters or DEFAULT_MAX_PARAMETERS,
                      max_counted=max_parameters or MAX_COUNTED)
    solved = solve_file(Path(spec), options)
    click.echo(json.dumps(solved.answers, indent=2))


@main.command()
@click.argument("spec")
@click.argument("answers", nargs=-1, required=True)
@click.option("-o", "--output", default="grades", show_default=True, help="Folder to write into.")
@click.option("--tolerance", default=None,
              help='"shown" (half a unit in the last digit written; the default), a number, or a percentage ("2%").')
@click.option("--credit", type=click.Choice(["ecf", "none"]), default=None,
              help="ecf: credit errors carried forward (the default, or the spec's [grading] ecf); none: do not.")
@click.option("--format", "fmt", default="md", show_default=True, help="Feedback pages, comma-separated: md, tex, pdf.")
@_reports_errors
def grade(spec: str, answers: tuple[str, ...], output: str, tolerance: str | None, credit: str | None,
          fmt: str) -> None:
    """Grade ANSWERS (CSV, TOML or JSON files or folders) against SPEC (a spec, or a folder of
    variant specs <id>.toml): OUTPUT/gradebook.csv and a feedback page per student."""
    from .classroom.grading.report import documents
    from .classroom.grading.run import Options, grade_all
    from .spec.grading import parse_tolerance
    from .write import write_all

    formats = tuple(dict.fromkeys(v.strip() for v in fmt.split(",") if v.strip()))
    if not formats or any(f not in ("md", "tex", "pdf") for f in formats):
        raise click.UsageError(f"--format {fmt!r}: choose from md,tex,pdf")
    rule = parse_tolerance(tolerance) if tolerance is not None else None
    if tolerance is not None and rule is None:
        raise click.UsageError(f'--tolerance {tolerance!r}: give "shown", a number of at least 0, '
                               'or a percentage such as "2%"')
    options = Options(rule, None if credit is None else credit == "ecf", formats)
    results, messages = grade_all(spec, list(answers), options)
    for line in messages:
        click.echo(line, err=True)
    files = documents(results, formats)
    write_all(Path(output), files)
    for graded, _ in results:
        first = graded.first_wrong
        where = f"first wrong step {first.step.name}" if first else "no wrong step"
        click.echo(f"{graded.id}: {graded.score} of {graded.max}, {where}")


def _add_tools() -> None:
    from . import cli_tools

    for command in (cli_tools.check, cli_tools.new, cli_tools.schema):
        command.callback = _reports_errors(command.callback)  # type: ignore[arg-type]
        main.add_command(command)


_add_tools()

if __name__ == "__main__":
    main()
