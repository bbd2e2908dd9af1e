"""The Flows port: a flow's state per conversation, and the META flag that routes follow-ups to it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from aicc.ports.flows import Flows
from tests.contract.conftest import BACKENDS

FLOW = "servicing"
STATE = {"status": "active", "offered": ["a", "b"], "rescheduling": None, "misses": 1, "nested": {"at": "09:00"}}


@dataclass
class Backend:
    flows: Flows
    open_conversation: Callable[[str, str], None]  # the ingress's META record, with its owner


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    if request.param == "memory":
        from aicc.adapters.memory.flows import MemoryFlows

        flows = MemoryFlows()
        return Backend(flows, flows.open)
    from aicc.adapters.dynamodb.flows import DynamoFlows

    dynamodb = request.getfixturevalue("moto_tables")

    def open_conversation(conversation_id: str, owner: str) -> None:
        dynamodb.put_item(
            TableName="aicc-conversations",
            Item={"conversation_id": {"S": conversation_id}, "sk": {"S": "META"}, "customer_id": {"S": owner}},
        )

    return Backend(DynamoFlows(), open_conversation)


def save(flows: Flows, conversation_id: str, *, waiting: bool, flag_seen: str | None, flow: str = FLOW) -> None:
    flows.save(conversation_id, flow, STATE, status="active", waiting=waiting, flag_seen=flag_seen)


def test_a_conversation_never_seen_has_nothing(backend: Backend) -> None:
    loaded = backend.flows.load("conv-none", FLOW)
    assert (loaded.owner, loaded.flag, loaded.state) == (None, None, None)


def test_the_owner_and_the_state_read_back(backend: Backend) -> None:
    backend.open_conversation("conv-1", "cust-1")
    assert backend.flows.load("conv-1", FLOW).owner == "cust-1"
    save(backend.flows, "conv-1", waiting=False, flag_seen=None)
    loaded = backend.flows.load("conv-1", FLOW)
    assert loaded.state == STATE and loaded.owner == "cust-1" and loaded.flag is None
    backend.flows.save("conv-1", FLOW, {"status": "booked"}, status="booked", waiting=False, flag_seen=None)
    assert backend.flows.load("conv-1", FLOW).state == {"status": "booked"}  # overwritten whole
    assert backend.flows.load("conv-1", "another-flow").state is None  # each flow has its own state


def test_waiting_raises_the_flag_and_finishing_lowers_it(backend: Backend) -> None:
    backend.open_conversation("conv-1", "cust-1")
    save(backend.flows, "conv-1", waiting=True, flag_seen=None)
    assert backend.flows.load("conv-1", FLOW).flag == FLOW
    save(backend.flows, "conv-1", waiting=True, flag_seen=FLOW)
    assert backend.flows.load("conv-1", FLOW).flag == FLOW
    save(backend.flows, "conv-1", waiting=False, flag_seen=FLOW)
    loaded = backend.flows.load("conv-1", FLOW)
    assert loaded.flag is None and loaded.owner == "cust-1"


def test_the_flag_seen_at_load_decides_whether_the_flag_is_written(backend: Backend) -> None:
    backend.open_conversation("conv-1", "cust-1")
    save(backend.flows, "conv-1", waiting=True, flag_seen=FLOW)  # believed raised already: no write
    assert backend.flows.load("conv-1", FLOW).flag is None


def test_raising_the_flag_never_creates_a_conversation(backend: Backend) -> None:
    save(backend.flows, "conv-unowned", waiting=True, flag_seen=None)
    loaded = backend.flows.load("conv-unowned", FLOW)
    assert (loaded.owner, loaded.flag) == (None, None)
    assert loaded.state == STATE


def test_lowering_leaves_another_flows_flag(backend: Backend) -> None:
    backend.open_conversation("conv-1", "cust-1")
    save(backend.flows, "conv-1", waiting=True, flag_seen=None, flow="other-flow")
    save(backend.flows, "conv-1", waiting=False, flag_seen=FLOW)  # a stale view: our flag was replaced
    assert backend.flows.load("conv-1", FLOW).flag == "other-flow"
