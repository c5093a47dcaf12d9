"""For generated problems (the oracle suite's strategies), in every presentation, the numbers
printed in the Markdown and LaTeX equal the JSON answers to the shown digits."""

import dataclasses
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solgen.errors import SpecError
from solgen.pipeline import Options, solve
from solgen.spec.sections import parse_spec
from tests.oracle.strategies import Problem, graphs, networks
from tests.printed import check_printed

LONG = os.environ.get("SOLGEN_HYPOTHESIS_PROFILE") == "long"
SETTINGS = settings(max_examples=600 if LONG else 60, deadline=None, derandomize=not LONG, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _check(problem: Problem, form: str, chain: str, digits: int, decimal: str) -> None:
    spec = parse_spec(problem.toml, "gen.toml")
    style = dataclasses.replace(spec.style, form=form, chain=chain, digits=digits, decimal=decimal)
    try:
        solved = solve(dataclasses.replace(spec, style=style), Options(verify=False))
    except SpecError as e:
        assert "too many to write out" in str(e) or "outside" in str(e) or "log" in str(e) or "overflow" in str(e)
        return
    for fmt in ("md", "tex"):
        check_printed(solved, fmt)


@SETTINGS
@given(networks(max_layers=3, max_units=3), st.sampled_from([("scalar", "adjoint"), ("scalar", "paths"),
                                                              ("matrix", "adjoint")]),
       st.integers(2, 6), st.sampled_from([".", ","]))
def test_printed_numbers_of_generated_networks(problem: Problem, style: tuple[str, str], digits: int,
                                               decimal: str) -> None:
    _check(problem, *style, digits, decimal)


@SETTINGS
@given(graphs(max_nodes=5), st.sampled_from(["adjoint", "paths"]), st.integers(2, 6))
def test_printed_numbers_of_generated_graphs(problem: Problem, chain: str, digits: int) -> None:
    _check(problem, "scalar", chain, digits, ".")
