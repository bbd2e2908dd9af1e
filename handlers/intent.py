"""Intent analysis Lambda: ConversationReceived -> IntentDetected."""

from aicc.agents.intent import detect
from aicc.nlu import warm_intent
from aicc.runtime.consumer import message_agent

warm_intent()  # at import: the init phase loads the model, a SnapStart snapshot holds it
handler = message_agent("intent", detect)
