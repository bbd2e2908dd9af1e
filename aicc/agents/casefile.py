"""Reading a conversation: its transcript (the customer, or staff who may see it), the customer
panel and the agent assist (staff only).

Visibility is the staff desk's (`aicc.agents.staffdesk`): `oem_staff` read any conversation; a
`dealer` reads one that is in a queue of their dealership, as the queue lists it. A customer reads
only their own conversations, without the per-turn analysis (intent, sentiment, route).

Everything here is read from the stores the agents already write: the conversation's turns and
human messages, the turn's events in the event log (the reply's buttons and sources, the intent,
sentiment, route and bookings), the customer document and appointments CDH reads, and the
knowledge index the knowledge agent searches.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from aicc.agents.compose import MIN_PASSAGE_SCORE
from aicc.agents.staffdesk import QUEUE_LABELS, STAFF_ROLES, Forbidden, NotFound, Staff
from aicc.data.reference import dealers
from aicc.ports.appointments import Appointments
from aicc.ports.customers import Customers
from aicc.ports.eventlog import EventLog, LoggedEvent
from aicc.ports.handoff import Handoff
from aicc.ports.records import ConversationRecords, StoredConversation, StoredMessage, StoredTurn
from contracts.common import QuickAction, Route, Source
from contracts.events import Passage
from contracts.frames import (
    AssistFrame,
    AssistSuggestion,
    CustomerPanelFrame,
    GetAssist,
    GetCustomerPanel,
    GetTranscript,
    PanelAppointment,
    PanelRecall,
    PanelVehicle,
    PanelWarranty,
    QueueEntry,
    TranscriptEntry,
    TranscriptFrame,
    TranscriptHandoff,
)

ReadAction = GetTranscript | GetCustomerPanel | GetAssist
ReadFrame = TranscriptFrame | CustomerPanelFrame | AssistFrame
Search = Callable[[str, int], list[Passage]]

SUGGESTIONS = 3
# API Gateway delivers a WebSocket message (a route's response included) of up to 128 KB: the
# transcript keeps to this, with room for the frame's other fields.
TRANSCRIPT_BUDGET_BYTES = 96 * 1024
# How many of the customer's last messages the assist searches with.
ASSIST_MESSAGES = 3
# A message no agent saw ("I'm at exit 42") is searched as it is: below this, its best passage is a
# chance match of a word or two, and a person in a hurry is better served by no suggestion.
LIVE_SEARCH_FLOOR = 0.5
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def knowledge_search(query: str, k: int) -> list[Passage]:
    from aicc.knowledge import search_with_provider

    return search_with_provider(query, k=k).passages


def _when(iso: str) -> datetime:
    parsed = datetime.fromisoformat(iso)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class _Turn:
    """A stored turn with its own logged events (a replay's events left out)."""

    stored: StoredTurn
    events: Mapping[str, LoggedEvent]

    def detail(self, detail_type: str) -> dict[str, Any] | None:
        event = self.events.get(detail_type)
        return event.detail if event is not None else None

    @property
    def intent(self) -> str | None:
        detected = self.detail("IntentDetected")
        return str(detected["intent"]) if detected else self.stored.intent

    @property
    def sentiment(self) -> str | None:
        analyzed = self.detail("SentimentAnalyzed")
        return str(analyzed["label"]) if analyzed else None

    @property
    def route(self) -> Route | None:
        for detail_type in ("ReplySent", "RouteDecided"):
            found = self.detail(detail_type)
            if found and found.get("route"):
                return Route.model_validate(found["route"])
        return None


class CaseFile:
    def __init__(
        self,
        records: ConversationRecords,
        handoff: Handoff,
        events: EventLog,
        customers: Customers,
        appointments: Appointments,
        *,
        today: Callable[[], date] = lambda: datetime.now(UTC).date(),
        search: Search = knowledge_search,
    ) -> None:
        self.records = records
        self.handoff = handoff
        self.events = events
        self.customers = customers
        self.appointments = appointments
        self.today = today
        self.search = search

    # --- who may read what ------------------------------------------------------------------------

    def _open(self, conversation_id: str, reader: Staff) -> tuple[StoredConversation, QueueEntry | None]:
        conversation = self.records.read(conversation_id)
        if conversation is None:
            raise NotFound(conversation_id)
        entry = self.handoff.entry(conversation_id)
        if reader.role == "customer":
            if conversation.customer_id != reader.user_id:
                raise Forbidden("that conversation is not yours")
        elif reader.role == "oem_staff":
            pass
        elif reader.role != "dealer" or entry is None or not reader.may_see(entry.dealer_id):
            raise Forbidden(f"{conversation_id} is not in a queue you may see")
        return conversation, entry

    def _turns(self, conversation: StoredConversation) -> list[_Turn]:
        turns = []
        for stored in conversation.turns:
            logged = sorted(self.events.turn(stored.turn_id), key=lambda e: e.occurred_at)
            own = {e.detail_type: e for e in logged if not (e.detail.get("meta") or {}).get("replay")}
            turns.append(_Turn(stored, own))
        return turns

    # --- the actions ------------------------------------------------------------------------------

    def act(self, action: ReadAction, reader: Staff) -> ReadFrame:
        """The frame answering a read action. Raises HandoffError (its `code` is the error frame's)."""
        if isinstance(action, GetTranscript):
            return self.transcript(action.conversation_id, reader)
        if reader.role not in STAFF_ROLES:
            raise Forbidden("staff actions need the dealer or oem_staff role")
        if isinstance(action, GetCustomerPanel):
            return self.customer_panel(action.conversation_id, reader)
        return self.assist(action.conversation_id, reader)

    def transcript(self, conversation_id: str, reader: Staff) -> TranscriptFrame:
        conversation, entry = self._open(conversation_id, reader)
        staff = reader.role in STAFF_ROLES
        # Ordered by when each message was sent, a reply right after its message: a reply's own time
        # (ReplySent is published after the push) can fall after the customer's next message.
        keyed: list[tuple[datetime, int, TranscriptEntry]] = []
        offered: dict[str, str] = {}  # the last reply's quick actions: action -> label
        for turn in self._turns(conversation):
            stored = turn.stored
            shown_as = offered.get(stored.text)
            keyed.append(
                (
                    _when(stored.at),
                    0,
                    TranscriptEntry(
                        at=stored.at,
                        turn_id=stored.turn_id,
                        sender="customer",
                        sender_id=conversation.customer_id,
                        text=stored.text,
                        shown_as=shown_as if shown_as != stored.text else None,
                        client_message_id=stored.client_message_id,
                        intent=turn.intent if staff else None,
                        sentiment=turn.sentiment if staff else None,
                        route=turn.route if staff else None,
                    ),
                )
            )
            sent = turn.detail("ReplySent")
            offered = {q["action"]: q["label"] for q in (sent or {}).get("quick_actions", [])}
            text = (sent or {}).get("text") or stored.reply
            if not text:
                continue  # not answered (yet), or answered by a person
            at = turn.events["ReplySent"].occurred_at.isoformat() if sent else stored.replied_at or stored.at
            keyed.append(
                (
                    _when(stored.at),
                    1,
                    TranscriptEntry(
                        at=at,
                        turn_id=stored.turn_id,
                        sender="assistant",
                        text=text,
                        client_message_id=stored.client_message_id,
                        quick_actions=[QuickAction.model_validate(q) for q in (sent or {}).get("quick_actions", [])],
                        sources=[Source.model_validate(s) for s in (sent or {}).get("sources", [])],
                        degraded=stored.degraded or bool((sent or {}).get("degraded")),
                    ),
                )
            )
        for message in conversation.messages:
            relayed = TranscriptEntry(
                at=message.at,
                sender="staff" if message.sender == "staff" else "customer",
                sender_id=message.sender_id,
                text=message.text,
            )
            keyed.append((_when(message.at), 0, relayed))
        keyed.sort(key=lambda k: (k[0], k[1]))
        entries = latest_that_fit([e for _, _, e in keyed], TRANSCRIPT_BUDGET_BYTES)
        return TranscriptFrame(
            conversation_id=conversation_id,
            customer_id=conversation.customer_id,
            handoff=_handoff(entry),
            entries=entries,
            truncated=len(entries) < len(keyed),
        )

    def customer_panel(self, conversation_id: str, reader: Staff) -> CustomerPanelFrame:
        from aicc.agents.cdh import coverage_status, open_recalls

        conversation, _ = self._open(conversation_id, reader)
        customer = self.customers.get(conversation.customer_id)
        panel = CustomerPanelFrame(conversation_id=conversation_id, customer_id=conversation.customer_id)
        if customer is None:
            return panel  # a sender without a customer record: nothing more is known
        today = self.today()
        vehicles = [
            PanelVehicle(
                vin=str(v["vin"]),
                model=str(v["model"]),
                year=int(v["model_year"]),
                open_recalls=[PanelRecall(id=r["recall_id"], title=r["title"]) for r in open_recalls(v)],
                warranty=[
                    PanelWarranty(
                        coverage=status.coverage,
                        status="active" if status.ended_by is None else "expired",
                        until=status.expires_on,
                    )
                    for status, _ in coverage_status(v, today)
                ],
            )
            for v in customer.get("vehicles", [])
        ]
        # A dealer sees the appointments at their own dealership only, as they see only its queues.
        booked = [
            b.appointment for b in self.appointments.of_customer(conversation.customer_id)
            if b.appointment.status == "booked"
            and (reader.role != "dealer" or b.appointment.slot.dealer_id == reader.dealer_id)
        ]  # fmt: skip
        return panel.model_copy(
            update={
                "name": customer.get("name"),
                "marketing_consent": bool(customer.get("marketing_consent", False)),
                "vehicles": vehicles,
                "appointments": [
                    PanelAppointment(
                        appointment_id=a.appointment_id,
                        kind=a.kind,
                        dealer_id=a.slot.dealer_id,
                        start=a.slot.start.isoformat(),
                        vin=a.vin,
                    )
                    for a in booked
                ],
            }
        )

    def assist(self, conversation_id: str, reader: Staff) -> AssistFrame:
        conversation, entry = self._open(conversation_id, reader)
        turns = self._turns(conversation)
        return AssistFrame(
            conversation_id=conversation_id,
            summary=summarize(turns, entry),
            suggestions=self._suggestions(turns, conversation.messages),
        )

    def _suggestions(self, turns: list[_Turn], messages: list[StoredMessage]) -> list[AssistSuggestion]:
        """Passages for the customer's last messages, the latest first (it is what the person answers
        now): what the knowledge agent retrieved for a turn the assistant answered, a search like its
        own for a message relayed to staff (no agent saw it)."""
        asked: list[tuple[str, _Turn | StoredMessage]] = [(t.stored.at, t) for t in turns]
        asked += [(m.at, m) for m in messages if m.sender == "customer"]
        latest_first = [item for _, item in sorted(asked, key=lambda pair: _when(pair[0]), reverse=True)]
        suggestions: list[AssistSuggestion] = []
        seen: set[tuple[str, str]] = set()
        for item in latest_first[:ASSIST_MESSAGES]:
            retrieved = item.detail("KnowledgeRetrieved") if isinstance(item, _Turn) else None
            found = [Passage.model_validate(p) for p in (retrieved or {}).get("passages", [])]
            floor = MIN_PASSAGE_SCORE  # what a reply would quote from
            if not found:
                found = self.search(item.stored.text if isinstance(item, _Turn) else item.text, SUGGESTIONS)
                floor = LIVE_SEARCH_FLOOR
            for passage in sorted((p for p in found if p.score >= floor), key=lambda p: -p.score):
                key = (passage.uri, passage.section or passage.title)
                if key in seen:
                    continue
                seen.add(key)
                source = Source(title=passage.title, uri=passage.uri)
                suggestions.append(AssistSuggestion(text=excerpt(passage.text), sources=[source]))
                if len(suggestions) == SUGGESTIONS:
                    return suggestions
        return suggestions


def latest_that_fit(entries: list[TranscriptEntry], budget_bytes: int) -> list[TranscriptEntry]:
    """The latest entries whose JSON fits in the budget, in time order (a person reads the end of a
    long case first; the client says earlier ones were left out)."""
    kept: list[TranscriptEntry] = []
    used = 0
    for entry in reversed(entries):
        used += len(entry.model_dump_json().encode()) + 1
        if used > budget_bytes:
            break
        kept.append(entry)
    return kept[::-1]


def excerpt(text: str, sentences: int = 2, max_chars: int = 400) -> str:
    """A passage's first sentences: a reply a person can send as it is or edit."""
    first = " ".join(_SENTENCE.split(" ".join(text.split()))[:sentences])
    return first if len(first) <= max_chars else first[: max_chars - 1].rsplit(" ", 1)[0] + "…"


def _handoff(entry: QueueEntry | None) -> TranscriptHandoff:
    if entry is None:
        return TranscriptHandoff()
    return TranscriptHandoff(
        status="taken" if entry.status == "taken" else "queued", queue=entry.queue, agent_id=entry.agent_id
    )


def summarize(turns: list[_Turn], entry: QueueEntry | None) -> str:
    """What the assistant did before the handoff, in a few sentences: what the customer wanted,
    what it answered, what it booked, and why a person has the conversation."""
    if not turns:
        return "The customer has not written yet."
    intents = list(dict.fromkeys(t.intent.replace("_", " ") for t in turns if t.intent))
    answered = sum(1 for t in turns if t.stored.reply or t.detail("ReplySent"))
    lines = [
        f"{len(turns)} customer message{'s' if len(turns) != 1 else ''}"
        + (f" about {', '.join(intents)}." if intents else "."),
        f"The assistant answered {answered} of them.",
    ]
    names = {dealer_id: d["name"] for dealer_id, d in dealers().items()}
    for turn in turns:
        action = turn.detail("ServiceActionTaken") or {}
        appointment = action.get("appointment")
        if action.get("action") in ("booked", "rescheduled", "cancelled") and appointment:
            slot = appointment["slot"]
            what = "a test drive" if appointment.get("kind") == "test_drive" else "a service appointment"
            where = names.get(slot["dealer_id"], slot["dealer_id"])
            lines.append(f"It {action['action']} {what} at {where} for {str(slot['start'])[:16].replace('T', ' ')}.")
    reasons = [d["reason"] for t in turns if (d := t.detail("RouteDecided")) and d["route"]["kind"] == "human"]
    if entry is not None:
        queue = QUEUE_LABELS.get(entry.queue.split("#")[0], entry.queue)
        why = f": {reasons[-1]}" if reasons else "."
        lines.append(f"Handed off to {queue} ({entry.priority} priority){why}")
    elif reasons:
        lines.append(f"It was handed off once: {reasons[-1]}")
    return " ".join(lines)
