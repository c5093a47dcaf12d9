"""Grading one submission: each answered step is correct, follows from the student's values, or wrong.

Walking the sheet in the order of the working, every step is recomputed from the student's
own values of its inputs (their answers; where they left a step blank, what follows from
their answers).  An answer is

* ``correct``: within the tolerance of the key (or of the recomputation, when every input
  is itself right: a rounded value carried forward is not an error);
* ``carried``: wrong against the key, but the recomputation from the student's own earlier
  values gives it (an error carried forward; its points under ``ecf``);
* ``wrong``: neither.  The mistakes of ``mistakes.MISTAKES`` that, recomputed with the
  mistake, give the student's number are its diagnoses.

The tolerance of an answer is half a unit in its last written digit (or the policy's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from solgen.core.evaluate import Value, to_mpf
from solgen.spec.grading import GradingPolicy, Tolerance

from .answers import Answer
from .mistakes import MISTAKES
from .sheet import Key, Sheet, Step
from .working import FAILURES, Lookup, compute, traced


@dataclass(frozen=True)
class Mark:
    step: Step
    status: str  # correct | carried | wrong | blank
    answer: Answer | None
    key: Value
    own: Value | None  # what the student's earlier values give (None: they give nothing defined)
    diagnoses: tuple[str, ...] = ()
    points: Fraction = Fraction(0)
    earned: Fraction = Fraction(0)


@dataclass(frozen=True)
class Graded:
    id: str
    sheet: Sheet
    marks: tuple[Mark, ...]  # the answered or graded steps, in order
    problems: tuple[str, ...]
    ecf: bool

    @property
    def score(self) -> Fraction:
        return sum((m.earned for m in self.marks), Fraction(0))

    @property
    def max(self) -> Fraction:
        return sum((m.points for m in self.marks), Fraction(0))

    @property
    def first_wrong(self) -> Mark | None:
        return next((m for m in self.marks if m.status == "wrong"), None)

    @property
    def carried(self) -> list[Mark]:
        return [m for m in self.marks if m.status == "carried"]


def tolerance(answer: Answer, rule: Tolerance) -> Fraction:
    if rule.mode == "absolute":
        return rule.value
    if rule.mode == "relative":
        return rule.value * abs(answer.value)
    return answer.unit / 2


def close(a: Value, b: Value, allowed: Fraction) -> bool:
    return bool(abs(to_mpf(a) - to_mpf(b)) <= to_mpf(allowed) * (1 + MARGIN) + TINY)


MARGIN, TINY = 1e-12, 1e-300  # rounding noise of the 40-digit arithmetic


def _try(fn: Callable[[Lookup], Value], get: Lookup) -> tuple[Value | None, list[Key]]:
    try:
        return traced(fn, get)
    except FAILURES:
        return None, []


def grade(sheet: Sheet, answers: dict[Key, Answer], points: dict[Key, Fraction], policy: GradingPolicy,
          sid: str = "", problems: tuple[str, ...] = ()) -> Graded:
    """``points``: the graded steps and what each is worth (answers outside it are shown, worth 0).

    Two sets of the student's values are kept: as written (``typed``), and as a calculator
    would hold them (``precise``: the key's value for a right answer, the unrounded
    recomputation for one carried forward); a step follows if either recomputation gives it.
    """
    typed: dict[Key, Value] = {}
    precise: dict[Key, Value] = {}
    clean: dict[Key, bool] = {}
    marks: list[Mark] = []
    for step in sheet.steps:
        k, key = step.key, sheet.key[step.key]
        def fn(g: Lookup, s: Step = step) -> Value:
            return compute(sheet, s, g)

        mine, inputs = _try(fn, typed.__getitem__)
        held, _ = _try(fn, precise.__getitem__)
        inputs_clean = all(clean.get(i, True) for i in inputs)
        answer = answers.get(k)
        worth = points.get(k, Fraction(0))
        if answer is None:
            typed[k] = mine if mine is not None else key
            precise[k] = held if held is not None else key
            clean[k] = mine is not None and inputs_clean
            if k in points:
                marks.append(Mark(step, "blank", None, key, mine, points=worth))
            continue
        allowed = tolerance(answer, policy.tolerance)
        diagnoses: tuple[str, ...] = ()
        follows = [r for r in (held, mine) if r is not None and close(answer.value, r, allowed)]
        if close(answer.value, key, allowed):
            status, precise[k] = "correct", key
        elif follows:
            status, precise[k] = ("correct" if inputs_clean else "carried"), follows[0]
        else:
            status, precise[k] = "wrong", answer.value
            diagnoses = diagnose(sheet, step, answer.value, allowed, (typed, precise), (mine, held))
        earned = worth if status == "correct" or (status == "carried" and policy.ecf) else Fraction(0)
        marks.append(Mark(step, status, answer, key, mine, diagnoses, worth, earned))
        typed[k], clean[k] = answer.value, status == "correct"
    return Graded(sid, sheet, tuple(marks), problems, policy.ecf)


def diagnose(sheet: Sheet, step: Step, value: Fraction, allowed: Fraction, envs: tuple[dict[Key, Value], ...],
             correct: tuple[Value | None, ...]) -> tuple[str, ...]:
    """The mistakes that, recomputed from the student's values (as written or as held), give their number."""
    found = []
    for mistake in MISTAKES.values():
        if any(_explains(variant, env, value, allowed, right)
               for variant in mistake.variants(sheet, step) for env, right in zip(envs, correct)):
            found.append(mistake.name)
    return tuple(found)


def _explains(variant: Callable[[Lookup], Value], env: dict[Key, Value], value: Fraction, allowed: Fraction,
              right: Value | None) -> bool:
    wrong, _ = _try(variant, env.__getitem__)
    if wrong is None or (right is not None and close(wrong, right, allowed)):
        return False  # undefined, or the mistake changes nothing here: it cannot explain a wrong number
    return close(value, wrong, allowed)
