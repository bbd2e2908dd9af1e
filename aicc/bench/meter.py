"""Counting the AWS API calls a process makes, and what each would be billed for.

An `ApiCallMeter` is an API-call listener of the embedded stack (aicc.embedded.observe). For every call it adds 1 to
`calls` of (service, operation) and, where a price depends on more than the call, the units AWS
bills (public pricing pages, see aicc.bench.cost):

- events PutEvents: `events`, one per entry per started 64 KB;
- sqs: `requests`, one per started 64 KB of payload (a request carrying nothing is one request);
  `messages_received` and `messages_sent` for the event-source mapping and the queues' inflow;
- dynamodb: `read_units` and `write_units` from the item sizes seen in the request or the answer
  (item size as DynamoDB computes it: attribute names plus values). What is not seen is not
  guessed upwards: an UpdateItem is sized by its key and new values, which is a lower bound when
  the item already holds more;
- bedrock-runtime Converse: `input_tokens`, `output_tokens` from the answer's usage.

Counting happens after the call, from objects botocore already built: no serialisation, no I/O.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

KB = 1024
EVENT_CHUNK_BYTES = 64 * KB
SQS_CHUNK_BYTES = 64 * KB
DYNAMODB_READ_UNIT_BYTES = 4 * KB
DYNAMODB_WRITE_UNIT_BYTES = 1 * KB
# A read that is not strongly consistent costs half a unit per 4 KB; a transactional one, two.
EVENTUAL_READ_FACTOR = 0.5
TRANSACTION_FACTOR = 2.0

Snapshot = dict[str, dict[str, dict[str, float]]]


class ApiCallMeter:
    """Calls and billable units by service and operation; thread-safe; snapshots are plain dicts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str], defaultdict[str, float]] = {}

    def __call__(self, service: str, operation: str, params: Mapping[str, Any], parsed: Mapping[str, Any]) -> None:
        units = billable_units(service, operation, params, parsed)
        with self._lock:
            counters = self._counts.setdefault((service, operation), defaultdict(float))
            counters["calls"] += 1
            for name, value in units.items():
                counters[name] += value

    def snapshot(self) -> Snapshot:
        with self._lock:
            out: Snapshot = {}
            for (service, operation), counters in self._counts.items():
                out.setdefault(service, {})[operation] = {k: round(v, 3) for k, v in counters.items()}
            return out


def difference(after: Snapshot, before: Snapshot) -> Snapshot:
    """What happened between two snapshots (operations with no call in between are left out)."""
    out: Snapshot = {}
    for service, operations in after.items():
        for operation, counters in operations.items():
            earlier = before.get(service, {}).get(operation, {})
            delta = {k: round(v - earlier.get(k, 0.0), 3) for k, v in counters.items()}
            if delta.get("calls", 0) > 0:
                out.setdefault(service, {})[operation] = delta
    return out


def billable_units(
    service: str, operation: str, params: Mapping[str, Any], parsed: Mapping[str, Any]
) -> dict[str, float]:
    if service == "events":
        return _eventbridge(operation, params)
    if service == "sqs":
        return _sqs(operation, params, parsed)
    if service == "dynamodb":
        return _dynamodb(operation, params, parsed)
    if service == "bedrock-runtime":
        usage = parsed.get("usage") or {}
        return {
            "input_tokens": float(usage.get("inputTokens", 0)),
            "output_tokens": float(usage.get("outputTokens", 0)),
        }
    return {}


def _chunks(size: int, chunk: int) -> int:
    return max(1, math.ceil(size / chunk))


def _eventbridge(operation: str, params: Mapping[str, Any]) -> dict[str, float]:
    if operation != "PutEvents":
        return {}
    events = 0
    for entry in params.get("Entries", []):
        size = sum(len(str(entry.get(k, "")).encode()) for k in ("Source", "DetailType", "Detail"))
        size += sum(len(r.encode()) for r in entry.get("Resources", []))
        events += _chunks(size, EVENT_CHUNK_BYTES)
    return {"events": float(events)}


def _message_bytes(message: Mapping[str, Any], body_key: str) -> int:
    size = len(str(message.get(body_key, "")).encode())
    for name, value in (message.get("MessageAttributes") or {}).items():
        size += len(name.encode()) + len(str(value.get("StringValue", value.get("BinaryValue", ""))).encode())
    return size


def _sqs(operation: str, params: Mapping[str, Any], parsed: Mapping[str, Any]) -> dict[str, float]:
    if operation == "SendMessage":
        return {"requests": float(_chunks(_message_bytes(params, "MessageBody"), SQS_CHUNK_BYTES)), "messages_sent": 1}
    if operation == "SendMessageBatch":
        entries = params.get("Entries", [])
        size = sum(_message_bytes(e, "MessageBody") for e in entries)
        return {"requests": float(_chunks(size, SQS_CHUNK_BYTES)), "messages_sent": float(len(entries))}
    if operation == "ReceiveMessage":
        messages = parsed.get("Messages", [])
        size = sum(_message_bytes(m, "Body") for m in messages)
        return {
            "requests": float(_chunks(size, SQS_CHUNK_BYTES)),
            "messages_received": float(len(messages)),
            "empty_receives": float(not messages),
        }
    return {"requests": 1.0}


def item_size(item: Mapping[str, Any]) -> int:
    """DynamoDB's item size: UTF-8 attribute names plus their values (Developer Guide, "Item sizes")."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: Mapping[str, Any]) -> int:
    (kind, inner), *_ = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        return len(inner.lstrip("-").replace(".", "").lstrip("0")) // 2 + 2
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode()) for s in inner)
    if kind == "NS":
        return sum(len(n) // 2 + 2 for n in inner)
    if kind == "BS":
        return sum(len(b) for b in inner)
    if kind == "M":
        return 3 + sum(len(k.encode()) + _value_size(v) + 1 for k, v in inner.items())
    if kind == "L":
        return 3 + sum(_value_size(v) + 1 for v in inner)
    return 0


def _read_factor(params: Mapping[str, Any]) -> float:
    return 1.0 if params.get("ConsistentRead") else EVENTUAL_READ_FACTOR


def _dynamodb(operation: str, params: Mapping[str, Any], parsed: Mapping[str, Any]) -> dict[str, float]:
    if operation == "GetItem":
        size = item_size(parsed.get("Item") or {})
        return {"read_units": _chunks(size, DYNAMODB_READ_UNIT_BYTES) * _read_factor(params)}
    if operation in ("Query", "Scan"):
        size = sum(item_size(i) for i in parsed.get("Items", []))
        return {"read_units": _chunks(size, DYNAMODB_READ_UNIT_BYTES) * _read_factor(params)}
    if operation == "BatchGetItem":
        units = 0.0
        for table, items in (parsed.get("Responses") or {}).items():
            factor = _read_factor(params.get("RequestItems", {}).get(table, {}))
            units += sum(_chunks(item_size(i), DYNAMODB_READ_UNIT_BYTES) * factor for i in items)
        return {"read_units": units}
    if operation == "TransactGetItems":
        sizes = [item_size(r.get("Item") or {}) for r in parsed.get("Responses", [])]
        return {"read_units": sum(_chunks(s, DYNAMODB_READ_UNIT_BYTES) for s in sizes) * TRANSACTION_FACTOR}
    if operation == "PutItem":
        return {"write_units": float(_chunks(item_size(params.get("Item", {})), DYNAMODB_WRITE_UNIT_BYTES))}
    if operation in ("UpdateItem", "DeleteItem"):
        return {"write_units": float(_chunks(_written_size(params, parsed), DYNAMODB_WRITE_UNIT_BYTES))}
    if operation == "BatchWriteItem":
        units = 0
        for requests in params.get("RequestItems", {}).values():
            for request in requests:
                item = request.get("PutRequest", {}).get("Item") or request.get("DeleteRequest", {}).get("Key", {})
                units += _chunks(item_size(item), DYNAMODB_WRITE_UNIT_BYTES)
        return {"write_units": float(units)}
    if operation == "TransactWriteItems":
        units = 0
        for entry in params.get("TransactItems", []):
            (_, request), *_ = entry.items()
            units += _chunks(_written_size(request, {}), DYNAMODB_WRITE_UNIT_BYTES)
        return {"write_units": units * TRANSACTION_FACTOR}
    return {}


def _written_size(params: Mapping[str, Any], parsed: Mapping[str, Any]) -> int:
    """The item as the answer shows it (ReturnValues), else its key plus the values written."""
    returned = parsed.get("Attributes")
    if returned:
        return item_size(returned)
    if "Item" in params:
        return item_size(params["Item"])
    size = item_size(params.get("Key", {}))
    size += sum(_value_size(v) for v in (params.get("ExpressionAttributeValues") or {}).values())
    return size
