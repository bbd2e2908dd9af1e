"""When is a turn complete? Derived from the manifest, never from agent names.

A result type the reply waits for is *expected* when a producer of it has a rule whose pattern
matches an event of this turn we already hold, *not coming* when none of its rules can match
(their input events will not arrive, or arrived and did not match), and *undecided* otherwise.
The turn is complete when ConversationReceived is here and every awaited type is either here or
not coming. Patterns are evaluated with EventBridge semantics, so a rule filtered on
`detail.intent` is awaited exactly for the intents it matches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from contracts.manifest import Manifest
from contracts.patterns import matches

TRIGGER = "ConversationReceived"


class Arrival(Enum):
    HERE = "here"
    EXPECTED = "expected"
    UNDECIDED = "undecided"
    NOT_COMING = "not_coming"


@dataclass(frozen=True)
class TurnStatus:
    complete: bool
    missing: list[str]  # awaited types that are expected or undecided
    not_coming: list[str]


def arrival(detail_type: str, results: Mapping[str, Mapping[str, Any]], manifest: Manifest) -> Arrival:
    return _arrival(detail_type, results, manifest, frozenset())


def _arrival(
    detail_type: str, results: Mapping[str, Mapping[str, Any]], manifest: Manifest, visiting: frozenset[str]
) -> Arrival:
    if detail_type in results:
        return Arrival.HERE
    if detail_type == TRIGGER:
        return Arrival.EXPECTED
    if detail_type in visiting:  # a cycle cannot make anything arrive
        return Arrival.NOT_COMING
    undecided = False
    for producer in manifest.producers_of(detail_type):
        for sub in producer.consumes:
            for input_type in sub.detail_types:
                state = _arrival(input_type, results, manifest, visiting | {detail_type})
                if state is Arrival.HERE:
                    event = {
                        "source": manifest.source_of(input_type),
                        "detail-type": input_type,
                        "detail": results[input_type],
                    }
                    if matches(sub.pattern, event):
                        return Arrival.EXPECTED
                elif state is not Arrival.NOT_COMING:
                    undecided = True
    return Arrival.UNDECIDED if undecided else Arrival.NOT_COMING


def turn_status(results: Mapping[str, Mapping[str, Any]], manifest: Manifest) -> TurnStatus:
    missing: list[str] = []
    not_coming: list[str] = []
    for detail_type in manifest.reply_waits_for:
        state = arrival(detail_type, results, manifest)
        if state is Arrival.NOT_COMING:
            not_coming.append(detail_type)
        elif state is not Arrival.HERE:
            missing.append(detail_type)
    complete = TRIGGER in results and not missing
    return TurnStatus(complete=complete, missing=missing, not_coming=not_coming)
