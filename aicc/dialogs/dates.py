"""Date phrases in expectations ("next friday", "next week"), resolved the way a customer means them,
on the day the suite runs, in the dealers' time zone (every demo dealer is on Pacific time).

- "today", "tomorrow", "+N" (days from today);
- "friday" / "this friday": the next Friday, today included;
- "next friday": the Friday of next week (weeks start on Monday), never this week's;
- "this week" (today to Sunday), "next week" (next Monday to Sunday): ranges;
- "the 14th" / "14th": the next day with that day of the month, today included.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

DEALER_TIMEZONE = ZoneInfo("America/Los_Angeles")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)


def dealer_today(now: datetime | None = None) -> date:
    return (now or datetime.now(DEALER_TIMEZONE)).astimezone(DEALER_TIMEZONE).date()


def resolve(phrase: str, today: date) -> tuple[date, date]:
    """The first and last day a phrase covers (equal for a single day); ValueError if not understood."""
    words = phrase.strip().lower().split()
    if words == ["today"]:
        return today, today
    if words == ["tomorrow"]:
        day = today + timedelta(days=1)
        return day, day
    if len(words) == 1 and re.fullmatch(r"\+\d+", words[0]):
        day = today + timedelta(days=int(words[0]))
        return day, day
    monday = today - timedelta(days=today.weekday())
    if words == ["this", "week"]:
        return today, monday + timedelta(days=6)
    if words == ["next", "week"]:
        return monday + timedelta(days=7), monday + timedelta(days=13)
    if words and words[-1] in WEEKDAYS and (len(words) == 1 or (len(words) == 2 and words[0] in ("this", "next"))):
        weekday = WEEKDAYS.index(words[-1])
        if words[0] == "next":
            day = monday + timedelta(days=7 + weekday)
        else:
            day = today + timedelta(days=(weekday - today.weekday()) % 7)
        return day, day
    ordinal = re.fullmatch(r"(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)", " ".join(words))
    if ordinal and 1 <= int(ordinal[1]) <= 31:
        return _next_day_of_month(int(ordinal[1]), today), _next_day_of_month(int(ordinal[1]), today)
    raise ValueError(
        f"unknown date phrase {phrase!r}: use today, tomorrow, +N, [this|next] WEEKDAY, this/next week, the 14th"
    )


def _next_day_of_month(number: int, today: date) -> date:
    """The first day on or after today whose day of the month is `number` (months without it are skipped)."""
    year, month = today.year, today.month
    while True:
        try:
            candidate = date(year, month, number)
        except ValueError:
            candidate = None
        if candidate is not None and candidate >= today:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def date_pattern(day: date) -> str:
    """A regex matching the ways a reply may write this day: 11 Dec, Dec 11, December 11th, 2026-12-11, 12/11."""
    number = str(day.day)
    month = MONTHS[day.month - 1]
    name = MONTH_NAMES[day.month - 1]
    months = f"(?:{name}|{month}\\.?)"
    ordinal = f"0?{number}(?:st|nd|rd|th)?"
    return (
        f"(?:\\b{ordinal}\\s+(?:of\\s+)?{months}\\b|\\b{months}\\s+{ordinal}\\b|{day.isoformat()}"
        f"|\\b0?{day.month}/0?{number}\\b)"
    )


_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(" + "|".join(MONTHS) + r")[a-z]*\.?", re.IGNORECASE)
_MONTH_DAY = re.compile(r"\b(" + "|".join(MONTHS) + r")[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b", re.IGNORECASE)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})")


def find_date(text: str, today: date) -> date | None:
    """The first calendar day written in a text (a slot label); the year is the next one with that day."""
    found = _ISO.search(text)
    if found:
        return date(int(found[1]), int(found[2]), int(found[3]))
    found = _DAY_MONTH.search(text)
    if found:
        day, month = int(found[1]), MONTHS.index(found[2][:3].lower()) + 1
    else:
        found = _MONTH_DAY.search(text)
        if not found:
            return None
        day, month = int(found[2]), MONTHS.index(found[1][:3].lower()) + 1
    try:
        candidate = date(today.year, month, day)
    except ValueError:
        return None
    # A slot is in the future: "3 Jan" seen in December is next year's.
    return candidate if candidate >= today - timedelta(days=31) else candidate.replace(year=today.year + 1)


_TIME = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\b", re.IGNORECASE)


def find_time(text: str) -> str | None:
    """The first clock time in a text as HH:MM (24 h): 09:00, 9:30 am, 3pm."""
    for found in _TIME.finditer(text):
        hour, minute, half = int(found[1]), found[2], (found[3] or "").lower()
        if minute is None and not half:
            continue  # a bare number is a day or a count, not a time
        if half == "pm" and hour < 12:
            hour += 12
        if half == "am" and hour == 12:
            hour = 0
        if hour < 24:
            return f"{hour:02d}:{int(minute or 0):02d}"
    return None
