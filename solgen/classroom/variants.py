"""The ``[variants]`` table and one variant of a problem per student.

A variant is drawn from the spec's content, the seed and the student id alone:
every number comes from SHA-256 of those (never Python's ``hash()`` or a global
random state), so the same spec, seed and id give the same variant on any
machine, in any order.  A draw that fails a degenerate-case check (``checks``) is
redrawn with the next attempt number; duplicates are settled by a rank that is
itself a hash of the id, so the order of a roster never matters.
"""

from __future__ import annotations

import copy
import hashlib
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from solgen.errors import SpecError
from solgen.spec.sections import parse_spec
from solgen.spec.tomltext import decode, read_toml

from . import checks, tomlwrite
from .answers import Answer, asked
from .plan import Plan, read_plan


@dataclass(frozen=True)
class Variant:
    student: str
    id: str
    attempt: int
    text: str  # the variant's spec file
    answers: tuple[Answer, ...]


def load_plan(path: str, seed: int | None) -> tuple[Plan, checks.Analysis]:
    """The plan of the spec at ``path`` and the analysis of its base problem."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise SpecError(p.name, "", f"cannot read the file ({e.strerror or e})") from None
    return _plan(p.name, p.stem, decode(data, p.name), seed)


@lru_cache(maxsize=8)
def _plan(name: str, stem: str, text: str, seed: int | None) -> tuple[Plan, checks.Analysis]:
    """Cached by content: every draw of a class reads the same spec."""
    raw = read_toml(text, name)
    base = parse_spec(text, name)
    plan = read_plan(name, stem, raw, text, base, seed)
    return plan, checks.analyse(base, plan.avoid)


def _hash(*parts: object) -> int:
    text = "\0".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:16], "big")


def rank(plan: Plan, student: str) -> int:
    """The order in which duplicates are settled (the lower keeps its variant)."""
    return _hash(plan.digest, plan.seed, "rank", student)


def draw_values(plan: Plan, student: str, attempt: int) -> dict[str, Fraction]:
    out: dict[str, Fraction] = {}
    for slot in plan.slots:
        out[slot.name] = slot.rule.draw(_hash(plan.digest, plan.seed, student, attempt, slot.name))
    return out


def variant_id(plan: Plan, values: dict[str, Fraction]) -> str:
    """Same drawn values, same id: a duplicate is a repeated id."""
    shown = ";".join(f"{k}={v}" for k, v in sorted(values.items()))
    return hashlib.sha256(f"{plan.digest}\0{shown}".encode()).hexdigest()[:8]


def variant_text(plan: Plan, student: str, values: dict[str, Fraction], vid: str) -> str:
    raw = copy.deepcopy(plan.raw)
    raw.pop("variants", None)
    for slot in plan.slots:
        _set(raw, slot.path, values[slot.name])
    raw["variant"] = {"student": student, "id": vid, "seed": plan.seed, "problem": plan.stem}
    head = (f"# Variant {vid} of {plan.file} for student {student} (seed {plan.seed}),\n"
            f"# written by `solgen variants`: render it with `solgen render`.\n")
    return head + tomlwrite.dumps(raw)


def _set(raw: Any, path: tuple[str | int, ...], value: Fraction) -> None:
    for k in path[:-1]:
        raw = raw[k]
    raw[path[-1]] = value


def candidate(plan: Plan, base: checks.Analysis, student: str,
              attempt: int) -> tuple[Variant | None, list[checks.Failure]]:
    values = draw_values(plan, student, attempt)
    vid = variant_id(plan, values)
    text = variant_text(plan, student, values, vid)
    try:
        spec = parse_spec(text, f"{student}.toml")
        found = checks.analyse(spec, plan.avoid)
    except SpecError as e:
        return None, [checks.Failure("invalid", e.problem)]
    failures = checks.compare(base, found, plan.avoid)
    if failures:
        return None, failures
    return Variant(student, vid, attempt, text, asked(spec, found.derivation)), []


def first_passing(path: str, seed: int | None, student: str, start: int = 0,
                  taken: frozenset[str] = frozenset()) -> Variant:
    """The first attempt from ``start`` on whose variant passes every check and is not taken."""
    plan, base = load_plan(path, seed)
    why: Counter[str] = Counter()
    example: dict[str, str] = {}
    for attempt in range(start, start + plan.attempts):
        found, failures = candidate(plan, base, student, attempt)
        if found is not None and found.id in taken:
            failures = [checks.Failure("duplicates", f"the same values as variant {found.id}")]
            found = None
        if found is not None:
            return found
        for f in failures[:1]:
            why[f.check] += 1
            example.setdefault(f.check, f.detail)
    check, count = why.most_common(1)[0]
    raise SpecError(plan.file, "variants", f"no variant for student {student} in {plan.attempts} draws: "
                    f"{count} failed {check!r} ({example[check]}); " + checks.advice(check))


def draw_class(path: str, seed: int | None, students: list[str], executor: Any = None) -> list[Variant]:
    """One variant per student, in the order given.  Each student's first passing draw is
    found in the pool; then duplicates are settled in rank order (a hash of the id, so the
    roster's order never matters): the lower rank keeps a variant, the other draws on."""
    from solgen.batch import run

    plan, _ = load_plan(path, seed)
    found: dict[str, Variant] = {}
    for student, result in zip(students, run(partial(_first, path, seed), students, executor)):
        if isinstance(result, Exception):
            raise result
        found[student] = result
    if "duplicates" not in plan.avoid:
        return [found[s] for s in students]
    taken: set[str] = set()
    for student in sorted(students, key=lambda s: (rank(plan, s), s)):
        v = found[student]
        if v.id in taken:
            v = first_passing(path, seed, student, v.attempt + 1, frozenset(taken))
            found[student] = v
        taken.add(v.id)
    return [found[s] for s in students]


def _first(path: str, seed: int | None, student: str) -> Variant:
    return first_passing(path, seed, student)
