"""Module-level pushing over API Gateway, for callers not yet handed a `Pusher` port (the aggregator)."""

from __future__ import annotations

from aicc.adapters.apigateway.pusher import ApiGatewayPusher
from aicc.adapters.dynamodb.connections import DynamoDBConnections
from aicc.ports.pusher import Pusher

pusher: Pusher = ApiGatewayPusher(DynamoDBConnections())


def push(connection_id: str, data: str) -> bool:
    """Send one frame; False when the connection is gone (410), whose record is then dropped."""
    return pusher.push(connection_id, data)


def push_to_user(user_id: str, data: str) -> int:
    """Push to every open connection of the user; returns how many took it."""
    return pusher.push_to_user(user_id, data)
