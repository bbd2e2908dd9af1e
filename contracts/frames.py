"""WebSocket frames (docs/protocol.md). Clients depend on these: change them only additively."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, TypeAdapter

from contracts.common import Contract, QuickAction, Route, Source
from contracts.text import PlainText

# API Gateway refuses frames above 32 KB; the text cap keeps a message well inside it.
MAX_FRAME_BYTES = 32 * 1024
MAX_TEXT_CHARS = 4000

_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$"

ErrorCode = Literal[
    "invalid_frame",
    "message_too_large",
    "unknown_action",
    "forbidden",
    "not_found",
    "conflict",
    "internal",
    "throttled",
    "busy",
]


class SendMessage(Contract):
    """Client -> server, routed on `action` (`$request.body.action`)."""

    action: Literal["sendMessage"]
    text: PlainText = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    client_message_id: str = Field(pattern=_ID)
    conversation_id: str | None = Field(default=None, pattern=_ID)


class AckFrame(Contract):
    type: Literal["ack"] = "ack"
    client_message_id: str
    conversation_id: str
    turn_id: str


class ReplyFrame(Contract):
    type: Literal["reply"] = "reply"
    conversation_id: str
    turn_id: str
    client_message_id: str
    text: str
    quick_actions: list[QuickAction] = []
    suggestions: list[str] = []
    route: Route = Route()
    degraded: bool = False
    sources: list[Source] = []


class OfferFrame(Contract):
    """A follow-up to a reply: an offer for a customer who is shopping. It comes after the reply of
    the turn it follows, at most once; a client that does not know the type may ignore it."""

    type: Literal["offer"] = "offer"
    conversation_id: str
    turn_id: str = Field(description="the turn whose reply this follows")
    offer_id: str
    headline: str
    body: str
    terms: str
    valid_until: str
    sources: list[Source] = []


class ErrorFrame(Contract):
    type: Literal["error"] = "error"
    code: ErrorCode
    message: str
    client_message_id: str | None = None
    retry_after_s: float | None = Field(
        default=None, description="`busy`: send the same frame again after this many seconds"
    )


# --- human handoff: staff (role dealer or oem_staff) actions and what both sides receive --------


class ListQueue(Contract):
    """Staff -> server: the handed-off conversations this staff member may see."""

    action: Literal["listQueue"]


class TakeConversation(Contract):
    action: Literal["takeConversation"]
    conversation_id: str = Field(pattern=_ID)


class StaffReply(Contract):
    action: Literal["staffReply"]
    conversation_id: str = Field(pattern=_ID)
    text: PlainText = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    client_message_id: str = Field(pattern=_ID)


class HandBack(Contract):
    """Staff -> server: the bot answers this conversation again."""

    action: Literal["handBack"]
    conversation_id: str = Field(pattern=_ID)


class QueueEntry(Contract):
    conversation_id: str
    customer_id: str
    queue: str
    priority: Literal["low", "normal", "high", "urgent"]
    since: str
    status: Literal["waiting", "taken"]
    dealer_id: str | None = None
    agent_id: str | None = None
    last_message: str | None = None


class QueueFrame(Contract):
    type: Literal["queue"] = "queue"
    conversations: list[QueueEntry] = []


class HandoffFrame(Contract):
    """To the customer (and the staff member): who answers this conversation now."""

    type: Literal["handoff"] = "handoff"
    conversation_id: str
    status: Literal["queued", "taken", "returned"]
    queue: str | None = None
    agent_id: str | None = None
    text: str


class MessageFrame(Contract):
    """A message between a customer and the staff member who took the conversation."""

    type: Literal["message"] = "message"
    conversation_id: str
    sender: Literal["customer", "staff"]
    sender_id: str
    text: str
    at: str
    client_message_id: str | None = None


# --- reading a conversation: transcript (customer or staff), customer panel and assist (staff) ----


class GetTranscript(Contract):
    """Customer (their own conversation) or staff (one they may see) -> server: the whole history."""

    action: Literal["getTranscript"]
    conversation_id: str = Field(pattern=_ID)


class GetCustomerPanel(Contract):
    """Staff -> server: who the customer is (vehicles, recalls, warranty, appointments, consent)."""

    action: Literal["getCustomerPanel"]
    conversation_id: str = Field(pattern=_ID)


class GetAssist(Contract):
    """Staff -> server: suggested replies from the knowledge base and what the assistant did so far."""

    action: Literal["getAssist"]
    conversation_id: str = Field(pattern=_ID)


class TranscriptHandoff(Contract):
    status: Literal["none", "queued", "taken"] = "none"
    queue: str | None = None
    agent_id: str | None = None


class TranscriptEntry(Contract):
    at: str
    turn_id: str | None = None
    sender: Literal["customer", "assistant", "staff"]
    sender_id: str | None = None
    text: str
    shown_as: str | None = Field(
        default=None,
        description="a customer message sent by a quick action: the button's label, which is what the "
        "customer chose (`text` is the action behind it, e.g. a slot id)",
    )
    client_message_id: str | None = None
    quick_actions: list[QuickAction] = []
    sources: list[Source] = []
    degraded: bool = False
    intent: str | None = Field(default=None, description="staff only: the turn's intent (customer turns)")
    sentiment: str | None = Field(default=None, description="staff only: the turn's sentiment (customer turns)")
    route: Route | None = Field(default=None, description="staff only: where the turn's reply routed it")


class TranscriptFrame(Contract):
    type: Literal["transcript"] = "transcript"
    conversation_id: str
    customer_id: str
    handoff: TranscriptHandoff = TranscriptHandoff()
    entries: list[TranscriptEntry] = Field(default=[], description="in time order")
    truncated: bool = Field(
        default=False,
        description="earlier entries were left out: the frame holds the latest ones that fit in one WebSocket message",
    )


class PanelRecall(Contract):
    id: str
    title: str


class PanelWarranty(Contract):
    coverage: str
    status: Literal["active", "expired"]
    until: str | None = None


class PanelVehicle(Contract):
    vin: str
    model: str
    year: int
    open_recalls: list[PanelRecall] = []
    warranty: list[PanelWarranty] = []


class PanelAppointment(Contract):
    appointment_id: str
    kind: Literal["service", "test_drive"]
    dealer_id: str
    start: str
    vin: str | None = None


class CustomerPanelFrame(Contract):
    type: Literal["customer_panel"] = "customer_panel"
    conversation_id: str
    customer_id: str
    name: str | None = None
    marketing_consent: bool = False
    vehicles: list[PanelVehicle] = []
    appointments: list[PanelAppointment] = []


class AssistSuggestion(Contract):
    text: str
    sources: list[Source] = []


class AssistFrame(Contract):
    type: Literal["assist"] = "assist"
    conversation_id: str
    summary: str
    suggestions: list[AssistSuggestion] = []


ServerFrame = Annotated[
    AckFrame
    | ReplyFrame
    | OfferFrame
    | ErrorFrame
    | QueueFrame
    | HandoffFrame
    | MessageFrame
    | TranscriptFrame
    | CustomerPanelFrame
    | AssistFrame,
    Field(discriminator="type"),
]
SERVER_FRAME = TypeAdapter(ServerFrame)

# Route keys of the WebSocket API: the embedded gateway and Terraform both read this table.
# value: (handler, has a route response, i.e. the integration's body is sent back to the client)
WEBSOCKET_ROUTES: dict[str, tuple[str, bool]] = {
    "$connect": ("handlers.ws_connect.handler", False),
    "$disconnect": ("handlers.ws_disconnect.handler", False),
    "sendMessage": ("handlers.ws_ingress.handler", True),
    "$default": ("handlers.ws_ingress.handler", True),
    "listQueue": ("handlers.ws_staff.handler", True),
    "takeConversation": ("handlers.ws_staff.handler", True),
    "staffReply": ("handlers.ws_staff.handler", True),
    "handBack": ("handlers.ws_staff.handler", True),
    "getTranscript": ("handlers.ws_read.handler", True),
    "getCustomerPanel": ("handlers.ws_read.handler", True),
    "getAssist": ("handlers.ws_read.handler", True),
}
WEBSOCKET_AUTHORIZER = "handlers.ws_authorizer.handler"
ROUTE_SELECTION_EXPRESSION = "$request.body.action"

FRAME_MODELS = {
    m.__name__: m
    for m in (
        SendMessage,
        AckFrame,
        ReplyFrame,
        OfferFrame,
        ErrorFrame,
        ListQueue,
        TakeConversation,
        StaffReply,
        HandBack,
        QueueFrame,
        HandoffFrame,
        MessageFrame,
        GetTranscript,
        GetCustomerPanel,
        GetAssist,
        TranscriptFrame,
        CustomerPanelFrame,
        AssistFrame,
    )
}
