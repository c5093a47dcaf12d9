"""Section-10 layers against PyTorch float64 and 50-digit mpmath central differences (1e-9 relative).

Each strategy draws networks of one layer type (tests/oracle/layer_strategies.py); solgen's JSON
must equal torch's value and gradient for every name torch has (inputs, conv pre-activations and
activations, pooled maps, RNN hidden states, every parameter) and mpmath's loss and central
differences for every parameter and input.  On the way, every number printed in the Markdown and
LaTeX is read back and must equal the JSON at the shown digits.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.oracle.layer_strategies import (
    batchnorm_networks,
    conv_networks,
    dropout_networks,
    rnn_networks,
    to_toml,
)
from tests.oracle.layers import mpmath_layers, torch_layers

SPECS = Path(__file__).resolve().parent.parent / "specs"
REL, ABS = 1e-9, 1e-12
EXAMPLES = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL, abs_tol=ABS)


def _solve(spec: dict[str, Any]) -> dict[str, Any]:
    from solgen.pipeline import Options, solve_text
    from tests.printed import check_printed

    solved = solve_text(to_toml(spec), "gen.toml", Options(formats=("md", "tex")))
    for fmt in ("md", "tex"):
        check_printed(solved, fmt)
    return solved.answers["steps"][0]


def _check(spec: dict[str, Any]) -> None:
    ref = torch_layers(spec)
    assume(ref["margin"] > 1e-6)
    got = _solve(spec)
    bad = []
    for part in ("forward", "gradients"):
        for name, want in ref[part].items():
            have = got[part].get(name)
            if have is None or not _close(have, want):
                bad.append(f"torch {part} {name}: solgen {have}, torch {want}")
    mp = mpmath_layers(spec)
    if not _close(got["loss"], mp["forward"]["L"]):
        bad.append(f"mpmath L: solgen {got['loss']}, mpmath {mp['forward']['L']}")
    for name, want in mp["gradients"].items():
        have = got["gradients"].get(name)
        if have is None or not _close(have, want):
            bad.append(f"mpmath gradient {name}: solgen {have}, mpmath {want}")
    assert not bad, "\n".join(bad[:15])


@EXAMPLES
@given(spec=st.sampled_from([1, 2]).flatmap(conv_networks))
def test_solgen_conv_and_pooling(spec: dict[str, Any]) -> None:
    _check(spec)


@EXAMPLES
@given(spec=dropout_networks())
def test_solgen_dropout(spec: dict[str, Any]) -> None:
    _check(spec)


@EXAMPLES
@given(spec=rnn_networks())
def test_solgen_rnn(spec: dict[str, Any]) -> None:
    _check(spec)


@EXAMPLES
@given(spec=batchnorm_networks())
def test_solgen_batchnorm(spec: dict[str, Any]) -> None:
    """Training mode on batches of 2-4: per feature after dense, per channel after conv1d."""
    _check(spec)


@EXAMPLES
@given(spec=st.sampled_from([1, 2]).flatmap(lambda d: conv_networks(d, batch=True)) | dropout_networks(batch=True)
       | rnn_networks(batch=True))
def test_solgen_layers_on_batches(spec: dict[str, Any]) -> None:
    """conv, pooling, dropout (one mask per example) and rnn on batches of 2-3, mean or sum."""
    _check(spec)


@given(spec=st.sampled_from([1, 2]).flatmap(conv_networks))
@settings(max_examples=10, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_oracles_agree_on_conv(spec: dict[str, Any]) -> None:
    """torch and mpmath agree (no solgen involved): the oracles check each other."""
    ref = torch_layers(spec)
    assume(ref["margin"] > 1e-6)
    mp = mpmath_layers(spec)
    assert _close(ref["forward"]["L"], mp["forward"]["L"])
    for name, want in mp["gradients"].items():
        assert _close(ref["gradients"][name], want), name


def _bundled() -> list[Path]:
    from tests.test_oracle import uses_layers

    specs = [(p, tomllib.loads(p.read_text())) for p in sorted(SPECS.glob("layers_*.toml"))]
    return [p for p, spec in specs if uses_layers(spec) and "input_shape" not in spec["network"]]


@pytest.mark.parametrize("path", _bundled(), ids=lambda p: p.stem)
def test_solgen_bundled_layer_specs_match_oracles(path: Path) -> None:
    """specs/layers_*.toml: every value and gradient against torch and mpmath."""
    _check(tomllib.loads(path.read_text()))
