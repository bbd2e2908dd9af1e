"""Offline NLU for the contact centre: intent, entities and sentiment.

Importing this package is cheap: the model file, the reference data, pydantic contracts and boto3 are all
loaded on first use, or by `warm_intent()` / `warm_sentiment()`, which the handlers call at import so that
Lambda's init phase pays for them (and a SnapStart snapshot holds them). The provider (local model,
Bedrock, Comprehend) is chosen per call from the environment (`AICC_INTENT_PROVIDER`,
`AICC_SENTIMENT_PROVIDER`), so tests can switch it with monkeypatch.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aicc.nlu.results import IntentResult, SentimentResult

if TYPE_CHECKING:
    from contracts.common import Entities

__all__ = [
    "IntentResult",
    "SentimentResult",
    "analyze_sentiment",
    "detect_intent",
    "evaluate",
    "extract_entities",
    "warm_intent",
    "warm_sentiment",
]


def warm_intent(*, local_only: bool = False) -> None:
    """Load what every intent detection needs by running one: the model, the reference data behind
    the entities, the compiled patterns (Bedrock's path uses them too, for its guard and entities),
    and the Bedrock client when that is the provider (unless `local_only`)."""
    from aicc.nlu.intent import local_detect_intent

    local_detect_intent(_WARM_UP_TEXT)
    if not local_only and _provider("AICC_INTENT_PROVIDER") == "bedrock":
        from aicc.runtime.clients import warm

        warm("bedrock-runtime")


def warm_sentiment() -> None:
    """The same for sentiment: the cues, and the Comprehend client when that is the provider."""
    from aicc.nlu.sentiment import local_analyze_sentiment

    local_analyze_sentiment(_WARM_UP_TEXT)
    if _provider("AICC_SENTIMENT_PROVIDER") == "comprehend":
        from aicc.runtime.clients import warm

        warm("comprehend")


# A message that touches the model, the entities and the cues; nothing is kept of its result.
_WARM_UP_TEXT = "Can I book a service for my Cirrus at Harbor City on Tuesday at 9am? The check engine light is on!"


def _provider(variable: str) -> str:
    return os.environ.get(variable, "local").strip().lower()


def detect_intent(text: str, now: datetime | None = None) -> IntentResult:
    """Classify one customer message into the §5 taxonomy and extract its entities."""
    if _provider("AICC_INTENT_PROVIDER") == "bedrock":
        from aicc.nlu.providers import bedrock_detect_intent

        return bedrock_detect_intent(text, now)
    from aicc.nlu.intent import local_detect_intent

    return local_detect_intent(text, now)


def analyze_sentiment(text: str) -> SentimentResult:
    """Sentiment label, score in [-1, 1], urgency and the cues that drove them."""
    if _provider("AICC_SENTIMENT_PROVIDER") == "comprehend":
        from aicc.nlu.providers import comprehend_analyze_sentiment

        return comprehend_analyze_sentiment(text)
    from aicc.nlu.sentiment import local_analyze_sentiment

    return local_analyze_sentiment(text)


def extract_entities(text: str, now: datetime | None = None) -> Entities:
    """VIN, model, dates, times, mileage, dealer, location, warning light, service type, ordinal."""
    from aicc.nlu.entities import extract_entities as extract

    return extract(text, now)


def evaluate(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Accuracy, macro-F1, `other` recall, sentiment accuracy and a confusion matrix over labelled rows."""
    from aicc.nlu.evaluation import evaluate as run

    return run(rows, detect_intent=detect_intent, analyze_sentiment=analyze_sentiment)
