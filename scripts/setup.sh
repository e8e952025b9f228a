#!/usr/bin/env bash
# Create .venv and install the pinned dependencies (idempotent: skips when nothing changed).
# With --spark (scripts/test.sh): also the optional Spark extra (requirements-spark.txt) and, as
# root on Debian where java is missing, openjdk-17-jre-headless; the app itself never needs them.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.requirements.sha
want=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements-dev.txt
  echo "$want" > "$stamp"
fi
if [ "${1:-}" = "--spark" ]; then
  if ! command -v java >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    mkdir -p /usr/share/man/man1  # slim images drop it; the JRE's update-alternatives needs it
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >/dev/null
  fi
  sstamp=.venv/.requirements-spark.sha
  swant=$(sha256sum requirements-spark.txt | cut -d' ' -f1)
  if [ ! -f "$sstamp" ] || [ "$(cat "$sstamp")" != "$swant" ]; then
    .venv/bin/python -m pip install -q -r requirements-spark.txt
    echo "$swant" > "$sstamp"
  fi
fi
