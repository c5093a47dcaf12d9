"""LaTeX -> PDF with one direct pdflatex pass, reproducibly and without shell escape.

The build runs in a private temporary folder (``solgen-<pid>-*``, mode 0700)
with -no-shell-escape, TeX's file access restricted to that folder
(openin_any=p, openout_any=p), and SOURCE_DATE_EPOCH / FORCE_SOURCE_DATE fixed,
so the same .tex gives the same bytes every time.  One pass suffices: the documents
say \\nofiles (no cross-references, no .aux to settle), so latexmk's reruns and
bookkeeping are not needed.  A build gets at most ``SOLGEN_PDF_TIMEOUT`` seconds
(default 600); then pdflatex (in its own process group) is killed.  The folders that
killed runs left behind are removed by the next build.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from solgen.errors import LatexError, SpecError, ToolError
from solgen.write import process_alive

PACKAGES = "texlive-latex-base texlive-latex-recommended texlive-pictures latexmk"
CJK_PACKAGES = "latex-cjk-common latex-cjk-chinese-arphic-gbsn00lp latex-cjk-chinese-arphic-bsmi00lp"
EPOCH = "1700000000"
DEFAULT_TIMEOUT = 600  # a long answer key on a busy machine takes minutes
_FOLDER = re.compile(r"solgen-(\d+)-")


def timeout() -> float:
    raw = os.environ.get("SOLGEN_PDF_TIMEOUT", "")
    try:
        value = float(raw) if raw else DEFAULT_TIMEOUT
    except ValueError:
        raise SpecError("SOLGEN_PDF_TIMEOUT", "", f"expected a number of seconds, got {raw!r}") from None
    return value if value > 0 else DEFAULT_TIMEOUT


def build_pdf(tex: bytes, stem: str, ours: bool = True) -> bytes:
    """``ours``: the .tex comes from solgen's own templates, so a failure is solgen's bug (exit 3);
    from a user's --templates it is that template's error (exit 2)."""
    if not shutil.which("pdflatex"):
        raise ToolError(f"PDF output needs TeX: install it with `apt-get install {PACKAGES}`")
    remove_leftovers()
    with tempfile.TemporaryDirectory(prefix=f"solgen-{os.getpid()}-") as tmp:
        src = Path(tmp) / "doc.tex"
        src.write_bytes(tex)
        env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "FORCE_SOURCE_DATE": "1",
               "openin_any": "p", "openout_any": "p", "TEXMFOUTPUT": tmp, "shell_escape": "f"}
        # one pdflatex pass: the documents say \nofiles (no cross-references, no .aux to settle)
        cmd = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "doc.tex"]
        code, stdout = _run(cmd, tmp, env, stem)
        pdf = Path(tmp) / "doc.pdf"
        if code != 0 or not pdf.exists():
            log = (Path(tmp) / "doc.log")
            first = _first_error(log.read_text(errors="replace") if log.exists() else stdout)
            if "CJKutf8.sty" in first or "gbsn" in first or "bsmi" in first:  # the machine lacks them
                raise ToolError(f"{stem}.tex: the title or description needs LaTeX's CJK fonts: install them "
                                f"with `apt-get install {CJK_PACKAGES}`")
            if not ours:
                raise ToolError(f"{stem}.tex: LaTeX failed: {first}")
            kept = _keep(tex, stem)
            raise LatexError(f"{stem}.tex: LaTeX failed: {first}; this is a bug in solgen, please report it "
                             f"with the kept file {kept}")
        return pdf.read_bytes()


def _run(cmd: list[str], cwd: str, env: dict[str, str], stem: str) -> tuple[int, str]:
    """Run pdflatex in its own process group; on a timeout or an interrupt kill the group."""
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, errors="replace", start_new_session=True)
    limit = timeout()
    try:
        out, _ = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise ToolError(f"{stem}.tex: LaTeX did not finish within {limit:g} s and was stopped "
                        "(a template that loops? SOLGEN_PDF_TIMEOUT sets the limit)") from None
    except BaseException:
        _kill_group(proc)
        raise
    return proc.returncode, out


def _kill_group(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.communicate()


def remove_leftovers() -> None:
    """Delete the build folders of solgen runs that were killed (their process is gone)."""
    root = tempfile.gettempdir()
    try:
        entries = list(os.scandir(root))
    except OSError:
        return
    for entry in entries:
        m = _FOLDER.match(entry.name)
        if not m or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_uid != os.getuid() or process_alive(int(m.group(1))):
                continue
        except OSError:
            continue
        shutil.rmtree(entry.path, ignore_errors=True)


def _keep(tex: bytes, stem: str) -> Path:
    """The failing .tex, kept outside the build folder (which is removed) for the bug report."""
    folder = Path(tempfile.mkdtemp(prefix="solgen-failed-"))
    kept = folder / f"{stem}.tex"
    kept.write_bytes(tex)
    return kept


def _first_error(log: str) -> str:
    for line in log.splitlines():
        if line.startswith("!"):
            return line[1:].strip()
    return "see the LaTeX log (run pdflatex on the .tex)"
