"""Cockpit assistant: model/year-specific guidance, severity and safety from the data; never invented."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aicc.adapters.memory.customers import MemoryCustomers
from aicc.agents.cockpit import customer_guidance, guide
from aicc.seed import demo_customers
from contracts.common import Entities, Intent
from contracts.events import EventMeta, IntentDetected

CUSTOMERS = {c["customer_id"]: c for c in demo_customers()}
META = EventMeta(
    turn_id="turn-1", conversation_id="conv-1", customer_id="cust-0001", causation_id="evt-1",
    producer="cockpit", occurred_at=datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
)  # fmt: skip


def _intent(text: str, intent: Intent = "vehicle_problem", **entities: Any) -> IntentDetected:
    return IntentDetected(
        meta=META, text=text, intent=intent, confidence=0.9, entities=Entities(**entities), model="test"
    )


def test_the_same_warning_light_on_two_models_gives_model_specific_steps() -> None:
    message = "My tire pressure light came on"
    aster = guide(_intent(message, warning_light="tire_pressure"), CUSTOMERS["cust-0001"], META)  # 2021 Aster
    cirrus = guide(_intent(message, warning_light="tire_pressure"), CUSTOMERS["cust-0004"], META)  # 2023 Cirrus
    assert (aster.model, aster.model_year, cirrus.model, cirrus.model_year) == ("Aster", 2021, "Cirrus", 2023)
    assert aster.topic == cirrus.topic == "tire_pressure"
    assert aster.severity == cirrus.severity == "caution"
    assert aster.safe_to_drive is cirrus.safe_to_drive is True
    assert aster.steps != cirrus.steps
    assert any("35 psi" in s for s in aster.steps) and any("TPMS SET" in s for s in aster.steps)
    assert any("42 psi" in s for s in cirrus.steps) and any("no spare" in s for s in cirrus.steps)
    assert aster.sources[0].uri.endswith("aster/2021-2022#tire-pressure-reset")
    assert cirrus.sources[0].uri.endswith("cirrus#tire-pressure")


def test_model_year_changes_the_guidance() -> None:
    older = guide(_intent("tpms light", model="Aster", model_year=2022, warning_light="tire_pressure"), None, META)
    newer = guide(_intent("tpms light", model="Aster", model_year=2024, warning_light="tire_pressure"), None, META)
    assert any("TPMS SET" in s for s in older.steps)
    assert not any("TPMS SET" in s for s in newer.steps)
    assert any("no reset button" in s.lower() for s in newer.steps)


def test_vin_decides_the_vehicle() -> None:
    # cust-0005 owns a 2023 Borealis and a 2024 Dune; the VIN names the Dune.
    result = guide(
        _intent("oil pressure warning on 5ARDX1E22RK000237", vin="5ARDX1E22RK000237", warning_light="oil_pressure"),
        CUSTOMERS["cust-0005"],
        META,
    )
    assert (result.model, result.model_year) == ("Dune", 2024)
    assert result.severity == "critical" and result.safe_to_drive is False
    assert any("5W-30" in s for s in result.steps)


def test_check_engine_on_the_electric_cirrus_is_its_ev_system_light() -> None:
    result = guide(_intent("check engine light is on", warning_light="check_engine"), CUSTOMERS["cust-0004"], META)
    assert result.topic == "ev_system"
    assert result.sources[0].uri.endswith("#ev-system-warning-light")


def test_a_flashing_check_engine_light_is_critical() -> None:
    result = guide(
        _intent("the check engine light is flashing", warning_light="check_engine"), CUSTOMERS["cust-0002"], META
    )
    assert result.topic == "check_engine_flashing"
    assert (result.severity, result.safe_to_drive) == ("critical", False)


def test_feature_help_uses_the_manual_passage_for_the_model_year() -> None:
    older = guide(_intent("how do I use apple carplay", "vehicle_feature_help"), CUSTOMERS["cust-0001"], META)
    newer = guide(_intent("how do I use apple carplay", "vehicle_feature_help"), CUSTOMERS["cust-0003"], META)
    assert older.topic == newer.topic == "carplay_android_auto"
    assert older.severity is None and older.safe_to_drive is None
    assert "wired" in older.steps[0] and "wireless" in newer.steps[0]
    assert older.sources[0].uri != newer.sources[0].uri


def test_unknown_topic_has_no_steps() -> None:
    result = guide(_intent("what does the purple squiggle mean", "vehicle_feature_help"), CUSTOMERS["cust-0001"], META)
    assert result.topic == "unknown"
    assert result.steps == [] and result.sources == [] and result.severity is None


def test_a_light_the_model_does_not_have_gives_no_invented_steps() -> None:
    result = guide(_intent("oil light on", warning_light="oil_pressure"), CUSTOMERS["cust-0004"], META)  # Cirrus
    assert result.topic == "oil_pressure" and result.steps == [] and result.safe_to_drive is None


def test_the_turns_customer_is_read_through_the_port() -> None:
    customers = MemoryCustomers(CUSTOMERS.values())
    message = _intent("My tire pressure light came on", warning_light="tire_pressure")
    result = customer_guidance(message, META, customers=customers)  # META's cust-0001: a 2021 Aster
    assert result == guide(message, CUSTOMERS["cust-0001"], META)
    assert (result.model, result.model_year) == ("Aster", 2021)
    stranger = customer_guidance(message, META.model_copy(update={"customer_id": "cust-none"}), customers=customers)
    assert stranger.model is None and stranger.topic == "tire_pressure"
