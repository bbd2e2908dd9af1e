"""The gateway behaves like API Gateway WebSocket: authorizer, routes, limits, @connections."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import boto3
import pytest

from aicc.embedded.gateway import WebSocketGateway, policy_allows, select_route
from aicc.embedded.invoke import InvocationStats
from contracts.frames import MAX_FRAME_BYTES

from .fakes import GATEWAY_ROUTES, Recorder, gateway_handlers, resolver_for

pytestmark = pytest.mark.embedded

RECEIVE_TIMEOUT_S = 5


@asynccontextmanager
async def running_gateway(recorder: Recorder) -> AsyncIterator[WebSocketGateway]:
    with ThreadPoolExecutor(max_workers=8) as executor:
        gateway = WebSocketGateway(
            executor=executor,
            stats=InvocationStats(),
            resolver=resolver_for(gateway_handlers(recorder)),
            port=0,
            routes=GATEWAY_ROUTES,
            authorizer="fake.authorizer.handler",
        )
        await gateway.start()
        try:
            yield gateway
        finally:
            await gateway.stop()


def run(scenario: Callable[[WebSocketGateway, aiohttp.ClientSession, Recorder], Awaitable[None]]) -> Recorder:
    recorder = Recorder()

    async def main() -> None:
        async with running_gateway(recorder) as gateway, aiohttp.ClientSession() as session:
            await scenario(gateway, session, recorder)

    asyncio.run(main())
    return recorder


async def _receive_json(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    message = await ws.receive(timeout=RECEIVE_TIMEOUT_S)
    assert message.type == aiohttp.WSMsgType.TEXT, message
    frame: dict[str, Any] = json.loads(message.data)
    return frame


def _management_client(gateway: WebSocketGateway, url: str) -> Any:
    """Signed with the gateway's credentials, as the stack's handlers sign."""
    return boto3.client(
        "apigatewaymanagementapi",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=gateway.credentials.access_key,
        aws_secret_access_key=gateway.credentials.secret_key,
    )


def test_the_authorizer_guards_connect() -> None:
    statuses: dict[str, int] = {}

    async def scenario(gateway: WebSocketGateway, session: aiohttp.ClientSession, _recorder: Recorder) -> None:
        for token in (None, "wrong", "deny", "boom", "nested", "refuse"):
            url = gateway.websocket_url + (f"?token={token}" if token else "")
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(url)
            statuses[str(token)] = refused.value.status

    recorder = run(scenario)
    assert statuses == {"None": 401, "wrong": 401, "deny": 403, "boom": 500, "nested": 500, "refuse": 429}
    # No identity source: API Gateway refuses before invoking the authorizer.
    tokens = [(e["queryStringParameters"] or {}).get("token") for e in recorder.events("fake.authorizer.handler")]
    assert tokens == ["wrong", "deny", "boom", "nested", "refuse"]
    # Only the authorized "refuse" reached $connect; nobody was connected, so no $disconnect.
    assert len(recorder.events("fake.connect.handler")) == 1
    assert recorder.events("fake.disconnect.handler") == []
    event = recorder.events("fake.authorizer.handler")[0]
    assert event["type"] == "REQUEST"
    assert event["methodArn"] == "arn:aws:execute-api:us-east-1:123456789012:local/embedded/$connect"
    assert event["requestContext"]["routeKey"] == "$connect"
    assert event["requestContext"]["eventType"] == "CONNECT"
    assert event["requestContext"]["connectionId"]


def test_routes_are_selected_on_the_action_and_route_responses_come_back() -> None:
    frames: list[dict[str, Any]] = []

    async def scenario(gateway: WebSocketGateway, session: aiohttp.ClientSession, recorder: Recorder) -> None:
        async with session.ws_connect(gateway.websocket_url + "?token=good") as ws:
            for body in (
                json.dumps({"action": "sendMessage", "text": "hi"}),
                json.dumps({"action": "unknownAction"}),
                "not json at all",
                json.dumps({"action": "$connect"}),
            ):
                await ws.send_str(body)
                frames.append(await _receive_json(ws))
            # No route response for "silent"; the next frame is the sendMessage ack.
            await ws.send_str(json.dumps({"action": "silent"}))
            await asyncio.to_thread(recorder.wait_for, lambda: len(recorder.events("fake.silent.handler")) == 1)
            await ws.send_str(json.dumps({"action": "sendMessage"}))
            frames.append(await _receive_json(ws))
            await ws.send_str(json.dumps({"action": "explode"}))
            frames.append(await _receive_json(ws))

    recorder = run(scenario)
    assert [f.get("route") for f in frames[:5]] == ["sendMessage", "$default", "$default", "$default", "sendMessage"]
    assert frames[0]["type"] == "ack"
    error = frames[5]
    assert error["message"] == "Internal server error"
    assert error["connectionId"] == frames[0]["connection_id"] and error["requestId"]

    (connect,) = recorder.events("fake.connect.handler")
    context = connect["requestContext"]
    assert context["eventType"] == "CONNECT" and context["routeKey"] == "$connect"
    assert context["authorizer"]["principalId"] == "u-1"
    assert context["authorizer"]["role"] == "customer"
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["connectedAt"] > 0 and context["stage"] == "embedded"
    assert connect["queryStringParameters"] == {"token": "good"}

    message = recorder.events("fake.ingress.handler")[0]
    assert message["body"] == json.dumps({"action": "sendMessage", "text": "hi"})
    assert message["isBase64Encoded"] is False
    context = message["requestContext"]
    assert context["eventType"] == "MESSAGE" and context["routeKey"] == "sendMessage"
    assert context["connectionId"] == frames[0]["connection_id"]
    assert context["messageId"] and context["requestId"] and context["requestTimeEpoch"] > 0
    assert context["authorizer"]["user_id"] == "u-1"
    assert context["domainName"] == f"127.0.0.1:{context['domainName'].split(':')[1]}"

    (disconnect,) = recorder.events("fake.disconnect.handler")
    assert disconnect["requestContext"]["eventType"] == "DISCONNECT"
    assert disconnect["requestContext"]["routeKey"] == "$disconnect"
    assert disconnect["requestContext"]["disconnectStatusCode"] == 1000
    assert disconnect["requestContext"]["connectionId"] == frames[0]["connection_id"]


def test_an_oversize_message_closes_with_1009_and_binary_with_1003() -> None:
    codes: list[int | None] = []

    async def scenario(gateway: WebSocketGateway, session: aiohttp.ClientSession, _recorder: Recorder) -> None:
        async with session.ws_connect(gateway.websocket_url + "?token=good") as ws:
            await ws.send_str("x" * (MAX_FRAME_BYTES + 1))
            message = await ws.receive(timeout=RECEIVE_TIMEOUT_S)
            assert message.type == aiohttp.WSMsgType.CLOSE
            codes.append(ws.close_code)
        async with session.ws_connect(gateway.websocket_url + "?token=good") as ws:
            await ws.send_str("y" * (MAX_FRAME_BYTES - 100))  # inside the limit: routed as usual
            assert (await _receive_json(ws))["route"] == "$default"
            await ws.send_bytes(b"\x00binary")
            message = await ws.receive(timeout=RECEIVE_TIMEOUT_S)
            assert message.type == aiohttp.WSMsgType.CLOSE
            codes.append(ws.close_code)

    recorder = run(scenario)
    assert codes == [1009, 1003]
    disconnects = sorted(
        e["requestContext"]["disconnectStatusCode"] for e in recorder.events("fake.disconnect.handler")
    )
    assert disconnects == [1003, 1009]


def test_connections_api_post_get_delete_and_gone() -> None:
    seen: dict[str, Any] = {}

    async def scenario(gateway: WebSocketGateway, session: aiohttp.ClientSession, recorder: Recorder) -> None:
        async with session.ws_connect(gateway.websocket_url + "?token=good") as ws:
            await ws.send_str(json.dumps({"action": "sendMessage"}))
            connection_id = (await _receive_json(ws))["connection_id"]
            client = _management_client(gateway, gateway.url)
            staged = _management_client(gateway, gateway.url + "/embedded")

            await asyncio.to_thread(client.post_to_connection, ConnectionId=connection_id, Data=b'{"type":"reply"}')
            assert await _receive_json(ws) == {"type": "reply"}
            await asyncio.to_thread(staged.post_to_connection, ConnectionId=connection_id, Data=b'{"n":2}')
            assert await _receive_json(ws) == {"n": 2}

            seen["described"] = await asyncio.to_thread(client.get_connection, ConnectionId=connection_id)
            await asyncio.to_thread(client.delete_connection, ConnectionId=connection_id)
            message = await ws.receive(timeout=RECEIVE_TIMEOUT_S)
            assert message.type == aiohttp.WSMsgType.CLOSE
            await asyncio.to_thread(recorder.wait_for, lambda: len(recorder.events("fake.disconnect.handler")) == 1)

            for call in (client.post_to_connection, client.get_connection, client.delete_connection):
                kwargs: dict[str, Any] = {"ConnectionId": connection_id}
                if call == client.post_to_connection:
                    kwargs["Data"] = b"late"
                with pytest.raises(client.exceptions.GoneException):
                    await asyncio.to_thread(call, **kwargs)
            with pytest.raises(client.exceptions.GoneException):
                await asyncio.to_thread(client.post_to_connection, ConnectionId="never-existed=", Data=b"x")

    run(scenario)
    described = seen["described"]
    assert described["Identity"]["SourceIp"] == "127.0.0.1"
    assert described["ConnectedAt"] <= described["LastActiveAt"]


def test_shutdown_disconnects_every_socket_with_1001() -> None:
    closes: list[int | None] = []

    async def scenario(gateway: WebSocketGateway, session: aiohttp.ClientSession, recorder: Recorder) -> None:
        sockets = [await session.ws_connect(gateway.websocket_url + "?token=good") for _ in range(3)]
        stopping = asyncio.create_task(gateway.stop())
        for ws in sockets:
            message = await ws.receive(timeout=RECEIVE_TIMEOUT_S)  # answers the close handshake
            assert message.type == aiohttp.WSMsgType.CLOSE
            closes.append(ws.close_code)
        await asyncio.wait_for(stopping, timeout=RECEIVE_TIMEOUT_S)

    recorder = run(scenario)
    assert closes == [1001, 1001, 1001]
    disconnects = [e["requestContext"] for e in recorder.events("fake.disconnect.handler")]
    assert [(c["disconnectStatusCode"], c["disconnectReason"]) for c in disconnects] == [(1001, "Going away")] * 3


def test_route_selection_and_policy_evaluation_rules() -> None:
    routes = {"sendMessage": 1, "$default": 1, "$connect": 1}
    assert select_route('{"action": "sendMessage"}', routes) == "sendMessage"
    assert select_route('{"action": "$connect"}', routes) == "$default"
    assert select_route('{"action": 3}', routes) == "$default"
    assert select_route("[]", routes) == "$default"
    assert select_route("{}", {"sendMessage": 1}) is None
    arn = "arn:aws:execute-api:us-east-1:123456789012:local/embedded/$connect"

    def policy(*statements: tuple[str, str]) -> dict[str, Any]:
        return {"policyDocument": {"Statement": [{"Effect": e, "Resource": r} for e, r in statements]}}

    assert policy_allows(policy(("Allow", arn)), arn)
    assert policy_allows(policy(("Allow", "arn:aws:execute-api:*:*:local/*")), arn)
    assert not policy_allows(policy(("Allow", "arn:aws:execute-api:*:*:other/*")), arn)
    assert not policy_allows(policy(("Allow", "*"), ("Deny", arn)), arn)
    assert not policy_allows(policy(), arn)
