"""moto's server mode in a process of its own: the embedded stack's AWS.

    python -m aicc.embedded.motoserver --port 5000

Why a separate process: every AWS call costs moto 3-5 ms of Python, and in the stack's process that
time would hold the GIL against the handlers. Two processes let both cores work (DESIGN §8).

Before serving, three pure functions moto recomputes on every request are memoised (measured with
cProfile on moto 5.2.5; together they were about half of a cheap call's server time):
- `jsonpath_ng.ext.parse`: EventBridge re-parses the JSONPath of every input path of every matching
  rule target on each PutEvents, and parsing (a PLY grammar) is most of PutEvents' cost. Parsed
  expressions are immutable, so sharing them across threads is safe.
- `moto.backends.list_of_moto_modules`: lists moto's package directory (a `stat` per service,
  ~180 of them) to route each request by its Host header.
- `moto.core.utils.camelcase_to_underscores`: ~40 calls per request on the same few attribute names.

Connections are kept alive (werkzeug's dev server closes each one; see QuietRequestHandler).

And one correctness fix: moto's DynamoDB writes are read-modify-write without a lock, so two
concurrent UpdateItem calls on one item can lose an attribute (seen: the aggregator's turn state
lost `ConversationReceived` under load). Its PutItem and UpdateItem also read the old item, for
ReturnValues=ALL_OLD, before the write and apart from it, so two writes could report the same old
item. DynamoDB applies each write to an item atomically and returns the item that write replaced;
`serialize_dynamodb_writes` restores both by running moto's write paths under one lock.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import decimal
import functools
import io
import json
import logging
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from types import FrameType
from typing import IO, Any

log = logging.getLogger(__name__)

READY_PREFIX = "aicc-moto listening on "
ESM_MARK = "mappings on "
_HOST = "127.0.0.1"


def cache_jsonpath_parsing() -> None:
    """Memoise jsonpath_ng.ext.parse. moto imports it inside the function, so patching works late."""
    import jsonpath_ng.ext

    original = jsonpath_ng.ext.parse
    if getattr(original, "cache_info", None) is not None:
        return
    jsonpath_ng.ext.parse = functools.lru_cache(maxsize=4096)(original)


def cache_moto_request_routing() -> None:
    """Memoise the per-request pure helpers of moto's server (see the module docstring)."""
    import moto.backends
    import moto.core.utils
    from moto.moto_server import werkzeug_app  # noqa: F401  (imports the modules that bind the helper)

    modules = tuple(moto.backends.list_of_moto_modules())
    moto.backends.list_of_moto_modules = lambda: modules

    original = moto.core.utils.camelcase_to_underscores
    if getattr(original, "cache_info", None) is not None:
        return
    cached = functools.lru_cache(maxsize=8192)(original)
    # `from moto.core.utils import camelcase_to_underscores` binds the name at import: rebind it in
    # the modules loaded so far; service modules load lazily, later, and pick up the cached one.
    for name, module in list(sys.modules.items()):
        if name.startswith("moto") and getattr(module, "camelcase_to_underscores", None) is original:
            module.camelcase_to_underscores = cached  # type: ignore[attr-defined]


def speed_up_sqs_receive() -> None:
    """Two costs moto's ReceiveMessage pays per message, cut without changing what it returns.

    - Checking a message's retention period reads it through `get_queue_attributes`, which computes
      every queue attribute, counts included: a pass over all messages, for each message received.
      The period is a plain attribute of the queue.
    - `unix_time()`, called several times per message for visibility and delay, builds two
      datetimes and subtracts them; it equals `time.time()` (moto's clock is the wall clock when
      time is not frozen, and this process never freezes it).
    Measured with `py-spy --gil` under `aicc bench`: together about 40% of the SQS process's CPU.
    """
    import moto.sqs.models as sqs_models

    if getattr(sqs_models.SQSBackend.is_message_valid_based_on_retention_period, "_aicc_fast", False):
        return
    slow_unix_time = sqs_models.unix_time

    def unix_time(dt: Any = None) -> float:
        return time.time() if dt is None else float(slow_unix_time(dt))

    def unix_time_millis(dt: Any = None) -> float:
        return unix_time(dt) * 1000.0

    def is_message_valid_based_on_retention_period(self: Any, queue_name: str, message: Any) -> bool:
        queue = self.get_queue(queue_name)
        return bool(int(queue.message_retention_period) + message.sent_timestamp / 1000 > time.time())

    is_message_valid_based_on_retention_period._aicc_fast = True  # type: ignore[attr-defined]
    sqs_models.unix_time = unix_time
    sqs_models.unix_time_millis = unix_time_millis
    sqs_models.SQSBackend.is_message_valid_based_on_retention_period = (  # type: ignore[method-assign]
        is_message_valid_based_on_retention_period
    )


# DynamoDB operations whose responses are items and counts: plain JSON once dynamo_to_dict is done.
DYNAMODB_ITEM_OPERATIONS = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
    }
)


def _wire_json(value: Any) -> Any:
    """What moto's JSON serializer makes of a DynamoDB item response, without walking the model."""
    if isinstance(value, dict):
        return {key: _wire_json(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [_wire_json(item) for item in value]
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=value.tzinfo or datetime.UTC).timestamp()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def serialize_dynamodb_items_directly() -> None:
    """Answer item operations with json.dumps of the result instead of moto's model-driven serializer.

    moto's generic serializer visits the botocore shape of every attribute value of every item (a
    dozen calls per value); for the aggregator's whole-turn UpdateItem (then ReturnValues=ALL_NEW) that
    was ~20% of the DynamoDB process's CPU under `aicc bench` (py-spy --gil). The result is already
    in DynamoDB's wire form after `dynamo_to_dict`, save bytes and timestamps. Errors and every other
    operation keep moto's serializer. tests/embedded/test_motoserver_dynamodb_json.py checks that
    botocore parses both to the same thing.
    """
    from moto.dynamodb.responses import DynamoResult

    original = DynamoResult.execute_result
    if getattr(original, "_aicc_direct", False):
        return

    def execute_result(self: Any, context: Any) -> Any:
        operation = context.operation_model.name
        if operation not in DYNAMODB_ITEM_OPERATIONS or isinstance(self.result, Exception):
            return original(self, context)
        body = json.dumps(_wire_json(self.result), separators=(",", ":"))
        return 200, {"Content-Type": "application/x-amz-json-1.0"}, body

    execute_result._aicc_direct = True  # type: ignore[attr-defined]
    DynamoResult.execute_result = execute_result  # type: ignore[method-assign]


_query_scope = threading.local()


def query_partitions_directly() -> None:
    """A Query reads the items it can match instead of a sorted copy of the whole table.

    moto's `Table.query` starts from `all_items()`, which lists and sorts every item of the table
    (Python comparisons of DynamoType) on every call, so each Query got slower as the bench filled
    the tables (~18% of the DynamoDB process's CPU after a few hundred turns, py-spy --gil). During
    a Query, `all_items` now returns the partition's items for a base-table query (moto keeps items
    by hash key), and the unsorted items for an index query (moto sorts those results itself).
    Scan and everything else keep the sorted listing. Results are unchanged:
    tests/embedded/test_motoserver_dynamodb_query.py compares them with moto's for random tables.
    """
    from moto.dynamodb.models.table import Table

    if getattr(Table.query, "_aicc_direct", False):
        return
    original_query = Table.query
    original_all_items = Table.all_items

    def all_items(self: Any) -> Any:
        scope = getattr(_query_scope, "scope", None)
        if scope is None or scope[0] is not self:
            return original_all_items(self)
        _, hash_key, by_index = scope
        if by_index:
            items: list[Any] = []
            for stored in self.items.values():
                items.extend(stored.values() if self.range_key_attr else [stored])
            return items
        stored = self.items.get(hash_key)
        if stored is None:
            return []
        return list(stored.values()) if self.range_key_attr else [stored]

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        _query_scope.scope = (self, hash_key, bool(index_name))
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            _query_scope.scope = None

    query._aicc_direct = True  # type: ignore[attr-defined]
    Table.all_items = all_items  # type: ignore[method-assign]
    Table.query = query  # type: ignore[method-assign]


def _for_last_event(cache: threading.local, event: Any, compute: Any) -> Any:
    """`compute(event)`, kept for the last event seen on this thread (by identity).

    PutEvents hands one dict to every rule and target and none changes it, so work that depends on
    the event alone is done once. The cache holds a reference, so a new event can't reuse the id.
    """
    cached = getattr(cache, "last", None)
    if cached is None or cached[0] is not event:
        cached = cache.last = (event, compute(event))
    return cached[1]


_flattened_event = threading.local()


def flatten_each_event_once() -> None:
    """Match an event against every rule from one flattened copy, rejecting on source and detail-type first.

    moto's `EventPattern.matches_event` round-trips the event through JSON and flattens it once per
    rule; with a rule per agent that is ~15 times per event (~18% of the EventBridge process under
    `aicc bench`, py-spy --gil). Matching only reads the flattened copy, so the copy made for one
    rule serves the next ones for the same event object (`_for_last_event`).

    Most rules then fail on `source` or `detail-type`, which every rule here lists as plain strings.
    moto ANDs a pattern's top-level fields, and a list of plain strings matches a string value only
    when it equals one of them, so such an event is rejected without walking the rest of the pattern.
    """
    import moto.events.models as events_models

    pattern_class = events_models.EventPattern
    if getattr(pattern_class.matches_event, "_aicc_cached", False):
        return

    def literal_fields(pattern: Any) -> dict[str, frozenset[str]]:
        """The pattern's top-level `source`/`detail-type` when each lists plain strings only."""
        literals = {}
        for field in ("source", "detail-type"):
            values = pattern._pattern.get(field)
            if isinstance(values, list) and values and all(isinstance(v, str) for v in values):
                literals[field] = frozenset(values)
        return literals

    def matches_event(self: Any, event: Any) -> bool:
        if not self._pattern:
            return True
        literals = self.__dict__.get("_aicc_literals")
        if literals is None:
            literals = self._aicc_literals = literal_fields(self)
        for field, allowed in literals.items():
            value = event.get(field)
            if isinstance(value, str) and value not in allowed:
                return False
        flat = _for_last_event(_flattened_event, event, lambda e: self._flatten_dict(json.loads(json.dumps(e))))
        return bool(self._does_event_match(flat, self._pattern))

    matches_event._aicc_cached = True  # type: ignore[attr-defined]
    pattern_class.matches_event = matches_event  # type: ignore[method-assign]


_transformed_event = threading.local()


def transform_each_event_once() -> None:
    """Shape an event for targets without an input transformer once, not once per target.

    For each target moto fills its default template from the event with eight JSONPath lookups
    and string replacements, then parses the result (~9% of the EventBridge process under `aicc
    bench`, py-spy --gil); every rule here targets a queue without a transformer. The result depends
    only on the event, which no target changes, so it is kept as JSON for the last event
    (`_for_last_event`) and each target gets its own fresh copy: moto's SQS target rewrites the
    copy's `time`.
    """
    from moto.events.utils import EventTemplateParser

    original = EventTemplateParser.parse
    if getattr(original, "_aicc_cached", False):
        return

    def parse(input_template: Any, input_paths_map: Any, event: Any) -> Any:
        if input_template or input_paths_map:
            return original(input_template, input_paths_map, event)
        shaped = _for_last_event(
            _transformed_event, event, lambda e: json.dumps(original(input_template, input_paths_map, e))
        )
        return json.loads(shaped)

    parse._aicc_cached = True  # type: ignore[attr-defined]
    EventTemplateParser.parse = staticmethod(parse)  # type: ignore[method-assign]


def cache_update_expression_parsing() -> None:
    """Parse each UpdateExpression string once. The handlers send a handful of fixed expressions
    (values go in placeholders); moto tokenizes and parses each on every UpdateItem (~8% of the
    DynamoDB process). Sharing the tree is safe: moto's validator works on a deep copy of it."""
    from moto.dynamodb.parsing import expressions

    parser: Any = expressions.UpdateExpressionParser  # type: ignore[attr-defined]
    make = parser.__dict__["make"]
    if getattr(make.__func__, "cache_info", None) is not None:
        return
    cached: Any = functools.lru_cache(maxsize=1024)(make.__func__)
    parser.make = classmethod(cached)


def traverse_update_expressions_faster() -> None:
    """Walk UpdateExpression trees with the per-node decisions looked up instead of recomputed.

    moto validates an UpdateItem with ten tree walks. At every node each walk asks `isinstance`
    against abstract base classes and rebuilds its processing map to learn which node classes it
    handles: about a quarter of the DynamoDB process's CPU under a join-heavy load (py-spy --gil).
    Both answers depend only on the walker's and the node's classes, so they are cached per class
    pair; the walk, its order and every processing step are moto's. A walker class that changes
    `nodes_to_be_processed` keeps moto's per-node call. tests/embedded/test_motoserver_update_walk.py
    compares answers and errors with moto's own walk.
    """
    from moto.dynamodb.parsing import ast_nodes

    walker: Any = ast_nodes.DepthFirstTraverser  # type: ignore[attr-defined]
    if getattr(walker.traverse_node_recursively, "_aicc_fast", False):
        return
    node_class = ast_nodes.Node  # type: ignore[attr-defined]
    default_selection = walker.nodes_to_be_processed
    no_pre_processing = walker.pre_processing_of_child
    is_node: dict[type, bool] = {}
    selected: dict[tuple[type, type], bool] = {}
    pre_processes: dict[type, bool] = {}

    def traverse_node_recursively(self: Any, node: Any, child_id: int = -1) -> Any:
        kind = type(node)
        node_like = is_node.get(kind)
        if node_like is None:
            node_like = is_node[kind] = isinstance(node, node_class)
        if not node_like:
            return node
        own = type(self)
        parent_node = node.parent
        if node.children is not None:
            pre = pre_processes.get(own)
            if pre is None:
                pre = pre_processes[own] = own.pre_processing_of_child is not no_pre_processing
            for i, child_node in enumerate(node.children):
                if pre:
                    self.pre_processing_of_child(node, i)
                self.traverse_node_recursively(child_node, i)
        if own.nodes_to_be_processed is default_selection:
            chosen = selected.get((own, kind))
            if chosen is None:
                chosen = selected[(own, kind)] = isinstance(node, self.nodes_to_be_processed())
        else:
            chosen = isinstance(node, self.nodes_to_be_processed())
        if chosen:
            node = self.process(node)
            node.parent = parent_node
            if parent_node:
                parent_node.children[child_id] = node
        return node

    traverse_node_recursively._aicc_fast = True  # type: ignore[attr-defined]
    walker.traverse_node_recursively = traverse_node_recursively


def cache_handler_method_names() -> None:
    """moto lists a response class's methods with inspect.getmembers on every request; they never change."""
    import moto.core.responses

    original = moto.core.responses.method_names_from_class
    if getattr(original, "cache_info", None) is None:
        moto.core.responses.method_names_from_class = functools.lru_cache(maxsize=512)(original)


DYNAMODB_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items")
# Request handlers that read the old item (ReturnValues=ALL_OLD) before calling the backend's write.
DYNAMODB_OLD_IMAGE_WRITES = ("put_item", "update_item")
_dynamodb_write_lock = threading.RLock()


def serialize_dynamodb_writes() -> None:
    """Make moto's DynamoDB item writes atomic with respect to each other, as DynamoDB's are, and the
    old item a write returns the one it replaced."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.responses import DynamoHandler

    targets: list[tuple[Any, str]] = [(DynamoDBBackend, name) for name in DYNAMODB_WRITES]
    targets += [(DynamoHandler, name) for name in DYNAMODB_OLD_IMAGE_WRITES]
    for owner, name in targets:
        original = getattr(owner, name)
        if getattr(original, "_aicc_serialized", False):
            continue

        def locked(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            with _dynamodb_write_lock:  # re-entrant: a handler's lock covers its backend call
                return _original(self, *args, **kwargs)

        locked._aicc_serialized = True  # type: ignore[attr-defined]
        functools.update_wrapper(locked, original)
        setattr(owner, name, locked)


# A header field name as RFC 9110 allows it (visible ASCII but ':'), which is what the email parser
# takes as a plain "Name: value" line.
_HEADER_NAME = re.compile(rb"[\x21-\x39\x3b-\x7e]+")


def parse_headers_directly() -> None:
    """Split request header lines directly instead of through the email package.

    http.server hands each request's header block to `email.parser.Parser` (feedparser, policies,
    regexes per line), about 5% of each moto process under `aicc bench` (py-spy --gil). For plain
    `Name: value` lines, all botocore and aiohttp send, that parser keeps the name as is and the value
    with its leading blanks and line ending stripped; anything else (a folded line, a line with no
    name) goes to the email parser as before. tests/embedded/test_motoserver_headers.py compares
    the two on generated header blocks.
    """
    import http.client

    if not getattr(http.client.parse_headers, "_aicc_direct", False):
        http.client.parse_headers = direct_header_parser()


def direct_header_parser() -> Any:
    """A drop-in for `http.client.parse_headers` (see `parse_headers_directly`)."""
    import email.parser
    import http.client

    read_headers = http.client._read_headers  # type: ignore[attr-defined]

    def parse_headers(fp: Any, _class: Any = http.client.HTTPMessage) -> Any:
        lines = read_headers(fp)
        message = _class()
        for line in lines:
            if line in (b"\r\n", b"\n", b""):
                break
            name, colon, value = line.partition(b":")
            if not colon or not _HEADER_NAME.fullmatch(name):
                return email.parser.Parser(_class=_class).parsestr(b"".join(lines).decode("iso-8859-1"))
            message.set_raw(name.decode("iso-8859-1"), value.decode("iso-8859-1").lstrip(" \t").rstrip("\r\n"))
        message.set_payload("")
        return message

    parse_headers._aicc_direct = True  # type: ignore[attr-defined]
    return parse_headers


def _epoch(value: Any) -> float:
    if isinstance(value, int | float):
        return float(value)
    from datetime import datetime

    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def honour_replay_window_and_filters() -> None:
    """Replay like EventBridge does: only archived events inside [EventStartTime, EventEndTime),
    only into the rules listed in Destination.FilterArns (all rules when there is none), through
    each target's input transformer, and never into the archive again. moto 5.2.5 replays every
    archived event into every rule, untransformed."""
    import moto.events.models as events_models

    replay_class = events_models.Replay
    if getattr(replay_class.replay_events, "_aicc_patched", False):
        return

    def replay_events(self: Any, archive: Any) -> None:
        backend = events_models.events_backends[self.account_id][self.region]
        bus = backend.describe_event_bus(self.destination["Arn"].split("/")[-1])
        start, end = _epoch(self.event_start_time), _epoch(self.event_end_time)
        wanted = set(self.destination.get("FilterArns") or [])
        rules = [
            rule
            for rule in bus.rules.values()
            if not rule.name.startswith("Events-Archive-") and (not wanted or rule.arn in wanted)
        ]
        for event in list(archive.events):
            if not start <= _epoch(event["time"]) < end:
                continue
            replayed = dict(event, **{"id": str(events_models.random.uuid4()), "replay-name": self.name})
            for rule in rules:
                rule.send_to_targets(replayed)  # type: ignore[arg-type]
        self.state = events_models.ReplayState.COMPLETED
        self.end_time = events_models.unix_time()

    replay_events._aicc_patched = True  # type: ignore[attr-defined]
    replay_class.replay_events = replay_events  # type: ignore[method-assign]


def serve(host: str, port: int, *, verbose: bool = False, exit_on_stdin_eof: bool = False) -> None:
    """Serve until SIGTERM/SIGINT (or stdin closing, when the parent asked for that)."""
    cache_jsonpath_parsing()
    cache_moto_request_routing()
    serialize_dynamodb_writes()
    speed_up_sqs_receive()
    serialize_dynamodb_items_directly()
    query_partitions_directly()
    flatten_each_event_once()
    transform_each_event_once()
    cache_update_expression_parsing()
    traverse_update_expressions_faster()
    cache_handler_method_names()
    honour_replay_window_and_filters()
    parse_headers_directly()
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    class QuietRequestHandler(MotoRequestHandler):
        # http.server writes the status line, each header and the body as separate small writes;
        # without TCP_NODELAY the later ones wait on the client's ACK (Nagle). Buffering them is
        # not an option: werkzeug drains the socket for up to 10 ms before the buffer is flushed.
        disable_nagle_algorithm = True

        # One log line per request costs about as much as a cheap moto call; errors are still logged.
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            if verbose:
                super().log_request(code, size)

        # Keep-alive. werkzeug's dev server answers every request with `Connection: close`, because
        # http.server cannot skip a body the app left unread. So each AWS call paid a TCP connect
        # and close plus a new server thread, about a third of a cheap call's cost on both sides
        # (py-spy of `aicc bench`). Reading every body up front leaves the stream at the next
        # request, which makes keeping the connection safe; botocore and aiohttp then reuse it.
        def make_environ(self) -> dict[str, Any]:
            environ = super().make_environ()
            length = environ.get("CONTENT_LENGTH")
            if length and "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
                environ["wsgi.input"] = io.BytesIO(self.rfile.read(int(length)))
            elif environ.get("REQUEST_METHOD") not in ("GET", "HEAD", "DELETE", "OPTIONS"):
                # A body of unknown length: only closing tells where it ends, as werkzeug assumes.
                self._must_close = True
            return environ

        def handle_one_request(self) -> None:
            self._must_close = False
            super().handle_one_request()
            if self._must_close:
                self.close_connection = True

        def send_header(self, keyword: str, value: str) -> None:
            if keyword.lower() == "connection" and value.lower() == "close" and not self._must_close:
                return
            super().send_header(keyword, value)

    _skip_werkzeug_drain()
    app = DirectJsonDispatch(DomainDispatcherApplication(create_backend_app))
    server = make_server(host, port, app, threaded=True, request_handler=QuietRequestHandler)
    # Long polls park one thread each; don't let them keep the process alive at shutdown.
    server.daemon_threads = True  # type: ignore[attr-defined]

    def shutdown(*_: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        shutdown()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if exit_on_stdin_eof:
        # The parent keeps our stdin open; EOF means it died without stopping us (e.g. kill -9).
        def shutdown_on_eof() -> None:
            sys.stdin.read()
            shutdown()

        threading.Thread(target=shutdown_on_eof, daemon=True).start()

    # Lambda's SQS event-source mappings run here, beside the queues (see aicc.embedded.esm_host).
    from aicc.embedded.esm_host import MappingHost

    mappings = MappingHost(host)
    mappings.start()
    bound_port = server.server_address[1]
    print(f"{READY_PREFIX}http://{host}:{bound_port} {ESM_MARK}{mappings.address[0]}:{mappings.address[1]}", flush=True)
    try:
        server.serve_forever()
    finally:
        mappings.stop()


# JSON-protocol services the stack calls, by the X-Amz-Target prefix -> moto's response class.
_JSON_TARGETS = {
    "DynamoDB_20120810": ("moto.dynamodb.responses", "DynamoHandler"),
    "AWSEvents": ("moto.events.responses", "EventsHandler"),
    "AmazonSQS": ("moto.sqs.responses", "SQSResponse"),
}


class DirectJsonDispatch:
    """WSGI front: a JSON-protocol call goes straight to moto's response class; the rest to moto's app.

    moto's server runs each request through a per-service Flask app (app and request contexts, URL
    routing, CORS hooks) only to reach the same `ResponseClass.dispatch(request, url, headers)` for
    a `POST /` with an `X-Amz-Target`. That detour was ~15% of the DynamoDB process's CPU under
    `aicc bench` (py-spy --gil). The request object and the call are the ones moto's Flask view
    makes (`convert_to_flask_response`), errors included.
    """

    def __init__(self, app: Any) -> None:
        # Resolved once here, not per request (and not at module import: the stack imports this
        # module without needing moto).
        from botocore.exceptions import ClientError
        from moto.core.request import normalize_request
        from moto.moto_api import recorder
        from moto.moto_server.werkzeug_app import BackendRequest
        from werkzeug.wrappers import Response

        self.app = app
        self._dispatchers: dict[str, Any] = {}
        self._client_error = ClientError
        self._normalize_request = normalize_request
        self._recorder = recorder
        self._request_class = BackendRequest
        self._response_class = Response

    def _dispatcher(self, prefix: str) -> Any:
        if prefix not in self._dispatchers:
            module_name, class_name = _JSON_TARGETS[prefix]
            module = __import__(module_name, fromlist=[class_name])
            self._dispatchers[prefix] = getattr(module, class_name).dispatch
        return self._dispatchers[prefix]

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        prefix = environ.get("HTTP_X_AMZ_TARGET", "").split(".", 1)[0]
        if prefix not in _JSON_TARGETS or environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != "/":
            return self.app(environ, start_response)
        request = self._normalize_request(self._request_class(environ))
        self._recorder._record_request(request)
        try:
            result = self._dispatcher(prefix)(request, request.raw_url, dict(request.headers))
        except self._client_error as error:
            result = 400, {}, error.response["Error"]["Message"]
        status, headers, body = result if len(result) == 3 else (200, {}, result)
        return self._response_class(response=body, status=status, headers=headers)(environ, start_response)


class _NothingLeftToDrain:
    """Stands in for the selector werkzeug uses to drain a request's unread body after answering.

    That drain assumes the connection closes next: on a kept-alive connection it would swallow the
    following request. The handler below reads every body up front, so there is never anything to
    drain (and the drain's 10 ms select per request goes too)."""

    def __init__(self) -> None:
        pass

    def register(self, *_: Any) -> None:
        pass

    def select(self, timeout: float | None = None) -> list[Any]:
        return []

    def close(self) -> None:
        pass


def _skip_werkzeug_drain() -> None:
    import selectors
    import types

    import werkzeug.serving

    werkzeug.serving.selectors = types.SimpleNamespace(  # type: ignore[assignment]
        DefaultSelector=_NothingLeftToDrain, EVENT_READ=selectors.EVENT_READ
    )


class MotoServerProcess:
    """Start `python -m aicc.embedded.motoserver` as a child, wait until it answers, stop it."""

    def __init__(self, port: int = 0, *, host: str = _HOST, verbose: bool = False) -> None:
        self.host = host
        self.port = port
        self.verbose = verbose
        self._process: subprocess.Popen[str] | None = None
        self.mappings_address: tuple[str, int] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self, timeout_s: float = 30.0) -> str:
        command = [sys.executable, "-m", "aicc.embedded.motoserver", "--host", self.host, "--port", str(self.port)]
        command.append("--exit-on-stdin-eof")
        if self.verbose:
            command.append("--verbose")
        env = dict(os.environ)
        # The child must find this package even when the parent runs from another directory.
        env["PYTHONPATH"] = os.pathsep.join(p for p in [_project_root(), env.get("PYTHONPATH", "")] if p)
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, start_new_session=True
        )
        assert self._process.stdout is not None
        line = _read_line(self._process.stdout, timeout_s)
        if not line.startswith(READY_PREFIX):
            self.stop()
            raise RuntimeError(f"moto server did not start (said {line!r})")
        address, _, mappings = line.removeprefix(READY_PREFIX).partition(" " + ESM_MARK)
        self.port = int(address.rsplit(":", 1)[1])
        mappings_host, _, mappings_port = mappings.rpartition(":")
        self.mappings_address = (mappings_host, int(mappings_port))
        threading.Thread(target=_drain, args=(self._process.stdout,), daemon=True).start()
        self._wait_until_answering(timeout_s)
        return self.url

    def _wait_until_answering(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                with urllib.request.urlopen(self.url + "/moto-api/data.json", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                if time.monotonic() > deadline:
                    raise
            # Start-up only: the socket is bound before the ready line, so this rarely loops.
            time.sleep(0.02)

    def reset(self) -> None:
        """Drop every resource (tests isolate cases with this)."""
        request = urllib.request.Request(self.url + "/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass

    def stop(self, timeout_s: float = 10.0) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout_s)
        if process.stdin:
            process.stdin.close()

    def __enter__(self) -> MotoServerProcess:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def _project_root() -> str:
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _read_line(stream: IO[str], timeout_s: float) -> str:
    readable, _, _ = select.select([stream], [], [], timeout_s)
    if not readable:
        raise TimeoutError(f"moto server gave no sign of life in {timeout_s} s")
    return stream.readline().strip()


def _drain(stream: IO[str]) -> None:
    for line in stream:
        log.info("moto: %s", line.rstrip())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="moto server for the aicc embedded stack")
    parser.add_argument("--host", default=_HOST, help="listen address (keep it on loopback)")
    parser.add_argument("--port", type=int, default=5000, help="0 picks a free port (printed on start)")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    parser.add_argument("--exit-on-stdin-eof", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    serve(args.host, args.port, verbose=args.verbose, exit_on_stdin_eof=args.exit_on_stdin_eof)


if __name__ == "__main__":
    main()
