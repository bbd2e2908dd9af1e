"""Replay results in memory: one record per (replay, turn) for 'seen' and for the reply (a repeat
overwrites); replies are stored as JSON, as on DynamoDB; results past retention read as absent."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

from aicc.adapters.memory.clock import Clock
from aicc.ports.replays import RETENTION_S


@dataclass
class MemoryReplayResults:
    clock: Clock = field(default_factory=Clock)
    # replay name -> turn id -> expires_at
    _seen: dict[str, dict[str, float]] = field(default_factory=dict)
    # replay name -> turn id -> (reply as JSON, expires_at)
    _replies: dict[str, dict[str, tuple[str, float]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record_turn(self, replay_name: str, turn_id: str) -> None:
        expires_at = int(self.clock.now()) + RETENTION_S
        with self._lock:
            self._seen.setdefault(replay_name, {})[turn_id] = expires_at

    def record_reply(self, replay_name: str, turn_id: str, reply: dict[str, Any]) -> None:
        stored = json.dumps(reply, sort_keys=True)
        expires_at = int(self.clock.now()) + RETENTION_S
        with self._lock:
            self._replies.setdefault(replay_name, {})[turn_id] = (stored, expires_at)

    def turns(self, replay_name: str) -> tuple[set[str], dict[str, dict[str, Any]]]:
        now = self.clock.now()
        with self._lock:
            seen = {t for t, expires_at in self._seen.get(replay_name, {}).items() if expires_at > now}
            replies = {t: json.loads(r) for t, (r, exp) in self._replies.get(replay_name, {}).items() if exp > now}
        return seen, replies
