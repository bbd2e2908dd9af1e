"""Knowledge retrieval Lambda: ConversationReceived -> KnowledgeRetrieved."""

from aicc.agents.knowledge import retrieve
from aicc.runtime.consumer import message_agent

handler = message_agent("knowledge", retrieve)
