"""The choreography manifest: who consumes which pattern, who emits what, what a reply waits for.

It lives here once. The embedded stack provisions rules and queues from it, Terraform iterates
over its JSON export, the aggregator derives "turn complete" from it, and tests fail on drift.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal

from pydantic import Field, model_validator

from contracts.common import Contract
from contracts.events import EVENT_MODELS
from contracts.sizing import memory_mb

BUS_NAME = "aicc"
SOURCE_PREFIX = "aicc."


class Subscription(Contract):
    """One EventBridge rule; its target is the agent's queue."""

    name: str = Field(pattern=r"^[a-z0-9-]+$")
    pattern: dict[str, Any]

    @property
    def detail_types(self) -> list[str]:
        """The detail-types named literally (an operator such as anything-but names none)."""
        return [t for t in self.pattern.get("detail-type", []) if isinstance(t, str)]


class AgentSpec(Contract):
    name: str = Field(pattern=r"^[a-z_]+$")
    handler: str = Field(description="dotted path of the Lambda handler function")
    consumes: list[Subscription] = []
    emits: list[str] = []
    tables: list[str] = Field(default=[], description="DynamoDB tables the agent reads or writes")
    side_effects: bool = Field(
        default=False,
        description="True when a duplicate delivery could repeat an effect; such agents go "
        "through the idempotency store, pure agents are idempotent by construction",
    )
    dedupe: Literal["idempotency_store", "conditional_writes"] = Field(
        default="idempotency_store",
        description="how an agent with side effects repeats none: powertools Idempotency per event, or "
        "its own conditional writes (cheaper when every event is an input, as for analytics)",
    )
    sends_to_own_queue: bool = Field(default=False, description="the aggregator's turn deadline")
    pushes_to_connections: bool = False
    memory_mb: int = Field(default_factory=lambda data: memory_mb(data["name"]), description="contracts/sizing.py")
    timeout_s: int = 10
    batch_size: int = Field(default=10, ge=1, le=10)
    batching_window_s: int = Field(default=0, ge=0, le=300)
    max_receive_count: int = 5

    @property
    def source(self) -> str:
        return SOURCE_PREFIX + self.name

    @property
    def queue_name(self) -> str:
        return f"{self.name}-queue"

    @property
    def dlq_name(self) -> str:
        return f"{self.name}-dlq"

    @property
    def visibility_timeout_s(self) -> int:
        # AWS advice for event-source mappings: at least six times the function timeout.
        return self.timeout_s * 6

    def rule_name(self, sub: Subscription) -> str:
        return f"{self.name}-{sub.name}"


class Manifest(Contract):
    bus_name: str = BUS_NAME
    producers: dict[str, list[str]] = Field(
        description="publishers that consume no queue (the WebSocket ingress) -> detail-types"
    )
    agents: list[AgentSpec]
    reply_waits_for: list[str] = Field(
        description="result detail-types the aggregator waits for, each only when its producer's "
        "pattern matched an event of the turn"
    )
    turn_deadline_s: int = Field(default=3, ge=1, le=900)

    @model_validator(mode="after")
    def _consistent(self) -> Manifest:
        emitted = {t for types in self.producers.values() for t in types}
        for agent in self.agents:
            emitted.update(agent.emits)
        for detail_type in emitted:
            if detail_type not in EVENT_MODELS:
                raise ValueError(f"{detail_type} has no model in contracts.events")
        for agent in self.agents:
            for sub in agent.consumes:
                for detail_type in sub.detail_types:
                    if detail_type not in emitted:
                        raise ValueError(f"{agent.name} consumes {detail_type}, which nobody emits")
        for detail_type in self.reply_waits_for:
            if detail_type not in emitted:
                raise ValueError(f"the reply waits for {detail_type}, which nobody emits")
        return self

    def agent(self, name: str) -> AgentSpec:
        for agent in self.agents:
            if agent.name == name:
                return agent
        raise KeyError(name)

    def source_of(self, detail_type: str) -> str:
        for name, types in self.producers.items():
            if detail_type in types:
                return SOURCE_PREFIX + name
        for agent in self.agents:
            if detail_type in agent.emits:
                return agent.source
        raise KeyError(detail_type)

    def producers_of(self, detail_type: str) -> list[AgentSpec]:
        return [a for a in self.agents if detail_type in a.emits]


PRODUCERS = {"ingress": ["ConversationReceived"]}


def _emitter_sources(detail_types: tuple[str, ...]) -> list[str]:
    sources = set()
    for detail_type in detail_types:
        for name, types in PRODUCERS.items():
            if detail_type in types:
                sources.add(SOURCE_PREFIX + name)
        for name, emits in _EMITS.items():
            if detail_type in emits:
                sources.add(SOURCE_PREFIX + name)
    return sorted(sources)


def on(name: str, *detail_types: str, detail: dict[str, Any] | None = None) -> Subscription:
    """A rule for these detail-types, pinned to the sources allowed to emit them."""
    sources = _emitter_sources(detail_types)
    if not sources:
        raise ValueError(f"nobody emits {detail_types}")
    pattern: dict[str, Any] = {
        "source": sources,
        "detail-type": list(detail_types),
    }
    if detail:
        pattern["detail"] = detail
    return Subscription(name=name, pattern=pattern)


# Who emits what: needed before the agents are declared so patterns can pin sources.
_EMITS: dict[str, list[str]] = {
    "intent": ["IntentDetected"],
    "sentiment": ["SentimentAnalyzed"],
    "knowledge": ["KnowledgeRetrieved"],
    "personalization": ["ProfileLoaded"],
    "routing": ["RouteDecided"],
    "cockpit": ["CockpitGuidance"],
    "recommendations": ["RecommendationsMade"],
    "cdh": ["InsightsComputed"],
    "marketing": ["OfferGenerated"],
    "servicing": ["ServiceActionTaken"],
    "response": ["ResponseComposed"],
    "analytics": ["AnalyticsRecorded"],
    # ConversationReceived too: a message relayed to a staff member who did not answer it in time,
    # handed to the agents (aicc.agents.relay).
    "aggregator": ["TurnAssembled", "ReplySent", "ConversationReceived"],
}

# Every agent the reply waits for reacts to ConversationReceived itself, so the reply waits for two
# bus hops: the message to the agents, their results to the aggregator. Each answers every message
# (`relevant: false` when it has nothing to add), so a turn is complete as soon as all are here.
REPLY_WAITS_FOR = [
    "IntentDetected",
    "SentimentAnalyzed",
    "KnowledgeRetrieved",
    "ProfileLoaded",
    "CockpitGuidance",
    "RecommendationsMade",
    "InsightsComputed",
    "ServiceActionTaken",
]

# The buying intents: marketing's rule filters on them, recommendations act on them.
BUYING = ["purchase_inquiry", "test_drive", "trade_in", "financing", "parts_accessories"]


@cache
def manifest() -> Manifest:
    received = on("conversation", "ConversationReceived")
    agents = [
        AgentSpec(name="intent", handler="handlers.intent.handler", consumes=[received], emits=_EMITS["intent"]),
        AgentSpec(
            name="sentiment", handler="handlers.sentiment.handler", consumes=[received], emits=_EMITS["sentiment"]
        ),
        AgentSpec(
            name="knowledge", handler="handlers.knowledge.handler", consumes=[received], emits=_EMITS["knowledge"]
        ),
        AgentSpec(
            name="personalization",
            handler="handlers.personalization.handler",
            consumes=[received],
            emits=_EMITS["personalization"],
            tables=["customers", "conversations"],
        ),
        AgentSpec(
            name="routing",
            handler="handlers.routing.handler",
            # Its rules also run in the aggregator, on the reply's path; this is the decision of record.
            consumes=[on("assembled", "TurnAssembled")],
            emits=_EMITS["routing"],
        ),
        AgentSpec(
            name="cockpit",
            handler="handlers.cockpit.handler",
            consumes=[received],
            emits=_EMITS["cockpit"],
            tables=["customers"],
        ),
        AgentSpec(
            name="recommendations",
            handler="handlers.recommendations.handler",
            consumes=[received],
            emits=_EMITS["recommendations"],
            tables=["customers"],
        ),
        AgentSpec(
            name="cdh",
            handler="handlers.cdh.handler",
            consumes=[received],
            emits=_EMITS["cdh"],
            tables=["customers", "appointments"],
        ),
        AgentSpec(
            name="marketing",
            handler="handlers.marketing.handler",
            # Only buying intents, a mood that is not negative, and a turn the bot keeps: never
            # during complaints, roadside events or a handoff to a person. Off the reply's path: the
            # offer follows the reply.
            consumes=[
                on(
                    "buying-mood",
                    "RouteDecided",
                    detail={
                        "intent": BUYING,
                        "sentiment": [{"anything-but": ["negative"]}],
                        "route": {"kind": ["bot"]},
                    },
                )
            ],
            emits=_EMITS["marketing"],
            tables=["customers", "offers", "idempotency"],
            side_effects=True,
        ),
        AgentSpec(
            name="servicing",
            handler="handlers.servicing.handler",
            consumes=[received],
            emits=_EMITS["servicing"],
            tables=["appointments", "conversations", "customers", "idempotency"],
            side_effects=True,
        ),
        AgentSpec(
            name="response",
            handler="handlers.response.handler",
            # Its composition also runs in the aggregator, on the reply's path; this is the reply of record.
            consumes=[on("assembled", "TurnAssembled")],
            emits=_EMITS["response"],
        ),
        AgentSpec(
            name="analytics",
            handler="handlers.analytics.handler",
            consumes=[
                Subscription(
                    name="everything",
                    pattern={
                        "source": [{"prefix": SOURCE_PREFIX}],
                        "detail-type": [{"anything-but": ["AnalyticsRecorded"]}],
                    },
                )
            ],
            emits=_EMITS["analytics"],
            tables=["analytics"],
            side_effects=True,
            dedupe="conditional_writes",
            # Off the reply's path: wait up to a second to fill batches of ten (one write per batch).
            batching_window_s=1,
        ),
        AgentSpec(
            name="aggregator",
            handler="handlers.aggregator.handler",
            consumes=[
                on("turn", "ConversationReceived", *REPLY_WAITS_FOR),
                # After the reply: an offer goes to the customer as a follow-up frame.
                on("offer", "OfferGenerated", detail={"eligible": [True]}),
            ],
            emits=_EMITS["aggregator"],
            tables=["turns", "connections", "conversations"],
            sends_to_own_queue=True,
            pushes_to_connections=True,
        ),
    ]
    return Manifest(producers=PRODUCERS, agents=agents, reply_waits_for=REPLY_WAITS_FOR)
