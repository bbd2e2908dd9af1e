"""CDH insights: open recalls, warranty, service due, churn risk, lifetime value and one next-best action.

`insights` is pure and deterministic over the stored customer document, their appointments and
`today`; `customer_insights` reads those through the ports. The reference data (recalls, warranty
terms, maintenance schedule) comes from `aicc.data.reference`.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import UTC, date
from typing import Any

from aicc.data.reference import (
    in_service_date,
    maintenance_schedule,
    mileage_miles,
    passage_title,
    powertrain,
    recalls,
    vehicle_age_years,
    vehicle_label,
    warranty_terms,
)
from aicc.ports.appointments import Appointments
from aicc.ports.customers import Customers
from contracts.common import Source
from contracts.events import (
    Appointment,
    EventMeta,
    InsightsComputed,
    NextBestAction,
    RecallNotice,
    ServiceDue,
    WarrantyStatus,
)

# Expected yearly spend at the dealer per vehicle (scheduled maintenance at the published prices plus wear
# items); electric cars need far less service.
ANNUAL_SERVICE_VALUE = {"gasoline": 450.0, "hybrid": 400.0, "plug_in_hybrid": 400.0, "electric": 250.0}
OWNERSHIP_YEARS = 10
_SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def add_months(start: date, months: int) -> date:
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    month += 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


# --- recalls --------------------------------------------------------------------------------------


def _serial(vin: str) -> int | None:
    tail = vin[-6:]
    return int(tail) if tail.isdigit() else None


def recall_applies(recall: dict[str, Any], vehicle: dict[str, Any]) -> bool:
    if vehicle.get("model") not in recall["models"] or vehicle.get("model_year") not in recall["years"]:
        return False
    if recall.get("trims") and vehicle.get("trim") not in recall["trims"]:
        return False
    serials = recall.get("vin_serials")
    if serials:
        serial = _serial(str(vehicle.get("vin", "")))
        return serial is not None and int(serials["from"]) <= serial <= int(serials["to"])
    return True


def open_recalls(vehicle: dict[str, Any]) -> list[dict[str, Any]]:
    """Recalls that apply to the vehicle and that the record does not mark as repaired."""
    done = set(vehicle.get("recalls_completed", []))
    found = [r for r in recalls() if recall_applies(r, vehicle) and r["recall_id"] not in done]
    return sorted(found, key=lambda r: (_SEVERITY_RANK[r["severity"]], r["recall_id"]))


# --- warranty -------------------------------------------------------------------------------------


def warranty_status(vehicle: dict[str, Any], today: date) -> list[tuple[WarrantyStatus, dict[str, Any]]]:
    """Coverages still in force (expired ones are left out), expiring-soon first."""
    terms = warranty_terms()
    soon_days, soon_miles = int(terms["expiring_soon_days"]), int(terms["expiring_soon_miles"])
    start = in_service_date(vehicle)
    miles = mileage_miles(vehicle)
    kind = powertrain(str(vehicle["model"]), vehicle.get("trim"))
    active: list[tuple[WarrantyStatus, dict[str, Any]]] = []
    for coverage in terms["coverages"]:
        if coverage["powertrains"] and kind not in coverage["powertrains"]:
            continue
        ends_on = add_months(start, int(coverage["months"]))
        ends_at = coverage.get("miles")
        if ends_on <= today or (ends_at is not None and miles is not None and miles >= ends_at):
            continue
        soon = (ends_on - today).days <= soon_days or (
            ends_at is not None and miles is not None and ends_at - miles <= soon_miles
        )
        status = WarrantyStatus(
            vin=str(vehicle["vin"]),
            coverage=str(coverage["name"]),
            expires_on=ends_on.isoformat(),
            expires_at_mileage=ends_at,
            expiring_soon=soon,
        )
        active.append((status, coverage))
    active.sort(key=lambda pair: not pair[0].expiring_soon)
    return active


def basic_warranty_active(vehicle: dict[str, Any], today: date) -> bool:
    return any(coverage["code"] == "basic" for _, coverage in warranty_status(vehicle, today))


# --- service due ----------------------------------------------------------------------------------


def schedule_for(vehicle: dict[str, Any]) -> dict[str, Any] | None:
    kind = powertrain(str(vehicle["model"]), vehicle.get("trim"))
    for schedule in maintenance_schedule()["schedules"]:
        if schedule["model"] == vehicle.get("model") and kind in schedule["powertrains"]:
            return dict(schedule)
    return None


def _appointment_start(appointment: Appointment) -> date:
    """The day it starts, in UTC like `today` (a naive start is taken as it is)."""
    start = appointment.slot.start
    return (start.astimezone(UTC) if start.tzinfo else start).date()


def _is_service(appointment: Appointment) -> bool:
    return appointment.kind == "service" and appointment.status == "booked"


def last_service_date(
    customer: dict[str, Any], appointments: Sequence[Appointment], vin: str, today: date
) -> date | None:
    """The latest known dealer visit for the car: a past service appointment or a service booking in history."""
    seen: list[date] = []
    for appointment in appointments:
        start = _appointment_start(appointment)
        if _is_service(appointment) and start <= today and appointment.vin in (None, vin):
            seen.append(start)
    for item in customer.get("history", []):
        if item.get("intent") == "service_booking" and item.get("at"):
            at = date.fromisoformat(str(item["at"])[:10])
            if at <= today:
                seen.append(at)
    return max(seen) if seen else None


def service_due(vehicle: dict[str, Any], last_service: date | None, today: date) -> list[ServiceDue]:
    """Scheduled services due within the 'due soon' window by mileage or date, or overdue.

    Mileage: the next multiple of the interval above the odometer. Time: from the last known service
    (overdue once the interval has passed), else the in-service date's cycle (we assume the schedule was
    kept when no visit is on record, so nothing is called overdue without evidence).
    """
    schedule = schedule_for(vehicle)
    if schedule is None:
        return []
    window = maintenance_schedule()
    soon_miles, soon_days = int(window["due_soon_miles"]), int(window["due_soon_days"])
    miles = mileage_miles(vehicle)
    start = in_service_date(vehicle)
    vin = str(vehicle["vin"])
    due: list[ServiceDue] = []
    for item in schedule["items"]:
        due_miles: int | None = None
        due_on: date | None = None
        overdue = False
        if item.get("every_miles") and miles is not None:
            every = int(item["every_miles"])
            candidate = (miles // every + 1) * every
            if candidate - miles <= soon_miles:
                due_miles = candidate
        if item.get("every_months"):
            months = int(item["every_months"])
            if last_service is not None and months <= 24:
                candidate_on = add_months(last_service, months)
                overdue = candidate_on < today
            else:
                cycles = 1
                while add_months(start, months * cycles) < today:
                    cycles += 1
                candidate_on = add_months(start, months * cycles)
            if overdue or (candidate_on - today).days <= soon_days:
                due_on = candidate_on
        if item.get("first_at_miles") and miles is not None and 0 <= int(item["first_at_miles"]) - miles <= soon_miles:
            due_miles = int(item["first_at_miles"])
        if item.get("first_at_months"):
            first_on = add_months(start, int(item["first_at_months"]))
            if 0 <= (first_on - today).days <= soon_days:
                due_on = first_on
        if due_miles is not None or due_on is not None:
            due.append(
                ServiceDue(
                    vin=vin,
                    service=str(item["name"]),
                    due_at_mileage=due_miles,
                    due_on=due_on.isoformat() if due_on else None,
                    overdue=overdue,
                )
            )
    due.sort(key=lambda s: (not s.overdue, s.due_on or "9999"))
    return due


# --- churn and value ------------------------------------------------------------------------------


def churn_risk(
    customer: dict[str, Any], appointments: Sequence[Appointment], today: date, any_basic_warranty: bool
) -> float:
    """Additive score in [0, 1], a transparent stand-in for a trained model:

    0.10 base
    + 0.20 per complaint in the history (at most 0.40): unresolved friction is the strongest signal
    + 0.15 when nothing was heard from them (history or appointment) in the last 365 days
    + 0.15 when no vehicle is under the Basic warranty any more (owners drift to independent shops)
    + 0.10 when even their newest vehicle is 5+ years old (in the market for a replacement)
    - 0.10 when a future appointment is booked
    - 0.05 when they own more than one Aurora
    """
    vehicles = customer.get("vehicles", [])
    history = customer.get("history", [])
    complaints = sum(1 for h in history if h.get("intent") == "complaint")
    contacts = [date.fromisoformat(str(h["at"])[:10]) for h in history if h.get("at")]
    contacts += [_appointment_start(a) for a in appointments]
    upcoming = any(_appointment_start(a) >= today for a in appointments if a.status == "booked")
    score = 0.10 + min(0.40, 0.20 * complaints)
    if not any((today - d).days <= 365 for d in contacts):
        score += 0.15
    if vehicles and not any_basic_warranty:
        score += 0.15
    if vehicles and min(vehicle_age_years(v, today) for v in vehicles) >= 5:
        score += 0.10
    if upcoming:
        score -= 0.10
    if len(vehicles) > 1:
        score -= 0.05
    return round(min(1.0, max(0.0, score)), 2)


def lifetime_value(customer: dict[str, Any], churn: float, today: date) -> float:
    """Spend so far plus expected future service spend, discounted by the chance they leave:

    lifetime_spend + sum over vehicles of max(0, 10 - age in years) * annual service value of its
    powertrain (gasoline $450, hybrid/plug-in $400, electric $250) * (1 - churn_risk).
    """
    future = 0.0
    for vehicle in customer.get("vehicles", []):
        remaining = max(0.0, OWNERSHIP_YEARS - vehicle_age_years(vehicle, today))
        kind = powertrain(str(vehicle["model"]), vehicle.get("trim"))
        future += remaining * ANNUAL_SERVICE_VALUE.get(kind, 400.0)
    spend = float(customer.get("lifetime_spend") or 0)
    return round(max(0.0, spend + future * (1.0 - churn)), 2)


# --- next best action -----------------------------------------------------------------------------


def next_best_action(
    recalls_found: list[tuple[dict[str, Any], dict[str, Any]]],
    warranty: list[WarrantyStatus],
    due: list[ServiceDue],
    churn: float,
    upcoming_service: date | None,
    vehicles: list[dict[str, Any]],
    today: date,
) -> NextBestAction | None:
    """The one thing most worth doing next, safety first, then money the customer would otherwise lose."""
    labels = {str(v["vin"]): vehicle_label(v) for v in vehicles}
    urgent = [(r, v) for r, v in recalls_found if r["severity"] in {"critical", "high"}]
    if urgent:
        recall, vehicle = urgent[0]
        return NextBestAction(
            action="book_recall_repair",
            reason=f"Open {recall['severity']}-severity recall {recall['recall_id']} ({recall['title']}) on the "
            f"{vehicle_label(vehicle)}; the repair is free at any Aurora dealer.",
        )
    overdue = [s for s in due if s.overdue]
    if overdue and upcoming_service is None:
        item = overdue[0]
        return NextBestAction(
            action="book_overdue_service",
            reason=f"{item.service} on the {labels.get(item.vin, 'vehicle')} was due on {item.due_on}.",
        )
    expiring_basic = [w for w in warranty if w.expiring_soon and w.coverage.startswith("Basic")]
    if expiring_basic:
        status = expiring_basic[0]
        return NextBestAction(
            action="consider_aurora_care",
            reason=f"The Basic warranty on the {labels.get(status.vin, 'vehicle')} ends on {status.expires_on} or at "
            f"{status.expires_at_mileage:,} miles; an Aurora Care plan can only be bought before then.",
        )
    if recalls_found:
        recall, vehicle = recalls_found[0]
        return NextBestAction(
            action="book_recall_repair",
            reason=f"Open recall {recall['recall_id']} ({recall['title']}) on the {vehicle_label(vehicle)}; "
            "the repair is free at any Aurora dealer.",
        )
    if due and upcoming_service is None:
        item = due[0]
        when = f"on {item.due_on}" if item.due_on else f"at {item.due_at_mileage:,} miles"
        return NextBestAction(
            action="book_service",
            reason=f"{item.service} on the {labels.get(item.vin, 'vehicle')} is due {when}.",
        )
    if churn >= 0.5:
        return NextBestAction(
            action="customer_care_follow_up",
            reason=f"Churn risk is {churn:.2f}: recent complaints or little contact; a personal call may help.",
        )
    old = [v for v in vehicles if vehicle_age_years(v, today) >= 5 or (mileage_miles(v) or 0) >= 60000]
    if old:
        vehicle = old[0]
        return NextBestAction(
            action="get_trade_in_estimate",
            reason=f"The {vehicle_label(vehicle)} is out of its Powertrain warranty window (5 years or 60,000 miles); "
            "a trade-in estimate opens an upgrade conversation.",
        )
    return None


def customer_insights(
    meta: EventMeta, *, customers: Customers, appointments: Appointments, today: date
) -> InsightsComputed:
    """`insights` for the turn's customer, read through the ports (no appointments read for an unknown one)."""
    customer = customers.get(meta.customer_id)
    booked = [b.appointment for b in appointments.of_customer(meta.customer_id)] if customer else []
    return insights(customer, booked, meta, today)


def insights(
    customer: dict[str, Any] | None, appointments: Sequence[Appointment], meta: EventMeta, today: date
) -> InsightsComputed:
    """Everything CDH knows about the customer that may shape this turn's reply."""
    if customer is None:
        return InsightsComputed(meta=meta, churn_risk=0.0, lifetime_value=0.0)
    vehicles: list[dict[str, Any]] = list(customer.get("vehicles", []))
    sources: dict[str, Source] = {}
    notices: list[RecallNotice] = []
    recalls_found: list[tuple[dict[str, Any], dict[str, Any]]] = []
    warranty: list[WarrantyStatus] = []
    due: list[ServiceDue] = []
    any_basic = False
    upcoming = sorted(d for d in (_appointment_start(a) for a in appointments if _is_service(a)) if d >= today)
    upcoming_service = upcoming[0] if upcoming else None
    for vehicle in vehicles:
        vin = str(vehicle["vin"])
        for recall in open_recalls(vehicle):
            recalls_found.append((recall, vehicle))
            notices.append(
                RecallNotice(
                    recall_id=recall["recall_id"],
                    vin=vin,
                    title=recall["title"],
                    remedy=recall["remedy"],
                    severity=recall["severity"],
                )
            )
            sources[recall["uri"]] = Source(title=passage_title(recall["doc_id"]), uri=recall["uri"])
        for status, coverage in warranty_status(vehicle, today):
            warranty.append(status)
            any_basic = any_basic or coverage["code"] == "basic"
            sources[coverage["uri"]] = Source(title=passage_title(coverage["doc_id"]), uri=coverage["uri"])
        vehicle_due = service_due(vehicle, last_service_date(customer, appointments, vin, today), today)
        if vehicle_due:
            schedule = schedule_for(vehicle)
            assert schedule is not None
            sources[schedule["uri"]] = Source(title=passage_title(schedule["doc_id"]), uri=schedule["uri"])
        due.extend(vehicle_due)
    recalls_found.sort(key=lambda pair: _SEVERITY_RANK[pair[0]["severity"]])
    notices.sort(key=lambda n: _SEVERITY_RANK[n.severity])
    warranty.sort(key=lambda w: not w.expiring_soon)
    churn = churn_risk(customer, appointments, today, any_basic)
    return InsightsComputed(
        meta=meta,
        open_recalls=notices,
        warranty=warranty,
        service_due=due,
        churn_risk=churn,
        lifetime_value=lifetime_value(customer, churn, today),
        next_best_action=next_best_action(recalls_found, warranty, due, churn, upcoming_service, vehicles, today),
        sources=list(sources.values()),
    )
