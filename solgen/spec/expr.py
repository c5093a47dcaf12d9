"""The whitelisted expression parser for [graph] specs.

Text is parsed with ``ast.parse`` (which never runs code) and the tree is
walked: only numbers, names, + - * / ^ **, parentheses, unary minus and the
functions in ``ir.USER_FUNCTIONS`` are accepted.  Everything else is an
``ExprError``.  Nothing here evaluates user text.
"""

from __future__ import annotations

import ast
import re
import sys
import warnings
from fractions import Fraction

from solgen.core.evaluate import DomainError, evaluate
from solgen.core.ir import (
    DEFAULT_LAST_ARGUMENT,
    NUMBER_LAST_ARGUMENT,
    USER_FUNCTIONS,
    Add,
    Call,
    Div,
    Expr,
    Mul,
    Neg,
    Num,
    Pow,
    Var,
    variables,
)
from solgen.errors import ExprError

MAX_LENGTH = 2000
MAX_DEPTH = 60
MAX_DIGITS = 1000
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
DOUBLE_MAX = Fraction(sys.float_info.max)
SMALLEST = Fraction(1, 10**308)
_DECIMAL = re.compile(r"[+-]?(?P<int>[0-9_]*)(?:\.(?P<frac>[0-9_]*))?(?:[eE](?P<exp>[+-]?[0-9_]+))?\Z")

_FORBIDDEN = {
    ast.Attribute: "attribute access (a.b) is",
    ast.Subscript: "subscripts (a[i]) are",
    ast.Lambda: "lambdas are",
    ast.ListComp: "comprehensions are",
    ast.SetComp: "comprehensions are",
    ast.DictComp: "comprehensions are",
    ast.GeneratorExp: "comprehensions are",
    ast.Compare: "comparisons are",
    ast.BoolOp: "'and'/'or' are",
    ast.IfExp: "conditional expressions are",
    ast.NamedExpr: "assignments (:=) are",
    ast.Starred: "starred arguments are",
    ast.JoinedStr: "strings are",
    ast.List: "lists are",
    ast.Tuple: "tuples are",
    ast.Set: "sets are",
    ast.Dict: "dictionaries are",
    ast.Await: "'await' is",
    ast.Yield: "'yield' is",
    ast.YieldFrom: "'yield' is",
    ast.Slice: "slices are",
}


def parse_expression(text: str) -> Expr:
    """Parse one expression such as ``"u11*A1 + sigmoid(B2)^2"``."""
    if not isinstance(text, str):
        raise ExprError("an expression must be a string")
    if len(text) > MAX_LENGTH:
        raise ExprError(f"expression longer than {MAX_LENGTH} characters")
    if not text.strip():
        raise ExprError("empty expression")
    bad = re.search(r"[^\x20-\x7e\t]", text)
    if bad:
        raise ExprError(f"unexpected character {bad.group()!r} at column {bad.start() + 1}")
    text = text.strip()
    source = text.replace("^", "**")
    try:
        with warnings.catch_warnings():  # "invalid decimal literal" and the like: errors here, not noise
            warnings.simplefilter("ignore")
            tree = ast.parse(source, mode="eval")
    except SyntaxError as e:
        if e.lineno == 1 and (not e.offset or e.offset > len(source)):
            raise ExprError(f"incomplete expression (it ends too early): {text!r}") from None
        col = f" at column {_user_column(text, e.offset)}" if e.offset and e.lineno == 1 else ""
        raise ExprError(f"bad expression syntax{col}: {text!r}") from None
    except (ValueError, RecursionError, MemoryError):
        raise ExprError(f"bad expression syntax: {text[:60]!r}") from None
    return _Walker(source).walk(tree.body, 0)


def _user_column(text: str, offset: int) -> int:
    """A column of the parsed source (where ``^`` became ``**``) as a column of ``text``."""
    col = offset
    for i, c in enumerate(text):
        if i + 1 >= col:
            break
        if c == "^":
            col -= 1
    return max(col, 1)


def decimal_value(text: str) -> Fraction:
    """A decimal literal (``-0.15``, ``1e-3``, ``1_000``) as an exact rational.

    Only numbers a double can carry are accepted (the answers are JSON), and the
    size is checked before any big integer is built, so ``1e999999999`` is
    refused at once instead of computing a billion-digit number.
    """
    m = _DECIMAL.match(text)
    if not m or not re.search(r"[0-9]", (m.group("int") or "") + (m.group("frac") or "")):
        raise ExprError(f"{text!r} is not a decimal number")
    whole, frac = (m.group("int") or "").replace("_", ""), (m.group("frac") or "").replace("_", "")
    if len(whole) + len(frac) > MAX_DIGITS:
        raise ExprError(f"{text[:20]}... has more than {MAX_DIGITS} digits")
    exp_text = (m.group("exp") or "0").replace("_", "")
    if not (whole + frac).strip("0"):
        return Fraction(0)
    if len(exp_text.lstrip("+-").lstrip("0")) > 6:
        magnitude = 10**7 if not exp_text.startswith("-") else -(10**7)
    else:
        magnitude = int(exp_text) + (len(whole.lstrip("0")) - 1 if whole.strip("0")
                                     else -(len(frac) - len(frac.lstrip("0")) + 1))
    if magnitude > 308 or (magnitude >= 308 and abs(_exact(text)) > DOUBLE_MAX):
        raise ExprError(f"{_short(text)} is too large: JSON (a double) carries at most about 1.8e308")
    if magnitude < -308:
        raise ExprError(f"{_short(text)} is too small for a double (JSON): write 0, or a number of at least 1e-308")
    return _exact(text)


def _exact(text: str) -> Fraction:
    return Fraction(text.replace("_", ""))


def _short(text: str) -> str:
    return text if len(text) <= 30 else text[:27] + "..."


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
        what = _FORBIDDEN.get(type(node), f"{type(node).__name__} is")
        raise ExprError(f"{what} not allowed in an expression")

    def _binop(self, node: ast.BinOp, d: int) -> Expr:
        # a + b + c + ... is a left-leaning chain as deep as it is long: walk its spine
        # in a loop, so that only real nesting (parentheses, powers) counts as depth
        spine = []
        while isinstance(node.left, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult)) \
                and isinstance(node.left.op, (ast.Add, ast.Sub, ast.Mult)):
            spine.append(node)
            node = node.left
        result = self._combine(node, self.walk(node.left, d), d)
        for outer in reversed(spine):
            result = self._combine(outer, result, d)
        return result

    def _combine(self, node: ast.BinOp, left: Expr, d: int) -> Expr:
        right = self.walk(node.right, d)
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
            if not variables(right) and evaluate(right, {}) == 0:
                raise ExprError("division by zero")
            return _constant_checked(Div(left, right))
        if isinstance(op, ast.Pow):
            _check_constant_power(left, right)
            return _constant_checked(Pow(left, right))
        sym = {ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|"}
        raise ExprError(f"operator {sym.get(type(op), type(op).__name__)!r} is not allowed (only + - * / ^)")

    def _number(self, node: ast.Constant) -> Num:
        value = node.value
        if isinstance(value, (str, bytes)):
            raise ExprError("strings are not allowed in an expression")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ExprError(f"{str(value)[:30]!r} is not a number")
        text = ast.get_source_segment(self.source, node) or repr(value)
        return Num(decimal_value(text))

    def _call(self, node: ast.Call, d: int) -> Call:
        if not isinstance(node.func, ast.Name):
            raise ExprError("only the functions " + _function_list() + " can be called")
        fn = node.func.id
        if fn not in USER_FUNCTIONS:
            import difflib  # only for a message

            close = difflib.get_close_matches(fn, list(USER_FUNCTIONS), n=1, cutoff=0.6)
            hint = f'did you mean "{close[0]}"? ' if close else ""
            raise ExprError(f"unknown function {fn!r} ({hint}allowed: {_function_list()})")
        want = USER_FUNCTIONS[fn]
        counts = (want - 1, want) if fn in DEFAULT_LAST_ARGUMENT else (want,)
        if node.keywords or len(node.args) not in counts:
            words = {1: "one argument", 2: "two arguments"}
            say = f"exactly {words[want]}" if len(counts) == 1 else " or ".join(words[c] for c in counts)
            raise ExprError(f"{fn} takes {say}")
        args = tuple(self.walk(a, d) for a in node.args)
        if len(args) < want:
            args += (Num(DEFAULT_LAST_ARGUMENT[fn]),)
        if fn in NUMBER_LAST_ARGUMENT and not isinstance(args[-1], Num):
            raise ExprError(f"the second argument of {fn} must be a number (its slope or alpha)")
        return _constant_checked(Call(fn, args))


def _constant_checked(e: Expr) -> Expr:
    """``e`` unchanged, after checking that a part made of numbers alone (``1/0``, ``log(0)``)
    has a value: such a part is wrong whatever the inputs, so it is reported here, at
    once, rather than halfway through the solution."""
    if not variables(e):
        try:
            evaluate(e, {})
        except DomainError as err:
            raise ExprError(str(err)) from None
    return e


MAX_EXACT_BITS = 20_000  # an exact power of numbers up to about 6000 digits


def _check_constant_power(base: Expr, exp: Expr) -> None:
    """Refuse a power of numbers alone whose exact value would be enormous (``10^10^10``).

    The differentiation step works with exact rationals, and an exact 10^(10^10) has ten
    billion digits: it would never finish.  The expression is kept as written (nothing
    is folded); this only checks that the number it stands for is computable.
    """
    if variables(base) and variables(exp):
        return
    if not variables(base) and evaluate(base, {}) == 0 and variables(exp):
        raise ExprError("0 raised to a power that depends on other values has no derivative")
    if variables(base) or variables(exp):
        return
    try:
        b, e = evaluate(base, {}), evaluate(exp, {})
    except DomainError as err:
        raise ExprError(str(err)) from None
    if not isinstance(b, Fraction) or b == 0 or abs(b) == 1:
        return
    bits = max(abs(b.numerator).bit_length(), b.denominator.bit_length())
    if abs(e) * bits > MAX_EXACT_BITS:
        raise ExprError(f"{float(b):.6g} to the power {float(e):.6g} is too large a power to compute exactly")


def _flat(e: Expr, kind: type) -> tuple[Expr, ...]:
    if isinstance(e, kind):
        return e.terms if kind is Add else e.factors  # type: ignore[union-attr]
    return (e,)


def _function_list() -> str:
    return ", ".join(USER_FUNCTIONS)
