"""Hostile specs and templates: nothing from a spec runs, leaks into a PDF or escapes -o.

- expressions are parsed by walking ``ast`` with a whitelist; nothing is evaluated
  as Python (and a scan of solgen/ shows there is nothing that could do it);
- titles and descriptions are plain text that prints literally; display names come
  from a safe subset of TeX; TeX runs without shell escape and with its file access
  restricted, so even a hostile template cannot read /etc/passwd into a PDF;
- user templates run in Jinja's sandbox;
- output files are named after the spec's file stem only, inside -o.
"""

from __future__ import annotations

import ast
import builtins
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from solgen.cli import main
from solgen.errors import ExprError, SpecError
from solgen.render.latexsafe import check_display_name
from solgen.spec.expr import parse_expression
from solgen.spec.sections import parse_spec

ROOT = Path(__file__).parent.parent
SOLGEN = ROOT / "solgen"
HAS_TEX = all(shutil.which(t) for t in ("latexmk", "pdflatex", "pdftotext"))
needs_tex = pytest.mark.skipif(not HAS_TEX, reason="needs latexmk, pdflatex and pdftotext")

GRAPH = """title = "{title}"
[graph]
inputs = {{ A1 = -1, A2 = 1 }}
params = {{ u1 = -2, u2 = 1 }}
nodes = [
  "B = u1*A1 + u2*A2",
  {node},
]
loss = "(C - 3)^2"
{extra}
"""


def graph_spec(node: str = '"C = sigmoid(B)"', title: str = "Hostile", extra: str = "") -> str:
    return GRAPH.format(node=node, title=title, extra=extra)


def run(args: list[str]):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- expressions --------------------------------------------------------------------------

HOSTILE_EXPRESSIONS = [
    "__import__('os').system('touch pwned')",
    "__import__",
    "().__class__.__bases__[0].__subclasses__()",
    "A1.__class__",
    "A1.real",
    "exp.__globals__",
    "sigmoid(A1).conjugate()",
    "(lambda: 1)()",
    "lambda x: x",
    "[x for x in (1, 2)]",
    "{x for x in (1, 2)}",
    "{x: 1 for x in (1, 2)}",
    "sum(x for x in (1, 2))",
    "A1[0]",
    "A1[0:1]",
    "(1, 2)",
    "[1, 2]",
    "{1: 2}",
    "{1}",
    "'abc'",
    "b'abc'",
    "f'{A1}'",
    "A1 if A2 else 0",
    "(A1 := 1)",
    "A1 and A2",
    "not A1",
    "~A1",
    "A1 < A2",
    "A1 % 2",
    "A1 // 2",
    "A1 @ A2",
    "A1 << 2",
    "A1 | A2",
    "open('/etc/passwd')",
    "eval('1')",
    "exec('x = 1')",
    "compile('1', '', 'eval')",
    "getattr(A1, 'real')",
    "globals()",
    "locals()",
    "vars()",
    "print(1)",
    "breakpoint()",
    "input()",
    "maximum(A1, A2)",
    "exp(x=1)",
    "exp(*A1)",
    "exp(**A1)",
    "sigmoid(A1, A2)",
    "ｅｘｅｃ('1')",
    "e\u0301xp(1)",
    "exp(1)\n__import__('os')",
    "exp(1); __import__('os')",
    "yield A1",
    "await A1",
    "...",
    "None",
    "True",
    "1j",
    "0x10",
    "__builtins__",
    "__class__",
    "_x",
]


@pytest.mark.parametrize("text", HOSTILE_EXPRESSIONS)
def test_hostile_expressions_are_rejected(text: str):
    with pytest.raises(ExprError) as e:
        parse_expression(text)
    assert e.value.args[0] and "\n" not in str(e.value)


@pytest.mark.parametrize("text", HOSTILE_EXPRESSIONS)
def test_hostile_expressions_are_spec_errors_at_their_place(text: str):
    node = '"C = ' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    with pytest.raises(SpecError) as e:
        parse_spec(graph_spec(node), "hostile.toml")
    assert e.value.place == "graph.nodes[2]"


PAYLOADS = [
    "__import__('pathlib').Path({marker!r}).touch()",
    "open({marker!r}, 'w').close()",
    "exec(\"open({marker!r}, 'w')\")",
    "eval(\"__import__('os').system('touch {marker}')\")",
    "[__import__('os').system('touch {marker}') for x in (1,)]",
    "(lambda: __import__('os').system('touch {marker}'))()",
    "sigmoid(__import__('os').system('touch {marker}'))",
    "A1.__class__.__base__.__subclasses__()[0]('{marker}')",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_nothing_in_an_expression_runs(payload: str, tmp_path: Path, monkeypatch):
    """An expression that would create a file if it were evaluated creates none."""
    marker = tmp_path / "pwned"
    monkeypatch.chdir(tmp_path)
    expr = payload.format(marker=str(marker))
    for place, spec in [
        ("graph.nodes[2]", graph_spec('"C = ' + expr.replace('"', '\\"') + '"')),
        ("graph.loss", graph_spec().replace('loss = "(C - 3)^2"', 'loss = "' + expr.replace('"', '\\"') + '"')),
    ]:
        path = write(tmp_path / "hostile.toml", spec)
        solve = run(["solve", str(path)])
        assert solve.exit_code == 2 and solve.stdout == ""
        assert solve.stderr.startswith(f"hostile.toml: {place}: ") and solve.stderr.count("\n") == 1
        render = run(["render", str(path), "-o", str(tmp_path / "out"), "--format", "md,tex,json"])
        assert render.exit_code == 2
        assert not marker.exists()
        assert not (tmp_path / "out").exists()


def test_parsing_never_compiles_code(monkeypatch):
    """``compile`` is only ever asked for a syntax tree (ast.parse), never for code, and
    ``eval``/``exec`` are never called while a spec is loaded."""
    from solgen.layers import LAYER_KINDS
    from solgen.lazy import Lazy

    for kind in LAYER_KINDS.values():  # import the layer modules first: importing runs a module's code by exec
        for fn in (kind.read, kind.build, kind.facts):
            if isinstance(fn, Lazy):
                fn.target()
    real_compile = builtins.compile

    def only_ast(source, filename, mode, flags=0, *args, **kwargs):
        assert flags & ast.PyCF_ONLY_AST, "compile() asked for code"
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec called")

    monkeypatch.setattr(builtins, "compile", only_ast)
    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    for path in sorted((ROOT / "specs").glob("*.toml")):
        parse_spec(path.read_text(encoding="utf-8"), path.name)
    parse_spec(graph_spec('"C = sigmoid(B) + exp(B)^2 / sqrt(abs(B) + 1) - log(2) * tanh(relu(B))"'), "ok.toml")
    for text in HOSTILE_EXPRESSIONS:
        with pytest.raises(ExprError):
            parse_expression(text)


# -- the source: nothing that could run spec text ---------------------------------------

# called by a bare name or as an attribute of anything: never allowed
DANGEROUS_CALLS = {"eval", "exec", "compile", "sympify", "parse_expr", "S", "__import__", "import_module",
                   "literal_eval", "system", "popen", "execv", "execvp", "spawnv", "parse_latex", "lambdify",
                   "from_string", "loads", "load", "getattr", "setattr", "globals", "locals", "vars"}
# ... except these, which read data or build regular expressions, never code
ALLOWED = {"re.compile", "tomllib.loads", "json.loads", "json.load"}


def _source_files() -> list[Path]:
    return sorted(SOLGEN.rglob("*.py"))


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return "?"


def _called_name(call: ast.Call) -> str:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def dangerous(tree: ast.AST, filename: str) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name, dotted = _called_name(node), _dotted(node.func)
            constant_attr = (name in ("getattr", "setattr") and len(node.args) >= 2
                             and isinstance(node.args[1], ast.Constant))
            if name in DANGEROUS_CALLS and dotted not in ALLOWED and not constant_attr:
                found.append(f"{filename}:{node.lineno}: {dotted}(...)")
            if name == "parse" and filename != "expr.py":
                found.append(f"{filename}:{node.lineno}: {dotted}(...) outside expr.py")
            for kw in node.keywords:
                if kw.arg == "shell" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False):
                    found.append(f"{filename}:{node.lineno}: shell=...")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
            if any(n.split(".")[0] in ("pickle", "marshal", "shelve", "yaml", "importlib", "code", "codeop",
                                       "runpy") for n in names):
                found.append(f"{filename}:{node.lineno}: imports {names}")
            if any(n.split(".")[0] == "sympy" for n in names) and filename != "symdiff.py":
                found.append(f"{filename}:{node.lineno}: sympy outside symdiff.py")
    return found


def test_no_eval_exec_sympify_or_parse_expr_in_solgen():
    """No call that could turn text into code or into a sympy expression, anywhere in solgen/.

    (sympy is used in symdiff.py, which builds its expressions node by node from our own
    IR; ``ast.parse`` is used in expr.py, which only walks the tree it gives.)
    """
    found = []
    for path in _source_files():
        found += dangerous(ast.parse(path.read_text(encoding="utf-8"), str(path)), path.name)
    assert not found, "\n".join(found)


def test_the_scan_would_catch_them():
    """The scanner itself: eval, sympify, parse_expr, pickle, shell=True are caught; re.compile is not."""
    sample = ("import sympy\nimport pickle\nx = eval(s)\ny = sympy.sympify(s)\nz = parse_expr(s)\n"
              "w = sp.S(s)\nsubprocess.run(c, shell=True)\nast.parse(s)\nr = re.compile(s)\n")
    found = dangerous(ast.parse(sample), "x.py")
    assert len(found) == 8, found
    assert not any("re.compile" in f for f in found)


def test_pdf_build_runs_tex_restricted():
    """pdf.py runs latexmk with -no-shell-escape and TeX's file access set to paranoid."""
    text = (SOLGEN / "render" / "pdf.py").read_text(encoding="utf-8")
    for needle in ('"-no-shell-escape"', '"openin_any": "p"', '"openout_any": "p"', '"shell_escape": "f"'):
        assert needle in text


# -- LaTeX: plain text prints literally, display names are a safe subset -----------------

LITERAL = r"50% of $x & y_1 #2 \ { } ^ ~ \input{/etc/passwd} a--b"


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


@needs_tex
def test_titles_and_descriptions_print_literally(tmp_path: Path):
    title = r"Title \ { } $ & # ^ _ % ~ end"
    spec = graph_spec(title=title.replace("\\", "\\\\"),
                      extra="").replace('[graph]', f"description = '''{LITERAL}'''\n[graph]", 1)
    path = write(tmp_path / "literal.toml", spec)
    result = run(["render", str(path), "-o", str(tmp_path / "out"), "--format", "tex,pdf,md"])
    assert result.exit_code == 0, result.output
    text = subprocess.run(["pdftotext", str(tmp_path / "out" / "literal.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert _norm(title) in _norm(text)
    assert _norm(LITERAL) in _norm(text)
    assert "root:" not in text


def test_titles_are_escaped_in_tex_and_markdown(tmp_path: Path):
    spec = graph_spec(title=r"T \\ { } $ & # ^ _ % ~")
    path = write(tmp_path / "esc.toml", spec)
    result = run(["render", str(path), "-o", str(tmp_path), "--format", "tex,md"])
    assert result.exit_code == 0, result.output
    tex = (tmp_path / "esc.tex").read_text(encoding="utf-8")
    title = tex[tex.index(r"\title{"):].split("\n", 1)[0]
    for raw in ["$", "&", "#", "%", "\\ "]:
        assert f" {raw} " not in title.replace(r"\{", "").replace(r"\}", "")
    md = (tmp_path / "esc.md").read_text(encoding="utf-8").split("\n", 1)[0]
    assert md.startswith("# ") and r"\$" in md and r"\_" in md


UNSAFE_NAMES = [
    r"\input{/etc/passwd}", r"\include{x}", r"\write18{touch pwned}", r"\immediate", r"\openin",
    r"\openout", r"\read", r"\def\x{y}", r"\edef", r"\gdef", r"\let", r"\catcode", r"\csname input\endcsname",
    r"\newcommand", r"\renewcommand", r"\usepackage{x}", r"\documentclass", r"\expandafter", r"\verb|x|",
    r"\href{x}{y}", r"\url{x}", r"\special{x}", r"\pdfobj", r"\jobname", r"\end{document}", r"\makeatletter",
    "^^5cinput", "w^^5c", "w$", "w%", "w#", "w&", "w~", "w\nx", r"w\\", r"\@", "{w", "w}", "w" * 201, "",
    r"\hat", "w^", "w_",
]


@pytest.mark.parametrize("name", UNSAFE_NAMES)
def test_unsafe_display_names_are_rejected(name: str, tmp_path: Path):
    assert check_display_name(name) is not None
    value = name.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    path = write(tmp_path / "names.toml", graph_spec(extra=f'latex = {{ u1 = "{value}" }}'))
    result = run(["render", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.stderr.startswith("names.toml: graph.latex.u1: ") and result.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", [r"w_{11}^{(1)}", r"\hat{y}", r"\alpha", r"\mathbf{W}_{1}", "x'", r"\Delta w",
                                  r"\bar{x}_2", r"a\,b", "z^{(2)}_{1}"])
def test_safe_display_names_are_accepted(name: str):
    assert check_display_name(name) is None


def _evil_template(root: Path, body: str) -> Path:
    (root / "latex").mkdir(parents=True, exist_ok=True)
    (root / "latex" / "solution.tex.j2").write_text(body, encoding="utf-8")
    return root


@needs_tex
@pytest.mark.parametrize("body", [
    "\\documentclass{article}\\begin{document}X\\input{/etc/passwd}Y\\end{document}\n",
    "\\documentclass{article}\\begin{document}X\\input{../../../../../../etc/passwd}Y\\end{document}\n",
    "\\documentclass{article}\\begin{document}X\\IfFileExists{/etc/passwd}{\\input{/etc/passwd}}{none}Y"
    "\\end{document}\n",
    "\\documentclass{article}\\newread\\f\\begin{document}\\openin\\f=/etc/passwd \\ifeof\\f closed\\else"
    "\\read\\f to\\l \\detokenize\\expandafter{\\l}\\fi\\end{document}\n",
    "\\documentclass{article}\\usepackage{verbatim}\\begin{document}\\verbatiminput{/etc/passwd}\\end{document}\n",
])
def test_a_template_cannot_read_etc_passwd_into_the_pdf(body: str, tmp_path: Path):
    """Even a hostile template override cannot, because TeX may only open files in its folder."""
    templates = _evil_template(tmp_path / "evil", body)
    spec = write(tmp_path / "leak.toml", graph_spec())
    out = tmp_path / "out"
    result = run(["render", str(spec), "-o", str(out), "--format", "pdf", "--templates", str(templates)])
    if result.exit_code == 0:
        text = subprocess.run(["pdftotext", str(out / "leak.pdf"), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "root:" not in text
    else:
        assert result.exit_code == 2 and result.stderr.count("\n") == 1
        assert "root:" not in result.stderr
        assert not out.exists()


@needs_tex
def test_a_template_cannot_run_shell_commands(tmp_path: Path):
    marker = tmp_path / "pwned"
    body = ("\\documentclass{article}\\begin{document}\\immediate\\write18{touch " + str(marker) + "}"
            "X\\end{document}\n")
    templates = _evil_template(tmp_path / "evil", body)
    spec = write(tmp_path / "shell.toml", graph_spec())
    run(["render", str(spec), "-o", str(tmp_path / "out"), "--format", "pdf", "--templates", str(templates)])
    assert not marker.exists()


# -- templates: the sandbox -------------------------------------------------------------

SANDBOX_ESCAPES = [
    "{{ s.__class__ }}",
    "{{ s.__class__.__mro__[1].__subclasses__() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.system('touch MARKER') }}",
    "{{ joiner.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__['os'].system('touch MARKER') }}",
    "{{ self.__init__.__globals__.__builtins__.open('/etc/passwd').read() }}",
    "{{ namespace.__init__.__globals__.os.system('touch MARKER') }}",
    "{{ s.title.format.__globals__ }}",
    "{{ '{0.__class__}'.format(s) }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ range.__self__.__import__('os').system('touch MARKER') }}",
    "{% include '/etc/passwd' %}",
    "{% include '../../../../../../etc/passwd' %}",
    "{{ 1/0 }}",
    "{% if %}",
]


@pytest.mark.parametrize("body", SANDBOX_ESCAPES)
def test_templates_are_sandboxed(body: str, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "MARKER"
    templates = tmp_path / "evil"
    (templates / "markdown").mkdir(parents=True)
    (templates / "markdown" / "solution.md.j2").write_text(body.replace("MARKER", str(marker)), encoding="utf-8")
    spec = write(tmp_path / "sandbox.toml", graph_spec())
    out = tmp_path / "out"
    result = run(["render", str(spec), "-o", str(out), "--format", "md", "--templates", str(templates)])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("solgen: template error") and result.stderr.count("\n") == 1
    assert "root:" not in result.stderr
    assert not marker.exists()
    assert not out.exists()


def test_a_harmless_user_template_works(tmp_path: Path):
    templates = tmp_path / "mine"
    (templates / "markdown").mkdir(parents=True)
    (templates / "markdown" / "solution.md.j2").write_text("# {{ s.title|text }}\n", encoding="utf-8")
    spec = write(tmp_path / "mine.toml", graph_spec(title="Mine"))
    result = run(["render", str(spec), "-o", str(tmp_path / "out"), "--format", "md", "--templates",
                  str(templates)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "mine.md").read_text(encoding="utf-8") == "# Mine\n"


# -- outputs: named by the stem, inside -o --------------------------------------------

def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def test_outputs_are_named_by_the_stem_and_stay_inside_o(tmp_path: Path, monkeypatch):
    work = tmp_path / "work"
    (work / "sub").mkdir(parents=True)
    monkeypatch.chdir(work / "sub")
    title = "../../../escaped/evil"
    write(work / "sub" / "hw1.toml", graph_spec(title=title))
    before = _tree(tmp_path)
    result = run(["render", "../sub/../sub/hw1.toml", "-o", str(work / "out"), "--format", "md,tex,json"])
    assert result.exit_code == 0, result.output
    new = _tree(tmp_path) - before
    assert {"work/out", "work/out/hw1.md", "work/out/hw1.tex", "work/out/hw1.json"} <= new
    assert all(n == "work/out" or n.startswith("work/out/hw1.") for n in new), new  # (+ a diagram)
    assert not (tmp_path / "escaped").exists()


@pytest.mark.parametrize("stem", ["..", "...", ".hidden", "-o", "a b", "naïve", "x.y"])
def test_odd_stems_still_land_inside_o(stem: str, tmp_path: Path, monkeypatch):
    src = tmp_path / "src"
    src.mkdir()
    monkeypatch.chdir(src)
    write(src / f"{stem}.toml", graph_spec())
    out = tmp_path / "out"
    result = run(["render", "-o", str(out), "--format", "md", "--", f"{stem}.toml"])
    assert result.exit_code == 0, result.output
    names = [p.name for p in out.iterdir()]
    assert f"{stem}.md" in names and all(n.startswith(f"{stem}.") for n in names), names
    assert _tree(src) == {f"{stem}.toml"}
