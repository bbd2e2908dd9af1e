"""boto3 clients, created once per process with the standard configuration.

boto3 honours `AWS_ENDPOINT_URL` (and `AWS_ENDPOINT_URL_<SERVICE>`) by itself, which is how the
embedded stack points handlers at moto without the handlers knowing.

Handlers build their clients at import: the adapters and the bus a handler constructs at module level
call `client()` (or `warm()`) in their constructors. Lambda's init phase then pays for boto3 and the
service models, not the first message, and a SnapStart snapshot holds the clients. That is safe to
restore: a client opens no connection until its first call, and on SnapStart functions its
credentials come from Lambda's container credentials endpoint, which boto3 refreshes, not from
values frozen in the snapshot. Adapters still look the client up per call, so `reset()` (tests, the
embedded stack switching endpoints) takes effect everywhere.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, overload

if TYPE_CHECKING:
    # Type stubs only (dev dependency): mypy checks every AWS call's parameters and responses.
    from mypy_boto3_apigatewaymanagementapi import ApiGatewayManagementApiClient
    from mypy_boto3_bedrock_runtime import BedrockRuntimeClient
    from mypy_boto3_comprehend import ComprehendClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_kendra import KendraClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient

_lock = threading.Lock()


@cache
def _config() -> Any:
    from botocore.config import Config

    return Config(
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=2,
        read_timeout=5,
        max_pool_connections=int(os.environ.get("AICC_MAX_POOL_CONNECTIONS", "20")),
    )


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


_clients: dict[tuple[str, str | None], Any] = {}


@overload
def client(service: Literal["dynamodb"], endpoint_url: str | None = None) -> DynamoDBClient: ...
@overload
def client(service: Literal["events"], endpoint_url: str | None = None) -> EventBridgeClient: ...
@overload
def client(service: Literal["sqs"], endpoint_url: str | None = None) -> SQSClient: ...
@overload
def client(service: Literal["s3"], endpoint_url: str | None = None) -> S3Client: ...
@overload
def client(
    service: Literal["apigatewaymanagementapi"], endpoint_url: str | None = None
) -> ApiGatewayManagementApiClient: ...
@overload
def client(service: Literal["bedrock-runtime"], endpoint_url: str | None = None) -> BedrockRuntimeClient: ...
@overload
def client(service: Literal["comprehend"], endpoint_url: str | None = None) -> ComprehendClient: ...
@overload
def client(service: Literal["kendra"], endpoint_url: str | None = None) -> KendraClient: ...


def client(service: str, endpoint_url: str | None = None) -> Any:
    """A shared client (typed per service for mypy)."""
    return _shared(service, endpoint_url)


def warm(*services: str) -> None:
    """Create these shared clients now (at a handler's import) rather than on the first call."""
    for service in services:
        _shared(service, None)


def created() -> set[tuple[str, str | None]]:
    """(service, endpoint_url) of every shared client this process holds."""
    return set(_clients)


def _shared(service: str, endpoint_url: str | None) -> Any:
    """boto3 clients are thread-safe; creating them is not: a lock."""
    key = (service, endpoint_url)
    found = _clients.get(key)
    if found is not None:
        return found
    with _lock:
        found = _clients.get(key)
        if found is None:
            session = _session()
            found = session.client(service, region_name=region(), config=_config(), endpoint_url=endpoint_url)
            _clients[key] = found
    return found


@cache
def _session() -> Any:
    import boto3

    session = boto3.session.Session()
    for hook in list(_session_hooks):
        hook(session)
    return session


# Called with each session created here, before any client of it exists. None is registered on
# Lambda; the embedded stack observes its handlers' AWS calls through this.
_session_hooks: list[Callable[[Any], None]] = []


def add_session_hook(hook: Callable[[Any], None]) -> None:
    """`hook(session)` for every boto3 session created from now on (reset() to apply it at once)."""
    if hook not in _session_hooks:
        _session_hooks.append(hook)


def remove_session_hook(hook: Callable[[Any], None]) -> None:
    if hook in _session_hooks:
        _session_hooks.remove(hook)


def reset() -> None:
    """Forget every client (tests switch endpoints and credentials between cases)."""
    with _lock:
        _clients.clear()
        _session.cache_clear()
        _config.cache_clear()
