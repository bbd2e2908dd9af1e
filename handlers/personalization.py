"""Personalization Lambda: ConversationReceived -> ProfileLoaded."""

from aicc.adapters.dynamodb.conversations import DynamoDBConversations
from aicc.adapters.dynamodb.customers import DynamoDBCustomers
from aicc.agents.personalization import Personalization
from aicc.runtime.consumer import message_agent

handler = message_agent("personalization", Personalization(DynamoDBCustomers(), DynamoDBConversations()))
