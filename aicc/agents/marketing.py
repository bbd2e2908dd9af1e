"""Generative marketing (embedded default): the best-fitting template offer, personalised, only with consent.

The EventBridge rule already guarantees a buying intent, a mood that is not negative and a turn the bot
keeps; this module adds the customer-level rules: marketing consent, an offer valid today, targeting
(owned model/trim, vehicle age, household size) and never the same offer twice to one customer.
`offer_for` decides; `make_offer` reads the customer and the offers made through the ports and
records the offer it makes.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from aicc.data.reference import dealers, offers, passage_title, vehicle_age_years, vehicle_label
from aicc.ports.customers import Customers
from aicc.ports.offers import Offers
from contracts.common import Source
from contracts.events import EventMeta, Offer, OfferGenerated, RouteDecided

_PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")


def _valid(offer: dict[str, Any], today: date) -> bool:
    return date.fromisoformat(offer["valid_from"]) <= today <= date.fromisoformat(offer["valid_until"])


def _needs_vehicle(offer: dict[str, Any]) -> bool:
    return "vehicle" in _PLACEHOLDER_RE.findall(offer["body_template"] + offer["headline"])


def _vehicle_for(offer: dict[str, Any], customer: dict[str, Any], today: date) -> dict[str, Any] | None:
    """The owned vehicle the offer is about: one of its target models/trims, else the oldest."""
    vehicles: list[dict[str, Any]] = list(customer.get("vehicles", []))
    if offer["owner_models"]:
        vehicles = [v for v in vehicles if v.get("model") in offer["owner_models"]]
    if offer["owner_trims"]:
        vehicles = [v for v in vehicles if v.get("trim") in offer["owner_trims"]]
    if not vehicles:
        return None
    return max(vehicles, key=lambda v: (vehicle_age_years(v, today), str(v.get("vin"))))


def fit_score(offer: dict[str, Any], intent: str, customer: dict[str, Any], today: date) -> float | None:
    """How well the offer suits this customer and intent; None when it does not apply at all."""
    if intent not in offer["intents"]:
        return None
    score = float(offer["priority"])
    if offer["intents"][0] == intent:
        score += 0.2
    targeted = bool(offer["owner_models"] or offer["owner_trims"])
    vehicle = _vehicle_for(offer, customer, today)
    if (targeted or _needs_vehicle(offer)) and vehicle is None:
        return None
    if targeted:
        score += 0.1
    min_age = offer.get("min_vehicle_age_years")
    max_age = offer.get("max_vehicle_age_years")
    if min_age is not None or max_age is not None:
        if vehicle is None:
            return None
        age = vehicle_age_years(vehicle, today)
        if (min_age is not None and age < min_age) or (max_age is not None and age > max_age):
            return None
        score += 0.1
    min_household = offer.get("min_household_size")
    if min_household is not None:
        if (customer.get("household_size") or 0) < min_household:
            return None
        score += 0.1
    return round(score, 3)


def _personalise(template: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def offer_for(
    route: RouteDecided, customer: dict[str, Any] | None, already_offered: set[str], meta: EventMeta, today: date
) -> OfferGenerated:
    """The best offer for this buying turn, or eligible=False with the reason there is none."""
    if customer is None:
        return OfferGenerated(meta=meta, eligible=False, reason="unknown customer")
    if not customer.get("marketing_consent", False):
        return OfferGenerated(meta=meta, eligible=False, reason="no marketing consent")
    candidates: list[tuple[float, str, dict[str, Any]]] = []
    repeats = 0
    for offer in offers():
        if not _valid(offer, today):
            continue
        score = fit_score(offer, route.intent, customer, today)
        if score is None:
            continue
        if offer["offer_id"] in already_offered:
            repeats += 1
            continue
        candidates.append((score, offer["offer_id"], offer))
    if not candidates:
        reason = "every fitting offer was already made" if repeats else f"no current offer fits {route.intent}"
        return OfferGenerated(meta=meta, eligible=False, reason=reason)
    candidates.sort(key=lambda c: (-c[0], c[1]))
    score, _, chosen = candidates[0]
    vehicle = _vehicle_for(chosen, customer, today)
    dealer = dealers().get(str(customer.get("preferred_dealer")), {}).get("name", "your Aurora dealer")
    values = {
        "first_name": str(customer.get("name", "")).split()[0] if customer.get("name") else "Hello",
        "vehicle": vehicle_label(vehicle) if vehicle else "Aurora",
        "dealer": str(dealer),
    }
    sources = [Source(title=_personalise(chosen["headline"], values), uri=chosen["uri"])]
    if chosen.get("doc_id") and chosen.get("doc_uri"):
        sources.append(Source(title=passage_title(chosen["doc_id"]), uri=chosen["doc_uri"]))
    return OfferGenerated(
        meta=meta,
        eligible=True,
        reason=f"{chosen['offer_id']} fits {route.intent} (score {score:.2f})",
        offer=Offer(
            offer_id=chosen["offer_id"],
            headline=_personalise(chosen["headline"], values),
            body=_personalise(chosen["body_template"], values),
            terms=chosen["terms"],
            valid_until=chosen["valid_until"],
        ),
        sources=sources,
    )


def make_offer(
    route: RouteDecided, meta: EventMeta, *, customers: Customers, offers_made: Offers, today: date
) -> OfferGenerated:
    """The offer for this turn's customer, recorded as made so it is never made to them again."""
    customer = customers.get(meta.customer_id)
    made = offers_made.made_to(meta.customer_id) if customer else set()
    result = offer_for(route, customer, made, meta, today)
    if result.eligible and result.offer is not None:
        offers_made.record(meta.customer_id, result.offer.offer_id, turn_id=meta.turn_id, offered_at=meta.occurred_at)
    return result
