"""boto3 clients, created once per process with the standard configuration.

boto3 honours `AWS_ENDPOINT_URL` (and `AWS_ENDPOINT_URL_<SERVICE>`) by itself, which is how the
embedded stack points handlers at moto without the handlers knowing. boto3 is imported lazily:
it costs more than the whole cold-start budget of a handler module, and a warm Lambda pays it
once, on the first call.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

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


def client(service: str, endpoint_url: str | None = None) -> Any:
    """A shared client. boto3 clients are thread-safe; creating them is not, hence the lock."""
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
    observe_api_calls(session.events)
    return session


def reset() -> None:
    """Forget every client (tests switch endpoints and credentials between cases)."""
    with _lock:
        _clients.clear()
        _session.cache_clear()
        _config.cache_clear()


# --- API call observation (aicc bench) ------------------------------------------------------------
# Listeners see every call made through these clients (and through any emitter handed to
# observe_api_calls, such as the embedded pollers' aiobotocore client). Observation only: a call is
# never changed, and with no listener registered the hooks return at once.

ApiCallListener = Callable[[str, str, Mapping[str, Any], Mapping[str, Any]], None]
_listeners: list[ApiCallListener] = []
_PARAMS_KEY = "aicc_api_params"


def add_api_call_listener(listener: ApiCallListener) -> None:
    """Call `listener(service, operation, params, parsed_response)` after every call, even a failed one."""
    if listener not in _listeners:
        _listeners.append(listener)


def remove_api_call_listener(listener: ApiCallListener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def observe_api_calls(events: Any) -> None:
    """Hook a botocore (or aiobotocore) event emitter: a session's, before its clients are made, or a client's."""
    events.register("before-parameter-build", _keep_params, unique_id="aicc-keep-params")
    events.register("after-call", _after_call, unique_id="aicc-after-call")


def _keep_params(params: Mapping[str, Any], context: dict[str, Any], **_: Any) -> None:
    # The request context travels from parameter building to after-call; a reference, not a copy.
    if _listeners:
        context[_PARAMS_KEY] = params


def _after_call(model: Any, parsed: Mapping[str, Any], context: Mapping[str, Any], **_: Any) -> None:
    if not _listeners:
        return
    service, operation = model.service_model.service_name, model.name
    params = context.get(_PARAMS_KEY) or {}
    for listener in list(_listeners):
        listener(service, operation, params, parsed)
