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

from solgen.core.evaluate import Value, add, to_mpf
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
    """``points``: the graded steps and what each is worth (answers outside it are shown, worth 0)."""
    walk = _Walk(sheet, policy)
    marks = [m for step in sheet.steps
             if (m := walk.mark(step, answers.get(step.key), points.get(step.key))) is not None]
    return Graded(sid, sheet, tuple(marks), problems, policy.ecf)


class _Walk:
    """The student's values so far, in two sets: as written (``typed``), and as a calculator would
    hold them (``precise``: the key's value for a right answer, the unrounded recomputation for one
    carried forward or explained by a mistake).  A step follows if either recomputation gives it;
    an input that is wrong, unexplained and written with decimals may have had more digits than
    written, so it widens the tolerance by what half a unit of it moves the step (``loose``)."""

    def __init__(self, sheet: Sheet, policy: GradingPolicy) -> None:
        self.sheet, self.policy = sheet, policy
        self.typed: dict[Key, Value] = {}
        self.precise: dict[Key, Value] = {}
        self.clean: dict[Key, bool] = {}
        self.loose: dict[Key, Fraction] = {}

    def mark(self, step: Step, answer: Answer | None, worth: Fraction | None) -> Mark | None:
        k, key = step.key, self.sheet.key[step.key]

        def fn(g: Lookup) -> Value:
            return compute(self.sheet, step, g)

        mine, inputs = _try(fn, self.typed.__getitem__)
        held, _ = _try(fn, self.precise.__getitem__)
        inputs_clean = all(self.clean.get(i, True) for i in inputs)
        if answer is None:
            self.typed[k] = mine if mine is not None else key
            self.precise[k] = held if held is not None else key
            self.clean[k] = mine is not None and inputs_clean
            return None if worth is None else Mark(step, "blank", None, key, mine, points=worth)
        allowed = tolerance(answer, self.policy.tolerance)
        wider = allowed + self._slack(fn, inputs, mine)
        follows = [r for r, a in ((held, allowed), (mine, wider)) if r is not None and close(answer.value, r, a)]
        diagnoses: tuple[str, ...] = ()
        if close(answer.value, key, allowed):
            status, self.precise[k] = "correct", key
        elif follows:
            status, self.precise[k] = ("correct" if inputs_clean else "carried"), follows[0]
        else:
            status = "wrong"
            found = diagnose(self.sheet, step, answer.value, allowed, (self.typed, self.precise), (mine, held))
            diagnoses = tuple(name for name, _ in found)
            self.precise[k] = found[0][1] if found else answer.value
            if not found and answer.unit < 1:
                self.loose[k] = answer.unit / 2
        worth = worth or Fraction(0)
        earned = worth if status == "correct" or (status == "carried" and self.policy.ecf) else Fraction(0)
        self.typed[k], self.clean[k] = answer.value, status == "correct"
        return Mark(step, status, answer, key, mine, diagnoses, worth, earned)

    def _slack(self, fn: Callable[[Lookup], Value], inputs: list[Key], mine: Value | None) -> Fraction:
        if mine is None:
            return Fraction(0)
        total = Fraction(0)
        for key in inputs:
            if key in self.loose:
                nudged = {**self.typed, key: add(self.typed[key], self.loose[key])}
                moved, _ = _try(fn, nudged.__getitem__)
                if moved is not None:
                    total += Fraction(abs(float(to_mpf(moved) - to_mpf(mine))))
        return total


def diagnose(sheet: Sheet, step: Step, value: Fraction, allowed: Fraction, envs: tuple[dict[Key, Value], ...],
             correct: tuple[Value | None, ...]) -> list[tuple[str, Value]]:
    """The mistakes that, recomputed from the student's values (as written or as held), give their
    number, each with the value it gives."""
    found = []
    for mistake in MISTAKES.values():
        for variant in mistake.variants(sheet, step):
            hits = [v for env, right in zip(envs, correct)
                    if (v := _explains(variant, env, value, allowed, right)) is not None]
            if hits:
                found.append((mistake.name, hits[-1]))
                break
    return found


def _explains(variant: Callable[[Lookup], Value], env: dict[Key, Value], value: Fraction, allowed: Fraction,
              right: Value | None) -> Value | None:
    """The variant's value if it gives the student's number (and differs from the correct one)."""
    wrong, _ = _try(variant, env.__getitem__)
    if wrong is None or (right is not None and close(wrong, right, allowed)):
        return None  # undefined, or the mistake changes nothing here: it cannot explain a wrong number
    return wrong if close(value, wrong, allowed) else None
