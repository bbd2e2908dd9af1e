"""Routing Lambda: TurnAssembled -> RouteDecided, the routing decision of record.

The aggregator runs the same rules on the reply's path (routing is a pure function of the turn's
intent and sentiment), so the customer never waits for this hop; this agent publishes the decision
from the very results the reply was composed from, for marketing, analytics and traces.
"""

from aicc.agents.routing import decide_assembled
from aicc.runtime.consumer import single_input_agent
from contracts.events import TurnAssembled

handler = single_input_agent("routing", TurnAssembled, decide_assembled)
