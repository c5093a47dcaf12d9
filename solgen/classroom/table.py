"""The class answer table: answers.csv and answers.json, one row per student.

Each asked quantity has a column with its full-precision value and a column with the
absolute tolerance a grader should use (one unit in the last digit the key shows).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from .variants import Variant


def rows(variants: list[Variant]) -> list[dict[str, Any]]:
    return [{"student": v.student, "variant": v.id,
             "answers": {a.key: {"value": a.value, "tolerance": a.tolerance, "shown": a.shown}
                         for a in v.answers}} for v in variants]


def answers_json(problem: str, seed: int, digits: int, variants: list[Variant]) -> bytes:
    columns = [a.key for a in variants[0].answers] if variants else []
    data = {"problem": problem, "seed": seed, "digits": digits, "columns": columns, "students": rows(variants)}
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()


def answers_csv(variants: list[Variant]) -> bytes:
    columns = [a.key for a in variants[0].answers] if variants else []
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student", "variant", *[c for k in columns for c in (k, f"{k} tolerance")]])
    for v in variants:
        w.writerow([v.student, v.id, *[x for a in v.answers for x in (repr(a.value), repr(a.tolerance))]])
    return buf.getvalue().encode()
