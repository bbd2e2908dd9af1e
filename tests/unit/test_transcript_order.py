"""The transcript reads like the conversation happened: each reply right after the message it
answers, even when the reply's event was logged after the customer's next message; a click on a
quick action reads as the button the customer chose."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from aicc.adapters.memory.appointments import MemoryAppointments
from aicc.adapters.memory.conversations import MemoryConversations
from aicc.adapters.memory.customers import MemoryCustomers
from aicc.adapters.memory.handoff import MemoryHandoff
from aicc.adapters.memory.records import MemoryConversationRecords
from aicc.agents.casefile import CaseFile
from aicc.agents.staffdesk import Staff
from aicc.ports.bus import BusEvent
from aicc.ports.conversations import NewTurn
from aicc.ports.eventlog import LoggedEvent

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


class ReplyLog:
    """An event log holding one ReplySent per turn, at the times given."""

    def __init__(
        self, replies: dict[str, tuple[datetime, str]], quick_actions: dict[str, list[dict[str, str]]] | None = None
    ) -> None:
        self.replies = replies
        self.quick_actions = quick_actions or {}

    def append(self, events: Iterable[BusEvent]) -> None:
        raise AssertionError("reading a transcript logs nothing")

    def turn(self, turn_id: str) -> list[LoggedEvent]:
        if turn_id not in self.replies:
            return []
        at, text = self.replies[turn_id]
        actions = self.quick_actions.get(turn_id, [])
        detail = {"meta": {"turn_id": turn_id}, "text": text, "quick_actions": actions, "sources": []}
        return [LoggedEvent(f"e-{turn_id}", "aicc.aggregator", "ReplySent", "aggregator", "c", at, detail)]


def conversation(*said: str) -> MemoryConversations:
    """cust-0001's conversation conv-1: these messages, two seconds apart, as turns t-1, t-2, ..."""
    conversations = MemoryConversations()
    for n, text in enumerate(said, start=1):
        at = START + timedelta(seconds=2 * (n - 1))
        conversations.start_turn(NewTurn("conv-1", f"t-{n}", "cust-0001", "customer", f"m-{n}", text, at), opens=n == 1)
    return conversations


def case_file(conversations: MemoryConversations, log: ReplyLog) -> CaseFile:
    records, handoff = MemoryConversationRecords(conversations), MemoryHandoff(conversations)
    return CaseFile(records, handoff, log, MemoryCustomers(), MemoryAppointments())


def test_a_reply_logged_after_the_next_message_still_follows_its_own_message() -> None:
    conversations = conversation("Where is my nearest dealer?", "And are they open on Sunday?")
    # ReplySent is published after the push: the customer read the first reply and typed the next
    # message before the event's own time.
    log = ReplyLog(
        {
            "t-1": (START + timedelta(seconds=2, milliseconds=50), "Harbor City Motors, 12 Pier Road."),
            "t-2": (START + timedelta(seconds=3), "Sundays they are closed."),
        }
    )
    frame = case_file(conversations, log).transcript("conv-1", Staff("cust-0001", "customer", None))
    assert [(e.sender, e.text) for e in frame.entries] == [
        ("customer", "Where is my nearest dealer?"),
        ("assistant", "Harbor City Motors, 12 Pier Road."),
        ("customer", "And are they open on Sunday?"),
        ("assistant", "Sundays they are closed."),
    ]


def test_a_quick_action_reads_as_the_button_the_customer_clicked() -> None:
    slot = "Book slot service#dlr-harbor#2026-12-01T11:00#1"
    conversations = conversation("I need an oil change", slot, "Book slot")
    log = ReplyLog(
        {
            "t-1": (START + timedelta(seconds=1), "Harbor City Motors has these times:"),
            "t-2": (START + timedelta(seconds=3), "Booked: Tue 1 Dec, 11:00."),
            "t-3": (START + timedelta(seconds=5), "Which time would you like?"),
        },
        {"t-1": [{"label": "Tue 1 Dec, 11:00", "action": slot}], "t-2": [{"label": "Book slot", "action": "x"}]},
    )
    frame = case_file(conversations, log).transcript("conv-1", Staff("oem-0001", "oem_staff", None))
    customer = [(e.text, e.shown_as) for e in frame.entries if e.sender == "customer"]
    # What was sent is kept; a text that only looks like an earlier button's label is not relabelled.
    assert customer == [("I need an oil change", None), (slot, "Tue 1 Dec, 11:00"), ("Book slot", None)]


def test_a_long_case_sends_its_latest_part_within_one_websocket_message() -> None:
    said = [f"message {n}: " + "my car makes a noise " * 190 for n in range(1, 61)]  # ~4 KB each
    conversations = conversation(*said)
    log = ReplyLog({f"t-{n}": (START + timedelta(seconds=2 * n - 1), f"answer {n}") for n in range(1, 61)})
    frame = case_file(conversations, log).transcript("conv-1", Staff("oem-0001", "oem_staff", None))
    assert frame.truncated
    assert len(frame.model_dump_json().encode()) <= 128 * 1024  # API Gateway's message limit
    assert frame.entries[-1].text == "answer 60" and frame.entries[-2].text.startswith("message 60:")
    shown = [e.text for e in frame.entries if e.sender == "assistant"]
    assert shown == [f"answer {n}" for n in range(61 - len(shown), 61)]  # the latest, none skipped

    short = case_file(conversation("hello"), ReplyLog({"t-1": (START, "hi")})).transcript(
        "conv-1", Staff("cust-0001", "customer", None)
    )
    assert not short.truncated and [e.text for e in short.entries] == ["hello", "hi"]
