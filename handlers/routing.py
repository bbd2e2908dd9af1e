"""Routing Lambda: IntentDetected + SentimentAnalyzed of one turn -> RouteDecided.

The two arrive in any order, from different agents; a join over the turn store pairs them, with
one write when both arrive in one batch. Whichever delivery completes the pair decides. A
duplicate delivery may decide again: the decision is a pure function of the pair, and the
coordinator keeps the first RouteDecided of a turn.
"""

from aicc.adapters.dynamodb.turns import DynamoDBTurnStore
from aicc.agents.routing import decide_pair
from aicc.runtime.consumer import joining_agent
from aicc.runtime.joins import BatchJoin

handler = joining_agent("routing", BatchJoin("routing", DynamoDBTurnStore), decide_pair)
