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

What the reply must say besides the action travels in `notices` (`closed:<ISO date>`: the dealer is
closed on the day asked, the slots are on the nearest open day; `horizon:<ISO date>`: the day asked
is past the booking window, the slots are its last days; `hours:<ISO date>`: the hours asked for
("after six") are outside that day's opening hours; `unsuited:<service>:<model>:<powertrain>`: a
service that car does not have, left out of the booking). What the customer still has to say travels
in `missing` (`confirm_cancel`: cancelling the appointment in `appointment` waits for the customer's
yes; `slot`: which of the offered times). A booking may hold several services: `service_type` joins
them with "+".

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

from aicc.agents.booking_limits import Breach, breach
from aicc.agents.intent import local_reading
from aicc.agents.slots import (
    CANCEL_RE,
    OFFER_COUNT,
    RESCHEDULE_RE,
    Kind,
    PartOfDay,
    Preference,
    SlotRef,
    asks_for_nearest,
    asks_when_due,
    book_action,
    cancel_action,
    dealer_zone,
    is_open_slot,
    manages_booking,
    opening_hours,
    parse_slot_id,
    part_of_day,
    rank_starts,
    requested_booking,
    requested_cancellation,
    resource_names,
    slot_starts,
    time_window,
)
from aicc.data.reference import dealer_uri, dealers, maintenance_schedule, powertrain
from aicc.nlu.entities import Days, find_days, find_ordinal, find_service_types
from aicc.ports.appointments import Appointments, Booking, OverLimit
from aicc.ports.customers import Customers
from aicc.ports.flows import ConversationFlow, Flows
from contracts.common import Source
from contracts.events import Appointment, ConversationReceived, EventMeta, IntentDetected, ServiceActionTaken, Slot

__all__ = ["FlowState", "Servicing", "book_action", "cancel_action", "manages_booking"]

FLOW = "servicing"
# Past cancellations kept in the flow state (the appointment itself is released to free the slot).
KEPT_CANCELLATIONS = 20
# Slots asked about in one `Appointments.held` call while looking for free ones (one read request).
_HELD_BATCH = 100
_NAMESPACE = uuid.UUID("0c5e7a1d-2b1f-4f5e-9d7e-5e1f1c0de009")

_BOOKING_INTENTS = {"service_booking", "test_drive"}
# Questions about something else in the middle of a booking: answered by the other agents, the flow waits.
_ASIDE_INTENTS = {
    "vehicle_feature_help", "vehicle_problem", "recall_inquiry", "warranty_inquiry", "purchase_inquiry",
    "financing", "trade_in", "parts_accessories", "connected_services", "complaint", "human_agent",
    "roadside_assistance",
}  # fmt: skip
_ASIDE_CONFIDENCE = 0.5
_TEST_DRIVE_RE = re.compile(r"\btest[- ]?drives?\b", re.I)
# "can i drive it to the dealer?": driving the customer's own car, no test drive.
_OWN_CAR_RE = re.compile(r"\bdriv(?:e|ing)\s+(?:it|my|this|that)\b", re.I)
_SERVICE_WORDS_RE = re.compile(r"\b(service|servicing|maintenance|repair|inspection|oil)\b", re.I)
_APPOINTMENT_WORDS_RE = re.compile(r"\b(appointments?|bookings?|booked|reservations?|test drives?)\b", re.I)
_NEVER_MIND_RE = re.compile(r"\b(never ?mind|forget (?:it|about it)|don'?t bother|not anymore|no longer)\b", re.I)
# Whole-message acknowledgements: they answer nothing and never end or cancel anything.
_ACK_RE = re.compile(
    r"\W*(?:(?:ok(?:ay)?|k|kk|thanks|thank you|thx|ty|great|cool|got it|alright|all right|sure|yes|yeah|yep|hmm+"
    r"|nice|perfect|awesome|good|fine|noted)\W*)+",
    re.I,
)
# A yes to the question just asked ("shall I cancel it?", or the one slot on offer).
_YES_RE = re.compile(
    r"^\W*(?:yes|yeah|yep|yup|sure|ok(?:ay)?|please do|do it|go ahead|confirm(?:ed)?|correct|right|absolutely"
    r"|definitely|book it|book that|that one|that works|works for me|sounds good|perfect|let'?s do (?:it|that))\b",
    re.I,
)
_NO_RE = re.compile(r"^\W*(?:no|nope|nah|don'?t|do not|keep (?:it|that|my)|wait|actually no|never ?mind)\b", re.I)
_BOOK_IT_RE = re.compile(
    r"\b(?:book (?:it|that(?: one)?)|that one|that works|sounds good|let'?s do (?:it|that))\b", re.I
)
_IT_RE = re.compile(r"\b(?:it|that|this|that one|this one)\b", re.I)
# "what's my booking reference again?": told from the appointment, nothing changes.
_REFERENCE_RE = re.compile(
    r"\b(?:booking|appointment|confirmation|reservation)\s+(?:ref(?:erence)?|number|code|id)\b"
    r"|\b(?:my|the)\s+(?:ref(?:erence)?|confirmation)(?:\s+(?:number|code))?\b",
    re.I,
)
# The customer leaves the choice of the times shown to us.
_ANY_OF_THEM_RE = re.compile(
    r"\b(?:any(?: one)? of (?:those|them|these|the (?:slots|times))|any(?: one)? (?:is|will do|works)"
    r"|you (?:pick|choose)"
    r"|your (?:pick|choice)|whichever(?! is)|(?:it )?(?:doesn'?t|does not) matter|don'?t mind which|up to you"
    r"|either (?:one|is fine|works|will do))\b",
    re.I,
)
# A question about something around the booking (its price, the shuttle, the dealer's address, a recall):
# answered by the agents that know, while the offered times wait.
_ASIDE_QUESTION_RE = re.compile(
    r"\b(?:how much|price|prices|pricing|cost|costs|charge|shuttle|loaner|ride to|a ride|address|directions|"
    r"where (?:is|are) (?:it|you|the dealer)|where'?s|phone number|recalls?|warranty|covered|apr|financing|"
    r"clos(?:e|es|ing)|opening hours|hours|what time do you open)\b",
    re.I,
)
_EARLIEST_RE = re.compile(
    r"\b(?:earliest|soonest|first (?:available|free|open)|next (?:available|free|open)|as soon as possible|asap)\b",
    re.I,
)
_LATEST_RE = re.compile(r"\b(?:latest|last (?:available|free|open|slot|time)|as late as possible)\b", re.I)
_ANY_FREE_RE = re.compile(r"\b(?:you(?:'ve)?|u|ya) (?:have|got)\b|\b(?:available|possible|of the day|all day)\b", re.I)
_QUESTION_RE = re.compile(
    r"\?\s*$|^\W*(?:do you have|is there|are there|any(?:thing)?|can i (?:get|come)|could i)\b", re.I
)
_ADDING_RE = re.compile(r"(?:^|\s)\+|\b(?:also|too|as well|plus|and a|and an|while you'?re at it)\b", re.I)

Purpose = Literal["book", "choose_cancel", "choose_reschedule", "confirm_cancel"]
Status = Literal["active", "booked", "rescheduled", "cancelled", "abandoned"]


@dataclass
class FlowState:
    """The servicing flow of one conversation: the document the `Flows` port stores."""

    kind: Kind = "service"
    status: Status = "active"
    # What `offered` lists: free slots to book, or the customer's appointments to pick one from.
    purpose: Purpose = "book"
    service_type: str | None = None  # one service, or several joined with "+"
    dealer_id: str | None = None
    day: str | None = None  # ISO date, dealer-local
    until: str | None = None  # with `day`: the last day of the span asked for ("next week")
    at: str | None = None  # HH:MM, dealer-local
    part_of_day: PartOfDay | None = None
    after: str | None = None  # HH:MM: "after lunch"
    before: str | None = None  # HH:MM: "before noon"
    excluded_days: list[str] = field(default_factory=list)  # ISO dates ruled out in this flow: never offered
    vin: str | None = None
    model: str | None = None
    offered: list[str] = field(default_factory=list)  # slot ids in the order shown: "the second one" = [1]
    rescheduling: dict[str, str] | None = None  # {slot_id, appointment_id} of the appointment being moved
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
            until=date.fromisoformat(self.until) if self.until else None,
            after=time.fromisoformat(self.after) if self.after else None,
            before=time.fromisoformat(self.before) if self.before else None,
            excluded=frozenset(date.fromisoformat(d) for d in self.excluded_days),
        )

    def to_document(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> FlowState:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in document.items() if k in known})


def nothing_to_add(
    message: ConversationReceived, meta: EventMeta, reading: IntentDetected | None = None
) -> ServiceActionTaken | None:
    """The result for a message that is neither a booking request nor a follow-up of an open flow;
    None when servicing must act. Pure: it reads the message only, so it needs no idempotency.
    `reading`: the message's local reading when the caller has it already."""
    if message.meta.flow == FLOW or manages_booking(message.text) or _REFERENCE_RE.search(message.text):
        return None
    intent = (reading or local_reading(message, meta)).intent
    own_car = intent == "test_drive" and _OWN_CAR_RE.search(message.text) and not _TEST_DRIVE_RE.search(message.text)
    if intent in _BOOKING_INTENTS and not asks_when_due(message.text) and not own_car:
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
        reading = local_reading(message, meta)
        return nothing_to_add(message, meta, reading) or self.handle(reading, meta, now=now)

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
        self.notices: list[str] = []  # said with this turn's result (see the module docstring)
        # A window ("after 3pm") is no appointment time: its hour only bounds the offer.
        self.after, self.before = time_window(self.text)
        self.at = None if (self.after or self.before) else self.entities.time
        self.days = self._days()

    def _days(self) -> Days:
        """The days named, resolved against the dealer's own date (a late evening in California is
        already tomorrow in UTC)."""
        dealer_id = self.entities.dealer or (self.state.dealer_id if self.state else None)
        if dealer_id not in dealers():
            preferred = self._profile().get("preferred_dealer") if self._mentions_a_day() else None
            dealer_id = preferred if preferred in dealers() else None
        zone = dealer_zone(dealer_id) if dealer_id else UTC
        return find_days(self.text, self.now.astimezone(zone).date())

    def _mentions_a_day(self) -> bool:
        return self.entities.date is not None or bool(find_days(self.text, self.now.date()).excluded)

    @property
    def day(self) -> str | None:
        return self.days.day.isoformat() if self.days.day else None

    # --- deciding what this turn does ------------------------------------------------------------

    def decide(self) -> _Outcome:
        booking = requested_booking(self.text)
        if booking is not None:
            return self._book(booking)
        cancellation = requested_cancellation(self.text)
        if cancellation is not None:
            return self._cancel_slot(cancellation)
        if _REFERENCE_RE.search(self.text) and not (CANCEL_RE.search(self.text) or RESCHEDULE_RE.search(self.text)):
            told = self._tell_reference()
            if told is not None:
                return told
        state = self.state
        if state is not None and state.purpose == "confirm_cancel":
            confirmed = self._confirmation(state)
            if confirmed is not None:
                return confirmed
        if state is not None and state.offered:
            chosen = self._chosen(state)
            if chosen is not None:
                return self._act_on_choice(state, chosen)
        if state is not None and state.active and self._aside():
            return self._resume_later(state)
        if CANCEL_RE.search(self.text):
            return self._cancel_request()
        if RESCHEDULE_RE.search(self.text):
            return self._reschedule_request()
        if state is not None and _NEVER_MIND_RE.search(self.text):
            return self._drop(state)
        if state is None or state.purpose == "book":
            picked = self._extreme_or_nearest(state)
            if picked is not None:
                return picked
        if state is not None and state.purpose == "book" and self.at:
            exact = self._exact_request(state)
            if exact is not None:
                return exact
        if state is not None and not self._usable():
            return self._waiting(state)
        return self._fill(state)

    def _confirmation(self, state: FlowState) -> _Outcome | None:
        """The answer to "shall I cancel it?": yes cancels, no keeps it; anything else is a new request."""
        ref = parse_slot_id(state.offered[0]) if state.offered else None
        appointment = self._own_appointment(ref.slot_id) if ref else None
        if appointment is None:
            return None
        if _NO_RE.search(self.text):
            kept = replace(state, status="abandoned", purpose="book", offered=[])
            return _Outcome(self._event("none", kept, appointment=appointment), kept)
        if _YES_RE.search(self.text) or CANCEL_RE.search(self.text):
            return self._cancel(appointment)
        return None

    def _chosen(self, state: FlowState) -> SlotRef | None:
        """The offered slot (or listed appointment) the message picks: by ordinal, by date/time, by
        "the morning one", or a yes when only one is on offer (or it is the one just asked about)."""
        offered = [ref for ref in (parse_slot_id(s) for s in state.offered) if ref is not None]
        if not offered:
            return None
        ordinal = find_ordinal(self.text)
        if ordinal == -1:
            return offered[-1]
        if ordinal is not None:
            return offered[ordinal - 1] if ordinal <= len(offered) else None
        if state.purpose == "book" and _ANY_OF_THEM_RE.search(self.text):
            return offered[0]  # "any of those, you pick": the first shown is as good as any
        if state.purpose == "book" and (_YES_RE.search(self.text) or _BOOK_IT_RE.search(self.text)):
            asked = state.preference()
            discussed = [r for r in offered if asked.at and r.start.time() == asked.at and r.start.date() == asked.day]
            if len(offered) == 1 or discussed:
                return (discussed or offered)[0]
        day, at = self.day, self.at
        part = part_of_day(self.text)
        if part and re.search(r"\bone\b", self.text) and day is None and at is None:
            in_part = [r for r in offered if part_of_day_of(r.start) == part]
            return in_part[0] if len(in_part) == 1 else None
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
            return self._confirm_cancel(appointment)
        return self._start_reschedule(appointment, state.preference())

    def _extreme_or_nearest(self, state: FlowState | None) -> _Outcome | None:
        """ "The earliest one", "latest one u have", "book me the earliest wednesday slot", "closest to 3pm":
        the customer has chosen by a rule, so the slot it gives is booked. On the day in focus only: when
        that day has nothing free, or is closed, the nearest alternatives are offered instead."""
        earliest, latest = bool(_EARLIEST_RE.search(self.text)), bool(_LATEST_RE.search(self.text))
        nearest = bool(self.at and asks_for_nearest(self.text))
        if not (earliest or latest or nearest):
            return None
        if state is None and self.intent.intent not in _BOOKING_INTENTS:
            return None
        base = (
            self._merge(state)
            if state is not None
            else self._merge(self._new_state(self._mentioned_kind() or "service"))
        )
        if nearest:
            base = replace(base, at=self.at)
            if state is None or not state.offered:
                return self._offer(base)  # nothing shown yet: the times nearest that hour, to choose from
        elif base.at and not self.at:
            base = replace(base, at=None)  # "the earliest": not sorted around an hour named before
        if base.dealer_id is None or (base.kind == "test_drive" and base.model is None) or self._asks_vehicle(base):
            return self._offer(base)
        following = state is not None and bool(state.offered) and not self._new_constraints()
        if following and state is not None and not _ANY_FREE_RE.search(self.text):
            # "The earliest one": of those shown. "The latest one you have": of the whole day, below.
            shown = [ref for ref in (parse_slot_id(s) for s in state.offered) if ref is not None]
            if shown and not nearest:
                return self._take(base, max(shown) if latest else min(shown))
        focus = self._offered_day(state) if following and state is not None else base.day
        preference = replace(base.preference(), day=date.fromisoformat(focus) if focus else None)
        if following:
            preference = replace(preference, until=None)
        candidates = self._free_slots(base.kind, base.dealer_id, preference, limit=None if latest else OFFER_COUNT)
        if preference.day is not None:
            first, last = preference.day, preference.until or preference.day
            candidates = [r for r in candidates if first <= r.start.date() <= last]
        elif candidates:
            candidates = [r for r in candidates if r.start.date() == candidates[0].start.date()]
        if not candidates:
            return self._offer(base)
        if nearest:
            pick = candidates[0]
        else:
            pick = max(candidates, key=lambda r: r.start) if latest else min(candidates, key=lambda r: r.start)
        return self._take(base, pick)

    def _take(self, state: FlowState, pick: SlotRef) -> _Outcome:
        """Book the slot the rule gave; asked as a question ("what's the earliest you have?"), show it
        alone instead, so "yes" or "book it" books it."""
        if _QUESTION_RE.search(self.text):
            showing = replace(state, status="active", purpose="book", offered=[pick.slot_id])
            return _Outcome(self._event("slots_offered", showing, slots=[pick.to_slot()]), showing)
        self.state = state
        return self._book(pick)

    def _offered_day(self, state: FlowState) -> str | None:
        """The one day every offered slot is on, if they are."""
        days = {ref.start.date().isoformat() for ref in (parse_slot_id(s) for s in state.offered) if ref}
        return days.pop() if len(days) == 1 else None

    def _new_constraints(self) -> bool:
        return bool(self.days.day or self.after or self.before or part_of_day(self.text) or self.entities.dealer)

    def _exact_request(self, state: FlowState) -> _Outcome | None:
        """A day and hour ("Tuesday at 9"; "9am works" once a day was named): any free bay then, at the
        dealer. Asked as a question ("do you have Thursday at 3?"), it is offered first, not booked."""
        day = self.day or state.day
        dealer_id = self.entities.dealer or state.dealer_id
        if day is None or dealer_id is None or self.at is None or self._asks_vehicle(state):
            return None
        wanted = datetime.combine(date.fromisoformat(day), time.fromisoformat(self.at), tzinfo=dealer_zone(dealer_id))
        kind = state.kind
        refs = [SlotRef(wanted, n, kind, dealer_id) for n in range(1, len(resource_names(dealer_id, kind)) + 1)]
        if not refs or not is_open_slot(refs[0], now=self.now) or day in state.excluded_days:
            return None
        if _QUESTION_RE.search(self.text):
            return self._offer(replace(self._merge(state), day=day, at=self.at))
        held = self.appointments.held([ref.slot_id for ref in refs])
        free = next((ref for ref in refs if ref.slot_id not in held), refs[0])
        self.state = self._merge(state)
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
        if isinstance(appointment, Breach):
            return self._limit_reached(base, ref, appointment)
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
            last_appointment=appointment.model_dump(mode="json"),
        )
        return _Outcome(self._event(action, done, appointment=appointment), done)

    def _taken(self, state: FlowState, ref: SlotRef) -> _Outcome:
        """The slot is held by someone else (or no longer bookable): say so, offer the nearest free ones."""
        wanted = replace(state.preference(), day=ref.start.date(), until=None, at=ref.start.time())
        alternatives = self._free_slots(ref.kind, ref.dealer_id, wanted)
        waiting = replace(state, status="active", purpose="book", offered=[s.slot_id for s in alternatives])
        return _Outcome(self._event("unavailable", waiting, slots=[r.to_slot() for r in alternatives]), waiting)

    def _limit_reached(self, state: FlowState, ref: SlotRef, reached: Breach) -> _Outcome:
        """At the limit of open appointments (aicc.agents.booking_limits): name the ones that count and
        offer to move one of them to the time asked for."""
        wanted = replace(state.preference(), day=ref.start.date(), until=None, at=ref.start.time())
        asking = replace(state, rescheduling=None, **_preference_fields(wanted))
        outcome = self._ask_which([b.appointment for b in reached.counted], "choose_reschedule", asking)
        return replace(outcome, event=outcome.event.model_copy(update={"notices": [reached.notice]}))

    def _hold(self, ref: SlotRef, state: FlowState) -> Appointment | Breach | None:
        """Hold the slot for the customer; None when another customer holds it, the limit's breach
        when the customer holds as many open appointments as they may."""
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
        moving = (state.rescheduling or {}).get("slot_id")

        def within(open_bookings: list[Booking]) -> bool:  # the appointment being moved is not one more
            return breach(booking, [b for b in open_bookings if b.slot_id != moving]) is None

        try:
            held = self.appointments.hold(booking, within=within)
        except OverLimit as refused:
            reached = breach(booking, [b for b in refused.open if b.slot_id != moving])
            if reached is None:  # cannot be: `within` refused exactly these
                raise
            return reached
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
        if self.day:
            on_day = [a for a in appointments if a.slot.start.date().isoformat() == self.day]
            appointments = on_day or appointments
        pending = self.state
        arranging = pending is not None and pending.rescheduling is None and pending.purpose == "book"
        if arranging and not _APPOINTMENT_WORDS_RE.search(self.text):
            # "Cancel that" while a booking is still being arranged drops the request, not an older appointment.
            assert pending is not None
            return self._drop(pending)
        if not appointments:
            if pending is not None:
                return self._drop(pending)
            return self._no_appointment()
        if len(appointments) == 1:
            return self._confirm_cancel(appointments[0])
        discussed = self._discussed(appointments)
        if discussed is not None:
            return self._confirm_cancel(discussed)
        return self._ask_which(appointments, "choose_cancel", self.state or self._new_state("service"))

    def _discussed(self, appointments: list[Appointment]) -> Appointment | None:
        """ "cancel it" / "move it": the appointment this conversation booked last, when it is one of them."""
        last = self.stored.last_appointment
        if last is None or not _IT_RE.search(self.text):
            return None
        slot_id = Appointment.model_validate(last).slot.slot_id
        return next((a for a in appointments if a.slot.slot_id == slot_id), None)

    def _confirm_cancel(self, appointment: Appointment) -> _Outcome:
        """Cancelling cannot be undone (the slot may go to someone else): ask first."""
        asking = replace(
            self.state or replace(self.stored, rescheduling=None),
            status="active",
            purpose="confirm_cancel",
            offered=[appointment.slot.slot_id],
        )
        event = self._event(
            "needs_info", asking, slots=[appointment.slot], appointment=appointment, missing=["confirm_cancel"]
        )
        return _Outcome(event, asking)

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
            cancellations=[*kept, record][-KEPT_CANCELLATIONS:],
        )
        cancelled = appointment.model_copy(update={"status": "cancelled"})
        return _Outcome(self._event("cancelled", done, appointment=cancelled), done)

    def _reschedule_request(self) -> _Outcome:
        appointments = self._upcoming(self._mentioned_kind())
        if not appointments:
            return self._no_appointment()
        wanted = Preference(
            day=self.days.day,
            until=self.days.until,
            at=time.fromisoformat(self.at) if self.at else None,
            part_of_day=part_of_day(self.text),
            after=self.after,
            before=self.before,
            excluded=frozenset(self.days.excluded),
        )
        discussed = self._discussed(appointments)
        if len(appointments) == 1 or discussed is not None:
            return self._start_reschedule(discussed or appointments[0], wanted)
        asking = replace(self.state or self._new_state("service"), **_preference_fields(wanted))
        return self._ask_which(appointments, "choose_reschedule", asking)

    def _start_reschedule(self, appointment: Appointment, wanted: Preference) -> _Outcome:
        state = FlowState(
            kind=appointment.kind,
            service_type=appointment.service_type,
            dealer_id=self.entities.dealer or appointment.slot.dealer_id,
            vin=appointment.vin,
            model=appointment.model,
            rescheduling={"slot_id": appointment.slot.slot_id, "appointment_id": appointment.appointment_id},
            cancellations=self.stored.cancellations,
            last_appointment=appointment.model_dump(mode="json"),
            **_preference_fields(wanted),
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
        """The customer clearly let the booking go ("never mind", "cancel that"): nothing was booked."""
        dropped = replace(state, status="abandoned", offered=[], rescheduling=None)
        return _Outcome(self._event("cancelled", dropped), dropped)

    def _tell_reference(self) -> _Outcome | None:
        """The appointment this conversation booked last, else the customer's next one; the flow is unchanged."""
        last = self.stored.last_appointment
        booked = self._own_appointment(Appointment.model_validate(last).slot.slot_id) if last else None
        upcoming = self._upcoming(None)
        appointment = booked or (upcoming[0] if upcoming else None)
        if appointment is None:
            return None
        state = self.state or self.stored
        return _Outcome(self._event("none", state, appointment=appointment, missing=["reference"]), state)

    def _aside(self) -> bool:
        """A question about something around the booking, not a step of it: no time, no choice, no slot."""
        if not _ASIDE_QUESTION_RE.search(self.text) or self.at or self.after or self.before:
            return False
        if find_ordinal(self.text) is not None or _EARLIEST_RE.search(self.text) or _LATEST_RE.search(self.text):
            return False
        return not (CANCEL_RE.search(self.text) or RESCHEDULE_RE.search(self.text) or _BOOK_IT_RE.search(self.text))

    def _resume_later(self, state: FlowState) -> _Outcome:
        """The side question is for the other agents to answer; the flow waits with what it offered, and
        the reply offers to go on with it (`missing` "resume")."""
        refs = [ref for ref in (parse_slot_id(s) for s in state.offered) if ref is not None]
        slots = [r.to_slot() for r in refs] if state.purpose == "book" else []
        return _Outcome(self._event("none", state, slots=slots, missing=["resume"]), state)

    def _waiting(self, state: FlowState) -> _Outcome:
        """Nothing to act on: "ok", "thanks", or a question about something else. The flow waits, whatever
        is said; a question is left to the agents that answer it, anything else gets a short reminder."""
        if self.intent.intent in _ASIDE_INTENTS and (self.intent.confidence >= _ASIDE_CONFIDENCE or "?" in self.text):
            return self._resume_later(state)
        if state.offered and state.purpose == "book":
            refs = [ref for ref in (parse_slot_id(s) for s in state.offered) if ref is not None]
            return _Outcome(
                self._event("needs_info", state, slots=[r.to_slot() for r in refs], missing=["slot"]), state
            )
        if state.offered:
            return self._ask_again(state)
        return self._offer(state)

    def _ask_again(self, state: FlowState) -> _Outcome:
        """The question about the customer's appointments, asked again."""
        refs = [ref for ref in (parse_slot_id(s) for s in state.offered) if ref is not None]
        if state.purpose == "confirm_cancel" and refs:
            appointment = self._own_appointment(refs[0].slot_id)
            if appointment is not None:
                return self._confirm_cancel(appointment)
        slots = [r.to_slot() for r in refs]
        return _Outcome(self._event("needs_info", state, slots=slots, missing=["appointment"]), state)

    # --- filling the request and offering slots --------------------------------------------------

    def _fill(self, state: FlowState | None) -> _Outcome:
        kind = self._mentioned_kind()
        starting = self.intent.intent in _BOOKING_INTENTS and (state is None or (kind and kind != state.kind))
        if state is None and not starting:
            # A late follow-up after the flow ended, with no booking request in it ("thanks!": nothing to add).
            idle = replace(self.stored, status="abandoned", offered=[])
            if _ACK_RE.fullmatch(self.text.strip()):
                return _Outcome(ServiceActionTaken(meta=self.meta, action="none", kind=idle.kind, relevant=False), idle)
            return _Outcome(self._event("needs_info", idle, missing=["kind"]), idle)
        if starting or state is None:
            fresh = self._new_state(kind or ("test_drive" if self.intent.intent == "test_drive" else "service"))
            if state is not None:  # switching service <-> test drive keeps where and when
                fresh = replace(fresh, dealer_id=self.entities.dealer or state.dealer_id or fresh.dealer_id)
            return self._offer(self._merge(fresh))
        return self._offer(self._merge(replace(state, purpose="book")))

    def _offer(self, state: FlowState) -> _Outcome:
        missing = []
        if state.dealer_id is None:
            missing.append("dealer")
        if state.kind == "test_drive" and state.model is None:
            missing.append("model")
        if self._asks_vehicle(state):
            missing.append("vehicle")
        if missing:
            asking = replace(state, status="active", purpose="book", offered=[])
            return _Outcome(self._event("needs_info", asking, missing=missing), asking)
        assert state.dealer_id is not None
        preference = state.preference()
        bookable = slot_starts(state.dealer_id, now=self.now)
        if preference.day is not None and bookable and preference.day > bookable[-1].date():
            # Past the booking window: the last days that can be booked, and the reason.
            self.notices.append(f"horizon:{preference.day.isoformat()}")
            preference = replace(preference, day=bookable[-1].date(), until=None)
        if (
            preference.day is not None
            and preference.until is None
            and opening_hours(state.dealer_id, preference.day) is None
        ):
            self.notices.append(f"closed:{preference.day.isoformat()}")
        refs = self._free_slots(state.kind, state.dealer_id, preference)
        if refs and not _in_window(refs[0].start, preference):
            self.notices.append(f"hours:{refs[0].start.date().isoformat()}")
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
        elif state.kind == "service" and vin is None and self.entities.ordinal:
            vin, model = self._vehicle_by_number(self.entities.ordinal, fallback=(vin, model))
        excluded = [*state.excluded_days, *(d.isoformat() for d in self.days.excluded)]
        if self.day and not self.days.until:
            excluded = [d for d in excluded if d != self.day]  # named again on its own: no longer ruled out
        day, until = (self.day, self.days.until) if self.day else (state.day, state.until)
        if day in excluded and not until:
            day = None  # the day asked before was ruled out since
        window = self.after or self.before
        merged = replace(
            state,
            service_type=self._services(state.service_type),
            dealer_id=entities.dealer or state.dealer_id,
            day=day,
            until=until.isoformat() if isinstance(until, date) else until,
            at=self.at or (None if part or window else state.at),
            part_of_day=part or (None if self.at or window else state.part_of_day),
            after=f"{self.after:%H:%M}" if self.after else (None if part or self.at or self.before else state.after),
            before=f"{self.before:%H:%M}" if self.before else (None if part or self.at or self.after else state.before),
            excluded_days=list(dict.fromkeys(excluded)),
            vin=vin,
            model=model,
        )
        return self._suited(merged)

    def _services(self, current: str | None) -> str | None:
        """The services asked for so far: "+ tire rotation" adds one, a service named alone replaces them."""
        named = find_service_types(self.text)
        if not named:
            return current
        services = [*(current.split("+") if current and _ADDING_RE.search(self.text) else []), *named]
        return "+".join(dict.fromkeys(services))

    def _suited(self, state: FlowState) -> FlowState:
        """Without the services the car does not have (no oil change on an electric car); each one left
        out is said once, with the turn that asked for it."""
        if state.kind != "service" or not state.service_type or state.model is None:
            return state
        trim = next((v.get("trim") for v in self._vehicles() if v.get("vin") == state.vin), None)
        drive = powertrain(state.model, trim)
        scheduled = maintenance_schedule()["schedules"]
        known = {item["service"] for schedule in scheduled for item in schedule["items"]}
        own = {
            item["service"]
            for schedule in scheduled
            if schedule["model"] == state.model and drive in schedule["powertrains"]
            for item in schedule["items"]
        }
        if not own:
            return state
        services = state.service_type.split("+")
        unsuited = [s for s in services if s in known and s not in own]
        self.notices.extend(f"unsuited:{s}:{state.model}:{drive}" for s in unsuited)
        kept = [s for s in services if s not in unsuited]
        return replace(state, service_type="+".join(kept) or None)

    def _usable(self) -> bool:
        """Whether the message adds anything to the request (a day, a dealer, a service, ...)."""
        e = self.entities
        if _ACK_RE.fullmatch(self.text.strip()):
            return False
        found = (
            self.days.day or self.days.excluded or self.at or self.after or self.before or e.dealer
            or e.service_type or e.model or e.vin or part_of_day(self.text)
        )  # fmt: skip
        picks_a_car = self.state is not None and self._asks_vehicle(self.state) and bool(e.ordinal)
        return (
            bool(found)
            or picks_a_car
            or (self.intent.intent in _BOOKING_INTENTS and self._mentioned_kind() is not None)
        )

    def _new_state(self, kind: Kind) -> FlowState:
        """A fresh request, defaulted from the customer's profile: preferred dealer, their car."""
        state = FlowState(kind=kind, cancellations=self.stored.cancellations)
        dealer_id = self._profile().get("preferred_dealer")
        state.dealer_id = dealer_id if dealer_id in dealers() else None
        if kind == "service":
            state.vin, state.model = self._vehicle(None, None, fallback=(None, None))
        return state

    def _asks_vehicle(self, state: FlowState) -> bool:
        """A service for a customer with several cars, and the message has not said which."""
        return state.kind == "service" and state.vin is None and state.model is None and len(self._vehicles()) > 1

    def _vehicles(self) -> list[dict[str, Any]]:
        vehicles: list[dict[str, Any]] = self._profile().get("vehicles", [])
        return vehicles

    def _vehicle(
        self, vin: str | None, model: str | None, *, fallback: tuple[str | None, str | None]
    ) -> tuple[str | None, str | None]:
        """The customer's car the service is for: the VIN or model named, else their only car."""
        vehicles = self._vehicles()
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

    def _vehicle_by_number(
        self, number: int, *, fallback: tuple[str | None, str | None]
    ) -> tuple[str | None, str | None]:
        """ "The second one" after "which of your cars?": the cars in the order they were listed."""
        vehicles = self._vehicles()
        if len(vehicles) > 1 and 1 <= number <= len(vehicles):
            return vehicles[number - 1].get("vin"), vehicles[number - 1].get("model")
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

    def _free_slots(
        self, kind: Kind, dealer_id: str, preference: Preference, *, limit: int | None = OFFER_COUNT
    ) -> list[SlotRef]:
        """Free slots at distinct times, best first (up to `limit`; None: all); the lowest free resource per time."""
        resources = len(resource_names(dealer_id, kind))
        if resources == 0:
            return []
        starts = rank_starts(slot_starts(dealer_id, now=self.now), preference)
        if limit is None and preference.day is not None:
            last = preference.until or preference.day
            starts = [s for s in starts if preference.day <= s.date() <= last]
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
                    if len(chosen) == limit:
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
        action: Literal["slots_offered", "booked", "rescheduled", "cancelled", "needs_info", "unavailable", "none"],
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
            notices=list(dict.fromkeys(self.notices)),
            sources=sources,
        )


def _in_window(start: datetime, preference: Preference) -> bool:
    after, before = preference.after or time(0, 0), preference.before or time(23, 59)
    return start.time() >= after and start.time() < before


def part_of_day_of(start: datetime) -> PartOfDay:
    if start.hour < 12:
        return "morning"
    return "afternoon" if start.hour < 17 else "evening"


def _preference_fields(wanted: Preference) -> dict[str, Any]:
    """A `Preference` as the flow state stores it."""
    return {
        "day": wanted.day.isoformat() if wanted.day else None,
        "until": wanted.until.isoformat() if wanted.until else None,
        "at": f"{wanted.at:%H:%M}" if wanted.at else None,
        "part_of_day": wanted.part_of_day,
        "after": f"{wanted.after:%H:%M}" if wanted.after else None,
        "before": f"{wanted.before:%H:%M}" if wanted.before else None,
        "excluded_days": sorted(d.isoformat() for d in wanted.excluded),
    }


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
