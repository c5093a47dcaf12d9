"""The one function that runs the stages: load -> build -> derive -> verify -> explain -> render."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from solgen.core.graph import DEFAULT_MAX_PARAMETERS
from solgen.explain.solution import Solution
from solgen.record import record
from solgen.spec.sections import Graph as GraphSpec
from solgen.spec.sections import Network, Spec, load_spec, parse_spec

from .errors import SpecError

MAX_COUNTED = 2**53  # the largest count a double (JSON) carries exactly


@record
class Options:
    formats: tuple[str, ...] = ("md", "tex")
    problem: bool = False
    verify: bool = True
    templates: str | None = None
    max_parameters: int = DEFAULT_MAX_PARAMETERS
    # architecture-only networks are counted, not computed: up to what a double carries
    # exactly unless --max-parameters is given
    max_counted: int = MAX_COUNTED


@record
class Solved:
    spec: Spec
    answers: dict[str, Any]
    solution: Solution | None  # None when only the JSON answers were asked for
    svg: str = ""
    derivation: Any = None  # the exact Derivation (None for architecture-only and symbolic problems)

    def diagram_svg(self, problem: bool) -> str:
        """The SVG for a question sheet (``problem``) or for the key: a sheet whose picture differs
        from the key's (no answers in it) gets its own, laid out now if not yet."""
        sheet = self.solution.sheet if self.solution is not None else None
        return sheet.svg if problem and sheet is not None else self.svg


def documented(options: Options) -> bool:
    """Whether the formats need the explanation and the diagram (the JSON answers do not)."""
    from solgen.export import FORMATS

    return any(FORMATS[f].explained for f in options.formats)


def _with_diagram(spec: Spec, graph: Any, answers: dict[str, Any], solution: Solution | None,
                  shown: Any = None) -> Solved:
    """The solution with its diagram; a [graph]'s key (``shown``: its derivation) draws every node's
    forward value and gradient, a key of layers beyond dense every feature map's values; their
    question sheets only the given values."""
    if solution is None:
        return Solved(spec, answers, None)
    from solgen.render.diagram import SheetPicture, both, markdown_image

    net = spec.problem
    sheet = None
    values = None
    if shown is not None and (isinstance(net, GraphSpec) or (isinstance(net, Network) and not net.dense_only)):
        first = shown.iterations[0]
        values = {n.name: (first.values.get(n.name), first.adjoint.get(n.name)) for n in graph.nodes}
        sheet = SheetPicture(spec, graph)  # the given values only, laid out when a sheet asks for it
    tikz, svg = both(spec, graph, values)
    drawn = replace(solution, diagram=tikz, sheet=sheet, image=markdown_image(spec), variant=_variant_line(spec))
    return Solved(spec, answers, drawn, svg)


def _variant_line(spec: Spec) -> str:
    if spec.variant is None:
        return ""
    from solgen.messages import text

    return text("variants.tag", student=spec.variant.student, variant=spec.variant.id)


def solve(spec: Spec, options: Options = Options()) -> Solved:
    """Every stage for one spec, its sentences in the spec's [style] language."""
    from solgen.messages import speaking

    with speaking(spec.style.language):
        return _solve(spec, options)


def _solve(spec: Spec, options: Options) -> Solved:
    from solgen.core.answers import answers
    from solgen.core.derive import NodeDomainError, derive
    from solgen.core.graph import build_graph
    from solgen.core.verify import verify
    from solgen.explain import explain
    from solgen.explain.architecture import architecture_solution, facts

    net = spec.problem
    docs = documented(options)
    if isinstance(net, Network) and net.symbolic:
        from solgen.explain.symbolic import SymbolicExplainer

        graph = build_graph(spec, options.max_parameters)
        data = {"title": spec.title, "steps": [], "facts": {"parameters": len(graph.params)}}
        return _with_diagram(spec, graph, data, SymbolicExplainer(spec, graph).solution() if docs else None)
    if isinstance(net, Network) and net.inputs is None:
        if not net.dense_only or net.input_shape:
            from solgen.explain.shapes import shape_facts, shape_solution

            counted, make = shape_facts(net), shape_solution
        else:
            counted, make = facts(net), architecture_solution
        work = counted.get("operations", counted.get("macs", 0))
        if counted["parameters"] > options.max_counted or work > MAX_COUNTED:
            raise SpecError(spec.file, "network", f"{counted['parameters']} parameters is more than solgen "
                            f"counts (limit {options.max_counted}; --max-parameters sets it)")
        data = {"title": spec.title, "steps": [], "facts": counted}
        return _with_diagram(spec, None, data, make(spec) if docs else None)
    if spec.style.form == "matrix" and not isinstance(net, Network):
        raise SpecError(spec.file, "style.form", 'matrix form needs a [network]; use form = "scalar" for a [graph]')
    graph = build_graph(spec, options.max_parameters)
    style = spec.style
    if style.chain == "paths" and style.form != "matrix":
        from solgen.explain.paths import check_paths

        check_paths(spec, graph)  # before derive and verify: a too-large network fails at once
    try:
        exact = derive(graph, spec.learning_rate, spec.iterations, optimizer=spec.optimizer)
        if options.verify:
            verify(exact)
        shown = exact
        if style.rounding == "carry":
            shown = derive(graph, spec.learning_rate, spec.iterations, carry_digits=style.digits,
                           optimizer=spec.optimizer)
    except NodeDomainError as e:
        raise SpecError(spec.file, _place(spec, e.node, e.iteration), e.message) from None
    data = answers(spec.title, exact, spec.file)
    if not docs:
        return Solved(spec, data, None, derivation=exact)
    solution = _asked(spec, exact, explain(spec, shown))
    return replace(_with_diagram(spec, graph, data, solution, shown), derivation=exact)


def _asked(spec: Spec, exact: Any, solution: Solution) -> Solution:
    """A spec with an ask list: the sheet lists exactly what it asks."""
    if not spec.ask:
        return solution
    from solgen.classroom.answers import asked
    from solgen.messages import rich

    labels = tuple(a.label for a in asked(spec, exact))
    return replace(solution, asked=labels, find=rich("variants.find_many", digits=spec.style.digits))


def _place(spec: Spec, node: str, iteration: int) -> str:
    when = f" (iteration {iteration + 1})" if spec.iterations > 1 else ""
    g = spec.problem
    if isinstance(g, GraphSpec):
        if node == "L":
            return "graph.loss" + when
        for i, (name, _) in enumerate(g.nodes, 1):
            if name == node:
                return f"graph.nodes[{i}] ({name})" + when
    m = re.fullmatch(r"[za](\d+)\[\d+\]", node)
    if m:
        return f"network.layer[{m.group(1)}] ({node})" + when
    return ("network.loss" if node == "L" else node) + when


def documents(solved: Solved, options: Options) -> dict[str, bytes]:
    """Every output file of one spec, by file name, rendered in memory (PDF after LaTeX)."""
    from solgen.messages import speaking

    with speaking(solved.spec.style.language):
        return _documents(solved, options)


def _documents(solved: Solved, options: Options) -> dict[str, bytes]:
    from solgen.export import FORMATS

    out: dict[str, bytes] = {}
    if solved.solution is None and documented(options):
        raise ValueError("solved for the JSON answers only; solve again with these formats")
    for fmt in sorted(options.formats, key=lambda f: f == "pdf"):  # a PDF reuses the .tex
        FORMATS[fmt].write(solved, options, out)
    return out


def expand(paths: list[str]) -> list[Path]:
    """Spec files from file and folder arguments (a folder: every *.toml in it)."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(p.glob("*.toml"))
            if not found:
                raise SpecError(raw, "", "the folder holds no *.toml spec")
            out.extend(found)
        else:
            out.append(p)
    stems: dict[str, Path] = {}
    for p in out:
        if p.stem in stems and stems[p.stem] != p:
            raise SpecError(str(p), "", f"same name as {stems[p.stem]}: both would write {p.stem}.*")
        stems[p.stem] = p
    return list(dict.fromkeys(out))


def solve_file(path: Path, options: Options = Options()) -> Solved:
    return solve(load_spec(path), options)


def solve_text(text: str, file: str = "spec.toml", options: Options = Options()) -> Solved:
    return solve(parse_spec(text, file), options)
