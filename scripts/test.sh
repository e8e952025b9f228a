#!/usr/bin/env bash
# Set up (first time), lint, and run the whole test suite: unit, oracle, AppTest, benchmark smoke
# run and the headless-browser test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --spark  # with the Spark extra and Java: tests/test_spark.py runs
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
