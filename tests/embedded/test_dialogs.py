"""`aicc eval --dialogs` against a real embedded stack: a 2-conversation suite, one conversation a
customer would call answered and one with a check no reply can meet, so both paths of the score show."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.embedded

SUITE = {
    "conversations": [
        {
            "id": "recall-then-booking",
            "category": "facts",
            "customer": "cust-0001",
            "turns": [
                {"say": "are there any recalls on my car?", "expect": {"must": ["R-2021-022"]}},
                {"say": "can I book a tire rotation at harbor city", "expect": {"slots_offered": True}},
            ],
        },
        {
            "id": "impossible-check",
            "category": "noise",
            "customer": "cust-0004",
            "turns": [
                {"say": "what are the opening hours at harbor city?", "expect": {"must": ["no reply says this"]}}
            ],
        },
    ]
}


def test_a_suite_runs_against_the_stack_and_reports_each_turn(tmp_path: Path) -> None:
    suite = tmp_path / "suite.json"
    suite.write_text(json.dumps(SUITE))
    command = [sys.executable, "-m", "aicc.cli", "eval", "--dialogs", str(suite), "--json"]
    out = subprocess.run([*command, "--min-turn-pass-rate", "0.9"], capture_output=True, text=True, timeout=240)

    # Below the threshold: exit 1, and the report is printed all the same.
    assert out.returncode == 1, out.stderr[-3000:]
    report = json.loads(out.stdout)
    assert (report["conversations"], report["conversations_passed"]) == (2, 1)
    assert (report["turns"], report["turns_passed"]) == (3, 2)
    assert report["by_category"]["facts"]["turn_pass_rate"] == 1.0
    (failure,) = report["failures"]
    assert failure["conversation"] == "impossible-check"
    assert failure["said"] == "what are the opening hours at harbor city?"
    assert "Harbor City" in failure["reply"]
    assert failure["failed"] == [{"kind": "must", "detail": "missing 'no reply says this'"}]
