"""The gateway under abuse: hostile frames are still routed, its management endpoints take only
SigV4 requests signed with the stack's credentials, and one socket cannot flood the others."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import boto3
import pytest
from botocore.exceptions import ClientError

from aicc.embedded.gateway import WebSocketGateway
from aicc.embedded.invoke import InvocationStats, LambdaHandler
from aicc.embedded.sigv4 import fresh_credentials, sign
from aicc.embedded.throttle import FrameLimits, RateLimit

from .fakes import GATEWAY_ROUTES, Recorder, fake_authorizer, gateway_handlers, recording, resolver_for
from .test_gateway import RECEIVE_TIMEOUT_S, _receive_json

pytestmark = pytest.mark.embedded

NEVER_REFILLS = 1e-9  # frames per second: a bucket that does not refill within a test


def _authorizer(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The fake authorizer, with the user from the token: `good` is u-1, `good-u-2` is u-2."""
    token = (event.get("queryStringParameters") or {}).get("token", "")
    user = token.removeprefix("good-") if token.startswith("good-") else "u-1"
    policy = fake_authorizer({**event, "queryStringParameters": {"token": "good"}}, context)
    return {**policy, "principalId": user, "context": {**policy["context"], "user_id": user}}


@asynccontextmanager
async def running_gateway(
    recorder: Recorder, limits: FrameLimits | None = None, **handlers: LambdaHandler
) -> AsyncIterator[WebSocketGateway]:
    fakes = {
        **gateway_handlers(recorder),
        "fake.authorizer.handler": _authorizer,
        **{path: recording(recorder, path, handler) for path, handler in handlers.items()},
    }
    with ThreadPoolExecutor(max_workers=8) as executor:
        gateway = WebSocketGateway(
            executor=executor,
            stats=InvocationStats(),
            resolver=resolver_for(fakes),
            port=0,
            routes=GATEWAY_ROUTES,
            authorizer="fake.authorizer.handler",
            info_routes={"bench": lambda: {"state_dir": "/secret/state"}},
            limits=limits,
        )
        await gateway.start()
        try:
            yield gateway
        finally:
            await gateway.stop()


def run(
    scenario: Callable[[WebSocketGateway, aiohttp.ClientSession], Awaitable[None]],
    limits: FrameLimits | None = None,
    **handlers: LambdaHandler,
) -> Recorder:
    recorder = Recorder()

    async def main() -> None:
        async with running_gateway(recorder, limits, **handlers) as gateway, aiohttp.ClientSession() as session:
            await scenario(gateway, session)

    asyncio.run(main())
    return recorder


# --- hostile frames ------------------------------------------------------------------------------


def test_frames_nested_too_deep_or_with_huge_numbers_go_to_default_and_are_answered() -> None:
    answers: list[dict[str, Any]] = []

    async def scenario(gateway: WebSocketGateway, session: aiohttp.ClientSession) -> None:
        async with session.ws_connect(gateway.websocket_url + "?token=good") as ws:
            for body in (
                "[" * 1000 + "]" * 1000,
                '{"action": "sendMessage", "x": ' + "[" * 5000 + "]" * 5000 + "}",
                '{"action": "sendMessage", "n": ' + "9" * 5000 + "}",
            ):
                await ws.send_str(body)
                answers.append(await _receive_json(ws))

    run(scenario)
    # API Gateway routes a body it cannot read an action from to $default.
    assert [a.get("route") for a in answers] == ["$default"] * 3


# --- @connections and /_aicc take SigV4 with the stack's credentials only ---------------------------


def _client(gateway: WebSocketGateway, access_key: str, secret_key: str, url: str | None = None) -> Any:
    return boto3.client(
        "apigatewaymanagementapi",
        endpoint_url=url or gateway.url,
        region_name="us-east-1",
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
    )


def test_connections_refuse_anyone_without_the_stacks_signature() -> None:
    refused: dict[str, Any] = {}
    received: list[dict[str, Any]] = []

    async def scenario(gateway: WebSocketGateway, session: aiohttp.ClientSession) -> None:
        async with session.ws_connect(gateway.websocket_url + "?token=good") as ws:
            await ws.send_str(json.dumps({"action": "sendMessage"}))
            connection_id = (await _receive_json(ws))["connection_id"]
            target = f"{gateway.url}/@connections/{connection_id}"
            forged = b'{"type": "reply", "text": "forged"}'
            # A cross-site page: a "simple" POST needs no preflight, and carries no signature.
            async with session.post(target, data=forged, headers={"Content-Type": "text/plain"}) as response:
                refused["cross-site post"] = response.status
            async with session.get(target) as response:
                refused["unsigned get"] = response.status
            async with session.delete(target) as response:
                refused["unsigned delete"] = response.status
            other = fresh_credentials()
            wrong = _client(gateway, other.access_key, other.secret_key)
            right_key = _client(gateway, gateway.credentials.access_key, other.secret_key)
            for name, call in (
                ("other credentials", lambda: wrong.post_to_connection(ConnectionId=connection_id, Data=forged)),
                ("wrong secret", lambda: right_key.post_to_connection(ConnectionId=connection_id, Data=forged)),
                ("other credentials delete", lambda: wrong.delete_connection(ConnectionId=connection_id)),
            ):
                with pytest.raises(ClientError) as error:
                    await asyncio.to_thread(call)
                refused[name] = error.value.response["ResponseMetadata"]["HTTPStatusCode"]
            # A signed request replayed with another body.
            headers = sign(gateway.credentials, "POST", target, region="us-east-1", body=b'{"n": 1}')
            async with session.post(target, data=forged, headers=headers) as response:
                refused["body swapped"] = response.status
            # The stack's own credentials still work, and the socket got nothing forged.
            signed = _client(gateway, gateway.credentials.access_key, gateway.credentials.secret_key)
            await asyncio.to_thread(signed.post_to_connection, ConnectionId=connection_id, Data=b'{"n": 2}')
            received.append(await _receive_json(ws))

    run(scenario)
    assert refused == {
        "cross-site post": 403,
        "unsigned get": 403,
        "unsigned delete": 403,
        "other credentials": 403,
        "wrong secret": 403,
        "other credentials delete": 403,
        "body swapped": 403,
    }
    assert received == [{"n": 2}]


def test_stack_views_need_the_stacks_signature() -> None:
    seen: dict[str, Any] = {}

    async def scenario(gateway: WebSocketGateway, session: aiohttp.ClientSession) -> None:
        url = f"{gateway.url}/_aicc/bench"
        async with session.get(url) as response:
            seen["unsigned"] = (response.status, await response.text())
        headers = sign(fresh_credentials(), "GET", url, region="us-east-1")
        async with session.get(url, headers=headers) as response:
            seen["other credentials"] = (response.status, await response.text())
        headers = sign(gateway.credentials, "GET", url, region="us-east-1")
        async with session.get(url, headers=headers) as response:
            seen["signed"] = (response.status, await response.json())

    run(scenario)
    assert seen["unsigned"][0] == 403 and "/secret/state" not in seen["unsigned"][1]
    assert seen["other credentials"][0] == 403 and "/secret/state" not in seen["other credentials"][1]
    assert seen["signed"] == (200, {"state_dir": "/secret/state"})


# --- fairness ------------------------------------------------------------------------------------


def _frames(count: int, prefix: str) -> list[str]:
    return [json.dumps({"action": "sendMessage", "client_message_id": f"{prefix}-{n}"}) for n in range(count)]


async def _answers(ws: aiohttp.ClientWebSocketResponse, count: int) -> list[dict[str, Any]]:
    return [await _receive_json(ws) for _ in range(count)]


def test_a_connection_past_its_burst_is_throttled_and_others_are_not() -> None:
    limits = FrameLimits(per_connection=RateLimit(NEVER_REFILLS, burst=3), per_user=RateLimit(NEVER_REFILLS, burst=100))
    answers: dict[str, list[dict[str, Any]]] = {}

    async def scenario(gateway: WebSocketGateway, session: aiohttp.ClientSession) -> None:
        async with (
            session.ws_connect(gateway.websocket_url + "?token=good") as flooding,
            session.ws_connect(gateway.websocket_url + "?token=good-u-2") as other,
        ):
            for frame in _frames(8, "flood"):
                await flooding.send_str(frame)
            answers["flooding"] = await _answers(flooding, 8)
            for frame in _frames(2, "other"):
                await other.send_str(frame)
            answers["other"] = await _answers(other, 2)

    recorder = run(scenario, limits)
    flood = answers["flooding"]
    assert sum(a["type"] == "ack" for a in flood) == 3
    throttled = [a for a in flood if a["type"] == "error"]
    assert len(throttled) == 5 and {a["code"] for a in throttled} == {"throttled"}
    # Each throttled frame is answered, with its own id, so a client knows which to send again.
    assert {a["client_message_id"] for a in throttled} | {f"flood-{n}" for n in range(3)} == {
        f"flood-{n}" for n in range(8)
    }
    assert [a["type"] for a in answers["other"]] == ["ack", "ack"]
    assert len(recorder.events("fake.ingress.handler")) == 5  # throttled frames reach no handler


def test_a_users_sockets_share_one_bucket() -> None:
    limits = FrameLimits(per_connection=RateLimit(NEVER_REFILLS, burst=100), per_user=RateLimit(NEVER_REFILLS, burst=4))
    kinds: list[str] = []

    async def scenario(gateway: WebSocketGateway, session: aiohttp.ClientSession) -> None:
        sockets = [await session.ws_connect(gateway.websocket_url + "?token=good") for _ in range(3)]
        for index, ws in enumerate(sockets):
            for frame in _frames(2, f"s{index}"):
                await ws.send_str(frame)
            kinds.extend(a.get("code", a["type"]) for a in await _answers(ws, 2))
        for ws in sockets:
            await ws.close()

    run(scenario, limits)
    assert kinds == ["ack", "ack", "ack", "ack", "throttled", "throttled"]


def test_frames_in_flight_per_connection_are_bounded() -> None:
    limits = FrameLimits(in_flight_per_connection=2)
    release = threading.Event()
    running = {"now": 0, "most": 0}
    changed = threading.Condition()

    def slow_ingress(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        with changed:
            running["now"] += 1
            running["most"] = max(running["most"], running["now"])
            changed.notify_all()
        release.wait(RECEIVE_TIMEOUT_S)
        with changed:
            running["now"] -= 1
        return {"statusCode": 200, "body": json.dumps({"type": "ack", "body": event["body"]})}

    def more_than_two_start() -> None:
        # Bounded: with the bound in place, a third never starts while two are held.
        with changed:
            changed.wait_for(lambda: running["now"] > 2, timeout=1.0)

    answered: list[dict[str, Any]] = []

    async def scenario(gateway: WebSocketGateway, session: aiohttp.ClientSession) -> None:
        async with session.ws_connect(gateway.websocket_url + "?token=good") as ws:
            for frame in _frames(10, "m"):
                await ws.send_str(frame)
            await asyncio.to_thread(more_than_two_start)
            release.set()
            answered.extend(await _answers(ws, 10))

    run(scenario, limits, **{"fake.ingress.handler": slow_ingress})
    assert running["most"] == 2
    sent = sorted(json.loads(a["body"])["client_message_id"] for a in answered)
    assert sent == sorted(f"m-{n}" for n in range(10))
