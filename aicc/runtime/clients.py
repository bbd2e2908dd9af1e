"""boto3 clients, created once per process with the standard configuration.

boto3 honours `AWS_ENDPOINT_URL` (and `AWS_ENDPOINT_URL_<SERVICE>`) by itself, which is how the
embedded stack points handlers at moto without the handlers knowing. boto3 is imported lazily:
it costs more than the whole cold-start budget of a handler module, and a warm Lambda pays it
once, on the first call.
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
    """A shared client (typed per service for mypy). boto3 clients are thread-safe; creating them is not: a lock."""
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
