"""TOML text -> a validated ``Spec``.

Every problem is reported as ``SpecError(file, place, problem)`` where the
place is the TOML key path (``network.layer[2].weights``).  Numbers are read
exactly: ``0.15`` becomes the rational 3/20, never a binary float.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import json
import re
import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from .errors import ExprError, SpecError
from .expr import DOUBLE_MAX, check_name, decimal_value, parse_definition, parse_expression
from .ir import Expr
from .latexsafe import check_display_name
from .ops import ACTIVATIONS, LOSSES

MAX_ITERATIONS = 20


class _BadNumber(str):
    """What the TOML reader returns for a float we refuse (nan, inf, out of a double's
    range), so that the problem is reported with the place it was found."""

    problem = ""


class _Float(Fraction):
    """A TOML float read exactly, remembering how it was written (``2.0``, ``1.5e-3``)."""

    text = ""


@dataclass(frozen=True)
class Style:
    form: str = "scalar"
    chain: str = "adjoint"
    digits: int = 4
    decimal: str = "."
    rounding: str = "display"


@dataclass(frozen=True)
class Layer:
    units: int
    activation: str
    weights: tuple[tuple[Fraction, ...], ...] | None
    bias: Fraction | tuple[Fraction, ...] | None


@dataclass(frozen=True)
class Network:
    inputs: tuple[Fraction, ...] | None  # None: architecture only
    input_count: int
    layers: tuple[Layer, ...]
    layout: str = "out_in"
    targets: tuple[Fraction, ...] | None = None
    loss: str | None = None
    upstream: tuple[Fraction, ...] | None = None
    symbolic: bool = False  # no values: the general formulas only


@dataclass(frozen=True)
class Graph:
    inputs: dict[str, Fraction]
    constants: dict[str, Fraction]
    params: dict[str, Fraction]
    nodes: tuple[tuple[str, Expr], ...]
    loss: Expr | None = None
    upstream: dict[str, Fraction] | None = None
    latex: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Spec:
    file: str
    title: str
    description: str
    problem: Network | Graph
    learning_rate: Fraction | None = None
    iterations: int = 1
    frozen: tuple[str, ...] = ()
    ask: tuple[str, ...] = ()
    style: Style = Style()

    @property
    def stem(self) -> str:
        return Path(self.file).stem


def load_spec(path: Path) -> Spec:
    """Read and validate the spec file at ``path``."""
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as e:
        raise SpecError(name, "", f"cannot read the file ({e.strerror or e})") from None
    return parse_spec(decode(data, name), name)


def decode(data: bytes, file: str) -> str:
    """The bytes of a spec as text: UTF-8 (with or without a byte-order mark) only."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SpecError(file, "line 1", "the file is UTF-16: save it as UTF-8")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        start = data.rfind(b"\n", 0, e.start) + 1
        line = data.count(b"\n", 0, e.start) + 1
        column = len(data[start:e.start].decode("utf-8", "replace")) + 1
        raise SpecError(file, f"line {line}, column {column}",
                        f"not UTF-8 (byte 0x{data[e.start]:02x}): save the file as UTF-8") from None


def parse_spec(text: str, file: str = "spec.toml") -> Spec:
    """Validate spec ``text``; ``file`` is the name the error messages use."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise SpecError(file, "line 1", "the file is empty: a spec needs a title and a [network] or [graph]")
    try:
        raw = tomllib.loads(text, parse_float=_parse_float)
    except tomllib.TOMLDecodeError as e:
        place, problem = _toml_error(text, str(e))
        raise SpecError(file, place, "TOML syntax error: " + problem) from None
    except ValueError:  # an integer too long for int(): tomllib does not wrap it
        place = _long_number(text) or "TOML syntax"
        raise SpecError(file, place, "TOML syntax error: a number with more than 4300 digits") from None
    except RecursionError:
        raise SpecError(file, _deep_nesting(text), "TOML syntax error: arrays or tables nested too deeply") from None
    if not raw:
        raise SpecError(file, "line 1", "the file holds only comments and blank lines: a spec needs "
                        "a title and a [network] or [graph]")
    return _Reader(file).spec(raw)


_TOML_AT = re.compile(r"(.*) \(at (?:line (\d+), column (\d+)|end of document)\)\Z", re.S)


def _toml_error(text: str, message: str) -> tuple[str, str]:
    """tomllib's message as (place, problem): ``line 3, column 9`` and a plain sentence."""
    m = _TOML_AT.match(message)
    if not m:
        return "TOML syntax", _one_line(message)
    problem, line, column = m.group(1), m.group(2), m.group(3)
    lines = text.split("\n")
    if line is None:  # at end of document: name the last line that has text
        while len(lines) > 1 and not lines[-1].strip():
            lines.pop()
        line, column = str(len(lines)), str(len(lines[-1]) + 1)
        end = " (at the end of the file)"
    else:
        end = ""
    problem = _toml_hint(problem, lines[int(line) - 1] if int(line) <= len(lines) else "", int(column) - 1)
    return f"line {line}, column {column}", _one_line(problem + end)


def _toml_hint(problem: str, line: str, col: int) -> str:
    twice = re.match(r"Cannot declare \((.*)\) twice\Z", problem)
    if twice:
        table = ".".join(re.findall(r"'([^']*)'", twice.group(1)))
        return f"the table [{table}] is declared twice"
    if problem == "Cannot overwrite a value":
        return "a key is given twice (cannot overwrite a value)"
    if problem == "Illegal character '\\n'":
        return "a string is not closed before the end of the line"
    if problem in ("Unclosed array", "Unclosed inline table"):
        return problem.lower() + (": a ']' is missing" if "array" in problem else ": a '}' is missing")
    problem = problem[:1].lower() + problem[1:]
    here, before = line[col:col + 1], line[col - 1:col] if col > 0 else ""
    word = re.match(r"[A-Za-z_][A-Za-z0-9_-]*", line[col:])
    if problem == "invalid value" and not line[col:].split("#")[0].strip():
        return problem + ": the value after '=' is missing"
    if here == "." and problem == "invalid value":
        return problem + ": write 0.5, not .5 (TOML needs a digit before the point)"
    if before == "." and problem.startswith("expected newline"):
        return "a number needs a digit after the point: write 5.0, not 5."
    if word and problem == "invalid value":
        w = word.group()
        if w.lower() in ("true", "false"):
            return problem + f": write {w.lower()} in lower case"
        if w.lower() in ("nan", "inf", "infinity"):
            return problem + f": {w!r} is not a TOML number (and solgen needs finite numbers)"
        return problem + f": {w!r} is not a number; a string needs quotes (\"{w}\")"
    if here == "," and problem.startswith("expected newline"):
        return "unexpected ',': write decimals with a point (1.5), and lists in brackets ([1, 5])"
    return problem


def _deep_nesting(text: str, limit: int = 100) -> str:
    """Where brackets first nest ``limit`` deep (strings are not skipped: it is a hint)."""
    depth = 0
    for i, c in enumerate(text):
        depth += 1 if c in "[{" else -1 if c in "]}" else 0
        if depth >= limit:
            line = text.count("\n", 0, i) + 1
            return f"line {line}, column {i - (text.rfind(chr(10), 0, i) + 1) + 1}"
    return "TOML syntax"


def _long_number(text: str) -> str | None:
    m = re.search(r"\d[\d_]{4000,}", text)
    if not m:
        return None
    line = text.count("\n", 0, m.start()) + 1
    column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
    return f"line {line}, column {column}"


def _one_line(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")


def _parse_float(text: str) -> Fraction | _BadNumber:
    """tomllib's parse_float: every float exactly, within a double's range, never raising."""
    if text.lstrip("+-") in ("nan", "inf"):
        bad = _BadNumber(text)
        bad.problem = f"{text} is not allowed: give a finite number"
        return bad
    try:
        value = _Float(decimal_value(text))
    except ExprError as e:
        bad = _BadNumber(text)
        bad.problem = str(e)
        return bad
    value.text = text
    return value


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, place: str, problem: str) -> SpecError:
        return SpecError(self.file, place, problem)

    # -- generic readers -------------------------------------------------
    def keys(self, table: dict[str, Any], allowed: tuple[str, ...], place: str) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail(_key(place, key), "unknown key" + _did_you_mean(key, allowed))

    def table(self, value: Any, place: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(place, f"expected a table, got {_kind(value)}")
        return value

    def number(self, value: Any, place: str) -> Fraction:
        if isinstance(value, _BadNumber):
            raise self.fail(place, value.problem)
        if isinstance(value, bool) or not isinstance(value, (int, Fraction)):
            raise self.fail(place, f"expected a number, got {_kind(value)}")
        if abs(value) > DOUBLE_MAX:
            raise self.fail(place, f"a {len(str(abs(value)))}-digit number is too large: "
                            "JSON (a double) carries at most about 1.8e308")
        return Fraction(value)

    def integer(self, value: Any, place: str, low: int, high: int | None = None) -> int:
        if isinstance(value, _Float) and value.denominator == 1 and low <= value <= (high or value):
            raise self.fail(place, f"expected a whole number: write {value.numerator}, not {value.text}")
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(place, f"expected a whole number, got {_kind(value)}")
        if value < low:
            raise self.fail(place, f"must be at least {low}, got {value}")
        if high is not None and value > high:
            raise self.fail(place, f"must be at most {high}, got {value}")
        return value

    def numbers(self, value: Any, place: str) -> tuple[Fraction, ...]:
        if not isinstance(value, list):
            raise self.fail(place, f"expected a list of numbers, got {_kind(value)}")
        if not value:
            raise self.fail(place, "the list is empty")
        return tuple(self.number(v, f"{place}[{i}]") for i, v in enumerate(value, 1))

    def string(self, value: Any, place: str) -> str:
        if not isinstance(value, str):
            raise self.fail(place, f"expected a string, got {_kind(value)}")
        return value

    def choice(self, value: Any, place: str, options: tuple[str, ...]) -> str:
        text = self.string(value, place)
        if text not in options:
            raise self.fail(place, f"unknown value {text!r}" + _did_you_mean(text, options, list_all=True))
        return text

    def named_numbers(self, value: Any, place: str) -> dict[str, Fraction]:
        out: dict[str, Fraction] = {}
        for name, v in self.table(value, place).items():
            self.name(name, _key(place, name))
            out[name] = self.number(v, _key(place, name))
        return out

    def text(self, value: Any, place: str, newlines: bool) -> str:
        """Plain text (title, description): no control characters."""
        text = self.string(value, place)
        for c in text if newlines else text.strip():
            if (ord(c) < 32 and not (newlines and c in "\n\r\t")) or 0x7F <= ord(c) < 0xA0 or c == "\ufffe":
                raise self.fail(place, f"the control character U+{ord(c):04X} is not allowed")
        return text

    def name(self, name: str, place: str) -> None:
        try:
            check_name(name)
        except ExprError as e:
            raise self.fail(place, str(e)) from None

    # -- the spec --------------------------------------------------------
    def spec(self, raw: dict[str, Any]) -> Spec:
        top = ("title", "description", "network", "graph", "style", "ask")
        self.keys(raw, top, "")
        if "title" not in raw:
            raise self.fail("title", "missing: every spec needs a title")
        title = self.text(raw["title"], "title", newlines=False).strip()
        if not title:
            raise self.fail("title", "empty: give the problem a title")
        description = self.text(raw.get("description", ""), "description", newlines=True)
        if "network" not in raw and "graph" not in raw:
            raise self.fail("network", "missing: add a [network] table (a layered network) "
                            "or a [graph] table (named nodes)")
        if "network" in raw and "graph" in raw:
            raise self.fail("graph", "a spec holds exactly one of [network] and [graph], and this one has both")
        section = "network" if "network" in raw else "graph"
        body = self.table(raw[section], section)
        problem = self.network(body) if section == "network" else self.graph(body)
        lr = None
        if "learning_rate" in body:
            lr = self.number(body["learning_rate"], f"{section}.learning_rate")
            if lr <= 0:
                raise self.fail(f"{section}.learning_rate", f"must be positive, got {float(lr):g}")
        iterations = self.integer(body.get("iterations", 1), f"{section}.iterations", 1, MAX_ITERATIONS)
        frozen = self.names_list(body.get("frozen", []), f"{section}.frozen")
        ask = self.names_list(raw.get("ask", []), "ask")
        return Spec(
            self.file, title, description, problem, lr, iterations, frozen, ask,
            self.style(raw.get("style", {})),
        )

    def names_list(self, value: Any, place: str) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.fail(place, f"expected a list of names, got {_kind(value)}")
        return tuple(self.string(v, f"{place}[{i}]") for i, v in enumerate(value, 1))

    def style(self, value: Any) -> Style:
        table = self.table(value, "style")
        self.keys(table, ("form", "chain", "digits", "decimal", "rounding"), "style")
        d = Style()
        return Style(
            form=self.choice(table.get("form", d.form), "style.form", ("scalar", "matrix")),
            chain=self.choice(table.get("chain", d.chain), "style.chain", ("adjoint", "paths")),
            digits=self.integer(table.get("digits", d.digits), "style.digits", 1, 15),
            decimal=self.choice(table.get("decimal", d.decimal), "style.decimal", (".", ",")),
            rounding=self.choice(table.get("rounding", d.rounding), "style.rounding", ("display", "carry")),
        )

    def network(self, body: dict[str, Any]) -> Network:
        allowed = ("inputs", "targets", "loss", "upstream", "learning_rate", "iterations",
                   "layout", "frozen", "layer", "symbolic")
        self.keys(body, allowed, "network")
        symbolic = body.get("symbolic", False)
        if not isinstance(symbolic, bool):
            raise self.fail("network.symbolic", f"expected true or false, got {_kind(symbolic)}")
        if "inputs" not in body:
            raise self.fail("network.inputs", "missing: give the input values (or their count)")
        raw_inputs = body["inputs"]
        arch_only = isinstance(raw_inputs, int) and not isinstance(raw_inputs, bool)
        if arch_only:
            inputs = None
            count = self.integer(raw_inputs, "network.inputs", 1)
        else:
            inputs = self.numbers(raw_inputs, "network.inputs")
            count = len(inputs)
        layout = self.choice(body.get("layout", "out_in"), "network.layout", ("out_in", "in_out"))
        raw_layers = body.get("layer")
        if isinstance(raw_layers, dict):
            raise self.fail("network.layer", "expected a list of layers: write [[network.layer]] "
                            "(double brackets), not [network.layer]")
        if raw_layers is not None and not isinstance(raw_layers, list):
            raise self.fail("network.layer", f"expected a list of [[network.layer]] tables, got {_kind(raw_layers)}")
        if not raw_layers:
            raise self.fail("network.layer", "missing: add at least one [[network.layer]]")
        layers: list[Layer] = []
        previous = count
        for i, raw in enumerate(raw_layers, 1):
            layers.append(self.layer(raw, f"network.layer[{i}]", previous, layout, arch_only))
            previous = layers[-1].units
        outputs = previous
        if symbolic:
            return self.symbolic_network(body, count, layers, layout, arch_only)
        if arch_only:
            for key in ("targets", "loss", "upstream", "learning_rate"):
                if key in body:
                    raise self.fail(f"network.{key}", "not used by an architecture-only network "
                                    "(inputs is a count, so there is nothing to compute)")
            return Network(None, count, tuple(layers), layout)
        targets = loss = upstream = None
        if "upstream" in body:
            for key in ("loss", "targets"):
                if key in body:
                    raise self.fail(f"network.{key}", "give either upstream or loss and targets, not both")
            upstream = self.numbers(body["upstream"], "network.upstream")
            self.length(upstream, outputs, "network.upstream", "value")
        else:
            if "loss" not in body:
                raise self.fail("network.loss", "missing: give a loss (or upstream gradients)")
            loss = self.choice(body["loss"], "network.loss", tuple(LOSSES))
            if "targets" not in body:
                raise self.fail("network.targets", f"missing: the {loss} loss needs targets")
            targets = self.numbers(body["targets"], "network.targets")
            self.length(targets, outputs, "network.targets", "target")
        return Network(inputs, count, tuple(layers), layout, targets, loss, upstream)

    def symbolic_network(self, body: dict[str, Any], count: int, layers: list[Layer], layout: str,
                         counted: bool) -> Network:
        if not counted:
            raise self.fail("network.inputs", "a symbolic network takes inputs as a count (no values)")
        for key in ("targets", "upstream", "learning_rate", "iterations", "frozen"):
            if key in body:
                raise self.fail(f"network.{key}", "not used by a symbolic network (it has no values)")
        if "loss" not in body:
            raise self.fail("network.loss", "missing: a symbolic network needs a loss")
        loss = self.choice(body["loss"], "network.loss", tuple(LOSSES))
        per_unit = [dataclasses.replace(layer, bias=(Fraction(0),) * layer.units if layer.bias is not None else None)
                    for layer in layers]
        return Network(None, count, tuple(per_unit), layout, None, loss, None, symbolic=True)

    def length(self, values: tuple[Fraction, ...], outputs: int, place: str, what: str) -> None:
        if len(values) != outputs:
            raise self.fail(place, f"{_count(len(values), what)}, but the last layer has {_count(outputs, 'unit')}")

    def layer(self, raw: Any, place: str, previous: int, layout: str, arch_only: bool) -> Layer:
        table = self.table(raw, place)
        self.keys(table, ("units", "activation", "weights", "bias"), place)
        if "units" not in table:
            raise self.fail(f"{place}.units", "missing: how many units does the layer have?")
        units = self.integer(table["units"], f"{place}.units", 1)
        activation = self.choice(table.get("activation", "linear"), f"{place}.activation",
                                 tuple(ACTIVATIONS))
        if arch_only:
            if "weights" in table:
                raise self.fail(f"{place}.weights", "inputs is a count, so weights cannot be used")
            has_bias = table.get("bias", True) is not False  # counted unless bias = false
            return Layer(units, activation, None, Fraction(0) if has_bias else None)
        if "weights" not in table:
            raise self.fail(f"{place}.weights", "missing: give the layer's weights")
        weights = self.matrix(table["weights"], f"{place}.weights", units, previous, layout)
        bias: Fraction | tuple[Fraction, ...] | None = None
        if "bias" in table:
            if isinstance(table["bias"], list):
                bias = self.numbers(table["bias"], f"{place}.bias")
                if len(bias) != units:
                    raise self.fail(f"{place}.bias", f"{_count(len(bias), 'bias')}, but the layer has "
                                    f"{_count(units, 'unit')} (or give one number: a bias shared by the layer)")
            else:
                bias = self.number(table["bias"], f"{place}.bias")
        return Layer(units, activation, weights, bias)

    def matrix(self, raw: Any, place: str, units: int, previous: int, layout: str
               ) -> tuple[tuple[Fraction, ...], ...]:
        rows_want, cols_want = (units, previous) if layout == "out_in" else (previous, units)
        this, prev = f"the layer has {_count(units, 'unit')}", f"the previous layer has {_count(previous, 'unit')}"
        if place.startswith("network.layer[1]."):
            prev = f"there {'is' if previous == 1 else 'are'} {_count(previous, 'input')}"
        row_what, col_what = (this, prev) if layout == "out_in" else (prev, this)
        if not isinstance(raw, list) or not raw or not all(isinstance(r, list) for r in raw):
            got = _kind(raw) if not isinstance(raw, list) or not raw else "a list that is not all rows"
            raise self.fail(place, f"expected a list of rows (a {rows_want}x{cols_want} matrix), got {got}")
        if len(raw) != rows_want:
            raise self.fail(place, f"{_count(len(raw), 'row')}, but {row_what}"
                            + _layout_hint(len(raw), len(raw[0]), rows_want, cols_want))
        rows = []
        for r, row in enumerate(raw, 1):
            if len(row) != cols_want:
                raise self.fail(f"{place}[{r}]", f"{_count(len(row), 'column')}, but {col_what}"
                                + _layout_hint(len(raw), len(row), rows_want, cols_want))
            rows.append(tuple(self.number(v, f"{place}[{r}][{c}]") for c, v in enumerate(row, 1)))
        return tuple(rows)

    def graph(self, body: dict[str, Any]) -> Graph:
        allowed = ("inputs", "constants", "params", "nodes", "loss", "upstream", "learning_rate",
                   "iterations", "frozen", "latex")
        self.keys(body, allowed, "graph")
        groups = {k: self.named_numbers(body.get(k, {}), f"graph.{k}") for k in ("inputs", "constants", "params")}
        defined: dict[str, str] = {}
        for kind, values in groups.items():
            for name in values:
                if name in defined:
                    raise self.fail(_key(f"graph.{kind}", name), f"{name!r} is already one of the {defined[name]}")
                defined[name] = kind
        raw_nodes = body.get("nodes")
        if raw_nodes is not None and not isinstance(raw_nodes, list):
            raise self.fail("graph.nodes", f'expected a list of "NAME = EXPR" strings, got {_kind(raw_nodes)}')
        if not raw_nodes:
            raise self.fail("graph.nodes", 'missing: give a list of "NAME = EXPR" strings')
        nodes: list[tuple[str, Expr]] = []
        for i, text in enumerate(raw_nodes, 1):
            place = f"graph.nodes[{i}]"
            try:
                name, expr = parse_definition(text)
            except ExprError as e:
                raise self.fail(place, str(e)) from None
            if name in defined:
                raise self.fail(place, f"{name!r} is defined twice (already one of the {defined[name]})")
            self.known(expr, defined, place, own=name, later={n for n, _ in _later(raw_nodes, i)})
            defined[name] = "nodes"
            nodes.append((name, expr))
        loss = upstream = None
        if "upstream" in body:
            if "loss" in body:
                raise self.fail("graph.loss", "give either loss or upstream, not both")
            upstream = self.named_numbers(body["upstream"], "graph.upstream")
            for name in upstream:
                if defined.get(name) != "nodes":
                    raise self.fail(_key("graph.upstream", name), f"{name!r} is not a node" + (
                        f" (it is one of the {defined[name]})" if name in defined else ""))
        elif "loss" in body:
            try:
                loss = parse_expression(self.string(body["loss"], "graph.loss"))
            except ExprError as e:
                raise self.fail("graph.loss", str(e)) from None
            self.known(loss, defined, "graph.loss")
        else:
            raise self.fail("graph.loss", "missing: give a loss expression (or upstream gradients)")
        latex = {}
        for name, value in self.table(body.get("latex", {}), "graph.latex").items():
            place = _key("graph.latex", name)
            if name not in defined and name != "L":
                raise self.fail(place, f"{name!r} is not a name in this graph" + _did_you_mean(name, tuple(defined)))
            problem = check_display_name(self.string(value, place))
            if problem:
                raise self.fail(place, problem)
            latex[name] = value
        return Graph(groups["inputs"], groups["constants"], groups["params"], tuple(nodes), loss, upstream, latex)

    def known(self, expr: Expr, defined: dict[str, str], place: str, own: str = "",
              later: set[str] | None = None) -> None:
        from .ir import variables

        for name in variables(expr):
            if name == own:
                raise self.fail(place, f"{name!r} uses itself")
            if name not in defined:
                if later and name in later:
                    raise self.fail(place, f"{name!r} is used before it is defined")
                raise self.fail(place, f"unknown name {name!r}" + _did_you_mean(name, tuple(defined)))


def _later(raw_nodes: list[Any], i: int) -> list[tuple[str, None]]:
    out = []
    for text in raw_nodes[i:]:
        if isinstance(text, str) and "=" in text:
            out.append((text.partition("=")[0].strip(), None))
    return out


def _layout_hint(rows: int, cols: int, rows_want: int, cols_want: int) -> str:
    if (rows, cols) == (cols_want, rows_want) and rows != cols:
        return ' (the matrix looks transposed: check network.layout, "out_in" or "in_out")'
    return ""


def _did_you_mean(word: str, options: tuple[str, ...], list_all: bool = False) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f' (did you mean "{close[0]}"?)'
    if list_all:
        return " (expected one of: " + ", ".join(options) + ")"
    return ""


def _kind(value: Any) -> str:
    """What the user wrote, in a few words: ``the string "2"``, ``1.5``, ``true``, ``a table``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _Float):
        return value.text if len(value.text) <= 30 else "a number"
    if isinstance(value, _BadNumber):
        return str(value)
    if isinstance(value, int):
        return str(value) if len(str(value)) <= 30 else "a number"
    if isinstance(value, str):
        return "the string " + json.dumps(value[:30] + ("..." if len(value) > 30 else ""), ensure_ascii=False)
    if isinstance(value, (datetime.date, datetime.time)):
        return "a date/time"
    if isinstance(value, list):
        return "an empty list" if not value else "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _count(n: int, word: str) -> str:
    plural = {"bias": "biases"}.get(word, word + "s")
    return f"{n} {word if n == 1 else plural}"


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")


def _key(place: str, key: str) -> str:
    """A key path as TOML writes it: ``graph.params.u1``, ``graph.params."a b"``."""
    shown = key if _BARE_KEY.match(key) else json.dumps(key)
    return f"{place}.{shown}" if place else shown
