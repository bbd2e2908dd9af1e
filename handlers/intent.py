"""Intent analysis Lambda: ConversationReceived -> IntentDetected."""

from aicc.agents.intent import detect
from aicc.runtime.consumer import message_agent

handler = message_agent("intent", detect)
