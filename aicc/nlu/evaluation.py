"""Metrics for `aicc eval`: intent accuracy / macro-F1 / per-intent scores, `other` recall, sentiment accuracy."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from aicc.nlu.results import IntentResult, SentimentResult


def _f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def evaluate(
    rows: Iterable[dict[str, Any]],
    detect_intent: Callable[[str], IntentResult],
    analyze_sentiment: Callable[[str], SentimentResult],
) -> dict[str, Any]:
    """Rows are {"text", "intent", "sentiment"?}. Macro-F1 averages over every intent seen as gold or prediction.

    `other_recall` and `sentiment_accuracy` are None when the rows contain no `other` / no sentiment labels.
    """
    confusion: dict[str, dict[str, int]] = {}
    n = intent_hits = sentiment_total = sentiment_hits = 0
    for row in rows:
        gold = str(row["intent"])
        predicted = str(detect_intent(str(row["text"])).intent)
        confusion.setdefault(gold, {})
        confusion[gold][predicted] = confusion[gold].get(predicted, 0) + 1
        n += 1
        intent_hits += predicted == gold
        if row.get("sentiment"):
            sentiment_total += 1
            sentiment_hits += analyze_sentiment(str(row["text"])).label == row["sentiment"]

    labels = sorted(set(confusion) | {pred for preds in confusion.values() for pred in preds})
    per_intent: dict[str, dict[str, float]] = {}
    f1_scores: list[float] = []
    for label in labels:
        true_positive = confusion.get(label, {}).get(label, 0)
        support = sum(confusion.get(label, {}).values())
        predicted_count = sum(preds.get(label, 0) for preds in confusion.values())
        precision = true_positive / predicted_count if predicted_count else 0.0
        recall = true_positive / support if support else 0.0
        f1_scores.append(_f1(precision, recall))
        per_intent[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(_f1(precision, recall), 4),
            "support": support,
        }
    other = per_intent.get("other")
    return {
        "n": n,
        "intent_accuracy": round(intent_hits / n, 4) if n else 0.0,
        "intent_macro_f1": round(sum(f1_scores) / len(f1_scores), 4) if f1_scores else 0.0,
        "other_recall": other["recall"] if other and other["support"] else None,
        "sentiment_accuracy": round(sentiment_hits / sentiment_total, 4) if sentiment_total else None,
        "confusion": confusion,
        "per_intent": per_intent,
    }
