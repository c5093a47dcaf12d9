"""A broad generated sample of problems, rendered: every activation, loss, form, chain, number style,
rounding and iteration count (the oracle suite's strategies), plus fixed problems that stress the width
of a line (a 3072-2048-2048-10 architecture table, a network whose gradients sum many paths)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from solgen.errors import SpecError
from solgen.pipeline import Options, Solved, documents, solve
from solgen.spec.sections import Graph, parse_spec
from tests.oracle.strategies import MODES, Problem, graphs, networks, relu_zero_networks

LONG = os.environ.get("SOLGEN_HYPOTHESIS_PROFILE") == "long"
SCALE = 10 if LONG else 1
# (form, chain): every presentation
PRESENTATIONS = (("scalar", "adjoint"), ("scalar", "paths"), ("matrix", "adjoint"))

WIDE = """title = "CIFAR MLP 3072-2048-2048-10"

[network]
inputs = 3072

[[network.layer]]
units = 2048
activation = "relu"

[[network.layer]]
units = 2048
activation = "relu"

[[network.layer]]
units = 10
activation = "softmax"
"""

MANY_PATHS = """title = "Four paths"

[network]
inputs = [0.5, -1.25]
targets = [0.25, -0.75]
loss = "mse"
learning_rate = 0.1
frozen = ["W1[1,2]"]

[[network.layer]]
units = 2
activation = "tanh"
weights = [[0.123456, -0.654321], [1.234567, -2.345678]]
bias = [0.5, -0.25]

[[network.layer]]
units = 2
activation = "sigmoid"
weights = [[-0.314159, 0.271828], [1.414214, -1.732051]]
bias = -0.125

[[network.layer]]
units = 2
activation = "linear"
weights = [[0.9, -1.1], [-0.7, 1.3]]

[style]
chain = "paths"
digits = 6
"""


FROZEN = """title = "Frozen first layer"

[network]
inputs = [1.0, -2.0, 0.5]
targets = [1, 0]
loss = "binary_cross_entropy"
learning_rate = 0.5
iterations = 2
frozen = ["W1", "b1"]

[[network.layer]]
units = 3
activation = "relu"
weights = [[0.1, 0.2, -0.3], [0.4, -0.5, 0.6], [-0.7, 0.8, 0.9]]
bias = [0.1, 0.1, 0.1]

[[network.layer]]
units = 2
activation = "sigmoid"
weights = [[0.3, -0.2, 0.5], [-0.6, 0.4, 0.1]]
bias = [0.0, 0.2]
"""


def draws(strategy: st.SearchStrategy[Problem], n: int) -> list[Problem]:
    """n examples of a strategy, the same every run (derandomized) unless the long profile is chosen."""
    out: list[Problem] = []

    @settings(max_examples=n, derandomize=not LONG, database=None, deadline=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(problem: Problem) -> None:
        out.append(problem)

    collect()
    return out[:n]


def problems() -> Iterator[tuple[str, str]]:
    """(label, spec text): every loss with networks, graphs, exact ReLU zeros, the fixed ones."""
    for mode in MODES:
        for i, p in enumerate(draws(networks(max_layers=3, max_units=4, mode=mode), 4 * SCALE)):
            yield f"network-{mode}-{i}", p.toml
    for i, p in enumerate(draws(graphs(max_nodes=8), 14 * SCALE)):
        yield f"graph-{i}", p.toml
    for i, p in enumerate(draws(relu_zero_networks(), 3 * SCALE)):
        yield f"relu0-{i}", p.toml
    yield "wide", WIDE
    yield "paths", MANY_PATHS
    yield "frozen", FROZEN


def variants(label: str, text: str, k: int) -> Iterator[tuple[str, Solved]]:
    """The problem solved in two of the presentations (rotating with k) and number styles."""
    spec = parse_spec(text, f"{label}.toml")
    for j in range(2):
        form, chain = PRESENTATIONS[(k + j) % len(PRESENTATIONS)]
        if isinstance(spec.problem, Graph) and form == "matrix":
            form = "scalar"
        style = dataclasses.replace(spec.style, form=form, chain=chain, digits=(k + j) % 5 + 2,
                                    decimal=",." [(k + j) % 2], rounding=("display", "carry")[k % 2])
        try:
            solved = solve(dataclasses.replace(spec, style=style, file=f"{label}-{form}-{chain}.toml"),
                           Options(verify=False))
        except SpecError as e:  # too many paths to write out, a draw outside a function's domain
            assert any(w in str(e) for w in ("too many to write out", "outside", "log", "overflow")), e
            continue
        yield f"{label}-{form}-{chain}", solved


def rendered(fmt: str) -> list[tuple[str, str]]:
    """(label, document text) of the whole sample."""
    out = []
    for k, (label, text) in enumerate(problems()):
        for name, solved in variants(label, text, k):
            docs = documents(solved, Options(formats=(fmt,)))
            out.append((name, docs[f"{solved.spec.stem}.{fmt}"].decode()))
    return out
