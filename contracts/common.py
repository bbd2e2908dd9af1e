"""Value types shared by events and WebSocket frames."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Intent = Literal[
    "service_booking",
    "vehicle_feature_help",
    "vehicle_problem",
    "roadside_assistance",
    "recall_inquiry",
    "warranty_inquiry",
    "purchase_inquiry",
    "test_drive",
    "financing",
    "trade_in",
    "parts_accessories",
    "complaint",
    "connected_services",
    "human_agent",
    "greeting",
    "other",
]
INTENTS: tuple[str, ...] = Intent.__args__  # type: ignore[attr-defined]

SentimentLabel = Literal["positive", "neutral", "negative"]
SENTIMENT_LABELS: tuple[str, ...] = SentimentLabel.__args__  # type: ignore[attr-defined]

Urgency = Literal["low", "medium", "high", "critical"]
Role = Literal["customer", "dealer", "oem_staff"]
RouteKind = Literal["bot", "human"]
Priority = Literal["low", "normal", "high", "urgent"]


class Contract(BaseModel):
    """Base of every contract: unknown fields are rejected so drift shows up as an error."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Source(Contract):
    """A citation shown to the user: where a stated fact comes from."""

    title: str
    uri: str


class QuickAction(Contract):
    """A button the client renders; `action` is sent back verbatim as the next message's text."""

    label: str = Field(max_length=80)
    action: str = Field(max_length=200)


class Route(Contract):
    kind: RouteKind = "bot"
    queue: str | None = None
    priority: Priority = "normal"


class Entities(Contract):
    """What the intent agent pulled out of the text; every field is optional."""

    vin: str | None = Field(default=None, pattern=r"^[A-HJ-NPR-Z0-9]{17}$")
    model: str | None = None
    model_year: int | None = Field(default=None, ge=1980, le=2100)
    date: str | None = Field(default=None, description="ISO date (YYYY-MM-DD), resolved against the message time")
    time: str | None = Field(default=None, pattern=r"^\d{2}:\d{2}$")
    mileage: int | None = Field(default=None, ge=0)
    mileage_unit: Literal["km", "mi"] | None = None
    dealer: str | None = None
    location: str | None = None
    warning_light: str | None = None
    service_type: str | None = None
    ordinal: int | None = Field(default=None, ge=1, description="'the second one' -> 2")
    budget: int | None = Field(default=None, ge=0, description="a spending limit the customer named, in USD")


class OwnedVehicle(Contract):
    """One of the customer's vehicles, as the dialog state remembers it ("my other car")."""

    vin: str
    model: str
    model_year: int | None = None


class DialogState(Contract):
    """What a conversation has established so far, kept with the conversation (not the socket) and
    carried in each turn's ConversationReceived, so every agent answers in context."""

    vehicle_vin: str | None = Field(default=None, description="the vehicle in focus")
    model: str | None = Field(default=None, description="the model last discussed")
    warning_light: str | None = Field(default=None, description="the warning light last discussed")
    service_type: str | None = Field(default=None, description="the service last discussed")
    topic: str | None = Field(
        default=None, description="the knowledge passage (doc id) the assistant last cited: what a follow-up asks about"
    )
    last_intent: Intent | None = None
    said: list[str] = Field(
        default=[],
        description="what the assistant has said that is said once per conversation: 'greeting', "
        "'recall:<recall id>', 'handoff:<queue>', 'guidance:<light or feature>'",
    )
    escalation: Route | None = Field(default=None, description="the open handoff to a person, with its priority")
    last_question: str | None = Field(
        default=None,
        description="the customer's last question about a vehicle or a topic, as understood (follow-ups resolved): "
        "what 'and my other car?' or 'how often should i do that?' asks again",
    )
    vehicles: list[OwnedVehicle] = Field(default=[], description="the customer's vehicles, in profile order")


class IntentScore(Contract):
    intent: Intent
    confidence: float = Field(ge=0.0, le=1.0)
