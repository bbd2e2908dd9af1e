"""The Offers port: which offers a customer was already made."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aicc.ports.offers import Offers
from tests.contract.conftest import BACKENDS

AT = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def offers(request: pytest.FixtureRequest) -> Offers:
    if request.param == "memory":
        from aicc.adapters.memory.offers import MemoryOffers

        return MemoryOffers()
    from aicc.adapters.dynamodb.offers import DynamoOffers

    request.getfixturevalue("moto_tables")
    return DynamoOffers()


def test_no_offers_made_to_a_new_customer(offers: Offers) -> None:
    assert offers.made_to("cust-1") == set()


def test_offers_recorded_are_made_per_customer(offers: Offers) -> None:
    offers.record("cust-1", "OFR-A", turn_id="turn-1", offered_at=AT)
    offers.record("cust-1", "OFR-B", turn_id="turn-2", offered_at=AT)
    offers.record("cust-2", "OFR-C", turn_id="turn-3", offered_at=AT)
    assert offers.made_to("cust-1") == {"OFR-A", "OFR-B"}
    assert offers.made_to("cust-2") == {"OFR-C"}


def test_recording_an_offer_again_keeps_one(offers: Offers) -> None:
    offers.record("cust-1", "OFR-A", turn_id="turn-1", offered_at=AT)
    offers.record("cust-1", "OFR-A", turn_id="turn-1", offered_at=AT)  # a retried turn
    assert offers.made_to("cust-1") == {"OFR-A"}
