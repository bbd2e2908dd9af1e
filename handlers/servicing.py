"""Interactive servicing Lambda: booking intents and follow-ups of an active booking flow ->
ServiceActionTaken (slots offered, booked, moved, cancelled). Side effects run once per event."""

from __future__ import annotations

from datetime import UTC, datetime

from aicc.agents.servicing import handle
from aicc.runtime.consumer import single_input_agent
from contracts.events import EventMeta, IntentDetected, ServiceActionTaken


def respond(intent: IntentDetected, meta: EventMeta) -> ServiceActionTaken:
    return handle(intent, meta, now=datetime.now(UTC))


handler = single_input_agent("servicing", IntentDetected, respond)
