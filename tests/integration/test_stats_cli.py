"""`aicc stats` on moto: the days' counters written by the analytics adapter, summed into the same
JSON the command has always printed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from moto import mock_aws

from aicc import cli
from aicc.adapters.dynamodb.analytics import DynamoDBAnalytics
from aicc.ports.analytics import TurnRecord
from aicc.runtime.tables import TABLES, create_table_kwargs

PREFIX = "aicc-stats-cli-"


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    # A real AWS endpoint keeps `aicc stats` from pointing boto3 at the embedded stack; moto answers it.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://dynamodb.us-east-1.amazonaws.com")
    # A prefix of its own: moto's state is shared with any other mock_aws active in the session.
    monkeypatch.setenv("AICC_TABLE_PREFIX", PREFIX)
    with mock_aws():
        import boto3

        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(**create_table_kwargs(TABLES["analytics"], PREFIX))  # type: ignore[arg-type]
        yield client
        client.delete_table(TableName=f"{PREFIX}analytics")


def test_stats_json_sums_the_days_asked_for(dynamodb: Any, capsys: pytest.CaptureFixture[str]) -> None:
    today = datetime.now(UTC).date()
    analytics = DynamoDBAnalytics(dynamodb, f"{PREFIX}analytics")
    for turn_id, days_ago, counters in (
        ("t-1", 0, {"turns": 1, "degraded": 0, "intent_greeting": 1, "latency_le_125": 1, "sentiment_neutral": 1}),
        ("t-2", 1, {"turns": 1, "degraded": 1, "escalations": 1, "queue_service": 1, "latency_le_1000": 1}),
        ("t-3", 2, {"turns": 1, "undelivered": 1, "latency_le_50": 1}),
    ):
        day = (today - timedelta(days=days_ago)).isoformat()
        analytics.record_turn(TurnRecord(turn_id=turn_id, conversation_id="c", day=day), counters)

    assert cli.main(["stats", "--json", "--days", "2"]) == 0
    printed = capsys.readouterr().out
    assert printed == (
        json.dumps(
            {
                "turns": 2,
                "intents": {"greeting": 1},
                "sentiment": {"neutral": 1},
                "escalations": 1,
                "queues": {"service": 1},
                "p50_ms": 125.0,
                "p95_ms": 1000.0,
                "degraded_share": 0.5,
                "undelivered": 0,
                "bookings": 0,
                "booking_kinds": {},
                "by_day": [
                    {
                        "day": (today - timedelta(days=1)).isoformat(),
                        "turns": 1,
                        "sentiment": {},
                        "escalations": 1,
                        "degraded_share": 1.0,
                        "bookings": 0,
                    },
                    {
                        "day": today.isoformat(),
                        "turns": 1,
                        "sentiment": {"neutral": 1},
                        "escalations": 0,
                        "degraded_share": 0.0,
                        "bookings": 0,
                    },
                ],
            }
        )
        + "\n"
    )
