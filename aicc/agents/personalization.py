"""Personalization: who is writing, their vehicles and what they talked about recently."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aicc.agents.message_ids import is_first_turn
from aicc.ports.conversations import Conversations
from aicc.ports.customers import Customers
from contracts.events import ConversationReceived, CustomerProfile, EventMeta, HistoryItem, ProfileLoaded, Vehicle

HISTORY_TURNS = 5


def build_profile(meta: EventMeta, customer: dict[str, Any] | None, turns: list[HistoryItem]) -> ProfileLoaded:
    """Pure: shape the stored customer document and the conversation's past turns into the event."""
    if customer is None:
        return ProfileLoaded(meta=meta, known=False, history=turns)
    profile = CustomerProfile(
        customer_id=customer["customer_id"],
        name=customer["name"],
        language=customer.get("language", "en"),
        preferred_dealer=customer.get("preferred_dealer"),
        marketing_consent=bool(customer.get("marketing_consent", False)),
        household_size=customer.get("household_size"),
        segment=customer.get("segment"),
    )
    vehicles = [Vehicle.model_validate(v) for v in customer.get("vehicles", [])]
    return ProfileLoaded(meta=meta, known=True, profile=profile, vehicles=vehicles, history=turns)


class Personalization:
    def __init__(self, customers: Customers, conversations: Conversations) -> None:
        self.customers = customers
        self.conversations = conversations

    def __call__(self, message: ConversationReceived, meta: EventMeta) -> ProfileLoaded:
        customer = self.customers.get(message.meta.customer_id)
        # The message that opens a conversation has no history to read.
        first = is_first_turn(
            message.meta.conversation_id, message.meta.customer_id, message.client_message_id, message.text
        )
        past = (
            []
            if first
            else self.conversations.recent_turns(
                message.meta.conversation_id, exclude_turn=message.meta.turn_id, limit=HISTORY_TURNS
            )
        )
        history = [
            HistoryItem(
                turn_id=t.turn_id,
                text=t.text[:500],
                reply=(t.reply or None) and t.reply[:500],
                intent=t.intent,
                at=datetime.fromisoformat(t.at),
            )
            for t in past
        ]
        return build_profile(meta, customer, history)
