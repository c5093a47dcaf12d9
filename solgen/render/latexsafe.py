"""User text into LaTeX and Markdown, safely.

Titles and descriptions are plain text: every special character is escaped.
Display names (``latex = { u11 = "w_{11}" }``) are math fragments from a small
safe subset; anything else (``\\input``, ``\\write``, ``\\def``, ``\\catcode``,
``$``, ``%``, ``#`` ...) is rejected.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

from solgen.record import record

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
    "`": r"{\ttfamily\textasciigrave}",  # the same in OT1 and T1 (text_needs asks for T1 and Latin Modern)
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


_SIMPLE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)?\Z")
_LETTERS_DIGITS = re.compile(r"([A-Za-z]+?)(\d+)\Z")
LONG_NAME = 20  # a name longer than this is shown shortened (head ... tail), every use alike
SHORTENED = "{\\ldots}"  # marks a shortened display


def name_tex(name: str) -> str:
    """A spec name (a letter, then letters, digits or _) as math that TeX and MathJax accept:
    ``u11`` -> ``u_{11}``, ``alpha2`` -> ``\\alpha_{2}``, ``w_ab`` -> ``w_{ab}``; a name with
    more underscores, or ending in one, is written as it is typed (``a_x_`` -> ``\\mathit{a\\_x\\_}``)."""
    if not _SIMPLE_NAME.match(name):
        return _literal(name)
    base, _, subscript = name.partition("_")
    if not subscript:
        m = _LETTERS_DIGITS.match(name)
        if m:
            base, subscript = m.groups()
    head = f"\\{base}" if base in GREEK else base if len(base) == 1 else f"\\mathit{{{base}}}"
    return f"{head}_{{{subscript}}}" if subscript else head


def _literal(text: str) -> str:
    return f"\\mathit{{{text.replace('_', chr(92) + '_')}}}"


def name_displays(names: list[str], given: dict[str, str]) -> dict[str, str]:
    """Every name's display: the spec's own (``latex = {...}``), else ``name_tex``; a name longer
    than ``LONG_NAME`` characters is shortened to its head and tail, long enough (or numbered)
    that no two names share a display."""
    out = {n: given.get(n) or name_tex(n) for n in names if n in given or len(n) <= LONG_NAME}
    long = [n for n in names if n not in out]
    head = dict.fromkeys(long, 10)
    for _ in range(2):  # a longer head for names that share one: 10, 14, then 18 characters
        counts = Counter((n[:head[n]], n[-4:]) for n in long)
        for n in long:
            head[n] += 4 if counts[n[:head[n]], n[-4:]] > 1 else 0
    counts = Counter((n[:head[n]], n[-4:]) for n in long)
    seen: Counter[tuple[str, str]] = Counter()
    for n in long:
        key = (n[:head[n]], n[-4:])
        seen[key] += 1
        number = f"_{{{seen[key]}}}" if counts[key] > 1 else ""
        out[n] = _literal(key[0]) + SHORTENED + number + _literal(key[1])
    return {n: out[n] for n in names}


# what pdflatex's inputenc prints in T1 (checked by compiling each: tests/test_names_and_unicode.py)
_LATIN = ((0x00A0, 0x0125), (0x0128, 0x0137), (0x0139, 0x013E), (0x0141, 0x0148), (0x014A, 0x0165),
          (0x0168, 0x017E), (0x0192, 0x0192), (0x01C4, 0x01D4), (0x01E2, 0x01E3), (0x01E6, 0x01EB),
          (0x01F0, 0x01F0), (0x01F4, 0x01F5), (0x0218, 0x021B), (0x0232, 0x0233), (0x0237, 0x0237),
          (0x2010, 0x2016), (0x2018, 0x201A), (0x201C, 0x201E), (0x2020, 0x2022), (0x2026, 0x2026),
          (0x2030, 0x2031), (0x2039, 0x203A), (0x20AC, 0x20AC), (0x2122, 0x2122))
_T1_ONLY = frozenset("`\u00ab\u00bb\u00d0\u00de\u00f0\u00fe\u0104\u0105\u0110\u0111\u0118\u0119\u012e\u012f"
                     "\u014a\u014b\u0172\u0173\u01ea\u01eb\u201a\u201e\u2039\u203a")  # the rest: OT1 too
_ACCENTS = {"\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0304": "=", "\u0306": "u",
            "\u0307": ".", "\u0308": '"', "\u030a": "r", "\u030b": "H", "\u030c": "v", "\u0323": "d",
            "\u0327": "c", "\u0328": "k", "\u0331": "b"}
_GREEK_LIKE_LATIN = dict(zip("\u0391\u0392\u0395\u0396\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4\u03a7",
                             "ABEZHIKMNOPTX"))
_GREEK_ACCENTS = {"\u0301": "acute", "\u0308": "ddot", "\u0300": "grave"}
_LONG_WORD = 40  # a longer word (a name, a URL) may break after every _BREAK_EVERY characters
_BREAK_EVERY = 8


def _latin(c: str) -> bool:
    o = ord(c)
    return 0x20 <= o < 0x7F or any(a <= o <= b for a, b in _LATIN)


def _cjk_font(c: str) -> str | None:
    from .cjk_coverage import COVERAGE

    o = ord(c)
    for font, planes in COVERAGE.items():
        mask = planes.get(o >> 8)
        if mask and int(mask, 16) >> (o & 0xFF) & 1:
            return font
    return None


def _accented(c: str) -> str | None:
    """A letter with accents as LaTeX accent commands (U+01D6 -> \\={\\"u}), if it decomposes so."""
    base, *marks = unicodedata.normalize("NFD", c)
    if not marks or not all(m in _ACCENTS for m in marks):
        return None
    if base in _GREEK_LETTERS:
        if all(m in _GREEK_ACCENTS for m in marks):
            inner = f"\\{_GREEK_LETTERS[base]}" if _GREEK_LETTERS[base] != "o" else "o"
            for m in marks:
                inner = f"\\{_GREEK_ACCENTS[m]}{{{inner}}}"
            return f"\\ensuremath{{{inner}}}"
        return None
    if not ("a" <= base.lower() <= "z" or base in "\u0131\u0237"):
        return None
    out = {"\u0131": "\\i{}", "\u0237": "\\j{}"}.get(base, base)
    for m in marks:
        out = f"\\{_ACCENTS[m]}{{{out}}}"
    return out


def _tex_char(c: str) -> str:
    if c in _TEX_ESCAPES:
        return _TEX_ESCAPES[c]
    if ord(c) < 0x20 or _latin(c):
        return c  # Latin with its accents, dashes, quotes, ellipsis, euro, trademark (inputenc knows them)
    greek = _GREEK_LETTERS.get(c)
    if greek == "o":
        return "o"
    if greek:
        return f"\\ensuremath{{\\{greek}}}"
    if c in _GREEK_LIKE_LATIN:
        return _GREEK_LIKE_LATIN[c]
    return _accented(c) or f"{{\\ttfamily[U+{ord(c):04X}]}}"  # no glyph in the fonts: named (with a note)


def _pieces(text: str) -> list[tuple[str, str]]:
    """(font, run): a run of characters one CJK font prints ("gbsn" or "bsmi"), or ("", other text)."""
    out: list[tuple[str, str]] = []
    for c in unicodedata.normalize("NFC", text):
        text_font = ord(c) < 0x250 or _latin(c) or c in _GREEK_LETTERS or c in _GREEK_LIKE_LATIN or _accented(c)
        font = "" if text_font else _cjk_font(c) or ""
        if out and out[-1][0] == font:
            out[-1] = (font, out[-1][1] + c)
        else:
            out.append((font, c))
    return out


@record
class TextNeeds:
    """What a LaTeX document's user text needs in its preamble, and what it cannot print."""

    t1: bool = False  # characters only the T1 font encoding has (\u00ab \u00f0 \u0105 ...)
    cjk: bool = False  # Chinese, Japanese kana, Cyrillic ...: the CJKutf8 package and its fonts
    missing: tuple[str, ...] = ()  # characters no font has, shown as [U+XXXX]


def text_needs(*texts: str | None) -> TextNeeds:
    t1, cjk, missing = False, False, []
    for text in texts:
        for font, run in _pieces(text or ""):
            cjk = cjk or bool(font)
            for c in run if not font else "":
                t1 = t1 or c in _T1_ONLY or "\\k{" in (_accented(c) or "")
                if "[U+" in _tex_char(c) and c not in missing:
                    missing.append(c)
    return TextNeeds(t1, cjk, tuple(missing))


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


@lru_cache(maxsize=4096)  # the same catalog sentences and names, escaped again for every equation and spec
def tex_escape(text: str) -> str:
    """Plain text for a LaTeX document: prints as written (Greek letters as math, Chinese and
    other characters of the CJK fonts in a CJK environment; a character no font has, such as an
    emoji, as its code point).  A very long word may break between its characters."""
    out = []
    for font, run in _pieces(text):
        if font:
            out.append(f"\\begin{{CJK}}{{UTF8}}{{{font}}}{run}\\end{{CJK}}")
            continue
        for word in re.split(r"(\s+)", run):
            chunks = [word[i:i + _BREAK_EVERY] for i in range(0, len(word), _BREAK_EVERY)] or [""]
            out.append("\\hspace{0pt plus 1pt}".join("".join(_tex_char(c) for c in chunk) for chunk in chunks)
                       if len(word) > _LONG_WORD else "".join(_tex_char(c) for c in word))
    return "".join(out).replace("--", "-{}-").replace("--", "-{}-")  # no en/em-dash ligatures


@lru_cache(maxsize=4096)
def md_escape(text: str) -> str:
    """Plain text for Markdown (GitHub, Pandoc, Jupyter): no markup, no math, and no line
    that starts a list, a numbered list, a heading underline or (indented) a code block."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # a lone CR ends a line in Markdown too
    text = _MD_INDENT.sub(lambda m: m.group().replace("\t", "    ").replace(" ", "\u00a0"), text)
    out = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + (
        m.group(2) + "\\" if m.group(2)[0].isdigit() else "\\" + m.group(2)), out)
