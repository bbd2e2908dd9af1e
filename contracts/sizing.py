"""Memory per Lambda function, and which functions a reply waits for: the one table.

Terraform reads it from terraform/functions.json (scripts/generate_contracts.py) for every function
it deploys, the agents' and the WebSocket handlers'; the manifest's `AgentSpec.memory_mb` is taken
from it, so the embedded stack and the bench's cost model use the same figures.

Lambda allocates CPU in proportion to memory: 1,769 MB is one full vCPU, 256 MB about 0.145 vCPU
(https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html). A reply waits for every
function marked `reply_path`, so each of those gets a whole vCPU and, on AWS, SnapStart (a snapshot
taken after module init, restored instead of a cold init). Elsewhere nobody waits on the CPU: memory
would buy a faster record at the same GB-seconds per unit of work, and the functions mostly wait on
DynamoDB, where memory buys nothing.
"""

from __future__ import annotations

from typing import NamedTuple

ONE_VCPU_MB = 1769


class Sizing(NamedTuple):
    memory_mb: int
    reply_path: bool


def _reply_path() -> Sizing:
    return Sizing(ONE_VCPU_MB, reply_path=True)


FUNCTIONS: dict[str, Sizing] = {
    # The reply path: the ingress publishes, the agents answer ConversationReceived, the aggregator
    # completes the turn and pushes; staff replies go out through ws_staff.
    "ws_ingress": _reply_path(),
    "intent": _reply_path(),
    "sentiment": _reply_path(),
    "knowledge": _reply_path(),
    "personalization": _reply_path(),
    "cdh": _reply_path(),
    "cockpit": _reply_path(),
    "recommendations": _reply_path(),
    "servicing": _reply_path(),
    "aggregator": _reply_path(),
    "ws_staff": _reply_path(),
    # Records of a turn already answered (RouteDecided, ResponseComposed): nobody waits for them.
    "routing": Sizing(512, reply_path=False),
    "response": Sizing(512, reply_path=False),
    # The offer arrives as a follow-up frame after the reply: seen, but outside the reply's budget.
    "marketing": Sizing(1024, reply_path=False),
    # One batched write per ten events, a second's batching window: throughput, not latency.
    "analytics": Sizing(256, reply_path=False),
    # Once per connection, before the first message: a JWT check and one DynamoDB write.
    "ws_authorizer": Sizing(512, reply_path=False),
    "ws_connect": Sizing(512, reply_path=False),
    # After the socket closed: nobody is there to wait.
    "ws_disconnect": Sizing(256, reply_path=False),
    # Staff and customer pages reading a conversation: a person waits, but for a page, not a reply;
    # the assist reads the knowledge index, which builds at init.
    "ws_read": Sizing(1024, reply_path=False),
    # The dashboard's figures: a few reads of daily counters.
    "http_stats": Sizing(256, reply_path=False),
}


def memory_mb(function: str) -> int:
    try:
        return FUNCTIONS[function].memory_mb
    except KeyError:
        raise KeyError(f"{function} has no row in contracts/sizing.py FUNCTIONS") from None
