"""The dialog suite's checker, date phrases, loader and report, on hand-made reply frames (no stack)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from aicc.dialogs import dates
from aicc.dialogs.check import Failure, check_reply
from aicc.dialogs.report import format_report, summarise
from aicc.dialogs.run import ConversationResult, TurnResult
from aicc.dialogs.suite import CATEGORIES, Conversation, Expectation, load_suite

# A Tuesday.
TODAY = date(2026, 12, 1)
SUITE = Path(__file__).parents[1] / "dialogs"


def reply(
    text: str, *, buttons: tuple[str, ...] = (), kind: str = "bot", queue: str | None = None, priority: str = "normal"
) -> dict[str, Any]:
    return {
        "type": "reply",
        "conversation_id": "c1",
        "turn_id": "t1",
        "client_message_id": "m1",
        "text": text,
        "quick_actions": [{"label": label, "action": label.lower()} for label in buttons],
        "route": {"kind": kind, "queue": queue, "priority": priority},
    }


def kinds(expect: dict[str, Any], frame: dict[str, Any] | None, **kwargs: Any) -> list[str]:
    return [f.kind for f in check_reply(Expectation.model_validate(expect), frame, today=TODAY, **kwargs)]


@pytest.mark.parametrize(
    ("phrase", "first", "last"),
    [
        ("today", date(2026, 12, 1), date(2026, 12, 1)),
        ("tomorrow", date(2026, 12, 2), date(2026, 12, 2)),
        ("friday", date(2026, 12, 4), date(2026, 12, 4)),
        ("this friday", date(2026, 12, 4), date(2026, 12, 4)),
        ("next friday", date(2026, 12, 11), date(2026, 12, 11)),
        ("next monday", date(2026, 12, 7), date(2026, 12, 7)),
        ("tuesday", date(2026, 12, 1), date(2026, 12, 1)),
        ("next week", date(2026, 12, 7), date(2026, 12, 13)),
        ("this week", date(2026, 12, 1), date(2026, 12, 6)),
        ("+14", date(2026, 12, 15), date(2026, 12, 15)),
        ("the 14th", date(2026, 12, 14), date(2026, 12, 14)),
        ("1st", date(2026, 12, 1), date(2026, 12, 1)),
        ("the 31st", date(2026, 12, 31), date(2026, 12, 31)),
    ],
)
def test_date_phrases_mean_what_a_customer_means(phrase: str, first: date, last: date) -> None:
    assert dates.resolve(phrase, TODAY) == (first, last)


def test_an_unknown_date_phrase_is_an_error_in_the_suite_not_a_silent_pass() -> None:
    with pytest.raises(ValueError, match="unknown date phrase"):
        dates.resolve("sometime soon", TODAY)
    with pytest.raises(ValueError):
        Expectation.model_validate({"slots_on": "the day after"})


@pytest.mark.parametrize(
    "written", ["Fri 11 Dec, 09:00", "Friday, December 11th at 9am", "on 2026-12-11", "dec. 11", "12/11"]
)
def test_a_date_placeholder_matches_the_usual_ways_of_writing_the_day(written: str) -> None:
    assert kinds({"must": ["{date:next friday}"]}, reply(f"Booked for {written}.")) == []


def test_a_date_placeholder_does_not_match_another_day() -> None:
    assert kinds({"must": ["{date:next friday}"]}, reply("Booked for Fri 04 Dec, 09:00.")) == ["must"]
    assert kinds({"must": ["{date:next friday}"]}, reply("Booked for Fri 21 Dec, 09:00.")) == ["must"]


def test_must_is_a_case_insensitive_substring_unless_it_is_a_regex() -> None:
    text = "Call Aurora Harbor City on +1-310-555-0177."
    assert kinds({"must": ["harbor city", "+1-310-555-0177"]}, reply(text)) == []
    assert kinds({"must": ["re:harbou?r city"]}, reply(text)) == []
    assert kinds({"must": ["North Hills"]}, reply(text)) == ["must"]


def test_must_not_catches_a_raw_uuid_and_names_what_it_found() -> None:
    failures = check_reply(
        Expectation(must_not=["{uuid}", "I can't help"]),
        reply("Done. Your reference is 3f2b8c1e-9a4d-4c1b-8e2f-0a1b2c3d4e5f."),
        today=TODAY,
    )
    assert [f.kind for f in failures] == ["must_not"]
    assert "3f2b8c1e-9a4d-4c1b-8e2f-0a1b2c3d4e5f" in failures[0].detail


def test_route_is_checked_field_by_field() -> None:
    frame = reply("Help is on the way.", kind="human", queue="roadside", priority="normal")
    assert kinds({"route": {"kind": "human", "queue": "roadside"}}, frame) == []
    assert kinds({"route": {"queue": "roadside", "priority": "urgent"}}, frame) == ["route.priority"]
    assert kinds({"route": {"kind": "bot"}}, frame) == ["route.kind"]


@pytest.mark.parametrize(
    ("text", "booked"),
    [
        ("Done: I've booked your service appointment at Aurora Harbor City on Fri 11 Dec, 09:00.", True),
        ("You're all set for Friday at 9.", True),
        ("All right, I've stopped arranging that booking. Nothing was booked.", False),
        ("Here are the next free slots: 1) Fri 11 Dec, 09:00. Which one suits you?", False),
        ("Shall I book Fri 11 Dec, 09:00 for you?", False),
    ],
)
def test_booked_is_read_from_the_reply_as_a_customer_reads_it(text: str, booked: bool) -> None:
    assert kinds({"booked": booked}, reply(text)) == []
    assert kinds({"booked": not booked}, reply(text)) == ["booked"]


@pytest.mark.parametrize(
    ("text", "cancelled"),
    [
        ("Your service appointment at Aurora Lakeside on Fri 11 Dec, 09:00 is cancelled.", True),
        ("Just to confirm: cancel your oil change on Fri 11 Dec at 09:00?", False),
        ("Nothing was cancelled; your appointment is still booked.", False),
    ],
)
def test_cancelled_is_read_from_the_reply(text: str, cancelled: bool) -> None:
    assert kinds({"cancelled": cancelled}, reply(text)) == []


def test_slots_are_the_booking_buttons_and_their_days_and_times_are_checked() -> None:
    frame = reply(
        "Here are the next free slots.",
        buttons=("Book Fri 11 Dec, 09:00", "Book Sat 12 Dec, 17:00", "Talk to a person"),
    )
    assert kinds({"slots_offered": True}, frame) == []
    assert kinds({"slots_offered": False}, frame) == ["slots_offered"]
    assert kinds({"slots_on": "next week"}, frame) == []
    assert kinds({"slots_on": "next friday"}, frame) == ["slots_on"]
    assert kinds({"slots_not_on": "saturday"}, frame) == ["slots_not_on"]
    assert kinds({"slots_from": "08:00", "slots_until": "17:00"}, frame) == []
    assert kinds({"slots_from": "10:00"}, frame) == ["slots_from"]
    assert kinds({"slots_on": "next week"}, reply("No buttons here.")) == ["slots_offered"]


def test_asks_means_the_reply_puts_a_question_to_the_customer() -> None:
    assert kinds({"asks": True}, reply("Which car do you mean, the Aster or the Borealis?")) == []
    assert kinds({"asks": True}, reply("Your Aster has no open recalls.")) == ["asks"]


def test_no_reply_an_error_and_a_word_for_word_repeat_fail_every_turn() -> None:
    assert kinds({}, None) == ["no_reply"]
    assert kinds({}, {"type": "error", "code": "internal", "message": "boom"}) == ["error"]
    assert kinds({}, reply("Same again."), previous_text="Same again.") == ["repeated"]


def test_once_fails_only_when_a_second_reply_repeats_it() -> None:
    recall = "Your vehicle has an open recall R-2021-022: Rear-view camera image may not display."
    assert kinds({}, reply(recall), once=["R-2021-022"], said_before=[]) == []
    assert kinds({}, reply("Have a good one! " + recall), once=["R-2021-022"], said_before=[recall]) == ["once"]


def _write(tmp_path: Path, name: str, content: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(content))
    return path


def test_the_loader_merges_a_files_defaults_into_every_turn(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "a.json",
        {
            "defaults": {"must_not": ["{uuid}"]},
            "conversations": [
                {
                    "id": "one",
                    "category": "booking",
                    "customer": "cust-0001",
                    "turns": [{"say": "hi", "expect": {"must_not": ["I can't help"]}}, {"say": "book it"}],
                }
            ],
        },
    )
    (conversation,) = load_suite(tmp_path)
    assert [t.expect.must_not for t in conversation.turns] == [["{uuid}", "I can't help"], ["{uuid}"]]
    assert conversation.source == "a.json"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"category": "weather"}, "category"),
        ({"customer": "cust-9999"}, "not a demo customer"),
        ({"turns": [{"say": "hi", "expect": {"booked": True, "must_have": ["x"]}}]}, "must_have"),
        ({"turns": [{"say": "hi", "expect": {"must": ["re:("]}}]}, "pattern"),
    ],
)
def test_the_loader_rejects_a_bad_conversation_and_names_the_file(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    good = {"id": "one", "category": "booking", "customer": "cust-0001", "turns": [{"say": "hi"}]}
    path = _write(tmp_path, "bad.json", {"conversations": [{**good, **change}]})
    with pytest.raises(ValueError, match=message) as raised:
        load_suite(path)
    assert "bad.json" in str(raised.value)


def test_the_loader_rejects_the_same_id_twice(tmp_path: Path) -> None:
    one = {"id": "one", "category": "booking", "customer": "cust-0001", "turns": [{"say": "hi"}]}
    _write(tmp_path, "a.json", {"conversations": [one]})
    _write(tmp_path, "b.json", {"conversations": [one]})
    with pytest.raises(ValueError, match="also in"):
        load_suite(tmp_path)


def test_the_shipped_suite_loads_and_covers_every_class_of_the_issue() -> None:
    conversations = load_suite(SUITE)
    by_category = {c.category for c in conversations}
    assert by_category == set(CATEGORIES)
    # Multi-turn: the suite is about conversations, not single messages.
    assert sum(len(c.turns) > 1 for c in conversations) >= len(conversations) * 0.8


def _result(conversation_id: str, category: str, turns: list[TurnResult]) -> ConversationResult:
    conversation = Conversation.model_validate(
        {
            "id": conversation_id,
            "category": category,
            "customer": "cust-0001",
            "turns": [{"say": t.said} for t in turns],
            "source": "x.yaml",
        }
    )
    return ConversationResult(conversation, turns)


def test_the_report_counts_conversations_and_turns_by_category_and_shows_each_failing_turn() -> None:
    results = [
        _result(
            "good",
            "booking",
            [TurnResult(1, "book me in", reply("Here are slots")), TurnResult(2, "the first", reply("Booked"))],
        ),
        _result(
            "bad",
            "booking",
            [
                TurnResult(1, "book me in", reply("Here are slots")),
                TurnResult(
                    2,
                    "the earliest one",
                    reply("Here are slots again"),
                    [Failure("booked", "expected a booking confirmation")],
                ),
            ],
        ),
        _result(
            "lost",
            "facts",
            [
                TurnResult(1, "recalls?", None, [Failure("no_reply", "no reply")]),
                TurnResult(2, "ok", None, [Failure("not_reached", "x")], reached=False),
            ],
        ),
    ]
    summary = summarise(results)
    assert (summary["conversations_passed"], summary["conversations"]) == (1, 3)
    assert (summary["turns_passed"], summary["turns"]) == (3, 6)
    assert summary["by_category"]["booking"]["turns_passed"] == 3
    assert summary["by_category"]["facts"]["conversation_pass_rate"] == 0.0
    assert summary["failed_checks_by_kind"] == {"booked": 1, "no_reply": 1, "not_reached": 1}

    text = format_report(summary)
    assert "bad turn 2" in text
    assert "customer: the earliest one" in text
    assert "reply:    Here are slots again" in text
    assert "FAILED booked: expected a booking confirmation" in text
    booking_row = next(line for line in text.splitlines() if line.startswith("booking"))
    assert "1/2" in booking_row and "3/4" in booking_row
    assert json.loads(json.dumps(summary)) == summary


def test_a_day_of_the_month_already_past_or_missing_is_the_next_month_that_has_it() -> None:
    assert dates.resolve("the 30th", date(2027, 1, 31)) == (date(2027, 3, 30), date(2027, 3, 30))
    assert dates.resolve("the 2nd", date(2026, 12, 3)) == (date(2027, 1, 2), date(2027, 1, 2))
