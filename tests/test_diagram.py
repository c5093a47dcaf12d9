"""Issue 3: the network diagram, as TikZ (it builds) and as SVG (it parses), deterministic and escaped."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solgen.core.graph import build_graph
from solgen.core.numbers import NumberFormat
from solgen.render.diagram import (
    LABEL_LIMIT,
    NAME_LIMIT,
    layout,
    markdown_image,
    plain_name,
    svg,
    svg_filename,
    tex_to_unicode,
    tikz,
)
from solgen.spec.sections import Network, Spec, load_spec, parse_spec

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").glob("*.toml"))
HAS_LATEXMK = shutil.which("latexmk") is not None
SVG_NS = "{http://www.w3.org/2000/svg}"

# Specs the bundle does not cover: wide layers, 4-5 unit layers, a [graph] with display names,
# a function node, a skip connection, a frozen parameter, a constant and upstream gradients,
# and a title full of characters that XML and LaTeX treat specially.
EXTRA = {
    "wide": """
title = "Wide & <tricky> \\"title\\" 50% $x_1 #2 {y} ~ \\\\input"
[network]
inputs = [1, 2, 3]
targets = [0, 1, 0, 0, 1]
loss = "cross_entropy"
[[network.layer]]
units = 9
activation = "tanh"
weights = [[0.1, 0.2, 0.3], [0.1, 0.2, 0.3], [0.1, 0.2, 0.3], [0.1, 0.2, 0.3], [0.1, 0.2, 0.3],
           [0.1, 0.2, 0.3], [0.1, 0.2, 0.3], [0.1, 0.2, 0.3], [0.1, 0.2, 0.3]]
bias = [1, 2, 3, 4, 5, 6, 7, 8, 9]
[[network.layer]]
units = 5
activation = "softmax"
weights = [[1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 5, 6, 7, 8, 9],
           [1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 5, 6, 7, 8, 9]]
""",
    "five": """
title = "Four inputs, five ReLU units, three sigmoid outputs"
[network]
inputs = [0.5, -1.25, 2, 0.001]
targets = [0, 1, 0]
loss = "mse"
layout = "in_out"
[[network.layer]]
units = 5
activation = "relu"
weights = [[0.1, -0.2, 0.3, 0.4, 0.5], [0.1, 0.2, -0.35, 0.4, 0.5], [0.1, 0.2, 0.3, 0.4, 0.5],
           [0.1, 0.2, 0.3, 0.4, -0.55]]
bias = 0.1
[[network.layer]]
units = 3
activation = "sigmoid"
weights = [[1, 2, 3], [1, 2, 3], [1, 2, 3], [1, 2, 3], [-1.5, 2, 3]]
bias = [0.1, 0.2, 0.3]
""",
    "graph_names": """
title = "A graph with display names"
[graph]
inputs = { x = 2, y = -1 }
constants = { k = 3 }
params = { w = 0.5, b = -1, alpha = 2, theta1 = 0.25 }
nodes = ["h = sigmoid(w*x + b)", "g = alpha*y + theta1*h", "out = h*g + k"]
upstream = { out = 1.5 }
frozen = ["b"]
latex = { out = "\\\\hat{y}_{\\\\mathrm{out}}", g = "g^{(2)}", h = "h'" }
""",
}


def _all() -> list[tuple[str, Spec]]:
    out = [(p.stem, load_spec(p)) for p in SPECS]
    out += [(name, parse_spec(text, f"{name}.toml")) for name, text in EXTRA.items()]
    return out


ALL = _all()
IDS = [name for name, _ in ALL]
BUNDLED = [(name, spec) for name, spec in ALL if name not in EXTRA]


def graph_of(spec: Spec):
    p = spec.problem
    if isinstance(p, Network) and p.inputs is None and not p.symbolic:
        return None
    return build_graph(spec)


def svg_texts(spec: Spec) -> list[str]:
    root = ET.fromstring(svg(spec, graph_of(spec)))
    return [t.text or "" for t in root.iter(f"{SVG_NS}text")]


def edge_labels(spec: Spec) -> list[str]:
    return [e.label.plain for e in layout(spec, graph_of(spec)).edges if e.label is not None]


# --------------------------------------------------------------------------- LaTeX
def _latexmk(tex: str, folder: Path) -> subprocess.CompletedProcess[str]:
    (folder / "doc.tex").write_text(tex, encoding="utf-8")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "FORCE_SOURCE_DATE": "1"}
    return subprocess.run(
        ["latexmk", "-pdf", "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
        cwd=folder, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)


@pytest.mark.skipif(not HAS_LATEXMK, reason="latexmk is not installed")
@pytest.mark.parametrize(("name", "spec"), ALL, ids=IDS)
def test_tikz_builds_with_only_the_tikz_package(name: str, spec: Spec, tmp_path: Path) -> None:
    picture = tikz(spec, graph_of(spec))
    tex = ("\\documentclass[11pt]{article}\n\\usepackage[a4paper,margin=2cm]{geometry}\n\\usepackage{tikz}\n"
           "\\begin{document}\n\\noindent\n" + picture + "\\end{document}\n")
    result = _latexmk(tex, tmp_path)
    log = (tmp_path / "doc.log").read_text(errors="replace") if (tmp_path / "doc.log").exists() else ""
    assert result.returncode == 0, log[-3000:] or result.stdout[-3000:]
    assert (tmp_path / "doc.pdf").read_bytes().startswith(b"%PDF")
    assert "Overfull \\hbox" not in log, "the picture is wider than the line"


# --------------------------------------------------------------------------- SVG
@pytest.mark.parametrize(("name", "spec"), ALL, ids=IDS)
def test_svg_is_well_formed_and_self_contained(name: str, spec: Spec) -> None:
    text = svg(spec, graph_of(spec))
    root = ET.fromstring(text)
    assert root.tag == f"{SVG_NS}svg"
    assert float(root.get("width", "0")) > 0 and float(root.get("height", "0")) > 0
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    title = root.find(f"{SVG_NS}title")
    assert title is not None and title.text == spec.title
    assert "@import" not in text and "url(http" not in text and "<image" not in text and "<script" not in text
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    assert ids <= {"solgen-arrow", "solgen-arrow-grey"}


@pytest.mark.parametrize(("name", "spec"), ALL, ids=IDS)
def test_same_bytes_every_time(name: str, spec: Spec) -> None:
    again = load_spec(spec_path) if (spec_path := ROOT / "specs" / f"{name}.toml").exists() \
        else parse_spec(EXTRA[name], f"{name}.toml")
    assert tikz(spec, graph_of(spec)) == tikz(spec, graph_of(spec)) == tikz(again)
    assert svg(spec, graph_of(spec)) == svg(spec, graph_of(spec)) == svg(again)


def test_markdown_reference() -> None:
    spec = load_spec(ROOT / "specs" / "mazur.toml")
    assert svg_filename(spec) == "mazur.svg"
    assert markdown_image(spec) == "![network diagram](mazur.svg)"
    odd = parse_spec('title = "t"\n[graph]\ninputs = { x = 1 }\nnodes = ["y = x"]\nloss = "y^2"\n',
                     "my spec (v2).toml")
    assert markdown_image(odd) == "![network diagram](my%20spec%20%28v2%29.svg)"


# --------------------------------------------------------------------------- what is drawn
def test_mazur_shows_every_given_value() -> None:
    spec = load_spec(ROOT / "specs" / "mazur.toml")
    texts = svg_texts(spec)
    for label in ("w₁₁⁽¹⁾ = 0.15", "w₁₂⁽¹⁾ = 0.2", "w₂₁⁽¹⁾ = 0.25", "w₂₂⁽¹⁾ = 0.3",
                  "w₁₁⁽²⁾ = 0.4", "w₁₂⁽²⁾ = 0.45", "w₂₁⁽²⁾ = 0.5", "w₂₂⁽²⁾ = 0.55",
                  "b⁽¹⁾ = 0.35", "b⁽²⁾ = 0.6", "t₁ = 0.01", "t₂ = 0.99", "0.05", "0.1",
                  "z₁⁽¹⁾", "a₂⁽²⁾", "σ", "L", "(half squared error)"):
        assert label in texts, label
    picture = tikz(spec)
    for label in ("w^{(1)}_{11} = 0.15", "w^{(2)}_{22} = 0.55", "b^{(1)} = 0.35", "t_{1} = 0.01", r"$\sigma$"):
        assert label in picture, label
    assert "Grey and dashed: frozen parameters" in picture and "faded" in picture  # b1 and b2 are frozen


@pytest.mark.parametrize(("name", "spec"), ALL, ids=IDS)
def test_each_edge_carries_its_weight(name: str, spec: Spec) -> None:
    """Every weight of a layer pair up to LABEL_LIMIT units is written on its edge, none above it:
    as name = value up to NAME_LIMIT units, else its value; values only, or none with a note, when
    the longer labels would cross other edges or touch nodes."""
    net = spec.problem
    if not isinstance(net, Network) or (net.inputs is None and not net.symbolic):
        pytest.skip("layered networks with weights")
    if not net.dense_only:
        pytest.skip("layers beyond dense are drawn as boxes (tests/test_layers.py)")
    graph = build_graph(spec)
    fmt = NumberFormat(spec.style.digits, spec.style.decimal)
    sizes = [net.input_count] + [layer.units for layer in net.layers]
    expected: dict[str, list[str]] = {"named": [], "values": [], "none": []}
    for l, (n_in, n_out) in enumerate(itertools.pairwise(sizes), 1):
        if max(n_in, n_out) > LABEL_LIMIT:
            continue
        for node in graph.nodes:
            if node.role == "W" and node.layer == l:
                value = fmt.text(node.value, exact=True) if node.value is not None else None
                named = plain_name(node) + (f" = {value}" if value is not None else "")
                expected["named"].append(named if max(n_in, n_out) <= NAME_LIMIT or value is None else value)
                expected["values"].append(named if value is None else value)
    pic = layout(spec, graph_of(spec))
    labels = sorted(edge_labels(spec))
    assert labels in (sorted(expected["named"]), sorted(expected["values"]), [])
    if not labels and expected["values"]:
        assert any("not written on the edges" in n.plain for n in pic.notes)


def test_layout_decides_which_weight_goes_on_which_edge() -> None:
    """in_out layout: W1[1,2] connects x1 to unit 2 of layer 1."""
    spec = load_spec(ROOT / "specs" / "seed004_q2_upstream.toml")
    pic = layout(spec)
    by_id = {s.id: s for s in pic.shapes}
    for e in pic.edges:
        if e.label is not None and e.label.plain.startswith("w₁₂⁽¹⁾"):
            src, dst = by_id[e.src], by_id[e.dst]
            assert src.lines[0].plain == "x₁" and dst.lines[1].plain == "z₂⁽¹⁾"
            assert e.label.plain == "w₁₂⁽¹⁾ = 1"
            break
    else:
        raise AssertionError("no edge labelled w12(1)")
    texts = svg_texts(spec)
    assert "∂L/∂a₁⁽²⁾ = 5" in texts and "∂L/∂a₂⁽²⁾ = 10" in texts


def test_graph_weights_become_edge_labels() -> None:
    spec = load_spec(ROOT / "specs" / "seed002_graph_abcd.toml")
    assert sorted(edge_labels(spec)) == sorted(
        ["u₁₁ = -2", "u₁₂ = 1", "u₂₁ = 1", "u₂₂ = 2", "v₁₁ = 1", "v₁₂ = -2", "v₂₁ = -1", "v₂₂ = 0",
         "q₁ = 1", "q₂ = -1"])
    texts = svg_texts(spec)
    for label in ("A₁", "B₂", "C₁", "D", "L", "t = 3", "-1"):
        assert label in texts, label
    # columns by depth: A, B, C, D, L from left to right
    xs = {s.lines[0].plain: s.x for s in layout(spec).shapes if s.kind == "circle" or s.lines[0].plain == "L"}
    assert xs["A₁"] == xs["A₂"] < xs["B₁"] == xs["B₂"] < xs["C₁"] == xs["C₂"] < xs["D"] < xs["L"]


def test_graph_with_display_names_functions_and_skip_connection() -> None:
    spec = parse_spec(EXTRA["graph_names"], "g.toml")
    texts = svg_texts(spec)
    for label in ("ŷₒᵤₜ", "g⁽²⁾", "h′", "w = 0.5", "α = 2", "θ₁ = 0.25", "b = -1", "k = 3", "σ",
                  "∂L/∂ŷₒᵤₜ = 1.5"):
        assert label in texts, label
    picture = tikz(spec)
    assert r"\hat{y}_{\mathrm{out}}" in picture and r"\partial L / \partial \hat{y}_{\mathrm{out}} = 1.5" in picture
    # h -> out skips a column (g sits in between): drawn straight where clear of g, else curved round it
    from solgen.render.diagram.geometry import _blocked, _path, _shape_grid

    pic = layout(spec)
    by_id = {s.id: s for s in pic.shapes}
    solid = _shape_grid([s for s in pic.shapes if s.kind != "text"])
    for e in pic.edges:
        a, b = by_id[e.src], by_id[e.dst]
        assert not _blocked(_path(a, b, e.bend), solid, (a, b)), (a.lines[0].plain, b.lines[0].plain)


def test_decimal_comma_and_digits_follow_the_style() -> None:
    spec = load_spec(ROOT / "specs" / "seed001_mazur_paths.toml")
    assert "w₁₁⁽¹⁾ = 0,15" in svg_texts(spec)
    assert "w^{(1)}_{11} = 0{,}15" in tikz(spec)


def test_symbolic_network_shows_names_only() -> None:
    spec = load_spec(ROOT / "specs" / "seed003_general_formulas.toml")
    labels = edge_labels(spec)
    assert "w₁₁⁽¹⁾" in labels and all("=" not in label for label in labels)
    assert "b₁⁽¹⁾" in svg_texts(spec)


def test_architecture_boxes() -> None:
    spec = load_spec(ROOT / "specs" / "seed004_q4_architecture.toml")
    assert graph_of(spec) is None
    texts = svg_texts(spec)
    for label in ("inputs", "784", "512 ReLU", "10 ReLU", "W⁽¹⁾: 784 × 512", "b⁽³⁾: 10", "(output)"):
        assert label in texts, label
    assert r"$784 \times 512$" in tikz(spec, None)


def test_large_layers_drop_edge_labels_and_say_so() -> None:
    spec = parse_spec(EXTRA["wide"], "wide.toml")
    assert edge_labels(spec) == []
    texts = svg_texts(spec)
    assert any("not written where a layer has more than 5 units" in t for t in texts)
    assert any("units 4 to 7 of 9 are not drawn" in t for t in texts)
    assert "z₉⁽¹⁾" in texts and "z₄⁽¹⁾" not in texts and "⋮" in texts
    assert "softmax" in texts and "(cross entropy)" in texts


def test_user_text_is_escaped() -> None:
    spec = parse_spec(EXTRA["wide"], "wide.toml")
    text = svg(spec)
    assert "&lt;tricky&gt;" in text and "&amp;" in text and "<tricky>" not in text
    assert ET.fromstring(text).find(f"{SVG_NS}title").text == spec.title  # type: ignore[union-attr]
    # the title is not part of the TikZ picture: nothing of it reaches LaTeX unescaped
    assert "tricky" not in tikz(spec)


def _dense_net(sizes: list[int], seed: int) -> Spec:
    """A generated fully connected net (random weights, a shared bias per layer)."""
    import random

    r = random.Random(seed)
    lines = ['title = "sample"', "[network]", f"inputs = {[round(r.uniform(-1, 1), 2) for _ in range(sizes[0])]}",
             f"targets = {[0] * sizes[-1]}", 'loss = "mse"']
    for a, b in itertools.pairwise(sizes):
        weights = [[round(r.uniform(-1, 1), 2) for _ in range(a)] for _ in range(b)]
        lines += ["[[network.layer]]", f"units = {b}", 'activation = "sigmoid"', f"weights = {weights}",
                  f"bias = {round(r.uniform(-1, 1), 2)}"]
    return parse_spec("\n".join(lines), "sample.toml")


SAMPLE = [(f"{'-'.join(map(str, sizes))}#{seed}", _dense_net(sizes, seed))
          for sizes in ([2, 2, 2], [3, 3, 2], [3, 3, 3], [2, 3, 2], [3, 2, 3], [1, 2, 1], [4, 4, 2], [3, 3, 3, 3],
                        [5, 5, 5])
          for seed in range(3)]


@pytest.mark.parametrize(("name", "spec"), BUNDLED + SAMPLE, ids=[n for n, _ in BUNDLED + SAMPLE])
def test_labels_lie_clear_of_other_edges_nodes_and_labels(name: str, spec: Spec) -> None:
    """Issue 9: each edge label (a box turned along its edge) is crossed by no other edge, touches
    no node and overlaps no other label; checked pair by pair here (the layout uses grids)."""
    from solgen.render.diagram.geometry import _paths
    from solgen.render.diagram.tags import grown_tag, label_tag, tag_crosses, tag_hits, tags_overlap

    pic = layout(spec, graph_of(spec))
    paths = _paths(pic)
    tags = [(k, label_tag(e.label, e.at, e.angle)) for k, e in enumerate(pic.edges)
            if e.label is not None and e.at is not None]
    assert len(tags) == len(edge_labels(spec))
    for (_, a), (_, b) in itertools.combinations(tags, 2):
        assert not tags_overlap(a, b)
    for k, tag in tags:
        label = pic.edges[k].label.plain  # type: ignore[union-attr]
        for j, path in enumerate(paths):
            assert j == k or not any(tag_crosses(tag, piece) for piece in path.pieces()), (label, "edge", j)
        for shape in pic.shapes:
            assert shape.kind == "text" or not tag_hits(shape, grown_tag(tag, 0.03, 0.03)), (label, shape.id)


def test_sample_nets_keep_their_labels() -> None:
    """The 3-3-2 and 3-3-3 nets of issue 9 keep a label on every edge (values: names would cross)."""
    for name, spec in SAMPLE:
        if name.startswith(("3-3-2", "3-3-3", "2-2-2")):
            assert len(edge_labels(spec)) == sum(a * b for a, b in itertools.pairwise(
                [spec.problem.input_count] + [la.units for la in spec.problem.layers])), name  # type: ignore[union-attr]


@pytest.mark.parametrize(("name", "spec"), ALL + SAMPLE, ids=IDS + [n for n, _ in SAMPLE])
def test_labels_print_at_seven_points(name: str, spec: Spec) -> None:
    """Issue 9: no label below 8 pt (\\scriptsize of 11 pt) and no picture wider than MAX_WIDTH, so
    the fit to the line width (17 cm on A4) shrinks none below 7 pt."""
    from solgen.render.diagram import MAX_WIDTH
    from solgen.render.diagram.text import _FONT

    pic = layout(spec, graph_of(spec))
    x0, _, x1, _ = pic.bounds()
    assert x1 - x0 <= MAX_WIDTH
    assert MAX_WIDTH * 7 / 8 <= 17.0 + 1e-9
    sizes = {t.size for s in pic.shapes for t in s.lines} | {e.label.size for e in pic.edges if e.label}
    assert min(_FONT[s] for s in sizes) >= _FONT["tiny"] and r"\tiny" not in tikz(spec, graph_of(spec))


def test_tex_to_unicode() -> None:
    assert tex_to_unicode("w^{(1)}_{11}") == "w₁₁⁽¹⁾"
    assert tex_to_unicode(r"\hat{y}") == "ŷ"
    assert tex_to_unicode(r"\alpha_2") == "α₂"
    assert tex_to_unicode(r"\mathbf{W}^{\top}") == "W^⊤"
    assert tex_to_unicode("x_{q}") == "x_q"
    assert tex_to_unicode("y'") == "y′"
    assert tex_to_unicode(r"\mathit{out}_{12}") == "out₁₂"
    assert tex_to_unicode(r"\unknown{x}") is None
    assert tex_to_unicode("a}") is None


def test_value_formatting_is_compact() -> None:
    spec = parse_spec(EXTRA["five"], "five.toml")
    labels = edge_labels(spec)
    assert "-0.35" in labels and "0.1" in labels and "-1.5" in labels
    assert "0.001" in svg_texts(spec) and "-1.25" in svg_texts(spec)
    for label in labels:  # bare values on the edges of 4-5 unit layers
        Fraction(label)


WIDE_GRAPHS = {
    "chain20": 'title = "chain"\n[graph]\ninputs = { x = 0.5 }\nparams = { '
               + ", ".join(f"w{i} = 0.{i % 9 + 1}" for i in range(1, 21)) + " }\nnodes = ["
               + ", ".join(f'"h{i} = tanh(w{i}*' + ("x" if i == 1 else f"h{i - 1}") + ')"' for i in range(1, 21))
               + ']\nloss = "h20^2"\n',
    "unrolled3": 'title = "rnn"\n[graph]\ninputs = { x1 = 1, x2 = -1, x3 = 0.5, h0 = 0 }\n'
                 'params = { u = 0.5, w = -0.3, v = 2 }\nnodes = ["h1 = tanh(u*x1 + w*h0)", '
                 '"h2 = tanh(u*x2 + w*h1)", "h3 = tanh(u*x3 + w*h2)", "y = v*h3"]\nloss = "(y - 1)^2"\n',
}


@pytest.mark.parametrize("name", sorted(WIDE_GRAPHS))
def test_wide_graphs_wrap_into_rows_at_full_size(name: str) -> None:
    """Issue 9: a 20-node chain and an unrolled 3-step graph snake into rows no wider than
    MAX_WIDTH (nothing shrunk), their labels clear of other edges and nodes."""
    from solgen.render.diagram import MAX_WIDTH
    from solgen.render.diagram.placement import label_faults

    spec = parse_spec(WIDE_GRAPHS[name], f"{name}.toml")
    pic = layout(spec)
    x0, y0, x1, y1 = pic.bounds()
    assert x1 - x0 <= MAX_WIDTH
    circles = [s for s in pic.shapes if s.kind == "circle"]
    assert len({round(s.y, 3) for s in circles}) > 1  # more than one row
    assert not label_faults(pic)


def test_graph_key_shows_values_and_gradients_sheet_does_not() -> None:
    """Issue 9: a [graph] key draws each node's forward value above it and dL/d(node) below it
    (CS231n's circuit), from the derivation; its question sheet shows the given values only."""
    from solgen.pipeline import Options, solve

    spec = load_spec(ROOT / "specs" / "seed002_graph_abcd.toml")
    solved = solve(spec, Options(("md", "tex")))
    key = [t.text for t in ET.fromstring(solved.svg).iter(f"{SVG_NS}text")]
    sheet = [t.text for t in ET.fromstring(solved.diagram_svg(True)).iter(f"{SVG_NS}text")]
    # the spec's description gives B1 = 3, dL/dB1 = 4, dL/dA1 = -12, dL/dA2 = -4
    for value in ("3", "4", "-12", "-4"):
        assert value in key and (value not in sheet or value in ("3",)), value
    assert "-12" not in sheet and "4" not in sheet
    assert "-1" in sheet and "1" in sheet  # the inputs' given values
    assert solved.solution is not None and solved.solution.sheet is not None
    sheet_tikz = solved.solution.sheet.tikz
    assert "red!70!black" in solved.solution.diagram and "red!70!black" not in sheet_tikz
    from solgen.export.documents import latex, markdown

    out: dict[str, bytes] = {}
    markdown(solved, Options(("md",), problem=True), out)
    assert out["seed002_graph_abcd.svg"].decode() == solved.diagram_svg(True)
    latex(solved, Options(("tex",), problem=True), out)
    assert sheet_tikz in out["seed002_graph_abcd.tex"].decode()


def test_graph_sheet_diagram_is_drawn_lazily_and_never_the_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 16: a render of the key alone lays the sheet's picture out never; a sheet (Markdown's
    SVG, LaTeX's TikZ, in whichever order they are asked for) gets the picture of the given values,
    laid out once, never the key's (whose values and gradients are the answers)."""
    from solgen.export.documents import latex, markdown
    from solgen.pipeline import Options, solve
    from solgen.render import diagram

    spec = load_spec(ROOT / "specs" / "seed002_graph_abcd.toml")
    calls: list[object] = []
    real = diagram.both

    def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(args[2] if len(args) > 2 else kwargs.get("values"))
        return real(*args, **kwargs)

    monkeypatch.setattr(diagram, "both", counted)
    solved = solve(spec, Options(("md", "tex")))
    key: dict[str, bytes] = {}
    markdown(solved, Options(("md",)), key)
    latex(solved, Options(("tex",)), key)
    assert len(calls) == 1 and calls[0]  # the key's picture only, with the values
    sheet: dict[str, bytes] = {}
    latex(solved, Options(("tex",), problem=True), sheet)
    markdown(solved, Options(("md",), problem=True), sheet)
    assert len(calls) == 2 and calls[1] is None  # the sheet's: given values only, once
    monkeypatch.undo()
    assert solved.solution is not None
    tex, svg = sheet["seed002_graph_abcd.tex"].decode(), sheet["seed002_graph_abcd.svg"].decode()
    assert solved.solution.diagram not in tex and "red!70!black" not in tex
    assert key["seed002_graph_abcd.svg"] != sheet["seed002_graph_abcd.svg"]
    texts = [t.text for t in ET.fromstring(svg).iter(f"{SVG_NS}text")]
    assert "-12" not in texts and "4" not in texts  # no gradient of the key
    assert svg == diagram.svg(spec) and diagram.tikz(spec) in tex  # the given-values picture itself


# --------------------------------------------------------------------------- feature maps (issue 12)
def _cells(svg_text: str) -> list[str]:
    """The texts of the SVG's square cells (rx=0), in drawing order."""
    root = ET.fromstring(svg_text)
    items = list(root)
    out = []
    for i, el in enumerate(items):
        if el.tag == f"{SVG_NS}rect" and el.get("rx") == "0":
            nxt = items[i + 1] if i + 1 < len(items) else None
            text = nxt.text if nxt is not None and nxt.tag == f"{SVG_NS}text" else None
            out.append(text or "")
    return out


def test_conv_and_pool_maps_are_grids_of_their_values() -> None:
    """Issue 12: the 3x3 input, the 2x2 kernel and bias, the conv map, the pooled map, as grids;
    the key fills every map with its forward values (checked against the derivation), the
    question sheet leaves the computed cells empty."""
    from solgen.pipeline import Options, solve

    spec = load_spec(ROOT / "specs" / "layers_conv2d_maxpool.toml")
    solved = solve(spec, Options(("md",)))
    fmt = NumberFormat(spec.style.digits, spec.style.decimal)
    values = solved.derivation.iterations[0].values
    key, sheet = _cells(solved.svg), _cells(solved.diagram_svg(True))
    given = ["1", "2", "0", "0", "1", "3", "2", "1", "1"]
    assert key[:9] == given and sheet[:9] == given  # the input, row by row
    assert ["0.5", "-0.25", "0.125", "1", "0.1"] == key[9:14] == sheet[9:14]  # kernel, bias
    conv = [fmt.text(values[f"a1[1,{r},{q}]"]) for r in (1, 2) for q in (1, 2)]
    assert key[14:18] == conv and sheet[14:18] == ["", "", "", ""]
    assert key[18] == fmt.text(values["a2[1,1,1]"]) == max(conv, key=float)  # the pooled map
    assert sheet[18] == ""


def test_rnn_is_unrolled_left_to_right_with_shared_weights() -> None:
    """Issue 12: h_0 .. h_3 left to right, x_t under h_t, W_hh on each step's arrow and W_ih on each
    input's (the same names: shared), the matrices once; keys show each h_t's values."""
    from solgen.pipeline import Options, solve

    spec = load_spec(ROOT / "specs" / "layers_rnn.toml")
    solved = solve(spec, Options(("md",)))
    pic = layout(spec)
    labels = [e.label.plain for e in pic.edges if e.label is not None]
    assert labels.count("W_hh") == 3 and labels.count("W_ih") == 3
    texts = [t.lines[0].plain for t in pic.shapes if t.kind == "text"]
    xs = {t.lines[0].plain: t.x for t in pic.shapes if t.kind == "text" and t.lines[0].plain[:1] in "hx"}
    assert xs["h₀"] < xs["h₁"] < xs["h₂"] < xs["h₃"] and xs["x₁"] == xs["h₁"]
    assert "The same matrices at every step:" in texts
    fmt = NumberFormat(spec.style.digits, spec.style.decimal)
    h3 = [fmt.text(solved.derivation.iterations[0].values[f"h1[3,{j}]"]) for j in (1, 2)]
    key_cells = _cells(solved.svg)
    assert any(key_cells[i:i + 2] == h3 for i in range(len(key_cells)))
    assert not any(c in _cells(solved.diagram_svg(True)) for c in h3)
    assert not label_faults_of(pic)


def label_faults_of(pic):  # noqa: ANN001, ANN201
    from solgen.render.diagram.placement import label_faults

    return label_faults(pic)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True)
@given(st.data())
def test_generated_problems_have_clear_labels_within_the_width(data: st.DataObject) -> None:
    """Issue 9, for generated problems (the oracle suite's networks of up to 4 layers of 5 units and
    its graphs): no label crossed by another edge or touching a node, no picture wider than
    MAX_WIDTH."""
    from solgen.errors import SpecError
    from solgen.render.diagram import MAX_WIDTH
    from solgen.render.diagram.placement import label_faults
    from tests.oracle.strategies import graphs, networks

    problem = data.draw(st.one_of(networks(), graphs()))
    try:
        spec = parse_spec(problem.toml, "generated.toml")
    except SpecError:
        return
    pic = layout(spec)
    x0, _, x1, _ = pic.bounds()
    assert not label_faults(pic)
    assert x1 - x0 <= MAX_WIDTH


def _one_unit_chain(layers: int) -> Spec:
    rows = "\n".join('[[network.layer]]\nunits = 1\nactivation = "sigmoid"\nweights = [[0.5]]\nbias = 0.1'
                     for _ in range(layers))
    return parse_spec(f'title = "deep"\n[network]\ninputs = [1]\ntargets = [0]\nloss = "mse"\n'
                      f'learning_rate = 0.1\n{rows}\n', "deep.toml")


def test_a_network_shrunk_to_the_page_gets_no_labels_and_says_why() -> None:
    from solgen.messages import text
    from solgen.render.diagram import MAX_WIDTH
    from solgen.render.diagram.network import MIN_DX

    deep = int(MAX_WIDTH / MIN_DX) + 1  # wider than the page at the narrowest spacing
    spec = _one_unit_chain(deep)
    assert edge_labels(spec) == []
    assert any(text("diagram.too_wide") in t for t in svg_texts(spec))
    shallow = _one_unit_chain(3)  # the same kind of net that fits keeps a label on every edge
    assert len(edge_labels(shallow)) >= 3  # w1, w2, w3 (and the biases)
    assert not any(text("diagram.too_wide") in t for t in svg_texts(shallow))
