"""A dict-backed test fake of the `Customers` port, for unit tests until the in-memory adapter is merged."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class DictCustomers:
    """A test fake of the `Customers` port: documents in a dict."""

    def __init__(self, customers: Iterable[dict[str, Any]] = ()) -> None:
        self.documents = {c["customer_id"]: c for c in customers}

    def get(self, customer_id: str) -> dict[str, Any] | None:
        return self.documents.get(customer_id)

    def put_all(self, customers: Iterable[dict[str, Any]]) -> int:
        added = {c["customer_id"]: c for c in customers}
        self.documents.update(added)
        return len(added)
