"""Response generation Lambda: TurnAssembled -> ResponseComposed (grounded templates)."""

from aicc.agents.compose import answer
from aicc.runtime.consumer import single_input_agent
from contracts.events import TurnAssembled

handler = single_input_agent("response", TurnAssembled, answer)
