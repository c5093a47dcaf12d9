"""solgen grade, the engine: full marks for the key, each known mistake found where it is injected
and named, errors carried forward credited and flagged.

Correct answers come from ``solgen solve`` (the contract's JSON, written to 12 significant digits);
a mistake is injected by computing the wrong number here, by hand, from that JSON and the spec's
own values (never with the grader's code), and the grader must find it at that step.
"""

from __future__ import annotations

import math
import random
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings

from solgen.classroom.grading.run import Prepared, grade_answers, prepare
from solgen.core.evaluate import mul, sub
from solgen.core.numbers import round_sig, to_decimal
from solgen.errors import SolgenError
from solgen.pipeline import Options, solve_text
from solgen.spec.grading import GradingPolicy
from solgen.spec.sections import load_spec, parse_spec
from tests.oracle.strategies import graphs, networks

SPECS = Path(__file__).resolve().parent.parent / "specs"
GRADABLE = sorted(p for p in SPECS.glob("*.toml")
                  if "symbolic" not in p.read_text() and not p.stem.endswith("architecture"))
FMT = ".12g"


def key_answers(answers: dict[str, Any], prep: Prepared) -> dict[str, str]:
    """Every answerable quantity of the JSON answers, by canonical name, to 12 digits."""
    out = {}
    for step in answers["steps"]:
        suffix = f"@{step['iteration'] + 1}" if step["iteration"] else ""
        for name, v in step["forward"].items():
            out[name + suffix] = format(v, FMT)
        for name, v in step["gradients"].items():
            out[f"d{name}{suffix}"] = format(v, FMT)
        for name, v in step.get("updated", {}).items():
            out[name + suffix] = format(v, FMT)
            out[f"old:{name}@{step['iteration'] + 2}"] = format(v, FMT)  # where the next iteration starts
    return {k: v for k, v in out.items() if k in prep.sheet.names}


def solved(path: Path) -> tuple[Prepared, dict[str, Any], dict[str, Any]]:
    text = path.read_text()
    return prepare(load_spec(path)), solve_text(text, path.name).answers, tomllib.loads(text)


def graded_with(prep: Prepared, answers: dict[str, str], **policy: Any) -> Any:
    return grade_answers(prep, answers, policy=GradingPolicy(**policy))


@pytest.mark.parametrize("path", GRADABLE, ids=lambda p: p.stem)
def test_the_key_scores_full_marks(path: Path) -> None:
    prep, answers, _ = solved(path)
    sheet = key_answers(answers, prep)
    g = graded_with(prep, sheet)
    assert g.max == len(sheet) > 0
    assert g.score == g.max and g.first_wrong is None
    assert {m.status for m in g.marks} == {"correct"}


def test_problems_without_values_cannot_be_graded() -> None:
    for stem in ("seed003_general_formulas", "seed004_q4_architecture"):
        with pytest.raises(SolgenError, match="nothing to grade"):
            prepare(load_spec(SPECS / f"{stem}.toml"))


_SETTINGS = settings(deadline=None, derandomize=True, database=None, max_examples=25,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _generated(toml: str) -> tuple[Prepared, dict[str, Any]]:
    try:
        answers = solve_text(toml, "gen.toml", Options(formats=("json",))).answers
        prep = prepare(parse_spec(toml, "gen.toml"))
    except SolgenError:
        assume(False)
    values = [v for s in answers["steps"] for part in ("forward", "gradients") for v in s[part].values()]
    assume(all(math.isfinite(v) and (v == 0 or 1e-200 < abs(v) < 1e200) for v in values))
    return prep, answers


@_SETTINGS
@given(networks(max_layers=3, max_units=3))
def test_generated_networks_key_scores_full_marks(problem: Any) -> None:
    prep, answers = _generated(problem.toml)
    g = graded_with(prep, key_answers(answers, prep))
    assert g.score == g.max and g.first_wrong is None


@_SETTINGS
@given(graphs(max_nodes=5))
def test_generated_graphs_key_scores_full_marks_and_a_dropped_path_is_found(problem: Any) -> None:
    prep, answers = _generated(problem.toml)
    sheet = key_answers(answers, prep)
    assert graded_with(prep, sheet).score == len(sheet)
    # a missing path, by hand from the derivation's own local partials and adjoints
    der = prep.sheet.derivation
    it = der.iterations[0]
    g = der.graph
    shared = [n.name for n in g.nodes if len([c for c in g.children[n.name] if c != "L"]) >= 2
              and n.kind in ("node", "input", "param") and n.name not in g.upstream]
    assume(shared)
    node = random.Random(problem.toml).choice(shared)
    child = [c for c in g.children[node] if c != "L"][0]
    wrong = sub(it.adjoint[node], mul(it.adjoint[child], it.local[(child, node)]))  # exact, then 12 digits
    assume(abs(float(wrong) - float(it.adjoint[node])) > 1e-6 * max(1.0, abs(float(wrong))))
    sheet[f"d{node}"] = "0.000000000000" if wrong == 0 else format(round_sig(to_decimal(wrong), 12), "e")
    result = graded_with(prep, sheet)
    assert result.first_wrong is not None and result.first_wrong.step.name == f"d{node}"
    assert "missing_path" in result.first_wrong.diagnoses


# --- each mistake, injected by hand ----------------------------------------------------------------

def _w(spec: dict[str, Any], layer: int, r: int, c: int) -> float:
    """W{layer}[r,c] as the spec gives it (canonical names index the matrix as typed)."""
    return float(spec["network"]["layer"][layer - 1]["weights"][r - 1][c - 1])


def _sigmoid_ratio(ans: dict[str, Any], spec: dict[str, Any], rng: random.Random) -> tuple[str, float]:
    f, g = ans["steps"][0]["forward"], ans["steps"][0]["gradients"]
    l, j = rng.choice([(1, 1), (1, 2), (2, 1), (2, 2)])
    a = f[f"a{l}[{j}]"]
    return f"dz{l}[{j}]", g[f"a{l}[{j}]"] * a / (1 - a) ** 2


def _sigmoid_at_z(ans: dict[str, Any], spec: dict[str, Any], rng: random.Random) -> tuple[str, float]:
    f, g = ans["steps"][0]["forward"], ans["steps"][0]["gradients"]
    l, j = rng.choice([(1, 1), (1, 2), (2, 1), (2, 2)])
    z = f[f"z{l}[{j}]"]
    return f"dz{l}[{j}]", g[f"a{l}[{j}]"] * z * (1 - z)


def _w_transposed(ans: dict[str, Any], spec: dict[str, Any], rng: random.Random) -> tuple[str, float]:
    f, g = ans["steps"][0]["forward"], ans["steps"][0]["gradients"]
    where = rng.choice(["forward", "backward", "weight"])
    j = rng.choice([1, 2])
    if where == "forward":  # mazur (out_in): z1[j] = sum_i W1[i,j] x[i] + b1 instead of W1[j,i]
        return f"z1[{j}]", sum(_w(spec, 1, i, j) * f[f"x[{i}]"] for i in (1, 2)) + 0.35
    if where == "backward":  # da1[i] = sum_k W2[i,k] dz2[k] instead of W2[k,i]
        return f"da1[{j}]", sum(_w(spec, 2, j, k) * g[f"z2[{k}]"] for k in (1, 2))
    r, c = (1, 2) if j == 1 else (2, 1)
    return f"dW2[{r},{c}]", g[f"W2[{c},{r}]"]


def _missing_path(ans: dict[str, Any], spec: dict[str, Any], rng: random.Random) -> tuple[str, float]:
    g = ans["steps"][0]["gradients"]
    i, k = rng.choice([1, 2]), rng.choice([1, 2])
    return f"da1[{i}]", g[f"a1[{i}]"] - g[f"z2[{k}]"] * _w(spec, 2, k, i)


def _update_sign(ans: dict[str, Any], spec: dict[str, Any], rng: random.Random) -> tuple[str, float]:
    g = ans["steps"][0]["gradients"]
    name = rng.choice(sorted(ans["steps"][0]["updated"]))
    l, r, c = int(name[1]), int(name[3]), int(name[5])
    return name, _w(spec, l, r, c) + spec["network"]["learning_rate"] * g[name]


def _relu_negative(ans: dict[str, Any], spec: dict[str, Any], rng: random.Random) -> tuple[str, float]:
    f = ans["steps"][0]["forward"]
    negative = [n for n in f if n.startswith("z") and f[n] < 0]
    name = rng.choice(negative)
    return "a" + name[1:], f[name]


def _missing_mean(ans: dict[str, Any], spec: dict[str, Any], rng: random.Random) -> tuple[str, float]:
    step = ans["steps"][0]
    if rng.random() < 0.5:
        return "L", step["loss"] * 2  # two outputs: the mean's 1/N is 1/2
    return "da2[2]", step["gradients"]["a2[2]"] * 2


def _factor_two(ans: dict[str, Any], spec: dict[str, Any], rng: random.Random) -> tuple[str, float]:
    step = ans["steps"][0]  # seed000: L = (z - t)^2, so dL/dz = 2(z - t)
    if rng.random() < 0.5:
        return "da3[1]", step["gradients"]["a3[1]"] / 2
    return "L", step["loss"] / 2


def _factor_half(ans: dict[str, Any], spec: dict[str, Any], rng: random.Random) -> tuple[str, float]:
    step = ans["steps"][0]  # mazur: L = 1/2 (t - a)^2; without the 1/2, dL/da = 2(a - t)
    if rng.random() < 0.5:
        j = rng.choice([1, 2])
        return f"da2[{j}]", step["gradients"][f"a2[{j}]"] * 2
    return "L", step["loss"] * 2


def _stale_start(ans: dict[str, Any], spec: dict[str, Any], rng: random.Random) -> tuple[str, float]:
    first = ans["steps"][0]  # seed003: iteration 2 starts from b2 before its update (-0.5, not -0.535)
    name = rng.choice(sorted(n for n in first["updated"] if n.startswith("b")))
    layer = spec["network"]["layer"][int(name[1]) - 1]
    return f"old:{name}@2", float(layer["bias"][int(name[3]) - 1])


def _stale_update(ans: dict[str, Any], spec: dict[str, Any], rng: random.Random) -> tuple[str, float]:
    second = ans["steps"][1]  # seed003, iteration 2: the update starts from the value before iteration 1
    name = rng.choice(sorted(second["updated"]))
    layer = spec["network"]["layer"][int(name[1]) - 1]
    start = layer["weights"][int(name[3]) - 1][int(name[5]) - 1] if name[0] == "W" else layer["bias"][int(name[3]) - 1]
    return f"{name}@2", float(start) - 0.01 * second["gradients"][name]


INJECTIONS = [
    ("sigmoid_ratio", "mazur", _sigmoid_ratio),
    ("sigmoid_at_z", "seed001_mazur_paths", _sigmoid_at_z),
    ("w_transposed", "mazur", _w_transposed),
    ("missing_path", "mazur", _missing_path),
    ("update_sign", "mazur", _update_sign),
    ("relu_negative", "seed004_q3_mse", _relu_negative),
    ("missing_mean", "seed004_q3_mse", _missing_mean),
    ("factor_two", "seed000_linear_three_layer", _factor_two),
    ("factor_two", "mazur", _factor_half),
    ("stale_update", "seed003_relu_iterations", _stale_start),
    ("stale_update", "seed003_relu_iterations", _stale_update),
]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(("mistake", "stem", "inject"), INJECTIONS, ids=[m for m, _, _ in INJECTIONS])
def test_an_injected_mistake_is_found_at_its_step_and_named(mistake: str, stem: str, inject: Any, seed: int) -> None:
    prep, answers, spec = solved(SPECS / f"{stem}.toml")
    sheet = key_answers(answers, prep)
    name, wrong = inject(answers, spec, random.Random(f"{mistake}{seed}"))
    assert name in sheet and not math.isclose(float(sheet[name]), wrong, rel_tol=1e-6)
    sheet[name] = format(wrong, ".11e")  # 12 significant digits, however round the number
    g = graded_with(prep, sheet)
    assert g.first_wrong is not None and g.first_wrong.step.name == name
    assert mistake in g.first_wrong.diagnoses


def test_an_unexplained_number_has_no_diagnosis() -> None:
    prep, answers, _ = solved(SPECS / "mazur.toml")
    sheet = key_answers(answers, prep)
    sheet["z1[1]"] = "0.123"
    g = graded_with(prep, sheet)
    assert g.first_wrong.step.name == "z1[1]" and g.first_wrong.diagnoses == ()


# --- errors carried forward -----------------------------------------------------------------------

def test_an_error_carried_forward_is_credited_and_flagged() -> None:
    prep, answers, spec = solved(SPECS / "mazur.toml")
    sheet = key_answers(answers, prep)
    z = 0.5  # a wrong z1[1]; then a1[1] = sigmoid(0.5), worked out here, follows from it
    sheet["z1[1]"], sheet["a1[1]"] = "0.5", format(1 / (1 + math.exp(-z)), FMT)
    g = graded_with(prep, sheet)
    marks = {m.step.name: m for m in g.marks}
    assert marks["z1[1]"].status == "wrong" and marks["a1[1]"].status == "carried"
    assert g.first_wrong.step.name == "z1[1]" and [m.step.name for m in g.carried] == ["a1[1]"]
    assert g.score == g.max - 1
    # with --credit none the carried answer earns nothing, but is still flagged
    strict = graded_with(prep, sheet, ecf=False)
    assert strict.score == g.max - 2 and [m.step.name for m in strict.carried] == ["a1[1]"]


def test_a_chain_carried_through_blanks() -> None:
    """A wrong dz2[1] and a blank da1[1]: dW1[1,1] = da1[1] sigmoid'(z1[1]) x[1] still follows from it."""
    prep, answers, spec = solved(SPECS / "mazur.toml")
    step = answers["steps"][0]
    f, g = step["forward"], step["gradients"]
    sheet = key_answers(answers, prep)
    dz = 0.2
    da1 = dz * 0.40 + g["z2[2]"] * 0.50  # W2[1,1] = 0.40, W2[2,1] = 0.50
    a = f["a1[1]"]
    for name in ("da1[1]", "dz1[1]"):
        sheet[name] = ""
    sheet["dz2[1]"], sheet["dW1[1,1]"] = "0.2000", format(da1 * a * (1 - a) * 0.05, FMT)
    marks = {m.step.name: m for m in graded_with(prep, sheet).marks}
    assert marks["dz2[1]"].status == "wrong" and marks["dW1[1,1]"].status == "carried"
    assert marks["da1[1]"].status == "blank"


def test_rounded_values_carried_by_hand_are_correct() -> None:
    """Forward values rounded to 3 digits at each step and computed on, as by hand: no step is an error."""
    text = (SPECS / "mazur.toml").read_text() + '\n[style]\nrounding = "carry"\ndigits = 3\n'
    by_hand = solve_text(text, "mazur.toml").solution
    prep, answers, _ = solved(SPECS / "mazur.toml")
    sheet = key_answers(answers, prep)
    shown = {e.name: e.sides[-1] for s in by_hand.iterations[0].sections for e in s.equations
             if e.kind in ("forward", "loss")}
    assert len(shown) == 9
    sheet.update(shown)
    g = graded_with(prep, sheet)
    assert g.first_wrong is None and g.score == g.max


def test_a_wrong_value_carried_on_with_more_digits_than_written_follows() -> None:
    """z1[1] = 0.512 is wrong and unexplained; the student's calculator held 0.5124, so their
    a1[1] = sigmoid(0.5124) = 0.6254, where sigmoid(0.512) = 0.6253: it still follows."""
    prep, answers, _ = solved(SPECS / "mazur.toml")
    assert format(1 / (1 + math.exp(-0.5124)), ".4f") == "0.6254"
    assert format(1 / (1 + math.exp(-0.512)), ".4f") == "0.6253"
    marks = {m.step.name: m for m in graded_with(prep, {"z1[1]": "0.512", "a1[1]": "0.6254"}).marks}
    assert marks["z1[1]"].status == "wrong" and marks["a1[1]"].status == "carried"
    # an integer is taken as exact: 2 wrong, then 2 * w exactly or it does not follow
    marks = {m.step.name: m for m in graded_with(prep, {"z1[1]": "2", "a1[1]": "0.8808"}).marks}
    assert marks["a1[1]"].status == "carried"
    marks = {m.step.name: m for m in graded_with(prep, {"z1[1]": "2", "a1[1]": "0.8900"}).marks}
    assert marks["a1[1]"].status == "wrong"
