"""The whitelisted expression parser for [graph] specs.

Text is parsed with ``ast.parse`` (which never runs code) and the tree is
walked: only numbers, names, + - * / ^ **, parentheses, unary minus and the
functions in ``ir.USER_FUNCTIONS`` are accepted.  Everything else is an
``ExprError``.  Nothing here evaluates user text.
"""

from __future__ import annotations

import ast
import re
from fractions import Fraction

from .errors import ExprError
from .ir import USER_FUNCTIONS, Add, Call, Div, Expr, Mul, Neg, Num, Pow, Var

MAX_LENGTH = 2000
MAX_DEPTH = 60
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")

_FORBIDDEN = {
    ast.Attribute: "attribute access",
    ast.Subscript: "subscripts",
    ast.Lambda: "lambdas",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.Compare: "comparisons",
    ast.BoolOp: "'and'/'or'",
    ast.IfExp: "conditional expressions",
    ast.NamedExpr: "assignments",
    ast.Starred: "starred arguments",
    ast.JoinedStr: "strings",
}


def parse_expression(text: str) -> Expr:
    """Parse one expression such as ``"u11*A1 + sigmoid(B2)^2"``."""
    if not isinstance(text, str):
        raise ExprError("an expression must be a string")
    if len(text) > MAX_LENGTH:
        raise ExprError(f"expression longer than {MAX_LENGTH} characters")
    if not text.strip():
        raise ExprError("empty expression")
    if "**" not in text and re.search(r"[^\x20-\x7e]", text):
        bad = re.search(r"[^\x20-\x7e]", text).group()  # type: ignore[union-attr]
        raise ExprError(f"unexpected character {bad!r}")
    source = text.replace("^", "**")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as e:
        col = f" at column {e.offset}" if e.offset else ""
        raise ExprError(f"bad expression syntax{col}: {text.strip()!r}") from None
    except (ValueError, RecursionError, MemoryError):
        raise ExprError(f"bad expression syntax: {text.strip()[:60]!r}") from None
    return _Walker(source.strip()).walk(tree.body, 0)


def parse_definition(text: str) -> tuple[str, Expr]:
    """Parse ``"NAME = EXPR"``."""
    if not isinstance(text, str):
        raise ExprError('a node must be a string "NAME = EXPR"')
    name, eq, rhs = text.partition("=")
    name = name.strip()
    if not eq:
        raise ExprError(f'expected "NAME = EXPR", got {text.strip()!r}')
    check_name(name)
    return name, parse_expression(rhs)


def check_name(name: str) -> None:
    if not NAME.match(name):
        raise ExprError(f"{name!r} is not a valid name (a letter, then letters, digits or _)")
    if name in USER_FUNCTIONS or name == "L":
        what = "the loss" if name == "L" else "a function"
        raise ExprError(f"{name!r} is reserved for {what}")


class _Walker:
    def __init__(self, source: str) -> None:
        self.source = source

    def walk(self, node: ast.expr, depth: int) -> Expr:
        if depth > MAX_DEPTH:
            raise ExprError(f"expression nested deeper than {MAX_DEPTH} levels")
        d = depth + 1
        if isinstance(node, ast.BinOp):
            return self._binop(node, d)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                inner = self.walk(node.operand, d)
                if isinstance(inner, Num) and inner.value > 0:
                    return Num(-inner.value)
                return Neg(inner)
            if isinstance(node.op, ast.UAdd):
                return self.walk(node.operand, d)
            raise ExprError("only unary minus and plus are allowed")
        if isinstance(node, ast.Constant):
            return self._number(node)
        if isinstance(node, ast.Name):
            if node.id in USER_FUNCTIONS:
                raise ExprError(f"{node.id!r} is a function: write {node.id}(...)")
            check_name(node.id)
            return Var(node.id)
        if isinstance(node, ast.Call):
            return self._call(node, d)
        what = _FORBIDDEN.get(type(node), type(node).__name__)
        raise ExprError(f"{what} are not allowed in an expression")

    def _binop(self, node: ast.BinOp, d: int) -> Expr:
        left, right = self.walk(node.left, d), self.walk(node.right, d)
        op = node.op
        if isinstance(op, ast.Add):
            return Add(_flat(left, Add) + (right,))
        if isinstance(op, ast.Sub):
            return Add(_flat(left, Add) + (Neg(right),))
        if isinstance(op, ast.Mult):
            if isinstance(left, Neg):  # -a*b is -(a*b), as it is read
                return Neg(Mul(_flat(left.arg, Mul) + (right,)))
            return Mul(_flat(left, Mul) + (right,))
        if isinstance(op, ast.Div):
            return Div(left, right)
        if isinstance(op, ast.Pow):
            return Pow(left, right)
        sym = {ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|"}
        raise ExprError(f"operator {sym.get(type(op), type(op).__name__)!r} is not allowed")

    def _number(self, node: ast.Constant) -> Num:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ExprError(f"{value!r} is not a number")
        text = ast.get_source_segment(self.source, node) or repr(value)
        try:
            return Num(Fraction(text.replace("_", "")))
        except (ValueError, ZeroDivisionError):
            raise ExprError(f"{text!r} is not a finite number") from None

    def _call(self, node: ast.Call, d: int) -> Call:
        if not isinstance(node.func, ast.Name):
            raise ExprError("only the functions " + _function_list() + " can be called")
        fn = node.func.id
        if fn not in USER_FUNCTIONS:
            raise ExprError(f"unknown function {fn!r} (allowed: {_function_list()})")
        if node.keywords or len(node.args) != USER_FUNCTIONS[fn]:
            raise ExprError(f"{fn} takes exactly one argument")
        return Call(fn, tuple(self.walk(a, d) for a in node.args))


def _flat(e: Expr, kind: type) -> tuple[Expr, ...]:
    if isinstance(e, kind):
        return e.terms if kind is Add else e.factors  # type: ignore[union-attr]
    return (e,)


def _function_list() -> str:
    return ", ".join(USER_FUNCTIONS)
