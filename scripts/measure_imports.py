"""Cold-start check: import every handler module in a fresh interpreter, N times, and report.

Prints the median and worst wall time of `import handlers.<x>` (what `python -X importtime`
attributes to the module, cumulatively) and, separately, the first invocation's extra import
cost is not included: boto3 is imported lazily on the first AWS call.
Run: .venv/bin/python scripts/measure_imports.py [--runs 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

from contracts.frames import WEBSOCKET_AUTHORIZER, WEBSOCKET_ROUTES
from contracts.manifest import manifest

PROBE = (
    "import time, sys; t = time.perf_counter(); import {module}; "
    "sys.stdout.write(str((time.perf_counter() - t) * 1000))"
)


def modules() -> list[str]:
    dotted = [a.handler for a in manifest().agents] + [h for h, _ in WEBSOCKET_ROUTES.values()]
    dotted.append(WEBSOCKET_AUTHORIZER)
    return sorted({d.rpartition(".")[0] for d in dotted})


def measure(module: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", PROBE.format(module=module)], check=True, capture_output=True, text=True
        )
        times.append(float(out.stdout))
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = {}
    for module in modules():
        times = measure(module, args.runs)
        report[module] = {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{'handler module':32} {'median ms':>10} {'max ms':>8}")
    for module, row in report.items():
        print(f"{module:32} {row['median_ms']:>10} {row['max_ms']:>8}")


if __name__ == "__main__":
    main()
