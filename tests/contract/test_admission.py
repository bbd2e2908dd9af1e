"""The Admission port: never more turns in flight than the limit, whoever races; a stale count heals."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from aicc.ports.admission import STALE_S, Admission
from tests.contract.conftest import BACKENDS


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=BACKENDS)
def admission(request: pytest.FixtureRequest, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> Iterator[Admission]:
    if request.param == "memory":
        from aicc.adapters.memory.admission import MemoryAdmission

        yield MemoryAdmission(clock=clock)
        return
    from aicc.adapters.dynamodb import admission as module
    from aicc.embedded.moto.patches import PATCHES
    from aicc.embedded.moto.patches.dynamodb import ATOMIC_WRITES

    request.getfixturevalue("moto_tables")
    monkeypatch.setattr(module.time, "time", clock)
    with PATCHES.applied(ATOMIC_WRITES.name):  # DynamoDB applies a conditional write atomically
        yield module.DynamoDBAdmission()


def test_concurrent_admissions_never_pass_the_limit(admission: Admission) -> None:
    racers = 8
    barrier = threading.Barrier(racers)

    def race(_: int) -> bool:
        barrier.wait()
        return admission.admit(3)

    with ThreadPoolExecutor(max_workers=racers) as pool:
        admitted = list(pool.map(race, range(racers)))
    assert admitted.count(True) == 3 and admission.in_flight() == 3


def test_a_release_makes_room_and_never_counts_below_zero(admission: Admission) -> None:
    assert admission.admit(1) and not admission.admit(1)
    admission.release()
    assert admission.in_flight() == 0 and admission.admit(1)
    admission.release()
    admission.release()  # one too many: still zero
    assert admission.in_flight() == 0


def test_a_count_nothing_released_for_long_starts_again(admission: Admission, clock: Clock) -> None:
    assert admission.admit(2) and admission.admit(2)  # two turns whose releases were lost
    clock.now += STALE_S / 2
    assert not admission.admit(2)
    clock.now += STALE_S
    assert admission.admit(2) and admission.in_flight() == 1


def test_an_admit_reads_the_counts_in_flight_and_released_in_all(admission: Admission) -> None:
    assert admission.admit(2) and admission.admit(2)
    admission.release()
    admission.release()
    admission.release()  # at zero: counts nothing
    assert admission.admit(2) and admission.seen() == (1, 2)
    assert admission.admit(2) and not admission.admit(2)  # a shed admit reads the counts too
    assert admission.seen() == (2, 2)
