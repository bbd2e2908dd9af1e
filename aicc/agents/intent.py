"""Intent analysis: intent, confidence and entities for one customer message."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from aicc.nlu.results import IntentResult
from contracts.common import DialogState, IntentScore
from contracts.events import ConversationReceived, EventMeta, IntentDetected

if TYPE_CHECKING:
    from contracts.common import Intent

# Signals that a buyer wants to act now, not browse: these route to a dealer's sales team.
_READY_TO_BUY = re.compile(
    # Commitment in other words: "i'm sold", "i'll take it", "want to order one", "where do i sign".
    r"\b(i'?m sold|(sold|convinced)[,!.]? i|i'?ll take (it|one|them|the \w+)|i (will|want to|wanna) take (it|one)|"
    r"(want|like|ready|going) to (order|purchase|place an order for) (it|one|them|the \w+|an? \w+)|"
    r"where do i sign|let'?s do (the|this) deal|"
    r"ready to (buy|order|purchase|sign|trade)|buy (it|one|this) (today|now|this week)|"
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

_BUYING_INTENTS = {"purchase_inquiry", "test_drive", "trade_in", "financing"}
# Trying a car out: the words that make "drive" a test drive.
_TRY_OUT_RE = re.compile(
    r"\b(?:te?s?t[- ]?dr(?:i|v)\w*|try (?:it|one|them|that|this|the \w+|an? \w+)(?: out)?|try out"
    r"|take (?:it|one|\w+) for a spin|spin in)\b",
    re.I,
)
# A bare answer to the question just asked ("yes please", "yep go ahead", "no thanks"): no topic of its own.
_BARE_ANSWER_RE = re.compile(
    r"^\W*(?:yes|yeah|yea|yep|yup|ya|sure|no|nope|nah|confirm(?:ed)?|correct|absolutely|definitely|of course)"
    r"(?:[\s,.!]*(?:please|pls|plz|do it|go ahead|confirm(?:ed)?|that'?s right|sounds good|do that|cancel it|keep it"
    r"|thanks|thank you|thx|ty))*[\s,.!]*$",
    re.I,
)
# Changing what was just booked: "hmm actually cancel it, I'll be out of town", "can you move that booking?".
_CHANGE_BOOKING_RE = re.compile(
    r"\b(?:cancel\w*|resched\w*|move|push (?:it|that) back)\b(?:\s+\w+){0,2}?\s*"
    r"\b(?:it|that|this|them|my (?:appointment|booking|slot|visit)|the (?:appointment|booking|slot|visit))\b",
    re.I,
)
_BOOKING_INTENTS = {"service_booking", "test_drive"}
# Fitting an accessory: "can i bring them to lakeside to have them installed?", "does harbor city fit them?".
_INSTALL_RE = re.compile(
    r"\b(?:install\w*|fit(?:ted|ting)? (?:it|them|one|those|these)|mount(?:ed|ing)?|put (?:it|them) on)\b", re.I
)


def in_context(result_intent: Intent, text: str, dialog: DialogState, *, flow_open: bool = False) -> Intent:
    """The intent a message carries in the conversation, where the classifier's reading of the words
    alone is known to mislead:
    - driving without trying a car out ("can i still drive it?", "can I drive it home") is about the
      customer's own car, its fault or light; a test drive needs try-out words, a buying context, or a
      model named that the customer does not own;
    - a bare yes or no while a flow waits for an answer answers that flow ("yes please" is no request
      for a person);
    - installing or fitting something right after an accessory question is about that accessory;
    - readiness to buy in any words is a purchase, whatever the topic words around it;
    - cancelling or moving what was just booked is that booking's flow, whatever reason comes with it
      ("cancel it, I'll be out of town" is no roadside call)."""
    if result_intent == "test_drive" and not _TRY_OUT_RE.search(text) and dialog.last_intent not in _BUYING_INTENTS:
        from aicc.nlu.entities import extract_entities

        named = extract_entities(text).model
        owned = {v.model.lower() for v in dialog.vehicles}
        if named is None or named.lower() in owned or re.search(rf"\b(?:my|our)\s+{re.escape(named)}\b", text, re.I):
            return "vehicle_problem"
    if flow_open and result_intent == "human_agent" and _BARE_ANSWER_RE.match(text):
        topical = dialog.last_intent is not None and dialog.last_intent not in _TOPICLESS
        return dialog.last_intent if topical and dialog.last_intent else "other"
    if (
        dialog.last_intent in _BOOKING_INTENTS
        and result_intent not in _BOOKING_INTENTS | {"human_agent"}  # asking for a person in words stands
        and _CHANGE_BOOKING_RE.search(text)
    ):
        return dialog.last_intent
    if dialog.last_intent == "parts_accessories" and _INSTALL_RE.search(text):
        return "parts_accessories"
    if purchase_ready(text) and result_intent not in _BUYING_INTENTS:
        return "purchase_inquiry"
    return result_intent


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
    if carried is None:
        read = in_context(intent, message.text, message.dialog, flow_open=message.meta.flow is not None)
        carried = read if read != intent else None
    if carried is not None and carried != intent:
        # The message alone reads as something else; in the conversation it repeats the last question.
        alternatives = [IntentScore(intent=intent, confidence=round(confidence, 4)), *alternatives[:2]]
        intent, confidence = carried, max(confidence, 0.5)
    entities = result.entities
    if intent == "test_drive" and entities.model is None and message.dialog.model:
        # "can i test drive one saturday?": the model in focus (named or just recommended) is the one to try.
        entities = entities.model_copy(update={"model": message.dialog.model})
    return IntentDetected(
        meta=meta,
        text=message.text,
        intent=intent,
        confidence=round(confidence, 4),
        entities=entities,
        alternatives=alternatives,
        purchase_ready=purchase_ready(message.text),
        model=result.model,
    )
