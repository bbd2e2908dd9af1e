"""The transcript reads like the conversation happened: each reply right after the message it
answers, even when the reply's event was logged after the customer's next message."""

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

    def __init__(self, replies: dict[str, tuple[datetime, str]]) -> None:
        self.replies = replies

    def append(self, events: Iterable[BusEvent]) -> None:
        raise AssertionError("reading a transcript logs nothing")

    def turn(self, turn_id: str) -> list[LoggedEvent]:
        if turn_id not in self.replies:
            return []
        at, text = self.replies[turn_id]
        detail = {"meta": {"turn_id": turn_id}, "text": text, "quick_actions": [], "sources": []}
        return [LoggedEvent(f"e-{turn_id}", "aicc.aggregator", "ReplySent", "aggregator", "c", at, detail)]


def test_a_reply_logged_after_the_next_message_still_follows_its_own_message() -> None:
    conversations = MemoryConversations()
    said = [
        ("t-1", "Where is my nearest dealer?", START),
        ("t-2", "And are they open on Sunday?", START + timedelta(seconds=2)),
    ]
    for turn_id, text, at in said:
        turn = NewTurn("conv-1", turn_id, "cust-0001", "customer", f"m-{turn_id}", text, at)
        conversations.start_turn(turn, opens=turn_id == "t-1")
    # ReplySent is published after the push: the customer read the first reply and typed the next
    # message before the event's own time.
    log = ReplyLog(
        {
            "t-1": (START + timedelta(seconds=2, milliseconds=50), "Harbor City Motors, 12 Pier Road."),
            "t-2": (START + timedelta(seconds=3), "Sundays they are closed."),
        }
    )
    case = CaseFile(
        MemoryConversationRecords(conversations),
        MemoryHandoff(conversations),
        log,
        MemoryCustomers(),
        MemoryAppointments(),
    )
    frame = case.transcript("conv-1", Staff("cust-0001", "customer", None))
    assert [(e.sender, e.text) for e in frame.entries] == [
        ("customer", "Where is my nearest dealer?"),
        ("assistant", "Harbor City Motors, 12 Pier Road."),
        ("customer", "And are they open on Sunday?"),
        ("assistant", "Sundays they are closed."),
    ]
