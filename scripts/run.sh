#!/usr/bin/env bash
# Set up (first time) and start the app on the embedded default data at http://localhost:8501.
# The synthetic default store is generated on first start (under a minute) into data/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/streamlit run app.py --server.port "${PORT:-8501}" "$@"
