"""Sentiment analysis: label, score and urgency for one customer message."""

from __future__ import annotations

from contracts.events import ConversationReceived, EventMeta, SentimentAnalyzed


def analyze(message: ConversationReceived, meta: EventMeta) -> SentimentAnalyzed:
    from aicc.nlu import analyze_sentiment

    result = analyze_sentiment(message.text)
    return SentimentAnalyzed(
        meta=meta,
        label=result.label,
        score=round(max(-1.0, min(1.0, result.score)), 4),
        urgency=result.urgency,
        cues=list(result.cues)[:8],
        model=result.model,
    )
