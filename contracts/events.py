"""Event `detail` models for every event on the bus.

The EventBridge envelope carries `source = aicc.<producer>` and `detail-type = <class name>`;
`detail` is one of these models. Every detail starts with the same `meta` block so a consumer
can correlate (turn, conversation) and follow causation without knowing the event type.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from contracts.common import (
    Contract,
    DialogState,
    Entities,
    Intent,
    IntentScore,
    QuickAction,
    Role,
    Route,
    SentimentLabel,
    Source,
    Urgency,
)

SCHEMA_VERSION = "1"


class EventMeta(Contract):
    turn_id: str
    conversation_id: str
    customer_id: str
    causation_id: str = Field(description="id of the event (or WebSocket request) this one reacts to")
    producer: str = Field(description="agent name, e.g. 'intent'")
    schema_version: str = SCHEMA_VERSION
    occurred_at: datetime
    flow: str | None = Field(
        default=None,
        description="the conversation's active multi-turn flow (e.g. 'servicing') when the turn began; "
        "rules use it so a follow-up like 'the second one' reaches the agent that asked",
    )
    replay: str | None = Field(
        default=None,
        description="the archive replay this event belongs to: set on everything derived from a replayed "
        "event, so a replay never reaches a customer, books, offers or counts twice",
    )


class EventDetail(Contract):
    meta: EventMeta


# --- ingress ------------------------------------------------------------------------------------


class ConversationReceived(EventDetail):
    """A customer (or staff) message accepted by the WebSocket ingress."""

    text: str = Field(min_length=1, max_length=4000)
    client_message_id: str
    connection_id: str
    role: Role = "customer"
    dealer_id: str | None = None
    locale: str | None = None
    dialog: DialogState = Field(default=DialogState(), description="the conversation so far, as the ingress read it")
    typed: str | None = Field(
        default=None,
        description="what the customer typed, when `text` is that follow-up resolved against the conversation "
        "('what about the other one?' -> the previous question about the other vehicle)",
    )
    deadline_scheduled: bool = Field(
        default=False,
        description="True when the ingress already scheduled the turn's deadline (on the deadline queue, "
        "clear of any backlog); otherwise the aggregator schedules it",
    )


# --- analysis agents ----------------------------------------------------------------------------


class IntentDetected(EventDetail):
    text: str = Field(description="the message classified: agents that act on details (slot choices, budget) read it")
    intent: Intent
    confidence: float = Field(ge=0.0, le=1.0)
    entities: Entities = Entities()
    alternatives: list[IntentScore] = []
    purchase_ready: bool = Field(default=False, description="cues that the customer is ready to buy now")
    model: str = Field(description="which classifier answered, e.g. 'local-linear/3' or 'bedrock/claude'")


class SentimentAnalyzed(EventDetail):
    label: SentimentLabel
    score: float = Field(ge=-1.0, le=1.0)
    urgency: Urgency
    cues: list[str] = Field(default=[], description="the words or phrases that drove the score")
    model: str


class RouteDecided(EventDetail):
    route: Route
    reason: str
    # What the decision was made from, so later rules can filter on it (e.g. marketing).
    intent: Intent
    sentiment: SentimentLabel
    urgency: Urgency


class Passage(Contract):
    doc_id: str
    title: str
    text: str
    uri: str
    score: float
    section: str | None = None
    kind: str | None = Field(default=None, description="manual, faq or policy")
    models: list[str] = Field(default=[], description="models the passage applies to; empty: all")
    model_years: list[int] = Field(default=[], description="model years it applies to; empty: all")


class KnowledgeRetrieved(EventDetail):
    query: str
    passages: list[Passage] = []
    provider: str


class Vehicle(Contract):
    vin: str
    model: str
    model_year: int
    trim: str | None = None
    mileage: int | None = None
    mileage_unit: Literal["km", "mi"] = "mi"
    purchase_date: str | None = None


class CustomerProfile(Contract):
    customer_id: str
    name: str
    language: str = "en"
    preferred_dealer: str | None = None
    marketing_consent: bool = False
    household_size: int | None = None
    segment: str | None = None


class HistoryItem(Contract):
    turn_id: str
    text: str
    reply: str | None = None
    intent: Intent | None = None
    at: datetime


class ProfileLoaded(EventDetail):
    known: bool = Field(description="False when no customer record exists for the sender")
    profile: CustomerProfile | None = None
    vehicles: list[Vehicle] = []
    history: list[HistoryItem] = []


# --- action agents (issue P2 brings their handlers; the contracts are fixed now) ----------------


class CockpitGuidance(EventDetail):
    topic: str
    model: str | None = None
    model_year: int | None = None
    steps: list[str] = []
    severity: Literal["info", "caution", "warning", "critical"] | None = None
    safe_to_drive: bool | None = None
    sources: list[Source] = []
    relevant: bool = Field(
        default=True,
        description="False: nothing to add to this message. The agent answers every message, so the "
        "aggregator never waits for a result that is not coming",
    )


class Recommendation(Contract):
    kind: Literal["model", "trim", "accessory", "service_plan"]
    sku: str
    name: str
    price: float | None = None
    currency: str = "USD"
    score: float
    reason: str


class RecommendationsMade(EventDetail):
    items: list[Recommendation] = []
    sources: list[Source] = []
    relevant: bool = Field(
        default=True,
        description="False: nothing to add to this message. The agent answers every message, so the "
        "aggregator never waits for a result that is not coming",
    )


class RecallNotice(Contract):
    recall_id: str
    vin: str
    title: str
    remedy: str
    severity: Literal["low", "medium", "high", "critical"]


class WarrantyStatus(Contract):
    vin: str
    coverage: str
    expires_on: str | None = None
    expires_at_mileage: int | None = None
    expiring_soon: bool = False
    code: str | None = Field(
        default=None,
        description="the coverage's code in the warranty terms: basic, powertrain, ev_battery, corrosion...",
    )
    term_months: int | None = Field(default=None, description="how long the coverage lasts from the in-service date")
    ended_by: Literal["date", "mileage"] | None = Field(
        default=None,
        description="set once the coverage has ended: the limit reached first (the date, or the mileage limit "
        "against the vehicle's odometer)",
    )


class ServiceDue(Contract):
    vin: str
    service: str
    due_at_mileage: int | None = None
    due_on: str | None = None
    overdue: bool = False


class NextBestAction(Contract):
    action: str
    reason: str


class VehicleFacts(Contract):
    """A vehicle the message is about, with its specifications from the catalog."""

    vin: str | None = Field(default=None, description="None for a model the customer named but does not own")
    model: str
    model_year: int | None = None
    trim: str | None = None
    powertrain: Literal["gasoline", "hybrid", "plug_in_hybrid", "electric"] | None = None
    mileage: int | None = Field(default=None, description="the odometer, in miles")
    seats: int | None = None
    towing_lb: int | None = Field(default=None, description="rated towing capacity; 0: not approved for towing")
    range_miles: int | None = Field(
        default=None, description="EPA-estimated range on electricity on a full charge (electric and plug-in cars)"
    )
    named: bool = Field(default=False, description="the message named this vehicle (its model, VIN or body type)")
    sources: list[Source] = Field(default=[], description="where the specifications asked about are published")
    price: int | None = Field(default=None, description="the trim's starting price (MSRP, USD), for a catalog vehicle")
    looked_up: bool = Field(
        default=False, description="a vehicle the customer asked about by its VIN that is not theirs (e.g. a used car)"
    )


AskedFact = Literal["recalls", "warranty", "maintenance", "towing", "range", "seats", "price"]


class InsightsComputed(EventDetail):
    open_recalls: list[RecallNotice] = []
    warranty: list[WarrantyStatus] = Field(default=[], description="coverages still in force")
    service_due: list[ServiceDue] = []
    churn_risk: float = Field(ge=0.0, le=1.0)
    lifetime_value: float = Field(ge=0.0)
    next_best_action: NextBestAction | None = None
    sources: list[Source] = []
    asked: list[AskedFact] = Field(
        default=[], description="the facts below that the message asked for (empty: it asked none of them)"
    )
    asked_coverage: str | None = Field(
        default=None,
        description="the warranty coverage (code) of the part the message named, e.g. a transmission: powertrain",
    )
    asked_service: str | None = Field(
        default=None,
        description="the scheduled service the message named, e.g. oil_change (whether or not the car has it)",
    )
    vehicles: list[VehicleFacts] = Field(
        default=[],
        description="every vehicle the customer owns (each checked for recalls: one without a RecallNotice has none "
        "open), then a model the message named that they do not own",
    )
    warranty_ended: list[WarrantyStatus] = Field(default=[], description="coverages that have ended")
    next_service: list[ServiceDue] = Field(
        default=[],
        description="for a maintenance question: the next occurrence of the service asked about, or of the "
        "vehicle's soonest scheduled services, however far ahead",
    )


class Offer(Contract):
    offer_id: str
    headline: str
    body: str
    terms: str
    valid_until: str


class OfferGenerated(EventDetail):
    """Always published once the agent is triggered; `offer` is None when the customer isn't eligible."""

    eligible: bool
    reason: str
    offer: Offer | None = None
    sources: list[Source] = []


class Slot(Contract):
    slot_id: str
    dealer_id: str
    start: datetime
    bay: str | None = None


class Appointment(Contract):
    appointment_id: str
    kind: Literal["service", "test_drive"]
    slot: Slot
    service_type: str | None = None
    vin: str | None = None
    model: str | None = None
    status: Literal["booked", "cancelled"]


class ServiceActionTaken(EventDetail):
    action: Literal["slots_offered", "booked", "rescheduled", "cancelled", "needs_info", "unavailable", "none"]
    kind: Literal["service", "test_drive"]
    slots: list[Slot] = []
    appointment: Appointment | None = None
    missing: list[str] = Field(default=[], description="slots still to fill, e.g. ['dealer', 'date']")
    notices: list[str] = Field(
        default=[],
        description="what the reply must say besides the action, as '<kind>:<detail>': closed:<date> (the "
        "dealer is closed that day), horizon:<date> (past the booking window), hours:<date> (outside that "
        "day's opening hours), unsuited:<service>:<model>:<powertrain> (a service the car does not have)",
    )
    sources: list[Source] = []
    relevant: bool = Field(
        default=True,
        description="False: nothing to add to this message. The agent answers every message, so the "
        "aggregator never waits for a result that is not coming",
    )


# --- composition and delivery -------------------------------------------------------------------


class ResponseComposed(EventDetail):
    text: str = Field(min_length=1)
    route: Route = Route()
    quick_actions: list[QuickAction] = []
    suggestions: list[str] = []
    sources: list[Source] = []
    language: str = "en"
    degraded: bool = False
    contributors: list[str] = []
    said: list[str] = Field(
        default=[], description="what this reply said that a conversation hears once (see DialogState.said)"
    )


class TurnResults(Contract):
    """The results of one turn: one optional field per event type a turn joins.

    On the wire an object keyed by detail-type (`{"IntentDetected": {...}}`) holding only the
    results present, so a consumer that knows the types reads fields, and one that is driven by
    the manifest (turn completeness) reads `detail(detail_type)`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True, serialize_by_alias=True)

    conversation_received: ConversationReceived | None = Field(default=None, alias="ConversationReceived")
    intent_detected: IntentDetected | None = Field(default=None, alias="IntentDetected")
    sentiment_analyzed: SentimentAnalyzed | None = Field(default=None, alias="SentimentAnalyzed")
    route_decided: RouteDecided | None = Field(default=None, alias="RouteDecided")
    knowledge_retrieved: KnowledgeRetrieved | None = Field(default=None, alias="KnowledgeRetrieved")
    profile_loaded: ProfileLoaded | None = Field(default=None, alias="ProfileLoaded")
    cockpit_guidance: CockpitGuidance | None = Field(default=None, alias="CockpitGuidance")
    recommendations_made: RecommendationsMade | None = Field(default=None, alias="RecommendationsMade")
    insights_computed: InsightsComputed | None = Field(default=None, alias="InsightsComputed")
    offer_generated: OfferGenerated | None = Field(default=None, alias="OfferGenerated")
    service_action_taken: ServiceActionTaken | None = Field(default=None, alias="ServiceActionTaken")
    response_composed: ResponseComposed | None = Field(default=None, alias="ResponseComposed")

    @model_serializer(mode="wrap")
    def _present_only(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return {name: value for name, value in handler(self).items() if value is not None}

    @classmethod
    def detail_types(cls) -> tuple[str, ...]:
        """Every detail-type a turn's results can hold."""
        return tuple(field.alias for field in cls.model_fields.values() if field.alias)

    @classmethod
    def of(cls, details: Mapping[str, Mapping[str, Any]]) -> TurnResults:
        """From detail-type -> detail (JSON), as a join records them."""
        return cls.model_validate(details)

    def present(self) -> list[str]:
        """The detail-types held, in field order."""
        return [field.alias for name, field in type(self).model_fields.items() if field.alias and getattr(self, name)]

    def get(self, detail_type: str) -> EventDetail | None:
        """The result of this detail-type (for code driven by the manifest, not by agent names)."""
        return getattr(self, _FIELD_OF[detail_type], None) if detail_type in _FIELD_OF else None

    def adding(self, detail: EventDetail) -> TurnResults:
        """With `detail` added, unless a result of its type is here (the first copy stands)."""
        name = _FIELD_OF[type(detail).__name__]
        return self if getattr(self, name) is not None else self.model_copy(update={name: detail})

    def without(self, *detail_types: str) -> TurnResults:
        return self.model_copy(update={_FIELD_OF[t]: None for t in detail_types})

    def contributions(self) -> TurnResults:
        """Without the results of agents that had nothing to add (`relevant` False)."""
        idle = [t for t in self.present() if getattr(self.get(t), "relevant", True) is False]
        return self.without(*idle)


_FIELD_OF: dict[str, str] = {
    field.alias: name for name, field in TurnResults.model_fields.items() if field.alias is not None
}


class TurnAssembled(EventDetail):
    """The results a turn's reply was composed from: every awaited result (or what had arrived when
    the deadline fired). Published once the reply went out; routing and response generation publish
    their decisions of record from it."""

    results: TurnResults = Field(description="each result of the turn, keyed by detail-type")
    missing: list[str] = []
    degraded: bool = False


class TurnDeadline(EventDetail):
    """Sent by the aggregator to its own queue with a delay: the turn must be answered by now."""

    deadline_s: int = Field(ge=0, le=900)
    received: ConversationReceived | None = Field(
        default=None,
        description="the turn's message, when the ingress scheduled the deadline: the aggregator can answer "
        "on time even while the message still waits in its queue",
    )
    relayed_to: str | None = Field(
        default=None,
        description="a relay's deadline: the staff member the message went to; when they have not answered "
        "it by then, the conversation goes back to its queue and the assistant answers `received`",
    )


class ReplySent(EventDetail):
    text: str
    route: Route
    quick_actions: list[QuickAction] = []
    suggestions: list[str] = []
    sources: list[Source] = []
    degraded: bool = False
    missing: list[str] = Field(default=[], description="awaited results that had not arrived")
    contributors: list[str] = Field(default=[], description="detail-types that shaped the reply")
    delivered: bool = Field(description="False when the connection was gone (410) or the turn was a replay")
    deadline_fired: bool = Field(default=False, description="the turn's deadline, not completion, sent the reply")
    latency_ms: float = Field(ge=0.0, description="ConversationReceived.occurred_at -> push")
    booked: Literal["service", "test_drive"] | None = Field(
        default=None,
        description="the kind of appointment the turn made: analytics counts bookings from the reply, "
        "which needs no other event to have reached it first",
    )


class AnalyticsRecorded(EventDetail):
    intent: Intent | None = None
    sentiment: SentimentLabel | None = None
    route: Route | None = None
    latency_ms: float | None = None
    agent_latency_ms: dict[str, float] = {}
    contributors: list[str] = []
    degraded: bool = False


EVENT_MODELS: dict[str, type[EventDetail]] = {
    model.__name__: model
    for model in (
        ConversationReceived,
        IntentDetected,
        SentimentAnalyzed,
        RouteDecided,
        KnowledgeRetrieved,
        ProfileLoaded,
        CockpitGuidance,
        RecommendationsMade,
        InsightsComputed,
        OfferGenerated,
        ServiceActionTaken,
        TurnAssembled,
        ResponseComposed,
        TurnDeadline,
        ReplySent,
        AnalyticsRecorded,
    )
}
