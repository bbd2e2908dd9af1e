"""Runs a dialog suite against a stack over its WebSocket: each conversation on its own socket as its
demo customer, turns in order, each sent once the previous reply is in. Additive frames (ack, offer)
are not the reply; the reply is the `reply` or `error` frame carrying the message's client_message_id.
A turn without a reply ends its conversation: the later turns count as failed (not reached).
Each conversation starts from a clean customer: what it booked is cancelled at its end
(aicc.dialogs.fixtures), on an embedded stack on this machine."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import boto3

from aicc.dialogs import dates
from aicc.dialogs.check import Failure, check_reply
from aicc.dialogs.fixtures import release_bookings
from aicc.dialogs.suite import Conversation, Turn
from aicc.ports.appointments import Appointments
from aicc.runtime.auth import issue_token


@dataclass
class TurnResult:
    number: int
    said: str
    reply: dict[str, Any] | None
    failures: list[Failure] = field(default_factory=list)
    reached: bool = True

    @property
    def passed(self) -> bool:
        return self.reached and not self.failures


@dataclass
class ConversationResult:
    conversation: Conversation
    turns: list[TurnResult]
    conversation_id: str | None = None  # the stack's, once a reply named it

    @property
    def passed(self) -> bool:
        return all(t.passed for t in self.turns)


def _pressed(turn: Turn, previous: dict[str, Any] | None) -> str:
    if turn.tap is not None:
        for action in (previous or {}).get("quick_actions") or []:
            if str(action.get("label", "")).lower().startswith(turn.tap.lower()):
                return str(action["action"])
    return turn.say


async def _reply(
    ws: aiohttp.ClientWebSocketResponse, client_message_id: str, timeout_s: float
) -> dict[str, Any] | None:
    deadline = time.monotonic() + timeout_s
    while (left := deadline - time.monotonic()) > 0:
        try:
            message = await ws.receive(timeout=left)
        except TimeoutError:
            return None
        if message.type != aiohttp.WSMsgType.TEXT:
            return None
        frame: dict[str, Any] = json.loads(message.data)
        if frame.get("type") in ("reply", "error") and frame.get("client_message_id") == client_message_id:
            return frame
    return None


async def run_conversation(
    session: aiohttp.ClientSession, url: str, token: str, conversation: Conversation, reply_timeout_s: float
) -> ConversationResult:
    results: list[TurnResult] = []
    separator = "&" if "?" in url else "?"
    async with session.ws_connect(f"{url}{separator}token={token}", heartbeat=None) as ws:
        conversation_id: str | None = None
        previous: dict[str, Any] | None = None
        said_before: list[str] = []
        for number, turn in enumerate(conversation.turns, start=1):
            if results and (not results[-1].reached or results[-1].reply is None):
                skipped = Failure("not_reached", "an earlier turn got no reply")
                results.append(TurnResult(number, turn.say, None, [skipped], reached=False))
                continue
            text = _pressed(turn, previous)
            frame: dict[str, Any] = {"action": "sendMessage", "text": text, "client_message_id": uuid.uuid4().hex}
            if conversation_id:
                frame["conversation_id"] = conversation_id
            await ws.send_str(json.dumps(frame))
            reply = await _reply(ws, frame["client_message_id"], reply_timeout_s)
            failures = check_reply(
                turn.expect,
                reply,
                today=dates.dealer_today(),
                previous_text=(previous or {}).get("text"),
                said_before=said_before,
                once=conversation.once,
            )
            results.append(TurnResult(number, text, reply, failures))
            if reply is not None:
                conversation_id = reply.get("conversation_id") or conversation_id
                previous = reply if reply.get("type") == "reply" else previous
                said_before.append(str(reply.get("text", "")))
    return ConversationResult(conversation, results, conversation_id)


async def run_suite(
    conversations: list[Conversation],
    url: str,
    state_dir: Path | None,
    *,
    reply_timeout_s: float = 15.0,
    on_conversation: Callable[[ConversationResult], None] | None = None,
    appointments: Appointments | None = None,
) -> list[ConversationResult]:
    """Conversations one after another: several of them book for the same customer, and a slot one
    takes must not be a race with another. With the stack's `appointments`, what each conversation
    booked is cancelled at its end."""
    tokens: dict[str, str] = {}
    results = []
    async with aiohttp.ClientSession() as session:
        for conversation in conversations:
            if conversation.customer not in tokens:
                tokens[conversation.customer] = issue_token(conversation.customer, directory=state_dir)
            result = await run_conversation(session, url, tokens[conversation.customer], conversation, reply_timeout_s)
            results.append(result)
            if appointments is not None and result.conversation_id is not None:
                await asyncio.to_thread(release_bookings, appointments, conversation.customer, result.conversation_id)
            if on_conversation is not None:
                on_conversation(result)
    return results


async def run_against_stack(
    conversations: list[Conversation],
    *,
    url: str | None = None,
    state_dir: Path | None = None,
    reply_timeout_s: float = 15.0,
    on_conversation: Callable[[ConversationResult], None] | None = None,
) -> list[ConversationResult]:
    """Against the stack at `url` (its signing key: `state_dir`, else AICC_STATE_DIR or .aicc), or a
    fresh embedded stack in a process of its own, stopped afterwards."""
    from aicc.bench.run import StackProcess
    from aicc.runtime.auth import state_dir as default_state_dir

    if url is not None:
        if state_dir is None:
            state_dir = default_state_dir()  # where `aicc up` keeps its signing key by default
        return await run_suite(
            conversations,
            url,
            state_dir,
            reply_timeout_s=reply_timeout_s,
            on_conversation=on_conversation,
            appointments=await stack_appointments(url, state_dir),
        )
    with tempfile.TemporaryDirectory(prefix="aicc-dialogs-") as scratch:
        stack = StackProcess(state_dir or Path(scratch) / "state")
        try:
            started = await asyncio.to_thread(stack.start)
            return await run_suite(
                conversations,
                started,
                stack.state_dir,
                reply_timeout_s=reply_timeout_s,
                on_conversation=on_conversation,
                appointments=await stack_appointments(started, stack.state_dir),
            )
        finally:
            await asyncio.to_thread(stack.stop)


async def stack_appointments(url: str, state_dir: Path | None) -> Appointments | None:
    """The appointments of the embedded stack at `url` (its DynamoDB endpoint, from its signed info
    route), or None for any other stack: a deployment's bookings are not the suite's to cancel."""
    from aicc.adapters.dynamodb.appointments import DynamoAppointments
    from aicc.bench.run import _http_base, stack_info
    from aicc.embedded.stack import REGION, TABLE_PREFIX

    try:
        info = await stack_info(_http_base(url), state_dir=state_dir)
    except (ValueError, RuntimeError, OSError, aiohttp.ClientError):
        print(
            f"aicc eval --dialogs: {url} is no embedded stack here; bookings are kept between conversations",
            file=sys.stderr,
        )
        return None
    dynamodb = boto3.session.Session().client(
        "dynamodb",
        endpoint_url=info["endpoints"]["dynamodb"],
        region_name=REGION,
        aws_access_key_id="testing",  # moto takes any credentials
        aws_secret_access_key="testing",
    )
    return DynamoAppointments(dynamodb, TABLE_PREFIX + "appointments")
