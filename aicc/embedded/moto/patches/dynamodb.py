"""DynamoDB: atomic item writes (a correctness fix) and five speed-ups."""

from __future__ import annotations

import base64
import binascii
import datetime
import decimal
import functools
import inspect
import json
import threading
from typing import Any

from aicc.embedded.moto.registry import Kind, Originals, Patch, Replacements, Target

MODELS = "moto.dynamodb.models"
RESPONSES = "moto.dynamodb.responses"

# --- atomic writes ------------------------------------------------------------------------------

# Backend writes, and the request handlers that read the old item (ReturnValues=ALL_OLD) before
# calling the backend's write.
DYNAMODB_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items")
DYNAMODB_OLD_IMAGE_WRITES = ("put_item", "update_item")
_write_lock = threading.RLock()


def _serialized_writes(originals: Originals) -> Replacements:
    def locked(original: Any) -> Any:
        @functools.wraps(original)
        def write(self: Any, *args: Any, **kwargs: Any) -> Any:
            with _write_lock:  # re-entrant: a handler's lock covers its backend call
                return original(self, *args, **kwargs)

        return write

    return {target: locked(original) for target, original in originals.items()}


ATOMIC_WRITES = Patch(
    name="dynamodb-atomic-writes",
    kind=Kind.CORRECTNESS,
    targets=(
        *(Target(MODELS, f"DynamoDBBackend.{name}") for name in DYNAMODB_WRITES),
        *(Target(RESPONSES, f"DynamoHandler.{name}") for name in DYNAMODB_OLD_IMAGE_WRITES),
    ),
    build=_serialized_writes,
    why=(
        "moto's item writes are read-modify-write without a lock, so two concurrent UpdateItem calls on one "
        "item can lose an attribute, and PutItem/UpdateItem read the old item (ReturnValues=ALL_OLD) apart "
        "from the write, so two writes can report the same old item. DynamoDB applies each write to an item "
        "atomically and returns the item that write replaced: the writes run under one lock."
    ),
)

# --- item responses as plain JSON ---------------------------------------------------------------

# Operations whose responses are items and counts: plain JSON once moto's dynamo_to_dict is done.
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


_EXECUTE_RESULT = Target(RESPONSES, "DynamoResult.execute_result")


def _items_as_json(originals: Originals) -> Replacements:
    original = originals[_EXECUTE_RESULT]

    def execute_result(self: Any, context: Any) -> Any:
        operation = context.operation_model.name
        if operation not in DYNAMODB_ITEM_OPERATIONS or isinstance(self.result, Exception):
            return original(self, context)
        body = json.dumps(_wire_json(self.result), separators=(",", ":"))
        return 200, {"Content-Type": "application/x-amz-json-1.0"}, body

    return {_EXECUTE_RESULT: execute_result}


ITEMS_AS_JSON = Patch(
    name="dynamodb-items-as-json",
    kind=Kind.SPEEDUP,
    targets=(_EXECUTE_RESULT,),
    build=_items_as_json,
    why=(
        "moto's generic serializer visits the botocore shape of every attribute value of every item; after "
        "dynamo_to_dict an item response is already in DynamoDB's wire form save bytes and timestamps, so item "
        "operations answer with json.dumps of the result. Errors and other operations keep moto's serializer. "
        "tests/embedded/test_motoserver_dynamodb_json.py checks botocore parses both alike."
    ),
)

# --- Query reads its partition ------------------------------------------------------------------

_TABLE_QUERY = Target(f"{MODELS}.table", "Table.query")
_TABLE_ALL_ITEMS = Target(f"{MODELS}.table", "Table.all_items")
_query_scope = threading.local()


def _query_partitions(originals: Originals) -> Replacements:
    original_query = originals[_TABLE_QUERY]
    original_all_items = originals[_TABLE_ALL_ITEMS]
    signature = inspect.signature(original_query)
    if "index_name" not in signature.parameters:
        raise TypeError("moto's Table.query has no index_name parameter")

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
        index_name = signature.bind(self, hash_key, *args, **kwargs).arguments.get("index_name")
        _query_scope.scope = (self, hash_key, bool(index_name))
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            _query_scope.scope = None

    return {_TABLE_ALL_ITEMS: all_items, _TABLE_QUERY: query}


QUERY_PARTITIONS = Patch(
    name="dynamodb-query-partitions",
    kind=Kind.SPEEDUP,
    targets=(_TABLE_QUERY, _TABLE_ALL_ITEMS),
    build=_query_partitions,
    why=(
        "moto's Table.query starts from all_items(), a sorted copy of the whole table, so each Query got slower "
        "as tables filled. During a Query, all_items returns the partition's items for a base-table query (moto "
        "keeps items by hash key) and the unsorted items for an index query (moto sorts those results itself); "
        "Scan and everything else keep the sorted listing. tests/embedded/test_motoserver_dynamodb_query.py "
        "compares answers with moto's for random tables."
    ),
)

# --- UpdateExpression parsing and validation ----------------------------------------------------

_PARSER_MAKE = Target("moto.dynamodb.parsing.expressions", "UpdateExpressionParser.make")


def _cached_update_parsing(originals: Originals) -> Replacements:
    make = originals[_PARSER_MAKE].__func__  # the classmethod's function
    cached: Any = functools.lru_cache(maxsize=1024)(make)
    return {_PARSER_MAKE: classmethod(cached)}


CACHE_UPDATE_PARSING = Patch(
    name="dynamodb-cache-update-expression-parsing",
    kind=Kind.SPEEDUP,
    targets=(_PARSER_MAKE,),
    build=_cached_update_parsing,
    why=(
        "The handlers send a handful of fixed UpdateExpressions (values go in placeholders); moto tokenizes and "
        "parses each on every UpdateItem. Each string is parsed once; sharing the tree is safe because moto's "
        "validator works on a deep copy of it."
    ),
)

_TRAVERSE = Target("moto.dynamodb.parsing.ast_nodes", "DepthFirstTraverser.traverse_node_recursively")
_FIND_CLAUSES = Target("moto.dynamodb.parsing.ast_nodes", "Node.find_clauses")


def _faster_traversal(originals: Originals) -> Replacements:
    from moto.dynamodb.parsing import ast_nodes

    walker: Any = ast_nodes.DepthFirstTraverser  # type: ignore[attr-defined]
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

    # The clause search of the action-count and overlapping-path checks: moto descends into a child
    # that is an Expression or an UpdateExpressionFunction, asked of abstract classes at every node.
    descend_classes = (ast_nodes.Expression, ast_nodes.UpdateExpressionFunction)  # type: ignore[attr-defined]
    descends: dict[type, bool] = {}

    def find_clauses(self: Any, clause_types: Any) -> list[Any]:
        clauses: list[Any] = []
        for child in self.children or []:
            kind = type(child)
            if kind in clause_types:
                clauses.append(child)
                continue
            down = descends.get(kind)
            if down is None:
                down = descends[kind] = isinstance(child, descend_classes)
            if down:
                clauses.extend(child.find_clauses(clause_types))
        return clauses

    return {_TRAVERSE: traverse_node_recursively, _FIND_CLAUSES: find_clauses}


FASTER_UPDATE_WALK = Patch(
    name="dynamodb-faster-update-walk",
    kind=Kind.SPEEDUP,
    targets=(_TRAVERSE, _FIND_CLAUSES),
    build=_faster_traversal,
    why=(
        "moto validates an UpdateItem with ten tree walks; at every node each walk asks isinstance against "
        "abstract base classes and rebuilds its processing map. Both answers depend only on the walker's and "
        "the node's classes, so they are cached per class pair; the walk, its order and every processing step "
        "are moto's. A walker class that changes nodes_to_be_processed keeps moto's per-node call. The clause "
        "search two of the walks make asks the same two isinstance questions per child; cached per class too. "
        "tests/embedded/test_motoserver_update_walk.py compares answers and errors with moto's own walk."
    ),
)

# --- request parameters as JSON -----------------------------------------------------------------

_PARSE_PARAMETERS = Target(RESPONSES, "DynamoHandler.parse_parameters")
# Item operations: their requests hold binary data only as AttributeValue members B and BS.
JSON_PARAMETER_ACTIONS = frozenset(
    {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem"}
)


def _decoded_blobs(obj: dict[str, Any]) -> dict[str, Any]:
    blob = obj.get("B")
    if isinstance(blob, str):
        obj["B"] = base64.b64decode(blob)
    blobs = obj.get("BS")
    if isinstance(blobs, list) and all(isinstance(b, str) for b in blobs):
        obj["BS"] = [base64.b64decode(b) for b in blobs]
    return obj


def _params_as_json(originals: Originals) -> Replacements:
    original = originals[_PARSE_PARAMETERS]

    def parse_parameters(self: Any, request: Any) -> None:
        if self._get_action() in JSON_PARAMETER_ACTIONS:
            try:
                self.params = json.loads(request.data, object_hook=_decoded_blobs)
                return
            except (ValueError, binascii.Error):
                pass  # moto's parser gives moto's own error
        original(self, request)

    return {_PARSE_PARAMETERS: parse_parameters}


PARAMETERS_AS_JSON = Patch(
    name="dynamodb-parameters-as-json",
    kind=Kind.SPEEDUP,
    targets=(_PARSE_PARAMETERS,),
    build=_params_as_json,
    why=(
        "moto parses every request body through the service model, shape by shape, into what json.loads gives "
        "for these item operations, except binary values (B, BS), which it base64-decodes. Those keys name binary "
        "members only inside an AttributeValue (attribute names are map keys whose values are objects), so "
        "json.loads with a hook that decodes them gives the same parameters. "
        "tests/embedded/test_motoserver_dynamodb_json.py compares the parameters with moto's parser."
    ),
)

PATCHES = (
    ATOMIC_WRITES,
    ITEMS_AS_JSON,
    QUERY_PARTITIONS,
    CACHE_UPDATE_PARSING,
    FASTER_UPDATE_WALK,
    PARAMETERS_AS_JSON,
)
