"""Simulated customers: each holds conversations from the mix over a WebSocket, one turn at a time.

Closed loop, no think time: a customer sends its next message as soon as the previous one is
answered (or given up on), so N customers keep at most N turns in flight and the throughput
measured is what the stack sustains at that concurrency.

Per turn: message -> ack and message -> reply (first `reply` or `error` frame with the message's
client_message_id), whether the reply was degraded, and every later reply to the same message
(a duplicate). A turn with no reply within `reply_timeout_s` is lost, and its conversation is
abandoned (the next turn would continue a conversation the customer never saw answered).
Duplicates are seen while the customer's socket is open: during the rest of its conversation and
`linger_s` after it.

A message the stack sheds (an `error` frame `busy`, aicc.agents.overload) is no reply: the customer
waits its `retry_after_s` and sends the same frame again (for up to `SHED_PATIENCE_S`). The turn's
times, and its reply timeout, count from the send that was admitted; how often it was shed is
counted apart (`shed`), so is the time spent shed (`shed_ms`).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from aicc.bench.mix import DEMO_CUSTOMERS, Conversation
from aicc.runtime.auth import issue_token

API_GATEWAY_MESSAGE_BYTES = 32 * 1024
# How long a customer keeps sending a shed message again; the reply timeout counts from the admitted send.
SHED_PATIENCE_S = 300.0


@dataclass
class TurnRecord:
    conversation: str
    customer: str
    client_message_id: str
    sent_at: float
    ack_ms: float | None = None
    reply_ms: float | None = None
    replies: int = 0
    degraded: bool = False
    error: bool = False
    shed: int = 0  # `busy` answers before the stack admitted the message
    shed_ms: float = 0.0  # from the first send to the admitted one
    retry_after_s: float | None = None  # set by a `busy` answer, until the message is sent again
    turn_id: str | None = None
    route: str | None = None
    reply: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def lost(self) -> bool:
        return self.replies == 0


@dataclass
class PhaseResult:
    customers: int
    turns: list[TurnRecord]
    started: float
    finished: float
    # API Gateway meters WebSocket messages in both directions, each in 32 KB increments.
    websocket_messages: int = 0
    connection_seconds: float = 0.0
    connections: int = 0

    @property
    def elapsed_s(self) -> float:
        return max(1e-9, self.finished - self.started)


class TurnBudget:
    """Hands out turns until a count or a deadline is reached; shared by every customer of a phase."""

    def __init__(self, turns: int | None, duration_s: float | None) -> None:
        self.turns = turns
        self.deadline = time.monotonic() + duration_s if duration_s else None
        self.claimed = 0
        self.answered = 0

    def claim(self) -> bool:
        if self.deadline is not None and time.monotonic() >= self.deadline:
            return False
        if self.turns is not None and self.claimed >= self.turns:
            return False
        self.claimed += 1
        return True

    def fraction(self) -> float:
        if self.turns is not None:
            return min(1.0, self.answered / max(1, self.turns))
        if self.deadline is not None:
            return 0.0
        return 0.0


class _Socket:
    """One customer's connection and the frames it has received, by client_message_id."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, phase: PhaseResult) -> None:
        self.ws = ws
        self.phase = phase
        self.pending: dict[str, TurnRecord] = {}
        self.answered: dict[str, asyncio.Event] = {}
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            now = time.perf_counter()
            self.phase.websocket_messages += _message_units(message.data)
            frame = json.loads(message.data)
            record = self.pending.get(frame.get("client_message_id") or "")
            if record is None:
                continue
            kind = frame.get("type")
            if kind == "error" and frame.get("code") == "busy" and record.replies == 0:
                record.shed += 1
                record.retry_after_s = float(frame.get("retry_after_s") or 1.0)
                self.answered[record.client_message_id].set()
                continue
            if kind == "ack":
                record.ack_ms = record.ack_ms or (now - record.sent_at) * 1000
                record.turn_id = record.turn_id or frame.get("turn_id")
            elif kind in ("reply", "error"):
                record.replies += 1
                if record.replies == 1:
                    record.reply_ms = (now - record.sent_at) * 1000
                    record.error = kind == "error"
                    record.degraded = bool(frame.get("degraded"))
                    record.turn_id = frame.get("turn_id") or record.turn_id
                    record.route = (frame.get("route") or {}).get("kind")
                    record.reply = frame
                    self.answered[record.client_message_id].set()

    async def send(self, record: TurnRecord, frame: dict[str, Any]) -> None:
        self.pending[record.client_message_id] = record
        self.answered[record.client_message_id] = asyncio.Event()
        data = json.dumps(frame)
        self.phase.websocket_messages += _message_units(data)
        record.sent_at = time.perf_counter()
        await self.ws.send_str(data)

    async def close(self) -> None:
        await self.ws.close()
        self.reader.cancel()
        await asyncio.gather(self.reader, return_exceptions=True)


async def _wait_answer(socket: _Socket, record: TurnRecord, timeout_s: float) -> None:
    # No answer in time: the turn is lost (record.replies stays 0).
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(socket.answered[record.client_message_id].wait(), timeout_s)


def _message_units(data: str) -> int:
    return max(1, -(-len(data.encode()) // API_GATEWAY_MESSAGE_BYTES))


def _quick_action(reply: dict[str, Any] | None, prefix: str) -> str | None:
    for action in (reply or {}).get("quick_actions", []):
        if str(action.get("action", "")).startswith(prefix):
            return str(action["action"])
    return None


class Customers:
    """Drives phases of N concurrent customers against one WebSocket URL."""

    def __init__(
        self,
        url: str,
        mix: list[Conversation],
        *,
        state_dir: Path | None,
        reply_timeout_s: float = 15.0,
        linger_s: float = 0.5,
        on_turn: Callable[[TurnRecord], None] | None = None,
    ) -> None:
        self.url = url
        self.mix = mix
        self.state_dir = state_dir
        self.reply_timeout_s = reply_timeout_s
        self.linger_s = linger_s
        self.on_turn = on_turn
        self._tokens: dict[str, str] = {}
        # Successive phases continue through the mix rather than replaying its start.
        self._next_conversation = itertools.count()

    def _token(self, customer: str) -> str:
        if customer not in self._tokens:
            self._tokens[customer] = issue_token(customer, directory=self.state_dir)
        return self._tokens[customer]

    async def run_phase(self, customers: int, turns: int | None, duration_s: float | None = None) -> PhaseResult:
        budget = TurnBudget(turns, duration_s)
        phase = PhaseResult(customers=customers, turns=[], started=time.perf_counter(), finished=0.0)
        async with aiohttp.ClientSession() as session:
            await asyncio.gather(*(self._customer(session, index, budget, phase) for index in range(customers)))
        answered = [t.sent_at + (t.reply_ms or 0) / 1000 for t in phase.turns if not t.lost]
        phase.finished = max(answered, default=time.perf_counter())
        return phase

    async def _customer(
        self, session: aiohttp.ClientSession, index: int, budget: TurnBudget, phase: PhaseResult
    ) -> None:
        plays = DEMO_CUSTOMERS[index % len(DEMO_CUSTOMERS)]
        # Bounded: each conversation claims at least one turn or the loop ends.
        while True:
            conversation = self.mix[next(self._next_conversation) % len(self.mix)]
            if not budget.claim():
                return
            await self._conversation(session, conversation, conversation.customer or plays, budget, phase)

    async def _until_admitted(self, socket: _Socket, record: TurnRecord, frame: dict[str, Any]) -> None:
        """Send the message, and again after each `busy` (same frame) until admitted or out of time."""
        first = time.perf_counter()
        await socket.send(record, frame)
        await _wait_answer(socket, record, self.reply_timeout_s)
        while record.retry_after_s is not None and time.perf_counter() - first < SHED_PATIENCE_S:
            # Spread over half the pause again, so the customers shed together do not come back together.
            await asyncio.sleep(record.retry_after_s * random.uniform(1.0, 1.5))
            record.retry_after_s = None
            await socket.send(record, frame)
            record.shed_ms = (record.sent_at - first) * 1000
            await _wait_answer(socket, record, self.reply_timeout_s)

    async def _conversation(
        self,
        session: aiohttp.ClientSession,
        conversation: Conversation,
        customer: str,
        budget: TurnBudget,
        phase: PhaseResult,
    ) -> None:
        opened = time.perf_counter()
        ws = await session.ws_connect(f"{self.url}?token={self._token(customer)}", heartbeat=None)
        phase.connections += 1
        socket = _Socket(ws, phase)
        conversation_id: str | None = None
        previous: dict[str, Any] | None = None
        try:
            for number, turn in enumerate(conversation.turns):
                if number > 0 and not budget.claim():
                    break
                text = (_quick_action(previous, turn.quick_action) if turn.quick_action else None) or turn.text
                record = TurnRecord(conversation.id, customer, uuid.uuid4().hex, sent_at=0.0)
                frame: dict[str, Any] = {
                    "action": "sendMessage",
                    "text": text,
                    "client_message_id": record.client_message_id,
                }
                if conversation_id:
                    frame["conversation_id"] = conversation_id
                phase.turns.append(record)
                await self._until_admitted(socket, record, frame)
                budget.answered += 1
                if self.on_turn is not None:
                    self.on_turn(record)
                if record.lost or record.error:
                    break
                previous = record.reply
                conversation_id = (record.reply or {}).get("conversation_id") or conversation_id
            await asyncio.sleep(self.linger_s)
        finally:
            await socket.close()
            phase.connection_seconds += time.perf_counter() - opened
