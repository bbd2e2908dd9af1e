"""Customers: the stored customer document (profile, vehicles, consent), read whole by id."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol


class Customers(Protocol):
    def get(self, customer_id: str) -> dict[str, Any] | None:
        """The customer's document (as in `aicc/data/customers.json`), or None for an unknown id."""
        ...

    def put_all(self, customers: Iterable[dict[str, Any]]) -> int:
        """Store (overwrite) these customer documents; how many were written."""
        ...
