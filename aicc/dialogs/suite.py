"""The dialog suite format (YAML or JSON files; a directory is every *.yaml, *.yml and *.json in it).

    defaults:                       # optional: merged into every turn's expectations of the file
      must_not: ["{uuid}"]
    conversations:
      - id: booking-earliest-in-words
        category: booking           # one of CATEGORIES
        customer: cust-0001         # a demo customer (aicc/data/customers.json)
        about: optional, what the conversation checks
        once: ["R-2021-022"]        # optional: may appear in at most one reply of the conversation
        turns:
          - say: "i need an oil change for my aster at harbor city"
            expect:
              route: {kind: bot}    # subset of kind / queue / priority
              slots_offered: true
          - say: "the earliest one"
            tap: "Book "            # optional: press the previous reply's first quick action whose
                                    # label starts with this (a customer tapping a button); `say`
                                    # is sent when there is none
            expect: {booked: true, must: ["{date:next friday}"], must_not: ["I can't help"]}

Patterns in `must` / `must_not` / `once` are case-insensitive substrings, or regexes when they start
with "re:". Both may hold placeholders: {date:PHRASE} (aicc/dialogs/dates.py: a day written any
usual way) and {uuid} (a raw UUID). Every turn also fails when no reply comes, or when the reply is
word for word the previous one.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from aicc.dialogs import dates

# The classes of failure of issue 13, one per file of tests/dialogs.
Category = Literal[
    "booking",
    "interruptions",
    "context",
    "facts",
    "emergencies",
    "buying",
    "noise",
    "out_of_scope",
    "complaints",
]
CATEGORIES: tuple[str, ...] = Category.__args__  # type: ignore[attr-defined]
UUID_PATTERN = r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"
_PLACEHOLDER = re.compile(r"\{(date|uuid)(?::([^}]*))?\}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RouteExpectation(_Strict):
    kind: Literal["bot", "human"] | None = None
    queue: str | None = None
    priority: Literal["low", "normal", "high", "urgent"] | None = None


class Expectation(_Strict):
    """What a customer would check in one reply; unset fields are not checked."""

    route: RouteExpectation | None = None
    booked: bool | None = None
    cancelled: bool | None = None
    slots_offered: bool | None = None
    slots_on: str | None = Field(default=None, description="every offered slot falls on this day or range")
    slots_not_on: str | None = Field(
        default=None, description="no offered slot falls on this day or range; a bare weekday: on any such day"
    )
    slots_from: str | None = Field(default=None, pattern=r"^\d{2}:\d{2}$", description="no slot starts earlier")
    slots_until: str | None = Field(default=None, pattern=r"^\d{2}:\d{2}$", description="no slot starts later")
    asks: bool | None = Field(default=None, description="the reply asks the customer a question")
    must: list[str] = []
    must_not: list[str] = []

    @field_validator("slots_on", "slots_not_on")
    @classmethod
    def _known_phrase(cls, value: str | None) -> str | None:
        if value is not None and value.strip().lower().removesuffix("s") not in dates.WEEKDAYS:
            dates.resolve(value, dates.dealer_today())
        return value

    @field_validator("must", "must_not")
    @classmethod
    def _valid_patterns(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            compile_pattern(pattern, dates.dealer_today())
        return patterns


class Turn(_Strict):
    say: str = Field(min_length=1)
    tap: str | None = None
    expect: Expectation = Expectation()


class Conversation(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    category: Category
    customer: str
    about: str | None = None
    once: list[str] = []
    turns: list[Turn] = Field(min_length=1)
    source: str = ""

    @field_validator("customer")
    @classmethod
    def _demo_customer(cls, value: str) -> str:
        if value not in demo_customers():
            raise ValueError(f"{value} is not a demo customer (aicc/data/customers.json)")
        return value


class _File(_Strict):
    defaults: Expectation = Expectation()
    conversations: list[Conversation]


@cache
def demo_customers() -> frozenset[str]:
    from aicc.seed import demo_customers as customers

    return frozenset(c["customer_id"] for c in customers())


def compile_pattern(pattern: str, today: dates.date) -> re.Pattern[str]:
    """A must / must_not pattern as a case-insensitive regex (see the module docstring)."""
    is_regex = pattern.startswith("re:")
    body = pattern[3:] if is_regex else pattern
    pieces: list[str] = []
    position = 0
    for found in _PLACEHOLDER.finditer(body):
        literal = body[position : found.start()]
        pieces.append(literal if is_regex else re.escape(literal))
        if found[1] == "uuid":
            pieces.append(UUID_PATTERN)
        else:
            first, last = dates.resolve(found[2] or "", today)
            if first != last:
                raise ValueError(f"{{date:{found[2]}}} is a range; a reply names one day")
            pieces.append(dates.date_pattern(first))
        position = found.end()
    tail = body[position:]
    pieces.append(tail if is_regex else re.escape(tail))
    try:
        return re.compile("".join(pieces), re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"pattern {pattern!r}: {exc}") from None


def _read(path: Path) -> object:
    text = path.read_text()
    if path.suffix == ".json":
        return json.loads(text)
    import yaml  # the embedded extra (`aicc eval --dialogs` needs its aiohttp anyway)

    return yaml.safe_load(text)


def load_suite(path: Path) -> list[Conversation]:
    """Every conversation of a file or a directory, with defaults merged; ValueError names the bad file."""
    files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml", ".json")) if path.is_dir() else [path]
    conversations: list[Conversation] = []
    seen: dict[str, str] = {}
    for file in files:
        try:
            parsed = _File.model_validate(_read(file))
        except Exception as exc:
            raise ValueError(f"{file}: {exc}") from None
        for conversation in parsed.conversations:
            if conversation.id in seen:
                raise ValueError(f"{file}: conversation id {conversation.id} is also in {seen[conversation.id]}")
            seen[conversation.id] = str(file)
            conversations.append(_with_defaults(conversation, parsed.defaults, file))
    if not conversations:
        raise ValueError(f"{path}: no conversations")
    return conversations


def _with_defaults(conversation: Conversation, defaults: Expectation, file: Path) -> Conversation:
    turns = [
        turn.model_copy(
            update={
                "expect": turn.expect.model_copy(
                    update={
                        "must": [*defaults.must, *turn.expect.must],
                        "must_not": [*defaults.must_not, *turn.expect.must_not],
                    }
                )
            }
        )
        for turn in conversation.turns
    ]
    return conversation.model_copy(update={"turns": turns, "source": file.name})
