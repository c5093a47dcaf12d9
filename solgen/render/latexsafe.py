"""User text into LaTeX and Markdown, safely.

Titles and descriptions are plain text: every special character is escaped.
Display names (``latex = { u11 = "w_{11}" }``) are math fragments from a small
safe subset; anything else (``\\input``, ``\\write``, ``\\def``, ``\\catcode``,
``$``, ``%``, ``#`` ...) is rejected.
"""

from __future__ import annotations

import re

GREEK = (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu "
    "xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta "
    "Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega"
).split()
SAFE_COMMANDS = frozenset(
    GREEK
    + "hat bar tilde vec dot ddot check breve widehat widetilde overline underline mathrm "
    "mathbf mathit mathsf mathtt mathcal boldsymbol prime ell partial nabla cdot ast star "
    "circ dagger top intercal infty".split()
)
TAKES_ARGUMENT = frozenset(
    "hat bar tilde vec dot ddot check breve widehat widetilde overline underline mathrm mathbf "
    "mathit mathsf mathtt mathcal boldsymbol".split()
)
_TOKEN = re.compile(r"\\([A-Za-z]+)|\\(.)|([A-Za-z0-9^_{}(),'+\- ])|(.)", re.S)

_TEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    # the OT1 text fonts have no ASCII ^ _ ~ (\_ is a rule, \textasciicircum an accent):
    # the typewriter font's glyphs look, copy and search as written
    "^": r"{\ttfamily\char94}",
    "_": r"{\ttfamily\char95}",
    "%": r"\%",
    "~": r"{\ttfamily\char126}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    # OT1 prints " as a closing quote and turns ?` and !` into inverted marks: typewriter glyphs
    '"': r"{\ttfamily\char34}",
    "`": r"{\ttfamily\char18}",
}
_GREEK_LETTERS = {chr(0x3B1 + i): name for i, name in enumerate(
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi o pi rho varsigma sigma "
    "tau upsilon phi chi psi omega".split())}
_GREEK_LETTERS.update({"\u0393": "Gamma", "\u0394": "Delta", "\u0398": "Theta", "\u039b": "Lambda",
                       "\u039e": "Xi", "\u03a0": "Pi", "\u03a3": "Sigma", "\u03a5": "Upsilon",
                       "\u03a6": "Phi", "\u03a8": "Psi", "\u03a9": "Omega"})
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|$~&^])")
_MD_INDENT = re.compile(r"(?m)^(?: {4,}|[ ]*\t[ \t]*)")  # would make a code block: no-break spaces
_MD_LINE_START = re.compile(r"(?m)^([ \t]*)([-+=]|\d+(?=[.)]))")


def check_display_name(text: str) -> str | None:
    """Return None if ``text`` is a safe math fragment, else what is wrong."""
    if len(text) > 200:
        return "longer than 200 characters"
    if "^^" in text:  # TeX reads ^^5c as a backslash: \\input spelled another way
        return "'^^' is not allowed in a display name"
    depth = 0
    tokens = list(_TOKEN.finditer(text))
    scripts: list[set[str]] = [set()]  # per brace depth: ^ and _ given since the last atom
    previous = ""
    for i, m in enumerate(tokens):
        command, escaped, plain, other = m.groups()
        nxt = next((t.group() for t in tokens[i + 1:] if t.group() != " "), "")
        problem = _script_problem(m.group(), previous, scripts)
        if problem:
            return problem
        if m.group() != " ":
            previous = m.group()
        if command is not None and command not in SAFE_COMMANDS:
            return f"\\{command} is not allowed in a display name"
        if command in TAKES_ARGUMENT and nxt in ("", "}", "^", "_"):
            return f"\\{command} needs an argument, as in \\{command}{{w}}"
        if escaped is not None and escaped not in ",; ":
            if escaped.isprintable():
                return f"\\{escaped} is not allowed in a display name"
            return f"a backslash followed by {escaped!r} is not allowed in a display name"
        if other is not None:
            return f"{other!r} is not allowed in a display name"
        if plain in ("^", "_") and nxt in ("", "}", "^", "_"):
            return f"'{plain}' needs something after it, as in w{plain}{{1}}"
        if plain == "{":
            depth += 1
            scripts.append(set())
        elif plain == "}":
            depth -= 1
            if depth < 0:
                return "unbalanced braces"
            scripts.pop()
    if depth:
        return "unbalanced braces"
    if not text.strip():
        return "empty"
    return None


def _tex_char(c: str) -> str:
    if c in _TEX_ESCAPES:
        return _TEX_ESCAPES[c]
    if ord(c) < 0x250 or 0x2010 <= ord(c) <= 0x203A or c in "\u20ac\u2122":  # inputenc's utf8 knows
        return c  # Latin with its accents, dashes, curly quotes, ellipsis, euro, trademark
    greek = _GREEK_LETTERS.get(c)
    if greek == "o":
        return "o"
    if greek:
        return f"\\ensuremath{{\\{greek}}}"
    return f"{{\\ttfamily[U+{ord(c):04X}]}}"  # a character pdflatex has no glyph for: named, not a failure


def _script_problem(token: str, previous: str, scripts: list[set[str]]) -> str | None:
    """What TeX would stop at: a second ^ (or ' , which is ^\\prime) or _ on one atom, or a
    command with an argument as a script without braces (``x_\\hat{y}``)."""
    here = scripts[-1]
    if previous in ("^", "_") and token.startswith("\\") and token[1:] in TAKES_ARGUMENT:
        return f"write {previous}{{{token}{{...}}}}: a script that takes an argument needs braces"
    if token not in ("^", "_", "'"):
        if token not in (" ", "{", "}") and previous not in ("^", "_"):
            here.clear()  # a new atom
        return None
    if previous == "^" and token == "'":
        return "write x^{\\prime} or x', not x^'"
    if (token == "'" and "^" in here) or (token != "'" and token in here):
        what = "subscript" if token == "_" else "superscript"
        return f"a double {what} on one symbol: group it, as in x_{{12}} or {{x_1}}_2"
    here.add(token)
    return None


def tex_escape(text: str) -> str:
    """Plain text for a LaTeX document: prints as written (Greek letters as math; a character
    the fonts lack, CJK or an emoji, as its code point)."""
    out = "".join(_tex_char(c) for c in text)
    return out.replace("--", "-{}-").replace("--", "-{}-")  # no en/em-dash ligatures


def md_escape(text: str) -> str:
    """Plain text for Markdown (GitHub, Pandoc, Jupyter): no markup, no math, and no line
    that starts a list, a numbered list, a heading underline or (indented) a code block."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # a lone CR ends a line in Markdown too
    text = _MD_INDENT.sub(lambda m: m.group().replace("\t", "    ").replace(" ", "\u00a0"), text)
    out = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + (
        m.group(2) + "\\" if m.group(2)[0].isdigit() else "\\" + m.group(2)), out)
