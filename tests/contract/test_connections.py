"""Contract of the Connections port: who is connected, forgotten on drop or after the TTL."""

from __future__ import annotations

import pytest

from aicc.adapters.dynamodb.connections import DynamoDBConnections
from aicc.adapters.memory.connections import MemoryConnections
from aicc.ports.connections import Connection, Connections
from tests.contract.conftest import BACKENDS

HOUR = 3600


@pytest.fixture(params=BACKENDS)
def connections(request: pytest.FixtureRequest) -> Connections:
    if request.param == "memory":
        return MemoryConnections()
    request.getfixturevalue("moto_tables")
    return DynamoDBConnections()


def test_a_users_open_connections_are_theirs_only(connections: Connections) -> None:
    connections.record(Connection("c1", "cust-1", "customer"), ttl_s=HOUR)
    connections.record(Connection("c2", "cust-1", "customer"), ttl_s=HOUR)
    connections.record(Connection("s1", "staff-1", "dealer", "dlr-north"), ttl_s=HOUR)
    assert sorted(connections.of_user("cust-1")) == ["c1", "c2"]
    assert connections.of_user("staff-1") == ["s1"]
    assert connections.of_user("nobody") == []


def test_a_dropped_connection_is_gone_and_dropping_twice_is_fine(connections: Connections) -> None:
    connections.record(Connection("c1", "cust-1", "customer"), ttl_s=HOUR)
    connections.drop("c1")
    connections.drop("c1")
    connections.drop("never-seen")
    assert connections.of_user("cust-1") == []


def test_recording_the_same_id_again_replaces_it(connections: Connections) -> None:
    connections.record(Connection("c1", "cust-1", "customer"), ttl_s=HOUR)
    connections.record(Connection("c1", "cust-2", "customer"), ttl_s=HOUR)
    assert connections.of_user("cust-1") == [] and connections.of_user("cust-2") == ["c1"]


def test_a_connection_past_its_ttl_reads_as_gone(connections: Connections) -> None:
    # DynamoDB reaps expired items late; readers must not wait for that.
    connections.record(Connection("old", "cust-1", "customer"), ttl_s=-1)
    connections.record(Connection("new", "cust-1", "customer"), ttl_s=HOUR)
    assert connections.of_user("cust-1") == ["new"]


def test_staff_connections_are_found_by_role_and_dealership(connections: Connections) -> None:
    connections.record(Connection("o1", "oem-1", "oem_staff"), ttl_s=HOUR)
    connections.record(Connection("n1", "dealer-n", "dealer", "dlr-north"), ttl_s=HOUR)
    connections.record(Connection("n2", "dealer-n2", "dealer", "dlr-north"), ttl_s=HOUR)
    connections.record(Connection("l1", "dealer-l", "dealer", "dlr-lakeside"), ttl_s=HOUR)
    connections.record(Connection("c1", "cust-1", "customer"), ttl_s=HOUR)
    connections.record(Connection("old", "oem-2", "oem_staff"), ttl_s=-1)
    assert connections.of_staff("oem_staff") == ["o1"]
    assert sorted(connections.of_staff("dealer", "dlr-north")) == ["n1", "n2"]
    assert connections.of_staff("dealer", "dlr-lakeside") == ["l1"]
    assert connections.of_staff("dealer", None) == [] and connections.of_staff("customer") == []
    connections.drop("n1")
    assert connections.of_staff("dealer", "dlr-north") == ["n2"]
