#!/usr/bin/env bash
# Sets up solgen with its test tools (PyTorch CPU, hypothesis, TeX Live) and runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
ruff check solgen tests bench
python3 -m pytest "$@"
