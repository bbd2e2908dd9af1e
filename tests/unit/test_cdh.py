"""CDH insights on demo customers: recalls, warranty, service due, churn, lifetime value, next-best action."""

from __future__ import annotations

from datetime import UTC, date, datetime

from aicc.adapters.memory.appointments import MemoryAppointments
from aicc.adapters.memory.customers import MemoryCustomers
from aicc.agents.cdh import churn_risk, customer_insights, insights
from aicc.ports.appointments import Booking
from aicc.seed import demo_customers
from contracts.events import Appointment, EventMeta, Slot

CUSTOMERS = {c["customer_id"]: c for c in demo_customers()}
TODAY = date(2026, 11, 1)
META = EventMeta(
    turn_id="turn-1", conversation_id="conv-1", customer_id="cust-0002", causation_id="evt-1",
    producer="cdh", occurred_at=datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
)  # fmt: skip


def service_visit(start: str, vin: str | None = None, *, slot_id: str = "service#dlr-harbor#x#1") -> Appointment:
    return Appointment(
        appointment_id=f"appt-{start}",
        kind="service",
        slot=Slot(slot_id=slot_id, dealer_id="dlr-harbor", start=datetime.fromisoformat(start)),
        vin=vin,
        status="booked",
    )


def test_a_vin_with_an_open_recall() -> None:
    result = insights(CUSTOMERS["cust-0002"], [], META, TODAY)  # 2023 Borealis LX
    assert [(r.recall_id, r.vin, r.severity) for r in result.open_recalls] == [
        ("R-2023-014", "5ARBX1E26PH000162", "high")
    ]
    assert any(s.uri == "https://recalls.aurora-motors.example/R-2023-014" for s in result.sources)
    assert result.next_best_action is not None and result.next_best_action.action == "book_recall_repair"
    assert "R-2023-014" in result.next_best_action.reason


def test_a_vin_without_recalls() -> None:
    assert insights(CUSTOMERS["cust-0003"], [], META, TODAY).open_recalls == []  # 2024 Aster
    # 2025 Borealis EX: R-2025-003 is for the Plug-in Hybrid trim only.
    ethan = insights(CUSTOMERS["cust-0010"], [], META, TODAY)
    assert [r.recall_id for r in ethan.open_recalls] == ["R-2021-022"]  # his 2022 Aster has one


def test_recalls_on_two_vehicles_are_ordered_by_severity() -> None:
    result = insights(CUSTOMERS["cust-0005"], [], META, TODAY)
    assert [r.recall_id for r in result.open_recalls] == ["R-2023-014", "R-2024-007"]


def test_warranty_expiring_soon_leads_to_aurora_care() -> None:
    result = insights(CUSTOMERS["cust-0017"], [], META, TODAY)  # 2024 Dune bought 2024-01-14, 31,200 mi
    basic = result.warranty[0]
    assert basic.coverage.startswith("Basic")
    assert (basic.expires_on, basic.expires_at_mileage, basic.expiring_soon) == ("2027-01-14", 36000, True)
    powertrain = next(w for w in result.warranty if w.coverage == "Powertrain")
    assert powertrain.expiring_soon is False
    # The open R-2024-007 recall is medium severity: an expiring warranty comes first.
    assert result.next_best_action is not None and result.next_best_action.action == "consider_aurora_care"


def test_expired_coverages_are_left_out_and_battery_coverage_only_for_electrified_cars() -> None:
    ava = insights(CUSTOMERS["cust-0001"], [], META, TODAY)  # 2021 Aster S, 70,900 mi
    assert [w.coverage for w in ava.warranty] == ["Corrosion perforation"]
    noah = insights(CUSTOMERS["cust-0004"], [], META, TODAY)  # 2023 Cirrus
    assert "EV and hybrid battery" in [w.coverage for w in noah.warranty]


def test_service_due_by_mileage() -> None:
    result = insights(CUSTOMERS["cust-0004"], [], META, TODAY)  # Cirrus at 28,200 mi
    due = {s.service: s for s in result.service_due}
    assert due["Tire rotation"].due_at_mileage == 30000
    assert "Oil and filter change" not in " ".join(due), "the Cirrus has no oil changes"
    assert result.next_best_action is not None and result.next_best_action.action == "book_service"


def test_service_overdue_from_the_last_visit_on_record() -> None:
    visit = service_visit("2025-09-15T09:00:00", "5ARAX1E29RK000187")
    result = insights(CUSTOMERS["cust-0003"], [visit], META, TODAY)  # 2024 Aster S
    oil = next(s for s in result.service_due if s.service.startswith("Oil"))
    assert oil.overdue and oil.due_on == "2026-09-15"
    assert result.next_best_action is not None and result.next_best_action.action == "book_overdue_service"
    upcoming = service_visit("2026-11-10T09:00:00", "5ARAX1E29RK000187")
    booked = insights(CUSTOMERS["cust-0003"], [visit, upcoming], META, TODAY)
    assert booked.next_best_action is None or booked.next_best_action.action != "book_overdue_service"


def test_churn_and_lifetime_value() -> None:
    complaints = insights(CUSTOMERS["cust-0022"], [], META, TODAY)  # two complaints this year
    calm = insights(CUSTOMERS["cust-0021"], [], META, TODAY)
    assert 0.0 <= calm.churn_risk < complaints.churn_risk <= 1.0
    assert complaints.churn_risk >= 0.5
    assert complaints.lifetime_value >= CUSTOMERS["cust-0022"]["lifetime_spend"]
    for customer in CUSTOMERS.values():
        result = insights(customer, [], META, TODAY)
        assert 0.0 <= result.churn_risk <= 1.0 and result.lifetime_value >= 0.0
    booked = [service_visit("2026-11-20T09:00:00")]
    assert churn_risk(CUSTOMERS["cust-0022"], booked, TODAY, True) < churn_risk(CUSTOMERS["cust-0022"], [], TODAY, True)


def test_unknown_customer() -> None:
    result = insights(None, [], META, TODAY)
    assert result.open_recalls == [] and result.warranty == [] and result.service_due == []
    assert (result.churn_risk, result.lifetime_value, result.next_best_action) == (0.0, 0.0, None)


def test_insights_read_the_customer_and_their_appointments_through_the_ports() -> None:
    appointments = MemoryAppointments()
    visit = service_visit(
        "2025-09-15T09:00:00-07:00", "5ARAX1E29RK000187", slot_id="service#dlr-harbor#2025-09-15T09:00#1"
    )
    held = Booking(
        appointment=visit,
        customer_id="cust-0003",
        conversation_id="conv-1",
        turn_id="turn-0",
        booked_at=datetime(2025, 9, 1, tzinfo=UTC),
    )
    assert appointments.hold(held) == held
    meta = META.model_copy(update={"customer_id": "cust-0003"})
    customers = MemoryCustomers(CUSTOMERS.values())
    result = customer_insights(meta, customers=customers, appointments=appointments, today=TODAY)
    assert result == insights(CUSTOMERS["cust-0003"], [visit], meta, TODAY)
    oil = next(s for s in result.service_due if s.service.startswith("Oil"))
    assert oil.overdue and oil.due_on == "2026-09-15"  # the visit on record counts
    unknown = customer_insights(
        meta.model_copy(update={"customer_id": "cust-none"}),
        customers=customers,
        appointments=appointments,
        today=TODAY,
    )
    assert (unknown.churn_risk, unknown.lifetime_value, unknown.open_recalls) == (0.0, 0.0, [])


def test_an_appointment_counts_on_its_day_in_utc_like_today() -> None:
    # 17:00 in Los Angeles on 31 October is 1 November in UTC: booked "today", so upcoming.
    late = service_visit("2026-10-31T17:00:00-07:00")
    assert churn_risk(CUSTOMERS["cust-0022"], [late], TODAY, True) < churn_risk(CUSTOMERS["cust-0022"], [], TODAY, True)
