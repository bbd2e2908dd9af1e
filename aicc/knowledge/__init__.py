"""Knowledge retrieval over the shipped owner's manuals, FAQs and policies.

    from aicc.knowledge import search, load_corpus
    passages = search("how do I pair my phone", model="Cirrus", model_year=2024, k=3)

`AICC_KNOWLEDGE_PROVIDER` selects the provider per call: `local` (default, a BM25 index over
`aicc/data/knowledge/`) or `kendra` (Amazon Kendra Retrieve, falling back to the local index on errors).

This module imports nothing heavy: the corpus, the index and pydantic are loaded by the first search,
or by `warm()`, which the knowledge handler calls at import so that Lambda's init phase pays for them
(and a SnapStart snapshot holds them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aicc.knowledge.corpus import CorpusPassage
    from aicc.knowledge.retrieval import SearchResult
    from contracts.events import Passage

__all__ = ["load_corpus", "search", "search_with_provider", "warm"]


def warm() -> None:
    """Build the local index by running one search (Kendra falls back to it), and create the Kendra
    client when that is the provider."""
    import os

    from aicc.knowledge.local import search_local
    from aicc.knowledge.retrieval import PROVIDER_ENV

    search_local("how do I pair my phone", k=1)
    if os.environ.get(PROVIDER_ENV, "local").strip().lower() == "kendra":
        from aicc.runtime.clients import warm as warm_clients

        warm_clients("kendra")


def search(
    query: str,
    *,
    model: str | None = None,
    model_year: int | None = None,
    intent: str | None = None,
    k: int = 3,
) -> list[Passage]:
    """The `k` best passages for `query`, best first; [] when nothing is relevant enough.

    `model`/`model_year` (the customer's vehicle) restrict results to passages that apply to it;
    `intent` (the intent taxonomy of contracts.events) mildly favours passages on the matching topic.
    """
    from aicc.knowledge.retrieval import search as _search

    return _search(query, model=model, model_year=model_year, intent=intent, k=k)


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
    """Like `search`, but also says which provider answered ("local", "kendra" or "local-fallback").
    For a follow-up, `context` (the words of the entities in focus) and `topic` (the doc id of the
    passage last cited) place the question in the conversation (aicc.knowledge.context)."""
    from aicc.knowledge.retrieval import search_with_provider as _search_with_provider

    return _search_with_provider(
        query, model=model, model_year=model_year, intent=intent, k=k, context=context, topic=topic
    )


def load_corpus() -> list[CorpusPassage]:
    """Every shipped passage with its applicability (models, years, kind, topics)."""
    from aicc.knowledge.corpus import load_corpus as _load_corpus

    return _load_corpus()
