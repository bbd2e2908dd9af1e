"""Issue 14, defect 9: under backlog the deadline still holds, and past capacity the ingress sheds.

- The ingress schedules each turn's deadline with the message inside: the coordinator answers the turn
  on time, degraded, even when the message itself is still queued behind a backlog.
- Past the limit of turns in flight a message is answered `busy` with retry_after_s, nothing stored;
  each reply the coordinator sends releases its turn.
"""

from __future__ import annotations

import pytest

from aicc.adapters.memory.admission import MemoryAdmission
from aicc.adapters.memory.bus import MemoryBus
from aicc.agents.ingress import Accepted
from aicc.agents.overload import Gate, LittleLimit, busy_frame, deadline_delay_s
from aicc.ports.admission import Counts
from contracts.events import ConversationReceived, ReplySent, TurnDeadline
from contracts.frames import AckFrame
from tests.unit.test_coordinator import SAMPLE, World, caused, event, only, run, world  # noqa: F401


def accepted(received: ConversationReceived | None = SAMPLE) -> Accepted:
    ack = AckFrame(client_message_id="m1", conversation_id=SAMPLE.meta.conversation_id, turn_id=SAMPLE.meta.turn_id)
    return Accepted(ack, "accepted" if received else "duplicate", received=received)


def test_past_the_limit_a_message_is_shed_until_a_reply_releases_a_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AICC_MAX_TURNS_IN_FLIGHT", "2")
    monkeypatch.setenv("AICC_BUSY_RETRY_AFTER_S", "1.5")
    admission = MemoryAdmission()
    gate = Gate(admission, MemoryBus())
    assert gate.admit() and gate.admit()
    assert not gate.admit()
    busy = busy_frame("m3")
    assert (busy.code, busy.retry_after_s, busy.client_message_id) == ("busy", 1.5, "m3")
    admission.release()
    assert gate.admit()


def test_a_message_for_no_assistant_is_released_at_once() -> None:
    admission = MemoryAdmission()
    gate = Gate(admission, MemoryBus())
    assert gate.admit() and gate.hand_on(accepted(None)) is None
    assert admission.in_flight() == 0


def test_the_ingress_schedules_the_deadline_with_the_message_inside() -> None:
    bus = MemoryBus()
    gate = Gate(MemoryAdmission(), bus)
    published = gate.hand_on(accepted())
    assert published is not None and published.deadline_scheduled
    deadline = only(bus.scheduled, TurnDeadline)
    assert deadline.received is not None and deadline.received.text == SAMPLE.text
    assert deadline.meta.turn_id == SAMPLE.meta.turn_id


def test_the_deadline_answers_a_turn_whose_message_is_still_queued(world: World) -> None:  # noqa: F811
    bus = MemoryBus()
    Gate(MemoryAdmission(), bus).hand_on(accepted())
    admission = MemoryAdmission()
    world.coordinator.admission = admission
    assert admission.admit(5)
    # Nothing of the turn reached the coordinator yet: only its deadline, from its own queue.
    sent: ReplySent = only(run(world, caused(only(bus.scheduled, TurnDeadline), "aicc.ingress")), ReplySent)
    assert sent.deadline_fired and sent.degraded and sent.delivered
    assert world.frames()[0]["client_message_id"] == SAMPLE.client_message_id
    assert admission.in_flight() == 0  # the reply released the turn
    # The message and the results arriving late find the turn answered, and schedule no second deadline.
    late = event("ConversationReceived", deadline_scheduled=True)
    assert run(world, late, event("IntentDetected")) == []
    assert len(world.frames()) == 1 and world.bus.scheduled == []


def test_the_deadline_is_due_three_seconds_after_the_frame_arrived_not_after_the_ingress() -> None:
    bus = MemoryBus()
    gate = Gate(MemoryAdmission(), bus, clock=lambda: 1_800_000_000.8)
    gate.hand_on(accepted(), arrived_at=1_800_000_000.0)  # the ingress took 0.8 s
    assert only(bus.scheduled, TurnDeadline).deadline_s == 2
    assert [deadline_delay_s(3, spent) for spent in (0.0, 0.3, 0.6, 2.9, 4.0)] == [3, 3, 2, 0, 0]


class Stack:
    """Answers a steady number of turns a second, with a given number in flight; admits read the counts."""

    def __init__(self, per_s: float, in_flight: int) -> None:
        self.now, self.per_s, self.in_flight = 1_800_000_000.0, per_s, in_flight

    def seen(self) -> Counts:
        return Counts(self.in_flight, int((self.now - 1_800_000_000.0) * self.per_s))

    def run(self, gate: Gate, seconds: float) -> None:
        for _ in range(int(seconds * 4)):
            gate.admit()
            self.now += 0.25


def test_slow_replies_bring_the_limit_to_throughput_times_the_target(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AICC_MAX_TURNS_IN_FLIGHT", "40")
    monkeypatch.setenv("AICC_REPLY_TARGET_S", "2")
    stack = Stack(per_s=5.0, in_flight=20)  # replies take 4 s
    admission = MemoryAdmission()
    monkeypatch.setattr(admission, "seen", stack.seen)
    gate = Gate(admission, MemoryBus(), clock=lambda: stack.now)
    assert gate.limit() == 40  # nothing measured yet: the ceiling
    stack.run(gate, 15)
    assert gate.limit() == 10  # 5 turns a second x 2 s
    stack.per_s = 100.0  # a faster stack: replies in 0.2 s, the ceiling
    stack.run(gate, 15)
    assert gate.limit() == 40


def test_a_stack_that_answers_within_the_target_sheds_nothing_however_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AICC_MAX_TURNS_IN_FLIGHT", "16")
    stack = Stack(per_s=2.0, in_flight=1)  # one customer, answered in half a second
    admission = MemoryAdmission()
    monkeypatch.setattr(admission, "seen", stack.seen)
    gate = Gate(admission, MemoryBus(), clock=lambda: stack.now)
    stack.run(gate, 15)
    assert gate.limit() == 16


def test_a_stalled_stack_still_takes_a_few_turns() -> None:
    little = LittleLimit()
    for second in range(20):
        little.observe(1_800_000_000.0 + second, Counts(3, 0))  # three turns waiting, nothing answered
    assert little.limit(2.0, 16) == little.floor
    little.observe(1_800_000_021.0, Counts(3, 5))
    little.observe(1_800_000_022.0, Counts(0, 0))  # the count started again: nothing measured
    assert little.limit(2.0, 16) == 16
