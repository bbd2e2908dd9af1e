"""Customers in memory: documents by id; a put overwrites; a read returns a copy, as a fresh
read from the table would."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable
from typing import Any


class MemoryCustomers:
    def __init__(self, customers: Iterable[dict[str, Any]] = ()) -> None:
        self._lock = threading.Lock()
        self._docs: dict[str, dict[str, Any]] = {}
        self.put_all(customers)

    def get(self, customer_id: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._docs.get(customer_id)
            return copy.deepcopy(found) if found is not None else None

    def put_all(self, customers: Iterable[dict[str, Any]]) -> int:
        written = 0
        with self._lock:
            for customer in customers:
                self._docs[customer["customer_id"]] = copy.deepcopy(customer)
                written += 1
        return written
