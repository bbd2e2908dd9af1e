"""Days, hours and picks as a customer says them, resolved the way a person would (aicc.nlu.entities,
aicc.agents.slots). The booking dialogs that use them: tests/unit/test_servicing.py."""

from __future__ import annotations

from datetime import date, time

import pytest

from aicc.agents.slots import asks_for_nearest, time_window
from aicc.nlu.entities import find_days, find_ordinal, find_service_types

MONDAY = date(2026, 6, 8)
SATURDAY = date(2026, 6, 13)


@pytest.mark.parametrize(
    ("said_on", "text", "day"),
    [
        (MONDAY, "friday", date(2026, 6, 12)),
        (MONDAY, "this friday", date(2026, 6, 12)),
        (MONDAY, "next friday", date(2026, 6, 19)),  # US English: the Friday of next week
        (MONDAY, "next monday", date(2026, 6, 15)),
        (MONDAY, "monday", date(2026, 6, 15)),  # a weekday said on that weekday: a week away
        (SATURDAY, "next friday", date(2026, 6, 19)),
        (SATURDAY, "this friday", date(2026, 6, 19)),  # this week's has passed
        (MONDAY, "next week", date(2026, 6, 15)),
        (MONDAY, "this weekend", date(2026, 6, 13)),
        (MONDAY, "next weekend", date(2026, 6, 20)),
        (MONDAY, "on the 14th", date(2026, 6, 14)),
        (date(2026, 6, 20), "on the 14th", date(2026, 7, 14)),
        (MONDAY, "any time Friday", date(2026, 6, 12)),
    ],
)
def test_days_as_a_person_means_them(said_on: date, text: str, day: date) -> None:
    assert find_days(text, said_on).day == day


def test_spans_and_days_ruled_out() -> None:
    week = find_days("can I come next week?", MONDAY)
    assert (week.day, week.until) == (date(2026, 6, 15), date(2026, 6, 21))
    changed = find_days("saturday wont work after all. next wednesday afternoon instead?", MONDAY)
    assert changed.day == date(2026, 6, 17) and changed.excluded == (SATURDAY,)
    assert find_days("not on friday, thursday is better", MONDAY).excluded == (date(2026, 6, 12),)
    assert find_days("I had it done last weekend", MONDAY).day is None
    assert find_days("I sat in the car", MONDAY).day is None


@pytest.mark.parametrize(
    ("text", "pick"),
    [
        ("ok the first of those pls", 1),
        ("the second one", 2),
        ("I'll take the last one", -1),
        ("yes the third please", 3),
        ("I sat in the car after work for my first drive", None),
        ("first of all, I need an oil change", None),
    ],
)
def test_picks_from_a_list(text: str, pick: int | None) -> None:
    assert find_ordinal(text) == pick


def test_hours_and_windows() -> None:
    assert time_window("after lunch") == (time(13, 0), None)
    assert time_window("after six please") == (time(18, 0), None)
    assert time_window("before noon") == (None, time(12, 0))
    assert time_window("tuesday at 9") == (None, None)
    assert asks_for_nearest("closest to 3pm") and not asks_for_nearest("at 3pm")


def test_several_services_in_one_message() -> None:
    assert find_service_types("oil change + tire rotation") == ["oil_change", "tire_rotation"]
