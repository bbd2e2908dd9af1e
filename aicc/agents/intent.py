"""Intent analysis: intent, confidence and entities for one customer message."""

from __future__ import annotations

from contracts.events import ConversationReceived, EventMeta, IntentDetected


def detect(message: ConversationReceived, meta: EventMeta) -> IntentDetected:
    from aicc.nlu import detect_intent

    result = detect_intent(message.text, message.meta.occurred_at)
    return IntentDetected(
        meta=meta,
        intent=result.intent,
        confidence=round(result.confidence, 4),
        entities=result.entities,
        alternatives=list(result.alternatives),
        model=result.model,
    )
