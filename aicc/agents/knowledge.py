"""Knowledge retrieval: passages with sources from the manuals and FAQs."""

from __future__ import annotations

from contracts.events import ConversationReceived, EventMeta, KnowledgeRetrieved

# More than one reply quotes: the composer keeps those that apply to the customer's own vehicle,
# which this agent cannot know (it runs in parallel with personalization).
PASSAGES_PER_TURN = 5


def retrieve(message: ConversationReceived, meta: EventMeta) -> KnowledgeRetrieved:
    from aicc.knowledge import search_with_provider
    from aicc.knowledge.context import context_words, is_follow_up

    # Models and years named in the question itself are preferred by the search. A follow-up is
    # searched with what the conversation is about; a question that stands alone, by its own words.
    dialog = message.dialog
    follow_up = is_follow_up(message.text)
    found = search_with_provider(
        message.text,
        k=PASSAGES_PER_TURN,
        context=(context_words(dialog) or None) if follow_up else None,
        topic=dialog.topic if follow_up else None,
    )
    return KnowledgeRetrieved(meta=meta, query=message.text, passages=found.passages, provider=found.provider)
