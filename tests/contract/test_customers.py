"""Contract of the Customers port: documents read whole by id, stored whole."""

from __future__ import annotations

import pytest

from aicc.adapters.dynamodb.customers import DynamoDBCustomers
from aicc.adapters.memory.customers import MemoryCustomers
from aicc.ports.customers import Customers
from aicc.seed import demo_customers
from tests.contract.conftest import BACKENDS


@pytest.fixture(params=BACKENDS)
def customers(request: pytest.FixtureRequest) -> Customers:
    if request.param == "memory":
        return MemoryCustomers()
    request.getfixturevalue("moto_tables")
    return DynamoDBCustomers()


def test_stored_documents_read_back_whole_and_unknown_ids_are_none(customers: Customers) -> None:
    demo = demo_customers()
    assert customers.put_all(demo) == len(demo)
    for customer in demo:
        assert customers.get(customer["customer_id"]) == customer
    assert customers.get("cust-unknown") is None


def test_a_put_overwrites_the_document(customers: Customers) -> None:
    first = {"customer_id": "cust-x", "email": "x@mail.example", "name": "X", "vehicles": []}
    customers.put_all([first])
    customers.put_all([{**first, "name": "Xavier", "household_size": 2}])
    assert customers.get("cust-x") == {**first, "name": "Xavier", "household_size": 2}
    assert customers.put_all([]) == 0
