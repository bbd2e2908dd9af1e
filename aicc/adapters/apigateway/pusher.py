"""The pusher over API Gateway's management API (`POST @connections/{id}`) at `AICC_CALLBACK_URL`."""

from __future__ import annotations

import os

from aicc.ports.connections import Connections
from aicc.runtime.clients import client


class ApiGatewayPusher:
    """A connection API Gateway reports gone (410) is dropped from `connections`, so pushes to its
    user stop trying it."""

    def __init__(self, connections: Connections, callback_url: str | None = None) -> None:
        self.connections = connections
        self._callback_url = callback_url
        # The client, at the handler's import, when the deployment's URL is already known.
        if url := callback_url or os.environ.get("AICC_CALLBACK_URL"):
            client("apigatewaymanagementapi", endpoint_url=url)

    def push(self, connection_id: str, data: str) -> bool:
        # Read per call: the URL is the deployment's, set in the environment after import in tests.
        management = client(
            "apigatewaymanagementapi", endpoint_url=self._callback_url or os.environ["AICC_CALLBACK_URL"]
        )
        try:
            management.post_to_connection(ConnectionId=connection_id, Data=data.encode())
        except management.exceptions.GoneException:
            self.connections.drop(connection_id)
            return False
        return True

    def push_to_user(self, user_id: str, data: str) -> int:
        return sum(self.push(connection_id, data) for connection_id in self.connections.of_user(user_id))
