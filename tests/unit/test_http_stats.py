"""GET /stats: the claims an HTTP API JWT authorizer passes decide who gets the figures."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from aicc.adapters.memory.analytics import MemoryAnalytics
from aicc.ports.analytics import TurnRecord


@pytest.fixture
def stats_handler(monkeypatch: pytest.MonkeyPatch) -> Any:
    import handlers.http_stats as module

    analytics = MemoryAnalytics()
    today = datetime.now(UTC).date().isoformat()
    analytics.record_turn(TurnRecord(turn_id="t-1", conversation_id="c", day=today), {"turns": 1, "intent_greeting": 1})
    monkeypatch.setattr(module, "analytics", analytics)
    return module.handler


def _event(claims: dict[str, Any] | None, query: dict[str, str] | None = None) -> dict[str, Any]:
    authorizer = {"jwt": {"claims": claims, "scopes": None}} if claims is not None else {}
    return {"version": "2.0", "queryStringParameters": query, "requestContext": {"authorizer": authorizer}}


def test_oem_staff_get_the_figures_whichever_way_the_groups_claim_is_written(stats_handler: Any) -> None:
    # API Gateway's JWT authorizer flattens an array claim to "[a b]"; the embedded gateway passes a list.
    for groups in (["oem_staff"], "[oem_staff]", "[customer oem_staff]"):
        answer = stats_handler(_event({"sub": "oem-0001", "cognito:groups": groups}, {"days": "3"}), None)
        assert answer["statusCode"] == 200, groups
        body = json.loads(answer["body"])
        assert body["turns"] == 1 and body["intents"] == {"greeting": 1}


def test_everyone_else_is_refused(stats_handler: Any) -> None:
    assert stats_handler(_event(None), None)["statusCode"] == 401
    assert stats_handler(_event({"sub": "cust-0001", "cognito:groups": ["customer"]}), None)["statusCode"] == 403
    dealer = {"sub": "staff-1", "cognito:groups": ["dealer"], "custom:dealer_id": "dlr-north"}
    assert stats_handler(_event(dealer), None)["statusCode"] == 403
    oem = {"sub": "oem-0001", "cognito:groups": ["oem_staff"]}
    for days in ("0", "91", "-1", "1.5", "x"):
        assert stats_handler(_event(oem, {"days": days}), None)["statusCode"] == 400, days
