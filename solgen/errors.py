"""Errors solgen reports to its users, each with the exit code it maps to."""

from __future__ import annotations


class SolgenError(Exception):
    """Any error that ends a command with a one-line message."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class SpecError(SolgenError):
    """A spec that is wrong: names the file and the place in it."""

    def __init__(self, file: str, place: str, problem: str) -> None:
        self.file, self.place, self.problem = file, place, problem
        where = f"{file}: {place}: " if place else f"{file}: "
        super().__init__(where + problem)


class ExprError(ValueError):
    """An expression that does not parse; the spec loader adds file and place."""


class VerifyError(SolgenError):
    """A gradient disagreed with central differences (a bug in solgen)."""

    exit_code = 3


class ToolError(SolgenError):
    """A missing external tool (TeX) or a failed build."""


class OutputError(SolgenError):
    """An output could not be written (the operating system refused: a read-only or full
    disk, a file where a folder must be): exit 4, one line with the path and the reason."""

    exit_code = 4

    def __init__(self, path: str, error: OSError) -> None:
        reason = error.strerror or str(error)
        super().__init__(f"cannot write {ascii_path(path)}: {reason}")


def ascii_path(path: str) -> str:
    """A path for a message: bytes that are not UTF-8 shown as \\xNN, never an encoding error."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


class LatexError(ToolError):
    """pdflatex rejected a .tex solgen wrote: a bug in solgen (the .tex is kept for the report)."""

    exit_code = 3
