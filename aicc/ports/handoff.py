"""Human handoff: staff queues, taking and handing back conversations."""

from __future__ import annotations

from typing import Protocol

from contracts.common import Route
from contracts.events import ConversationReceived, IntentDetected, ProfileLoaded


class Handoff(Protocol):
    def enter_queue(
        self,
        received: ConversationReceived,
        route: Route,
        *,
        intent: IntentDetected | None,
        profile: ProfileLoaded | None,
    ) -> str | None:
        """Put the conversation in the route's staff queue; the queue, or None if a person already owns it."""
        ...
