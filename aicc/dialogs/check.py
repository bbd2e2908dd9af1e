"""Checks one reply frame against a turn's expectations, reading it as a customer does: the text, the
quick-action buttons and the route shown. Each failure has a kind (for counting) and a detail.

How a customer tells what happened, whatever the wording:
- booked: the reply confirms a booking ("booked", "confirmed", "you're all set", "see you on") and
  does not say nothing was booked;
- cancelled: the reply says an appointment is cancelled, and does not say it was not;
- slots offered: buttons to book a time ("Book Fri 11 Dec, 09:00"); their days and times are the slots.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from aicc.dialogs import dates
from aicc.dialogs.suite import Expectation, compile_pattern

BOOKED = re.compile(
    r"\b(booked|confirmed|you'?re all set|you are all set|see you (on|at)|reserved|is scheduled|have you down)\b",
    re.IGNORECASE,
)
NOT_BOOKED = re.compile(
    r"(nothing (was|is|has been) booked|not (been )?booked|haven'?t booked|couldn'?t book|could not book|"
    r"no (free |open )?slot|isn'?t booked|before i book|shall i book|should i book|want me to book|"
    r"like me to book|book (it|that|one)\?)",
    re.IGNORECASE,
)
CANCELLED = re.compile(r"\b(cancell?ed|cancellation is confirmed)\b", re.IGNORECASE)
NOT_CANCELLED = re.compile(
    r"(not (been )?cancell?ed|nothing (was|is|has been) cancell?ed|(still|remains) booked|"
    r"(want|like) me to cancel|shall i cancel|should i cancel|confirm.{0,40}cancel\b.{0,80}\?)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Failure:
    kind: str
    detail: str


@dataclass(frozen=True)
class Slot:
    label: str
    day: date | None
    time: str | None


def offered_slots(frame: dict[str, Any], today: date) -> list[Slot]:
    slots = []
    for action in frame.get("quick_actions") or []:
        label = str(action.get("label", ""))
        if not label.lower().startswith("book "):
            continue
        day, time = dates.find_date(label, today), dates.find_time(label)
        if day is not None or time is not None:
            slots.append(Slot(label, day, time))
    return slots


def is_booked(text: str) -> bool:
    return bool(BOOKED.search(text)) and not NOT_BOOKED.search(text)


def is_cancelled(text: str) -> bool:
    return bool(CANCELLED.search(text)) and not NOT_CANCELLED.search(text)


def check_reply(
    expect: Expectation,
    frame: dict[str, Any] | None,
    *,
    today: date,
    previous_text: str | None = None,
    said_before: Sequence[str] = (),
    once: Sequence[str] = (),
) -> list[Failure]:
    """Every expectation the reply fails; `said_before` are the conversation's earlier replies."""
    if frame is None:
        return [Failure("no_reply", "no reply within the timeout")]
    if frame.get("type") == "error":
        return [Failure("error", f"error frame {frame.get('code')}: {frame.get('message')}")]
    text = str(frame.get("text", ""))
    failures: list[Failure] = []
    if previous_text is not None and text.strip() and text.strip() == previous_text.strip():
        failures.append(Failure("repeated", "word for word the previous reply"))

    route = frame.get("route") or {}
    if expect.route is not None:
        for field in ("kind", "queue", "priority"):
            wanted = getattr(expect.route, field)
            if wanted is not None and route.get(field) != wanted:
                failures.append(Failure(f"route.{field}", f"expected {wanted}, got {route.get(field)}"))

    if expect.booked is not None and is_booked(text) != expect.booked:
        failures.append(
            Failure("booked", "expected a booking confirmation" if expect.booked else "booked, but should not have")
        )
    if expect.cancelled is not None and is_cancelled(text) != expect.cancelled:
        failures.append(
            Failure(
                "cancelled",
                "expected a cancellation confirmation" if expect.cancelled else "cancelled, but should not have",
            )
        )
    if expect.asks is not None and ("?" in text) != expect.asks:
        failures.append(Failure("asks", "expected a question to the customer" if expect.asks else "asked a question"))

    failures.extend(_check_slots(expect, offered_slots(frame, today), today))

    for pattern in expect.must:
        if not compile_pattern(pattern, today).search(text):
            failures.append(Failure("must", f"missing {pattern!r}"))
    for pattern in expect.must_not:
        found = compile_pattern(pattern, today).search(text)
        if found:
            failures.append(Failure("must_not", f"says {pattern!r} ({found[0]!r})"))
    for pattern in once:
        regex = compile_pattern(pattern, today)
        if regex.search(text) and any(regex.search(before) for before in said_before):
            failures.append(Failure("once", f"repeats {pattern!r}, already said in this conversation"))
    return failures


def _check_slots(expect: Expectation, slots: list[Slot], today: date) -> list[Failure]:
    failures: list[Failure] = []
    wants_slots = expect.slots_offered or any(
        v is not None for v in (expect.slots_on, expect.slots_not_on, expect.slots_from, expect.slots_until)
    )
    if expect.slots_offered is False and slots:
        failures.append(Failure("slots_offered", f"offered slots: {', '.join(s.label for s in slots)}"))
    if wants_slots and not slots:
        return [*failures, Failure("slots_offered", "expected slots to choose from, none offered")]
    if expect.slots_on is not None:
        first, last = dates.resolve(expect.slots_on, today)
        wrong = [s.label for s in slots if s.day is None or not first <= s.day <= last]
        if wrong:
            failures.append(Failure("slots_on", f"not on {expect.slots_on} ({first}..{last}): {', '.join(wrong)}"))
    if expect.slots_not_on is not None:
        excluded = expect.slots_not_on.strip().lower().removesuffix("s")
        if excluded in dates.WEEKDAYS:
            # "not saturday" excludes every Saturday, as a customer who can't do Saturdays means.
            weekday = dates.WEEKDAYS.index(excluded)
            wrong = [s.label for s in slots if s.day is not None and s.day.weekday() == weekday]
        else:
            first, last = dates.resolve(expect.slots_not_on, today)
            wrong = [s.label for s in slots if s.day is not None and first <= s.day <= last]
        if wrong:
            failures.append(Failure("slots_not_on", f"on {expect.slots_not_on}: {', '.join(wrong)}"))
    if expect.slots_from is not None:
        early = [s.label for s in slots if s.time is not None and s.time < expect.slots_from]
        if early:
            failures.append(Failure("slots_from", f"before {expect.slots_from}: {', '.join(early)}"))
    if expect.slots_until is not None:
        late = [s.label for s in slots if s.time is not None and s.time > expect.slots_until]
        if late:
            failures.append(Failure("slots_until", f"after {expect.slots_until}: {', '.join(late)}"))
    return failures
