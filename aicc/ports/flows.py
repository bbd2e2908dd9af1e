"""Conversation flows: a multi-turn flow's stored state and the META flag that routes follow-ups to it.

A flow (e.g. "servicing") keeps one JSON document per conversation. While it waits for the
customer, the conversation's META record carries `flow = <name>`; the ingress stamps that into the
next turn's `meta.flow`, so a follow-up ("the second one") reaches the flow whatever its intent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class ConversationFlow:
    """What a flow reads at the start of a turn."""

    owner: str | None  # the customer the conversation belongs to (META), None when there is no META
    flag: str | None  # the flow the META flag names, if any
    state: Mapping[str, Any] | None  # the flow's stored document, None when it never ran here


class Flows(Protocol):
    def load(self, conversation_id: str, flow: str) -> ConversationFlow:
        """The owner, the META flag and the flow's state, read consistently."""
        ...

    def save(
        self,
        conversation_id: str,
        flow: str,
        state: Mapping[str, Any],
        *,
        status: str,
        waiting: bool,
        flag_seen: str | None,
    ) -> None:
        """Store (overwrite) the flow's state, then raise the META flag while `waiting`, else lower it.

        `status` is kept beside the state for people reading the store; `load` does not return it.
        `flag_seen` is the flag `load` returned: a flag already as wanted costs no write. Raising
        never creates a META record (one without an owner would let anyone claim the conversation);
        lowering removes only this flow's own flag (another flow may have claimed it since).
        """
        ...
