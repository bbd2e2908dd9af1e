"""Response generation Lambda: TurnAssembled -> ResponseComposed, the reply of record.

The aggregator composes with the same code on the reply's path; this agent publishes the
composition from the very results the reply was composed from (replay diffs and audits read it).
"""

from aicc.agents.compose import answer
from aicc.runtime.consumer import single_input_agent
from contracts.events import TurnAssembled

handler = single_input_agent("response", TurnAssembled, answer)
