"""Compose the customer's reply from whatever the turn's agents contributed.

Grounded: every fact in the text comes from a contribution (a passage, the profile, dealer data)
and the passage or record it came from is listed in `sources`. A degraded turn says less, never
something it does not know. Deterministic and order-free: the input is the turn's results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from aicc.agents.cockpit import fault_steps
from aicc.agents.dialog import vehicle_in_focus
from aicc.agents.handoff import about_the_roadside_case, answering_sentences
from aicc.agents.routing import route
from aicc.agents.slots import (
    HORIZON_DAYS,
    asks_when_due,
    book_action,
    booking_reference,
    cancel_action,
    opening_hours,
)
from aicc.data.reference import catalog, dealer_uri, dealers, maintenance_schedule, warranty_terms
from aicc.knowledge.context import adds_to_the_request, is_follow_up, model_in_focus, on_topic_first
from aicc.nlu.praise import praises
from contracts.common import DialogState, QuickAction, Route, Source
from contracts.events import (
    Appointment,
    AskedFact,
    CockpitGuidance,
    EventMeta,
    InsightsComputed,
    IntentDetected,
    KnowledgeRetrieved,
    Passage,
    ProfileLoaded,
    RecommendationsMade,
    ResponseComposed,
    RouteDecided,
    SentimentAnalyzed,
    ServiceActionTaken,
    Slot,
    TurnAssembled,
    TurnResults,
    Vehicle,
    VehicleFacts,
    WarrantyStatus,
)

# Passages below this (normalised) relevance are not quoted as an answer.
MIN_PASSAGE_SCORE = 0.2
IN_SCOPE_PASSAGE_SCORE = 0.6
QUEUE_NAMES = {"roadside": "roadside assistance", "customer_care": "customer care"}

_LEADS = {
    "vehicle_feature_help": "Here is how that works",
    "vehicle_problem": "Here is what the owner's manual says",
    "recall_inquiry": "About recalls",
    "warranty_inquiry": "About your warranty",
    "purchase_inquiry": "About our line-up",
    "financing": "About financing",
    "trade_in": "About trading in",
    "parts_accessories": "About parts and accessories",
    "connected_services": "About Aurora Connect",
    "service_booking": "About service appointments",
    "test_drive": "About test drives",
    "roadside_assistance": "Roadside assistance",
    "complaint": "How we handle concerns",
}
_SUGGESTIONS = {
    "vehicle_feature_help": ["How do I pair my phone?", "What does this warning light mean?"],
    "vehicle_problem": ["Book a service appointment", "Is there a recall on my car?"],
    "recall_inquiry": ["Book a service appointment", "What does my warranty cover?"],
    "warranty_inquiry": ["Is there a recall on my car?", "When is my next service due?"],
    "purchase_inquiry": ["Book a test drive", "What financing options are there?"],
    "financing": ["Book a test drive", "How much is my car worth as a trade-in?"],
    "trade_in": ["Show me the current models", "What financing options are there?"],
    "service_booking": ["What does my warranty cover?", "Is there a recall on my car?"],
    "test_drive": ["Show me the current models", "What financing options are there?"],
    "connected_services": ["How do I set up the digital key?", "How do software updates work?"],
    "parts_accessories": ["Book a service appointment"],
    "greeting": ["Book a service appointment", "Is there a recall on my car?", "What does this warning light mean?"],
    "other": ["Book a service appointment", "What does my warranty cover?", "Talk to a person"],
}


@dataclass
class ComposedReply:
    text: str
    route: Route = field(default_factory=Route)
    quick_actions: list[QuickAction] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    contributors: list[str] = field(default_factory=list)
    degraded: bool = False
    said: list[str] = field(default_factory=list)  # what a conversation hears once (DialogState.said)

    def as_event(self, meta: EventMeta) -> ResponseComposed:
        return ResponseComposed(
            meta=meta,
            text=self.text,
            route=self.route,
            quick_actions=self.quick_actions,
            suggestions=self.suggestions,
            sources=self.sources,
            degraded=self.degraded,
            contributors=self.contributors,
            said=self.said,
        )


def answer(assembled: TurnAssembled, meta: EventMeta) -> ResponseComposed:
    """The reply to an assembled turn: routed by routing's rules, composed from the contributions.
    The aggregator sends it; the response agent publishes it as the reply of record. Both get the
    same reply from the same TurnAssembled (a pure function of its results)."""
    received = assembled.results.conversation_received
    if received is None:
        raise ValueError("a turn was assembled without its message")
    results = assembled.results.contributions()
    decided = route(results, meta)
    if decided is not None:
        results = results.adding(decided)
    reply = compose(results, missing=assembled.missing, text=received.text)
    reply.degraded = reply.degraded or assembled.degraded
    return reply.as_event(meta)


def compose(results: TurnResults, *, missing: list[str], text: str) -> ComposedReply:
    intent: IntentDetected | None = results.intent_detected
    sentiment: SentimentAnalyzed | None = results.sentiment_analyzed
    routed: RouteDecided | None = results.route_decided
    knowledge: KnowledgeRetrieved | None = results.knowledge_retrieved
    profile: ProfileLoaded | None = results.profile_loaded

    received = results.conversation_received
    dialog = received.dialog if received else DialogState()
    reply = ComposedReply(text="", degraded=bool(missing))
    reply.contributors = sorted(t for t in results.present() if t != "ConversationReceived")
    reply.route = routed.route if routed else Route()
    name = _first_name(profile)
    vehicle = _vehicle(profile, intent, dialog)
    passages = [p for p in (knowledge.passages if knowledge else []) if p.score >= MIN_PASSAGE_SCORE]
    if vehicle and not _about_a_model_just_named(text, intent, dialog, profile):
        # Never answer an Aster owner with the Cirrus manual.
        passages = [p for p in passages if _applies(p, vehicle)]
    label: str | None = intent.intent if intent else None

    parts: list[str] = []
    greeted: int | None = None  # where a greeting stands in parts, if this turn has one
    if label is None:
        # Without the intent we cannot tell what was asked: say so, offer what we found.
        parts.append("Sorry, I couldn't fully process your message just now.")
        if passages:
            parts.append(f"This may help: {_quote(passages[0])}")
            reply.sources.append(_source(passages[0]))
        parts.append("Please try again in a moment, or ask to talk to a person.")
        reply.quick_actions.append(QuickAction(label="Talk to a person", action="I'd like to talk to a person"))
        reply.text = " ".join(parts)
        return reply

    praise = _praise(text, label, sentiment, reply, dialog)
    if praise:
        parts.extend(praise)
        label = "praise"
    elif (sentiment and sentiment.label == "negative" and label not in {"greeting", "other"}) or _let_down(
        reply.route, dialog
    ):
        parts.append(f"I'm sorry about this{', ' + name if name else ''}.")
    elif label == "greeting":
        greeted = len(parts)
        parts.append(_greeting(text, name, vehicle, again="greeting" in dialog.said))
        reply.said.append("greeting")
    elif name and not (profile and profile.history) and "greeting" not in dialog.said:
        parts.append(f"Hi {name}.")
        reply.said.append("greeting")
    opening = len(parts)  # what stands before the answer: the greeting or the apology

    # The answer to what was asked leads; the handoff is said after it (once, then "already has").
    handoff = _handoff(reply, dialog, label, profile, intent) if reply.route.kind == "human" else []
    cockpit: CockpitGuidance | None = results.cockpit_guidance
    stepped = cockpit is not None and bool(cockpit.steps)
    answered = label == "praise"
    if _emergency_open(dialog) and (label in EMERGENCY_FOLLOW_UPS or about_the_roadside_case(text)):
        # "do i need to call the police?", "how long until someone gets here??": the case stays urgent,
        # and the answer comes from the roadside policy, never "I can't help".
        if not stepped:
            parts.extend(_emergency_follow_up(text, vehicle, dialog, reply))
        label, answered = "roadside_follow_up", True
    elif reply.route.queue in {"roadside", "customer_care"} and (
        results.service_action_taken is None
        or _unasked_offer(results.service_action_taken, text)
        or _aside_in_a_booking(results.service_action_taken)
    ):
        # A person takes over, but the question asked is still answered now, from their policies ("does
        # roadside cover that?" in the middle of a booking too: the booking waits for it).
        policy = [] if stepped else _policy_answer(text, reply.route.queue, vehicle, reply)
        parts.extend(policy)
        answered = bool(policy)
        if policy and not _aside_in_a_booking(results.service_action_taken):
            # "isn't a loaner supposed to be free?" asks the policy, not for the slots a misread offered.
            results = results.without("ServiceActionTaken")
    elif reply.route.kind == "bot" and (cover := _roadside_cover_follow_up(text, dialog, vehicle, reply)):
        # "does it transfer if i sell it?" right after a roadside-cover question is about that cover,
        # however the classifier reads "sell it" on its own.
        parts.extend(cover)
        label, answered = "roadside_follow_up", True

    about_me = _about_the_assistant(text, label)
    if about_me is not None:
        # "are you a real person?" is a question about this chat: answer it truthfully, offer a person.
        parts.insert(opening, about_me)
        reply.quick_actions.append(QuickAction(label="Talk to a person", action="I'd like to talk to a person"))
        answered = answered or label == "other"
    # The knowledge index answers nothing for out-of-scope text, so a strong passage means the
    # classifier missed an in-scope question ("how often should I change the oil?"): answer it.
    if label == "other" and not answered and passages and passages[0].score >= IN_SCOPE_PASSAGE_SCORE:
        label = "in_scope_unclassified"
    if label == "service_booking" and results.service_action_taken is None and asks_when_due(text):
        label = "in_scope_unclassified"  # "when's my next oil change due?": the schedule's answer, not a booking
    passages = on_topic_first(passages, label)
    clarify = _which_vehicle(text, label, intent, profile, dialog)
    if clarify is not None:
        # Two cars and none named, or a model they don't own: ask rather than answer for the wrong car.
        question, actions = clarify
        parts.append(question)
        reply.quick_actions.extend(actions)
        answered = True

    servicing: ServiceActionTaken | None = results.service_action_taken
    resume: list[str] = []
    if servicing is not None and servicing.missing == ["resume"]:
        # A side question in a booking: answered below by what the other agents found, then the booking goes on.
        resume = _resume_offer(servicing, reply) if reply.route.kind == "bot" else []
        dealer_told = _dealer_asked(text, servicing, reply)
        if dealer_told:
            # "whats the address there?": the dealer of this booking, from its record, not a passage.
            parts.append(dealer_told)
            passages, answered = [], True
        elif label == "other" and passages:
            label = "in_scope_unclassified"  # a question in the middle of a booking is about the booking
    elif servicing is not None:
        parts.extend(_which_car_to_book(servicing, profile) or _servicing(servicing, reply))
        answered = True
        if servicing.missing == ["reference"]:
            passages = []  # "what's my confirmation number?": the booking is the answer, not a passage
    elif label in {"service_booking", "test_drive"} and not asks_when_due(text):
        # A question about a test drive (what to bring, how long) is answered from the FAQs below.
        parts.extend(_dealer_contact(profile, intent, reply, label))
        answered = True

    if cockpit is not None and cockpit.steps and clarify is None:
        detail = _step_asked_about(received.typed or text if received else text, cockpit, dialog)
        fault = fault_steps(text, cockpit.steps) if cockpit.severity is not None else None
        if fault is not None:
            # The harmless cause ruled out ("parking brake is off and it's still on"): the fault it means.
            parts.extend(_cockpit(cockpit.model_copy(update={"steps": fault}), reply))
        else:
            parts.extend([detail] if detail else _cockpit(cockpit, reply))
        reply.sources.extend(cockpit.sources if detail else [])
        if f"guidance:{cockpit.topic}" not in dialog.said:
            reply.said.append(f"guidance:{cockpit.topic}")  # what "can i still…?" goes on about
        answered = True

    insights: InsightsComputed | None = results.insights_computed
    if insights is not None and label != "recall_inquiry":
        # An open recall is said once per conversation, unless the customer asks about recalls; and
        # never in reply to "thanks" or "bye", which close a topic rather than open one.
        unsaid = [r for r in insights.open_recalls if f"recall:{r.recall_id}" not in dialog.said]
        if label == "greeting" and closing(text):
            unsaid = []
        insights = insights.model_copy(update={"open_recalls": unsaid})
    if insights is not None:
        told = _insights(insights, label, vehicle, reply)
        reply.said.extend(
            f"recall:{r.recall_id}" for r in insights.open_recalls if any(r.recall_id in part for part in told)
        )
        parts.extend(told)
        answered = answered or bool(told and (label in {"recall_inquiry", "warranty_inquiry"} or insights.asked))

    repair = _recall_repair_at(text, label, results.insights_computed, profile, intent, reply)
    if repair:
        parts.append(repair)
        answered = True

    if reply.route.queue == "roadside":
        # An emergency quotes the roadside policy or nothing: never a maintenance tip that shares a word.
        passages = [p for p in passages if p.doc_id.startswith("faq-roadside")]
    quote_passage = (
        passages
        and clarify is None
        and not (answered and reply.route.kind == "human")
        and label not in {"greeting", "other", "roadside_follow_up", "praise"}
        and not (answered and cockpit and cockpit.steps)
        and (
            not answered
            or label not in {"service_booking", "test_drive", "recall_inquiry"}
            or (label == "test_drive" and adds_to_the_request(passages[0], label))
        )
    )
    if quote_passage:
        lead = _LEADS.get(label, "Here is what I found")
        subject = _subject(passages[0], vehicle)
        parts.append(_not_on_this_car(passages[0], vehicle))
        parts.append(f"{lead}{subject}: {_quote(passages[0])}")
        reply.sources.append(_source(passages[0]))
        answered = True
        if len(passages) > 1 and passages[1].score >= max(MIN_PASSAGE_SCORE, passages[0].score * 0.8):
            reply.suggestions.append(f"Tell me more about {passages[1].title}")

    recommendations: RecommendationsMade | None = results.recommendations_made
    asked_a_fact = bool(results.insights_computed and results.insights_computed.asked)
    shopping = label in SHOPPING and reply.route.kind == "bot" and not asked_a_fact
    if recommendations is not None and recommendations.items and shopping:
        # Only for a shopper the assistant keeps: "how much can my truck tow?" or "what financing rates
        # do you have?" is a question, not a sales lead, and a sales person who takes over chooses.
        parts.append(_recommendations(recommendations, reply))
        answered = True

    if label == "other" and not answered and reply.route.kind == "bot":
        # With a person on the way, "I can't help" would be wrong: the handoff is the answer.
        parts.append(
            "I can help with your Aurora Motors vehicle: service appointments, warning lights and features, "
            "recalls, warranty, connected services, buying, financing and trade-ins. "
            "I can't help with that request."
        )
    if not answered and label not in {"greeting", "other"} and reply.route.kind == "bot":
        parts.append(
            "I couldn't find that in our owner's manuals or FAQs. A member of our team can look into it for you."
        )
        reply.quick_actions.append(QuickAction(label="Talk to a person", action="I'd like to talk to a person"))

    if greeted is not None and answered and not closing(text):
        # Small talk that came with a real answer ("earliest one" as the booking went ahead): the answer
        # alone, without "Hi again!" glued in front of it.
        parts[greeted] = ""
    parts.extend(resume)
    parts.extend(handoff)
    if reply.degraded:
        parts.append("Some of our systems were slow to answer, so this reply may be incomplete.")

    reply.quick_actions.extend(_quick_actions(label, reply.route))
    reply.suggestions.extend(s for s in _SUGGESTIONS.get(label, []) if s not in reply.suggestions)
    reply.suggestions = reply.suggestions[:3]
    reply.quick_actions = _unique_actions(reply.quick_actions)[:4]
    reply.sources = list({source.uri: source for source in reply.sources}.values())
    reply.text = " ".join(p for p in parts if p)
    return reply


SERVICE_NAMES = {"service": "service appointment", "test_drive": "test drive"}
_POWERTRAIN_WORDS = {"electric": "an electric", "hybrid": "a hybrid", "plug_in_hybrid": "a plug-in hybrid"}


def _when(start: datetime) -> str:
    return start.strftime("%a %d %b, %H:%M")


def _dealer_name(dealer_id: str) -> str:
    return str(dealers().get(dealer_id, {}).get("name", dealer_id))


def _services(service_type: str | None) -> str:
    """ "oil_change+tire_rotation" -> "oil change and tire rotation"."""
    names = [s.replace("_", " ") for s in (service_type or "").split("+") if s]
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 2 else names)


def _listed(slots: list[Slot], reply: ComposedReply) -> str:
    """The slots numbered as the customer may pick them ("the second one"), each with its button."""
    for slot in slots[:3]:
        reply.quick_actions.append(QuickAction(label=f"Book {_when(slot.start)}", action=book_action(slot.slot_id)))
    return "; ".join(f"{n}) {_when(slot.start)}" for n, slot in enumerate(slots, start=1))


def _appointment(appointment: Appointment, what: str) -> str:
    detail = f" ({_services(appointment.service_type)})" if appointment.service_type else ""
    car = _booked_car(appointment)
    return f"{what}{detail}{car} at {_dealer_name(appointment.slot.dealer_id)} on {_when(appointment.slot.start)}"


def _booked_car(appointment: Appointment) -> str:
    """Which car: the customer's for a service, the model to drive for a test drive."""
    if not appointment.model:
        return ""
    return f" of the {appointment.model}" if appointment.kind == "test_drive" else f" for your {appointment.model}"


def _reference(appointment: Appointment) -> str:
    return booking_reference(appointment.appointment_id, appointment.slot.dealer_id)


def _notices(action: ServiceActionTaken, reply: ComposedReply) -> list[str]:
    """What servicing asked to be said besides its action: a closed day, a service the car does not have."""
    said: list[str] = []
    for notice in action.notices:
        kind, _, detail = notice.partition(":")
        if kind == "closed" and action.slots:
            said.append(_closed_day(date.fromisoformat(detail), action.slots[0]))
        elif kind == "horizon":
            said.append(
                f"I can book up to {HORIZON_DAYS} days ahead, so {date.fromisoformat(detail):%A %d %b} is not open yet."
            )
        elif kind == "hours" and action.slots:
            said.append(_opening_hours(date.fromisoformat(detail), action.slots[0].dealer_id))
        elif kind == "unsuited":
            said.append(_unsuited(*detail.split(":"), reply=reply))
    return said


def _closed_day(day: date, nearest: Slot) -> str:
    dealer = dealers().get(nearest.dealer_id, {})
    name = str(dealer.get("name", nearest.dealer_id)).removeprefix("Aurora ")
    weekly = any(
        value.strip().lower() == "closed" and day.strftime("%a").lower() in key.lower()
        for key, value in dealer.get("hours", {}).items()
    )
    closed = f"{day:%A}s" if weekly else f"{day:%A %d %b}"
    return f"{name} is closed on {closed}; the nearest open day is {nearest.start:%A %d %b}."


def _opening_hours(day: date, dealer_id: str) -> str:
    dealer = dealers().get(dealer_id, {})
    name = str(dealer.get("name", dealer_id)).removeprefix("Aurora ")
    hours = opening_hours(dealer_id, day) if dealer else None
    if hours is None:
        return f"{name} is closed on {day:%A %d %b}."
    return f"{name} is open {hours[0]:%H:%M}-{hours[1]:%H:%M} on {day:%A}s; these are the nearest free times."


def _unsuited(service: str, model: str = "", drive: str = "", *, reply: ComposedReply) -> str:
    car = f"{_POWERTRAIN_WORDS.get(drive, 'a')} {model}".strip()
    said = f"{service.replace('_', ' ').capitalize()} isn't part of the maintenance of {car}, so I've left it out."
    for schedule in maintenance_schedule()["schedules"]:
        if schedule["model"] == model and drive in schedule["powertrains"]:
            names = ", ".join(item["name"].split(" (")[0].lower() for item in schedule["items"][:4])
            reply.sources.append(Source(title=f"{model} maintenance schedule", uri=schedule["uri"]))
            return f"{said} What it does need: {names}."
    return said


def _servicing(action: ServiceActionTaken, reply: ComposedReply) -> list[str]:
    what = SERVICE_NAMES[action.kind]
    reply.sources.extend(action.sources)
    notices = _notices(action, reply)
    asked = action.missing
    if action.action == "slots_offered" and action.slots:
        dealer = _dealer_name(action.slots[0].dealer_id)
        listed = _listed(action.slots, reply)
        return [*notices, f"Here are the next free {what} slots at {dealer}: {listed}. Which one suits you?"]
    if action.action in {"booked", "rescheduled"} and action.appointment is not None:
        appointment = action.appointment
        reply.quick_actions.append(
            QuickAction(label=f"Cancel this {what}", action=cancel_action(appointment.slot.slot_id))
        )
        done = (
            f"Done: you're now booked for your {_appointment(appointment, what)} instead."
            if action.action == "rescheduled"
            else f"Done: I've booked your {_appointment(appointment, what)}."
        )
        return [*notices, f"{done} Your reference is {_reference(appointment)}."]
    if action.action == "cancelled" and action.appointment is not None:
        appointment = action.appointment
        return [f"Your {_appointment(appointment, what)} is cancelled (reference {_reference(appointment)})."]
    if action.action == "cancelled":
        return ["All right, I've stopped arranging that booking. Nothing was booked."]
    if action.action == "none" and action.appointment is not None and "reference" in action.missing:
        appointment = action.appointment
        return [f"Your booking reference is {_reference(appointment)}: your {_appointment(appointment, what)}."]
    if action.action == "none" and action.appointment is not None:
        appointment = action.appointment
        return [
            f"All right, your {_appointment(appointment, what)} stays booked (reference {_reference(appointment)})."
        ]
    if action.action == "none":
        return []  # nothing to add (such a result is normally left out of the turn before composing)
    if asked == ["confirm_cancel"] and action.appointment is not None:
        appointment = action.appointment
        reply.quick_actions.append(QuickAction(label="Yes, cancel it", action=cancel_action(appointment.slot.slot_id)))
        reply.quick_actions.append(QuickAction(label="No, keep it", action="No, keep it"))
        return [f"Shall I cancel your {_appointment(appointment, what)} (reference {_reference(appointment)})?"]
    if action.action == "needs_info" and asked == ["slot"] and action.slots:
        return [*notices, f"Which of these {what} times would you like: {_listed(action.slots, reply)}?"]
    if action.action == "needs_info" and asked == ["appointment"] and action.slots:
        listed = "; ".join(f"{n}) {_when(slot.start)}" for n, slot in enumerate(action.slots, start=1))
        limit = next((n.split(":") for n in action.notices if n.startswith("limit:")), None)
        if limit is not None:  # aicc.agents.booking_limits
            scope = "for this car" if limit[1] == "vehicle" else "at a time"
            return [
                f"You already have {len(action.slots)} upcoming {what}s booked, the most we hold {scope}: {listed}. "
                f"I can move one of them to the time you asked for: which one? Or cancel one first."
            ]
        return [f"You have several upcoming appointments: {listed}. Which one do you mean?"]
    if action.action == "needs_info":
        asks = {
            "dealer": "which dealer you'd like to visit",
            "date": "which day suits you",
            "time": "what time suits you",
            "model": "which model you'd like to drive",
            "vehicle": "which of your vehicles it is for",
            "service_type": "what service the car needs",
            "kind": "whether you'd like a service appointment or a test drive",
            "slot": "which of the offered times you'd like",
        }
        wanted = [asks.get(m, m.replace("_", " ")) for m in asked] or ["a few more details"]
        if "dealer" in asked:
            reply.sources.extend(Source(title=d["name"], uri=dealer_uri(i)) for i, d in dealers().items())
            wanted = [f"{wanted[0]} ({', '.join(d['name'] for d in dealers().values())})", *wanted[1:]]
        return [*notices, f"To arrange your {what}, please tell me {' and '.join(wanted)}."]
    if asked == ["appointment"]:
        return [f"I couldn't find an upcoming {what} booked for you to change or cancel."]
    if action.slots:
        dealer = _dealer_name(action.slots[0].dealer_id)
        listed = _listed(action.slots, reply)
        return [*notices, f"Sorry, that time is no longer available at {dealer}. The next free slots: {listed}."]
    return [*notices, f"I couldn't find a free {what} slot in the next {HORIZON_DAYS} days. Would another dealer work?"]


def _which_car_to_book(action: ServiceActionTaken, profile: ProfileLoaded | None) -> list[str]:
    """The booking waits for which car: ask, naming each of the customer's cars (with anything else missing)."""
    if action.action != "needs_info" or "vehicle" not in action.missing or not profile or len(profile.vehicles) < 2:
        return []
    cars = " or ".join(f"your {v.model_year} {v.model}" for v in profile.vehicles)
    what = SERVICE_NAMES[action.kind]
    return [f"Which vehicle is the {what} for: {cars}?"]


_DEALER_DETAILS_RE = re.compile(
    r"\b(?:address|where (?:is|are) (?:it|you|the dealer(?:ship)?)|where'?s (?:it|the dealer(?:ship)?)|directions|"
    r"located|location|phone(?: number)?|number to call)\b",
    re.I,
)


def _dealer_asked(text: str, action: ServiceActionTaken, reply: ComposedReply) -> str | None:
    """The address and phone of the dealer the booking is at, when the side question asks for them."""
    if not _DEALER_DETAILS_RE.search(text):
        return None
    dealer_ids = [slot.dealer_id for slot in action.slots] or [
        d for d in dealers() if any(dealer_uri(d) == source.uri for source in action.sources)
    ]
    dealer = dealers().get(dealer_ids[0]) if dealer_ids else None
    if dealer is None:
        return None
    _cite_dealer(dealer, reply)
    return f"{dealer['name']} is at {dealer['address']}, phone {dealer['phone']}."


_GET_IT_DONE_RE = re.compile(
    r"\b(?:get|have|getting)\b[^.?!]{0,40}\b(?:done|fixed|repaired|sorted|taken care of)\b"
    r"|\b(?:fix|repair|book|schedule)\b",
    re.I,
)


def _recall_repair_at(
    text: str,
    label: str,
    insights: InsightsComputed | None,
    profile: ProfileLoaded | None,
    intent: IntentDetected | None,
    reply: ComposedReply,
) -> str | None:
    """ "need to get the trailer plug recall done": where, the customer's own dealer, and the next step."""
    if label != "recall_inquiry" or insights is None or not insights.open_recalls or not _GET_IT_DONE_RE.search(text):
        return None
    dealer = _customers_dealer(profile, intent)
    if dealer is None:
        return "Any Aurora dealer does recall repairs free of charge: which dealer would you like to visit?"
    _cite_dealer(dealer, reply)
    return (
        f"Your dealer, {dealer['name']} ({dealer['address']}), does the repair free of charge. "
        "Which day would suit you, or would you prefer another dealer?"
    )


def _resume_offer(action: ServiceActionTaken, reply: ComposedReply) -> list[str]:
    """After a side question: the booking is still open, with the times offered if there were any."""
    what = SERVICE_NAMES[action.kind]
    if action.slots:
        return [f"Shall we go on with your {what}? The times I found: {_listed(action.slots, reply)}."]
    return [f"Shall we go on with your {what}?"]


def _cockpit(guidance: CockpitGuidance, reply: ComposedReply) -> list[str]:
    reply.sources.extend(guidance.sources)
    car = f" on your {guidance.model_year} {guidance.model}" if guidance.model and guidance.model_year else ""
    topic = guidance.topic.replace("_", " ")
    parts = []
    if guidance.severity in {"warning", "critical"} and guidance.safe_to_drive is False:
        parts.append(f"The {topic} indicator{car} is serious: it is not safe to keep driving.")
    elif guidance.safe_to_drive is not None:
        safe = "it is safe to drive carefully" if guidance.safe_to_drive else "please don't drive until it is checked"
        parts.append(f"About the {topic}{car}: {safe}.")
    else:
        parts.append(f"How to use {topic}{car}:")
    steps = " ".join(f"{n}. {step}" for n, step in enumerate(guidance.steps, start=1))
    parts.append(steps)
    return parts


_DETAIL_RE = re.compile(r"\b(?:that|this|those)\s+([a-z]{3,})\b", re.I)
_QUESTION_RE = re.compile(r"\?\s*$|^\W*(?:what|where|when|how|which|why|can|could|should|is|are|do|does|will)\b", re.I)
# Words every step of a light's guidance may share with a follow-up: they point at no one step.
_GENERIC_WORDS = frozenset(
    {"light", "lights", "still", "safe", "drive", "driving", "keep", "car", "truck", "vehicle", "what", "where", "when",
     "should", "could", "would", "there", "that", "this", "with", "have", "will", "about", "exactly", "the", "way"}
)  # fmt: skip


def _step_asked_about(text: str, guidance: CockpitGuidance, dialog: DialogState) -> str | None:
    """ "where's that button exactly?", "can i still use a supercharger?" about the light or feature already
    explained: the steps that answer it, not the whole guidance again; None when the question points at
    no particular step (then the whole guidance is the answer)."""
    if dialog.warning_light != guidance.topic:
        return None
    car = f" on your {guidance.model_year} {guidance.model}" if guidance.model and guidance.model_year else ""
    for match in _DETAIL_RE.finditer(text):
        word = re.compile(rf"\b{re.escape(match.group(1))}s?\b", re.I)
        steps = [step for step in guidance.steps if word.search(step)]
        if steps and len(steps) < len(guidance.steps):
            return f"About the {match.group(1).lower()}{car}: {' '.join(steps)}"
    if not _QUESTION_RE.search(text) or guidance.safe_to_drive is False:
        # "i filled the tires but it's still on": the whole guidance again is the answer; and where it is
        # not safe to drive, "can i let it cool down and keep going?" hears that verdict first, every time.
        return None
    asked = {w for w in re.findall(r"[a-z]{4,}", text.lower()) if w not in _GENERIC_WORDS}
    steps = [step for step in guidance.steps if _shares_a_stem(asked, step)]
    if steps and len(steps) < len(guidance.steps):
        return f"About the {guidance.topic.replace('_', ' ')}{car}: {' '.join(steps)}"
    return None


def _shares_a_stem(words: set[str], step: str) -> bool:
    """ "supercharger" and "charging" share "charg", "load" and "unloaded" share "load": the start of a
    word of one inside a word of the other."""
    said = [w for w in re.findall(r"[a-z]{4,}", step.lower()) if w not in _GENERIC_WORDS]
    return any(w[:5] in word or word[:5] in w for word in words for w in said)


def _insights(insights: InsightsComputed, label: str, vehicle: Vehicle | None, reply: ComposedReply) -> list[str]:
    """The facts CDH computed that this turn asked for, per vehicle: recalls, warranty, maintenance, specs."""
    told: list[str] = []
    asked = set(insights.asked)
    owned = [v for v in insights.vehicles if v.vin and not v.looked_up]
    looked_up = [v for v in insights.vehicles if v.looked_up]
    # The vehicles the message is about: the ones it named, else all the customer's.
    focus = [v for v in owned if v.named] or owned
    # A recall told unasked is about the car the message names ("a tire rotation for my dune"), if it names one.
    mine = [r for r in insights.open_recalls if any(r.vin == v.vin for v in focus)]
    if looked_up and (label == "recall_inquiry" or "recalls" in asked):
        # "I'm looking at a used car, VIN ...": that car's recalls, not the customer's own car's
        told.extend(_recalls_told(insights, looked_up, reply))
    elif owned and (label == "recall_inquiry" or "recalls" in asked):
        told.extend(_recalls_told(insights, focus, reply))
    elif mine and label in {"recall_inquiry", "vehicle_problem", "service_booking", "greeting"}:
        recall = mine[0]
        car = next((_car(v) for v in owned if v.vin == recall.vin), "vehicle")
        told.append(
            f"Your {car} (VIN ending {recall.vin[-6:]}) has an open recall {recall.recall_id}: {recall.title}. "
            f"Remedy: {recall.remedy}"
        )
        reply.quick_actions.append(QuickAction(label="Book the recall repair", action="Book a recall repair"))
        reply.sources.extend(s for s in insights.sources if recall.recall_id in s.title or recall.recall_id in s.uri)
    elif label == "recall_inquiry" and vehicle is not None:
        told.append(
            f"I found no open recalls for your {vehicle.model_year} {vehicle.model} (VIN ending {vehicle.vin[-6:]})."
        )
    if label == "warranty_inquiry" or "warranty" in asked:
        told.extend(_warranty_told(insights, focus, reply))
    if "maintenance" in asked or (insights.asked_service and insights.next_service):
        told.extend(_maintenance_told(insights, focus, reply))
    if asked & {"towing", "range", "seats"}:
        told.extend(_specs_told(insights, asked, reply))
    if "price" in asked:
        told.extend(_prices_told(insights, reply))
    if insights.next_best_action is not None and label in {"greeting", "service_booking", "warranty_inquiry"}:
        reply.suggestions.append(insights.next_best_action.action.replace("_", " ").capitalize())
    return told


def _car(facts: VehicleFacts) -> str:
    return f"{facts.model_year} {facts.model}" if facts.model_year else facts.model


def _day(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day.day} {day:%b %Y}"


def _recalls_told(insights: InsightsComputed, focus: list[VehicleFacts], reply: ComposedReply) -> list[str]:
    """Each vehicle's open recalls: the customer's own, or a car they asked about by its VIN."""
    told: list[str] = []
    for facts in focus:
        notices = [r for r in insights.open_recalls if r.vin == facts.vin]
        car = (
            f"The {_car(facts)} with VIN {facts.vin}"
            if facts.looked_up
            else f"Your {_car(facts)} (VIN ending {str(facts.vin)[-6:]})"
        )
        if not notices:
            told.append(f"{car} has no open recalls.")
            continue
        listed = " ".join(f"{r.recall_id}: {r.title}. Remedy: {r.remedy}" for r in notices)
        told.append(f"{car} has {len(notices)} open recall{'s' if len(notices) > 1 else ''}: {listed}")
        reply.sources.extend(
            s for s in insights.sources for r in notices if r.recall_id in s.title or r.recall_id in s.uri
        )
    if any(r.vin in {f.vin for f in focus} for r in insights.open_recalls):
        reply.quick_actions.append(QuickAction(label="Book the recall repair", action="Book a recall repair"))
    return told


def _term(status: WarrantyStatus) -> str:
    months = status.term_months
    length = f"{months // 12} years" if months and months % 12 == 0 else f"{months} months" if months else ""
    limit = f"{status.expires_at_mileage:,} miles" if status.expires_at_mileage else "unlimited miles"
    return f" ({length} / {limit})" if length else ""


def _until(status: WarrantyStatus) -> str:
    limits = [f"until {_day(status.expires_on)}" if status.expires_on else ""]
    limits.append(f"{status.expires_at_mileage:,} miles" if status.expires_at_mileage else "")
    both = all(limits)
    return " or ".join(x for x in limits if x) + (", whichever comes first" if both else "")


def _ended(status: WarrantyStatus, verb: str = "ended ") -> str:
    if status.ended_by == "mileage" and status.expires_at_mileage:
        return f"{verb}at {status.expires_at_mileage:,} miles"
    return f"{verb}on {_day(status.expires_on)}" if status.expires_on else "has ended"


def _coverage_told(status: WarrantyStatus, facts: VehicleFacts) -> str:
    what = f"Your {status.coverage} coverage on your {_car(facts)}{_term(status)}"
    odometer = f"; your {facts.model} is at {facts.mileage:,} miles" if facts.mileage is not None else ""
    if status.ended_by is not None:
        return f"{what} {_ended(status)}{odometer if status.ended_by == 'mileage' else ''}."
    return f"{what} runs {_until(status)}{odometer if status.expires_at_mileage else ''}."


def _warranty_told(insights: InsightsComputed, focus: list[VehicleFacts], reply: ComposedReply) -> list[str]:
    """The coverage of the part asked about, or every coverage in force and ended, per vehicle."""
    every = [*insights.warranty, *insights.warranty_ended]
    if not focus:
        # A producer without per-vehicle facts: the coverage ending soonest is all there is to say.
        return [f"Your {w.coverage} coverage runs {_until(w)}." for w in insights.warranty[:1]]
    told: list[str] = []
    cited: set[str] = set()
    for facts in focus:
        mine = [w for w in every if w.vin == facts.vin]
        asked = [w for w in mine if insights.asked_coverage and w.code == insights.asked_coverage]
        if asked:
            told.extend(_coverage_told(w, facts) for w in asked)
            cited.update(w.code or "" for w in asked)
            continue
        odometer = f" ({facts.mileage:,} miles)" if facts.mileage is not None else ""
        in_force = [f"{w.coverage} {_until(w)}" for w in mine if w.ended_by is None]
        ended = [f"{w.coverage} {_ended(w, '')}" for w in mine if w.ended_by is not None]
        if in_force:
            told.append(f"Your {_car(facts)}{odometer} is covered by: {'; '.join(in_force)}.")
        if ended:
            told.append(
                f"{'Ended' if in_force else f'On your {_car(facts)}{odometer}, every coverage has ended'}: "
                f"{'; '.join(ended)}."
            )
        cited.update(w.code or "" for w in mine)
    uris = {c["uri"] for c in warranty_terms()["coverages"] if c["code"] in cited}
    reply.sources.extend(s for s in insights.sources if s.uri in uris)
    return told


def _maintenance_told(insights: InsightsComputed, focus: list[VehicleFacts], reply: ComposedReply) -> list[str]:
    """The next due service asked about (or, when the car has no such service, what is due instead)."""
    told: list[str] = []
    service = (insights.asked_service or "").replace("_", " ")
    for facts in focus:
        due = [d for d in insights.next_service if d.vin == facts.vin]
        if not due:
            continue
        car = _car(facts)
        odometer = f" (at {facts.mileage:,} miles)" if facts.mileage is not None else ""
        has_it = service and service.split()[0].lower() in due[0].service.lower()
        if service and not has_it:
            told.append(
                f"Your {car} is electric, so it never needs an oil change."
                if facts.powertrain == "electric" and insights.asked_service == "oil_change"
                else f"The maintenance schedule for your {car} has no {service}."
            )
        whens = [
            f"{d.service}{' (overdue)' if d.overdue else ''} "
            + " or ".join(
                x
                for x in (
                    f"at {d.due_at_mileage:,} miles" if d.due_at_mileage else "",
                    f"by {_day(d.due_on)}" if d.due_on else "",
                )
                if x
            )
            for d in due
        ]
        if has_it and len(due) == 1:
            told.append(
                f"Your {car}{odometer} is next due for its {whens[0][0].lower()}{whens[0][1:]}, whichever comes first."
            )
        else:
            told.append(f"Next on the schedule for your {car}{odometer}: {'; '.join(whens)} (whichever comes first).")
    reply.sources.extend(s for s in insights.sources if "maintenance-schedule" in s.uri)
    return told


def _spec_told(facts: VehicleFacts, spec: str, owned: bool) -> str | None:
    car = f"your {facts.model_year} {facts.trim or facts.model}" if owned else f"the {facts.trim or facts.model}"
    if spec == "towing" and facts.towing_lb is not None:
        if facts.towing_lb == 0:
            return f"The {facts.model} is not approved for towing." if owned else None
        return f"{car[0].upper()}{car[1:]} can tow up to {facts.towing_lb:,} lb when properly equipped."
    if spec == "range" and facts.range_miles is not None:
        if facts.powertrain == "plug_in_hybrid":
            return (
                f"{car[0].upper()}{car[1:]} drives up to {facts.range_miles} miles on electricity "
                "(EPA estimate) before running as a hybrid."
            )
        return f"{car[0].upper()}{car[1:]} has an EPA-estimated range of {facts.range_miles} miles on a full charge."
    if spec == "range" and owned:
        return f"{car[0].upper()}{car[1:]} runs on {facts.powertrain or 'gasoline'}, so it has no electric range."
    if spec == "seats" and facts.seats is not None:
        return f"{car[0].upper()}{car[1:]} has {facts.seats} seats."
    return None


def _specs_told(insights: InsightsComputed, asked: set[AskedFact], reply: ComposedReply) -> list[str]:
    """From the catalog, for the vehicles the message named (owned or not), else all the customer's."""
    named = [v for v in insights.vehicles if v.named]
    about = named or [v for v in insights.vehicles if v.vin]
    told: list[str] = []
    for spec in ("towing", "range", "seats"):
        if spec not in asked:
            continue
        said = [_spec_told(facts, spec, facts.vin is not None) for facts in about]
        unowned = [f for f in about if f.vin is None]
        if spec == "towing" and unowned and all(f.towing_lb == 0 for f in unowned):
            said.append(f"The {unowned[0].model} is not approved for towing.")
        if spec == "seats" and unowned and len({f.seats for f in unowned}) == 1:
            # Seats are the same for every trim of a model: say it once.
            said = [s for s, f in zip(said, about, strict=False) if f.vin] + [
                f"The {unowned[0].model} has {unowned[0].seats} seats."
            ]
        told.extend(dict.fromkeys(s for s in said if s))
    reply.sources.extend(s for facts in about for s in facts.sources)
    return told


def _not_on_this_car(passage: Passage, vehicle: Vehicle | None) -> str:
    """'Not on your 2021 Aster' when the passage says a feature came to that model only from a later
    model year ("... and Aster from 2024"); empty otherwise. The customer asked about their car."""
    if vehicle is None:
        return ""
    found = re.search(rf"\b{re.escape(vehicle.model)}\b[^.;,]{{0,30}}?\bfrom (?:the )?(\d{{4}})\b", passage.text)
    if found is None or vehicle.model_year >= int(found.group(1)):
        return ""
    car = f"{vehicle.model_year} {vehicle.model}"
    return f"Unfortunately not on your {car}: it came with the {found.group(1)} model year."


def _prices_told(insights: InsightsComputed, reply: ComposedReply) -> list[str]:
    """Starting prices from the catalog: each trim of the model asked about, or, for the whole
    line-up, the most affordable trim first and every model's starting price."""
    priced = [v for v in insights.vehicles if v.vin is None and v.price is not None]
    models = list(dict.fromkeys(v.model for v in priced))
    if not priced:
        return []
    uris = {m["faq_uri"]: m["name"] for m in catalog()["models"] if m["name"] in models}
    reply.sources.extend(Source(title=f"Aurora {name}", uri=uri) for uri, name in uris.items())
    if len(models) == 1:
        trims = "; ".join(f"{v.trim or v.model} ${v.price:,}" for v in priced)
        lowest = min(v.price for v in priced if v.price is not None)
        return [f"The {models[0]} starts at ${lowest:,} (MSRP, before destination and taxes): {trims}."]
    cheapest = min(priced, key=lambda v: v.price or 0)
    starts = [
        f"the {model} from ${min(v.price or 0 for v in priced if v.model == model):,}"
        for model in sorted(models, key=lambda m: min(v.price or 0 for v in priced if v.model == m))
    ]
    return [
        f"Our most affordable car is the {cheapest.trim or cheapest.model} at ${cheapest.price:,} (MSRP, before "
        f"destination and taxes). Starting prices: {'; '.join(starts)}."
    ]


def _recommendations(made: RecommendationsMade, reply: ComposedReply) -> str:
    reply.sources.extend(made.sources)
    listed = "; ".join(
        f"{item.name}{f' (${item.price:,.0f})' if item.price else ''}: {item.reason.rstrip('.')}"
        for item in made.items[:3]
    )
    return f"You might like: {listed}."


def _first_name(profile: ProfileLoaded | None) -> str | None:
    if profile and profile.profile:
        return profile.profile.name.split()[0]
    return None


def _vehicle(profile: ProfileLoaded | None, intent: IntentDetected | None, dialog: DialogState) -> Vehicle | None:
    if not profile or not profile.vehicles:
        return None
    if intent and intent.entities.vin:
        for v in profile.vehicles:
            if v.vin == intent.entities.vin:
                return v
    if intent and intent.entities.model:
        for v in profile.vehicles:
            if v.model.lower() == intent.entities.model.lower():
                return v
        return None  # asking about a model they don't own: don't assume their car
    in_focus = next((v for v in profile.vehicles if v.vin == dialog.vehicle_vin), None)
    return in_focus or profile.vehicles[0]


def _about_a_model_just_named(
    text: str, intent: IntentDetected | None, dialog: DialogState, profile: ProfileLoaded | None
) -> bool:
    """A follow-up that names no car, right after an answer about a model the customer does not own
    ("cheapest suv?" -> the Borealis; "does it come as a plug-in?"): it asks about that model, so
    passages are not limited to the customer's own car."""
    if intent is None or intent.entities.model or intent.entities.vin or not is_follow_up(text):
        return False
    focus = model_in_focus(dialog)
    owned = {v.model for v in profile.vehicles} if profile else set()
    return dialog.topic is not None and focus is not None and focus not in owned


def _applies(passage: Passage, vehicle: Vehicle) -> bool:
    return (not passage.models or vehicle.model in passage.models) and (
        not passage.model_years or vehicle.model_year in passage.model_years
    )


def _subject(passage: Passage, vehicle: Vehicle | None) -> str:
    if not passage.models:
        return ""
    if vehicle and _applies(passage, vehicle):
        return f" for your {vehicle.model_year} {vehicle.model}"
    return f" for the {' and '.join(passage.models)}"


# Messages that close a topic rather than open one: thanks, goodbyes and bare acknowledgements.
_THANKS_RE = re.compile(r"\b(thanks|thank (you|u)|thx|ty|tysm|cheers|appreciate (it|that))\b", re.IGNORECASE)
_BYE_RE = re.compile(
    r"\b(bye|goodbye|see (you|ya)|good night|take care|have a (good|great|nice) (one|day|night|evening|weekend))\b",
    re.IGNORECASE,
)
_ACKNOWLEDGED_RE = re.compile(
    r"^\W*((ok(ay)?|k+|alright|all right|got it|cool|great|perfect|sounds good|noted|understood|nice|good)\W*)+$",
    re.IGNORECASE,
)
# A question whether the customer is talking to a person or a machine.
_ASKS_IF_PERSON_RE = re.compile(
    r"\b(are|r)\s+(you|u)\s+(an?\s+)?(real|actual|live)?\s*(person|human|bot|robot|ai|chatbot|machine|computer)\b"
    r"|\bis\s+this\s+(an?\s+)?(real\s+|actual\s+|live\s+)?(person|human|bot|robot|ai|chatbot|machine)\b"
    r"|\b(am\s+i|i'?m)\s+(talking|chatting|speaking)\s+(to|with)\s+(an?\s+)?(real\s+|actual\s+)?"
    r"(person|human|bot|robot|ai|machine|computer)\b",
    re.IGNORECASE,
)


def closing(text: str) -> bool:
    """Whether a message only thanks, says goodbye or acknowledges: nothing new to tell the customer."""
    return bool(_THANKS_RE.search(text) or _BYE_RE.search(text) or _ACKNOWLEDGED_RE.match(text))


def _about_the_assistant(text: str, label: str) -> str | None:
    """The truthful answer to "are you a real person?"; None when the message does not ask it."""
    if label not in {"other", "human_agent", "greeting"} or not _ASKS_IF_PERSON_RE.search(text):
        return None
    offer = "" if label == "human_agent" else " If you'd like to talk to a person, just say so."
    return f"I'm the Aurora Motors virtual assistant, an automated system rather than a person.{offer}"


def _greeting(text: str, name: str | None, vehicle: Vehicle | None, *, again: bool = False) -> str:
    if _THANKS_RE.search(text):
        return f"You're welcome{', ' + name if name else ''}! Is there anything else I can help with?"
    if _BYE_RE.search(text):
        return f"Goodbye{', ' + name if name else ''}. Drive safely!"
    if _ACKNOWLEDGED_RE.match(text):
        return "All right. Is there anything else I can help with?"
    if again:  # introduced already in this conversation
        return "Hi again! What else can I help you with?"
    car = f" with your {vehicle.model_year} {vehicle.model}" if vehicle else ""
    return (
        f"Hi{' ' + name if name else ''}! I'm the Aurora Motors assistant. I can help{car}: service appointments, "
        "warning lights and features, recalls, warranty and more."
    )


def _customers_dealer(profile: ProfileLoaded | None, intent: IntentDetected | None) -> dict[str, Any] | None:
    """The dealer the customer named, else their preferred one; None when neither is known."""
    dealer_id = (intent.entities.dealer if intent else None) or (
        profile.profile.preferred_dealer if profile and profile.profile else None
    )
    return dealers().get(dealer_id or "")


def _cite_dealer(dealer: dict[str, Any], reply: ComposedReply) -> None:
    """The dealer as a source of the reply, and a button to call them."""
    reply.sources.append(Source(title=dealer["name"], uri=dealer_uri(dealer["dealer_id"])))
    reply.quick_actions.append(QuickAction(label=f"Call {dealer['name']}", action=f"tel:{dealer['phone']}"))


def _dealer_contact(
    profile: ProfileLoaded | None, intent: IntentDetected | None, reply: ComposedReply, label: str
) -> list[str]:
    dealer = _customers_dealer(profile, intent)
    what = "a test drive" if label == "test_drive" else "a service appointment"
    if dealer is None:
        names = ", ".join(d["name"] for d in dealers().values())
        reply.sources.extend(Source(title=d["name"], uri=dealer_uri(i)) for i, d in dealers().items())
        return [f"You can arrange {what} with any of our dealers: {names}. Which one suits you?"]
    hours = "; ".join(f"{days} {time}" for days, time in dealer["hours"].items())
    _cite_dealer(dealer, reply)
    return [
        f"You can arrange {what} with {dealer['name']}, {dealer['address']}, phone {dealer['phone']} "
        f"(opening hours: {hours})."
    ]


# Intents whose reply may suggest models or accessories.
SHOPPING = {"purchase_inquiry", "parts_accessories"}
# Questions whose answer depends on which car: asked about when it is not clear.
VEHICLE_SPECIFIC = {"vehicle_problem", "vehicle_feature_help", "warranty_inquiry"}


def _which_vehicle(
    text: str, label: str, intent: IntentDetected | None, profile: ProfileLoaded | None, dialog: DialogState
) -> tuple[str, list[QuickAction]] | None:
    """A short question when the car a question is about is not clear; None when it is."""
    if intent is None or profile is None or not profile.vehicles or label not in VEHICLE_SPECIFIC | {"other"}:
        return None
    owned = profile.vehicles
    named = intent.entities.model
    if named and not any(v.model.lower() == named.lower() for v in owned):
        if label == "other" or not re.search(rf"\bmy\s+(\w+\s+)?{re.escape(named)}\b", text, re.IGNORECASE):
            return None  # asking about a model they don't own, not claiming to own it
        cars = " and ".join(f"your {v.model_year} {v.model}" for v in owned)
        question = f"I have {cars} on file for you. Is this about a {named.title()} you drive, or {cars}?"
        return question, [_car_action(text, v) for v in owned]
    if label == "other" or len(owned) < 2 or vehicle_in_focus(dialog, intent.entities, profile) is not None:
        return None
    cars = " or ".join(f"your {v.model_year} {v.model}" for v in owned)
    return f"Which vehicle is this about: {cars}?", [_car_action(text, v) for v in owned]


def _car_action(question: str, vehicle: Vehicle) -> QuickAction:
    """A button that asks the question again about this car (its text is the next message)."""
    about = f" (about my {vehicle.model_year} {vehicle.model})"
    return QuickAction(label=f"My {vehicle.model_year} {vehicle.model}", action=question[: 200 - len(about)] + about)


EMERGENCY_FOLLOW_UPS = {"other", "roadside_assistance", "human_agent", "vehicle_problem", "complaint"}


# A follow-up about the programme just discussed, by pronoun: "does it transfer?", "does that expire?".
_ABOUT_THE_COVER = re.compile(
    r"\b(it|that|this|the coverage|the cover)\b.*\b(transfer\w*|sell|sold|selling|next owner|new owner|"
    r"carr(y|ies) over|expir\w*|renew\w*|ends?|cost|price|free)\b|"
    r"\b(transfer\w*|sell|sold|selling|next owner|new owner|carr(y|ies) over|expir\w*|renew\w*)\b.*\b(it|that|this)\b",
    re.IGNORECASE,
)
# A follow-up that names another subject is about that subject.
_OTHER_SUBJECT = re.compile(r"\b(warrant\w*|care plan|service plan|loaner|recall|financ\w*|lease)\b", re.IGNORECASE)


def _roadside_cover_follow_up(
    text: str, dialog: DialogState, vehicle: Vehicle | None, reply: ComposedReply
) -> list[str]:
    """The roadside policy's answer to a follow-up about the cover the last turn asked about; [] else."""
    if dialog.last_intent != "roadside_assistance" or not _ABOUT_THE_COVER.search(text):
        return []
    if _OTHER_SUBJECT.search(text) or _emergency_open(dialog):
        return []
    return _policy_answer(text, "roadside", vehicle, reply)


def _let_down(route: Route, dialog: DialogState) -> bool:
    """A grievance just passed to customer care as a priority: apologised for, however calmly told
    ("they had no record of my booking, i took a day off for nothing")."""
    return route.queue == "customer_care" and route.priority == "high" and dialog.escalation is None


def _emergency_open(dialog: DialogState) -> bool:
    escalation = dialog.escalation
    return escalation is not None and escalation.queue == "roadside" and "handoff:roadside" in dialog.said


def _handoff(
    reply: ComposedReply, dialog: DialogState, label: str, profile: ProfileLoaded | None, intent: IntentDetected | None
) -> list[str]:
    """Who has the conversation now: said once, then "already has"; with the roadside number and
    "call 911 first" when someone may be in danger."""
    queue = QUEUE_NAMES.get(reply.route.queue or "", reply.route.queue or "our team")
    urgency = " as a priority" if reply.route.priority in {"high", "urgent"} else ""
    handed = f"handoff:{reply.route.queue}"
    told: list[str] = []
    if handed in dialog.said:
        told.append(f"Our {queue} team already has this conversation{urgency} and will be with you shortly.")
    else:
        told.append(f"I've passed this conversation to our {queue} team{urgency}.")
        reply.said.append(handed)
    if reply.route.queue == "sales":
        told.append(_sales_contact(profile, intent, reply))
    if label == "roadside_assistance" or reply.route.queue == "roadside":
        roadside = catalog()["roadside"]
        first = "" if _emergency_open(dialog) else "If anyone is hurt or you are in danger, call 911 first. "
        told.append(f"{first}{roadside['title']}: {roadside['phone']}.")
        reply.sources.append(Source(title=roadside["title"], uri=roadside["uri"]))
    return told


# Praise of someone ("Maya was super helpful"), or asking how to pass a compliment on: not a complaint.
_PRAISE = re.compile(
    r"\b(was|were|is|are|been) (super |so |really |very |incredibly |extremely )?"
    r"(helpful|great|amazing|awesome|fantastic|friendly|kind|wonderful|excellent)\b|\bcompliment\w*\b|"
    r"\b(leave|give|write|post|send|submit)\b.{0,20}\b(review|feedback|kudos|rating)\b",
    re.IGNORECASE,
)


def _praise(
    text: str, label: str, sentiment: SentimentAnalyzed | None, reply: ComposedReply, dialog: DialogState
) -> list[str]:
    """Thanks and how a compliment reaches the person, from the feedback policy; [] when not praise.
    How it is passed on is said once a conversation; more praise after it is thanked."""
    compliment = label in {"greeting", "other", "complaint"} and bool(_PRAISE.search(text))
    if reply.route.kind != "bot" or not (praises(text) or compliment):
        return []
    if sentiment is not None and sentiment.label == "negative":
        return []
    # "how do i leave her a compliment?" asks how; praise itself is thanked.
    asks = "?" in text or bool(re.match(r"\W*(how|where|what|can|could)\b", text, re.IGNORECASE))
    thanks = "" if asks and not praises(text) else "Thank you, that's great to hear!"
    if praises(text) and "praise" in dialog.said:
        return ["Thank you again, that's very kind of you!"]
    reply.said.append("praise")
    # Pure praise asks nothing: the feedback policy alone answers it ("above and beyond" is no escalation).
    query = "compliment feedback" if praises(text) else f"{text} compliment feedback"
    return [thanks, *_policy_answer(query, "customer_care", None, reply)]


# Words of someone asking for an appointment, as opposed to a question that only mentions a visit.
_ASKS_TO_BOOK = re.compile(
    r"\b(book\w*|appointments?|schedul\w*|slots?|reserv\w*|come in|bring (it|her|him) in|drop (it|the car) off|"
    r"availab\w*|today|tomorrow|tonight|morning|afternoon|evening|week|weekend|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday|\d{1,2}(:\d\d)? ?(am|pm))\b",
    re.IGNORECASE,
)


def _aside_in_a_booking(servicing: ServiceActionTaken | None) -> bool:
    """The booking assistant set its booking aside for this message: a side question, answered on its own."""
    return servicing is not None and servicing.missing == ["resume"]


def _unasked_offer(servicing: ServiceActionTaken, text: str) -> bool:
    """Slots offered to a message that asks for no appointment: the classifier's misreading."""
    return servicing.action == "slots_offered" and not _ASKS_TO_BOOK.search(text)


def _policy_answer(text: str, queue: str | None, vehicle: Vehicle | None, reply: ComposedReply) -> list[str]:
    """The sentences of the queue's policies that answer the message, cited."""
    found = answering_sentences(text, queue, vehicle.model if vehicle else None)
    reply.sources.extend(sentence.source() for sentence in found)
    return [sentence.text for sentence in found]


def _emergency_follow_up(text: str, vehicle: Vehicle | None, dialog: DialogState, reply: ComposedReply) -> list[str]:
    """The roadside policy's answer to a follow-up, else how to stay safe while help comes. While the
    case is urgent every answer keeps the first rule in sight: anyone hurt or in danger calls 911.
    A warning light's steps count only when a light is what the case is about."""
    found = answering_sentences(text, "roadside", vehicle.model if vehicle else None, lights=bool(dialog.warning_light))
    reply.sources.extend(sentence.source() for sentence in found)
    policy = [sentence.text for sentence in found]
    if not policy:
        return [
            "If anyone is hurt, or the car is in a dangerous spot or blocking traffic, call 911 now: they send "
            "police and an ambulance. Stay somewhere safe away from traffic with your hazard lights on."
        ]
    if not any("911" in sentence for sentence in policy):
        policy.append("If anyone is hurt or in danger, call 911 first.")
    return policy


def _sales_contact(profile: ProfileLoaded | None, intent: IntentDetected | None, reply: ComposedReply) -> str:
    """Who sells to this customer: their dealer's (or the one they named) sales people and phone."""
    dealer = _customers_dealer(profile, intent)
    if dealer is None:
        names = ", ".join(d["name"] for d in dealers().values())
        return f"Tell me which dealer is closest to you and its sales team will contact you: {names}."
    _cite_dealer(dealer, reply)
    staff = " or ".join(dealer.get("sales_staff", [])[:2]) or "the sales team"
    return f"{staff} at {dealer['name']} will contact you; you can also call them on {dealer['phone']}."


def _quick_actions(label: str, route: Route) -> list[QuickAction]:
    actions: list[QuickAction] = []
    if label == "roadside_assistance" or route.queue == "roadside":
        actions.append(QuickAction(label="Call roadside assistance", action=f"tel:{catalog()['roadside']['phone']}"))
    if route.kind == "bot" and label in {"vehicle_problem", "recall_inquiry", "warranty_inquiry"}:
        actions.append(QuickAction(label="Book a service appointment", action="I'd like to book a service appointment"))
    if route.kind == "bot" and label in {"purchase_inquiry", "financing", "trade_in"}:
        actions.append(QuickAction(label="Book a test drive", action="I'd like to book a test drive"))
    if route.kind == "bot" and label not in {"greeting"}:
        actions.append(QuickAction(label="Talk to a person", action="I'd like to talk to a person"))
    return actions


def _unique_actions(actions: list[QuickAction]) -> list[QuickAction]:
    seen: set[str] = set()
    unique = []
    for action in actions:
        if action.action not in seen:
            seen.add(action.action)
            unique.append(action)
    return unique


def _quote(passage: Passage) -> str:
    return passage.text.strip()


def _source(passage: Passage) -> Source:
    return Source(title=passage.title, uri=passage.uri)
