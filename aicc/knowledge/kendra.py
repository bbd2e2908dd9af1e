"""The production provider: Amazon Kendra `Retrieve` over the corpus seeded to the knowledge bucket.

Documents carry the attributes written by `CorpusPassage.kendra_metadata`: `models` lists the
models a passage applies to, or "all".
"""

from __future__ import annotations

import os
from typing import Any

from aicc.knowledge.corpus import KENDRA_ANY
from contracts.events import Passage

INDEX_ID_ENV = "AICC_KENDRA_INDEX_ID"
MAX_QUERY_CHARS = 1000  # Kendra rejects longer query text; the start of a message carries the question

# Retrieve gives a confidence bucket, not a number. LOW is dropped, for the same reason the local
# index has a threshold: a weak passage is worse than none for a grounded reply.
CONFIDENCE_SCORES: dict[str, float] = {"VERY_HIGH": 1.0, "HIGH": 0.75, "MEDIUM": 0.5, "NOT_AVAILABLE": 0.4}


class KendraNotConfiguredError(RuntimeError):
    """AICC_KENDRA_INDEX_ID is unset although the Kendra provider was selected."""


def search_kendra(query: str, *, model: str | None = None, k: int = 3, kendra: Any = None) -> list[Passage]:
    index_id = os.environ.get(INDEX_ID_ENV)
    if not index_id:
        raise KendraNotConfiguredError(f"{INDEX_ID_ENV} is not set")
    if kendra is None:
        from aicc.runtime.clients import client

        kendra = client("kendra")
    request: dict[str, Any] = {"IndexId": index_id, "QueryText": query[:MAX_QUERY_CHARS], "PageSize": k}
    if model:
        request["AttributeFilter"] = model_filter(model)
    response = kendra.retrieve(**request)
    passages: list[Passage] = []
    for item in response.get("ResultItems", []):
        passage = to_passage(item)
        if passage is not None:
            passages.append(passage)
    return passages[:k]


def model_filter(model: str) -> dict[str, Any]:
    return {"ContainsAny": {"Key": "models", "Value": {"StringListValue": [model, KENDRA_ANY]}}}


def to_passage(item: dict[str, Any]) -> Passage | None:
    """One Retrieve ResultItem as a Passage; None for low-confidence items or items without a link."""
    confidence = item.get("ScoreAttributes", {}).get("ScoreConfidence", "NOT_AVAILABLE")
    score = CONFIDENCE_SCORES.get(confidence)
    attributes = {
        attribute["Key"]: attribute.get("Value", {}).get("StringValue")
        for attribute in item.get("DocumentAttributes", [])
    }
    lists = {
        attribute["Key"]: attribute.get("Value", {}).get("StringListValue") or []
        for attribute in item.get("DocumentAttributes", [])
    }
    uri = item.get("DocumentURI") or attributes.get("_source_uri")
    text = item.get("Content")
    if score is None or not uri or not text:
        return None
    return Passage(
        doc_id=item.get("DocumentId") or item["Id"],
        title=item.get("DocumentTitle") or uri,
        text=text,
        uri=uri,
        score=score,
        section=attributes.get("section"),
        kind=attributes.get("_category"),
        models=[m for m in lists.get("models", []) if m != KENDRA_ANY],
        model_years=[int(y) for y in lists.get("model_years", []) if y.isdigit()],
    )
