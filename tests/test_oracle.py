"""Oracle tests: solgen's answers against PyTorch float64 autograd and mpmath central differences.

Tests whose name holds "solgen" call ``solgen.api.solve_toml``; the others check the oracles alone
(``pytest tests/test_oracle.py -k "not solgen"``).

Example counts come from a profile chosen by the environment variable SOLGEN_HYPOTHESIS_PROFILE:

* ``ci`` (default): 324 generated networks (6 for each of 54 loss/output-activation/layout kinds) +
  200 generated graphs through solgen, derandomized (same examples every run);
* ``long``: ten times as many, random seeds (failures are kept in the hypothesis database).

``--hypothesis-show-statistics`` lists what the examples covered (activation/loss/layout kinds,
hidden activations, biases, iterations, frozen, every part of the expression language).

Tolerance: 1e-9 relative, 1e-12 absolute floor, for every forward value, loss, gradient and update.
"""

from __future__ import annotations

import math
import os
import tomllib
from pathlib import Path
from typing import Any

import pytest
import torch
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from tests.oracle.reference import (
    ExprError,
    compare_steps,
    mpmath_reference,
    parse_expr,
    torch_reference,
    well_conditioned,
)
from tests.oracle.strategies import (
    MODES,
    Problem,
    graphs,
    networks,
    output_activations,
    relu_zero_graphs,
    relu_zero_networks,
)

SPECS = Path(__file__).resolve().parent.parent / "specs"

_HEALTH = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]
settings.register_profile("ci", deadline=None, derandomize=True, database=None, suppress_health_check=_HEALTH)
settings.register_profile("long", deadline=None, derandomize=False, suppress_health_check=_HEALTH)

PROFILE = os.environ.get("SOLGEN_HYPOTHESIS_PROFILE", "ci")
if PROFILE not in ("ci", "long"):
    raise ValueError(f"SOLGEN_HYPOTHESIS_PROFILE={PROFILE!r}: use 'ci' or 'long'")
_SCALE = 1 if PROFILE == "ci" else 10
# solgen comparisons (300 + 200 = the 500), oracle self-checks, the exact-zero ReLU tests
COUNTS = {"network": 300, "graph": 200, "agree_network": 60, "agree_graph": 40, "relu_zero": 40}


def _settings(kind: str) -> settings:
    """The chosen profile with this test's example count (the profile is not loaded globally)."""
    return settings(settings.get_profile(PROFILE), max_examples=COUNTS[kind] * _SCALE)


def _solve(problem_toml: str) -> dict[str, Any]:
    """solgen's JSON answers; on the way, every number printed in its Markdown and LaTeX
    is read back and must equal those answers to the shown digits (issue 4)."""
    from solgen.pipeline import Options, solve_text  # imported here: a missing solgen fails these tests only
    from tests.printed import check_printed

    solved = solve_text(problem_toml, "gen.toml", Options(formats=("md", "tex")))
    for fmt in ("md", "tex"):
        check_printed(solved, fmt)
    return solved.answers


def _report(problems: list[str], limit: int = 15) -> str:
    more = f"\n... and {len(problems) - limit} more" if len(problems) > limit else ""
    return "\n".join(problems[:limit]) + more


def _check_against_oracles(problem: Problem, ref: dict[str, Any]) -> None:
    answers = _solve(problem.toml)
    assert answers["title"] == problem.spec["title"]
    assert answers["facts"]["parameters"] == ref["facts"]["parameters"]
    problems = compare_steps(answers, ref)
    assert not problems, "solgen vs torch:\n" + _report(problems)
    problems = compare_steps(answers, mpmath_reference(problem.spec))
    assert not problems, "solgen vs mpmath:\n" + _report(problems)


def _reference(problem: Problem) -> dict[str, Any]:
    ref = torch_reference(problem.spec)
    assume(well_conditioned(ref, problem.spec))
    for tag in problem.tags:
        event(tag)
    return ref


# --------------------------------------------------------------------------------------------------
# The oracles alone
# --------------------------------------------------------------------------------------------------

MAZUR = """\
title = "Matt Mazur, A Step by Step Backpropagation Example"

[network]
inputs  = [0.05, 0.10]
targets = [0.01, 0.99]
loss = "half_squared_error"
learning_rate = 0.5
layout = "out_in"
frozen = ["b1", "b2"]

[[network.layer]]
units = 2
activation = "sigmoid"
weights = [[0.15, 0.20], [0.25, 0.30]]
bias = 0.35

[[network.layer]]
units = 2
activation = "sigmoid"
weights = [[0.40, 0.45], [0.50, 0.55]]
bias = 0.60
"""


@pytest.mark.parametrize("oracle", [torch_reference, mpmath_reference], ids=["torch", "mpmath"])
def test_oracle_reproduces_mazur(oracle: Any) -> None:
    """Matt Mazur, "A Step by Step Backpropagation Example" (2015), published values: out_h1 =
    0.593269992, out_o1 = 0.75136507, E_total = 0.298371109, dE/dw5 = 0.082167041, w5+ = 0.35891648,
    w6+ = 0.408666186, w7+ = 0.511301270, w8+ = 0.561370121, dE/dw1 = 0.000438568, w1+ = 0.149780716,
    w2+ = 0.19956143, w3+ = 0.24975114, w4+ = 0.29950229 (his w1..w4 are W1 row by row, w5..w8 W2)."""
    step = oracle(tomllib.loads(MAZUR))["steps"][0]
    assert step["forward"]["a1[1]"] == pytest.approx(0.593269992, abs=5e-10)
    assert step["forward"]["a2[1]"] == pytest.approx(0.75136507, abs=5e-9)
    assert step["loss"] == pytest.approx(0.298371109, abs=5e-10)
    assert step["forward"]["L"] == step["loss"]
    assert step["gradients"]["W2[1,1]"] == pytest.approx(0.082167041, abs=5e-10)
    assert step["gradients"]["W1[1,1]"] == pytest.approx(0.000438568, abs=5e-10)
    published = {
        "W2[1,1]": (0.35891648, 5e-9),
        "W2[1,2]": (0.408666186, 5e-10),
        "W2[2,1]": (0.511301270, 5e-10),
        "W2[2,2]": (0.561370121, 5e-10),
        "W1[1,1]": (0.149780716, 5e-10),
        "W1[1,2]": (0.19956143, 5e-9),
        "W1[2,1]": (0.24975114, 5e-9),
        "W1[2,2]": (0.29950229, 5e-9),
    }
    assert set(step["updated"]) == set(published)  # frozen biases are not updated
    for name, (value, tol) in published.items():
        assert step["updated"][name] == pytest.approx(value, abs=tol), name


def test_oracle_mazur_in_out_layout_is_the_transpose() -> None:
    """The same net typed in the in_out layout: every weight name swaps its indices, values agree."""
    spec = tomllib.loads(MAZUR)
    spec["network"]["layout"] = "in_out"
    for layer in spec["network"]["layer"]:
        layer["weights"] = [list(col) for col in zip(*layer["weights"])]
    out_in = torch_reference(tomllib.loads(MAZUR))["steps"][0]
    in_out = torch_reference(spec)["steps"][0]
    assert in_out["loss"] == pytest.approx(out_in["loss"], rel=1e-15)
    for name, g in out_in["gradients"].items():
        if name.startswith("W"):
            rc = name[name.index("[") + 1 : -1].split(",")
            assert in_out["gradients"][f"{name[: name.index('[')]}[{rc[1]},{rc[0]}]"] == pytest.approx(g, rel=1e-14)


@pytest.mark.parametrize("mode", MODES)
@settings(_settings("agree_network"), max_examples=COUNTS["agree_network"] * _SCALE // len(MODES))
@given(data=st.data())
def test_oracles_agree_on_networks(mode: str, data: st.DataObject) -> None:
    """torch autograd and mpmath central differences agree on every number (no solgen involved)."""
    problem = data.draw(networks(mode=mode), label="problem")
    ref = _reference(problem)
    problems = compare_steps(ref, mpmath_reference(problem.spec))
    assert not problems, _report(problems)


@_settings("agree_graph")
@given(problem=graphs())
def test_oracles_agree_on_graphs(problem: Problem) -> None:
    ref = _reference(problem)
    problems = compare_steps(ref, mpmath_reference(problem.spec))
    assert not problems, _report(problems)


def test_oracle_comparison_is_not_vacuous() -> None:
    """compare_steps flags a 1e-8 relative error, a missing, an extra and a misnamed key, a loss
    given for an upstream problem, and an "updated" that should be absent."""
    ref = torch_reference(tomllib.loads(MAZUR))
    assert compare_steps(ref, ref) == []

    def altered(change: Any) -> dict[str, Any]:
        copy = {**ref, "steps": [{k: (dict(v) if isinstance(v, dict) else v) for k, v in ref["steps"][0].items()}]}
        change(copy["steps"][0])
        return copy

    def scale(step: dict[str, Any]) -> None:
        step["gradients"]["W1[2,1]"] *= 1 + 1e-8

    def rename(step: dict[str, Any]) -> None:
        step["gradients"]["W1[2,1]"] = step["gradients"].pop("W1[1,2]")

    cases = [
        scale,
        lambda step: step["forward"].pop("z2[1]"),
        lambda step: step["gradients"].update({"t[1]": 0.0}),
        rename,
        lambda step: step.update(loss=None),
        lambda step: step.pop("updated"),
    ]
    for change in cases:
        assert compare_steps(altered(change), ref), change
    # parameters may be listed in forward (checked against their values), "L" in gradients as 1
    assert compare_steps(altered(lambda step: step["forward"].update({"b1": 0.35})), ref) == []
    assert compare_steps(altered(lambda step: step["forward"].update({"b1": 0.36})), ref)
    assert compare_steps(altered(lambda step: step["gradients"].update({"L": 1.0})), ref) == []


def test_torch_derivative_conventions_at_zero() -> None:
    """The reference relies on torch's relu'(0) = 0 and abs'(0) = 0, the contract's conventions."""
    z = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    (torch.relu(z).sum() + torch.abs(z).sum()).backward()
    assert z.grad is not None and z.grad.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os')",
        "x.real",
        "f(x)",
        "exp(x, y)",
        "x if y else z",
        "x < y",
        "x % 2",
        "[x]",
        "lambda: 1",
        "exp(*x)",
        "sigmoid(x=1)",
        "'a'",
        "True",
        "x // 2",
        "1e999",
    ],
)
def test_oracle_expression_parser_rejects(text: str) -> None:
    with pytest.raises(ExprError):
        parse_expr(text)


def test_oracle_expression_precedence() -> None:
    """^ is a power (not xor), binds tighter than unary minus, and is right-associative."""
    env = {"x": 3.0, "y": 2.0}
    from tests.oracle.reference import MP_OPS, compile_expr

    def value(text: str) -> float:
        return float(compile_expr(parse_expr(text), MP_OPS)(env))

    assert value("-x^2") == -9.0
    assert value("2^3^2") == 512.0
    assert value("x - y - 1") == 0.0
    assert value("x/y*2") == 3.0
    assert value("x ** y") == 9.0


# --------------------------------------------------------------------------------------------------
# solgen against the oracles
# --------------------------------------------------------------------------------------------------


def test_solgen_mazur_matches_oracles() -> None:
    problem = Problem(MAZUR, tomllib.loads(MAZUR), "network")
    _check_against_oracles(problem, torch_reference(problem.spec))


def uses_layers(spec: dict[str, Any]) -> bool:
    """A network with section-10 layers (checked by tests/test_oracle_layers.py)."""
    layers = (spec.get("network") or {}).get("layer", [])
    return any(isinstance(x, dict) and x.get("type", "dense") != "dense" for x in layers)


def uses_training(spec: dict[str, Any]) -> bool:
    """A spec of sections 6-9 (checked by tests/test_oracle_training.py against its own oracles)."""
    from tests.oracle.training_strategies import GRAPH_FUNCTIONS, LOSSES, NEW_ACTIVATIONS

    if uses_layers(spec):
        return False
    body = spec.get("network") or spec.get("graph") or {}
    if "optimizer" in spec or any(k in body for k in ("l1", "l2", "labels", "reduction")):
        return True
    if "network" in spec:
        inputs = body.get("inputs")
        return (isinstance(inputs, list) and bool(inputs) and isinstance(inputs[0], list)) or body.get("loss") in \
            LOSSES[5:] or any(x.get("activation") in NEW_ACTIVATIONS for x in body.get("layer", []))
    return any(f"{fn}(" in text for fn in GRAPH_FUNCTIONS for text in [*body.get("nodes", []), body.get("loss", "")])


def _bundled_specs() -> list[Path]:
    specs = []
    for path in sorted(SPECS.glob("*.toml")):
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
        body = spec.get("network") or spec.get("graph") or {}
        layers = body.get("layer", [])
        if "network" in spec and (isinstance(body.get("inputs"), int) or any("weights" not in x for x in layers)):
            continue  # architecture-only: no numbers to check
        if uses_training(spec):
            continue  # batches, optimizers, penalties, new functions: tests/test_oracle_training.py
        if uses_layers(spec):
            continue  # conv, pooling, dropout, batchnorm, rnn: tests/test_oracle_layers.py
        specs.append(path)
    return specs


@pytest.mark.parametrize("path", _bundled_specs(), ids=lambda p: p.stem)
def test_solgen_bundled_specs_match_oracles(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    problem = Problem(text, tomllib.loads(text), "graph" if "graph" in tomllib.loads(text) else "network")
    ref = torch_reference(problem.spec)
    answers = _solve(text)
    assert answers["facts"]["parameters"] == ref["facts"]["parameters"]
    problems = compare_steps(answers, ref)
    assert not problems, _report(problems)
    if ref["kink_margin"] > 1e-6:  # central differences are meaningless at a kink
        problems = compare_steps(answers, mpmath_reference(problem.spec), parts=("gradients",))
        assert not problems, _report(problems)


# every (loss or upstream, output activation) pair in both layouts: 54 kinds
NETWORK_KINDS = [
    (mode, output, layout) for mode in MODES for output in output_activations(mode) for layout in ("out_in", "in_out")
]


@pytest.mark.parametrize(("mode", "output", "layout"), NETWORK_KINDS, ids=["-".join(kind) for kind in NETWORK_KINDS])
@settings(_settings("network"), max_examples=-(-COUNTS["network"] * _SCALE // len(NETWORK_KINDS)))
@given(data=st.data())
def test_solgen_networks_match_oracles(mode: str, output: str, layout: str, data: st.DataObject) -> None:
    """Every loss (and upstream) with every fitting output activation in both layouts (out_in also
    as the default); depth, widths, hidden activations, biases, frozen, iterations drawn."""
    problem = data.draw(networks(mode=mode, layout=layout, output=output), label="problem")
    _check_against_oracles(problem, _reference(problem))


@_settings("graph")
@given(problem=graphs())
def test_solgen_graphs_match_oracles(problem: Problem) -> None:
    _check_against_oracles(problem, _reference(problem))


# --------------------------------------------------------------------------------------------------
# ReLU (and abs) exactly at 0: relu'(0) = 0, abs'(0) = 0. Values are integers and halves, exact in
# floats, so torch sees the same exact zero as solgen's exact arithmetic.
# --------------------------------------------------------------------------------------------------


def _exact_zero_reference(problem: Problem) -> dict[str, Any]:
    ref = torch_reference(problem.spec)
    assume(ref["kink_margin"] == 0.0)
    assume(well_conditioned(ref, problem.spec, kink_margin=0.0))
    return ref


@_settings("relu_zero")
@given(problem=relu_zero_networks())
def test_solgen_relu_exactly_zero_networks(problem: Problem) -> None:
    ref = _exact_zero_reference(problem)
    problems = compare_steps(_solve(problem.toml), ref)
    assert not problems, _report(problems)


@_settings("relu_zero")
@given(problem=relu_zero_graphs())
def test_solgen_relu_abs_exactly_zero_graphs(problem: Problem) -> None:
    ref = _exact_zero_reference(problem)
    problems = compare_steps(_solve(problem.toml), ref)
    assert not problems, _report(problems)


RELU_ZERO_NET = """\
title = "z1 = 1*1 + (-0.5)*2 = 0 exactly"

[network]
inputs = [1, 2]
targets = [1]
loss = "half_squared_error"
learning_rate = 0.1

[[network.layer]]
units = 1
activation = "relu"
weights = [[1, -0.5]]

[[network.layer]]
units = 1
activation = "linear"
weights = [[3]]
"""

RELU_ZERO_DECIMAL_NET = """\
title = "z1 = 0.1 + 0.2 - 0.3 = 0 exactly (not in binary floating point)"

[network]
inputs = [1, 1, 1]
targets = [1]
loss = "half_squared_error"

[[network.layer]]
units = 1
activation = "relu"
weights = [[0.1, 0.2, -0.3]]

[[network.layer]]
units = 1
activation = "linear"
weights = [[3]]
"""


def test_solgen_relu_zero_hand_case() -> None:
    """a1 = relu(0) = 0, a2 = 0, L = 1/2, dL/da2 = -1, dL/da1 = -3, relu'(0) = 0 so dL/dz1 = 0 and
    dL/dW1 = 0, dL/dW2 = -1 * a1 = 0: the step leaves W1 and W2 unchanged."""
    step = _solve(RELU_ZERO_NET)["steps"][0]
    assert step["forward"]["z1[1]"] == 0 and step["forward"]["a1[1]"] == 0
    assert step["loss"] == 0.5
    assert step["gradients"]["a1[1]"] == -3
    assert step["gradients"]["z1[1]"] == 0
    assert step["gradients"]["W1[1,1]"] == 0 and step["gradients"]["W1[1,2]"] == 0
    assert step["updated"]["W1[1,1]"] == 1 and step["updated"]["W1[1,2]"] == -0.5
    assert not compare_steps(_solve(RELU_ZERO_NET), torch_reference(tomllib.loads(RELU_ZERO_NET)))


def test_solgen_relu_zero_in_decimal_arithmetic() -> None:
    """The spec's numbers are decimals: 0.1 + 0.2 - 0.3 is 0, so relu'(z1) = 0, although a float
    oracle computes z1 = 5.55e-17 > 0 and would pass the gradient through. Every other number is as
    torch computes it (the forward values differ from torch only by ~1e-17)."""
    answers = _solve(RELU_ZERO_DECIMAL_NET)
    step = answers["steps"][0]
    assert abs(step["forward"]["z1[1]"]) <= 1e-15
    assert step["gradients"]["a1[1]"] == pytest.approx(-3)
    assert step["gradients"]["z1[1]"] == 0
    for c in (1, 2, 3):
        assert step["gradients"][f"W1[1,{c}]"] == 0
        assert step["gradients"][f"x[{c}]"] == 0
    ref = torch_reference(tomllib.loads(RELU_ZERO_DECIMAL_NET))
    assert ref["steps"][0]["gradients"]["z1[1]"] != 0  # the float oracle takes the other branch
    problems = compare_steps(answers, ref, parts=("forward", "loss"))
    assert not problems, _report(problems)
    assert math.isclose(step["loss"], 0.5, rel_tol=1e-15)
