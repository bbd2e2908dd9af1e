"""`aicc up` as a user runs it: a real process on free ports, real handlers, real WebSockets."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from aicc.runtime.auth import issue_token
from tests.loopback import free_ports

pytestmark = pytest.mark.embedded
# Short, so the silent-owner test is bounded to seconds; far above the few milliseconds the talking
# staff member's test takes to answer a relayed message.
STAFF_REPLY_TIMEOUT_S = 4


class Running:
    def __init__(self, url: str, state_dir: Path, process: subprocess.Popen[str]) -> None:
        self.url = url
        self.state_dir = state_dir
        self.process = process

    def token(self, user: str = "cust-0001", role: str = "customer", **kwargs: Any) -> str:
        return issue_token(user, role, directory=self.state_dir, **kwargs)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    state_dir = tmp_path_factory.mktemp("aicc-up") / "state"
    port, moto_port, dynamodb_port = free_ports(3)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AICC_"))}
    env["AICC_STAFF_REPLY_TIMEOUT_S"] = str(STAFF_REPLY_TIMEOUT_S)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aicc.cli",
            "up",
            "--port",
            str(port),
            "--moto-port",
            str(moto_port),
            "--dynamodb-port",
            str(dynamodb_port),
            "--state-dir",
            str(state_dir),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"aicc up exited early:\n{process.stdout.read() if process.stdout else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        raise AssertionError("aicc up did not start listening in 90 s")
    yield Running(f"ws://127.0.0.1:{port}/ws", state_dir, process)
    process.send_signal(signal.SIGINT)
    try:
        out, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    assert process.returncode == 0, out


async def _turn(
    ws: aiohttp.ClientWebSocketResponse, text: str, *, wait_s: float = 20, **extra: Any
) -> dict[str, dict[str, Any]]:
    cmid = str(uuid.uuid4())
    await ws.send_str(json.dumps({"action": "sendMessage", "text": text, "client_message_id": cmid, **extra}))
    frames: dict[str, dict[str, Any]] = {}
    while not {"reply", "error"} & frames.keys():
        message = await ws.receive(timeout=wait_s)
        assert message.type == aiohttp.WSMsgType.TEXT, message
        frame = json.loads(message.data)
        if frame.get("client_message_id") == cmid or frame["type"] == "handoff":
            frames[frame["type"]] = frame
    return frames


def test_a_customer_holds_a_conversation(stack: Running) -> None:
    async def scenario() -> list[dict[str, dict[str, Any]]]:
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(f"{stack.url}?token={stack.token('cust-0001')}") as ws,
        ):
            first = await _turn(ws, "Hi, how do I pair my phone over Bluetooth?")
            second = await _turn(
                ws, "My car broke down on the freeway, I need a tow", conversation_id=first["ack"]["conversation_id"]
            )
            return [first, second]

    first, second = asyncio.run(scenario())
    assert first["ack"]["turn_id"] == first["reply"]["turn_id"]
    assert first["reply"]["sources"] and not first["reply"]["degraded"]
    assert second["reply"]["conversation_id"] == first["reply"]["conversation_id"]
    assert second["reply"]["route"] == {"kind": "human", "queue": "roadside", "priority": "urgent"}


@pytest.mark.parametrize("case", ["missing", "garbage", "expired"])
def test_a_bad_token_is_refused(stack: Running, case: str) -> None:
    token = {
        "missing": None,
        "garbage": "abc.def.ghi",
        "expired": stack.token("cust-0002", ttl_s=1, now=time.time() - 60),
    }[case]
    url = stack.url if token is None else f"{stack.url}?token={token}"

    async def connect() -> int:
        async with aiohttp.ClientSession() as session:
            try:
                async with session.ws_connect(url):
                    return 101
            except aiohttp.WSServerHandshakeError as exc:
                return exc.status

    assert asyncio.run(connect()) in (401, 403)


def test_a_malformed_frame_gets_an_error_and_the_connection_stays_up(stack: Running) -> None:
    async def scenario() -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(f"{stack.url}?token={stack.token('cust-0003')}") as ws,
        ):
            await ws.send_str("{this is not json")
            error = json.loads((await ws.receive(timeout=10)).data)
            after = await _turn(ws, "hello")
            return error, after

    error, after = asyncio.run(scenario())
    assert error["type"] == "error" and error["code"] == "invalid_frame"
    assert after["reply"]["text"]


async def _frame_of(ws: aiohttp.ClientWebSocketResponse, kind: str) -> dict[str, Any]:
    while True:
        message = await ws.receive(timeout=20)
        assert message.type == aiohttp.WSMsgType.TEXT, message
        frame = json.loads(message.data)
        if frame["type"] == kind:
            return frame  # type: ignore[no-any-return]


def test_a_customer_and_a_staff_member_talk_over_their_sockets(stack: Running) -> None:
    async def scenario() -> None:
        async with aiohttp.ClientSession() as session:
            customer = await session.ws_connect(f"{stack.url}?token={stack.token('cust-0011')}")
            staff = await session.ws_connect(f"{stack.url}?token={stack.token('oem-0001', 'oem_staff')}")
            first = await _turn(customer, "My truck broke down on the highway, I need a tow")
            assert first["reply"]["route"]["queue"] == "roadside"
            conversation = first["reply"]["conversation_id"]

            await staff.send_str(json.dumps({"action": "listQueue"}))
            queue = await _frame_of(staff, "queue")
            assert conversation in [c["conversation_id"] for c in queue["conversations"]]
            await staff.send_str(json.dumps({"action": "takeConversation", "conversation_id": conversation}))
            assert (await _frame_of(staff, "handoff"))["status"] == "taken"
            assert (await _frame_of(customer, "handoff"))["status"] == "taken"

            await customer.send_str(
                json.dumps(
                    {
                        "action": "sendMessage",
                        "text": "I'm near exit 12",
                        "client_message_id": "c-2",
                        "conversation_id": conversation,
                    }
                )
            )
            relayed = await _frame_of(staff, "message")
            assert relayed["text"] == "I'm near exit 12" and relayed["sender"] == "customer"

            await staff.send_str(
                json.dumps(
                    {
                        "action": "staffReply",
                        "conversation_id": conversation,
                        "text": "A tow truck will be there in 30 minutes.",
                        "client_message_id": "s-1",
                    }
                )
            )
            answer = await _frame_of(customer, "message")
            assert answer["sender"] == "staff" and "tow truck" in answer["text"]

            await staff.send_str(json.dumps({"action": "handBack", "conversation_id": conversation}))
            assert (await _frame_of(customer, "handoff"))["status"] == "returned"
            again = await _turn(customer, "thank you!", conversation_id=conversation)
            assert again["reply"]["route"]["kind"] == "bot"
            await customer.close()
            await staff.close()

    asyncio.run(scenario())


def test_a_customer_whose_staff_member_went_offline_is_told_and_answered(stack: Running) -> None:
    """Issue 14, defect 10: the owner's socket is gone; the customer is not left with acks only."""

    async def scenario() -> tuple[dict[str, Any], dict[str, dict[str, Any]], dict[str, Any]]:
        async with aiohttp.ClientSession() as session:
            customer = await session.ws_connect(f"{stack.url}?token={stack.token('cust-0012')}")
            staff = await session.ws_connect(f"{stack.url}?token={stack.token('oem-0002', 'oem_staff')}")
            first = await _turn(customer, "My car broke down on the highway, I need a tow")
            conversation = first["reply"]["conversation_id"]
            await staff.send_str(json.dumps({"action": "takeConversation", "conversation_id": conversation}))
            assert (await _frame_of(customer, "handoff"))["status"] == "taken"
            await staff.close()  # the staff member goes offline

            stranded = await _turn(customer, "My car will not start, I need help", conversation_id=conversation)
            observer = await session.ws_connect(f"{stack.url}?token={stack.token('oem-0003', 'oem_staff')}")
            await observer.send_str(json.dumps({"action": "listQueue"}))
            queue = await _frame_of(observer, "queue")
            entry = next(c for c in queue["conversations"] if c["conversation_id"] == conversation)
            await customer.close()
            await observer.close()
            return stranded["handoff"], stranded, entry

    told, stranded, entry = asyncio.run(scenario())
    assert told["status"] == "queued" and "not connected" in told["text"]
    assert "roadside assistance (24/7)" in stranded["reply"]["text"].lower()  # the roadside guidance
    assert entry["status"] == "waiting" and entry.get("agent_id") is None


def test_a_customer_whose_staff_member_does_not_answer_is_told_and_answered(stack: Running) -> None:
    """Issue 14, defect 10: the owner is connected but silent past AICC_STAFF_REPLY_TIMEOUT_S."""

    async def scenario() -> tuple[dict[str, Any], ...]:
        async with aiohttp.ClientSession() as session:
            customer = await session.ws_connect(f"{stack.url}?token={stack.token('cust-0014')}")
            staff = await session.ws_connect(f"{stack.url}?token={stack.token('oem-0004', 'oem_staff')}")
            first = await _turn(customer, "My car broke down on the highway, I need a tow")
            conversation = first["reply"]["conversation_id"]
            await staff.send_str(json.dumps({"action": "takeConversation", "conversation_id": conversation}))
            assert (await _frame_of(customer, "handoff"))["status"] == "taken"

            waiting = await _turn(
                customer, "hello? is anybody there?", wait_s=STAFF_REPLY_TIMEOUT_S + 20, conversation_id=conversation
            )
            relayed = await _frame_of(staff, "message")  # the person got it, and says nothing
            lost = await _frame_of(staff, "handoff")
            await staff.send_str(json.dumps({"action": "listQueue"}))
            queue = await _frame_of(staff, "queue")
            entry = next(c for c in queue["conversations"] if c["conversation_id"] == conversation)
            await customer.close()
            await staff.close()
            return waiting["handoff"], waiting["reply"], relayed, lost, entry

    told, reply, relayed, lost, entry = asyncio.run(scenario())
    assert relayed["text"] == "hello? is anybody there?"
    assert told["status"] == "queued" and "has not answered" in told["text"]
    assert reply["conversation_id"] == told["conversation_id"] and reply["text"]  # the assistant answered it
    assert lost["status"] == "queued" and lost["conversation_id"] == told["conversation_id"]
    assert entry["status"] == "waiting" and entry.get("agent_id") is None
