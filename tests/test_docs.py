"""docs/: generated pages are current, the reference names every key of the schema, its
examples are valid, the API examples run, and every link stays inside the repository."""

from __future__ import annotations

import importlib.util
import json
import re
import tomllib
from pathlib import Path

import pytest

from solgen.schema import schema

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
# Pages other issues write (linked from docs/index.md); a link to one of them is allowed
# before that page exists.
PENDING = {"training.md", "layers.md", "variants.md", "grading.md"}


def _docs_script() -> object:
    spec = importlib.util.spec_from_file_location("docs_script", ROOT / "scripts" / "docs.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@pytest.mark.parametrize("name", ["docs/gallery.md", "docs/cli.md"])
def test_generated_pages_are_current(name: str) -> None:
    build = _docs_script().FILES[name]  # type: ignore[attr-defined]
    assert (ROOT / name).read_text() == build(), f"{name} is stale: run python3 scripts/docs.py"


def test_the_gallery_shows_every_bundled_spec_and_its_key() -> None:
    text = (DOCS / "gallery.md").read_text()
    for spec in sorted((ROOT / "specs").glob("*.toml")):
        assert f"## {spec.stem}\n" in text and spec.read_text().rstrip() in text
    assert text.count("](../output/") >= len(list((ROOT / "specs").glob("*.toml")))


def test_the_cli_page_has_every_command() -> None:
    from solgen.cli import main

    text = (DOCS / "cli.md").read_text()
    assert all(f"## solgen {name}\n" in text for name in main.commands)


def _keys(node: object) -> set[str]:
    out: set[str] = set()
    if isinstance(node, dict):
        out |= set(node.get("properties", {}))
        for sub in node.values():
            out |= _keys(sub)
    elif isinstance(node, list):
        for sub in node:
            out |= _keys(sub)
    return out


def test_the_reference_names_every_key_of_the_schema() -> None:
    text = (DOCS / "reference.md").read_text()
    missing = sorted(k for k in _keys(schema()) if f"`{k}`" not in text and f"{k} =" not in text)
    assert missing == []


def _blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, re.S)


def test_the_reference_examples_are_valid() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(schema())
    blocks = _blocks((DOCS / "reference.md").read_text(), "toml")
    assert len(blocks) >= 15
    for block in blocks:
        data = tomllib.loads(block)
        if "title" in data and ("network" in data or "graph" in data):
            errors = [e.message for e in validator.iter_errors(data)]
            assert errors == [], block
    json.loads(_blocks((DOCS / "reference.md").read_text(), "json")[0])


def test_the_reference_examples_the_reader_knows_render() -> None:
    """Examples whose keys the reader accepts today render; the others need features other issues add."""
    import solgen

    done = 0
    for block in _blocks((DOCS / "reference.md").read_text(), "toml"):
        if "title" not in block or ("[network]" not in block and "[graph]" not in block):
            continue
        try:
            problem = solgen.load(block)
        except solgen.SpecError as e:
            assert re.search(r"unknown (key|value)|expected a number, got a list|expected a whole number", e.problem), e
            continue
        problem.solve().markdown()
        done += 1
    assert done >= 8


def test_the_api_examples_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    blocks = _blocks((DOCS / "api.md").read_text(), "python")
    assert len(blocks) >= 3
    for block in blocks:
        exec(compile(block, "docs/api.md", "exec"), {})  # our own documentation, not user input


def test_links_stay_inside_the_repository() -> None:
    pages = [*DOCS.glob("*.md"), ROOT / "README.md", ROOT / "examples" / "course-repo" / "README.md"]
    for page in pages:
        text = page.read_text()
        assert not re.search(r"\]\((https?:|\.\./\.\./|/)", text), page
        assert "../shared" not in text, page
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            path = (page.parent / target).resolve()
            assert ROOT in path.parents or path == ROOT, (page, target)
            assert path.exists() or target in PENDING, (page, target)
