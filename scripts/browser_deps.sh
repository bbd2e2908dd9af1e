#!/usr/bin/env bash
# What tests/browser and scripts/measure_web.py need beyond .venv: Debian's chromium (Playwright
# drives it; its own browser download cannot work here, so never `playwright install`) and axe-core
# from tests/browser/package-lock.json. Each is installed only when missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" != "0" ]; then
    echo "browser tests need Debian's chromium: sudo apt-get install -y chromium" >&2
    exit 1
  fi
  echo "installing Debian's chromium (browser tests)" >&2
  export DEBIAN_FRONTEND=noninteractive
  # A fresh machine's package lists can be missing or stale: update once, only when the install fails.
  apt-get install -y -q chromium >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }
fi

browser="$root/tests/browser"
if [ ! -f "$browser/node_modules/axe-core/axe.min.js" ]; then
  (cd "$browser" && npm ci --no-audit --no-fund --loglevel=error)
fi
