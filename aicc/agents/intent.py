"""Intent analysis: intent, confidence and entities for one customer message."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from aicc.nlu.results import IntentResult
from contracts.common import IntentScore
from contracts.events import ConversationReceived, EventMeta, IntentDetected

if TYPE_CHECKING:
    from contracts.common import Intent

# Signals that a buyer wants to act now, not browse: these route to a dealer's sales team.
_READY_TO_BUY = re.compile(
    r"\b(ready to (buy|order|purchase|sign|trade)|buy (it|one|this) (today|now|this week)|"
    r"sign (the )?(papers|paperwork|contract)|place an order|make (an|you an) offer|best (price|deal|offer)|"
    r"out[- ]the[- ]door price|(is|are) (it|they|one) in stock|can i pick (it|one) up|put (down )?a deposit|"
    r"(want|like) to (buy|order) (it|one|the \w+)( today| now| this week)?$|"
    r"(want|like|going|plan(ning)?|ready) to (buy|order|purchase|lease) [^.?!]{0,60}"
    r"\b(today|now|this week(end)?|asap)\b|"
    r"who (do|should|can) i (talk|speak) to\b.{0,40}\b(buy|purchase|order|deal)|"
    r"(buy|purchase|order|lease)\b[^.?!]{0,60}[.?!]?\s*who (do|should|can) i (talk|speak) to)",
    re.IGNORECASE,
)


# An elliptical follow-up: the same question about another car ("and for the borealis?", "what about
# my other car?"). It names no topic of its own, so it asks what the previous turn asked.
_ELLIPTICAL_RE = re.compile(
    r"^\W*(?:(?:and|but|ok(?:ay)?|so|hmm+)[\s,]+)*(?:(?:what|how)\s+about|what\s+abt|same\s+(?:thing\s+|question\s+)?for"
    r"|and(?:\s+(?:for|on|with))?)\s+(?P<rest>[^?.!]+?)\W*$",
    re.IGNORECASE,
)
_CAR_REFERENT_RE = re.compile(
    r"^(?:(?:the|my|our|his|her|their|your|my\s+\w+'s)\s+)?(?:(?:other|second|first|\d{4}|'\d\d)\s+)?"
    r"(?:one|car|cars|vehicle|truck|suv|ev|aster|borealis|cirrus|dune)(?:\s+\w+){0,2}$",
    re.IGNORECASE,
)
_TOPICLESS = {"greeting", "other", "human_agent"}


def follow_up_intent(text: str, last_intent: Intent | None) -> Intent | None:
    """The intent an elliptical follow-up about another car carries over; None when it is not one."""
    if last_intent is None or last_intent in _TOPICLESS:
        return None
    match = _ELLIPTICAL_RE.match(text)
    if match is None or not _CAR_REFERENT_RE.match(match.group("rest").strip()):
        return None
    return last_intent


def purchase_ready(text: str) -> bool:
    return bool(_READY_TO_BUY.search(text))


def detect(message: ConversationReceived, meta: EventMeta) -> IntentDetected:
    """The intent agent: the configured classifier (the local model, or Bedrock)."""
    from aicc.nlu import detect_intent

    return _detected(message, meta, detect_intent(message.text, message.meta.occurred_at))


def local_reading(message: ConversationReceived, meta: EventMeta) -> IntentDetected:
    """The local model's reading of a message, whatever the intent agent is configured with.

    Agents that act only on some intents (cockpit, recommendations, servicing) react to the message
    itself, beside the intent agent rather than after it, so the reply waits for one hop less. This
    reading is their relevance check and their parse of the message: cheap, offline, deterministic.
    """
    from aicc.nlu.intent import local_detect_intent

    return _detected(message, meta, local_detect_intent(message.text, message.meta.occurred_at))


def warm_local_reading() -> None:
    """Load the local model at import (the init phase), as the agents that read messages locally need."""
    from aicc.nlu import warm_intent

    warm_intent(local_only=True)


def _detected(message: ConversationReceived, meta: EventMeta, result: IntentResult) -> IntentDetected:
    intent, confidence, alternatives = result.intent, result.confidence, list(result.alternatives)
    carried = follow_up_intent(message.text, message.dialog.last_intent)
    if carried is not None and carried != intent:
        # The message alone reads as something else; in the conversation it repeats the last question.
        alternatives = [IntentScore(intent=intent, confidence=round(confidence, 4)), *alternatives[:2]]
        intent, confidence = carried, max(confidence, 0.5)
    return IntentDetected(
        meta=meta,
        text=message.text,
        intent=intent,
        confidence=round(confidence, 4),
        entities=result.entities,
        alternatives=alternatives,
        purchase_ready=purchase_ready(message.text),
        model=result.model,
    )
