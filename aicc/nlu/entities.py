"""Rule-based entity extraction: VIN, model, model year, date, time, mileage, dealer, location, warning light,
service type and ordinal. Everything is resolved against `now` so results are deterministic in tests."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from contracts.common import Entities

MileageUnit = Literal["km", "mi"]
_DATA_DIR = Path(__file__).resolve().parent.parent / "data"

# --- reference data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reference:
    wmi: str
    models_by_code: dict[str, str]
    model_names: dict[str, str]  # lower-case spelling -> canonical name
    body_words: dict[str, str]  # "truck" -> "Dune": a body type only one model has
    dealer_patterns: list[tuple[re.Pattern[str], str]]


# Misspellings seen in customer messages; edit distance alone would also turn "after" into "Aster".
_MODEL_TYPOS = {
    "astor": "Aster", "astr": "Aster", "aser": "Aster",
    "boreallis": "Borealis", "borealas": "Borealis", "borelis": "Borealis", "borialis": "Borealis",
    "borealys": "Borealis", "boralis": "Borealis", "borealus": "Borealis", "borealiss": "Borealis",
    "cirus": "Cirrus", "cirrrus": "Cirrus", "ciruss": "Cirrus", "cirruss": "Cirrus", "sirrus": "Cirrus",
    "cirros": "Cirrus", "dunes": "Dune",
}  # fmt: skip


# Body types a customer calls their own car by ("my truck"); the catalog says which model has which.
# Not "SUV": customers call a crossover one too.
_BODY_NOUNS = frozenset({"truck", "pickup", "sedan"})
_OWN_BODY_RE = re.compile(r"\b(?:my|our)\s+(?:\w+\s+)?(truck|pickup|sedan)\b", re.I)


@cache
def _reference() -> _Reference:
    catalog: dict[str, Any] = json.loads((_DATA_DIR / "catalog.json").read_text(encoding="utf-8"))
    dealers: list[dict[str, Any]] = json.loads((_DATA_DIR / "dealers.json").read_text(encoding="utf-8"))
    models_by_code = {model["code"]: model["name"] for model in catalog["models"]}
    model_names = {name.lower(): name for name in models_by_code.values()}
    model_names.update({typo: name for typo, name in _MODEL_TYPOS.items() if name in model_names.values()})
    bodies: dict[str, set[str]] = {}
    for model in catalog["models"]:
        for word in re.findall(r"[a-z]+", str(model.get("body", "")).lower()):
            bodies.setdefault(word, set()).add(model["name"])
    body_words = {word: next(iter(names)) for word, names in bodies.items() if len(names) == 1}
    body_words = {word: name for word, name in body_words.items() if word in _BODY_NOUNS}
    spellings: list[tuple[str, str]] = []
    for dealer in dealers:
        for spelling in [dealer["name"], *dealer.get("aliases", [])]:
            spellings.append((spelling.lower(), dealer["dealer_id"]))
    spellings.sort(key=lambda item: -len(item[0]))  # longest first: "harbor city" before "harbor"
    dealer_patterns = [
        (re.compile(r"\b" + re.escape(spelling) + r"\b", re.I), dealer_id) for spelling, dealer_id in spellings
    ]
    return _Reference(catalog["wmi"].upper(), models_by_code, model_names, body_words, dealer_patterns)


# --- VIN, model, year -------------------------------------------------------------------------------

_VIN_RE = re.compile(r"\b[A-HJ-NPR-Z0-9]{17}\b", re.I)
_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"  # VIN position 10, 30-year cycle starting 1980 / 2010


def _find_vin(text: str) -> str | None:
    for match in _VIN_RE.finditer(text):
        candidate = match.group(0).upper()
        if any(ch.isdigit() for ch in candidate) and any(ch.isalpha() for ch in candidate):
            return candidate
    return None


def _year_from_vin(vin: str, now: datetime) -> int | None:
    index = _YEAR_CODES.find(vin[9])
    if index < 0:
        return None
    year = 2010 + index
    return year if year <= now.year + 1 else year - 30


def _tokens_with_spans(text: str) -> list[tuple[str, int]]:
    return [(m.group(0).lower(), m.start()) for m in re.finditer(r"[A-Za-z]+", text)]


def _find_model(text: str) -> tuple[str | None, int]:
    reference = _reference()
    for token, start in _tokens_with_spans(text):
        if token in reference.model_names:
            return reference.model_names[token], start
    # "my truck": the one model of that body type (a truck someone wants to buy names no model).
    for match in _OWN_BODY_RE.finditer(text):
        named = reference.body_words.get(match.group(1).lower())
        if named:
            return named, match.start(1)
    return None, -1


_YEAR_RE = re.compile(r"(?<![\d/.-])(?:(19[89]\d|20\d\d)|'(\d\d))(?![\d/.-])")


def _find_model_year(text: str, model_position: int, date_spans: list[tuple[int, int]]) -> int | None:
    for match in _YEAR_RE.finditer(text):
        if any(start <= match.start() < end for start, end in date_spans):
            continue
        if match.group(1):
            return int(match.group(1))
        # '22 only counts right before a model name: "my '22 Borealis".
        if model_position >= 0 and 0 <= model_position - match.end() <= 2:
            return 2000 + int(match.group(2))
    return None


# --- dates and times --------------------------------------------------------------------------------

_WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2, "wed": 2, "thursday": 3,
    "thurs": 3, "thu": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
}  # fmt: skip
_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a": 1}  # fmt: skip
_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAY_ALT = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
_ORD_SUFFIX = r"(?:st|nd|rd|th)?"

_DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")),
    ("numeric", re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?(?![\d/])")),
    ("month_day", re.compile(rf"\b({_MONTH_ALT})\.?\s+(\d{{1,2}}){_ORD_SUFFIX}\b(?:,?\s*(\d{{4}}))?", re.I)),
    ("day_month", re.compile(rf"\b(\d{{1,2}}){_ORD_SUFFIX}\s+(?:of\s+)?({_MONTH_ALT})\b(?:,?\s*(\d{{4}}))?", re.I)),
    (
        "relative",
        re.compile(r"\b(day after tomorrow|today|tonight|tomorrow|tmrw|tmr|tomorow|tommorow|tommorrow)\b", re.I),
    ),
    ("week", re.compile(r"(?<!last )(?<!past )\b(?:(next|this|the)\s+)?(week ?end|week)\b", re.I)),
    ("in_n", re.compile(r"\bin\s+(\d+|one|two|three|four|five|six|seven|a)\s+(days?|weeks?)\b", re.I)),
    ("weekday", re.compile(rf"\b(?:(next|this|coming)\s+)?({_WEEKDAY_ALT})\b\.?", re.I)),
    ("day_of_month", re.compile(r"\b(?:on\s+)?the\s+(\d{1,2})(?:st|nd|rd|th)\b", re.I)),
]


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _future_month_day(today: date, month: int, day: int, year: int | None) -> date | None:
    if year is not None:
        return _safe_date(year, month, day)
    candidate = _safe_date(today.year, month, day)
    if candidate is not None and candidate < today:
        candidate = _safe_date(today.year + 1, month, day)
    return candidate


def _resolve_date(kind: str, match: re.Match[str], today: date) -> date | None:
    if kind == "iso":
        return _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if kind == "numeric":  # US order (the dealers are in California): 12/3 is December 3rd
        year_text = match.group(3)
        year = None if year_text is None else int(year_text) + (2000 if len(year_text) == 2 else 0)
        return _future_month_day(today, int(match.group(1)), int(match.group(2)), year)
    if kind in ("month_day", "day_month"):
        month_text, day_text = (
            (match.group(1), match.group(2)) if kind == "month_day" else (match.group(2), match.group(1))
        )
        year = int(match.group(3)) if match.group(3) else None
        return _future_month_day(today, _MONTHS[month_text.lower()], int(day_text), year)
    if kind == "relative":
        word = match.group(1).lower()
        if word in ("today", "tonight"):
            return today
        return today + timedelta(days=2 if word == "day after tomorrow" else 1)
    if kind == "in_n":
        amount_text = match.group(1).lower()
        amount = int(amount_text) if amount_text.isdigit() else _NUMBER_WORDS[amount_text]
        return today + timedelta(days=amount * (7 if match.group(2).lower().startswith("week") else 1))
    if kind == "weekday":
        token = match.group(2).lower()
        # Short forms such as "sat", "sun", "wed" are ordinary words too; only trust them after a cue.
        if token in _AMBIGUOUS_WEEKDAYS and match.group(1) is None and not _weekday_cue(match):
            return None
        return _weekday(today, _WEEKDAYS[token], (match.group(1) or "").lower())
    if kind == "week":
        return _week(today, (match.group(1) or "").lower(), match.group(2).lower().replace(" ", ""))
    if kind == "day_of_month":
        day = int(match.group(1))
        candidate = _safe_date(today.year, today.month, day)
        if candidate is not None and candidate < today:
            month = today.month % 12 + 1
            candidate = _safe_date(today.year + (today.month == 12), month, day)
        return candidate
    return None


_AMBIGUOUS_WEEKDAYS = {"sat", "sun", "wed", "mon"}  # also ordinary words ("I sat in the car")


def _weekday(today: date, weekday: int, cue: str) -> date:
    """The day a person means by "Friday", "this Friday" and "next Friday" (weeks run Monday to Sunday).

    "Friday" and "coming Friday": the first one strictly after today ("Friday" said on a Friday is a week
    away; today is "today"). "This Friday": the one in the current week, or the next one once it has
    passed. "Next Friday": the one in next week, as in US English, so on a Monday it is 11 days away and on
    a Saturday 6.
    """
    if cue == "next":
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        return monday + timedelta(days=weekday)
    if cue == "this" and weekday >= today.weekday():
        return today + timedelta(days=weekday - today.weekday())
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


def _week(today: date, cue: str, word: str) -> date | None:
    """The first day of "next week" (its Monday) or of "the weekend" (its Saturday, or today on a Sunday)."""
    monday = today - timedelta(days=today.weekday())
    if word == "week":
        return monday + timedelta(days=7) if cue == "next" else None  # "this week" names no one day
    saturday = monday + timedelta(days=5)
    if cue == "next":
        return saturday + timedelta(days=7)
    return max(saturday, today)


# A day the customer rules out: "saturday won't work", "not on Friday", "anything but Monday".
_REJECTED_AFTER_RE = re.compile(
    r"\s*(?:is\s+|'s\s+)?(?:(?:won'?t|wont|doesn'?t|does not|will not|can'?t|cannot|no longer)\s+"
    r"(?:work|do|suit|be possible)|(?:is\s+|'s\s+)?(?:out|no good|not good|impossible|a no)\b|is\s+bad)",
    re.I,
)
_REJECTED_BEFORE_RE = re.compile(
    r"\b(?:not|except|but|never|no|can'?t do|cannot do|can'?t make|can'?t come(?: in)?|busy)\s+(?:on\s+)?$", re.I
)


@dataclass(frozen=True)
class Days:
    """The days a message names: the day wanted (the first one not ruled out), how long the wish runs
    ("next week": to its Sunday), and the days ruled out."""

    day: date | None = None
    until: date | None = None
    excluded: tuple[date, ...] = ()


def find_days(text: str, today: date) -> Days:
    """The days in `text`, resolved against `today` (the caller's local date: the dealer's, for bookings)."""
    return _find_days(text, today)[0]


def _find_days(text: str, today: date) -> tuple[Days, list[tuple[int, int]]]:
    spans: list[tuple[int, int]] = []
    wanted: list[tuple[int, date, date | None]] = []
    excluded: list[date] = []
    for kind, pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(start <= match.start() < end for start, end in spans):
                continue
            resolved = _resolve_date(kind, match, today)
            if resolved is None:
                continue
            spans.append((match.start(), match.end()))
            if _REJECTED_AFTER_RE.match(text, match.end()) or _REJECTED_BEFORE_RE.search(text[: match.start()]):
                excluded.append(resolved)
                continue
            until = resolved + timedelta(days=6) if kind == "week" and match.group(2).lower() == "week" else None
            if kind == "week" and until is None:
                until = resolved + timedelta(days=6 - resolved.weekday())  # the weekend: to its Sunday
            wanted.append((match.start(), resolved, until))
    first = wanted[0] if wanted else None  # patterns are tried in a fixed order: the most explicit form wins
    days = Days(
        day=first[1] if first else None, until=first[2] if first else None, excluded=tuple(dict.fromkeys(excluded))
    )
    return days, spans


def _weekday_cue(match: re.Match[str]) -> bool:
    before = match.string[max(0, match.start() - 7) : match.start()].lower()
    after = match.string[match.end() :].lower()
    return bool(
        re.search(r"\b(on|by|for|til|until)\s+$", before)
        or re.match(r"\s*($|[?,.!]|morning|afternoon|evening|night|at\b|\d)", after)
    )


def _find_date(text: str, today: date) -> tuple[str | None, list[tuple[int, int]]]:
    days, spans = _find_days(text, today)
    return (days.day.isoformat() if days.day else None), spans


_CLOCK_RE = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*(a\.?m\.?|p\.?m\.?)(?![a-z])", re.I)
_H24_RE = re.compile(r"(?<![\d/:])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])")
_AT_HOUR_RE = re.compile(r"\b(?:at|around|@)\s+(\d{1,2})\b(?!\s*(?:[:/\d]|miles|mi\b|km|k\b|%|mph|months|years))", re.I)
_WORD_HOURS = {**{k: v for k, v in _NUMBER_WORDS.items() if k != "a"}}
_HALF_PAST_RE = re.compile(r"\b(half|quarter)\s+(past|to)\s+(\d{1,2}|" + "|".join(_WORD_HOURS) + r")\b", re.I)


def _business_hour(hour: int) -> int:
    """A bare hour in a contact-centre conversation: 1-6 means afternoon, 7-12 morning/noon."""
    return hour + 12 if 1 <= hour <= 6 else hour


def _find_time(text: str) -> str | None:
    match = _CLOCK_RE.search(text)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if 1 <= hour <= 12 and minute < 60:
            is_pm = match.group(3).lower().startswith("p")
            hour = (hour % 12) + (12 if is_pm else 0)
            return f"{hour:02d}:{minute:02d}"
    match = _H24_RE.search(text)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour <= 12 and not re.search(r"\b(?:at|by|around|@)\s*$", text[: match.start()], re.I):
            hour = _business_hour(hour) if hour < 7 else hour
        return f"{hour:02d}:{minute:02d}"
    lowered = text.lower()
    if re.search(r"\bnoon\b|\bmidday\b", lowered):
        return "12:00"
    if re.search(r"\bmidnight\b", lowered):
        return "00:00"
    match = _HALF_PAST_RE.search(text)
    if match:
        hour_text = match.group(3).lower()
        hour = int(hour_text) if hour_text.isdigit() else _WORD_HOURS[hour_text]
        if 1 <= hour <= 12:
            hour = _business_hour(hour)
            if match.group(2).lower() == "past":
                minute = 30 if match.group(1).lower() == "half" else 15
            else:
                hour, minute = (hour - 1) % 24, 45 if match.group(1).lower() == "quarter" else 30
            return f"{hour:02d}:{minute:02d}"
    match = _AT_HOUR_RE.search(text)
    if match:
        hour = int(match.group(1))
        if 1 <= hour <= 12:
            return f"{_business_hour(hour):02d}:00"
    return None


# --- mileage, dealer, location ----------------------------------------------------------------------

_MILEAGE_RE = re.compile(
    r"(?<![\d,.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(k\b|thousand\b)?\s*"
    r"(miles|mile|mi|kms|km|kilometers|kilometres|klicks)\b(?!\s*(?:per|an hour|/h|a gallon))",
    re.I,
)
_BARE_THOUSANDS_RE = re.compile(
    r"(?<![\d,.$])(\d{1,3})k\b(?=[^.?!]*\b(?:on it|on the clock|odometer|on the car)\b)", re.I
)


def _find_mileage(text: str) -> tuple[int | None, MileageUnit | None]:
    match = _MILEAGE_RE.search(text)
    if match:
        value = float(match.group(1).replace(",", ""))
        if match.group(2):
            value *= 1000
        unit: MileageUnit = "km" if match.group(3).lower().startswith("k") else "mi"
        return round(value), unit
    match = _BARE_THOUSANDS_RE.search(text)
    if match:
        return int(match.group(1)) * 1000, None
    return None, None


def _find_dealer(text: str) -> str | None:
    for pattern, dealer_id in _reference().dealer_patterns:
        if pattern.search(text):
            return dealer_id
    return None


_STREET_SUFFIX = r"(?:Street|St|Avenue|Ave|Road|Rd|Drive|Dr|Boulevard|Blvd|Lane|Ln|Way|Highway|Hwy|Parkway|Pkwy)\b"
_LOCATION_PATTERNS = [
    re.compile(r"\b(?:I|Interstate)[- ]?\d{1,3}(?:\s+(?:north|south|east|west)bound)?\b", re.I),
    re.compile(r"\b(?:highway|hwy|route|rte|sr|us)[- ]?\d{1,3}\b(?:\s+(?:north|south|east|west)bound)?", re.I),
    re.compile(
        r"\bthe\s+\d{2,3}(?:\s+(?:freeway|highway|north|south|east|west|(?:north|south|east|west)bound))?\b", re.I
    ),
    re.compile(r"\b\d{1,5}\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\s+" + _STREET_SUFFIX),
    re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\s+" + _STREET_SUFFIX),
    re.compile(r"\b\d{1,3}(?:st|nd|rd|th)\s+(?:and|&)\s+[A-Z][a-z]+\b"),
    re.compile(r"\bexit\s+\d{1,3}[a-z]?\b", re.I),
]


def _find_location(text: str) -> str | None:
    for pattern in _LOCATION_PATTERNS:
        match = pattern.search(text)
        if match:
            return match.group(0).strip()
    return None


# --- warning lights, service types, ordinals --------------------------------------------------------

_LIGHT_CONTEXT_RE = re.compile(
    r"\b(light|lights|lamp|warning|indicator|icon|symbol|dash|dashboard"
    r"|came on|comes on|is on|flashing|blinking|lit)\b",
    re.I,
)
_WARNING_LIGHTS: list[tuple[str, re.Pattern[str], bool]] = [
    # (canonical name, pattern, needs a light/warning word nearby)
    (
        "check_engine",
        re.compile(r"\b(check[- ]engine|engine (?:warning )?light|cel|mil|engine malfunction)\b", re.I),
        False,
    ),
    (
        "tire_pressure",
        re.compile(
            r"\b(tire|tyre)[- ]pressure (?:light|warning|sensor|indicator|monitor)|\btpms\b|check tire pressure"
            r"|\b(?:low |flat )?(?:tire|tyre)s? (?:light|lite|warning light|indicator)\b",
            re.I,
        ),
        False,
    ),
    (
        "ev_battery",
        re.compile(r"\b(ev battery|high[- ]voltage|hybrid system|traction battery|reduced power)\b", re.I),
        True,
    ),
    ("oil_pressure", re.compile(r"\b(oil (?:pressure|light|warning|can)|low oil)\b", re.I), True),
    (
        "coolant_temperature",
        re.compile(r"\b(coolant|engine temp(?:erature)?|temperature (?:light|warning)|overheat\w*)\b", re.I),
        True,
    ),
    ("airbag", re.compile(r"\b(air ?bag|srs)\b", re.I), True),
    ("abs", re.compile(r"\babs\b", re.I), True),
    ("traction_control", re.compile(r"\b(traction control|stability control|esc|esp)\b", re.I), True),
    ("brake", re.compile(r"\b(brake (?:light|warning|system)|parking brake light)\b", re.I), True),
    ("battery", re.compile(r"\b(battery|charging system|12v)\b", re.I), True),
    ("power_steering", re.compile(r"\bpower steering\b", re.I), True),
    (
        "service_due",
        re.compile(r"\b(wrench|service (?:light|required|due)|maintenance (?:light|required|due))\b", re.I),
        True,
    ),
]
_SERVICE_TYPES: list[tuple[str, re.Pattern[str]]] = [
    ("oil_change", re.compile(r"\boil (?:change|and filter|service)|\blube\b|\bchange (?:the |my )?oil\b", re.I)),
    ("tire_rotation", re.compile(r"\b(tire|tyre) rotation|\brotat(?:e|ion)\b", re.I)),
    ("wheel_alignment", re.compile(r"\balignment\b|\balign\b", re.I)),
    (
        "brake_service",
        re.compile(
            r"\bbrake (?:service|pads?|job|inspection|check|fluid|rotors?)"
            r"|\b(?:pads|rotors) replaced|\bbrakes? (?:done|checked|serviced)",
            re.I,
        ),
    ),
    (
        "battery_check",
        re.compile(r"\bbattery (?:check|test|inspection|replacement)|\b(?:check|test) (?:the |my )?battery", re.I),
    ),
    (
        "tire_change",
        re.compile(
            r"\b(?:winter|summer|snow|new|seasonal) (?:tires|tyres)"
            r"|\btire (?:change|swap)|\btires? (?:put on|swapped|replaced)",
            re.I,
        ),
    ),
    (
        "annual_inspection",
        re.compile(
            r"\b(annual|yearly|12[- ]month|state|safety|emissions?|smog)"
            r" (?:inspection|service|check|check-up|checkup)|\binspection\b",
            re.I,
        ),
    ),
    ("recall_repair", re.compile(r"\brecall (?:repair|work|fix|service)\b", re.I)),
    ("software_update", re.compile(r"\bsoftware update\b", re.I)),
    ("filter_replacement", re.compile(r"\b(?:cabin|air|pollen) filter\b", re.I)),
    ("fluid_service", re.compile(r"\b(?:coolant|fluid|transmission) (?:flush|change|service)\b", re.I)),
    (
        "scheduled_maintenance",
        re.compile(
            r"\b\d+(?:,\d{3})?k?[- ]?(?:mile|km)? (?:service|maintenance)"
            r"|\b(?:scheduled|routine|regular|recommended|factory) (?:maintenance|service)"
            r"|\bmaintenance\b|\btune[- ]?up\b",
            re.I,
        ),
    ),
]
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
             "fifth": 5, "5th": 5, "sixth": 6, "6th": 6}  # fmt: skip
_ORDINAL_ALT = "|".join(_ORDINALS)
_ORDINALS.update({"last": -1, "latter": -1, "former": 1})  # counted from the end: -1 is the last one
_ORDINAL_ALT = "|".join(_ORDINALS)
_ACK = r"(?:(?:ok(?:ay)?|yes|yeah|yep|sure|great|perfect|hmm+|um+|so|then|i guess)\W+)*"
_POLITE = r"(?:please|pls|plz|thanks|thx|works(?: for me)?|is (?:fine|good|great|perfect)|sounds good|then)"
_ORDINAL_RES = [
    re.compile(rf"\b({_ORDINAL_ALT})\s+(?:one|option|slot|time|choice|date|appointment|dealer|model|car)\b", re.I),
    re.compile(
        rf"\b(?:the\s+)?({_ORDINAL_ALT})\s+(?:of\s+(?:those|them|these|the\s+(?:list|options|slots|times)))", re.I
    ),
    re.compile(
        rf"\b(?:take|pick|choose|go (?:for|with)|want|book)\s+(?:me\s+)?the\s+({_ORDINAL_ALT})\b(?!\s+\w+ing)", re.I
    ),
    re.compile(rf"^\W*{_ACK}(?:the\s+)?({_ORDINAL_ALT})\W*(?:one\W*)?(?:{_POLITE}\W*)*$", re.I),
    re.compile(r"\b(?:option|slot|number|choice|#)\s*(\d)\b", re.I),
]


def _find_warning_light(text: str) -> str | None:
    has_context = bool(_LIGHT_CONTEXT_RE.search(text))
    best: tuple[int, str] | None = None
    for name, pattern, needs_context in _WARNING_LIGHTS:
        if needs_context and not has_context:
            continue
        match = pattern.search(text)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), name)
    return best[1] if best else None


def _find_service_type(text: str) -> str | None:
    found = find_service_types(text)
    return found[0] if found else None


def find_service_types(text: str) -> list[str]:
    """Every service the text asks for ("oil change + tire rotation"), in the order of the catalog above."""
    return [name for name, pattern in _SERVICE_TYPES if pattern.search(text)]


def find_ordinal(text: str) -> int | None:
    """Which item of a list the text picks: 1 for "the first one", -1 for "the last one"."""
    for pattern in _ORDINAL_RES:
        match = pattern.search(text)
        if match:
            token = match.group(1).lower()
            value = _ORDINALS.get(token) or int(token)
            return value if value >= 1 or value == -1 else None
    return None


def _positive(ordinal: int | None) -> int | None:
    return ordinal if ordinal is not None and ordinal >= 1 else None  # the contract counts from the start


# --- entry point ------------------------------------------------------------------------------------


def extract_entities(text: str, now: datetime | None = None) -> Entities:
    from contracts.common import Entities

    now = now or datetime.now(UTC)
    vin = _find_vin(text)
    searchable = text.replace(vin, " ") if vin else text
    date_text, date_spans = _find_date(searchable, now.date())
    model, model_position = _find_model(searchable)
    model_year = _find_model_year(searchable, model_position, date_spans)
    reference = _reference()
    if vin and vin.startswith(reference.wmi):
        model = model or reference.models_by_code.get(vin[3])
        model_year = model_year or _year_from_vin(vin, now)
    mileage, mileage_unit = _find_mileage(searchable)
    return Entities(
        vin=vin,
        model=model,
        model_year=model_year if model_year is None or 1980 <= model_year <= 2100 else None,
        date=date_text,
        time=_find_time(searchable),
        mileage=mileage,
        mileage_unit=mileage_unit,
        dealer=_find_dealer(searchable),
        location=_find_location(searchable),
        warning_light=_find_warning_light(searchable),
        service_type=_find_service_type(searchable),
        ordinal=_positive(find_ordinal(searchable)),
    )
