"""DynamoDB that survives restarts: a write-ahead journal and a snapshot in the state dir.

The moto process serving DynamoDB wraps its WSGI app in `DurableDynamoDB`:

- every DynamoDB request that is not a read and that moto answered 200 is appended to
  `journal.jsonl` (operation, body, the caller's credential scope) *before* its response is sent:
  a killed process loses nothing it acknowledged. Mutating requests are applied and journaled under
  one lock, so the journal's order is the order moto applied them in (a conditional write replays
  to the same outcome);
- at start, `load()` restores `snapshot.json` (the table definitions' requests, then every item
  straight into moto's tables) and replays the journal's later entries in order, in-process through
  the same WSGI app (no HTTP);
- `compact()` writes a new snapshot (to a temporary file, fsynced, renamed) and empties the journal.
  It runs after a load that replayed anything, at clean shutdown, and every `compact_every` writes,
  so a restart reads one snapshot and a short journal. Each journal entry carries a sequence number
  and the snapshot the last one it holds: a crash between the rename and the truncation replays
  nothing twice;
- a line cut short (the process died inside its write) was never acknowledged: it is skipped, and
  cut from the file before anything is appended after it;
- a snapshot or an entry of another format stops the load with `JournalFormatError` (the way out:
  `--fresh`) rather than dropping data without a word.

What this protects against: a killed or crashed process (the written lines are in the OS's page
cache). Not a power cut, unless `sync=True` (fsync per write, slower). Requests that failed are not
journaled; a transaction (a limited booking: slot and holder) is one request, so one entry: whole or
not at all.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

JOURNAL = "journal.jsonl"
SNAPSHOT = "snapshot.json"
DYNAMODB_PREFIX = "DynamoDB_20120810"
# Operations that change nothing; every other DynamoDB operation is journaled when it succeeds.
READ_PREFIXES = ("Get", "BatchGet", "TransactGet", "Query", "Scan", "Describe", "List")
# Operations on a table's definition: kept in the snapshot as requests, replayed before the items.
SCHEMA_OPERATIONS = frozenset(
    {"CreateTable", "UpdateTable", "DeleteTable", "UpdateTimeToLive", "TagResource", "UntagResource"}
)
DEFAULT_SCOPE = "testing/20200101/us-east-1/dynamodb/aws4_request"
DEFAULT_COMPACT_EVERY = 10_000
FORMAT_VERSION = 1  # of the snapshot, and of the journal's entries (seq, op, body, scope)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class JournalFormatError(RuntimeError):
    """The kept data is in a format this code does not read (another aicc wrote it)."""


@dataclass
class LoadStats:
    tables: int = 0
    items: int = 0
    replayed: int = 0
    failed: int = 0  # replayed entries moto refused (should stay 0: each succeeded once, in this order)
    seconds: float = 0.0


def is_journaled(operation: str) -> bool:
    return not operation.startswith(READ_PREFIXES)


def _scope(authorization: str) -> str:
    """The credential scope of a SigV4 header (access key id/date/region/service): moto picks the
    account and the region from it, and a replay must land in the same backend."""
    _, _, rest = authorization.partition("Credential=")
    return rest.split(",", 1)[0].strip() or DEFAULT_SCOPE


class DurableDynamoDB:
    """WSGI middleware over moto's app that makes its DynamoDB writes durable in `directory`."""

    def __init__(
        self, app: WsgiApp, directory: Path, *, compact_every: int = DEFAULT_COMPACT_EVERY, sync: bool = False
    ) -> None:
        self.app = app
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.compact_every = compact_every
        self.sync = sync
        self._lock = threading.RLock()
        self._seq = 0
        self._since_compaction = 0
        # Table-definition requests of the tables that exist, in order (the snapshot's "schema").
        self._schema: list[dict[str, Any]] = []
        self._fd = -1

    @property
    def journal_path(self) -> Path:
        return self.directory / JOURNAL

    @property
    def snapshot_path(self) -> Path:
        return self.directory / SNAPSHOT

    # --- start -----------------------------------------------------------------------------------

    def load(self) -> LoadStats:
        """Restore the snapshot and replay the journal into moto (before the server serves)."""
        started = time.perf_counter()
        stats = LoadStats()
        snapshot_seq = 0
        if self.snapshot_path.exists():
            snapshot = json.loads(self.snapshot_path.read_text(), object_hook=_decode_bytes)
            if not isinstance(snapshot, dict) or snapshot.get("version") != FORMAT_VERSION:
                version = snapshot.get("version") if isinstance(snapshot, dict) else None
                raise JournalFormatError(_unreadable(self.snapshot_path, f"format {version!r}"))
            snapshot_seq = int(snapshot.get("seq", 0))
            for entry in snapshot.get("schema", []):
                self._replay(entry, stats)
            stats.failed = 0  # a definition replayed over an existing one is harmless
            for table in snapshot.get("tables", []):
                stats.tables += 1
                stats.items += _restore_items(table["scope"], table["name"], table["items"])
        self._seq = snapshot_seq
        _cut_torn_tail(self.journal_path)
        for entry in _read_journal(self.journal_path):
            if entry["seq"] <= snapshot_seq:
                continue
            self._replay(entry, stats)
            stats.replayed += 1
            self._seq = max(self._seq, entry["seq"])
        self._fd = os.open(self.journal_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        if stats.replayed:
            self.compact()
        stats.seconds = time.perf_counter() - started
        return stats

    def _replay(self, entry: dict[str, Any], stats: LoadStats) -> None:
        status, _ = _call(
            self.app,
            _environ(entry["op"], entry["body"].encode(), entry.get("scope", DEFAULT_SCOPE)),
        )
        if status.startswith("200"):
            self._note_schema(entry)
        else:
            stats.failed += 1
            log.warning("journal entry %s (%s) was refused on replay: %s", entry.get("seq"), entry["op"], status)

    def _note_schema(self, entry: dict[str, Any]) -> None:
        if entry["op"] not in SCHEMA_OPERATIONS:
            return
        name = _table_name(entry)
        if entry["op"] in ("CreateTable", "DeleteTable"):
            # A table created again starts a new history; a deleted one has none.
            self._schema = [e for e in self._schema if _table_name(e) != name]
        if entry["op"] != "DeleteTable":
            self._schema.append({"op": entry["op"], "body": entry["body"], "scope": entry.get("scope", DEFAULT_SCOPE)})

    # --- serving ---------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith("/moto-api/reset"):
            with self._lock:
                status, headers, body = _call_full(self.app, environ)
                self.clear()
            start_response(status, headers)
            return [body]
        prefix, _, operation = environ.get("HTTP_X_AMZ_TARGET", "").partition(".")
        if prefix != DYNAMODB_PREFIX or environ.get("REQUEST_METHOD") != "POST" or not is_journaled(operation):
            return self.app(environ, start_response)
        from werkzeug.wsgi import get_input_stream

        request_body = get_input_stream(environ).read()
        environ["wsgi.input"] = io.BytesIO(request_body)
        environ["CONTENT_LENGTH"] = str(len(request_body))
        with self._lock:
            status, headers, body = _call_full(self.app, environ)
            if status.startswith("200"):
                self._append(operation, request_body.decode(), _scope(environ.get("HTTP_AUTHORIZATION", "")))
        start_response(status, headers)
        return [body]

    def _append(self, operation: str, body: str, scope: str) -> None:
        self._seq += 1
        entry = {"seq": self._seq, "op": operation, "body": body, "scope": scope}
        line = (json.dumps(entry, separators=(",", ":")) + "\n").encode()
        view = memoryview(line)
        while view:
            view = view[os.write(self._fd, view) :]
        if self.sync:
            os.fsync(self._fd)
        self._note_schema(entry)
        self._since_compaction += 1
        if self._since_compaction >= self.compact_every:
            self.compact()

    # --- snapshots -------------------------------------------------------------------------------

    def compact(self) -> None:
        """Write every table's items as a snapshot and start an empty journal."""
        with self._lock:
            snapshot = {"version": FORMAT_VERSION, "seq": self._seq, "schema": self._schema, "tables": _dump_tables()}
            temporary = self.snapshot_path.with_suffix(".tmp")
            with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
                json.dump(snapshot, out, separators=(",", ":"), default=_encode_bytes)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.snapshot_path)
            _fsync_directory(self.directory)
            if self._fd >= 0:
                os.ftruncate(self._fd, 0)
            self._since_compaction = 0

    def clear(self) -> None:
        """Forget everything (moto was reset)."""
        with self._lock:
            self._schema = []
            self.snapshot_path.unlink(missing_ok=True)
            if self._fd >= 0:
                os.ftruncate(self._fd, 0)
            self._since_compaction = 0

    def close(self, *, compact: bool = True) -> None:
        with self._lock:
            if compact and self._fd >= 0:
                self.compact()
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1


def _read_journal(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    entries = []
    for number, line in enumerate(path.read_bytes().split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            # Only the last line can be cut short, by a kill inside its write: never acknowledged.
            log.warning("journal line %d is incomplete: skipped", number)
            continue
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("seq"), int)
            and isinstance(entry.get("op"), str)
            and isinstance(entry.get("body"), str)
        ):
            # Skipping it would drop an acknowledged write without a word: refuse to start instead.
            raise JournalFormatError(_unreadable(path, f"line {number}, an entry of another format"))
        entries.append(entry)
    return entries


def _cut_torn_tail(path: Path) -> None:
    """Drop a last line a kill cut short (it was never acknowledged), so the next entry appended
    starts a line of its own instead of being glued to the fragment, and lost with it."""
    if not path.exists():
        return
    with path.open("rb+") as journal:
        data = journal.read()
        if data and not data.endswith(b"\n"):
            journal.truncate(data.rfind(b"\n") + 1)
            journal.flush()
            os.fsync(journal.fileno())


def _unreadable(path: Path, what: str) -> str:
    return (
        f"{path}: {what}; this aicc reads format {FORMAT_VERSION}. Start with `aicc up --fresh` "
        "(drops the kept DynamoDB data) or run the aicc that wrote it."
    )


def _table_name(entry: dict[str, Any]) -> str:
    body = json.loads(entry["body"])
    return str(body.get("TableName") or body.get("ResourceArn", "").rsplit("/", 1)[-1])


def _environ(operation: str, body: bytes, scope: str) -> dict[str, Any]:
    from werkzeug.test import EnvironBuilder

    headers = [
        ("Host", "localhost"),
        ("X-Amz-Target", f"{DYNAMODB_PREFIX}.{operation}"),
        ("Content-Type", "application/x-amz-json-1.0"),
        ("Authorization", f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature=0"),
    ]
    builder = EnvironBuilder(path="/", method="POST", data=body, headers=headers)
    try:
        return builder.get_environ()
    finally:
        builder.close()


def _call_full(app: WsgiApp, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    captured: dict[str, Any] = {}
    parts: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        captured["status"], captured["headers"] = status, headers
        return parts.append

    result = app(environ, start_response)
    try:
        parts.extend(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return captured["status"], captured["headers"], b"".join(parts)


def _call(app: WsgiApp, environ: dict[str, Any]) -> tuple[str, bytes]:
    status, _, body = _call_full(app, environ)
    return status, body


def _backends() -> Iterable[tuple[str, str, Any]]:
    from moto.dynamodb.models import dynamodb_backends

    for account_id, regions in list(dynamodb_backends.items()):
        for region, backend in list(regions.items()):
            yield account_id, region, backend


def _dump_tables() -> list[dict[str, Any]]:
    tables = []
    for account_id, region, backend in _backends():
        for name, table in list(backend.tables.items()):
            tables.append(
                {
                    # Any access key maps to the account moto derived for it; the default one is kept.
                    "scope": f"{account_id}/{region}",
                    "name": name,
                    "items": [item.to_json()["Attributes"] for item in table.all_items()],
                }
            )
    return tables


def _restore_items(scope: str, name: str, items: list[dict[str, Any]]) -> int:
    """Put a snapshot's items straight into moto's table. They passed moto's checks when they were
    written, so they skip them: moto's item validation is quadratic in the attributes (the way
    moto's own Item.__deepcopy__ builds items)."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

    account_id, region = scope.split("/", 1)
    table = dynamodb_backends[account_id][region].get_table(name)
    hash_attribute, range_attribute = table.hash_key_attr, table.range_key_attr
    for attributes in items:
        item: Any = Item.__new__(Item)
        item.hash_key = DynamoType(attributes[hash_attribute])
        item.range_key = DynamoType(attributes[range_attribute]) if range_attribute else None
        values = LimitedSizeDict.__new__(LimitedSizeDict)
        for key, value in attributes.items():
            dict.__setitem__(values, key, DynamoType(value))
        item.attrs = values
        if range_attribute:
            table.items[item.hash_key][item.range_key] = item
        else:
            table.items[item.hash_key] = item
    return len(items)


# moto keeps binary attributes as bytes; JSON has none.
_BYTES = "$bytes-b64"


def _encode_bytes(value: object) -> dict[str, str]:
    if isinstance(value, bytes):
        return {_BYTES: base64.b64encode(value).decode()}
    raise TypeError(f"{type(value).__name__} in a DynamoDB item")


def _decode_bytes(value: dict[str, Any]) -> Any:
    if len(value) == 1 and _BYTES in value:
        return base64.b64decode(value[_BYTES])
    return value


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
