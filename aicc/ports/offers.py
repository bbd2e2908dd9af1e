"""Offers made, per customer: the same offer is never made twice to one customer."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Offers(Protocol):
    def made_to(self, customer_id: str) -> set[str]:
        """The ids of every offer already made to the customer."""
        ...

    def record(self, customer_id: str, offer_id: str, *, turn_id: str, offered_at: datetime) -> None:
        """Remember the offer was made (recording it again overwrites with the new turn)."""
        ...
