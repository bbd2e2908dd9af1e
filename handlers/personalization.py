"""Personalization Lambda: ConversationReceived -> ProfileLoaded."""

from aicc.agents.personalization import personalize
from aicc.runtime.consumer import message_agent

handler = message_agent("personalization", personalize)
