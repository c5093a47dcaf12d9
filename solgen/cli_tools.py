"""The editor and course commands: ``solgen schema``, ``solgen check`` and ``solgen new``.

Each is a thin layer over the pipeline (``check`` runs the reader and the solver and
writes nothing); errors are one line each, ``FILE: place: problem``, exit 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

STARTERS = ("mlp", "graph", "cnn", "rnn", "batch")


def starter_text(kind: str, path: Path) -> str:
    """The starter spec ``kind`` as written to ``path`` (its name in the title and comments)."""
    from .render.templates import template_root

    text = (template_root() / "starters" / f"{kind}.toml").read_text(encoding="utf-8")
    return text.replace("__NAME__", json.dumps(path.stem, ensure_ascii=False)[1:-1]).replace("__FILE__", str(path))


@click.command()
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of the spec format.

    \b
    Example:
      solgen schema > solgen.schema.json
    then start a spec with the line  #:schema ./solgen.schema.json  so that
    Taplo / Even Better TOML complete and check it as you type (docs/reference.md).
    """
    from .schema import schema as build

    click.echo(json.dumps(build(), indent=2))


@click.command()
@click.argument("specs", nargs=-1, required=True)
@click.option("--no-verify", is_flag=True, help="Skip the central-difference self-check.")
def check(specs: tuple[str, ...], no_verify: bool) -> None:
    """Validate SPEC_OR_DIR... without writing anything.

    Every wrong spec is listed, one line each (FILE: place: problem), and the exit
    code is 2; with none wrong it is 0.

    \b
    Example:
      solgen check specs/ hw3.toml
    """
    from .cli import _message
    from .errors import SolgenError
    from .pipeline import Options, expand, solve_file

    options = Options(("json",), verify=not no_verify)
    errors = []
    paths = expand(list(specs))
    for path in paths:
        try:
            solve_file(path, options)
        except SolgenError as e:
            if e.exit_code != 2:
                raise
            errors.append(_message(e))
    for line in errors:
        click.echo(line, err=True)
    if errors:
        sys.exit(2)
    click.echo(f"{len(paths)} spec{'s' if len(paths) != 1 else ''} checked: no errors")


@click.command()
@click.argument("kind", type=click.Choice(STARTERS))
@click.argument("name")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def new(kind: str, name: str, force: bool) -> None:
    """Write a commented starter spec NAME.toml of KIND (mlp, graph, cnn, rnn, batch).

    \b
    Example:
      solgen new mlp hw1          # writes hw1.toml
      solgen render hw1.toml      # renders as it is; edit the values
    """
    from .errors import SolgenError
    from .write import write_atomic

    path = Path(name if name.endswith(".toml") else name + ".toml")
    if any(ord(c) < 32 for c in name):
        raise SolgenError(f"{name!r}: a file name without control characters, please")
    if path.exists() and not force:
        raise SolgenError(f"{path} exists: choose another name, or --force to overwrite it")
    write_atomic(path, starter_text(kind, path).encode())
    click.echo(f"wrote {path} (render it: solgen render {path})")
