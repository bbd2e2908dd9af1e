"""`scripts/measure_call_costs.py` measures every call shape on a real stand-in (no timing assertions)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.embedded

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "measure_call_costs.py"


def test_every_call_shape_is_measured_on_both_sides() -> None:
    out = subprocess.run(
        [sys.executable, str(SCRIPT), "--calls", "3", "--json"], check=True, capture_output=True, text=True, timeout=120
    )
    report = json.loads(out.stdout)
    assert report["calls_per_shape"] == 3
    calls = [row["call"] for row in report["shapes"]]
    assert any("UpdateItem join" in c for c in calls) and any("PutEvents" in c for c in calls)
    for row in report["shapes"]:
        assert row["caller_ms"] > 0, row  # every call did real work in botocore
        assert row["moto_ms"] >= 0, row  # /proc ticks are 10 ms: a few calls may round to nothing
