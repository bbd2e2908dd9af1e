"""CDH insights: open recalls, warranty, service due, churn risk, lifetime value and one next-best action,
and the facts a message asks for about the customer's vehicles (each vehicle's recalls, each coverage in
force or ended, the next due service, towing, range and seats from the catalog).

`insights` is pure and deterministic over the stored customer document, their appointments, `today`
and the message; `customer_insights` reads those through the ports. The reference data (recalls,
warranty terms, maintenance schedule, catalog) comes from `aicc.data.reference`.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from datetime import UTC, date
from typing import Any, Literal

from aicc.data.reference import (
    canonical_model,
    in_service_date,
    maintenance_schedule,
    mileage_miles,
    models_by_name,
    passage_title,
    powertrain,
    recalls,
    trim_by_name,
    vehicle_age_years,
    vehicle_label,
    warranty_terms,
)
from aicc.ports.appointments import Appointments
from aicc.ports.customers import Customers
from contracts.common import Source
from contracts.events import (
    Appointment,
    AskedFact,
    ConversationReceived,
    EventMeta,
    InsightsComputed,
    NextBestAction,
    RecallNotice,
    ServiceDue,
    VehicleFacts,
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


def coverage_status(vehicle: dict[str, Any], today: date) -> list[tuple[WarrantyStatus, dict[str, Any]]]:
    """Every coverage the vehicle's powertrain has, in force or ended, in the order of the warranty terms.

    Whichever limit comes first ends a coverage. When both have passed, the day the odometer reached the
    mileage limit is estimated from the car's average daily mileage since its in-service date.
    """
    terms = warranty_terms()
    soon_days, soon_miles = int(terms["expiring_soon_days"]), int(terms["expiring_soon_miles"])
    start = in_service_date(vehicle)
    miles = mileage_miles(vehicle)
    kind = powertrain(str(vehicle["model"]), vehicle.get("trim"))
    found: list[tuple[WarrantyStatus, dict[str, Any]]] = []
    for coverage in terms["coverages"]:
        if coverage["powertrains"] and kind not in coverage["powertrains"]:
            continue
        months = int(coverage["months"])
        ends_on = add_months(start, months)
        ends_at = coverage.get("miles")
        by_date = ends_on <= today
        by_mileage = ends_at is not None and miles is not None and miles >= ends_at
        ended_by: Literal["date", "mileage"] | None = None
        if by_date and by_mileage:
            assert ends_at is not None and miles is not None
            per_day = miles / max(1, (today - start).days)
            ended_by = "mileage" if ends_at / per_day < (ends_on - start).days else "date"
        elif by_date or by_mileage:
            ended_by = "date" if by_date else "mileage"
        soon = ended_by is None and (
            (ends_on - today).days <= soon_days
            or (ends_at is not None and miles is not None and ends_at - miles <= soon_miles)
        )
        status = WarrantyStatus(
            vin=str(vehicle["vin"]),
            coverage=str(coverage["name"]),
            expires_on=ends_on.isoformat(),
            expires_at_mileage=ends_at,
            expiring_soon=soon,
            code=str(coverage["code"]),
            term_months=months,
            ended_by=ended_by,
        )
        found.append((status, coverage))
    return found


def warranty_status(vehicle: dict[str, Any], today: date) -> list[tuple[WarrantyStatus, dict[str, Any]]]:
    """Coverages still in force (ended ones are left out), expiring-soon first."""
    active = [pair for pair in coverage_status(vehicle, today) if pair[0].ended_by is None]
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


def _next_due(
    item: dict[str, Any], miles: int | None, start: date, last_service: date | None, today: date
) -> tuple[int | None, date | None, bool]:
    """The item's next occurrence (mileage, date, overdue), however far ahead; (None, None, False) when a
    one-off item is behind the car.

    Mileage: the next multiple of the interval above the odometer. Time: from the last known service
    (overdue once the interval has passed), else the in-service date's cycle (we assume the schedule was
    kept when no visit is on record, so nothing is called overdue without evidence).
    """
    due_miles: int | None = None
    due_on: date | None = None
    overdue = False
    if item.get("every_miles") and miles is not None:
        every = int(item["every_miles"])
        due_miles = (miles // every + 1) * every
    if item.get("every_months"):
        months = int(item["every_months"])
        if last_service is not None and months <= 24:
            due_on = add_months(last_service, months)
            overdue = due_on < today
        else:
            cycles = 1
            while add_months(start, months * cycles) < today:
                cycles += 1
            due_on = add_months(start, months * cycles)
    if item.get("first_at_miles") and miles is not None and int(item["first_at_miles"]) >= miles:
        due_miles = int(item["first_at_miles"])
    if item.get("first_at_months"):
        first_on = add_months(start, int(item["first_at_months"]))
        if first_on >= today:
            due_on = first_on
    return due_miles, due_on, overdue


def _due(
    vehicle: dict[str, Any], item: dict[str, Any], due_miles: int | None, due_on: date | None, overdue: bool
) -> ServiceDue:
    return ServiceDue(
        vin=str(vehicle["vin"]),
        service=str(item["name"]),
        due_at_mileage=due_miles,
        due_on=due_on.isoformat() if due_on else None,
        overdue=overdue,
    )


def service_due(vehicle: dict[str, Any], last_service: date | None, today: date) -> list[ServiceDue]:
    """Scheduled services due within the 'due soon' window by mileage or date, or overdue."""
    schedule = schedule_for(vehicle)
    if schedule is None:
        return []
    window = maintenance_schedule()
    soon_miles, soon_days = int(window["due_soon_miles"]), int(window["due_soon_days"])
    miles = mileage_miles(vehicle)
    start = in_service_date(vehicle)
    due: list[ServiceDue] = []
    for item in schedule["items"]:
        due_miles, due_on, overdue = _next_due(item, miles, start, last_service, today)
        if due_miles is not None and miles is not None and due_miles - miles > soon_miles:
            due_miles = None
        if due_on is not None and not overdue and (due_on - today).days > soon_days:
            due_on = None
        if due_miles is not None or due_on is not None:
            due.append(_due(vehicle, item, due_miles, due_on, overdue))
    due.sort(key=lambda s: (not s.overdue, s.due_on or "9999"))
    return due


def next_services(
    vehicle: dict[str, Any], last_service: date | None, today: date, service: str | None, limit: int = 3
) -> list[ServiceDue]:
    """The next occurrence of `service` on the vehicle's schedule, or (when the car has no such service, or
    none was named) its `limit` soonest scheduled services, soonest first by the car's average daily mileage."""
    schedule = schedule_for(vehicle)
    if schedule is None:
        return []
    miles = mileage_miles(vehicle)
    start = in_service_date(vehicle)
    per_day = (miles or 0) / max(1, (today - start).days)
    items = [i for i in schedule["items"] if i["service"] == service] or list(schedule["items"])
    found: list[tuple[float, ServiceDue]] = []
    for item in items:
        due_miles, due_on, overdue = _next_due(item, miles, start, last_service, today)
        waits: list[float] = []
        if due_on is not None:
            waits.append((due_on - today).days)
        if due_miles is not None and miles is not None and per_day > 0:
            waits.append((due_miles - miles) / per_day)
        if not waits:
            continue
        found.append((-1.0 if overdue else min(waits), _due(vehicle, item, due_miles, due_on, overdue)))
    found.sort(key=lambda pair: (pair[0], pair[1].service))
    return [due for _, due in found[:limit]]


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


# --- what the message asks ------------------------------------------------------------------------

# Each pattern asks for a fact about the car, not for a product ("I need a tow" is not a towing question,
# "the Cirrus Long Range" is not a range question).
_ASKS: dict[AskedFact, re.Pattern[str]] = {
    "recalls": re.compile(r"\brecall", re.I),
    "warranty": re.compile(r"\b(warrant\w*|guarantee|covered|coverage)\b", re.I),
    "towing": re.compile(
        r"\btow(?:ing)?[- ](?:capacity|rating|limit)|\bmax(?:imum)? tow|\bhow (?:much|heavy)\b[^?.!]*\b(?:can|will)\b"
        r"[^?.!]*\btow\b|\b(?:can|could|will)\s+(?:my|the|a|an|it|this|that|our)\b[^?.!]*\btow\b(?!\s+truck)",
        re.I,
    ),
    "range": re.compile(
        r"(?<!long )(?<!long-)(?<!standard )(?<!price )\brange\b|\bhow far\b[^?.!]*\b(?:charge|go|drive|battery)|"
        r"\bmiles (?:on|per|from) (?:a |one )?(?:full )?charge\b",
        re.I,
    ),
    "seats": re.compile(
        r"\bhow many (?:seats|people|passengers|adults|kids)\b|\b(?:\d|five|six|seven|eight)[- ]?(?:seats?|seater)\b|"
        r"\bseats? (?:\d|five|six|seven|eight)\b|\bthird row\b|\bseating\b",
        re.I,
    ),
    # The price of a car, or its trims ("is there a hybrid version?"); a service or an accessory
    # named in the message makes it that thing's price instead (see `asked_facts`).
    "price": re.compile(
        r"\b(?:price[ds]?|msrp|cost|costs|cheapest|least expensive|most affordable|start(?:s|ing)? at|"
        r"how much (?:is|are|does|do|would|will) (?:it|they|one|that|this|the|a|an)\b|versions?|trims?)",
        re.I,
    ),
}
# Accessory words: a price question about one of these is not about a car's price.
_ACCESSORY_WORDS = re.compile(
    r"\b(?:bars?|rack|mats?|tray|hitch|mount|charger|adapter|connector|liner|cover|extender|accessor\w*|"
    r"parts?|plan|warranty|insurance|subscription)\b",
    re.I,
)
_LINE_UP = re.compile(r"\b(?:cheapest|least expensive|most affordable|lowest price|you (?:sell|have|make))\b", re.I)
_VIN = re.compile(r"\b[A-HJ-NPR-Z0-9]{17}\b")
# A service named in a question about when it is due.
_SERVICES = {
    "oil_change": re.compile(r"\boil\b(?![- ]?(?:light|pressure|leak))", re.I),
    "tire_rotation": re.compile(r"\b(?:tire|tyre) rotation|\brotat\w* (?:the |my )?(?:tires|tyres)\b", re.I),
    "brake_fluid": re.compile(r"\bbrake fluid\b", re.I),
    "cabin_air_filter": re.compile(r"\bcabin (?:air )?filter\b", re.I),
    "engine_air_filter": re.compile(r"\bengine air filter\b", re.I),
    "spark_plugs": re.compile(r"\bspark plugs?\b", re.I),
    "coolant": re.compile(r"\bcoolant\b", re.I),
}
_MAINTENANCE = re.compile(r"\b(?:maintenance|servic\w*|check-?up|inspection)\b", re.I)
_WHEN_DUE = re.compile(
    r"\b(?:due|overdue|how often|how soon|how many miles|how long until|is it time)\b|\bwhen\b[^?.!]*\bnext\b", re.I
)
# The part named -> the coverage (code in the warranty terms) that covers it.
_COVERAGE_OF_PART: list[tuple[str, re.Pattern[str]]] = [
    ("corrosion", re.compile(r"\b(rust\w*|corro\w*|perforat\w*)\b", re.I)),
    ("roadside", re.compile(r"\b(roadside|towing)\b", re.I)),
    (
        "ev_battery",
        re.compile(
            r"\b(high[- ]voltage|hybrid|ev|traction|main) battery\b|\bbattery (capacity|degrad\w*|health)", re.I
        ),
    ),
    (
        "powertrain",
        re.compile(
            r"\b(engine|motor|transmission|gearbox|gear ?box|cvt|slipping|shifting|drive ?unit|axle|differential|"
            r"transfer case|drivetrain|powertrain|reduction gear)\b",
            re.I,
        ),
    ),
    (
        "basic",
        re.compile(
            r"\b(bumper[- ]to[- ]bumper|infotainment|screen|a/?c|air ?con\w*|climate|heater|electric(al)?|sensor\w*|"
            r"radio|speaker\w*|window\w*|door\w*|camera|12[- ]?v(olt)?|paint)\b",
            re.I,
        ),
    ),
]
# Body types customers use for a model ("my truck").
_BODY_WORDS = {"truck": "Dune", "pickup": "Dune", "pick-up": "Dune", "suv": "Borealis", "sedan": "Aster"}
_ELECTRIC_WORDS = re.compile(r"\b(my|the) (ev|electric( car)?)\b", re.I)


def asked_facts(question: str) -> tuple[list[AskedFact], str | None, str | None]:
    """What a message asks about: the facts, the coverage of the part it names and the service it names."""
    asked: list[AskedFact] = [fact for fact, pattern in _ASKS.items() if pattern.search(question)]
    service = next((code for code, pattern in _SERVICES.items() if pattern.search(question)), None)
    if "price" in asked and (service or _MAINTENANCE.search(question) or _ACCESSORY_WORDS.search(question)):
        asked.remove("price")
    if (service or _MAINTENANCE.search(question)) and _WHEN_DUE.search(question) and "recalls" not in asked:
        asked.append("maintenance")
    coverage = None
    if "warranty" in asked:
        coverage = next((code for code, pattern in _COVERAGE_OF_PART if pattern.search(question)), None)
    return asked, coverage, service


def named_models(question: str, vehicles: Sequence[dict[str, Any]]) -> list[str]:
    """Catalog models the message names, by name ('cirrus'), body type ('my truck') or drivetrain ('my EV')."""
    words = re.findall(r"[a-z][a-z-]*", question.lower())
    found = [m for m in (canonical_model(w) for w in words) if m]
    found += [_BODY_WORDS[w] for w in words if w in _BODY_WORDS]
    if _ELECTRIC_WORDS.search(question):
        found += [str(v["model"]) for v in vehicles if powertrain(str(v["model"]), v.get("trim")) == "electric"]
    return list(dict.fromkeys(found))


def _source(doc_id: str, uri: str) -> Source:
    return Source(title=passage_title(doc_id), uri=uri)


def vehicle_facts(
    vehicle: dict[str, Any], asked: Sequence[AskedFact], *, named: bool, owned: bool = True
) -> VehicleFacts:
    """The vehicle's catalog specifications; sources for the ones asked about."""
    model = models_by_name().get(str(vehicle["model"]), {})
    trim = trim_by_name(vehicle.get("trim")) or {}
    year = vehicle.get("model_year")
    sources: list[Source] = []
    towing = trim.get("towing")
    electric = next((r for r in trim.get("electric_range", []) if year in r["years"]), None)
    if "towing" in asked and towing:
        sources.append(_source(towing["doc_id"], towing["uri"]))
    if "range" in asked and electric:
        sources.append(_source(electric["doc_id"], electric["uri"]))
    if "seats" in asked and model:
        sources.append(Source(title=passage_title(f"faq-models-{str(model['name']).lower()}"), uri=model["faq_uri"]))
    kind = powertrain(str(vehicle["model"]), vehicle.get("trim"))
    return VehicleFacts(
        vin=str(vehicle["vin"]) if owned else None,
        model=str(vehicle["model"]),
        model_year=int(year) if year else None,
        trim=vehicle.get("trim"),
        powertrain=kind if kind in {"gasoline", "hybrid", "plug_in_hybrid", "electric"} else None,
        mileage=mileage_miles(vehicle) if owned else None,
        seats=model.get("seats"),
        towing_lb=int(towing["lb"]) if towing else None,
        range_miles=int(electric["miles"]) if electric else None,
        named=named,
        sources=sources,
        price=int(trim["price"]) if not owned and trim.get("price") else None,
    )


def _notice(recall: dict[str, Any], vin: str) -> RecallNotice:
    return RecallNotice(
        recall_id=recall["recall_id"],
        vin=vin,
        title=recall["title"],
        remedy=recall["remedy"],
        severity=recall["severity"],
    )


def looked_up_vehicles(question: str, vehicles: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Vehicles the message names by a VIN of ours that is not the customer's (a used car they look at)."""
    from aicc.data.vin import decode

    owned = {str(v["vin"]) for v in vehicles}
    found = [decode(vin) for vin in dict.fromkeys(_VIN.findall(question.upper())) if vin not in owned]
    return [{"vin": d.vin, "model": d.model, "model_year": d.model_year, "trim": None} for d in found if d]


def _catalog_vehicles(model_name: str) -> list[dict[str, Any]]:
    """A model the customer does not own, as each current trim of its latest model year."""
    model = models_by_name()[model_name]
    year = max(model["years"])
    return [{"vin": "", "model": model_name, "model_year": year, "trim": t["name"]} for t in model["trims"]]


def customer_insights(
    meta: EventMeta,
    *,
    customers: Customers,
    appointments: Appointments,
    today: date,
    question: str = "",
    focus_model: str | None = None,
) -> InsightsComputed:
    """`insights` for the turn's customer, read through the ports (no appointments read for an unknown one)."""
    customer = customers.get(meta.customer_id)
    booked = [b.appointment for b in appointments.of_customer(meta.customer_id)] if customer else []
    return insights(customer, booked, meta, today, question, focus_model=focus_model)


def message_insights(
    message: ConversationReceived, meta: EventMeta, *, customers: Customers, appointments: Appointments, today: date
) -> InsightsComputed:
    """The CDH agent on a message: the customer's insights and the facts the message asks for."""
    from aicc.knowledge.context import car_in_focus

    return customer_insights(
        meta,
        customers=customers,
        appointments=appointments,
        today=today,
        question=message.text,
        focus_model=car_in_focus(message.dialog),
    )


def insights(
    customer: dict[str, Any] | None,
    appointments: Sequence[Appointment],
    meta: EventMeta,
    today: date,
    question: str = "",
    *,
    focus_model: str | None = None,
) -> InsightsComputed:
    """Everything CDH knows about the customer that may shape this turn's reply. `focus_model`: the
    model the conversation is about, which a price question that names none asks about."""
    asked, asked_coverage, asked_service = asked_facts(question)
    if customer is None:
        return InsightsComputed(
            meta=meta, churn_risk=0.0, lifetime_value=0.0, asked=asked, asked_coverage=asked_coverage,
            asked_service=asked_service,
        )  # fmt: skip
    vehicles: list[dict[str, Any]] = list(customer.get("vehicles", []))
    sources: dict[str, Source] = {}
    notices: list[RecallNotice] = []
    recalls_found: list[tuple[dict[str, Any], dict[str, Any]]] = []
    warranty: list[WarrantyStatus] = []
    ended: list[WarrantyStatus] = []
    due: list[ServiceDue] = []
    upcoming_due: list[ServiceDue] = []
    any_basic = False
    upcoming = sorted(d for d in (_appointment_start(a) for a in appointments if _is_service(a)) if d >= today)
    upcoming_service = upcoming[0] if upcoming else None
    models = named_models(question, vehicles)
    named_vins = {str(v["vin"]) for v in vehicles if v.get("model") in models or str(v["vin"]) in question.upper()}
    facts = [vehicle_facts(v, asked, named=str(v["vin"]) in named_vins) for v in vehicles]
    owned_models = {str(v["model"]) for v in vehicles}
    priced = models or ([focus_model] if focus_model in models_by_name() else [])
    if "price" in asked and not priced and _LINE_UP.search(question):
        priced = list(models_by_name())  # "cheapest thing you sell?": the whole line-up
    if "price" in asked and not priced:
        asked.remove("price")  # the price of something else ("how much is the annual one?")
    if "price" in asked:
        # "what does it cost?", "is there a hybrid version?": every trim of the model asked about
        for model in priced:
            facts += [vehicle_facts(v, asked, named=True, owned=False) for v in _catalog_vehicles(model)]
    for model in models:
        if model not in owned_models and asked and "price" not in asked:
            facts += [vehicle_facts(v, asked, named=True, owned=False) for v in _catalog_vehicles(model)]
    looked_up = looked_up_vehicles(question, vehicles)
    for vehicle in looked_up:
        facts.append(vehicle_facts(vehicle, asked, named=True).model_copy(update={"looked_up": True}))
    for vehicle in looked_up:
        for recall in open_recalls(vehicle):
            notices.append(_notice(recall, str(vehicle["vin"])))
            sources[recall["uri"]] = Source(title=passage_title(recall["doc_id"]), uri=recall["uri"])
    for vehicle in vehicles:
        vin = str(vehicle["vin"])
        for recall in open_recalls(vehicle):
            recalls_found.append((recall, vehicle))
            notices.append(_notice(recall, vin))
            sources[recall["uri"]] = Source(title=passage_title(recall["doc_id"]), uri=recall["uri"])
        for status, coverage in coverage_status(vehicle, today):
            if status.ended_by is None:
                warranty.append(status)
                any_basic = any_basic or coverage["code"] == "basic"
            elif "warranty" in asked:
                ended.append(status)
            else:
                continue
            sources[coverage["uri"]] = Source(title=passage_title(coverage["doc_id"]), uri=coverage["uri"])
        last_service = last_service_date(customer, appointments, vin, today)
        vehicle_due = service_due(vehicle, last_service, today)
        in_focus = not named_vins or vin in named_vins
        if "maintenance" in asked and in_focus:
            upcoming_due += next_services(vehicle, last_service, today, asked_service)
        if vehicle_due or ("maintenance" in asked and in_focus):
            schedule = schedule_for(vehicle)
            if schedule is not None:
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
        asked=asked,
        asked_coverage=asked_coverage,
        asked_service=asked_service,
        vehicles=facts,
        warranty_ended=ended,
        next_service=upcoming_due,
    )
