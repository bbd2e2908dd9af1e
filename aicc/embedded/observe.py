"""Hearing every AWS call the embedded stack's handlers and pollers make (observation only).

`ApiCallObservers` fans each call out to its listeners, `listener(service, operation, params,
parsed_response)`, after the call, even a failed one. It hooks botocore (or aiobotocore) event
emitters: a session's, before its clients are made (the stack registers it with
`aicc.runtime.clients.add_session_hook`), or a client's. A call is never changed, and with no
listener the hooks return at once. `aicc bench` counts calls with it (aicc.bench.probe).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

ApiCallListener = Callable[[str, str, Mapping[str, Any], Mapping[str, Any]], None]
_PARAMS_KEY = "aicc_api_params"


class ApiCallObservers:
    def __init__(self) -> None:
        self._listeners: list[ApiCallListener] = []
        self._lock = threading.Lock()

    def add(self, listener: ApiCallListener) -> None:
        with self._lock:
            if listener not in self._listeners:
                self._listeners = [*self._listeners, listener]

    def remove(self, listener: ApiCallListener) -> None:
        with self._lock:
            self._listeners = [known for known in self._listeners if known is not listener]

    def __call__(self, service: str, operation: str, params: Mapping[str, Any], parsed: Mapping[str, Any]) -> None:
        for listener in self._listeners:
            listener(service, operation, params, parsed)

    def observe(self, events: Any) -> None:
        """Hook a botocore (or aiobotocore) event emitter."""
        events.register("before-parameter-build", self._keep_params, unique_id=f"aicc-keep-params-{id(self)}")
        events.register("after-call", self._after_call, unique_id=f"aicc-after-call-{id(self)}")

    def observe_session(self, session: Any) -> None:
        self.observe(session.events)

    def _keep_params(self, params: Mapping[str, Any], context: dict[str, Any], **_: Any) -> None:
        # The request context travels from parameter building to after-call; a reference, not a copy.
        if self._listeners:
            context[_PARAMS_KEY] = params

    def _after_call(self, model: Any, parsed: Mapping[str, Any], context: Mapping[str, Any], **_: Any) -> None:
        if not self._listeners:
            return
        self(model.service_model.service_name, model.name, context.get(_PARAMS_KEY) or {}, parsed)


@contextlib.contextmanager
def observing_shared_clients(*listeners: ApiCallListener) -> Iterator[ApiCallObservers]:
    """Every call made through `aicc.runtime.clients` inside the block reaches `listeners` (tests)."""
    from aicc.runtime import clients

    observers = ApiCallObservers()
    for listener in listeners:
        observers.add(listener)
    clients.add_session_hook(observers.observe_session)
    clients.reset()
    try:
        yield observers
    finally:
        clients.remove_session_hook(observers.observe_session)
        clients.reset()
