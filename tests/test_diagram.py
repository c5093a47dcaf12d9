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

from solgen.core.graph import build_graph
from solgen.core.numbers import NumberFormat
from solgen.render.diagram import (
    LABEL_LIMIT,
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
    """Every weight of a layer pair up to LABEL_LIMIT units is written on its edge, none above it."""
    net = spec.problem
    if not isinstance(net, Network) or (net.inputs is None and not net.symbolic):
        pytest.skip("layered networks with weights")
    if not net.dense_only:
        pytest.skip("layers beyond dense are drawn as boxes (tests/test_layers.py)")
    graph = build_graph(spec)
    fmt = NumberFormat(spec.style.digits, spec.style.decimal)
    sizes = [net.input_count] + [layer.units for layer in net.layers]
    expected = []
    for l, (n_in, n_out) in enumerate(itertools.pairwise(sizes), 1):
        if max(n_in, n_out) > LABEL_LIMIT:
            continue
        for node in graph.nodes:
            if node.role == "W" and node.layer == l:
                value = fmt.text(node.value, exact=True) if node.value is not None else None
                if max(n_in, n_out) <= 3 or value is None:
                    expected.append(plain_name(node) + (f" = {value}" if value is not None else ""))
                else:
                    expected.append(value)
    assert sorted(edge_labels(spec)) == sorted(expected)


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
    # h -> out skips a column (g sits in between): drawn as a curve round g
    assert ".. controls" in picture
    assert "<path d=\"M" in svg(spec)


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


@pytest.mark.parametrize(("name", "spec"), BUNDLED, ids=[n for n, _ in BUNDLED])
def test_labels_cover_no_node_and_no_other_label(name: str, spec: Spec) -> None:
    from solgen.render.diagram.geometry import _label_box, _overlap
    from solgen.render.diagram.placement import _hits

    pic = layout(spec, graph_of(spec))
    boxes = [_label_box(e.label, e.at) for e in pic.edges if e.label is not None and e.at is not None]
    assert len(boxes) == len(edge_labels(spec))
    for a, b in itertools.combinations(boxes, 2):
        assert not _overlap(a, b)
    for box in boxes:
        assert not any(_hits(s, box) for s in pic.shapes if s.kind != "text")


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
