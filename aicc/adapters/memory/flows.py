"""Conversation flows in memory, with DynamoDB's semantics: the state is overwritten whole, a flag
write whose condition fails (no META record; another flow's flag) changes nothing."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import Any

from aicc.ports.flows import ConversationFlow


class MemoryFlows:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owners: dict[str, str] = {}  # conversation -> owner: the META records
        self._flags: dict[str, str] = {}  # conversation -> the flow named on META
        self._states: dict[tuple[str, str], str] = {}  # (conversation, flow) -> state as stored (JSON)

    def open(self, conversation_id: str, owner: str) -> None:
        """Create the conversation's META record (the ingress does this on DynamoDB), for tests."""
        with self._lock:
            self._owners[conversation_id] = owner

    def load(self, conversation_id: str, flow: str) -> ConversationFlow:
        with self._lock:
            stored = self._states.get((conversation_id, flow))
            return ConversationFlow(
                owner=self._owners.get(conversation_id),
                flag=self._flags.get(conversation_id),
                state=json.loads(stored) if stored is not None else None,
            )

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
        # Stored as JSON, like the DynamoDB item: a caller mutating its dict later changes nothing here.
        # `status` is not kept: nothing reads it back.
        document = json.dumps(dict(state), separators=(",", ":"))
        with self._lock:
            self._states[(conversation_id, flow)] = document
            if waiting and flag_seen != flow:
                if conversation_id in self._owners:
                    self._flags[conversation_id] = flow
            elif not waiting and flag_seen == flow and self._flags.get(conversation_id) == flow:
                del self._flags[conversation_id]
