"""Each invocation's AWS calls and CPU, attributed to its function by the thread it runs on."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

from aicc.bench.profiler import InvocationProfiler, since


def test_calls_made_in_an_invocation_are_its_own_and_the_push_is_marked() -> None:
    profiler = InvocationProfiler()

    def aggregator(event: dict[str, Any], context: Any) -> None:
        profiler("dynamodb", "UpdateItem", {}, {})
        profiler("apigatewaymanagementapi", "PostToConnection", {}, {})
        profiler("events", "PutEvents", {}, {})

    def intent(event: dict[str, Any], context: Any) -> None:
        profiler("events", "PutEvents", {}, {})

    handlers = {"handlers.aggregator.handler": aggregator, "handlers.intent.handler": intent}
    resolve = profiler.wrap(handlers.__getitem__)
    before = profiler.counts()
    resolve("handlers.aggregator.handler")({"Records": [{}, {}]}, SimpleNamespace(function_name="aicc-aggregator"))
    # A handler on another thread, and a call outside any invocation (the mappings inside moto).
    worker = threading.Thread(
        target=resolve("handlers.intent.handler"),
        args=({"Records": [{}]}, SimpleNamespace(function_name="aicc-intent")),
    )
    worker.start()
    worker.join()
    profiler("sqs", "ReceiveMessage", {}, {})

    profiles = since(profiler.snapshot(), before)
    (aggregated,) = profiles["aicc-aggregator"]
    assert aggregated["records"] == 2
    assert aggregated["calls"] == {
        "dynamodb.UpdateItem": 1,
        "apigatewaymanagementapi.PostToConnection": 1,
        "events.PutEvents": 1,
    }
    assert aggregated["to_push"]["calls"] == {"dynamodb.UpdateItem": 1, "apigatewaymanagementapi.PostToConnection": 1}
    assert aggregated["cpu_ms"] >= aggregated["to_push"]["cpu_ms"] >= 0
    assert profiles["aicc-intent"] == [
        {"cpu_ms": profiles["aicc-intent"][0]["cpu_ms"], "records": 1, "calls": {"events.PutEvents": 1}}
    ]
    assert since(profiler.snapshot(), profiler.counts()) == {}
