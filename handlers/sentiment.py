"""Sentiment analysis Lambda: ConversationReceived -> SentimentAnalyzed."""

from aicc.agents.sentiment import analyze
from aicc.runtime.consumer import message_agent

handler = message_agent("sentiment", analyze)
