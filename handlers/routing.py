"""Routing Lambda: IntentDetected + SentimentAnalyzed of one turn -> RouteDecided.

The two arrive in any order, from different agents; the turn store joins them, with one write
when both arrive in one batch. Whichever delivery completes the pair decides. A duplicate delivery
may decide again: the decision is a pure function of the pair, and the aggregator keeps the first
RouteDecided of a turn.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from aicc.agents.routing import decide
from aicc.runtime.bus import BusEvent, new_meta
from aicc.runtime.consumer import consume
from aicc.runtime.turnstore import BatchJoin
from contracts.events import EventDetail, IntentDetected, SentimentAnalyzed

AGENT = "routing"
logger = Logger(service=AGENT)


_join = BatchJoin(AGENT)


def process(event: BusEvent) -> list[EventDetail]:
    recorded = _join.recorded(event)
    if recorded is None:  # written with the other half of the pair, whose delivery decides
        return []
    intent = recorded.after.results.get("IntentDetected")
    sentiment = recorded.after.results.get("SentimentAnalyzed")
    if intent is None or sentiment is None:
        return []
    return [
        decide(
            IntentDetected.model_validate(intent),
            SentimentAnalyzed.model_validate(sentiment),
            new_meta(reacting_to=event, producer=AGENT),
        )
    ]


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return consume(event, context, agent=AGENT, process=process, logger=logger, prepare=_join.record_batch)
