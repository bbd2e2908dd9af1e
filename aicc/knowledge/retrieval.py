"""Provider selection: `AICC_KNOWLEDGE_PROVIDER=local|kendra`, read on every call (tests switch it)."""

from __future__ import annotations

import logging
import os
from typing import NamedTuple

from contracts.events import Passage

PROVIDER_ENV = "AICC_KNOWLEDGE_PROVIDER"

logger = logging.getLogger(__name__)


class SearchResult(NamedTuple):
    passages: list[Passage]
    provider: str  # "local", "kendra" or "local-fallback" (Kendra failed, the local index answered)


def search_with_provider(
    query: str,
    *,
    model: str | None = None,
    model_year: int | None = None,
    intent: str | None = None,
    k: int = 3,
    context: str | None = None,
    topic: str | None = None,
) -> SearchResult:
    from aicc.knowledge.local import local_index

    provider = os.environ.get(PROVIDER_ENV, "local").strip().lower() or "local"
    if provider == "kendra":
        from botocore.exceptions import BotoCoreError, ClientError

        from aicc.knowledge.corpus import canonical_model
        from aicc.knowledge.kendra import KendraNotConfiguredError, search_kendra

        try:
            # Kendra ranks one query text: the conversation's words join the message's.
            text = f"{query} {context}" if context else query
            return SearchResult(search_kendra(text, model=canonical_model(model) or model, k=k), "kendra")
        except (ClientError, BotoCoreError, KendraNotConfiguredError) as error:
            # Never the query in the log: it is customer text and may hold personal data.
            logger.warning("kendra retrieve failed (%s); answering from the local index", _error_code(error))
    elif provider != "local":
        logger.warning("unknown %s=%r; using the local index", PROVIDER_ENV, provider)
    passages = local_index().search(
        query, model=model, model_year=model_year, intent=intent, k=k, context=context, topic=topic
    )
    return SearchResult(passages, "local" if provider != "kendra" else "local-fallback")


def search(
    query: str,
    *,
    model: str | None = None,
    model_year: int | None = None,
    intent: str | None = None,
    k: int = 3,
) -> list[Passage]:
    return search_with_provider(query, model=model, model_year=model_year, intent=intent, k=k).passages


def _error_code(error: Exception) -> str:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        if code:
            return str(code)
    return type(error).__name__
