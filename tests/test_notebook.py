"""A real notebook (tests/notebooks/demo.ipynb) executed by nbclient in an ipykernel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def executed() -> object:
    nb = nbformat.read(ROOT / "tests" / "notebooks" / "demo.ipynb", as_version=4)
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    return nb


def _outputs(nb: object, i: int) -> list[dict]:
    return nb.cells[i].outputs  # type: ignore[attr-defined]


def test_magic_shows_the_key_with_mathml_and_inline_svg(executed: object) -> None:
    out = [o for o in _outputs(executed, 2) if o["output_type"] == "execute_result"]
    assert len(out) == 1
    data = out[0]["data"]
    html = data["text/html"]
    assert "<math" in html and "<svg" in html and "Backward pass" in html
    assert "data:image/svg+xml;base64," in data["text/markdown"]
    assert data["text/latex"].startswith("\\documentclass")


def test_the_key_variable_holds_the_answers(executed: object) -> None:
    from solgen.api import load

    expected = load(ROOT / "specs" / "mazur.toml").solve().answers["steps"][0]["loss"]
    out = [o for o in _outputs(executed, 3) if o["output_type"] == "execute_result"]
    assert float(out[0]["data"]["text/plain"]) == expected


def test_problem_flag_shows_the_question_sheet(executed: object) -> None:
    html = _outputs(executed, 4)[0]["data"]["text/html"]
    assert "What to find" in html and "Backward pass" not in html


def test_a_wrong_spec_prints_one_line_and_no_traceback(executed: object) -> None:
    outs = _outputs(executed, 5)
    assert [o["output_type"] for o in outs] == ["stream"]
    assert outs[0]["text"].strip().splitlines() == [
        "cell.toml: network.layer: missing: add at least one [[network.layer]]"]


def test_a_key_from_the_api_displays_itself(executed: object) -> None:
    out = [o for o in _outputs(executed, 6) if o["output_type"] == "execute_result"][0]["data"]
    assert {"text/html", "text/markdown", "text/latex", "text/plain"} <= set(out)
    assert "<svg" in out["text/html"] and json.dumps("Computation graph")[1:-1] in out["text/html"]
