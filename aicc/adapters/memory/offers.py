"""Offers made, in memory: one record per (customer, offer); recording again overwrites."""

from __future__ import annotations

import threading
from datetime import datetime


class MemoryOffers:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._made: dict[tuple[str, str], tuple[str, datetime]] = {}  # (customer, offer) -> (turn, when)

    def made_to(self, customer_id: str) -> set[str]:
        with self._lock:
            return {offer_id for (customer, offer_id) in self._made if customer == customer_id}

    def record(self, customer_id: str, offer_id: str, *, turn_id: str, offered_at: datetime) -> None:
        with self._lock:
            self._made[(customer_id, offer_id)] = (turn_id, offered_at)
