"""Conversations in memory, with the DynamoDB adapter's semantics.

A conversation is its META record (owner, flow flag, handoff attributes: `MemoryHandoff` shares
it) and its turn records. As on DynamoDB: starting a turn claims or checks the owner first and
stores the turn only if its id is new (a failed condition writes nothing); recording a reply for
a turn never stored creates a reply-only record, which is not a turn.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import replace
from datetime import datetime
from typing import Any

from aicc.ports.conversations import NewTurn, NoSuchConversation, NotYourConversation, PastTurn, StartedTurn


class MemoryConversations:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.meta: dict[str, dict[str, Any]] = {}  # conversation id -> META attributes
        self.turns: dict[str, dict[str, dict[str, Any]]] = {}  # conversation id -> turn id -> record
        self.messages: dict[str, dict[str, dict[str, Any]]] = {}  # conversation id -> message id -> record

    def set_flow(self, conversation_id: str, flow: str | None) -> None:
        """Raise or lower the META flow flag (the servicing flow does this on DynamoDB)."""
        with self.lock:
            meta = self.meta[conversation_id]
            if flow is None:
                meta.pop("flow", None)
            else:
                meta["flow"] = flow

    def start_turn(self, turn: NewTurn, *, opens: bool) -> StartedTurn:
        now = turn.at.isoformat()
        with self.lock:
            meta = self.meta.get(turn.conversation_id)
            if meta is None and opens:
                meta = self.meta[turn.conversation_id] = {"customer_id": turn.user_id, "created_at": now}
            if meta is None:
                raise NoSuchConversation(turn.conversation_id)
            if meta.get("customer_id") != turn.user_id:
                raise NotYourConversation(turn.conversation_id)
            meta["updated_at"] = now
            if opens:
                meta["role"] = turn.role
            flow = meta.get("flow")
            dialog = copy.deepcopy(meta.get("dialog"))
            handoff_open = meta.get("handoff_status") is not None
            staff_owner = meta.get("handoff_agent") if meta.get("handoff_status") == "taken" else None
            started = StartedTurn(
                turn.conversation_id,
                turn.turn_id,
                duplicate=False,
                flow=flow,
                staff_owner=staff_owner,
                accepted_at=turn.at,
                dialog=dialog,
                handoff_open=handoff_open,
            )
            turns = self.turns.setdefault(turn.conversation_id, {})
            stored = turns.get(turn.turn_id)
            if stored is not None:
                first = stored.get("at")
                return replace(
                    started,
                    duplicate=True,
                    accepted_at=datetime.fromisoformat(first) if first else turn.at,
                    answered="reply" in stored,
                )
            turns[turn.turn_id] = {
                "turn_id": turn.turn_id,
                "customer_id": turn.user_id,
                "client_message_id": turn.client_message_id,
                "text": turn.text,
                "at": now,
            }
            return started

    def _turns(self, conversation_id: str) -> list[dict[str, Any]]:
        with self.lock:
            records = [dict(r) for r in self.turns.get(conversation_id, {}).values() if "at" in r and "text" in r]
        return sorted(records, key=lambda r: r["at"])

    def recent_turns(self, conversation_id: str, *, exclude_turn: str | None = None, limit: int = 5) -> list[PastTurn]:
        turns = [
            PastTurn(turn_id=r["turn_id"], text=r["text"], reply=r.get("reply"), intent=r.get("intent"), at=r["at"])
            for r in self._turns(conversation_id)
            if r["turn_id"] != exclude_turn
        ]
        return turns[-limit:] if limit > 0 else []

    def turn_ids(self, conversation_id: str) -> list[str]:
        return [r["turn_id"] for r in self._turns(conversation_id)]

    def record_reply(
        self, conversation_id: str, turn_id: str, *, reply: str, intent: str | None, degraded: bool
    ) -> None:
        with self.lock:
            record = self.turns.setdefault(conversation_id, {}).setdefault(turn_id, {"turn_id": turn_id})
            record.update(reply=reply, degraded=degraded)
            if intent:
                record["intent"] = intent

    def save_dialog(self, conversation_id: str, dialog: dict[str, Any]) -> None:
        with self.lock:
            if conversation_id in self.meta:
                self.meta[conversation_id]["dialog"] = copy.deepcopy(dialog)
