"""Dialog state: what a conversation has established, carried from one turn to the next.

The aggregator advances it after each reply and stores it with the conversation; the ingress puts
it in the next turn's ConversationReceived, so every agent answers in context: the vehicle and the
warning light in focus, what was already said once, the open escalation and its priority.
"""

from __future__ import annotations

from aicc.knowledge.context import cited_topic
from contracts.common import DialogState, Entities, OwnedVehicle, Route
from contracts.events import ProfileLoaded, ResponseComposed, TurnResults

PRIORITY_ORDER = ("low", "normal", "high", "urgent")


def advance(before: DialogState, results: TurnResults, reply: ResponseComposed) -> DialogState:
    """The state after this turn: what it named, what it said, where it was routed."""
    intent = results.intent_detected
    entities = intent.entities if intent else Entities()
    cockpit = results.cockpit_guidance
    light = entities.warning_light
    # A light the cockpit recognised from the words ("the battery light"); a critical one it read from the
    # whole message (a battery with a thermometer, "STOP SAFELY") outranks a milder light the intent named.
    critical = cockpit is not None and cockpit.severity == "critical"
    if cockpit is not None and cockpit.relevant and cockpit.severity is not None and (light is None or critical):
        light = cockpit.topic
    return DialogState(
        vehicle_vin=vehicle_in_focus(before, entities, results.profile_loaded),
        model=recommended_model(results, reply) or entities.model or before.model,
        warning_light=light or before.warning_light,
        service_type=entities.service_type or before.service_type,
        topic=cited_topic(reply.sources, intent.intent if intent else None),  # what a follow-up refers to
        last_intent=intent.intent if intent else before.last_intent,
        said=before.said + [s for s in reply.said if s not in before.said],
        escalation=reply.route if reply.route.kind == "human" else before.escalation,
        last_question=last_question(before, results, reply),
        vehicles=[
            OwnedVehicle(vin=v.vin, model=v.model, model_year=v.model_year)
            for v in (results.profile_loaded.vehicles if results.profile_loaded else [])
        ]
        or before.vehicles,
    )


def recommended_model(results: TurnResults, reply: ResponseComposed) -> str | None:
    """The model the reply recommended first: what "can i test drive one?" or "how much is it?" means next."""
    from aicc.nlu.entities import extract_entities

    made = results.recommendations_made
    if made is None or not made.relevant:
        return None
    shown = (item for item in made.items if item.kind in {"model", "trim"} and item.name in reply.text)
    return next((model for item in shown if (model := extract_entities(item.name).model)), None)


# Questions a follow-up may ask again about another car or refer to ("how often should i do that?").
QUESTION_INTENTS = {
    "vehicle_feature_help", "vehicle_problem", "recall_inquiry", "warranty_inquiry", "purchase_inquiry",
    "financing", "trade_in", "parts_accessories", "connected_services",
}  # fmt: skip


def last_question(before: DialogState, results: TurnResults, reply: ResponseComposed) -> str | None:
    """This turn's question as understood, when it is one a follow-up may refer to; else the one before.
    A message the classifier could not place counts when the reply answered it from a cited source."""
    intent = results.intent_detected
    received = results.conversation_received
    if intent is None or received is None:
        return before.last_question
    servicing = results.service_action_taken
    booking_step = servicing is not None and servicing.relevant
    # "when's the next oil change due?" may read as a booking; servicing acting on it is what makes it one.
    asked = (
        intent.intent in QUESTION_INTENTS
        or (intent.intent == "service_booking" and not booking_step)
        or (intent.intent == "other" and bool(reply.sources) and reply.route.kind == "bot")
    )
    return received.text if asked else before.last_question


def vehicle_in_focus(before: DialogState, entities: Entities, profile: ProfileLoaded | None) -> str | None:
    """The customer's vehicle this turn names (by VIN or model), else the one already in focus, else
    their only vehicle. None when they own several and none is named or in focus."""
    vehicles = profile.vehicles if profile else []
    if entities.vin and any(v.vin == entities.vin for v in vehicles):
        return entities.vin
    if entities.model:
        named = [v for v in vehicles if v.model.lower() == entities.model.lower()]
        if len(named) == 1:
            return named[0].vin
    if before.vehicle_vin and any(v.vin == before.vehicle_vin for v in vehicles):
        return before.vehicle_vin
    return vehicles[0].vin if len(vehicles) == 1 else before.vehicle_vin


def keep_escalation(route: Route, dialog: DialogState) -> Route:
    """A conversation waiting for a person stays in its queue at its priority: a later turn never
    lowers it, and a question the assistant answers meanwhile keeps the escalation's route."""
    open_ = dialog.escalation
    if open_ is None or open_.kind != "human":
        return route
    if route.kind != "human":
        return open_
    if PRIORITY_ORDER.index(open_.priority) > PRIORITY_ORDER.index(route.priority):
        return route.model_copy(update={"priority": open_.priority})
    return route
