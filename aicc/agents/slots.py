"""The bookable calendar of a dealer, computed from its opening hours: pure and deterministic.

A slot is one hour with one resource: a service bay (service) or a member of the sales staff (test
drive). Slots are never stored; only a *held* slot has a record (`aicc.ports.appointments`), keyed
by the slot id, so the id must be stable (the same hour and resource always give the same id):

    <kind>#<dealer_id>#<local start YYYY-MM-DDTHH:MM>#<resource number, from 1>
    e.g. service#dlr-harbor#2026-06-12T09:00#3

The start is the dealer's wall-clock time (its `timezone`), which is what the customer and the
dealer see; the resource number is 1-based in the order of dealers.json.

Quick actions (the client sends `action` back verbatim as the next message's text):
    "Book slot <slot_id>"        book (or, during a reschedule, move to) that slot
    "Cancel booking <slot_id>"   cancel the customer's appointment held in that slot
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo

from aicc.data.reference import dealers
from contracts.events import Slot

Kind = Literal["service", "test_drive"]
PartOfDay = Literal["morning", "afternoon", "evening"]

SLOT_LENGTH = timedelta(hours=1)
# A booking needs the dealer to plan a bay or a salesperson: nothing sooner than this is offered.
LEAD_TIME = timedelta(hours=2)
HORIZON_DAYS = 14
OFFER_COUNT = 3

_SLOT_ID = r"(service|test_drive)#([a-z0-9][a-z0-9-]*)#(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})#(\d{1,3})"
_SLOT_ID_RE = re.compile(_SLOT_ID)
_BOOK_RE = re.compile(r"\bbook\s+slot\s+" + _SLOT_ID, re.I)
_CANCEL_RE = re.compile(r"\bcancel\s+booking\s+" + _SLOT_ID, re.I)
_WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PARTS_OF_DAY: dict[PartOfDay, tuple[time, time]] = {
    "morning": (time(0, 0), time(12, 0)),
    "afternoon": (time(12, 0), time(17, 0)),
    "evening": (time(17, 0), time(23, 59)),
}
# Clock times ("9am") are the time entity's job; "am" alone is also the verb ("I am free").
_PART_OF_DAY_RE = re.compile(r"\b(morning|afternoon|evening|after work|lunch ?time)\b", re.I)


@dataclass(frozen=True, order=True)
class SlotRef:
    """A slot by its parts. Ordering is by start, then resource: the order slots are offered in."""

    start: datetime  # aware, in the dealer's timezone
    resource: int
    kind: Kind
    dealer_id: str

    @property
    def slot_id(self) -> str:
        return f"{self.kind}#{self.dealer_id}#{self.start:%Y-%m-%dT%H:%M}#{self.resource}"

    def to_slot(self) -> Slot:
        names = resource_names(self.dealer_id, self.kind)
        return Slot(slot_id=self.slot_id, dealer_id=self.dealer_id, start=self.start, bay=names[self.resource - 1])


@dataclass(frozen=True)
class Preference:
    """When the customer would like to come; every part optional."""

    day: date | None = None
    at: time | None = None
    part_of_day: PartOfDay | None = None
    until: date | None = None  # with `day`: any day of that span ("next week", "the weekend")
    after: time | None = None  # "after lunch", "after six"
    before: time | None = None  # "before noon"
    excluded: frozenset[date] = frozenset()  # days the customer ruled out: never offered


def dealer_zone(dealer_id: str) -> ZoneInfo:
    return _zone(dealers()[dealer_id]["timezone"])


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def resource_names(dealer_id: str, kind: Kind) -> list[str]:
    dealer = dealers()[dealer_id]
    if kind == "test_drive":
        return list(dealer.get("sales_staff", []))
    return [f"Bay {n}" for n in range(1, int(dealer.get("service_bays", 0)) + 1)]


def opening_hours(dealer_id: str, day: date) -> tuple[time, time] | None:
    """(open, close) on that local date, or None when closed. Keys are "mon-fri", "sat", "sun"…"""
    weekday = day.weekday()
    for key, value in dealers()[dealer_id]["hours"].items():
        first, _, last = key.lower().partition("-")
        start = _WEEKDAY_KEYS.index(first[:3])
        end = _WEEKDAY_KEYS.index(last[:3]) if last else start
        if start <= weekday <= end:
            if value.strip().lower() == "closed":
                return None
            opens, _, closes = value.partition("-")
            return time.fromisoformat(opens.strip()), time.fromisoformat(closes.strip())
    return None


def slot_starts(dealer_id: str, *, now: datetime, days: int = HORIZON_DAYS) -> list[datetime]:
    """Every bookable start (whole hours inside opening hours, at least LEAD_TIME ahead), in order."""
    zone = dealer_zone(dealer_id)
    earliest = now.astimezone(zone) + LEAD_TIME
    starts: list[datetime] = []
    for offset in range(days + 1):
        day = earliest.date() + timedelta(days=offset)
        hours = opening_hours(dealer_id, day)
        if hours is None:
            continue
        opens, closes = (datetime.combine(day, t, tzinfo=zone) for t in hours)
        # Whole hours only: "Tuesday at 9" must name a slot even where the doors open at 7:30.
        start = opens if opens.minute == 0 else opens.replace(minute=0) + timedelta(hours=1)
        while start + SLOT_LENGTH <= closes:
            if start >= earliest:
                starts.append(start)
            start += SLOT_LENGTH
    return starts


def rank_starts(starts: list[datetime], preference: Preference) -> list[datetime]:
    """The starts in the order they should be offered for this preference.

    Days ruled out are dropped. A day narrows to that day (or span of days), or to the first open days
    after it when it is closed or full (the customer still gets the nearest alternatives); a part of day
    or an "after"/"before" hour narrows when it can; a time sorts by distance from that time of day, so
    "9am" gives 9:00 on the next days rather than 15:00 today.
    """
    ranked = [s for s in starts if s.date() not in preference.excluded]
    if preference.day is not None:
        last = preference.until or preference.day
        on_day = [s for s in ranked if preference.day <= s.date() <= last]
        ranked = on_day or [s for s in ranked if s.date() > last]
    if preference.part_of_day is not None:
        low, high = _PARTS_OF_DAY[preference.part_of_day]
        in_part = [s for s in ranked if low <= s.time() < high]
        ranked = in_part or ranked
    if preference.after is not None or preference.before is not None:
        after, before = preference.after or time(0, 0), preference.before or time(23, 59)
        in_window = [s for s in ranked if s.time() >= after and (s + SLOT_LENGTH).time() <= before]
        # None inside the window (the dealer closes before six): the hours nearest to it, not the morning.
        bound = (preference.after or preference.before or time(0, 0)).hour * 60
        ranked = in_window or sorted(ranked, key=lambda s: (s.date(), abs(s.hour * 60 + s.minute - bound)))
    if preference.at is not None:
        wanted = preference.at.hour * 60 + preference.at.minute
        ranked = sorted(ranked, key=lambda s: (abs(s.hour * 60 + s.minute - wanted), s))
    return ranked


def closed_days(dealer_id: str, day: date, *, until: date | None = None) -> list[date]:
    """The days from `day` to `until` (or just `day`) on which the dealer is closed."""
    last = until or day
    span = [day + timedelta(days=n) for n in range((last - day).days + 1)]
    return [d for d in span if opening_hours(dealer_id, d) is None]


def parse_slot_id(slot_id: str) -> SlotRef | None:
    """The slot an id names, or None when the id is malformed or names no real slot."""
    match = _SLOT_ID_RE.fullmatch(slot_id.strip())
    return _ref(match) if match else None


def _ref(match: re.Match[str]) -> SlotRef | None:
    kind, dealer_id, local, number = match.groups()
    if dealer_id not in dealers():
        return None
    try:
        start = datetime.fromisoformat(local).replace(tzinfo=dealer_zone(dealer_id))
    except ValueError:
        return None
    resource = int(number)
    if not 1 <= resource <= len(resource_names(dealer_id, kind)):  # type: ignore[arg-type]
        return None
    return SlotRef(start=start, resource=resource, kind=kind, dealer_id=dealer_id)  # type: ignore[arg-type]


def requested_booking(text: str) -> SlotRef | None:
    """The slot of a "Book slot <slot_id>" quick action in the message, if any."""
    match = _BOOK_RE.search(text)
    return _ref(match) if match else None


def requested_cancellation(text: str) -> SlotRef | None:
    """The slot of a "Cancel booking <slot_id>" quick action in the message, if any."""
    match = _CANCEL_RE.search(text)
    return _ref(match) if match else None


_WORD_HOURS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
               "ten": 10, "eleven": 11, "twelve": 12}  # fmt: skip
_HOUR = r"(\d{1,2}|" + "|".join(_WORD_HOURS) + r")(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?"
_AFTER_RE = re.compile(
    r"\b(?:after|from|later than|not before)\s+(?:lunch(?:time)?|noon|midday|" + _HOUR + r")\b", re.I
)
_BEFORE_RE = re.compile(
    r"\b(?:before|by|earlier than|no later than)\s+(?:lunch(?:time)?|noon|midday|" + _HOUR + r")", re.I
)
_NEAREST_RE = re.compile(r"\b(?:closest|nearest|close|as near as|near)\s+(?:as possible\s+)?to\b|\baround\b", re.I)


def time_window(text: str) -> tuple[time | None, time | None]:
    """("after", "before") hours the text sets: "after lunch" is from 13:00, "after six" from 18:00, "before
    noon" until 12:00. A bare hour is read as a business hour (1-6 afternoon, 7-12 morning) unless am/pm says."""
    return _bound(_AFTER_RE.search(text), lunch=time(13, 0)), _bound(_BEFORE_RE.search(text), lunch=time(12, 0))


def _bound(match: re.Match[str] | None, *, lunch: time) -> time | None:
    if match is None:
        return None
    phrase = match.group(0).lower()
    if match.group(1) is None:
        return lunch if "lunch" in phrase else time(12, 0)
    token = match.group(1).lower()
    hour = int(token) if token.isdigit() else _WORD_HOURS[token]
    minute = int(match.group(2) or 0)
    suffix = (match.group(3) or "").lower()
    if not 1 <= hour <= 12 or minute > 59:
        return None
    if suffix.startswith("p"):
        hour = hour % 12 + 12
    elif suffix.startswith("a"):
        hour = hour % 12
    elif hour <= 6:
        hour += 12
    return time(hour, minute)


def asks_for_nearest(text: str) -> bool:
    """ "closest to 3pm", "around 10": the nearest free hour will do, not only that exact one."""
    return bool(_NEAREST_RE.search(text))


def part_of_day(text: str) -> PartOfDay | None:
    match = _PART_OF_DAY_RE.search(text)
    if not match:
        return None
    word = match.group(1).lower()
    if word == "morning":
        return "morning"
    if word in ("evening", "after work"):
        return "evening"
    return "afternoon"


def is_open_slot(ref: SlotRef, *, now: datetime) -> bool:
    """True when the slot lies inside opening hours, on the hour grid, and not too soon."""
    return ref.start in set(slot_starts(ref.dealer_id, now=now))


# --- asking to cancel or move an appointment, in words -----------------------------------------------

CANCEL_RE = re.compile(r"\b(cancel\w*|call off|scrap)\b", re.I)
RESCHEDULE_RE = re.compile(
    # "move" only with what is moved: "my car won't move" is no reschedule.
    r"\b(re-?schedul\w*|re-?book\w*|postpone|push (?:it|that|my \w+) back|bring (?:it|that) forward"
    r"|move (?:it|that|(?:my|the) (?:appointment|booking|test drive|service|slot))"
    r"|change (?:my|the) (?:appointment|booking|test drive|slot|time|date))\b",
    re.I,
)
_CANCELLED_THING_RE = re.compile(
    r"\b(it|that|this|appointments?|bookings?|booked|reservations?|test drives?|slot)\b", re.I
)


_WHEN_DUE_RE = re.compile(
    r"\b(?:when(?:'?s| is| are| will| should| do)?|how (?:soon|long|many miles)|what mileage)\b[^.?!]{0,60}"
    r"\b(?:due|needed|need (?:it|one|another|a new one)|recommended)\b",
    re.I,
)


# "how long does a tire rotation take?", "how much is an oil change?": about the service, not a booking.
_ABOUT_A_SERVICE_RE = re.compile(
    r"\b(?:how long (?:does|do|will|would|is)|how much (?:is|are|does|do|for|would)|what does [^.?!]{0,40}cost"
    r"|what do (?:i|you) (?:need|have) to bring)\b",
    re.I,
)


# "do I need an appointment for a test drive?", "is there a deposit?", "what's required?": a question about
# what a visit takes (requirements, length, cost), answered from the FAQs, whatever booking words it holds.
_REQUIREMENT_RE = re.compile(
    r"\b(?:(?:do|does|will|would|should|must) (?:i|we|you|u|one|they|my \w+) (?:need|have to|require|bring)"
    r"|what (?:do|does|would|will|should) (?:i|we|you|u|one) (?:need|have to|require|bring)"
    r"|what(?:'?s| is| are) (?:needed|required|the requirements?)|requirements?|need to bring"
    r"|is (?:there|it) (?:a |any )?(?:deposit|fee|charge|free|required|necessary|mandatory)"
    r"|how (?:long|old) (?:is|are|does|do|will|would|can|must|should))\b",
    re.I,
)


def asks_when_due(text: str) -> bool:
    """ "when's my next oil change due?", "how long does a tire rotation take?", "do i need an appointment
    for a test drive?": a question about a service or a test drive (its schedule, duration, price or
    requirements), not a booking."""
    asked = _WHEN_DUE_RE.search(text) or _ABOUT_A_SERVICE_RE.search(text)
    return (bool(asked) and not _BOOK_WORDS_RE.search(text)) or bool(_REQUIREMENT_RE.search(text))


_BOOK_WORDS_RE = re.compile(r"\b(?:book|schedule|appointment|slot|come in|bring it in)\b", re.I)


def manages_booking(text: str) -> bool:
    """True when the text asks to cancel or move an appointment ("actually cancel it, I'll be out of town"),
    whatever else it says: servicing answers it, and it is no emergency by itself."""
    return bool(
        (CANCEL_RE.search(text) and _CANCELLED_THING_RE.search(text)) or RESCHEDULE_RE.search(text)
    ) and not requested_booking(text)


# --- the quick-action texts (the response agent renders the buttons, this module parses them back) ------


def book_action(slot_id: str) -> str:
    """What a "book this slot" button sends back as the customer's next message."""
    return f"Book slot {slot_id}"


def cancel_action(slot_id: str) -> str:
    """What a "cancel this appointment" button sends back (the appointment is the one held in that slot)."""
    return f"Cancel booking {slot_id}"


# --- booking references -----------------------------------------------------------------------------------

_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O or U to misread


def booking_reference(appointment_id: str, dealer_id: str) -> str:
    """What the customer quotes on the phone: "LAK-7K3Q", the dealer's first three letters and four
    characters derived from the appointment id (the same id always gives the same reference)."""
    digest = int.from_bytes(hashlib.sha256(appointment_id.encode()).digest()[:4], "big")
    code = "".join(_REFERENCE_ALPHABET[(digest >> (5 * n)) & 31] for n in range(4))
    prefix = re.sub(r"[^a-z]", "", dealer_id.removeprefix("dlr-"))[:3].upper() or "AUR"
    return f"{prefix}-{code}"
