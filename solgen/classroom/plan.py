"""Reading a spec's ``[variants]`` table into a Plan: which numbers vary, how, and what to avoid.

```toml
[variants]
seed = 7                                   # optional, default 0 (--seed overrides it)
vary = { W1 = { min = -1, max = 1, step = 0.1 }, "t[2]" = { choices = [0, 1] },
         x = { integers = [-3, 3] } }
avoid = ["dead_relu", "saturation", "ties", "zero_gradients", "duplicates"]   # the default
attempts = 100                             # optional: draws per student before giving up
```
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from solgen.spec.reader import Reader, did_you_mean, key_path, kind_of
from solgen.spec.sections import Network, Spec

AVOID = ("dead_relu", "saturation", "ties", "zero_gradients", "duplicates")
VARIES = "x, x[i], t, t[j], W<l>, W<l>[r,c], b<l>, b<l>[j] and learning_rate"
_VECTOR = re.compile(r"(x|t)(?:\[(\d+)\])?\Z")
_LAYER = re.compile(r"([Wb])(\d+)(?:\[(\d+)(?:,(\d+))?\])?\Z")

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Rule:
    """How one name varies: ``count`` values ``low + k * step``, or a list of choices."""

    low: Fraction = Fraction(0)
    step: Fraction = Fraction(1)
    count: int = 1
    choices: tuple[Fraction, ...] = ()

    def draw(self, h: int) -> Fraction:
        if self.choices:
            return self.choices[h % len(self.choices)]
        return self.low + self.step * (h % self.count)


@dataclass(frozen=True)
class Slot:
    name: str  # canonical name of one given number, e.g. W1[2,1]
    path: Path  # where it sits in the TOML table
    rule: Rule


@dataclass(frozen=True)
class Plan:
    file: str
    stem: str
    raw: dict[str, Any]
    digest: str  # SHA-256 of the spec's text (line endings normalized)
    seed: int
    slots: tuple[Slot, ...]
    avoid: frozenset[str]
    attempts: int


def read_plan(file: str, stem: str, raw: dict[str, Any], text: str, base: Spec, seed: int | None) -> Plan:
    r = Reader(file)
    if "variants" not in raw:
        raise r.fail("variants", "missing: add a [variants] table that says which given values vary")
    table = r.table(raw["variants"], "variants")
    r.keys(table, ("seed", "vary", "avoid", "attempts"), "variants")
    if seed is None:
        seed = r.integer(table.get("seed", 0), "variants.seed", 0)
    if "vary" not in table:
        raise r.fail("variants.vary", f"missing: name the given values that vary ({VARIES})")
    vary = r.table(table["vary"], "variants.vary")
    if not vary:
        raise r.fail("variants.vary", "empty: name at least one given value that varies")
    avoid = table.get("avoid", list(AVOID))
    if not isinstance(avoid, list):
        raise r.fail("variants.avoid", f"expected a list of checks, got {kind_of(avoid)}")
    chosen = frozenset(r.choice(v, f"variants.avoid[{i}]", AVOID) for i, v in enumerate(avoid, 1))
    attempts = r.integer(table.get("attempts", 100), "variants.attempts", 1, 10_000)
    slots: list[Slot] = []
    seen: dict[str, str] = {}
    for name, how in vary.items():
        place = key_path("variants.vary", name)
        rule = read_rule(r, how, place)
        for entry, path in resolve(r, base, raw, name, place):
            if entry in seen:
                raise r.fail(place, f"{entry} is varied twice (also by {seen[entry]!r})")
            seen[entry] = name
            slots.append(Slot(entry, path, rule))
    digest = hashlib.sha256(text.replace("\r\n", "\n").encode()).hexdigest()
    return Plan(file, stem, raw, digest, seed, tuple(slots), chosen, attempts)


def read_rule(r: Reader, how: Any, place: str) -> Rule:
    table = r.table(how, place)
    r.keys(table, ("min", "max", "step", "choices", "integers"), place)
    forms = [k for k in ("min", "choices", "integers") if k in table]
    if len(forms) != 1 or ("min" in table) != ("max" in table) or ("step" in table) != ("min" in table):
        raise r.fail(place, "give exactly one of { min, max, step }, { choices = [...] } "
                     "and { integers = [low, high] }")
    if "choices" in table:
        choices = r.numbers(table["choices"], f"{place}.choices")
        return Rule(choices=tuple(dict.fromkeys(choices)))
    if "integers" in table:
        bounds = table["integers"]
        if not isinstance(bounds, list) or len(bounds) != 2:
            raise r.fail(f"{place}.integers", "expected [low, high], two whole numbers")
        low = r.integer(bounds[0], f"{place}.integers[1]", -10**6, 10**6)
        high = r.integer(bounds[1], f"{place}.integers[2]", low, 10**6)
        return Rule(Fraction(low), Fraction(1), high - low + 1)
    low, high = r.number(table["min"], f"{place}.min"), r.number(table["max"], f"{place}.max")
    step = r.number(table["step"], f"{place}.step")
    if step <= 0:
        raise r.fail(f"{place}.step", f"must be positive, got {float(step):g}")
    if high < low:
        raise r.fail(f"{place}.max", f"{float(high):g} is below min = {float(low):g}")
    return Rule(low, step, int((high - low) / step) + 1)


def resolve(r: Reader, base: Spec, raw: dict[str, Any], name: str, place: str) -> list[tuple[str, Path]]:
    """The given numbers a vary name covers, each with its canonical name and TOML path."""
    section = "network" if isinstance(base.problem, Network) else "graph"
    body = raw[section]
    if name == "learning_rate":
        if "learning_rate" not in body:
            raise r.fail(place, f"the problem has no learning_rate to vary (add one to [{section}])")
        return [(name, (section, "learning_rate"))]
    if section == "graph":
        for group in ("inputs", "constants", "params"):
            if name in body.get(group, {}):
                return [(name, ("graph", group, name))]
        given = [n for g in ("inputs", "constants", "params") for n in body.get(g, {})]
        raise r.fail(place, f"{name!r} is not a given value of this graph" + did_you_mean(name, tuple(given)))
    if base.problem.inputs is None:  # type: ignore[union-attr]
        raise r.fail(place, "an architecture-only or symbolic network has no values to vary")
    m = _VECTOR.match(name)
    if m:
        key = {"x": "inputs", "t": "targets"}[m.group(1)]
        if key not in body:
            raise r.fail(place, f"the problem has no {key} to vary")
        return _entries(r, place, m.group(1), (section, key), len(body[key]), m.group(2))
    m = _LAYER.match(name)
    if not m:
        raise r.fail(place, f"{name!r} names no given value that can vary (vary takes {VARIES})")
    kind, layer = m.group(1), int(m.group(2))
    layers = body["layer"]
    if not 1 <= layer <= len(layers):
        raise r.fail(place, f"there is no layer {layer} (the network has {len(layers)})")
    table = layers[layer - 1]
    at: Path = (section, "layer", layer - 1)
    if kind == "b":
        return _bias(r, place, table, at, layer, m.group(3), m.group(4))
    if "weights" not in table:
        raise r.fail(place, f"layer {layer} has no weights")
    rows = table["weights"]
    if m.group(3) is None:
        return [(f"W{layer}[{i},{j}]", (*at, "weights", i - 1, j - 1))
                for i in range(1, len(rows) + 1) for j in range(1, len(rows[0]) + 1)]
    if m.group(4) is None:
        raise r.fail(place, f"name one weight as W{layer}[row,column], or the whole matrix as W{layer}")
    i, j = int(m.group(3)), int(m.group(4))
    if not (1 <= i <= len(rows) and 1 <= j <= len(rows[0])):
        raise r.fail(place, f"W{layer} has {len(rows)} rows and {len(rows[0])} columns")
    return [(name, (*at, "weights", i - 1, j - 1))]


def _entries(r: Reader, place: str, prefix: str, path: Path, n: int, index: str | None) -> list[tuple[str, Path]]:
    if index is None:
        return [(f"{prefix}[{i}]", (*path, i - 1)) for i in range(1, n + 1)]
    i = int(index)
    if not 1 <= i <= n:
        raise r.fail(place, f"{prefix} has {n} entries")
    return [(f"{prefix}[{i}]", (*path, i - 1))]


def _bias(r: Reader, place: str, table: dict[str, Any], at: Path, layer: int, index: str | None,
          extra: str | None) -> list[tuple[str, Path]]:
    if "bias" not in table:
        raise r.fail(place, f"layer {layer} has no bias")
    if extra is not None:
        raise r.fail(place, f"a bias has one index: b{layer}[j]")
    bias = table["bias"]
    if not isinstance(bias, list):
        if index is not None:
            raise r.fail(place, f"layer {layer} shares one bias: vary it as b{layer}")
        return [(f"b{layer}", (*at, "bias"))]
    return _entries(r, place, f"b{layer}", (*at, "bias"), len(bias), index)

