"""Product recommendations: budget, family size and profile shape the items and their reasons."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from aicc.adapters.memory.customers import MemoryCustomers
from aicc.agents.recommendations import customer_recommendations, parse_budget, recommend
from aicc.data.reference import catalog
from aicc.seed import demo_customers
from contracts.common import Entities, Intent
from contracts.events import EventMeta, IntentDetected

CUSTOMERS = {c["customer_id"]: c for c in demo_customers()}
META = EventMeta(
    turn_id="turn-1", conversation_id="conv-1", customer_id="cust-0013", causation_id="evt-1",
    producer="recommendations", occurred_at=datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
)  # fmt: skip
PRICES = {t["sku"]: t["price"] for m in catalog()["models"] for t in m["trims"]}


def _intent(text: str, intent: Intent = "purchase_inquiry", **entities: Any) -> IntentDetected:
    return IntentDetected(
        meta=META, text=text, intent=intent, confidence=0.9, entities=Entities(**entities), model="test"
    )


@pytest.mark.parametrize(
    ("text", "budget"),
    [
        ("something under 40k", 40000),
        ("my budget is $35,000", 35000),
        ("no more than 45 grand", 45000),
        ("around 30 thousand", 30000),
        ("I can pay $400 a month", None),
        ("a 2024 model please", None),
    ],
)
def test_budget_cues_in_the_message(text: str, budget: int | None) -> None:
    assert parse_budget(text) == budget


def test_budget_and_family_size_shape_the_reasons() -> None:
    # Charlotte: household of 6 -> only the 7-seat Borealis fits; under 40k -> the LX.
    result = recommend(_intent("We need a new car, under 40k"), CUSTOMERS["cust-0013"], META)
    trims = [i for i in result.items if i.kind == "trim"]
    assert [i.sku for i in trims] == ["BOR-LX"]
    assert "$40,000 budget" in trims[0].reason and "household of 6" in trims[0].reason
    assert 1 <= len(result.items) <= 4
    assert all(s.uri.startswith("https://www.aurora-motors.example/") for s in result.sources)


def test_every_trim_respects_the_budget_entity() -> None:
    result = recommend(_intent("what can I get", budget=30000), CUSTOMERS["cust-0004"], META)  # household of 1
    trims = [i for i in result.items if i.kind == "trim"]
    assert trims and all(PRICES[i.sku] <= 30000 for i in trims)
    assert all("$30,000 budget" in i.reason for i in trims)


def test_without_a_budget_family_size_still_decides() -> None:
    big = recommend(_intent("which car should I buy"), CUSTOMERS["cust-0008"], META)  # household of 5
    assert big.items[0].sku.startswith("BOR-")
    assert "household of 5" in big.items[0].reason


def test_message_cues_favour_matching_models() -> None:
    electric = recommend(_intent("what electric cars do you have"), None, META)
    assert electric.items[0].sku.startswith("CIR-") and "electric" in electric.items[0].reason
    towing = recommend(_intent("I need a truck to tow my boat"), None, META)
    assert towing.items[0].sku.startswith("DUN-")


def test_accessories_fit_the_customers_car_and_include_a_plan() -> None:
    result = recommend(_intent("roof rack for our bikes", "parts_accessories"), CUSTOMERS["cust-0001"], META)
    assert result.items[0].sku == "ACC-XBAR-AST" and result.items[0].price == 299
    assert "2021 Aster" in result.items[0].reason
    assert not any(i.sku.endswith(("-BOR", "-CIR", "-DUN")) for i in result.items)
    assert result.items[-1].kind == "service_plan"
    ev = recommend(_intent("do you sell a home charger", "parts_accessories"), CUSTOMERS["cust-0008"], META)
    assert "ACC-CHARGER" in [i.sku for i in ev.items]
    plan = next(i for i in ev.items if i.kind == "service_plan")
    assert plan.sku.startswith("CARE-") and "Basic warranty" in plan.reason  # still under Basic warranty


def test_the_turns_customer_is_read_through_the_port() -> None:
    customers = MemoryCustomers(CUSTOMERS.values())
    message = _intent("We need a new car, under 40k")
    result = customer_recommendations(message, META, customers=customers)  # META's cust-0013: a household of 6
    assert result == recommend(message, CUSTOMERS["cust-0013"], META)
    assert "household of 6" in result.items[0].reason
    stranger = customer_recommendations(
        message, META.model_copy(update={"customer_id": "cust-none"}), customers=customers
    )
    assert stranger == recommend(message, None, META.model_copy(update={"customer_id": "cust-none"}))
    assert all("household" not in item.reason for item in stranger.items)
