"""Knowledge retrieval Lambda: ConversationReceived -> KnowledgeRetrieved."""

from aicc.agents.knowledge import retrieve
from aicc.knowledge import warm
from aicc.runtime.consumer import message_agent

warm()  # at import: the init phase builds the index, a SnapStart snapshot holds it
handler = message_agent("knowledge", retrieve)
