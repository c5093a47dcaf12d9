"""[style] language: every catalog holds every English key; a key's math slots are the same in
every language; a spec in German gets German headings; an unknown language is a spec error."""

from __future__ import annotations

import re

import pytest

from solgen.errors import SpecError
from solgen.messages import catalog
from solgen.pipeline import Options, documents, solve_text
from solgen.spec.sections import LANGUAGES

SPEC = """title = "t"
[network]
inputs = [0.5]
targets = [1]
loss = "binary_cross_entropy"
learning_rate = 0.5
[[network.layer]]
units = 1
activation = "sigmoid"
weights = [[0.3]]
[style]
language = "{lang}"
"""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_is_complete(lang: str) -> None:
    """Every language has every key of the core sections (headings, conventions, the backward
    pass, notes, updates, tables, matrix and symbolic form), nothing English lacks, and the
    same placeholders.  The newer sections (training, layers, variants, grading) fall back to
    English until they are translated."""
    english, other = catalog("en"), catalog(lang)
    assert set(other) <= set(english)
    core = {k for k in english if k.split(".")[0] in CORE}
    assert core <= set(other), sorted(core - set(other))
    for key, message in other.items():
        assert re.findall(r"\{\w+\}", message) == re.findall(r"\{\w+\}", english[key]), key


CORE = ("conventions", "backward", "heading", "find", "notes", "updates", "table", "matrix", "symbolic")


@pytest.mark.parametrize(("lang", "heading"), [("de", "Rückwärtsdurchlauf"), ("fr", "Rétropropagation"),
                                               ("es", "Retropropagación"), ("pt", "Retropropagação"),
                                               ("en", "Backward pass")])
def test_headings_in_the_spec_language(lang: str, heading: str) -> None:
    solved = solve_text(SPEC.format(lang=lang), "t.toml", Options(formats=("md", "tex")))
    docs = documents(solved, Options(formats=("md", "tex")))
    assert f"## {heading}" in docs["t.md"].decode()
    assert f"\\section*{{{heading}}}" in docs["t.tex"].decode()
    if lang != "en":
        assert "Backward pass" not in docs["t.md"].decode()


def test_unknown_language_is_a_spec_error() -> None:
    with pytest.raises(SpecError, match="style.language"):
        solve_text(SPEC.format(lang="xx"), "t.toml")
