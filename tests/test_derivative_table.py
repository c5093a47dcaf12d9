"""The derivative table (solgen/core/derivatives.json) is what sympy gives now, and a render of a
network needs no sympy."""

import json
import subprocess
import sys
from pathlib import Path

from solgen.core import partials
from solgen.core.ir import variables
from solgen.core.symdiff import sympy_diff_shape
from solgen.spec.expr import parse_expression

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

import gen_derivatives  # noqa: E402


def test_the_table_file_equals_a_fresh_generation_by_sympy() -> None:
    fresh = gen_derivatives.table_text()
    assert partials.TABLE_FILE.read_text(encoding="utf-8") == fresh, \
        "solgen/core/derivatives.json is stale: run python scripts/gen_derivatives.py"


def test_every_entry_decodes_to_sympys_derivative_of_its_shape() -> None:
    table = json.loads(partials.TABLE_FILE.read_text(encoding="utf-8"))["table"]
    assert len(table) > 50
    for key, deriv in table.items():
        shape, placeholder = json.loads(key)
        expr = partials.decode(shape)
        assert partials.key(partials.encode(expr), placeholder) == key
        assert partials.decode(deriv) == sympy_diff_shape(expr, placeholder), key


def test_the_table_holds_every_builtin_function_and_the_layer_terms() -> None:
    for fn in ("sigmoid", "relu", "tanh", "exp", "log", "sqrt", "abs", "step", "sign"):
        assert partials.key(["call", fn, ["var", "_0"]], "_0") in partials._table(), fn
    w_times_a = ["mul", ["var", "_0"], ["var", "_1"]]
    assert partials.key(w_times_a, "_0") in partials._table()
    assert partials.key(w_times_a, "_1") in partials._table()


def test_a_shape_the_table_lacks_falls_back_to_sympy() -> None:
    shape = partials.shape_of(parse_expression("u^v + log(v*u)"), {})
    assert partials.key(partials.encode(shape), "_1") not in partials._table()
    got = partials.diff_shape(shape, "_1")
    assert got == sympy_diff_shape(shape, "_1")
    assert set(variables(got)) == {"_0", "_1"}


def test_rendering_the_bundled_networks_imports_no_sympy(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from solgen.cli import main\n"
        f"sys.argv = ['solgen', 'render', {str(REPO / 'specs' / 'mazur.toml')!r}, "
        f"{str(REPO / 'specs' / 'seed002_graph_abcd.toml')!r}, '-o', {str(tmp_path)!r}]\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'sympy'], 'sympy imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "mazur.md").exists() and (tmp_path / "seed002_graph_abcd.md").exists()
