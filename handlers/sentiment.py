"""Sentiment analysis Lambda: ConversationReceived -> SentimentAnalyzed."""

from aicc.agents.sentiment import analyze
from aicc.nlu import warm_sentiment
from aicc.runtime.consumer import message_agent

warm_sentiment()  # at import: the init phase pays for it, a SnapStart snapshot holds it
handler = message_agent("sentiment", analyze)
