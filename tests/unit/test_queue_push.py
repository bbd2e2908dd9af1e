"""The live staff queue over in-memory ports: who receives a fresh queue frame when a queue changes,
and what they may see in it."""

from __future__ import annotations

from typing import Any

import pytest

from aicc.agents.staffdesk import QueuePush, StaffDesk
from aicc.ports.connections import Connection
from contracts.common import Route
from contracts.frames import HandBack, TakeConversation
from tests.unit.test_silent_owner import Desk as RelayDesk
from tests.unit.test_staffdesk import NORTH, OEM, World

HOUR = 3600


class Desk(World):
    def __init__(self) -> None:
        super().__init__()
        self.queue_push = QueuePush(self.handoff, self.connections, self.pusher)
        self.desk = StaffDesk(
            self.handoff, self.pusher, now=lambda: "2026-12-01T09:00:00+00:00", queue_push=self.queue_push
        )
        for connection in (
            Connection("oem-tab", "oem-1", "oem_staff"),
            Connection("oem-tab-2", "oem-1", "oem_staff"),
            Connection("north-tab", "dealer-n", "dealer", "dlr-north"),
            Connection("lake-tab", "dealer-l", "dealer", "dlr-lakeside"),
            Connection("cust-1-phone", "cust-1", "customer"),
        ):
            self.connections.record(connection, ttl_s=HOUR)

    def queues(self, connection_id: str) -> list[list[str]]:
        """Each queue frame the connection received, as its conversation ids in order."""
        return [
            [entry["conversation_id"] for entry in frame["conversations"]]
            for frame in self.pusher.frames(connection_id)
            if frame["type"] == "queue"
        ]


@pytest.fixture
def desk() -> Desk:
    d = Desk()
    d.routed("conv-sales", "cust-1", Route(kind="human", queue="sales", priority="normal"), dealer="dlr-north")
    return d


def test_a_change_reaches_oem_staff_and_the_dealership_most_urgent_first_and_no_one_else(desk: Desk) -> None:
    desk.routed("conv-road", "cust-2", Route(kind="human", queue="roadside", priority="urgent"))
    assert desk.queue_push.changed_conversation("conv-road") == 2  # both oem tabs; the road case has no dealer
    assert desk.queues("oem-tab") == desk.queues("oem-tab-2") == [["conv-road", "conv-sales"]]
    assert desk.queues("north-tab") == [] and desk.queues("lake-tab") == [] and desk.queues("cust-1-phone") == []

    assert desk.queue_push.changed("dlr-north") == 3
    assert desk.queues("north-tab") == [["conv-sales"]]  # north's own only: never the roadside case
    assert desk.queues("lake-tab") == []  # another dealership hears nothing of north's queue


def test_taking_and_handing_back_push_the_queue_with_the_new_status(desk: Desk) -> None:
    desk.desk.act(TakeConversation(action="takeConversation", conversation_id="conv-sales"), NORTH)
    (taken,) = [f for f in desk.pusher.frames("oem-tab") if f["type"] == "queue"]
    assert taken["conversations"][0]["status"] == "taken" and taken["conversations"][0]["agent_id"] == "dealer-n"
    assert desk.queues("north-tab") == [["conv-sales"]] and desk.queues("lake-tab") == []

    desk.desk.act(HandBack(action="handBack", conversation_id="conv-sales"), OEM)
    assert desk.queues("oem-tab")[-1] == [] and desk.queues("north-tab")[-1] == []
    assert desk.queues("lake-tab") == []


def test_a_gone_staff_connection_is_dropped_and_the_others_still_get_it(desk: Desk) -> None:
    desk.pusher.close("oem-tab")
    assert desk.queue_push.changed("dlr-north") == 2
    assert desk.connections.of_staff("oem_staff") == ["oem-tab-2"]
    assert desk.queues("oem-tab-2") == [["conv-sales"]]


def test_a_failing_push_is_logged_not_raised(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> list[str]:
        raise RuntimeError("connections unavailable")

    monkeypatch.setattr(desk.connections, "of_staff", broken)
    frame = desk.desk.act(TakeConversation(action="takeConversation", conversation_id="conv-sales"), NORTH)
    assert frame.type == "handoff" and frame.status == "taken"  # the take itself stands
    assert desk.queue_push.changed("dlr-north") == 0


class RequeueDesk(RelayDesk):
    """The silent-owner desk with the queue pushed, and a second staff member watching the queue."""

    def __post_init__(self) -> None:
        super().__post_init__()
        push = QueuePush(self.handoff, self.connections, self.pusher)
        self.ingress.queue_push = push
        self.coordinator.queue_push = push
        self.connections.record(Connection("s2", "staff-b", "oem_staff"), ttl_s=HOUR)

    def watched(self) -> list[tuple[str, str, str | None]]:
        """The last queue staff-b was pushed: (conversation, status, owner) per row."""
        frames = [f for f in self.pusher.frames("s2") if f["type"] == "queue"]
        return (
            [(c["conversation_id"], c["status"], c["agent_id"]) for c in frames[-1]["conversations"]] if frames else []
        )


@pytest.fixture
def requeue(monkeypatch: pytest.MonkeyPatch) -> RequeueDesk:
    monkeypatch.setenv("AICC_STAFF_REPLY_TIMEOUT_S", "90")
    return RequeueDesk()


def test_a_silent_owners_conversation_back_in_its_queue_is_pushed_to_staff(requeue: RequeueDesk) -> None:
    conversation = requeue.taken()
    requeue.send("is anybody there?", "m2", conversation)
    assert requeue.watched() == []  # a relayed message changes no queue
    requeue.now.advance(90)
    requeue.deliver(requeue.relay_deadline())
    assert requeue.watched() == [(conversation, "waiting", None)]


def test_a_stranded_conversation_back_in_its_queue_is_pushed_to_staff(requeue: RequeueDesk) -> None:
    conversation = requeue.taken()
    requeue.connections.drop("s1")  # the owner is gone
    assert requeue.send("hello?", "m2", conversation).outcome == "requeued"
    assert requeue.watched() == [(conversation, "waiting", None)]
