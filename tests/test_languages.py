"""[style] language: every bundled catalog holds every English key, with the same placeholders,
in the same sections and order; a sentence of four or more words is translated, not copied; a key
of every bundled spec in each language has no English sentence left and compiles with zero LaTeX
errors and zero Overfull \\hbox; the feedback of ``solgen grade`` speaks the spec's language; a
partial catalog falls back to English; an unknown language is a spec error."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from solgen.errors import SpecError
from solgen.layers import LAYER_KINDS
from solgen.messages import catalog, rich, speaking, text
from solgen.pipeline import Options, documents, solve_text
from solgen.spec.sections import LANGUAGES
from tests.docs.compile import compile_batch
from tests.docs.sample import FROZEN, MANY_PATHS, WIDE

SPECS = sorted((Path(__file__).resolve().parent.parent / "specs").glob("*.toml"))
OTHERS = tuple(lang for lang in LANGUAGES if lang != "en")
PLACEHOLDER = re.compile(r"\{\w*\}")

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


def in_language(spec: str, lang: str) -> str:
    """A spec's text with ``[style] language`` set (added to its [style] table, or a new one)."""
    if re.search(r"^\[style\]$", spec, re.M):
        return re.sub(r"^\[style\]\n", f'[style]\nlanguage = "{lang}"\n', spec, count=1, flags=re.M)
    return f'{spec}\n[style]\nlanguage = "{lang}"\n'


def _sections(messages: dict[str, str]) -> list[str]:
    return list(dict.fromkeys(key.rsplit(".", 1)[0] for key in messages))


@pytest.mark.parametrize("lang", OTHERS)
def test_catalog_is_complete(lang: str) -> None:
    """Every key of en.toml, nothing more, the same placeholders (math slots and words, in any
    order), the same sections in the same order: an English-only sentence added later fails here."""
    english, other = catalog("en"), catalog(lang)
    assert sorted(set(english) - set(other)) == [], "not translated"
    assert sorted(set(other) - set(english)) == [], "not in en.toml"
    for key, message in other.items():
        assert Counter(PLACEHOLDER.findall(message)) == Counter(PLACEHOLDER.findall(english[key])), key
    assert _sections(other) == _sections(english)


@pytest.mark.parametrize("lang", OTHERS)
def test_sentences_are_translated_not_copied(lang: str) -> None:
    english, other = catalog("en"), catalog(lang)
    copied = [k for k, m in english.items() if len(PLACEHOLDER.sub("", m).split()) >= 4 and other[k] == m]
    assert copied == []


def test_every_layer_kind_has_its_words_in_the_catalog() -> None:
    assert {k.split(".")[-1] for k in catalog("en") if k.startswith("layers.kind.")} == set(LAYER_KINDS)


def _english_fragments(lang: str) -> set[str]:
    """The literal pieces (20 characters or more) of each English message its translation lacks."""
    english, other = catalog("en"), catalog(lang)
    out = set()
    for key, message in english.items():
        for piece in PLACEHOLDER.split(message):
            piece = piece.strip(" .,:;()")
            if len(piece) >= 20 and piece not in other[key]:
                out.add(piece)
    return out


def _rendered(lang: str, fmt: str) -> list[tuple[str, str]]:
    out = []
    for path in SPECS:
        solved = solve_text(in_language(path.read_text(), lang), path.name, Options(formats=(fmt,), verify=False))
        doc = documents(solved, Options(formats=(fmt,)))[f"{path.stem}.{fmt}"].decode()
        out.append((f"{lang}/{path.stem}", doc.replace(solved.spec.description, "")))
    return out


@pytest.mark.parametrize("lang", OTHERS)
def test_every_bundled_key_speaks_the_language(lang: str) -> None:
    """No sentence of en.toml is left in a key of any bundled spec (layers, optimizers, batches,
    penalties, architecture counts, paths and matrix forms) rendered in another language."""
    fragments = _english_fragments(lang)
    assert len(fragments) > 100
    docs = _rendered(lang, "md")
    left = {(label, f) for label, md in docs for f in fragments if f in md}
    assert not left, sorted(left)[:10]
    heading = text("heading.given", lang)
    assert all(f"## {heading}" in md for _, md in docs)


def test_the_check_finds_an_english_sentence() -> None:
    """The check above can fail: an English conventions sentence is among the fragments."""
    fragments = _english_fragments("de")
    assert any(f.startswith("Every partial derivative of the loss, from the loss down") for f in fragments)


def _stress(lang: str) -> list[tuple[str, str]]:
    """The sample's problems that stress a line's width (a wide architecture table, four paths,
    frozen parameters) in one language."""
    out = []
    for label, spec in (("wide", WIDE), ("paths", MANY_PATHS), ("frozen", FROZEN)):
        solved = solve_text(in_language(spec, lang), f"{label}.toml", Options(formats=("tex",), verify=False))
        out.append((f"{lang}/{label}", documents(solved, Options(formats=("tex",)))[f"{label}.tex"].decode()))
    return out


def test_every_bundled_key_compiles_in_every_language(tmp_path: Path) -> None:
    """Longer words (German compounds, French and Spanish phrases) still fit: zero errors, zero
    Overfull \\hbox, every accent printable."""
    docs = [d for lang in OTHERS for d in (*_rendered(lang, "tex"), *_stress(lang))]
    assert len(docs) == len(OTHERS) * (len(SPECS) + 3)
    assert all("\\begin{tikzpicture}" in doc for _, doc in docs)  # each with its diagram's words
    code, problems = compile_batch(docs, tmp_path)
    assert not problems, "\n".join(f"{k}: {p}" for k, found in problems.items() for p in found[:3])
    assert code == 0
    log = (tmp_path / "batch.log").read_text(errors="replace")
    assert "Missing character" not in log


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


def test_the_language_does_not_outlive_its_spec() -> None:
    """A German spec solved first leaves the next, English one (and the default) in English."""
    solve_text(SPEC.format(lang="de"), "t.toml", Options(formats=("md",)))
    assert text("heading.backward") == "Backward pass"
    with speaking("fr"):
        assert text("heading.backward") == "Rétropropagation"
        assert rich("notes.no_effect", "x") == ("", "x", " n'influe pas sur la perte.")
        assert text("heading.backward", "es") == "Retropropagación"  # an explicit language wins
    assert text("heading.backward") == "Backward pass"


def test_feedback_speaks_the_spec_language() -> None:
    from solgen.classroom.grading.report import documents as feedback_documents
    from solgen.classroom.grading.run import grade_answers, prepare
    from solgen.spec.sections import parse_spec

    prep = prepare(parse_spec(SPEC.format(lang="de"), "t.toml"))
    graded = grade_answers(prep, {"z1[1]": "0.123"}, sid="s1")
    page = feedback_documents([(graded, prep)], ("md",))["s1.md"].decode()
    assert "Rückmeldung" in page and "Wo der Fehler liegt" in page
    assert "Feedback:" not in page and "Where it went wrong" not in page


def test_a_partial_catalog_falls_back_to_english(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import solgen.messages as messages

    (tmp_path / "en.toml").write_text((messages.catalog_dir() / "en.toml").read_text(encoding="utf-8"),
                                      encoding="utf-8")
    (tmp_path / "de.toml").write_text('[heading]\nbackward = "Rückwärts"\n', encoding="utf-8")
    monkeypatch.setattr(messages, "catalog_dir", lambda: tmp_path)
    messages.catalog.cache_clear()
    try:
        assert text("heading.backward", "de") == "Rückwärts"
        assert text("heading.forward", "de") == "Forward pass"
    finally:
        messages.catalog.cache_clear()


def test_unknown_language_is_a_spec_error() -> None:
    with pytest.raises(SpecError, match="style.language"):
        solve_text(SPEC.format(lang="xx"), "t.toml")
