"""Fuzzing the loader, the expression parser and the whole pipeline with hypothesis.

Random and mutated TOML (the bundled specs with characters deleted, inserted and
replaced, lines swapped and duplicated, values swapped and replaced by hostile
ones) goes to ``parse_spec`` and ``solve_text``; random text and token soup goes
to ``parse_expression``.  The only exceptions allowed are the clean ones
(``SpecError``, ``ExprError``, or any ``SolgenError`` from the pipeline); every
input must also finish within a few seconds, so a spec cannot make solgen hang.

The default run is small enough for CI (about 500 inputs, a few seconds).  The
long run, ``SOLGEN_HYPOTHESIS_PROFILE=long pytest tests/test_fuzz.py``, feeds
over 40,000.
"""

from __future__ import annotations

import os
import re
import signal
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solgen.errors import ExprError, SolgenError, SpecError
from solgen.pipeline import Options, solve_text
from solgen.spec.expr import parse_definition, parse_expression
from solgen.spec.sections import parse_spec

LONG = os.environ.get("SOLGEN_HYPOTHESIS_PROFILE") == "long"
ROOT = Path(__file__).parent.parent
SPECS = sorted((ROOT / "specs").glob("*.toml"))
SOURCES = [p.read_text(encoding="utf-8") for p in SPECS]
BAD = sorted((Path(__file__).parent / "bad_specs").glob("*.toml"))
BAD_SOURCES = [p.read_text(encoding="utf-8", errors="replace") for p in BAD if p.stat().st_size < 20_000]
# the pipeline fuzz skips the 784-512-512-10 architecture: it is fine, but its documents are big
SOLVABLE = [p.read_text(encoding="utf-8") for p in SPECS if "architecture" not in p.stem]
SECONDS = 20  # far above any real spec (well under a second); a hang is a bug


def examples(default: int, long: int):
    """Hypothesis settings: a modest count in CI, thousands with SOLGEN_HYPOTHESIS_PROFILE=long."""
    return settings(max_examples=long if LONG else default, deadline=None, derandomize=not LONG,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


@contextmanager
def time_limit(seconds: int = SECONDS) -> Iterator[None]:
    """Fail an input that runs longer than ``seconds`` (SIGALRM; main thread on POSIX only)."""
    usable = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expired(signum, frame):
        raise TimeoutError(f"an input took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# -- mutations -------------------------------------------------------------------------------

HOSTILE = [
    '"', "'", '"""', "[", "]", "[[", "]]", "{", "}", "=", ",", ".", "\n", "\t", "#", "\\", "\\u0000",
    "\x00", "\x7f", "\ufeff", "\u202e", "é", "𝓮", "\r\n", "0", "-0", "-1", "1e400", "1e-400", "1e999999999",
    "1e-999999999", "9" * 400, "9" * 5000, "nan", "inf", "-inf", "true", "false", "0x1F", "1979-05-27",
    "[]", "{}", "[[]]", "[network]", "[graph]", "[[network.layer]]", "[style]", "units = 0", "units = -1",
    "units = 100000", "inputs = 3", "iterations = 20", "iterations = 0", "learning_rate = 0",
    'frozen = ["nope"]', 'ask = ["L"]', 'loss = "cross_entropy"', 'loss = "binary_cross_entropy"',
    'activation = "softmax"', 'activation = "sigmoidd"', 'layout = "in_out"', "bias = [1]", "bias = true",
    'upstream = [1]', "__import__('os').system('true')", "().__class__", "lambda: 0", "[x for x in y]",
    "a[0]", "exp(exp(10))", "log(0)", "1/0", "sqrt(-1)", "0^-1", "(-8)^0.5", "10^10^10", "2^2^2^2^2",
    "x" * 300, "(" * 80, ")" * 80, "sigmoid(" * 70, "^^5c", "\\input{/etc/passwd}", "\\def\\x{}",
    '"B1 = B1"', '"L = 1"', '"sigmoid = 1"', "u11", "A1", "B2", "W1[1,1]", "b1", "z1[1]",
    'latex = { A1 = "\\\\alpha" }', 'latex = { A1 = "^^5cinput" }', "digits = 15", 'decimal = ","',
    'rounding = "carry"', 'form = "matrix"', 'chain = "paths"',
]
NUMBERS = ["0", "1", "-1", "0.5", "-0.5", "2", "1e-300", "1e300", "1.7976931348623157e308", "710", "-710",
           "1000", "-1000", "1e-15", "3", "0.1", "100", "-100", "1e6", "nan", "inf", '"x"', "[1, 2]", "true"]
TOKEN = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\"[^\"\n]*\"|\b\w+\b")


@st.composite
def mutated(draw, sources: list[str], rounds: int = 4) -> str:
    text = draw(st.sampled_from(sources))
    for _ in range(draw(st.integers(1, rounds))):
        kind = draw(st.sampled_from(["delete", "insert", "replace", "snippet", "swap_lines", "dup_line",
                                     "drop_line", "swap_tokens", "number", "number", "truncate"]))
        n = len(text)
        at = draw(st.integers(0, n))
        if kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)):]
        elif kind == "insert":
            text = text[:at] + draw(st.text(max_size=8)) + text[at:]
        elif kind == "replace" and n:
            at = min(at, n - 1)
            text = text[:at] + draw(st.characters()) + text[at + 1:]
        elif kind == "snippet":
            text = text[:at] + draw(st.sampled_from(HOSTILE)) + text[at:]
        elif kind == "truncate":
            text = text[:at]
        elif kind in ("swap_lines", "dup_line", "drop_line"):
            lines = text.split("\n")
            i = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(0, len(lines) - 1))
            if kind == "swap_lines":
                lines[i], lines[j] = lines[j], lines[i]
            elif kind == "dup_line":
                lines.insert(j, lines[i])
            else:
                del lines[i]
            text = "\n".join(lines)
        else:  # swap two values, or put an unusual number where a value was
            tokens = list(TOKEN.finditer(text))
            if not tokens:
                continue
            a = draw(st.sampled_from(tokens))
            if kind == "swap_tokens":
                b = draw(st.sampled_from(tokens))
                if a.start() > b.start():
                    a, b = b, a
                if a.end() <= b.start():
                    text = (text[:a.start()] + b.group() + text[a.end():b.start()] + a.group()
                            + text[b.end():])
            else:
                numbers = [t for t in tokens if t.group()[:1].isdigit() or t.group()[:1] == "-"] or tokens
                a = draw(st.sampled_from(numbers))
                text = text[:a.start()] + draw(st.sampled_from(NUMBERS)) + text[a.end():]
    return text


EXPR_TOKENS = [
    "x", "y", "A1", "u11", "B2", "L", "1", "0", "2.5", "1e400", "1e-999", "0x10", "1_0", "1j", "(", ")",
    "+", "-", "*", "/", "^", "**", "%", "//", "@", "<", "==", "and", "not", ",", ".", "[", "]", "{", "}",
    ":", "=", ":=", "lambda", "for", "in", "if", "else", "yield", "await", "'s'", '"s"', "f'{x}'", "b''",
    "...", "None", "True", "sigmoid", "relu", "tanh", "exp", "log", "sqrt", "abs", "softmax", "step",
    "__import__", "__class__", "__globals__", "eval", "exec", "open", "os", "system", " ", "\t", "\n", "é",
    "ｅｘｐ", "\\", "#", "$", "`",
]


def expression_soup() -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(EXPR_TOKENS), max_size=25).map("".join)


def _only(allowed: type[BaseException] | tuple[type[BaseException], ...], fn, *args) -> None:
    """``fn(*args)`` returns, or raises ``allowed`` with a one-line message; no warning either
    (a warning is a second line on stderr)."""
    with time_limit(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fn(*args)
        except allowed as e:
            message = str(e)
            assert message and "\n" not in message and "Traceback" not in message, repr(message)
    assert not caught, [str(w.message) for w in caught]


# -- the loader ------------------------------------------------------------------------------

@examples(default=80, long=10_000)
@given(st.text(max_size=300))
def test_random_text_gives_only_spec_errors(text: str):
    _only(SpecError, parse_spec, text, "fuzz.toml")


@examples(default=120, long=15_000)
@given(mutated(SOURCES + BAD_SOURCES))
def test_mutated_specs_give_only_spec_errors(text: str):
    _only(SpecError, parse_spec, text, "fuzz.toml")


@examples(default=40, long=5_000)
@given(st.binary(max_size=300))
def test_random_bytes_give_only_spec_errors(data: bytes):
    from solgen.spec.tomltext import decode

    def load(raw: bytes) -> None:
        parse_spec(decode(raw, "fuzz.toml"), "fuzz.toml")

    _only(SpecError, load, data)


# -- the expression parser ----------------------------------------------------------------

@examples(default=60, long=10_000)
@given(st.one_of(st.text(max_size=80), expression_soup()))
def test_random_expressions_give_only_expression_errors(text: str):
    _only(ExprError, parse_expression, text)
    _only(ExprError, parse_definition, "N = " + text)


# -- the whole pipeline -------------------------------------------------------------------

@examples(default=80, long=3_000)
@given(mutated(SOLVABLE, rounds=2))
def test_the_pipeline_gives_only_solgen_errors(text: str):
    """Load, build, derive, verify, explain: a mutated spec is solved or refused cleanly."""
    _only(SolgenError, solve_text, text, "fuzz.toml", Options(("json",)))


NUMBER = re.compile(r"(?<![\w.\[])-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w\]])")
EDGE_NUMBERS = ["0", "1", "-1", "0.5", "-0.5", "2", "1e-300", "1e300", "710", "-710", "1e-15", "1e15", "1e8",
                "-1e8", "0.0001", "20", "1000", "3"]


@st.composite
def renumbered(draw) -> str:
    """A bundled spec with up to six of its numbers replaced: still valid TOML, and
    mostly a valid spec, so the numbers reach derive, verify and explain."""
    text = draw(st.sampled_from(SOLVABLE))
    for _ in range(draw(st.integers(1, 6))):
        token = draw(st.sampled_from(list(NUMBER.finditer(text))))
        value = draw(st.one_of(st.sampled_from(EDGE_NUMBERS), st.integers(-5, 5).map(str),
                               st.floats(-1e6, 1e6, allow_nan=False).map(repr)))
        text = text[:token.start()] + value + text[token.end():]
    return text


@examples(default=80, long=3_000)
@given(renumbered())
def test_the_pipeline_with_unusual_numbers_gives_only_solgen_errors(text: str):
    _only(SolgenError, solve_text, text, "fuzz.toml", Options(("json",)))


FUNCTIONS = ["sigmoid", "relu", "tanh", "exp", "log", "sqrt", "abs"]


def expression(names: list[str]) -> st.SearchStrategy[str]:
    leaf = st.one_of(st.sampled_from(names), st.sampled_from(["0", "1", "2", "0.5", "3", "-1", "10"]))
    return st.recursive(leaf, lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "^"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(FUNCTIONS), inner).map(lambda t: f"{t[0]}({t[1]})"),
        inner.map(lambda x: f"-{x}")), max_leaves=8)


@st.composite
def graph_specs(draw) -> str:
    """A random [graph] spec: random expressions over random small values, with updates,
    iterations and the presentation options, so that every stage of the pipeline runs."""
    value = st.sampled_from(["0", "1", "-1", "0.5", "2", "-2", "0.1", "3"])
    names = ["x1", "x2", "w1", "w2"]
    values = {n: draw(value) for n in names}
    nodes = []
    for i in range(draw(st.integers(1, 4))):
        nodes.append(f"N{i} = {draw(expression(names))}")
        names.append(f"N{i}")
    loss = draw(expression(names[-2:]))
    extra = draw(st.sampled_from(["", "learning_rate = 0.1\n", "learning_rate = 0.5\niterations = 3\n"]))
    style = draw(st.sampled_from(["", '[style]\nrounding = "carry"\n', '[style]\nchain = "paths"\n',
                                  '[style]\ndecimal = ","\ndigits = 6\n']))
    return ('title = "Fuzz"\n[graph]\n'
            f"inputs = {{ x1 = {values['x1']}, x2 = {values['x2']} }}\n"
            f"params = {{ w1 = {values['w1']}, w2 = {values['w2']} }}\n"
            "nodes = [" + ", ".join(f'"{n}"' for n in nodes) + "]\n"
            f'loss = "{loss}"\n{extra}{style}')


@examples(default=60, long=3_000)
@given(graph_specs())
def test_random_graphs_give_only_solgen_errors(text: str):
    _only(SolgenError, solve_text, text, "fuzz.toml", Options(("json", "md", "tex")))


FORMER_CRASHES = {  # found by this fuzzing; each once raised something other than a SolgenError
    "abs_of_a_power": '"N0 = abs(x1 ^ w1)"',
    "abs_of_sqrt": '"N0 = abs(sqrt(x1)) * 10"',
    "abs_of_sigmoid": '"N0 = abs(sigmoid(x1 * w1))"',
}


@pytest.mark.parametrize("node", list(FORMER_CRASHES.values()), ids=list(FORMER_CRASHES))
def test_former_crashes_now_solve(node: str):
    text = ('title = "Known"\n[graph]\ninputs = { x1 = 2 }\nparams = { w1 = 3 }\n'
            f'nodes = [{node}]\nloss = "N0 * w1"\n')
    answers = solve_text(text, "known.toml", Options(("json",))).answers
    assert answers["steps"][0]["gradients"]["w1"] != 0


def test_structurally_zero_denominator_is_a_spec_error():
    text = ('title = "Known"\n[graph]\ninputs = { x1 = 2 }\nparams = { w1 = 3 }\n'
            'nodes = ["N0 = -(-x1 / (x1 - x1))"]\nloss = "N0 * w1"\n')
    with pytest.raises(SpecError, match="division by zero"):
        solve_text(text, "known.toml", Options(("json",)))


def test_nudging_a_huge_parameter_does_not_escape_the_self_check():
    text = ('title = "Known"\n[graph]\ninputs = { A = 0 }\nparams = { u = 1e300 }\n'
            'nodes = ["B = u*A", "C = B*B"]\nloss = "C"\n')
    try:
        solve_text(text, "known.toml", Options(("json",)))
    except SolgenError as e:
        assert e.exit_code == 2, str(e)


def test_the_mutations_reach_the_solver():
    """A sanity check of the strategy: many mutated specs still load, so the solver is exercised."""
    loaded = []

    @settings(max_examples=60, deadline=None, derandomize=True)
    @given(mutated(SOLVABLE, rounds=2))
    def probe(text: str) -> None:
        try:
            parse_spec(text, "fuzz.toml")
            loaded.append(text)
        except SpecError:
            pass

    probe()
    assert len(loaded) >= 10


def test_time_limit_works():
    with pytest.raises(TimeoutError):
        with time_limit(1):
            while True:
                pass
