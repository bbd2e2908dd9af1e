"""Routing: bot or a human queue, with priority and the reason, from intent + sentiment of a turn.

Rules are data, checked in order; the first that matches decides. The reason names the rule so a
supervisor reading the event (or a trace) sees why a conversation went where it went.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aicc.agents.dialog import keep_escalation
from aicc.agents.slots import manages_booking
from aicc.nlu.praise import praises
from contracts.common import DialogState, Priority, Route
from contracts.events import EventMeta, IntentDetected, RouteDecided, SentimentAnalyzed, TurnAssembled, TurnResults


@dataclass(frozen=True)
class RoutingRule:
    name: str
    intents: frozenset[str] = frozenset()  # empty: any intent
    sentiment: frozenset[str] = frozenset()  # empty: any label
    urgency: frozenset[str] = frozenset()  # empty: any urgency
    min_confidence: float = 0.0
    purchase_ready: bool = False  # True: only when the customer signals they are ready to buy
    flows: frozenset[str] = frozenset()  # non-empty: only inside these multi-turn flows
    changing_booking: bool = False  # True: only when the text asks to cancel or move an appointment
    about_the_programme: bool = False  # True: only when the text asks about the roadside programme itself
    disputed_charge: bool = False  # True: only when the text disputes a charge
    praise: bool = False  # True: only when the text thanks or compliments and reports nothing wrong
    grievance: bool = False  # True: only when the text reports being let down by a visit or the service
    queue: str | None = None  # None: stay with the bot
    priority: Priority = "normal"

    def applies(self, intent: IntentDetected, sentiment: SentimentAnalyzed) -> bool:
        return (
            (not self.intents or intent.intent in self.intents)
            and intent.confidence >= self.min_confidence
            and (not self.purchase_ready or intent.purchase_ready)
            and (not self.flows or intent.meta.flow in self.flows)
            and (not self.changing_booking or manages_booking(intent.text))
            and (not self.about_the_programme or bool(_ABOUT_THE_PROGRAMME.search(intent.text)))
            and (not self.disputed_charge or bool(_DISPUTED_CHARGE.search(intent.text)))
            and (not self.praise or praises(intent.text))
            and (not self.grievance or bool(_GRIEVANCE.search(intent.text)))
            and (not self.sentiment or sentiment.label in self.sentiment)
            and (not self.urgency or sentiment.urgency in self.urgency)
        )


# A question about the roadside programme itself ("how long does roadside assistance last?", "does it
# transfer?"), not a request for help: the assistant answers it from the policy.
_ABOUT_THE_PROGRAMME = re.compile(
    r"\b(how long does|last|lasts|transfers?|expire\w*|include[sd]?|cost|price|eligible|after (it|coverage) ends|"
    r"how many (years|miles)|do i (get|have|still have)|am i (still )?covered|coverage|until when|when does it end)\b",
    re.IGNORECASE,
)
# A charge the customer disputes is a complaint, however calmly asked ("they charged me for the recall?").
_DISPUTED_CHARGE = re.compile(
    r"\b(charged|billed|made me pay|overcharg\w*)\b.{0,60}\b(for|recall|free|warranty|covered)\b", re.IGNORECASE
)

# Being let down by a visit or by the service: a complaint, whatever topic it mentions ("i showed up for my
# appointment and they said i wasn't on the schedule" is no booking request, however booking-like its words).
_GRIEVANCE = re.compile(
    r"\bwast(ed|ing) (\w+ ){0,2}(hours?|day|morning|afternoon|time|trip)\b|\bfor nothing\b|\bno record of\b|"
    r"\b(wasn'?t|weren'?t|not) (on|in) (the|their) (schedule|system|books|calendar)\b|"
    r"\b(lost|forgot|ignored|cancell?ed) (about )?(my|our|the) (appointment|booking|reservation|car|paperwork)\b|"
    r"\b(refused|denied|turned (me )?away|sent me (away|home)|cancell?ed on (me|us)|stood (me|us) up|"
    r"nobody (told|called|bothered)|no one (told|called|bothered)|never (called|told|showed|got back))\b|"
    r"\b(waited|sat there|was there|been waiting) (for )?(\d+|an?|two|three|four|five|several) (hours?|days?|weeks?)\b|"
    # left without word or work: "nobody called me back", "they still haven't touched it"
    r"\b(no ?one|nobody|never|haven'?t|havent|hasn'?t|hasnt|didn'?t|didnt|did not)\b( \w+){0,4} "
    r"(call(ed)? (me |us )?back|called (me|us)|touched (it|my|the)|looked at (it|my|the)|got back to (me|us)|"
    r"helped (me|us)|contacted (me|us)|updated (me|us))\b|\b(no ?one|nobody) (showed up|came)\b|"
    r"\bstill waiting (on|for) (a |an |my |the )?(call\w*|update|response|answer|reply|parts?|car|truck)\b|"
    # a booking they did not keep: "they didn't have me in the system", "cancelled without telling me"
    r"\b(didn'?t|didnt|did not|don'?t|dont) have (me|us|my (appointment|booking|name))\b|"
    r"\b(appointment|booking|reservation) (got|was|been) cancell?ed\b|"
    r"\bwithout (any ?one |any ?body )?(telling|calling|notice)\b|"
    r"\b(they|the dealer\w*|the shop) (was|were) closed\b|\bpromised\b.{0,40}\b(didn'?t|didnt|never|wasn'?t|no)\b|"
    # the car harmed or the work left undone by them: "they scratched my door", "forgot to do the rotation"
    r"\b(they|dealer\w*|techs?|technicians?|staff|shop|mechanics?|you( guys)?) (lost|scratched|dented|damaged|broke|"
    r"cracked|dinged|forgot)\b",
    re.IGNORECASE,
)
# A question ("how far do they tow?", "what now"): asked of whoever is handling the case.
_QUESTION = re.compile(
    r"\?|^\W*(how|what|when|where|which|who|why|will|would|can|could|do|does|is|are)('?s|'?re|'?ll)?\b", re.I
)

RULES: tuple[RoutingRule, ...] = (
    # "Actually cancel it, I'll be out of town" reads like roadside to the classifier ("out of town"), but
    # with no sign of danger or of being stranded it is a booking change the assistant makes.
    RoutingRule(
        "changing an appointment",
        intents=frozenset({"roadside_assistance"}),
        urgency=frozenset({"low", "medium"}),
        changing_booking=True,
        queue=None,
    ),
    RoutingRule(
        "asking about roadside cover",
        intents=frozenset({"roadside_assistance"}),
        sentiment=frozenset({"neutral", "positive"}),
        urgency=frozenset({"low"}),
        about_the_programme=True,
        queue=None,
    ),
    RoutingRule("stranded customer", intents=frozenset({"roadside_assistance"}), queue="roadside", priority="urgent"),
    RoutingRule(
        "safety-critical problem",
        urgency=frozenset({"critical"}),
        queue="roadside",
        priority="urgent",
    ),
    # Praise is never a complaint, whatever the classifier makes of "did an amazing job on my car".
    RoutingRule("praise", praise=True, queue=None),
    RoutingRule("asked for a person", intents=frozenset({"human_agent"}), queue="customer_care", priority="normal"),
    RoutingRule("let down by a visit", grievance=True, queue="customer_care", priority="high"),
    # "The second one" in the middle of a booking is an answer, not a complaint, whatever the
    # classifier makes of three words; a customer who is upset still reaches a person below.
    RoutingRule(
        "answering the booking assistant",
        flows=frozenset({"servicing"}),
        sentiment=frozenset({"neutral", "positive"}),
        queue=None,
    ),
    RoutingRule("complaint", intents=frozenset({"complaint"}), queue="customer_care", priority="high"),
    RoutingRule("disputed charge", disputed_charge=True, queue="customer_care", priority="high"),
    RoutingRule(
        "strongly negative customer",
        sentiment=frozenset({"negative"}),
        urgency=frozenset({"high"}),
        queue="customer_care",
        priority="high",
    ),
    RoutingRule(
        "ready to buy",
        intents=frozenset({"purchase_inquiry", "test_drive", "trade_in", "financing"}),
        purchase_ready=True,
        queue="sales",
        priority="high",
    ),
    RoutingRule("default: the assistant can answer", queue=None, priority="normal"),
)


def decide(intent: IntentDetected, sentiment: SentimentAnalyzed, meta: EventMeta) -> RouteDecided:
    for rule in RULES:
        if rule.applies(intent, sentiment):
            route = Route(kind="human" if rule.queue else "bot", queue=rule.queue, priority=rule.priority)
            reason = f"{rule.name} (intent={intent.intent}, sentiment={sentiment.label}, urgency={sentiment.urgency})"
            return RouteDecided(
                meta=meta,
                route=route,
                reason=reason,
                intent=intent.intent,
                sentiment=sentiment.label,
                urgency=sentiment.urgency,
            )
    raise AssertionError("the last routing rule matches everything")


def route(results: TurnResults, meta: EventMeta) -> RouteDecided | None:
    """The decision for a turn's results; None without its intent or its sentiment (a turn the
    deadline answered before they came: the reply stays with the assistant and offers a person)."""
    if results.intent_detected is None or results.sentiment_analyzed is None:
        return None
    decided = decide(results.intent_detected, results.sentiment_analyzed, meta)
    received = results.conversation_received
    if received is None:
        return decided
    kept = keep_escalation(_same_people(decided, received.dialog, received.text), received.dialog)
    if kept == decided.route:
        return decided
    reason = f"{decided.reason}; kept the open escalation's priority ({kept.priority})"
    return decided.model_copy(update={"route": kept, "reason": reason})


def _same_people(decided: RouteDecided, dialog: DialogState, text: str) -> Route:
    """While a person is on the way, "can you send someone?" or a calm follow-up the classifier reads
    as another team's ("will they take it to a charger?", "how far do they tow??", however tense its
    wording reads) is for the same people: the open queue. A new upset that asks nothing (a complaint
    about the wait) still reaches its own queue."""
    open_ = dialog.escalation
    route_ = decided.route
    if open_ is None or open_.kind != "human" or route_.kind != "human" or route_.queue == open_.queue:
        return route_
    asks = decided.intent != "complaint" and bool(_QUESTION.search(text))
    if decided.intent == "human_agent" or decided.sentiment != "negative" or asks:
        return route_.model_copy(update={"queue": open_.queue})
    return route_


def decide_assembled(assembled: TurnAssembled, meta: EventMeta) -> RouteDecided | None:
    """The routing agent: the decision of record for an assembled turn."""
    return route(assembled.results, meta)
