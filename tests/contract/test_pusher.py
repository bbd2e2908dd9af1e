"""Contract of the Pusher port: frames reach a user's open connections; a gone one is dropped."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest

from aicc.adapters.apigateway.pusher import ApiGatewayPusher
from aicc.adapters.dynamodb.connections import DynamoDBConnections
from aicc.adapters.memory.connections import MemoryConnections
from aicc.adapters.memory.pusher import MemoryPusher
from aicc.ports.connections import Connection, Connections
from aicc.ports.pusher import Pusher
from aicc.runtime.clients import client
from tests.contract.conftest import BACKENDS
from tests.moto_frames import moto_frames

CALLBACK_URL = "https://chat0001.execute-api.us-east-1.amazonaws.com/test"
HOUR = 3600


class Wired:
    """A pusher, its connections, a way to make a connection gone and to read what it received."""

    def __init__(
        self,
        pusher: Pusher,
        connections: Connections,
        close: Callable[[str], None],
        frames: Callable[[str], list[dict[str, Any]]],
    ) -> None:
        self.pusher, self.connections, self.close, self.frames = pusher, connections, close, frames


class _Response:
    status_code = 410


def _moto_wired() -> Wired:
    """moto's @connections never answers 410: a gone connection is answered so before the call."""
    from moto.apigatewaymanagementapi.models import apigatewaymanagementapi_backends

    # moto lives for the session; what earlier tests pushed is not this test's.
    apigatewaymanagementapi_backends["123456789012"]["us-east-1"].connections.clear()
    connections = DynamoDBConnections()
    gone: set[str] = set()
    management = client("apigatewaymanagementapi", endpoint_url=CALLBACK_URL)

    def answer_gone(params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]] | None:
        # `params` is the serialized request: the connection id is the last segment of its path.
        if params.get("url_path", "").rsplit("/", 1)[-1] in {quote(c, safe="") for c in gone}:
            return _Response(), {"Error": {"Code": "GoneException", "Message": "gone"}, "ResponseMetadata": {}}
        return None

    management.meta.events.register("before-call.apigatewaymanagementapi.PostToConnection", answer_gone)
    return Wired(ApiGatewayPusher(connections, CALLBACK_URL), connections, gone.add, moto_frames)


@pytest.fixture(params=BACKENDS)
def wired(request: pytest.FixtureRequest) -> Wired:
    if request.param == "memory":
        connections = MemoryConnections()
        pusher = MemoryPusher(connections)
        return Wired(pusher, connections, pusher.close, pusher.frames)
    request.getfixturevalue("moto_tables")
    return _moto_wired()


def test_a_frame_reaches_the_connection(wired: Wired) -> None:
    assert wired.pusher.push("c1", json.dumps({"type": "reply", "n": 1})) is True
    assert wired.pusher.push("c1", json.dumps({"type": "reply", "n": 2})) is True
    assert [f["n"] for f in wired.frames("c1")] == [1, 2]


def test_a_frame_for_a_user_reaches_each_of_their_connections(wired: Wired) -> None:
    for connection_id, user in (("c1", "cust-1"), ("c2", "cust-1"), ("c3", "cust-2")):
        wired.connections.record(Connection(connection_id, user, "customer"), ttl_s=HOUR)
    assert wired.pusher.push_to_user("cust-1", json.dumps({"type": "handoff"})) == 2
    assert wired.frames("c1") == wired.frames("c2") == [{"type": "handoff"}]
    assert wired.frames("c3") == []
    assert wired.pusher.push_to_user("nobody", "{}") == 0


def test_a_gone_connection_is_dropped_and_not_tried_again(wired: Wired) -> None:
    wired.connections.record(Connection("c1", "cust-1", "customer"), ttl_s=HOUR)
    wired.connections.record(Connection("c2", "cust-1", "customer"), ttl_s=HOUR)
    wired.close("c1")
    assert wired.pusher.push_to_user("cust-1", json.dumps({"type": "message"})) == 1
    assert wired.connections.of_user("cust-1") == ["c2"]
    assert wired.pusher.push("c1", "{}") is False
    assert wired.frames("c1") == []
