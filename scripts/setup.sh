#!/usr/bin/env bash
# Installs solgen (editable) and, with --test, the test tools, TeX Live and MathJax (node).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ "${1:-}" = "--test" ]; then
  # torch==2.13.0 is pinned: pip takes the local CPU build instead of downloading CUDA wheels.
  $PY -m pip install -q -e '.[test]'
  # lmodern: T1 letters (« » ą ð) as Type 1 fonts; latex-cjk-*: CJKutf8 with two Chinese fonts
  # (GB and Big5 sets, also kana and Cyrillic) for titles; together about 58 MB installed.
  if ! command -v latexmk >/dev/null 2>&1 || ! kpsewhich tikz.sty >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1 \
      || ! kpsewhich lmodern.sty CJKutf8.sty c70gbsn.fd c70bsmi.fd >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      texlive-latex-base texlive-latex-recommended texlive-pictures latexmk poppler-utils \
      lmodern latex-cjk-common latex-cjk-chinese-arphic-gbsn00lp latex-cjk-chinese-arphic-bsmi00lp >/dev/null
  fi
  # Headless Chromium for the HTML tests (pages load without console errors, screenshots).
  if ! command -v chromium >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
  fi
  # MathJax 3 (the TeX engine GitHub and Jupyter use) checks the Markdown's math: node + mathjax-full
  if ! command -v npm >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  fi
  npm install --prefix tests/mathjax --no-audit --no-fund --loglevel=error >/dev/null
else
  $PY -m pip install -q -e .
fi
