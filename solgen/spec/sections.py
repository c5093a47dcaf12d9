"""TOML text -> a validated ``Spec``.

Every problem is reported as ``SpecError(file, place, problem)`` where the
place is the TOML key path (``network.layer[2].weights``).  Numbers are read
exactly: ``0.15`` becomes the rational 3/20, never a binary float.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from solgen.core.ir import Expr
from solgen.errors import ExprError, SpecError
from solgen.layers import LAYER_KINDS
from solgen.render.latexsafe import check_display_name
from solgen.train.losses import LOSSES

from .expr import parse_definition, parse_expression
from .reader import Reader, did_you_mean, key_path, kind_of, plural
from .tomltext import decode, read_toml

MAX_ITERATIONS = 20


@dataclass(frozen=True)
class Style:
    form: str = "scalar"
    chain: str = "adjoint"
    digits: int = 4
    decimal: str = "."
    rounding: str = "display"
    detail: str = "compact"  # "full": one quantity per display, every chain-rule step
    language: str = "en"  # the message catalog: templates/messages/<language>.toml


LANGUAGES = ("en", "de", "fr", "es", "pt")  # each has templates/messages/<language>.toml


@dataclass(frozen=True)
class Layer:
    units: int
    activation: str
    weights: tuple[tuple[Fraction, ...], ...] | None
    bias: Fraction | tuple[Fraction, ...] | None
    type: str = "dense"  # a key of solgen.layers.LAYER_KINDS


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


def parse_spec(text: str, file: str = "spec.toml") -> Spec:
    """Validate spec ``text``; ``file`` is the name the error messages use."""
    return _SpecReader(file).spec(read_toml(text, file))


class _SpecReader(Reader):
    """The spec's own sections: top level, [style], [network] and its layers, [graph]."""

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
            raise self.fail(place, f"expected a list of names, got {kind_of(value)}")
        return tuple(self.string(v, f"{place}[{i}]") for i, v in enumerate(value, 1))

    def style(self, value: Any) -> Style:
        table = self.table(value, "style")
        self.keys(table, ("form", "chain", "digits", "decimal", "rounding", "detail", "language"),
                  "style")
        d = Style()
        return Style(
            form=self.choice(table.get("form", d.form), "style.form", ("scalar", "matrix")),
            chain=self.choice(table.get("chain", d.chain), "style.chain", ("adjoint", "paths")),
            digits=self.integer(table.get("digits", d.digits), "style.digits", 1, 15),
            decimal=self.choice(table.get("decimal", d.decimal), "style.decimal", (".", ",")),
            rounding=self.choice(table.get("rounding", d.rounding), "style.rounding", ("display", "carry")),
            detail=self.choice(table.get("detail", d.detail), "style.detail", ("compact", "full")),
            language=self.choice(table.get("language", d.language), "style.language", LANGUAGES),
        )

    def network(self, body: dict[str, Any]) -> Network:
        allowed = ("inputs", "targets", "loss", "upstream", "learning_rate", "iterations",
                   "layout", "frozen", "layer", "symbolic")
        self.keys(body, allowed, "network")
        symbolic = body.get("symbolic", False)
        if not isinstance(symbolic, bool):
            raise self.fail("network.symbolic", f"expected true or false, got {kind_of(symbolic)}")
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
            raise self.fail("network.layer", f"expected a list of [[network.layer]] tables, got {kind_of(raw_layers)}")
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
            raise self.fail(place, f"{plural(len(values), what)}, but the last layer has {plural(outputs, 'unit')}")

    def layer(self, raw: Any, place: str, previous: int, layout: str, arch_only: bool) -> Layer:
        table = dict(self.table(raw, place))
        kind = LAYER_KINDS[self.choice(table.pop("type", "dense"), f"{place}.type", tuple(LAYER_KINDS))]
        return kind.read(self, table, place, previous, layout, arch_only)

    def graph(self, body: dict[str, Any]) -> Graph:
        allowed = ("inputs", "constants", "params", "nodes", "loss", "upstream", "learning_rate",
                   "iterations", "frozen", "latex")
        self.keys(body, allowed, "graph")
        groups = {k: self.named_numbers(body.get(k, {}), f"graph.{k}") for k in ("inputs", "constants", "params")}
        defined: dict[str, str] = {}
        for kind, values in groups.items():
            for name in values:
                if name in defined:
                    raise self.fail(key_path(f"graph.{kind}", name), f"{name!r} is already one of the {defined[name]}")
                defined[name] = kind
        raw_nodes = body.get("nodes")
        if raw_nodes is not None and not isinstance(raw_nodes, list):
            raise self.fail("graph.nodes", f'expected a list of "NAME = EXPR" strings, got {kind_of(raw_nodes)}')
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
                    raise self.fail(key_path("graph.upstream", name), f"{name!r} is not a node" + (
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
            place = key_path("graph.latex", name)
            if name not in defined and name != "L":
                raise self.fail(place, f"{name!r} is not a name in this graph" + did_you_mean(name, tuple(defined)))
            problem = check_display_name(self.string(value, place))
            if problem:
                raise self.fail(place, problem)
            latex[name] = value
        return Graph(groups["inputs"], groups["constants"], groups["params"], tuple(nodes), loss, upstream, latex)

    def known(self, expr: Expr, defined: dict[str, str], place: str, own: str = "",
              later: set[str] | None = None) -> None:
        from solgen.core.ir import variables

        for name in variables(expr):
            if name == own:
                raise self.fail(place, f"{name!r} uses itself")
            if name not in defined:
                if later and name in later:
                    raise self.fail(place, f"{name!r} is used before it is defined")
                raise self.fail(place, f"unknown name {name!r}" + did_you_mean(name, tuple(defined)))


def _later(raw_nodes: list[Any], i: int) -> list[tuple[str, None]]:
    out = []
    for text in raw_nodes[i:]:
        if isinstance(text, str) and "=" in text:
            out.append((text.partition("=")[0].strip(), None))
    return out
