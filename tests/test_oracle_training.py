"""solgen against PyTorch float64 (autograd, torch.nn.functional, torch.optim) and 50-digit mpmath on
the training part of the contract (spec sections 6-9): batches, labels, reductions, penalties, every
optimizer, the new activations, losses and graph functions; and the kinks, at the kink, exactly.

Every forward value, loss, gradient, update and optimizer state must agree to 1e-9 relative; every
number printed in the Markdown and LaTeX must equal the JSON at the shown digits. Counts: the "ci"
profile (the default) runs a few hundred generated problems; SOLGEN_HYPOTHESIS_PROFILE=long ten times
as many.
"""

from __future__ import annotations

import math
import os
import tomllib
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import torch
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from tests.oracle.reference import compare_steps
from tests.oracle.training import (
    compare_state,
    finite,
    graph_kink_margin,
    kink_margin,
    mpmath_graph_gradients,
    mpmath_training_gradients,
    mpmath_training_loss,
    torch_graph_reference,
    torch_training_reference,
    well_scaled,
)
from tests.oracle.training_strategies import LOSSES, function_graphs, training_networks

PROFILE = os.environ.get("SOLGEN_HYPOTHESIS_PROFILE", "ci")
_SCALE = 1 if PROFILE == "ci" else 10
COUNTS = {"network": 120, "graph": 40, "agree": 30}
SLOW = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]


def _settings(kind: str, divide: int = 1) -> settings:
    return settings(max_examples=max(COUNTS[kind] * _SCALE // divide, 4), deadline=None,
                    suppress_health_check=SLOW, derandomize=PROFILE == "ci")


def _solve(text: str) -> dict[str, Any]:
    """solgen's answers; every printed number is read back and checked on the way."""
    from solgen.pipeline import Options, solve_text
    from tests.printed import check_printed

    solved = solve_text(text, "gen.toml", Options(formats=("md", "tex")))
    for fmt in ("md", "tex"):
        check_printed(solved, fmt)
    return solved.answers


def _report(problems: list[str], limit: int = 12) -> str:
    return "\n".join(problems[:limit]) + (f"\n... and {len(problems) - limit} more" if len(problems) > limit else "")


def _check_network(toml: str, spec: dict[str, Any], ref: dict[str, Any], mpmath: bool = True) -> None:
    answers = _solve(toml)
    assert answers["facts"]["parameters"] == ref["facts"]["parameters"]
    problems = compare_steps(answers, ref) + compare_state(answers, ref)
    assert not problems, "solgen vs torch:\n" + _report(problems)
    if not mpmath:
        return
    for a_step, e_step in zip(answers["steps"], ref["steps"]):
        grads = mpmath_training_gradients(spec, e_step["params"])
        bad = [f"step {e_step['iteration']}: d/d{k} = {a_step['gradients'][k]!r}, mpmath {v!r}"
               for k, v in grads.items() if not math.isclose(a_step["gradients"][k], v, rel_tol=1e-9, abs_tol=1e-12)]
        assert not bad, "solgen vs mpmath:\n" + _report(bad)
        if "network" in spec and spec["network"].get("loss"):
            loss = mpmath_training_loss(spec, e_step["params"])
            assert math.isclose(a_step["loss"], loss, rel_tol=1e-9, abs_tol=1e-12), (a_step["loss"], loss)


@pytest.mark.parametrize("loss", [*LOSSES, "upstream"])
@given(data=st.data())
@settings(_settings("network", divide=len(LOSSES) + 1))
def test_training_networks_match_oracles(loss: str, data: st.DataObject) -> None:
    """Batches of 1-4 (flat or rows), both reductions, targets or labels, penalties, every optimizer
    with random arguments over 1-3 steps, the new activations; each loss and upstream in turn."""
    problem = data.draw(training_networks(loss=loss), label="problem")
    ref = torch_training_reference(problem.spec)
    assume(finite(ref))
    assume(kink_margin(problem.spec, ref) > 1e-6)
    assume(well_scaled(problem.spec, ref))
    for tag in problem.tags:
        event(tag)
    _check_network(problem.toml, problem.spec, ref)


@given(data=st.data())
@settings(_settings("graph"))
def test_function_graphs_match_oracles(data: st.DataObject) -> None:
    """[graph] nodes calling max, min, sin, cos, leaky_relu, elu, softplus, gelu, silu (with l2 and
    optimizers sometimes) against torch and mpmath."""
    problem, meta = data.draw(function_graphs(), label="problem")
    ref = torch_graph_reference(problem.spec, meta)
    assume(finite(ref))
    assume(graph_kink_margin(meta, ref) > 1e-6)
    assume(well_scaled(problem.spec, ref))
    answers = _solve(problem.toml)
    problems = compare_steps(answers, ref) + compare_state(answers, ref)
    assert not problems, "solgen vs torch:\n" + _report(problems)
    for a_step, e_step in zip(answers["steps"], ref["steps"]):
        inputs = problem.spec["graph"]["inputs"]
        values = {**e_step["params"], **{k: v for k, v in e_step["forward"].items() if k in inputs}}
        for k, v in mpmath_graph_gradients(problem.spec, meta, values).items():
            assert math.isclose(a_step["gradients"][k], v, rel_tol=1e-9, abs_tol=1e-12), (k, a_step["gradients"][k], v)


@given(data=st.data())
@settings(_settings("agree"))
def test_training_oracles_agree(data: st.DataObject) -> None:
    """torch and mpmath agree with each other (no solgen involved): the oracles are not both wrong alike."""
    problem = data.draw(training_networks(), label="problem")
    ref = torch_training_reference(problem.spec)
    assume(finite(ref) and kink_margin(problem.spec, ref) > 1e-6)
    step = ref["steps"][0]
    for k, v in mpmath_training_gradients(problem.spec, step["params"]).items():
        assert math.isclose(step["gradients"][k], v, rel_tol=1e-8, abs_tol=1e-11), (k, step["gradients"][k], v)


# --------------------------------------------------------------------------------------------------
# Kinks, at the kink, with exact values (the contract: leaky_relu'(0) = s, elu'(0) = alpha, a max/min
# tie gives each argument half, the hinge's derivative is 0 at the kink, |r|' = 0 at r = 0).
# Inputs and weights are integers and halves, so torch sees the same exact zero as solgen.
# --------------------------------------------------------------------------------------------------

KINK_NET = """\
title = "z1 = 1*1 + (-0.5)*2 = 0 exactly"

[network]
inputs = [1, 2]
targets = [1]
loss = "half_squared_error"

[[network.layer]]
units = 1
activation = "{act}"
{key}
weights = [[1, -0.5]]

[[network.layer]]
units = 1
activation = "linear"
weights = [[3]]
"""


@pytest.mark.parametrize(("act", "key", "slope"), [
    ("leaky_relu", "", Fraction(1, 100)), ("leaky_relu", "negative_slope = 0.2", Fraction(1, 5)),
    ("elu", "", Fraction(1)), ("elu", "alpha = 0.5", Fraction(1, 2)), ("relu", "", Fraction(0)),
])
def test_activation_at_zero(act: str, key: str, slope: Fraction) -> None:
    """z1 = 0, a1 = f(0) = 0, a2 = 0, L = 1/2, dL/da2 = -1, dL/da1 = -3, so dL/dz1 = -3 f'(0) exactly:
    -3 s for leaky_relu, -3 alpha for elu, 0 for relu; dL/dW1[1,c] = dL/dz1 * x[c]."""
    text = KINK_NET.format(act=act, key=key)
    step = _solve(text)["steps"][0]
    assert step["forward"]["z1[1]"] == 0 and step["forward"]["a1[1]"] == 0
    assert step["gradients"]["a1[1]"] == -3
    assert step["gradients"]["z1[1]"] == float(Fraction(-3) * slope)  # the JSON double of the exact value
    assert step["gradients"]["W1[1,2]"] == float(Fraction(-6) * slope)
    ref = torch_training_reference(tomllib.loads(text))
    assert not compare_steps(_solve(text), ref)


TIE_GRAPH = """\
title = "a tie of max and min"

[graph]
inputs = { A = 1, B = 1 }
params = { u = 2 }
nodes = ["M = max(u*A, 2*B)", "N = min(u*A, 2*B)", "S = M + 3*N"]
upstream = { S = 1 }
"""


def test_max_min_tie_splits_the_gradient() -> None:
    """u*A = 2 = 2*B: max and min tie, so each argument gets half: dS/d(uA) = 1/2 + 3/2 = 2, dS/dA = 2u = 4,
    dS/du = 2A = 2, dS/dB = 2*2 = 4 (as torch.maximum and torch.minimum)."""
    step = _solve(TIE_GRAPH)["steps"][0]
    assert step["gradients"]["M"] == 1 and step["gradients"]["N"] == 3
    assert step["gradients"]["A"] == 4 and step["gradients"]["u"] == 2 and step["gradients"]["B"] == 4
    with torch.enable_grad():
        u, a, b = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (2.0, 1.0, 1.0))
        (torch.maximum(u * a, 2 * b) + 3 * torch.minimum(u * a, 2 * b)).backward()
    assert [float(t.grad) for t in (u, a, b)] == [2.0, 4.0, 4.0]  # type: ignore[arg-type]


HINGE_KINK = """\
title = "a hinge term exactly at the margin"

[network]
inputs = [1, 0.5]
labels = [1]
loss = "multiclass_hinge"

[[network.layer]]
units = 3
activation = "linear"
weights = [[2, 0], [1, 0], [0, 2]]
"""


def test_hinge_at_the_margin() -> None:
    """Scores a = (2, 1, 1), label 1, margin 1: both terms max(0, 1 - 2 + 1) = 0 sit at the kink, so
    L = 0 and every derivative is 0 (the contract: derivative 0 at the kink)."""
    step = _solve(HINGE_KINK)["steps"][0]
    assert step["loss"] == 0
    assert all(step["gradients"][f"a1[{j}]"] == 0 for j in (1, 2, 3))
    assert not compare_steps(_solve(HINGE_KINK), torch_training_reference(tomllib.loads(HINGE_KINK)))


MAE_KINK = """\
title = "mae with one residual exactly 0"

[network]
inputs = [1]
targets = [2, 1]
loss = "mae"

[[network.layer]]
units = 2
activation = "linear"
weights = [[2], [3]]
"""


def test_mae_at_zero_residual() -> None:
    """a = (2, 3), t = (2, 1): r = (0, 2), L = (0 + 2)/2 = 1, dL/da1 = sgn(0)/2 = 0, dL/da2 = 1/2."""
    step = _solve(MAE_KINK)["steps"][0]
    assert step["loss"] == 1
    assert step["gradients"]["a1[1]"] == 0 and step["gradients"]["a1[2]"] == 0.5
    assert not compare_steps(_solve(MAE_KINK), torch_training_reference(tomllib.loads(MAE_KINK)))


def test_huber_at_delta() -> None:
    """r = a - t = 1 = delta: h(1) = 1*(1 - 1/2) = 1/2 (both branches agree), h'(1) = clip(1, -1, 1) = 1."""
    text = MAE_KINK.replace('"mae"', '"huber"').replace("[2, 1]", "[1, 3]")  # r = (1, 0)
    step = _solve(text)["steps"][0]
    assert step["loss"] == 0.25  # (1/2 + 0)/2
    assert step["gradients"]["a1[1]"] == 0.5 and step["gradients"]["a1[2]"] == 0
    assert not compare_steps(_solve(text), torch_training_reference(tomllib.loads(text)))


# --------------------------------------------------------------------------------------------------
# Published values
# --------------------------------------------------------------------------------------------------

CS231N_SVM = """\
title = "CS231n multiclass SVM"

[network]
inputs = [[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]]
labels = [1, 2, 3]
loss = "multiclass_hinge"

[[network.layer]]
units = 3
activation = "linear"
weights = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
"""


def test_cs231n_svm_loss() -> None:
    """CS231n notes, "Linear classification": scores cat/car/frog (3.2, 5.1, -1.7), (1.3, 4.9, 2.0),
    (2.2, 2.5, -3.1) with labels cat, car, frog give the losses 2.9, 0 and 12.9, mean 5.27 (rounded)."""
    step = _solve(CS231N_SVM)["steps"][0]
    assert [round(step["forward"][f"L[{n}]"], 10) for n in (1, 2, 3)] == [2.9, 0, 12.9]
    assert step["loss"] == pytest.approx(15.8 / 3, rel=1e-12) and round(step["loss"], 2) == 5.27
    assert not compare_steps(_solve(CS231N_SVM), torch_training_reference(tomllib.loads(CS231N_SVM)))


def test_learning_rate_twice_is_an_error() -> None:
    from solgen.errors import SpecError
    from solgen.spec.sections import parse_spec

    text = KINK_NET.format(act="relu", key="").replace('loss = "half_squared_error"',
                                                       'loss = "half_squared_error"\nlearning_rate = 0.1')
    with pytest.raises(SpecError, match="given twice"):
        parse_spec(text + '\n[optimizer]\nname = "adam"\nlearning_rate = 0.01\n')


# --------------------------------------------------------------------------------------------------
# The bundled specs of sections 6-9
# --------------------------------------------------------------------------------------------------

SPECS = Path(__file__).resolve().parent.parent / "specs"


def _training_specs() -> list[Path]:
    from tests.test_oracle import uses_training

    return [p for p in sorted(SPECS.glob("*.toml")) if uses_training(tomllib.loads(p.read_text(encoding="utf-8")))
            and "network" in tomllib.loads(p.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("path", _training_specs(), ids=lambda p: p.stem)
def test_bundled_training_specs_match_oracles(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    spec = tomllib.loads(text)
    ref = torch_training_reference(spec)
    _check_network(text, spec, ref, mpmath=kink_margin(spec, ref) > 1e-6)


def test_bundled_max_gate_graph() -> None:
    """CS231n lecture 4 (backpropagation): f = 2(xy + max(z, w)) at x = 3, y = -4, z = 2, w = -1 has
    df/dx = -8, df/dy = 6, df/dz = 2, df/dw = 0; the ReLU gate on min(z, w) = -1 adds nothing."""
    step = _solve((SPECS / "graph_max_min.toml").read_text(encoding="utf-8"))["steps"][0]
    assert step["forward"]["f"] == -20
    assert [step["gradients"][k] for k in "xyzw"] == [-8, 6, 2, 0]
