"""Interactive servicing: book, move and cancel service appointments and test drives over several turns.

One call of `Servicing.handle` is one customer turn. What the conversation has settled so far is
the flow's state (`FlowState`, stored through the `Flows` port); while the flow waits for the
customer its flag is raised on the conversation, which the ingress stamps into the next turn's
`meta.flow`. The agent reacts to every message: it acts on booking requests (by the local reading
of the message) and on every follow-up of an open flow ("the second one", "Tuesday at 9"), and
says it has nothing to add to the rest, before any side effect (`nothing_to_add`).

Appointments: one record per *held* slot, keyed by the slot id (see `aicc.agents.slots`), through
the `Appointments` port. Holding a slot only succeeds when it is free: that is the whole
double-booking guard; cancelling releases the slot.

Retries: the handler replays a stored result for a duplicate event, but a crash half-way through
can still run a turn twice. Every write here may be repeated: the flow state and its flag are
plain overwrites, a booking that finds the slot already held by the same customer counts as theirs,
and releasing a slot is conditional on the appointment id, so it never frees someone else's booking.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, time
from typing import Any, Literal

from aicc.agents.intent import local_reading
from aicc.agents.slots import (
    OFFER_COUNT,
    Kind,
    PartOfDay,
    Preference,
    SlotRef,
    book_action,
    cancel_action,
    dealer_zone,
    is_open_slot,
    parse_slot_id,
    part_of_day,
    rank_starts,
    requested_booking,
    requested_cancellation,
    resource_names,
    slot_starts,
)
from aicc.data.reference import dealer_uri, dealers
from aicc.ports.appointments import Appointments, Booking
from aicc.ports.customers import Customers
from aicc.ports.flows import ConversationFlow, Flows
from contracts.common import Source
from contracts.events import Appointment, ConversationReceived, EventMeta, IntentDetected, ServiceActionTaken, Slot

__all__ = ["FlowState", "Servicing", "book_action", "cancel_action"]

FLOW = "servicing"
# Follow-ups in a row that give nothing to act on before the flow is dropped.
MAX_MISSES = 2
# Past cancellations kept in the flow state (the appointment itself is released to free the slot).
KEPT_CANCELLATIONS = 20
# Slots asked about in one `Appointments.held` call while looking for free ones (one read request).
_HELD_BATCH = 100
_NAMESPACE = uuid.UUID("0c5e7a1d-2b1f-4f5e-9d7e-5e1f1c0de009")

_BOOKING_INTENTS = {"service_booking", "test_drive"}
_TEST_DRIVE_RE = re.compile(r"\btest[- ]?drives?\b", re.I)
_SERVICE_WORDS_RE = re.compile(r"\b(service|servicing|maintenance|repair|inspection|oil)\b", re.I)
_CANCEL_RE = re.compile(r"\b(cancel\w*|call off|scrap)\b", re.I)
_RESCHEDULE_RE = re.compile(
    # "move" only with what is moved: "my car won't move" is no reschedule.
    r"\b(re-?schedul\w*|re-?book\w*|postpone|push (?:it|that|my \w+) back|bring (?:it|that) forward"
    r"|move (?:it|that|(?:my|the) (?:appointment|booking|test drive|service|slot))"
    r"|change (?:my|the) (?:appointment|booking|test drive|slot|time|date))\b",
    re.I,
)
_APPOINTMENT_WORDS_RE = re.compile(r"\b(appointments?|bookings?|booked|reservations?|test drives?)\b", re.I)
_NEVER_MIND_RE = re.compile(r"\b(never ?mind|forget (?:it|about it)|don'?t bother|not anymore|no longer)\b", re.I)

Purpose = Literal["book", "choose_cancel", "choose_reschedule"]
Status = Literal["active", "booked", "rescheduled", "cancelled", "abandoned"]


@dataclass
class FlowState:
    """The servicing flow of one conversation: the document the `Flows` port stores."""

    kind: Kind = "service"
    status: Status = "active"
    # What `offered` lists: free slots to book, or the customer's appointments to pick one from.
    purpose: Purpose = "book"
    service_type: str | None = None
    dealer_id: str | None = None
    day: str | None = None  # ISO date, dealer-local
    at: str | None = None  # HH:MM, dealer-local
    part_of_day: PartOfDay | None = None
    vin: str | None = None
    model: str | None = None
    offered: list[str] = field(default_factory=list)  # slot ids in the order shown: "the second one" = [1]
    rescheduling: dict[str, str] | None = None  # {slot_id, appointment_id} of the appointment being moved
    misses: int = 0
    last_appointment: dict[str, Any] | None = None  # the Appointment (JSON) this flow last booked
    cancellations: list[dict[str, str]] = field(default_factory=list)
    updated_at: str | None = None

    @property
    def active(self) -> bool:
        return self.status == "active"

    def preference(self) -> Preference:
        return Preference(
            day=date.fromisoformat(self.day) if self.day else None,
            at=time.fromisoformat(self.at) if self.at else None,
            part_of_day=self.part_of_day,
        )

    def to_document(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> FlowState:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in document.items() if k in known})


def nothing_to_add(message: ConversationReceived, meta: EventMeta) -> ServiceActionTaken | None:
    """The result for a message that is neither a booking request nor a follow-up of an open flow;
    None when servicing must act. Pure: it reads the message only, so it needs no idempotency."""
    if message.meta.flow == FLOW or local_reading(message, meta).intent in _BOOKING_INTENTS:
        return None
    return ServiceActionTaken(meta=meta, action="none", kind="service", relevant=False)


@dataclass
class _Outcome:
    event: ServiceActionTaken
    state: FlowState


class Servicing:
    """The servicing agent over its ports: appointments, the conversation's flow, customer profiles."""

    def __init__(self, *, appointments: Appointments, flows: Flows, customers: Customers) -> None:
        self.appointments = appointments
        self.flows = flows
        self.customers = customers

    def respond(self, message: ConversationReceived, meta: EventMeta, *, now: datetime) -> ServiceActionTaken:
        """One message: a turn of the flow when it concerns a booking, else nothing to add."""
        return nothing_to_add(message, meta) or self.handle(local_reading(message, meta), meta, now=now)

    def handle(self, intent: IntentDetected, meta: EventMeta, *, now: datetime) -> ServiceActionTaken:
        """One customer turn of the servicing flow: read the flow, act, store the flow, say what happened."""
        now = now if now.tzinfo else now.replace(tzinfo=UTC)
        loaded = self.flows.load(meta.conversation_id, FLOW)
        turn = _Turn(intent, meta, now, loaded, appointments=self.appointments, customers=self.customers)
        outcome = turn.decide()
        state = outcome.state
        state.updated_at = now.isoformat()
        self.flows.save(
            meta.conversation_id,
            FLOW,
            state.to_document(),
            status=state.status,
            waiting=state.active,
            flag_seen=loaded.flag,
        )
        return outcome.event


class _Turn:
    def __init__(
        self,
        intent: IntentDetected,
        meta: EventMeta,
        now: datetime,
        loaded: ConversationFlow,
        *,
        appointments: Appointments,
        customers: Customers,
    ) -> None:
        self.intent = intent
        self.meta = meta
        self.now = now
        self.text = intent.text
        self.entities = intent.entities
        self.appointments = appointments
        self.customers = customers
        stored = FlowState.from_document(loaded.state) if loaded.state is not None else None
        # The conversation's owner, not the sender, holds the appointment: staff may speak in a customer's conversation.
        self.customer_id = loaded.owner or meta.customer_id
        self.stored = stored or FlowState(status="abandoned")
        self.state: FlowState | None = stored if stored and stored.active else None
        self._customer: dict[str, Any] | None = None

    # --- deciding what this turn does ------------------------------------------------------------

    def decide(self) -> _Outcome:
        booking = requested_booking(self.text)
        if booking is not None:
            return self._book(booking)
        cancellation = requested_cancellation(self.text)
        if cancellation is not None:
            return self._cancel_slot(cancellation)
        state = self.state
        if state is not None and state.offered:
            chosen = self._chosen(state)
            if chosen is not None:
                return self._act_on_choice(state, chosen)
        if _CANCEL_RE.search(self.text):
            return self._cancel_request()
        if _RESCHEDULE_RE.search(self.text):
            return self._reschedule_request()
        if state is not None and _NEVER_MIND_RE.search(self.text):
            return self._drop(state)
        if state is not None and state.purpose == "book" and self.entities.time:
            exact = self._exact_request(state)
            if exact is not None:
                return exact
        return self._fill(state)

    def _chosen(self, state: FlowState) -> SlotRef | None:
        """The offered slot (or listed appointment) the message picks: by ordinal, or by date/time."""
        offered = [ref for ref in (parse_slot_id(s) for s in state.offered) if ref is not None]
        ordinal = self.entities.ordinal
        if ordinal is not None:
            return offered[ordinal - 1] if ordinal <= len(offered) else None
        day, at = self.entities.date, self.entities.time
        # A day alone while choosing a slot is a new preference ("Friday then?"), not a choice.
        if at is None and (day is None or state.purpose == "book"):
            return None
        matches = [
            ref
            for ref in offered
            if (day is None or ref.start.date().isoformat() == day) and (at is None or f"{ref.start:%H:%M}" == at)
        ]
        return matches[0] if len(matches) == 1 else None

    def _act_on_choice(self, state: FlowState, chosen: SlotRef) -> _Outcome:
        if state.purpose == "book":
            return self._book(chosen)
        appointment = self._own_appointment(chosen.slot_id)
        if appointment is None:
            return self._no_appointment()
        if state.purpose == "choose_cancel":
            return self._cancel(appointment)
        return self._start_reschedule(appointment, state.preference())

    def _exact_request(self, state: FlowState) -> _Outcome | None:
        """A day and hour ("Tuesday at 9"; "9am works" once a day was named): any free bay then, at the dealer."""
        day = self.entities.date or state.day
        dealer_id = self.entities.dealer or state.dealer_id
        if day is None or dealer_id is None or self.entities.time is None:
            return None
        wanted = datetime.combine(
            date.fromisoformat(day), time.fromisoformat(self.entities.time), tzinfo=dealer_zone(dealer_id)
        )
        kind = state.kind
        refs = [SlotRef(wanted, n, kind, dealer_id) for n in range(1, len(resource_names(dealer_id, kind)) + 1)]
        if not refs or not is_open_slot(refs[0], now=self.now):
            return None
        held = self.appointments.held([ref.slot_id for ref in refs])
        free = next((ref for ref in refs if ref.slot_id not in held), refs[0])
        return self._book(free)

    # --- booking ---------------------------------------------------------------------------------

    def _book(self, ref: SlotRef) -> _Outcome:
        state = self.state if self.state is not None and self.state.kind == ref.kind else None
        base = state or self._new_state(ref.kind)
        base = replace(base, dealer_id=ref.dealer_id)
        if not is_open_slot(ref, now=self.now):
            return self._taken(base, ref)
        appointment = self._hold(ref, base)
        if appointment is None:
            return self._taken(base, ref)
        moving = base.rescheduling
        action: Literal["booked", "rescheduled"] = "booked"
        if moving is not None and moving["slot_id"] != ref.slot_id:
            # The new slot is held first: the customer is never left with no appointment at all.
            # A failed release: already released (a retry), or the slot now belongs to a later booking: leave it.
            self.appointments.release(moving["slot_id"], moving["appointment_id"])
            action = "rescheduled"
        done = replace(
            base,
            status="booked" if action == "booked" else "rescheduled",
            purpose="book",
            offered=[],
            rescheduling=None,
            misses=0,
            last_appointment=appointment.model_dump(mode="json"),
        )
        return _Outcome(self._event(action, done, appointment=appointment), done)

    def _taken(self, state: FlowState, ref: SlotRef) -> _Outcome:
        """The slot is held by someone else (or no longer bookable): say so, offer the nearest free ones."""
        wanted = Preference(day=ref.start.date(), at=ref.start.time())
        alternatives = self._free_slots(ref.kind, ref.dealer_id, wanted)
        waiting = replace(state, status="active", purpose="book", offered=[s.slot_id for s in alternatives])
        return _Outcome(self._event("unavailable", waiting, slots=[r.to_slot() for r in alternatives]), waiting)

    def _hold(self, ref: SlotRef, state: FlowState) -> Appointment | None:
        """Hold the slot for the customer; None when another customer holds it."""
        appointment = Appointment(
            appointment_id=str(uuid.uuid5(_NAMESPACE, f"{self.customer_id}:{ref.slot_id}:{self.meta.turn_id}")),
            kind=ref.kind,
            slot=ref.to_slot(),
            service_type=state.service_type if ref.kind == "service" else None,
            vin=state.vin,
            model=state.model,
            status="booked",
        )
        booking = Booking(
            appointment=appointment,
            customer_id=self.customer_id,
            conversation_id=self.meta.conversation_id,
            turn_id=self.meta.turn_id,
            booked_at=self.now,
        )
        held = self.appointments.hold(booking)
        if held is None:
            return None
        if held.appointment.appointment_id == appointment.appointment_id:
            return held.appointment
        # Already ours: this turn retried, or the customer pressed the same button twice. Not while
        # moving an appointment, though: releasing the old one would leave them one short.
        retried = held.turn_id == self.meta.turn_id
        return held.appointment if retried or state.rescheduling is None else None

    # --- cancelling and rescheduling -------------------------------------------------------------

    def _cancel_request(self) -> _Outcome:
        appointments = self._upcoming(self._mentioned_kind())
        if self.entities.date:
            on_day = [a for a in appointments if a.slot.start.date().isoformat() == self.entities.date]
            appointments = on_day or appointments
        pending = self.state
        if pending is not None and pending.rescheduling is None and not _APPOINTMENT_WORDS_RE.search(self.text):
            # "Cancel that" while a booking is still being arranged drops the request, not an older appointment.
            return self._drop(pending)
        if not appointments:
            if pending is not None:
                return self._drop(pending)
            return self._no_appointment()
        if len(appointments) == 1:
            return self._cancel(appointments[0])
        return self._ask_which(appointments, "choose_cancel", self.state or self._new_state("service"))

    def _cancel_slot(self, ref: SlotRef) -> _Outcome:
        appointment = self._own_appointment(ref.slot_id)
        if appointment is not None:
            return self._cancel(appointment)
        earlier = next((c for c in self.stored.cancellations if c["slot_id"] == ref.slot_id), None)
        if earlier is not None:  # pressed twice, or a retry: it is cancelled, say so again
            done = replace(self.stored, status="cancelled", offered=[])
            return _Outcome(self._event("cancelled", done, appointment=_cancelled_appointment(earlier)), done)
        return self._no_appointment()

    def _cancel(self, appointment: Appointment) -> _Outcome:
        self.appointments.release(appointment.slot.slot_id, appointment.appointment_id)
        record = {
            "appointment_id": appointment.appointment_id,
            "slot_id": appointment.slot.slot_id,
            "kind": appointment.kind,
            "dealer_id": appointment.slot.dealer_id,
            "start": appointment.slot.start.isoformat(),
            "bay": appointment.slot.bay or "",
            "service_type": appointment.service_type or "",
            "cancelled_at": self.now.isoformat(),
            "turn_id": self.meta.turn_id,
        }
        previous = self.state or self.stored
        kept = [c for c in previous.cancellations if c["appointment_id"] != appointment.appointment_id]
        done = replace(
            previous,
            kind=appointment.kind,
            dealer_id=appointment.slot.dealer_id,
            status="cancelled",
            purpose="book",
            offered=[],
            rescheduling=None,
            misses=0,
            cancellations=[*kept, record][-KEPT_CANCELLATIONS:],
        )
        cancelled = appointment.model_copy(update={"status": "cancelled"})
        return _Outcome(self._event("cancelled", done, appointment=cancelled), done)

    def _reschedule_request(self) -> _Outcome:
        appointments = self._upcoming(self._mentioned_kind())
        if not appointments:
            return self._no_appointment()
        wanted = Preference(
            day=date.fromisoformat(self.entities.date) if self.entities.date else None,
            at=time.fromisoformat(self.entities.time) if self.entities.time else None,
            part_of_day=part_of_day(self.text),
        )
        if len(appointments) == 1:
            return self._start_reschedule(appointments[0], wanted)
        asking = replace(
            self.state or self._new_state("service"),
            day=wanted.day.isoformat() if wanted.day else None,
            at=f"{wanted.at:%H:%M}" if wanted.at else None,
            part_of_day=wanted.part_of_day,
        )
        return self._ask_which(appointments, "choose_reschedule", asking)

    def _start_reschedule(self, appointment: Appointment, wanted: Preference) -> _Outcome:
        state = FlowState(
            kind=appointment.kind,
            service_type=appointment.service_type,
            dealer_id=self.entities.dealer or appointment.slot.dealer_id,
            day=wanted.day.isoformat() if wanted.day else None,
            at=f"{wanted.at:%H:%M}" if wanted.at else None,
            part_of_day=wanted.part_of_day,
            vin=appointment.vin,
            model=appointment.model,
            rescheduling={"slot_id": appointment.slot.slot_id, "appointment_id": appointment.appointment_id},
            cancellations=self.stored.cancellations,
            last_appointment=appointment.model_dump(mode="json"),
        )
        return self._offer(state)

    def _ask_which(self, appointments: list[Appointment], purpose: Purpose, state: FlowState) -> _Outcome:
        slots = [a.slot for a in appointments]
        asking = replace(state, status="active", purpose=purpose, offered=[s.slot_id for s in slots])
        return _Outcome(self._event("needs_info", asking, slots=slots, missing=["appointment"]), asking)

    def _no_appointment(self) -> _Outcome:
        """Asked to cancel or move, but the customer holds no upcoming appointment."""
        state = replace(self.stored, status="abandoned", offered=[]) if self.state is None else self.state
        return _Outcome(self._event("unavailable", state, missing=["appointment"]), state)

    def _drop(self, state: FlowState) -> _Outcome:
        """The customer let the booking go (or gave nothing usable twice): nothing was booked."""
        dropped = replace(state, status="abandoned", offered=[], rescheduling=None)
        return _Outcome(self._event("cancelled", dropped), dropped)

    # --- filling the request and offering slots --------------------------------------------------

    def _fill(self, state: FlowState | None) -> _Outcome:
        kind = self._mentioned_kind()
        starting = self.intent.intent in _BOOKING_INTENTS and (state is None or (kind and kind != state.kind))
        if state is None and not starting:
            # A late follow-up after the flow ended, with no booking request in it.
            idle = replace(self.stored, status="abandoned", offered=[])
            return _Outcome(self._event("needs_info", idle, missing=["kind"]), idle)
        if starting or state is None:
            fresh = self._new_state(kind or ("test_drive" if self.intent.intent == "test_drive" else "service"))
            if state is not None:  # switching service <-> test drive keeps where and when
                fresh = replace(fresh, dealer_id=self.entities.dealer or state.dealer_id or fresh.dealer_id)
            return self._offer(self._merge(fresh))
        if not self._usable():
            if state.misses + 1 >= MAX_MISSES:
                return self._drop(state)
            return self._offer(replace(state, misses=state.misses + 1))
        return self._offer(replace(self._merge(state), misses=0))

    def _offer(self, state: FlowState) -> _Outcome:
        missing = []
        if state.dealer_id is None:
            missing.append("dealer")
        if state.kind == "test_drive" and state.model is None:
            missing.append("model")
        if missing:
            asking = replace(state, status="active", purpose="book", offered=[])
            return _Outcome(self._event("needs_info", asking, missing=missing), asking)
        assert state.dealer_id is not None
        refs = self._free_slots(state.kind, state.dealer_id, state.preference())
        offering = replace(state, status="active", purpose="book", offered=[r.slot_id for r in refs])
        action: Literal["slots_offered", "unavailable"] = "slots_offered" if refs else "unavailable"
        return _Outcome(self._event(action, offering, slots=[r.to_slot() for r in refs]), offering)

    def _merge(self, state: FlowState) -> FlowState:
        """The state with what this message adds; later answers override earlier ones."""
        entities = self.entities
        part = part_of_day(self.text)
        vin, model = entities.vin or state.vin, entities.model or state.model
        if state.kind == "service" and (entities.vin or entities.model):
            vin, model = self._vehicle(entities.vin, entities.model, fallback=(vin, model))
        return replace(
            state,
            service_type=entities.service_type or state.service_type,
            dealer_id=entities.dealer or state.dealer_id,
            day=entities.date or state.day,
            at=entities.time or (None if part else state.at),
            part_of_day=part or (None if entities.time else state.part_of_day),
            vin=vin,
            model=model,
        )

    def _usable(self) -> bool:
        e = self.entities
        return bool(e.date or e.time or e.dealer or e.service_type or e.model or e.vin or part_of_day(self.text)) or (
            self.intent.intent in _BOOKING_INTENTS and not _SMALL_TALK_RE.fullmatch(self.text.strip())
        )

    def _new_state(self, kind: Kind) -> FlowState:
        """A fresh request, defaulted from the customer's profile: preferred dealer, their car."""
        state = FlowState(kind=kind, cancellations=self.stored.cancellations)
        dealer_id = self._profile().get("preferred_dealer")
        state.dealer_id = dealer_id if dealer_id in dealers() else None
        if kind == "service":
            state.vin, state.model = self._vehicle(None, None, fallback=(None, None))
        return state

    def _vehicle(
        self, vin: str | None, model: str | None, *, fallback: tuple[str | None, str | None]
    ) -> tuple[str | None, str | None]:
        """The customer's car the service is for: the VIN or model named, else their only car."""
        vehicles: list[dict[str, Any]] = self._profile().get("vehicles", [])
        for vehicle in vehicles:
            if (vin and vehicle.get("vin") == vin) or (
                not vin and model and str(vehicle.get("model", "")).lower() == model.lower()
            ):
                return vehicle.get("vin"), vehicle.get("model")
        if vin or model:
            return vin, model
        if len(vehicles) == 1:
            return vehicles[0].get("vin"), vehicles[0].get("model")
        return fallback

    def _profile(self) -> dict[str, Any]:
        """The customer document, read once per turn and only when a default is needed."""
        if self._customer is None:
            self._customer = self.customers.get(self.customer_id) or {}
        return self._customer

    def _mentioned_kind(self) -> Kind | None:
        if _TEST_DRIVE_RE.search(self.text) or self.intent.intent == "test_drive":
            return "test_drive"
        if _SERVICE_WORDS_RE.search(self.text) or self.entities.service_type:
            return "service"
        if self.intent.intent == "service_booking" and self.state is None:
            return "service"
        return None

    # --- reading appointments --------------------------------------------------------------------

    def _free_slots(self, kind: Kind, dealer_id: str, preference: Preference) -> list[SlotRef]:
        """Up to OFFER_COUNT free slots at distinct times, best first; the lowest free resource per time."""
        resources = len(resource_names(dealer_id, kind))
        if resources == 0:
            return []
        starts = rank_starts(slot_starts(dealer_id, now=self.now), preference)
        per_batch = max(1, _HELD_BATCH // resources)
        chosen: list[SlotRef] = []
        for first in range(0, len(starts), per_batch):
            batch = starts[first : first + per_batch]
            refs = [[SlotRef(start, n, kind, dealer_id) for n in range(1, resources + 1)] for start in batch]
            held = self.appointments.held([ref.slot_id for per_start in refs for ref in per_start])
            for per_start in refs:
                free = next((ref for ref in per_start if ref.slot_id not in held), None)
                if free is not None:
                    chosen.append(free)
                    if len(chosen) == OFFER_COUNT:
                        return chosen
        return chosen

    def _own_appointment(self, slot_id: str) -> Appointment | None:
        """The appointment held in that slot, if it is this customer's."""
        booking = self.appointments.get(slot_id)
        return booking.appointment if booking is not None and booking.customer_id == self.customer_id else None

    def _upcoming(self, kind: Kind | None) -> list[Appointment]:
        """The customer's booked appointments that have not started, soonest first."""
        return [
            booking.appointment
            for booking in self.appointments.of_customer(self.customer_id, starting_from=self.now)
            if booking.appointment.status == "booked" and (kind is None or booking.appointment.kind == kind)
        ]

    # --- the result ------------------------------------------------------------------------------

    def _event(
        self,
        action: Literal["slots_offered", "booked", "rescheduled", "cancelled", "needs_info", "unavailable"],
        state: FlowState,
        *,
        slots: list[Slot] | None = None,
        appointment: Appointment | None = None,
        missing: list[str] | None = None,
    ) -> ServiceActionTaken:
        dealer_id = appointment.slot.dealer_id if appointment else state.dealer_id
        if dealer_id in dealers():
            cited = [dealer_id]
        elif "dealer" in (missing or []):
            cited = list(dealers())  # the customer must pick one: show them all
        else:
            cited = []
        sources = [Source(title=dealers()[d]["name"], uri=dealer_uri(d)) for d in cited if d is not None]
        return ServiceActionTaken(
            meta=self.meta,
            action=action,
            kind=appointment.kind if appointment else state.kind,
            slots=slots or [],
            appointment=appointment,
            missing=missing or [],
            sources=sources,
        )


_SMALL_TALK_RE = re.compile(r"(?i)(ok|okay|thanks|thank you|hmm+|yes|no|sure|great)[.!]*")


def _cancelled_appointment(record: dict[str, str]) -> Appointment:
    return Appointment(
        appointment_id=record["appointment_id"],
        kind=record["kind"],
        slot=Slot(
            slot_id=record["slot_id"],
            dealer_id=record["dealer_id"],
            start=datetime.fromisoformat(record["start"]),
            bay=record.get("bay") or None,
        ),
        service_type=record.get("service_type") or None,
        status="cancelled",
    )
