"""Cockpit assistant Lambda: IntentDetected (feature help, warning lights) -> CockpitGuidance."""

from __future__ import annotations

from aicc.agents.cockpit import guide
from aicc.agents.personalization import load_customer
from aicc.runtime.consumer import single_input_agent
from contracts.events import CockpitGuidance, EventMeta, IntentDetected


def respond(intent: IntentDetected, meta: EventMeta) -> CockpitGuidance:
    return guide(intent, load_customer(meta.customer_id), meta)


handler = single_input_agent("cockpit", IntentDetected, respond)
