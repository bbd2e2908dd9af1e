"""Contract of the Conversations port: owners, turns stored once, history in time order, replies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from aicc.adapters.dynamodb.conversations import DynamoDBConversations
from aicc.adapters.memory.conversations import MemoryConversations
from aicc.ports.conversations import Conversations, NewTurn, NoSuchConversation, NotYourConversation
from tests.contract.conftest import BACKENDS

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def conversations(request: pytest.FixtureRequest) -> Conversations:
    if request.param == "memory":
        return MemoryConversations()
    request.getfixturevalue("moto_tables")
    return DynamoDBConversations()


def turn(
    turn_id: str, *, conversation: str = "conv-1", user: str = "cust-1", text: str = "hi", at: Any = T0
) -> NewTurn:
    return NewTurn(
        conversation_id=conversation,
        turn_id=turn_id,
        user_id=user,
        role="customer",
        client_message_id=f"cmid-{turn_id}",
        text=text,
        at=at,
    )


def test_an_opening_turn_creates_the_conversation_for_its_sender(conversations: Conversations) -> None:
    started = conversations.start_turn(turn("t1"), opens=True)
    assert (started.conversation_id, started.turn_id, started.duplicate) == ("conv-1", "t1", False)
    assert started.flow is None and started.staff_owner is None
    assert started.accepted_at == T0
    assert conversations.turn_ids("conv-1") == ["t1"]


def test_someone_elses_conversation_is_refused_and_nothing_is_written(conversations: Conversations) -> None:
    conversations.start_turn(turn("t1"), opens=True)
    for opens in (True, False):
        with pytest.raises(NotYourConversation) as refused:
            conversations.start_turn(turn(f"x-{opens}", user="cust-2"), opens=opens)
        assert not isinstance(refused.value, NoSuchConversation)  # it exists: "not yours", not "not found"
    assert conversations.turn_ids("conv-1") == ["t1"]


def test_continuing_an_unknown_conversation_is_refused_and_creates_nothing(conversations: Conversations) -> None:
    with pytest.raises(NoSuchConversation):
        conversations.start_turn(turn("t1", user="cust-2"), opens=False)
    # Nobody claimed it: its rightful opener still can.
    assert not conversations.start_turn(turn("t1"), opens=True).duplicate


def test_the_owner_continues_and_may_reopen(conversations: Conversations) -> None:
    conversations.start_turn(turn("t1"), opens=True)
    assert not conversations.start_turn(turn("t2", at=T0 + timedelta(seconds=1)), opens=False).duplicate
    assert not conversations.start_turn(turn("t3", at=T0 + timedelta(seconds=2)), opens=True).duplicate
    assert conversations.turn_ids("conv-1") == ["t1", "t2", "t3"]


def test_a_turn_id_stored_already_is_a_retry_that_changes_nothing(conversations: Conversations) -> None:
    conversations.start_turn(turn("t1", text="first"), opens=True)
    again = conversations.start_turn(turn("t1", text="edited", at=T0 + timedelta(minutes=5)), opens=True)
    assert again.duplicate and again.turn_id == "t1"
    assert again.accepted_at == T0  # the original's time, so the caller can tell how old it is
    (past,) = conversations.recent_turns("conv-1")
    assert past.text == "first" and past.at == T0.isoformat()


def test_a_retry_says_whether_its_turn_was_answered(conversations: Conversations) -> None:
    conversations.start_turn(turn("t1"), opens=True)
    assert not conversations.start_turn(turn("t1"), opens=True).answered
    conversations.record_reply("conv-1", "t1", reply="Hello!", intent=None, degraded=False)
    assert conversations.start_turn(turn("t1"), opens=True).answered


def test_history_is_in_time_order_without_the_excluded_turn_and_limited(conversations: Conversations) -> None:
    # Turn ids sort the other way round from time: the order must come from the time.
    ids = ["t9", "t5", "t1", "t0"]
    for i, turn_id in enumerate(ids):
        conversations.start_turn(turn(turn_id, text=f"m{i}", at=T0 + timedelta(seconds=i)), opens=i == 0)
    assert conversations.turn_ids("conv-1") == ids
    assert [t.turn_id for t in conversations.recent_turns("conv-1", exclude_turn="t0", limit=2)] == ["t5", "t1"]
    assert [t.text for t in conversations.recent_turns("conv-1")] == ["m0", "m1", "m2", "m3"]
    assert conversations.turn_ids("unknown") == [] and conversations.recent_turns("unknown") == []


def test_turns_of_other_conversations_are_not_mixed_in(conversations: Conversations) -> None:
    conversations.start_turn(turn("a1", conversation="conv-a"), opens=True)
    conversations.start_turn(turn("b1", conversation="conv-b"), opens=True)
    assert conversations.turn_ids("conv-a") == ["a1"] and conversations.turn_ids("conv-b") == ["b1"]


def test_a_reply_is_stored_beside_its_turn_and_a_repeat_is_harmless(conversations: Conversations) -> None:
    conversations.start_turn(turn("t1"), opens=True)
    conversations.start_turn(turn("t2", at=T0 + timedelta(seconds=1)), opens=False)
    for _ in range(2):
        conversations.record_reply("conv-1", "t1", reply="Hello!", intent="greeting", degraded=False)
    conversations.record_reply("conv-1", "t2", reply="Sorry", intent=None, degraded=True)
    first, second = conversations.recent_turns("conv-1")
    assert (first.reply, first.intent) == ("Hello!", "greeting")
    assert (second.reply, second.intent) == ("Sorry", None)


def test_a_reply_for_a_turn_never_stored_is_not_a_turn(conversations: Conversations) -> None:
    conversations.start_turn(turn("t1"), opens=True)
    conversations.record_reply("conv-1", "ghost", reply="?", intent=None, degraded=False)
    assert conversations.turn_ids("conv-1") == ["t1"]


def test_the_next_turn_starts_from_the_saved_dialog_state(conversations: Conversations) -> None:
    first = conversations.start_turn(turn("t1"), opens=True)
    assert first.dialog is None and first.handoff_open is False
    state = {"vehicle_vin": "5ARAX1E23MH000126", "said": ["greeting"]}
    conversations.save_dialog("conv-1", state)
    conversations.save_dialog("conv-unknown", state)  # left alone: no conversation is created
    assert conversations.start_turn(turn("t2", at=T0 + timedelta(seconds=5)), opens=False).dialog == state
    with pytest.raises(NotYourConversation):
        conversations.start_turn(turn("t3", conversation="conv-unknown"), opens=False)
