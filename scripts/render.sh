#!/usr/bin/env bash
# Sets up solgen and renders every bundled spec into output/ (Markdown, LaTeX, JSON).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
solgen render specs -o output --format md,tex,json "$@"
echo "rendered $(ls specs/*.toml | wc -l) specs into output/"
