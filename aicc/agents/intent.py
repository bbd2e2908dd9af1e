"""Intent analysis: intent, confidence and entities for one customer message."""

from __future__ import annotations

import re

from contracts.events import ConversationReceived, EventMeta, IntentDetected

# Signals that a buyer wants to act now, not browse: these route to a dealer's sales team.
_READY_TO_BUY = re.compile(
    r"\b(ready to (buy|order|purchase|sign|trade)|buy (it|one|this) (today|now|this week)|"
    r"sign (the )?(papers|paperwork|contract)|place an order|make (an|you an) offer|best (price|deal|offer)|"
    r"out[- ]the[- ]door price|(is|are) (it|they|one) in stock|can i pick (it|one) up|put (down )?a deposit|"
    r"(want|like) to (buy|order) (it|one|the \w+)( today| now| this week)?$)",
    re.IGNORECASE,
)


def purchase_ready(text: str) -> bool:
    return bool(_READY_TO_BUY.search(text))


def detect(message: ConversationReceived, meta: EventMeta) -> IntentDetected:
    from aicc.nlu import detect_intent

    result = detect_intent(message.text, message.meta.occurred_at)
    return IntentDetected(
        meta=meta,
        text=message.text,
        intent=result.intent,
        confidence=round(result.confidence, 4),
        entities=result.entities,
        alternatives=list(result.alternatives),
        purchase_ready=purchase_ready(message.text),
        model=result.model,
    )
