"""``solgen grade``: specs and answer files in, a gradebook and feedback pages out (in memory).

One spec for the whole class, or a folder of variant specs (``<id>.toml``, one per student).
Everything is read and checked before anything is graded; the caller writes the files.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from solgen.errors import SpecError
from solgen.explain.solution import Solution
from solgen.messages import speaking, text
from solgen.spec.grading import GradingPolicy, Tolerance
from solgen.spec.reader import did_you_mean, key_path
from solgen.spec.sections import Network, Spec, load_spec

from .answers import Submission, read_submissions, submission_files
from .grade import Graded, grade
from .sheet import Key, Sheet, build_sheet


@dataclass(frozen=True)
class Options:
    tolerance: Tolerance | None = None  # None: the spec's [grading] tolerance
    ecf: bool | None = None  # None: the spec's [grading] ecf
    formats: tuple[str, ...] = ("md",)


@dataclass(frozen=True)
class Prepared:
    sheet: Sheet
    working: Solution  # the key in scalar form: the correct working of every step


def prepare(spec: Spec) -> Prepared:
    from solgen.core.derive import NodeDomainError, derive
    from solgen.core.graph import build_graph
    from solgen.explain import explain

    net = spec.problem
    if isinstance(net, Network) and (net.symbolic or net.inputs is None):
        raise SpecError(spec.file, "network.inputs", "the problem has no values, so there is nothing to grade")
    graph = build_graph(spec)
    try:
        derivation = derive(graph, spec.learning_rate, spec.iterations, optimizer=spec.optimizer)
    except NodeDomainError as e:
        raise SpecError(spec.file, e.node, e.message) from None
    scalar = dataclasses.replace(spec, style=dataclasses.replace(spec.style, form="scalar", chain="adjoint"))
    with speaking(spec.style.language):
        return Prepared(build_sheet(spec, derivation), explain(scalar, derivation))


def resolve(sheet: Sheet, sub: Submission) -> tuple[dict[Key, object], list[Key], list[str]]:
    """The submission's answers by step, the steps its columns name, and messages on the others."""
    answers: dict[Key, object] = {}
    named: list[Key] = []
    problems: list[str] = []
    first: dict[Key, str] = {}
    spec = sheet.spec.stem + ".toml"
    for col in sub.columns:
        key = sheet.names.get(col.name)
        if key is None:
            what = "given" if col.name in sheet.given else "unknown"
            hint = did_you_mean(col.name, tuple(sheet.names)) if what == "unknown" else ""
            problems.append(text(f"grading.cells.{what}_column", file=sub.file, column=col.name, spec=spec) + hint)
            continue
        if key in first:
            raise SpecError(sub.file, f"column {col.name}", f"names the same quantity as column {first[key]}")
        first[key] = col.name
        named.append(key)
        answer = sub.answer(col.name)
        if isinstance(answer, str):
            problems.append(answer)
        elif answer is not None:
            answers[key] = answer
    return answers, named, problems


def points_of(sheet: Sheet, policy: GradingPolicy, named: list[Key]) -> dict[Key, Fraction]:
    """The graded steps (the policy's list, else the ones the answer file names) and their points."""
    file = sheet.spec.file
    for name in list(policy.quantities) + list(policy.graded):
        if name.replace(" ", "") not in sheet.names:
            place = "grading.graded" if name in policy.graded else key_path("grading.quantities", name)
            raise SpecError(file, place, f"{name!r} names no quantity" + did_you_mean(name, tuple(sheet.names)))
    graded = [sheet.names[n.replace(" ", "")] for n in policy.graded] or named
    by_step = {sheet.names[n.replace(" ", "")]: p for n, p in policy.quantities.items()}
    out = {}
    for key in graded:
        step = sheet.by_key[key]
        out[key] = by_step.get(key, policy.sections.get(step.section, policy.points))
    return out


def grade_all(spec_arg: str, answer_args: list[str], options: Options
              ) -> tuple[list[tuple[Graded, Prepared]], list[str]]:
    """Every submission graded against its spec; the messages (per cell, per column) as well."""
    subs = [s for f in submission_files(answer_args) for s in read_submissions(f)]
    seen: dict[str, str] = {}
    for s in subs:
        if s.id in seen:
            raise SpecError(s.file, "id", f"the student {s.id!r} also has answers in {seen[s.id]}")
        seen[s.id] = s.file
    folder = Path(spec_arg)
    results, messages = [], []
    prepared: dict[Path, Prepared] = {}
    for sub in subs:
        if folder.is_dir():
            path = folder / f"{sub.id}.toml"
            if not path.is_file():
                raise SpecError(sub.file, f"id {sub.id}", f"no variant spec {sub.id}.toml in {spec_arg}")
        else:
            path = folder
        if path not in prepared:
            prepared[path] = prepare(load_spec(path))
        prep = prepared[path]
        sheet = prep.sheet
        policy = sheet.spec.grading
        policy = dataclasses.replace(
            policy, tolerance=options.tolerance or policy.tolerance,
            ecf=policy.ecf if options.ecf is None else options.ecf)
        with speaking(sheet.spec.style.language):
            answers, named, problems = resolve(sheet, sub)
        cells = tuple(sub.problems) + tuple(problems)
        results.append((grade(sheet, answers, points_of(sheet, policy, named), policy, sub.id, cells), prep))  # type: ignore[arg-type]
        messages.extend(m for m in cells if m not in messages)
    return results, messages


def grade_answers(prep: Prepared, answers: dict[str, str], sid: str = "student",
                  policy: GradingPolicy | None = None) -> Graded:
    """One submission given as ``{name: text}`` (the API and the tests): graded on what it answers."""
    from .answers import Cell, Column

    cells = {name: Cell(raw, name) for name, raw in answers.items() if raw.strip()}
    sub = Submission(sid, "answers", cells, tuple(Column(i, n) for i, n in enumerate(answers, 1)), ())
    sheet = prep.sheet
    policy = policy or sheet.spec.grading
    with speaking(sheet.spec.style.language):
        found, named, problems = resolve(sheet, sub)
    return grade(sheet, found, points_of(sheet, policy, named), policy, sid, tuple(problems))  # type: ignore[arg-type]
