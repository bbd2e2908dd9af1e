"""The DynamoDB journal's edge cases (aicc.embedded.moto.journal): what a kill at any point keeps.

Each "life" is one process's: a DurableDynamoDB over moto's app, in process, loaded from the
directory; a kill closes the journal without the clean stop's compaction and drops the tables from
moto, as the process's memory goes. Tables are named per test: moto's state is shared in a session.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aicc.embedded.moto.journal import (
    JOURNAL,
    SNAPSHOT,
    DurableDynamoDB,
    JournalFormatError,
    LoadStats,
    _call_full,
    _environ,
)

SCOPE = "testing/20200101/us-east-1/dynamodb/aws4_request"
_app: Any = None


def moto_app() -> Any:
    global _app
    if _app is None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        _app = DomainDispatcherApplication(create_backend_app)
    return _app


class Life:
    """One process's life over the directory."""

    def __init__(self, directory: Path, table: str, **options: Any) -> None:
        self.table = table
        self.durable = DurableDynamoDB(moto_app(), directory, **options)
        self.stats: LoadStats = self.durable.load()

    def call(self, operation: str, **body: Any) -> tuple[int, dict[str, Any]]:
        status, _, data = _call_full(self.durable, _environ(operation, json.dumps(body).encode(), SCOPE))
        return int(status.split()[0]), json.loads(data or b"{}")

    def create(self) -> None:
        status, _ = self.call(
            "CreateTable",
            TableName=self.table,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        assert status == 200

    def put(self, pk: str, **attributes: str) -> int:
        item = {"pk": {"S": pk}, **{k: {"S": v} for k, v in attributes.items()}}
        return self.call("PutItem", TableName=self.table, Item=item)[0]

    def get(self, pk: str) -> dict[str, Any] | None:
        status, body = self.call("GetItem", TableName=self.table, Key={"pk": {"S": pk}}, ConsistentRead=True)
        assert status == 200, body
        item = body.get("Item")
        return {k: next(iter(v.values())) for k, v in item.items()} if item else None

    def kill(self) -> None:
        """The process dies: no compaction; what it held in memory is gone."""
        self.durable.close(compact=False)
        drop_table(self.table)

    def stop(self) -> None:
        self.durable.close()
        drop_table(self.table)


def drop_table(name: str) -> None:
    from moto.dynamodb.models import dynamodb_backends

    for regions in dynamodb_backends.values():
        for backend in regions.values():
            backend.tables.pop(name, None)


@pytest.fixture
def table() -> Iterator[str]:
    name = f"journal-{uuid.uuid4().hex[:12]}"
    yield name
    drop_table(name)


def test_a_torn_last_line_is_skipped_and_the_next_acknowledged_write_is_kept(tmp_path: Path, table: str) -> None:
    life = Life(tmp_path, table)
    life.create()
    assert life.put("a") == 200
    life.stop()  # a clean stop: one snapshot, an empty journal
    with (tmp_path / JOURNAL).open("ab") as journal:
        journal.write(b'{"seq":3,"op":"PutItem","body":"{\\"TableName')  # killed inside this write
    life = Life(tmp_path, table)
    assert life.stats.replayed == 0 and life.get("a") is not None
    assert life.put("b") == 200  # acknowledged
    life.kill()
    life = Life(tmp_path, table)
    assert life.get("a") is not None and life.get("b") is not None
    life.kill()


def test_a_transaction_is_journalled_whole_or_not_at_all(tmp_path: Path, table: str) -> None:
    def hold(life: Life, slot: str, version: int) -> int:
        return life.call(
            "TransactWriteItems",
            TransactItems=[
                {
                    "Put": {
                        "TableName": table,
                        "Item": {"pk": {"S": slot}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Update": {
                        "TableName": table,
                        "Key": {"pk": {"S": "holder"}},
                        "UpdateExpression": "SET version = :v",
                        "ExpressionAttributeValues": {":v": {"S": str(version)}},
                    }
                },
            ],
        )[0]

    life = Life(tmp_path, table)
    life.create()
    assert hold(life, "slot-1", 1) == 200
    assert hold(life, "slot-1", 2) == 400  # the slot is taken: cancelled, nothing written, nothing journalled
    assert hold(life, "slot-2", 3) == 200
    life.kill()
    # The last transaction's line was cut by the kill: it was never acknowledged.
    journal = (tmp_path / JOURNAL).read_bytes()
    last = journal.rstrip(b"\n").rfind(b"\n") + 1
    (tmp_path / JOURNAL).write_bytes(journal[: last + (len(journal) - last) // 2])
    life = Life(tmp_path, table)
    assert life.get("slot-1") is not None and life.get("holder") == {"pk": "holder", "version": "1"}
    assert life.get("slot-2") is None
    assert life.stats.failed == 0
    life.kill()


def test_a_compaction_cut_short_before_its_rename_leaves_the_old_snapshot_and_the_journal(
    tmp_path: Path, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    life = created(tmp_path, table)
    life.put("a")
    life.stop()
    life = Life(tmp_path, table)
    life.put("b")
    life = killed_compacting(life, monkeypatch, at="replace")
    assert life.get("a") is not None and life.get("b") is not None
    life.kill()


def test_a_compaction_cut_short_before_the_journal_is_emptied_replays_nothing_twice(
    tmp_path: Path, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    life = created(tmp_path, table)
    for _ in range(3):
        status, _ = life.call(
            "UpdateItem",
            TableName=table,
            Key={"pk": {"S": "counter"}},
            UpdateExpression="ADD n :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )
        assert status == 200
    life = killed_compacting(life, monkeypatch, at="ftruncate")
    assert life.get("counter") == {"pk": "counter", "n": "3"}
    life.kill()


def test_the_journal_replays_after_the_snapshot_in_the_order_it_was_applied(tmp_path: Path, table: str) -> None:
    life = Life(tmp_path, table, compact_every=3)
    life.create()
    life.put("x", v="a")
    life.put("x", v="b")  # the third write: compacted into the snapshot
    for before, after in (("b", "c"), ("c", "d")):
        status, _ = life.call(
            "UpdateItem",
            TableName=table,
            Key={"pk": {"S": "x"}},
            UpdateExpression="SET v = :after",
            ConditionExpression="v = :before",
            ExpressionAttributeValues={":before": {"S": before}, ":after": {"S": after}},
        )
        assert status == 200
    life.kill()
    assert json.loads((tmp_path / SNAPSHOT).read_text())["seq"] == 3
    life = Life(tmp_path, table)
    assert life.stats.replayed == 2 and life.stats.failed == 0
    assert life.get("x") == {"pk": "x", "v": "d"}
    life.kill()


def test_a_snapshot_of_an_unknown_format_is_refused_with_the_way_out(tmp_path: Path, table: str) -> None:
    life = Life(tmp_path, table)
    life.create()
    life.stop()
    snapshot = json.loads((tmp_path / SNAPSHOT).read_text())
    (tmp_path / SNAPSHOT).write_text(json.dumps({**snapshot, "version": 99}))
    with pytest.raises(JournalFormatError, match="--fresh"):
        Life(tmp_path, table)


def test_a_journal_entry_of_an_unknown_format_is_refused_not_skipped(tmp_path: Path, table: str) -> None:
    life = Life(tmp_path, table)
    life.create()
    life.kill()
    with (tmp_path / JOURNAL).open("a") as journal:
        journal.write(json.dumps({"v": 2, "operation": "PutItem"}) + "\n")
    with pytest.raises(JournalFormatError, match="--fresh"):
        Life(tmp_path, table)


def created(directory: Path, table: str) -> Life:
    life = Life(directory, table)
    life.create()
    return life


def killed_compacting(life: Life, monkeypatch: pytest.MonkeyPatch, *, at: str) -> Life:
    """The process dies inside a compaction, at its call of `os.<at>`; the next life."""
    with monkeypatch.context() as patched:
        patched.setattr(os, at, _dies)
        with pytest.raises(SystemExit):
            life.durable.compact()
    life.kill()
    return Life(life.durable.directory, life.table)


def _dies(*_: Any) -> None:
    raise SystemExit("killed")
