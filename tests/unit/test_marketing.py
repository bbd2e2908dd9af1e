"""Generative marketing: consent first, a fitting and valid offer, never the same one twice."""

from __future__ import annotations

from datetime import UTC, date, datetime

from aicc.adapters.memory.customers import MemoryCustomers
from aicc.adapters.memory.offers import MemoryOffers
from aicc.agents.marketing import make_offer, offer_for
from aicc.seed import demo_customers
from contracts.common import Intent, Route
from contracts.events import EventMeta, RouteDecided

CUSTOMERS = {c["customer_id"]: c for c in demo_customers()}
TODAY = date(2026, 11, 1)
META = EventMeta(
    turn_id="turn-1", conversation_id="conv-1", customer_id="cust-0001", causation_id="evt-1",
    producer="marketing", occurred_at=datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
)  # fmt: skip


def _route(intent: Intent = "purchase_inquiry") -> RouteDecided:
    return RouteDecided(
        meta=META, route=Route(kind="bot"), reason="bot", intent=intent, sentiment="neutral", urgency="low"
    )


def test_no_offer_without_consent() -> None:
    assert CUSTOMERS["cust-0003"]["marketing_consent"] is False
    result = offer_for(_route(), CUSTOMERS["cust-0003"], set(), META, TODAY)
    assert (result.eligible, result.offer, result.reason) == (False, None, "no marketing consent")


def test_no_offer_for_an_unknown_customer() -> None:
    result = offer_for(_route(), None, set(), META, TODAY)
    assert not result.eligible and result.reason == "unknown customer"


def test_offer_with_consent_is_personalised_and_cited() -> None:
    result = offer_for(_route(), CUSTOMERS["cust-0001"], set(), META, TODAY)  # Ava, 2021 Aster
    assert result.eligible and result.offer is not None
    assert result.offer.offer_id == "OFR-LOYALTY-1000"
    assert result.offer.body.startswith("Ava,") and "2021 Aster" in result.offer.body
    assert "Aurora Harbor City" in result.offer.body
    assert "{" not in result.offer.body + result.offer.headline
    assert date.fromisoformat(result.offer.valid_until) >= TODAY
    assert result.sources and all(s.uri.startswith("https://") for s in result.sources)


def test_never_the_same_offer_twice() -> None:
    offered: set[str] = set()
    for _ in range(6):
        result = offer_for(_route(), CUSTOMERS["cust-0001"], offered, META, TODAY)
        if not result.eligible:
            assert result.reason == "every fitting offer was already made"
            break
        assert result.offer is not None and result.offer.offer_id not in offered
        offered.add(result.offer.offer_id)
    assert len(offered) >= 2


def test_expired_offers_and_targeting() -> None:
    summer = offer_for(_route("test_drive"), CUSTOMERS["cust-0019"], set(), META, date(2026, 8, 1))
    assert summer.offer is not None and summer.offer.offer_id == "OFR-DUNE-SUMMER"
    autumn = offer_for(_route("test_drive"), CUSTOMERS["cust-0019"], set(), META, TODAY)
    assert autumn.offer is not None and autumn.offer.offer_id != "OFR-DUNE-SUMMER"
    charger = offer_for(_route("parts_accessories"), CUSTOMERS["cust-0004"], set(), META, TODAY)  # Cirrus owner
    assert charger.offer is not None and charger.offer.offer_id == "OFR-CHARGER-300"
    dune_owner = offer_for(_route("parts_accessories"), CUSTOMERS["cust-0017"], set(), META, TODAY)
    assert dune_owner.offer is not None and dune_owner.offer.offer_id != "OFR-CHARGER-300"


def test_an_offer_made_is_recorded_and_never_made_again() -> None:
    customers, offers_made = MemoryCustomers(CUSTOMERS.values()), MemoryOffers()
    first = make_offer(_route(), META, customers=customers, offers_made=offers_made, today=TODAY)
    assert first.eligible and first.offer is not None
    assert offers_made.made_to("cust-0001") == {first.offer.offer_id}
    second = make_offer(_route(), META, customers=customers, offers_made=offers_made, today=TODAY)
    assert second.offer is not None and second.offer.offer_id != first.offer.offer_id
    assert offers_made.made_to("cust-0001") == {first.offer.offer_id, second.offer.offer_id}


def test_nothing_is_recorded_without_an_offer() -> None:
    customers, offers_made = MemoryCustomers(CUSTOMERS.values()), MemoryOffers()
    no_consent = META.model_copy(update={"customer_id": "cust-0003"})
    refused = make_offer(_route(), no_consent, customers=customers, offers_made=offers_made, today=TODAY)
    assert not refused.eligible and offers_made.made_to("cust-0003") == set()
    unknown = META.model_copy(update={"customer_id": "cust-none"})
    assert make_offer(_route(), unknown, customers=customers, offers_made=offers_made, today=TODAY).reason == (
        "unknown customer"
    )
