"""Response generation Lambda: TurnAssembled -> ResponseComposed (grounded templates)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from aicc.agents.compose import compose
from aicc.runtime.bus import BusEvent, new_meta
from aicc.runtime.consumer import consume
from contracts.events import ConversationReceived, EventDetail, TurnAssembled

AGENT = "response"
logger = Logger(service=AGENT)


def process(event: BusEvent) -> list[EventDetail]:
    if not isinstance(event.detail, TurnAssembled):
        raise TypeError(f"{AGENT} does not consume {event.detail_type}")
    assembled = event.detail
    received = ConversationReceived.model_validate(assembled.results["ConversationReceived"])
    reply = compose(assembled.results, missing=assembled.missing, text=received.text)
    return [reply.as_event(new_meta(reacting_to=event, producer=AGENT))]


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return consume(event, context, agent=AGENT, process=process, logger=logger)
