"""``solgen schema``: a draft 2020-12 JSON Schema every bundled and starter spec satisfies,
that rejects the structural mistakes of tests/bad_specs, with enums from the registries."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from solgen import schema as schema_module
from solgen.cli import main
from solgen.cli_tools import STARTERS, starter_text

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").glob("*.toml"))
CONTRACT = Path("/work/shared/spec-format.md")  # kept beside the repository where it exists
# The wrong specs whose mistake is structural (a key, a type, an enum, a range, a missing or
# forbidden key): the schema rejects each of them.  The others (shapes, names inside
# expressions, domains, sizes) only the reader can see.
STRUCTURAL = """
architecture_with_learning_rate both_network_and_graph empty_title graph_bad_name graph_missing_loss
graph_missing_nodes graph_node_without_equals graph_nodes_not_a_list graph_typo_key graph_upstream_and_loss
inputs_count_zero iterations_negative iterations_too_many layer_single_brackets learning_rate_negative
learning_rate_zero missing_inputs missing_layers missing_loss missing_targets missing_title missing_units
neither_network_nor_graph network_not_a_table shape_empty_inputs style_digits_zero style_typo_value
type_bias_boolean type_frozen_string type_graph_node_number type_inputs_table type_iterations_float
type_learning_rate_date type_title_number type_units_string type_weight_string type_weights_number
typo_activation typo_layer_key typo_loss typo_network_key typo_top_level_key units_negative units_zero
unknown_loss upstream_and_loss
""".split()


@pytest.fixture(scope="module")
def validator() -> object:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _errors(validator: object, data: dict) -> list[str]:
    return [e.message for e in validator.iter_errors(_jsonable(data))]  # type: ignore[attr-defined]


def _jsonable(value: object) -> object:
    """What an editor sees: dates stay dates (not JSON), so they must fail a type check."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_every_bundled_spec_validates(validator: object, spec: Path) -> None:
    assert _errors(validator, tomllib.loads(spec.read_text())) == []


@pytest.mark.parametrize("kind", STARTERS)
def test_every_starter_validates(validator: object, kind: str) -> None:
    assert _errors(validator, tomllib.loads(starter_text(kind, Path(f"{kind}.toml")))) == []


@pytest.mark.parametrize("name", STRUCTURAL)
def test_structural_mistakes_are_rejected(validator: object, name: str) -> None:
    data = tomllib.loads((ROOT / "tests" / "bad_specs" / f"{name}.toml").read_text())
    assert _errors(validator, data), f"{name} passes the schema"


def test_the_structural_list_names_real_bad_specs() -> None:
    assert all((ROOT / "tests" / "bad_specs" / f"{n}.toml").exists() for n in STRUCTURAL)


def test_enums_come_from_the_registries() -> None:
    from solgen.layers import LAYER_KINDS
    from solgen.train.activations import ACTIVATIONS
    from solgen.train.losses import LOSSES
    from solgen.train.optimizers import OPTIMIZERS

    s = schema_module.schema()["$defs"]
    assert set(ACTIVATIONS) <= set(s["activation"]["enum"])
    assert set(LOSSES) <= set(s["loss"]["enum"])
    assert set(LAYER_KINDS) <= set(s["layer"]["properties"]["type"]["enum"])
    assert set(OPTIMIZERS) <= set(s["optimizer"]["properties"]["name"]["enum"])


def test_every_key_has_a_description() -> None:
    missing = []

    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            for key, sub in node.get("properties", {}).items():
                if "description" not in sub and "$ref" not in sub:
                    missing.append(f"{path}.{key}")
            for key, sub in node.items():
                if key not in ("if", "then", "not", "allOf", "anyOf", "oneOf"):  # conditions, not keys
                    walk(sub, f"{path}/{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{path}[{i}]")

    walk(schema_module.schema(), "")
    assert missing == []


def test_the_iteration_limit_matches_the_reader() -> None:
    from solgen.spec.sections import MAX_ITERATIONS

    assert schema_module.MAX_ITERATIONS == MAX_ITERATIONS


@pytest.mark.skipif(not CONTRACT.exists(), reason="the contract is not beside this checkout")
def test_the_name_lists_are_the_contracts() -> None:
    text = CONTRACT.read_text()
    table = {}
    for head, rows in re.findall(r"\n\| (activation|loss)[^\n]*\n\| ---[^\n]*\n((?:\|[^\n]*\n)+)", text):
        table.setdefault(head, []).extend(re.findall(r"^\| `(\w+)`", rows, re.M))
    assert set(table["activation"]) | {"identity"} == set(schema_module.CONTRACT_ACTIVATIONS)
    assert set(table["loss"]) == set(schema_module.CONTRACT_LOSSES)
    optimizers = re.search(r'name = "adam"\s+# (.*)', text).group(1)
    assert set(re.findall(r'"(\w+)"', optimizers)) == set(schema_module.CONTRACT_OPTIMIZERS)
    types = re.findall(r"^\| `(\w+)`(?: / `(\w+)`)? \|", text.split("## 10.")[1].split("## 11.")[0], re.M)
    assert {n for pair in types for n in pair if n} | {"dense"} == set(schema_module.CONTRACT_LAYER_TYPES)


def test_the_committed_schema_file_is_current() -> None:
    committed = (ROOT / "docs" / "solgen.schema.json").read_text()
    fresh = json.dumps(schema_module.schema(), indent=2) + "\n"
    assert committed == fresh, "run: solgen schema > docs/solgen.schema.json"
