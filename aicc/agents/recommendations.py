"""Product recommendations: trims, accessories and service plans scored against the customer's profile.

Signals: budget (the intent agent's entity, else parsed from the message), household size and segment,
the vehicles they own (age, mileage, warranty), the model they named and cues in the message (electric,
hybrid, towing, roof, mats...). Up to four items, each with a concrete reason; sources cite the catalog.
Deterministic: scores break ties by SKU.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from aicc.agents.cdh import basic_warranty_active, warranty_status
from aicc.agents.intent import local_reading
from aicc.data.reference import (
    accessories,
    canonical_model,
    catalog,
    mileage_miles,
    passage_title,
    service_plans,
    vehicle_age_years,
    vehicle_label,
)
from aicc.ports.customers import Customers
from contracts.common import Source
from contracts.events import ConversationReceived, EventMeta, IntentDetected, Recommendation, RecommendationsMade
from contracts.manifest import BUYING as BUYING_INTENTS

MAX_ITEMS = 4
MAX_TRIMS = 3
MAX_ACCESSORIES = 3
HIGH_ANNUAL_MILES = 15000

_AMOUNT = r"\$?\s*(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(k\b|grand\b|thousand\b)?"
_BUDGET_RES = [
    re.compile(
        r"\b(?:under|below|less than|max(?:imum)?|up to|no more than|within|at most|budget(?: is| of)?|"
        r"around|about|afford)\s*(?:of\s*)?" + _AMOUNT,
        re.I,
    ),
    re.compile(r"\$\s*(\d{1,3}(?:,\d{3})+|\d+)\s*(k\b)?", re.I),
    re.compile(r"\b(\d{2,3})\s*(k)\b", re.I),
]
_MONTHLY_RE = re.compile(r"^\s*(?:/\s*mo|a month|per month|monthly|/month|a mo\b)", re.I)

# Message cues -> what they favour.
_CUES: dict[str, re.Pattern[str]] = {
    "electric": re.compile(r"\b(electric|ev|evs|battery electric|zero[- ]emissions?|no gas)\b", re.I),
    "hybrid": re.compile(r"\b(hybrid|plug[- ]in|phev|fuel economy|mpg|fuel efficient|save on gas)\b", re.I),
    "towing": re.compile(r"\b(tow\w*|trailer|haul\w*|payload|boat|camper)\b", re.I),
    "truck": re.compile(r"\b(truck|pickup|pick-up|work truck|bed)\b", re.I),
    "awd": re.compile(r"\b(awd|all[- ]wheel|4wd|four[- ]wheel|snow|off[- ]road)\b", re.I),
    "roof": re.compile(r"\b(roof|cross ?bars?|bikes?|kayak|ski|cargo box|rack)\b", re.I),
    "mats": re.compile(r"\b(mats?|floor|mud|snow|sand|dirty|dog|pets?)\b", re.I),
    "charging": re.compile(r"\b(charg\w*|wall box|plug|adapter|nacs|ccs)\b", re.I),
    "bed": re.compile(r"\b(bed|tonneau|liner|tailgate)\b", re.I),
    "cheap": re.compile(r"\b(cheap\w*|affordable|budget|inexpensive|lowest price|entry)\b", re.I),
    "space": re.compile(r"\b(space|room|seats?|third row|7[- ]seat\w*|seven|kids|family|children)\b", re.I),
}
_ACCESSORY_TAGS = {
    "roof": {"roof", "bike"},
    "mats": {"mats", "weather"},
    "towing": {"towing", "hitch"},
    "charging": {"charging"},
    "bed": {"bed"},
}


# A shopper asking to be shown something ("what do you have", "which would fit us", "any suggestions"),
# as opposed to a question with one answer ("how much is the home charger?", "any deals on the cirrus?").
_ASKS_FOR_SUGGESTION = re.compile(
    r"\b(recommend\w*|suggest\w*|advice|advise|options?|choices?|alternatives?|in the market|shopping|"
    r"looking (?:for|at)|"
    r"what (?:do|would|should|can) (?:you|i|we)\b[^?.!]{0,20}\b(?:have|sell|offer|get|buy|recommend)|"
    r"what (?:trims|models|cars|suvs|trucks|accessories)|which (?:one|model|trim|car|suv|truck|of)|"
    r"need (?:a|an)\s+(?:new |bigger |smaller |first |family )?(?:car|truck|suv|vehicle|sedan|ev)|"
    r"fits?|suits?|good for|best for|better than|compare\w*|vs\.?|versus)\b",
    re.I,
)


def asks_for_suggestion(text: str) -> bool:
    """Whether the customer asks to be shown products, or names a budget to be shown products within."""
    return bool(_ASKS_FOR_SUGGESTION.search(text)) or parse_budget(text) is not None


def parse_budget(text: str) -> int | None:
    """A spending limit named in the message ('under 40k', '$35,000', 'budget of 45 grand'), in USD."""
    for pattern in _BUDGET_RES:
        for match in pattern.finditer(text):
            if _MONTHLY_RE.match(text[match.end() :]):
                continue  # a monthly payment is not a price
            value = float(match.group(1).replace(",", ""))
            if match.group(2) or value < 200:  # 'under 40' when talking about cars means 40k
                value *= 1000
            if 5000 <= value <= 500000:
                return int(value)
    return None


@dataclass
class _Scored:
    score: float
    item: Recommendation
    source: Source
    extra_sources: list[Source] = field(default_factory=list)


def _money(amount: float) -> str:
    return f"${amount:,.0f}"


def _sentence(parts: list[str]) -> str:
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


def _cues(text: str) -> set[str]:
    return {name for name, pattern in _CUES.items() if pattern.search(text)}


def _owned_vehicle(intent: IntentDetected, customer: dict[str, Any] | None) -> dict[str, Any] | None:
    owned: list[dict[str, Any]] = list((customer or {}).get("vehicles", []))
    if intent.entities.vin:
        found = next((v for v in owned if v.get("vin") == intent.entities.vin), None)
        if found:
            return found
    model = canonical_model(intent.entities.model)
    if model:
        return next((v for v in owned if v.get("model") == model), None)
    return owned[0] if owned else None


# --- trims ----------------------------------------------------------------------------------------


def _score_trims(
    intent: IntentDetected, customer: dict[str, Any] | None, budget: int | None, cues: set[str], today: date
) -> list[_Scored]:
    household = (customer or {}).get("household_size")
    segment = (customer or {}).get("segment")
    named = canonical_model(intent.entities.model)
    owned: list[dict[str, Any]] = list((customer or {}).get("vehicles", []))
    best_per_model: dict[str, _Scored] = {}
    for model in catalog()["models"]:
        for trim in model["trims"]:
            price = float(trim["price"])
            if budget is not None and price > budget:
                continue
            if household and model["seats"] < household:
                continue
            score = 0.5
            reasons: list[str] = []
            if budget is not None:
                # Closer to the limit = more car for the money, but anything within budget qualifies.
                score += 0.3 - 0.2 * (budget - price) / budget
                reasons.append(f"{_money(price)}, within your {_money(budget)} budget")
            if named == model["name"]:
                score += 0.4
                reasons.append(f"the {model['name']} you asked about")
            if household and household >= 5 and model["seats"] >= 7:
                score += 0.35
                reasons.append(f"{model['seats']} seats in three rows: room for your household of {household}")
            elif household and household >= 4 and model["seats"] >= 7:
                score += 0.2
                reasons.append(f"{model['seats']} seats, so a household of {household} has space to spare")
            elif household and household <= 2 and model["body"] == "compact sedan":
                score += 0.1
                reasons.append(f"an efficient compact sedan that suits a household of {household}")
            elif segment == "family" and model["seats"] >= 7:
                score += 0.1
                reasons.append(f"{model['seats']} seats for the family")
            if "space" in cues and model["seats"] >= 7:
                score += 0.15
            kind = trim["powertrain"]
            if "electric" in cues and kind == "electric":
                score += 0.35
                reasons.append("fully electric: no gas and no oil changes")
            if "hybrid" in cues and kind in {"hybrid", "plug_in_hybrid"}:
                score += 0.3
                reasons.append("the hybrid powertrain you mentioned")
            if ("towing" in cues or "truck" in cues) and model["name"] == "Dune":
                score += 0.35
                reasons.append("a pickup built for towing and hauling")
            elif "towing" in cues and model["name"] == "Borealis" and kind == "gasoline":
                score += 0.1
            if "awd" in cues and (trim["sku"] == "CIR-AWD" or model["name"] == "Dune"):
                score += 0.2
                reasons.append("all-wheel or four-wheel drive for poor roads")
            if "cheap" in cues:
                score += 0.2 * (1 - price / 60000)
            for vehicle in owned:
                if vehicle.get("model") == model["name"] and vehicle_age_years(vehicle, today) >= 4:
                    score += 0.1
                    reasons.append(f"a newer version of your {vehicle_label(vehicle)}")
                    break
            if not reasons:
                reasons.append(f"{model['body']} with {model['seats']} seats from {_money(price)}")
            scored = _Scored(
                score=round(score, 3),
                item=Recommendation(
                    kind="trim",
                    sku=trim["sku"],
                    name=trim["name"],
                    price=price,
                    score=round(min(score, 1.5) / 1.5, 3),
                    reason=_sentence(reasons[:3]),
                ),
                source=Source(title=f"Aurora {model['name']}: trims and prices", uri=trim["uri"]),
                extra_sources=[
                    Source(title=passage_title(f"faq-models-{model['name'].lower()}"), uri=model["faq_uri"])
                ],
            )
            current = best_per_model.get(model["name"])
            if current is None or (scored.score, -price) > (current.score, -float(current.item.price or 0)):
                best_per_model[model["name"]] = scored
    ranked = sorted(best_per_model.values(), key=lambda s: (-s.score, s.item.sku))
    return ranked[:MAX_TRIMS]


# --- accessories ----------------------------------------------------------------------------------


def _fits(entry: dict[str, Any], vehicle: dict[str, Any]) -> bool:
    if entry["models"] and vehicle.get("model") not in entry["models"]:
        return False
    if entry["years"] and vehicle.get("model_year") not in entry["years"]:
        return False
    return not (entry["trims"] and vehicle.get("trim") not in entry["trims"])


def _score_accessories(
    vehicle: dict[str, Any], customer: dict[str, Any] | None, budget: int | None, cues: set[str]
) -> list[_Scored]:
    household = (customer or {}).get("household_size") or 0
    wanted = set().union(*(_ACCESSORY_TAGS[c] for c in cues if c in _ACCESSORY_TAGS)) if cues else set()
    scored: list[_Scored] = []
    for entry in accessories():
        if not _fits(entry, vehicle):
            continue
        price = float(entry["price"])
        if budget is not None and price > budget:
            continue
        tags = set(entry["tags"])
        score = 0.4
        reasons = [f"fits your {vehicle_label(vehicle)}"]
        matched = tags & wanted
        if matched:
            score += 0.5
            reasons.insert(0, f"matches what you asked about ({', '.join(sorted(matched))})")
        if household >= 4 and "family" in tags:
            score += 0.2
            reasons.append(f"practical for a household of {household}")
        if "charging" in tags and entry["sku"] == "ACC-CHARGER":
            score += 0.15
            reasons.append("charges at the car's full Level 2 rate at home")
        if budget is not None:
            reasons.append(f"{_money(price)}, within your {_money(budget)} budget")
        scored.append(
            _Scored(
                score=round(score, 3),
                item=Recommendation(
                    kind="accessory",
                    sku=entry["sku"],
                    name=entry["name"],
                    price=price,
                    score=round(min(score, 1.5) / 1.5, 3),
                    reason=_sentence(reasons),
                ),
                source=Source(title=passage_title(entry["doc_id"]), uri=entry["uri"]),
            )
        )
    scored.sort(key=lambda s: (-s.score, s.item.price or 0, s.item.sku))
    return scored[:MAX_ACCESSORIES]


# --- service plans --------------------------------------------------------------------------------


def _plan_for_owned(vehicle: dict[str, Any], budget: int | None, today: date) -> _Scored | None:
    """Aurora Care while the Basic warranty still runs (it can only be bought then), else prepaid maintenance."""
    miles = mileage_miles(vehicle) or 0
    age = max(vehicle_age_years(vehicle, today), 0.25)
    annual = miles / age
    plans = {p["sku"]: p for p in service_plans()}
    if basic_warranty_active(vehicle, today):
        plan = plans["CARE-8-120"] if annual >= HIGH_ANNUAL_MILES else plans["CARE-6-75"]
        basic = next(s for s, c in warranty_status(vehicle, today) if c["code"] == "basic")
        reason = (
            f"Your Basic warranty on the {vehicle_label(vehicle)} ends on {basic.expires_on} or at 36,000 miles; "
            f"Aurora Care can only be added before then"
        )
        if annual >= HIGH_ANNUAL_MILES:
            reason += f", and at about {annual:,.0f} miles a year the longest term pays off"
    else:
        plan = plans["PREPAID-MAINT-3"]
        if miles > plan["eligibility"]["max_mileage"]:
            return None
        reason = f"Covers every scheduled service on your {vehicle_label(vehicle)} for 3 years at one price"
    price = float(plan["price_by_model"][vehicle["model"]])
    if budget is not None and price > budget:
        return None
    return _Scored(
        score=0.45,
        item=Recommendation(
            kind="service_plan", sku=plan["sku"], name=plan["name"], price=price, score=0.3, reason=reason + "."
        ),
        source=Source(title=plan["name"], uri=plan["uri"]),
        extra_sources=[Source(title=passage_title(plan["doc_id"]), uri=plan["policy_uri"])],
    )


def _plan_for_new(model_name: str) -> _Scored:
    plan = next(p for p in service_plans() if p["sku"] == "CARE-6-75")
    price = float(plan["price_by_model"][model_name])
    return _Scored(
        score=0.3,
        item=Recommendation(
            kind="service_plan",
            sku=plan["sku"],
            name=plan["name"],
            price=price,
            score=0.2,
            reason=f"Extends protection on a new {model_name} beyond the factory warranty and can be included in "
            "Aurora Financial Services financing.",
        ),
        source=Source(title=plan["name"], uri=plan["uri"]),
        extra_sources=[Source(title=passage_title(plan["doc_id"]), uri=plan["policy_uri"])],
    )


# The intents recommendations have something to add to.
BUYING = frozenset(BUYING_INTENTS)


def message_recommendations(
    message: ConversationReceived, meta: EventMeta, *, customers: Customers
) -> RecommendationsMade:
    """The recommendations agent on a message: picks when the customer is shopping and asks to be
    shown something, else a result that says so (its relevance check is the local reading of the
    message): "any special deals on the cirrus?" wants the deal, not three cars."""
    reading = local_reading(message, meta)
    if reading.intent not in BUYING or not asks_for_suggestion(message.text):
        return RecommendationsMade(meta=meta, relevant=False)
    return customer_recommendations(reading, meta, customers=customers)


def customer_recommendations(intent: IntentDetected, meta: EventMeta, *, customers: Customers) -> RecommendationsMade:
    """`recommend` for the turn's customer, whose profile and cars it reads through the port."""
    return recommend(intent, customers.get(meta.customer_id), meta)


def recommend(intent: IntentDetected, customer: dict[str, Any] | None, meta: EventMeta) -> RecommendationsMade:
    """Up to four recommendations for a buying-type intent, each with the reason it fits this customer."""
    today = meta.occurred_at.date()
    budget = intent.entities.budget if intent.entities.budget is not None else parse_budget(intent.text)
    cues = _cues(intent.text)
    picked: list[_Scored] = []
    if intent.intent == "parts_accessories":
        vehicle = _owned_vehicle(intent, customer)
        model = canonical_model(intent.entities.model)
        if vehicle is None and model is not None:
            year = intent.entities.model_year or max(catalog()["models"][0]["years"])
            vehicle = {"vin": "", "model": model, "model_year": year, "trim": None}
        if vehicle is not None:
            picked.extend(_score_accessories(vehicle, customer, budget, cues))
            if vehicle.get("vin") and "mileage" in vehicle:
                plan = _plan_for_owned(vehicle, budget, today)
                if plan is not None:
                    picked.append(plan)
    else:
        trims = _score_trims(intent, customer, budget, cues, today)
        picked.extend(trims)
        if trims and intent.intent in {"financing", "purchase_inquiry"}:
            top_model = next(
                m["name"] for m in catalog()["models"] if any(t["sku"] == trims[0].item.sku for t in m["trims"])
            )
            picked.append(_plan_for_new(top_model))
    picked = picked[:MAX_ITEMS]
    sources: dict[str, Source] = {}
    for scored in picked:
        for source in (scored.source, *scored.extra_sources):
            sources.setdefault(source.uri, source)
    return RecommendationsMade(meta=meta, items=[s.item for s in picked], sources=list(sources.values()))
