"""--format html: self-contained pages, MathML, inline SVG, escaped text; loaded in headless Chromium."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest

import solgen
from solgen.pipeline import Options, documents, solve_file

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").glob("*.toml"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--enable-logging=stderr", "--v=0"]


def _page(spec: Path, problem: bool = False) -> str:
    options = Options(formats=("html",), problem=problem)
    return documents(solve_file(spec, options), options)[f"{spec.stem}.html"].decode()


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_pages_are_self_contained(spec: Path) -> None:
    for problem in (False, True):
        page = _page(spec, problem)
        assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
        assert "<script" not in page and not re.search(r"\b(src|href)=", page)
        urls = set(re.findall(r"https?://[^\s\"']+", page))
        assert urls <= {"http://www.w3.org/1998/Math/MathML", "http://www.w3.org/2000/svg"}, urls
        assert "prefers-color-scheme: dark" in page and "@media print" in page
        assert page.count("<svg") == 1
        assert page == _page(spec, problem)  # deterministic


def test_every_equation_is_mathml() -> None:
    spec = ROOT / "specs" / "mazur.toml"
    page = _page(spec)
    solution = solgen.load(spec).solve().solved.solution
    equations = sum(len(sec.equations) for it in solution.iterations for sec in it.sections)
    assert page.count('<div class="eq') == equations + len(solution.definitions)
    assert "$" not in re.sub(r"<svg.*?</svg>", "", page, flags=re.S)  # no LaTeX left for a script to typeset
    assert "\\frac" not in page and "<mfrac>" in page


def test_user_text_is_escaped() -> None:
    key = solgen.load('title = "<script>alert(1)</script> & 50%"\ndescription = "a <b>x</b>"\n'
                      '[graph]\ninputs = { x = 1 }\nparams = { w = 2 }\nnodes = ["y = w*x"]\nloss = "y^2"\n').solve()
    page = key.html()
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 50%" in page


def _chromium(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args, url],  # type: ignore[list-item]
                              capture_output=True, text=True, timeout=120)


def _console(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]


@pytest.mark.skipif(not CHROMIUM, reason="chromium is not installed (scripts/setup.sh --test installs it)")
def test_chromium_loads_the_page_without_console_errors_and_lays_out_the_math(tmp_path: Path) -> None:
    # The console check can fail: a page that logs an error is caught.
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><body><script>console.error("broken")</script></body></html>')
    assert any("broken" in line for line in _console(_chromium(bad.as_uri(), "--dump-dom").stderr))

    page = _page(ROOT / "specs" / "mazur.toml")
    good = tmp_path / "mazur.html"
    good.write_text(page)
    run = _chromium(good.as_uri(), "--dump-dom")
    assert run.returncode == 0 and _console(run.stderr) == [], run.stderr[-2000:]
    assert run.stdout.count("<math") == page.count("<math")
    # A copy with a probe script: every <math> has a laid-out width (MathML is typeset).
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", "<script>document.title = 'widths:' + [...document."
                                  "querySelectorAll('math')].filter(m => m.getBoundingClientRect().width < 1)"
                                  ".length + '/' + document.querySelectorAll('math').length;</script></body>"))
    dom = _chromium(probe.as_uri(), "--dump-dom").stdout
    assert re.search(r"<title>widths:0/(\d+)</title>", dom), re.search(r"<title>.*?</title>", dom)


@pytest.mark.skipif(not CHROMIUM, reason="chromium is not installed")
def test_chromium_screenshot_is_not_blank(tmp_path: Path) -> None:
    page = tmp_path / "key.html"
    page.write_text(_page(ROOT / "specs" / "seed002_graph_abcd.toml"))
    shot = tmp_path / "key.png"
    run = _chromium(page.as_uri(), "--window-size=900,1400", f"--screenshot={shot}")
    assert run.returncode == 0 and shot.exists()
    assert len(set(_png_rows(shot.read_bytes()))) > 100  # many distinct rows of pixels: text was drawn


def _png_rows(data: bytes) -> list[bytes]:
    """The raw (filtered) rows of a PNG: enough to tell a drawn page from a blank one."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width = struct.unpack(">I", body[:4])[0]
        if kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = 1 + width * 4 if len(raw) % (1 + width * 4) == 0 else 1 + width * 3
    return [raw[i:i + stride] for i in range(0, len(raw), stride)]


def test_render_format_html_writes_one_page_per_spec(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from solgen.cli import main

    result = CliRunner().invoke(main, ["render", str(ROOT / "specs"), "-o", str(tmp_path), "--format", "html"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{s.stem}.html" for s in SPECS)


@pytest.mark.skipif(not CHROMIUM, reason="chromium is not installed")
def test_dark_scheme_and_print(tmp_path: Path) -> None:
    page = _page(ROOT / "specs" / "seed004_q2_upstream.toml")
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", "<script>document.title = 'bg:' + getComputedStyle(document."
                                  "querySelector('.solgen-key')).backgroundColor;</script></body>"))
    light = _chromium(probe.as_uri(), "--dump-dom").stdout
    dark = _chromium(probe.as_uri(), "--force-dark-mode", "--blink-settings=preferredColorScheme=0",
                     "--dump-dom").stdout
    assert "<title>bg:rgb(255, 255, 255)</title>" in light
    assert "<title>bg:rgb(22, 24, 28)</title>" in dark
    pdf = tmp_path / "key.pdf"
    run = _chromium((tmp_path / "probe.html").as_uri(), f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert run.returncode == 0 and pdf.read_bytes().startswith(b"%PDF")
