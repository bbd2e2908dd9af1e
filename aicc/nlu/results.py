"""Result types of the NLU functions (frozen, hashable-free plain dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contracts.common import Entities, Intent, IntentScore, SentimentLabel, Urgency


@dataclass(frozen=True)
class IntentResult:
    intent: Intent
    confidence: float
    alternatives: list[IntentScore]
    entities: Entities
    model: str


@dataclass(frozen=True)
class SentimentResult:
    label: SentimentLabel
    score: float
    urgency: Urgency
    cues: list[str] = field(default_factory=list)
    model: str = "local-linear/1"
