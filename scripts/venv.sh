#!/usr/bin/env bash
# Create or update .venv at the repo root from pyproject.toml (re-installs only when it changed).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=.venv/.aicc-installed
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  # compat mode: a plain path entry instead of an import finder, which costs every import ~15 ms
  .venv/bin/python -m pip install --quiet --config-settings editable_mode=compat -e '.[dev]'
  echo "$want" > "$stamp"
fi
