"""The diagrams speak the spec's language: every heading and note of a picture (SVG and TikZ)
comes from the catalogs' [diagram], so a German key's picture says "Schicht", never "layer".
(That each language's pictures compile is tests/test_languages.py: every bundled key, each
with its diagram, in every language.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from solgen.messages import catalog, text
from solgen.pipeline import Options, documents, solve_text
from tests.docs.compile import compile_batch
from tests.test_languages import OTHERS, PLACEHOLDER, SPECS, in_language

TWO_LAYERS = """title = "t"
[network]
inputs = [0.5, -1]
targets = [1]
loss = "binary_cross_entropy"
learning_rate = 0.5
[[network.layer]]
units = 2
activation = "sigmoid"
weights = [[0.3, -0.2], [0.1, 0.4]]
[[network.layer]]
units = 1
activation = "sigmoid"
weights = [[0.5, -0.6]]
"""
GRAPH = Path(__file__).resolve().parent.parent / "specs" / "seed002_graph_abcd.toml"
ENGLISH_HEADINGS = re.compile(r"\b(layer|inputs|targets|loss|output|Grey|Weights|Above)\b")


def _pictures(spec: str, lang: str, stem: str = "t") -> tuple[str, str]:
    """(SVG, TikZ) of a spec's key in one language."""
    options = Options(formats=("md", "tex"), verify=False)
    docs = documents(solve_text(in_language(spec, lang), f"{stem}.toml", options), options)
    tex = docs[f"{stem}.tex"].decode()
    tikz = re.findall(r"\\begin\{tikzpicture\}.*?\\end\{tikzpicture\}", tex, re.S)
    assert len(tikz) == 1
    return docs[f"{stem}.svg"].decode(), tikz[0]


def _shown(svg: str) -> str:
    """The words an SVG shows (its <text> elements)."""
    return "\n".join(re.findall(r"<text [^>]*>([^<]*)</text>", svg))


def test_a_german_network_picture_says_its_headings_in_german() -> None:
    svg, tikz = _pictures(TWO_LAYERS, "de")
    for picture in (_shown(svg), tikz):
        for word in ("Eingaben", "Schicht 1", "Schicht 2", "(Ausgabe)", "Verlust", "Zielwerte",
                     "(binäre Kreuzentropie)"):
            assert word in picture, word
        assert not ENGLISH_HEADINGS.search(picture), ENGLISH_HEADINGS.search(picture)


def test_the_same_network_in_english_has_the_english_headings() -> None:
    """The check above can fail: English pictures carry exactly the words it looks for."""
    svg, tikz = _pictures(TWO_LAYERS, "en")
    for picture in (_shown(svg), tikz):
        assert {"layer", "inputs", "targets", "loss", "output"} <= set(ENGLISH_HEADINGS.findall(picture))


def test_a_german_graph_key_notes_in_german() -> None:
    svg, tikz = _pictures(GRAPH.read_text(), "de", GRAPH.stem)
    note = text("diagram.node_values", "de")
    assert "Knoten" in note and note in _shown(svg) and note in tikz
    english = text("diagram.node_values", "en")
    assert english not in svg and english not in tikz
    assert not ENGLISH_HEADINGS.search(_shown(svg))


def _english_pieces(lang: str) -> set[str]:
    """The literal pieces (5 characters or more) of each English [diagram] message that its
    language's [diagram] lacks ("layer", "not drawn", "Weights are not written ..."; not French
    "gradient", which is the language's own word too)."""
    english, other = catalog("en"), catalog(lang)
    own = "\n".join(m for k, m in other.items() if k.startswith("diagram."))
    out = set()
    for key, message in english.items():
        if key.startswith("diagram."):
            for piece in PLACEHOLDER.split(message):
                piece = piece.strip(" .,:;()")
                if len(piece) >= 5 and piece not in own:
                    out.add(piece)
    return out


@pytest.mark.parametrize("lang", OTHERS)
def test_no_english_diagram_word_in_any_bundled_picture(lang: str) -> None:
    pieces = _english_pieces(lang)
    assert "layer" in pieces
    left = []
    for path in SPECS:
        svg, tikz = _pictures(path.read_text(), lang, path.stem)
        left += [(path.stem, p) for p in pieces if re.search(rf"\b{re.escape(p)}\b", _shown(svg) + tikz)]
    assert not left, left


def test_french_pictures_keep_the_no_break_space_before_a_colon() -> None:
    rnn = Path(__file__).resolve().parent.parent / "specs" / "layers_rnn.toml"
    svg, tikz = _pictures(rnn.read_text(), "fr", rnn.stem)
    assert "couche 1\u00a0: récurrente (RNN)" in _shown(svg)
    assert "couche 1\u00a0: récurrente (RNN), $\\tanh$" in tikz


def test_layer_boxes_name_their_settings_safely_in_every_language(tmp_path: Path) -> None:
    """The one-box-per-layer picture (an architecture with conv layers): its settings in the
    language's words, an activation by its short name (``leaky_relu`` would stop LaTeX), and
    every language's picture compiles."""
    lenet = Path(__file__).resolve().parent.parent / "specs" / "layers_lenet5_architecture.toml"
    spec = lenet.read_text().replace('activation = "tanh"', 'activation = "leaky_relu"')
    docs = []
    for lang in ("en", *OTHERS):
        options = Options(formats=("md", "tex"), verify=False)
        out = documents(solve_text(in_language(spec, lang), "lenet.toml", options), options)
        svg, tex = out["lenet.svg"].decode(), out["lenet.tex"].decode()
        assert "LReLU" in _shown(svg) and "leaky_relu" not in _shown(svg) + tex
        assert text("diagram.channels", lang, n=6) in _shown(svg)
        docs.append((lang, tex))
    code, problems = compile_batch(docs, tmp_path)
    assert not problems and code == 0, problems
