#!/usr/bin/env bash
# Create or update .venv at the repo root from uv.lock: exactly the locked versions, the dev and
# embedded extras, aicc itself editable. Re-syncs only when uv.lock or pyproject.toml changed.
# After changing a dependency range in pyproject.toml: .venv/bin/uv lock, then run this again.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"
# The same version as the dev extra's `uv==` pin: the sync then keeps this uv in the venv.
uv_version=0.13.8
uv=.venv/bin/uv

if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
if [ "$("$uv" --version 2>/dev/null || true)" != "uv $uv_version" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "uv==$uv_version" 2>&1 \
    | grep -v "^WARNING: Location" || true
  "$uv" --version >/dev/null
fi

stamp=.venv/.aicc-installed
want="$(cat pyproject.toml uv.lock | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  # --locked: fail, rather than resolve anew, when pyproject.toml no longer matches uv.lock.
  # The venv's own interpreter, never one uv would download; editable_mode=compat comes from
  # pyproject.toml's [tool.uv] section.
  UV_PROJECT_ENVIRONMENT="$root/.venv" UV_PYTHON_DOWNLOADS=never \
    "$uv" sync --quiet --locked --extra dev --python .venv/bin/python
  echo "$want" > "$stamp"
fi
