"""Stand-in `Customers` for the handlers' wiring until the DynamoDB customers adapter is merged:
today's `load_customer`, behind the port."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aicc.agents.personalization import load_customer


class StoredCustomers:
    def get(self, customer_id: str) -> dict[str, Any] | None:
        return load_customer(customer_id)

    def put_all(self, customers: Iterable[dict[str, Any]]) -> int:
        raise NotImplementedError("the handlers only read customers")
