"""Module-level access to the handoff port on DynamoDB, for callers not yet handed a `Handoff`
port (the aggregator's `enter_queue`). Staff decisions are in `aicc.agents.staffdesk`."""

from __future__ import annotations

from aicc.adapters.dynamodb.handoff import DynamoDBHandoff
from aicc.ports.handoff import Handoff
from contracts.common import Route
from contracts.events import ConversationReceived, IntentDetected, ProfileLoaded

handoff: Handoff = DynamoDBHandoff()


def enter_queue(
    received: ConversationReceived, route: Route, *, intent: IntentDetected | None, profile: ProfileLoaded | None
) -> str | None:
    """Put the conversation in the route's staff queue (unless a person already owns it)."""
    return handoff.enter_queue(received, route, intent=intent, profile=profile)
