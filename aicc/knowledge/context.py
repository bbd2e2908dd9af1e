"""What the conversation carries into a knowledge search: the entities in focus and the passage last cited.

A follow-up ("what if i go over the miles", "how long do those last usually", "even when towing?")
names too little to find its passage alone: the entities in focus (model, warning light, service)
and the passage the assistant last cited (its topic) place it. A question that stands on its own is
searched by its own words only, so an old topic never hijacks a new one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from aicc.knowledge.text import AMOUNT_OR_REFERENT_TERMS, tokenize
from contracts.common import DialogState, Source
from contracts.events import Passage

# Leads and references that make a message lean on what was said before.
_LEANS_ON_CONTEXT = re.compile(
    r"^\s*(and|but|so|also|even|what about|how about|same|then)\b|"
    r"\b(it|its|it's|that|those|these|them|they|this one|that one|one|there|then|extra|too|as well|either)\b",
    re.IGNORECASE,
)
# A message with at most this many topic words of its own is a follow-up whatever its wording.
FOLLOW_UP_MAX_TERMS = 2


def is_follow_up(text: str) -> bool:
    """Whether the message leans on the conversation: a short question, or one that refers back. Words
    that only ask for an amount or stand for the thing discussed ("how long is the repair") do not count."""
    own = set(tokenize(text)) - AMOUNT_OR_REFERENT_TERMS
    return len(own) <= FOLLOW_UP_MAX_TERMS or bool(_LEANS_ON_CONTEXT.search(text))


def context_words(dialog: DialogState) -> str:
    """The words of the entities in focus (model, warning light, service); empty when none is."""
    words = [
        dialog.model or "",
        (dialog.warning_light or "").replace("_", " "),
        (dialog.service_type or "").replace("_", " ").replace("+", " "),
    ]
    return " ".join(w for w in words if w).strip()


def cited_topic(sources: Iterable[Source], intent: str | None = None) -> str | None:
    """The doc id of the first knowledge passage a reply cited, None when it cited none. A recall cited
    on a turn that did not ask about recalls is the once-per-conversation notice, not the topic."""
    from aicc.knowledge.corpus import corpus

    by_uri = {p.uri: p for p in corpus()}
    cited = [by_uri[s.uri] for s in sources if s.uri in by_uri]
    about = [p for p in cited if intent == "recall_inquiry" or "recall" not in p.topics or len(p.topics) > 1]
    return about[0].doc_id if about else None


# Topics of passages about something with a price of its own (a service, an accessory, a loan):
# "how much is the annual one?" after the maintenance schedule asks for the service's price.
_PRICED_THINGS = frozenset({"maintenance", "service_booking", "parts_accessories", "financing", "trade_in"})


def car_in_focus(dialog: DialogState) -> str | None:
    """The model a price question without a name asks about: the model in focus, unless the
    passage just cited is about a service, an accessory or a loan."""
    if dialog.topic:
        from aicc.knowledge.corpus import corpus

        topics = next((p.topics for p in corpus() if p.doc_id == dialog.topic), ())
        if not _PRICED_THINGS.isdisjoint(topics):
            return None
    return model_in_focus(dialog)


def model_in_focus(dialog: DialogState) -> str | None:
    """The model the conversation is about: the one the passage just cited is written for (the answer
    named it last), else the model last named."""
    if dialog.topic:
        from aicc.knowledge.corpus import corpus

        models = next((p.models for p in corpus() if p.doc_id == dialog.topic), ())
        if len(models) == 1:
            return models[0]
    return dialog.model


# A passage on the question's topic is preferred over a slightly better lexical match on another.
ON_TOPIC_SHARE = 0.9


def on_topic_first(passages: list[Passage], intent: str | None) -> list[Passage]:
    """The passages with those on the intent's topic first, when they score nearly as well as the best
    (the search runs beside the intent agent, so it cannot weigh the intent itself)."""
    from aicc.knowledge.corpus import corpus
    from aicc.knowledge.local import INTENT_TOPICS

    wanted = INTENT_TOPICS.get(intent or "", frozenset())
    if not passages or not wanted:
        return passages
    topics = {p.doc_id: p.topics for p in corpus()}
    floor = passages[0].score * ON_TOPIC_SHARE
    first = [p for p in passages if p.score >= floor and not wanted.isdisjoint(topics.get(p.doc_id, ()))]
    return first + [p for p in passages if p not in first]


def adds_to_the_request(passage: Passage, intent: str | None) -> bool:
    """A passage on the request's own topic written for particular models ("24-hour extended test drive
    (Cirrus and Borealis Plug-in Hybrid)"): worth saying beside the booking steps."""
    from aicc.knowledge.corpus import corpus
    from aicc.knowledge.local import INTENT_TOPICS

    wanted = INTENT_TOPICS.get(intent or "", frozenset())
    topics = next((p.topics for p in corpus() if p.doc_id == passage.doc_id), ())
    return bool(passage.models) and not wanted.isdisjoint(topics)
