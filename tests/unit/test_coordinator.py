"""The coordinator over in-memory ports: a turn is assembled once and answered once, on time."""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from aicc.adapters.memory.bus import MemoryBus
from aicc.adapters.memory.clock import Clock
from aicc.adapters.memory.connections import MemoryConnections
from aicc.adapters.memory.conversations import MemoryConversations
from aicc.adapters.memory.handoff import MemoryHandoff
from aicc.adapters.memory.pusher import MemoryPusher
from aicc.adapters.memory.replays import MemoryReplayResults
from aicc.adapters.memory.turns import MemoryTurns
from aicc.agents.compose import answer
from aicc.agents.coordinator import Coordinator
from aicc.ports.bus import BusEvent
from aicc.ports.connections import Connection
from aicc.ports.conversations import NewTurn, PastTurn
from aicc.ports.turns import CLAIM_LEASE_S, join_scope
from aicc.runtime.bus import parse_event
from contracts.events import (
    ConversationReceived,
    EventDetail,
    IntentDetected,
    OfferGenerated,
    ReplySent,
    SentimentAnalyzed,
    TurnAssembled,
    TurnDeadline,
)
from contracts.manifest import manifest

SAMPLES = Path(__file__).resolve().parents[2] / "events" / "bus"
# The sample turn (a tire pressure light): complete once these are here.
COMPLETE = [
    "ConversationReceived",
    "IntentDetected",
    "SentimentAnalyzed",
    "KnowledgeRetrieved",
    "ProfileLoaded",
    "InsightsComputed",
    "CockpitGuidance",
    "RecommendationsMade",
    "ServiceActionTaken",
]
# What the agents with nothing to add to a warning light answer.
NOTHING_TO_ADD: dict[str, dict[str, Any]] = {
    "RecommendationsMade": {"relevant": False, "items": [], "sources": []},
    "ServiceActionTaken": {"relevant": False, "action": "none", "slots": [], "appointment": None, "sources": []},
}
_ids = itertools.count()
SAMPLE = ConversationReceived.model_validate(
    json.loads((SAMPLES / "ConversationReceived.json").read_text())["detail"]
)  # the message of the sample turn


def spy(calls: list[str], adapter: Any, *methods: str) -> None:
    """Note each call of these methods in `calls` (the order across ports matters), then run it."""
    for name in methods:
        method = getattr(adapter, name)

        def noted(*args: Any, _name: str = name, _method: Any = method, **kwargs: Any) -> Any:
            calls.append(_name)
            return _method(*args, **kwargs)

        setattr(adapter, name, noted)


@dataclass
class World:
    coordinator: Coordinator
    turns: MemoryTurns
    bus: MemoryBus
    conversations: MemoryConversations
    handoff: MemoryHandoff
    pusher: MemoryPusher
    replays: MemoryReplayResults
    calls: list[str]  # the handoff's and the pusher's calls, in order
    clock: Clock

    def frames(self) -> list[dict[str, Any]]:
        """Every frame pushed, to any connection."""
        return [json.loads(data) for sent in self.pusher.sent.values() for data in sent]

    def stored_turn(self) -> PastTurn:
        """The sample turn as the conversations store holds it (with the reply, once recorded)."""
        (stored,) = self.conversations.recent_turns(SAMPLE.meta.conversation_id)
        return stored


@pytest.fixture
def world() -> World:
    calls: list[str] = []
    clock = Clock()
    turns, bus = MemoryTurns(clock), MemoryBus()
    conversations = MemoryConversations()
    handoff = MemoryHandoff(conversations)
    pusher, replays = MemoryPusher(MemoryConnections(clock)), MemoryReplayResults(clock)
    # As the ingress does before it publishes the message: the conversation and its turn are stored,
    # and the customer's connection is open.
    conversations.start_turn(
        NewTurn(
            SAMPLE.meta.conversation_id,
            SAMPLE.meta.turn_id,
            SAMPLE.meta.customer_id,
            SAMPLE.role,
            SAMPLE.client_message_id,
            SAMPLE.text,
            SAMPLE.meta.occurred_at,
        ),
        opens=True,
    )
    pusher.connections.record(Connection(SAMPLE.connection_id, SAMPLE.meta.customer_id, SAMPLE.role), ttl_s=3600)
    spy(calls, handoff, "enter_queue")
    spy(calls, pusher, "push", "push_to_user")
    coordinator = Coordinator(
        turns=turns.store,
        bus=bus,
        conversations=conversations,
        handoff=handoff,
        pusher=pusher,
        replays=replays,
        manifest=manifest(),
        deadline_s=lambda: 3,
    )
    return World(coordinator, turns, bus, conversations, handoff, pusher, replays, calls, clock)


def event(detail_type: str, *, replay_name: str | None = None, **changes: Any) -> BusEvent:
    """The sample of this type (all samples are one turn), with its detail changed; a fresh event id."""
    sample = json.loads((SAMPLES / f"{detail_type}.json").read_text())
    sample["id"] = f"event-{next(_ids)}"
    sample["detail"].update(NOTHING_TO_ADD.get(detail_type, {}))
    sample["detail"].update(changes)
    if replay_name:
        sample["replay-name"] = replay_name
    return parse_event(sample)


def caused(detail: EventDetail, source: str, *, replay_name: str | None = None) -> BusEvent:
    raw = {
        "version": "0",
        "id": f"event-{next(_ids)}",
        "detail-type": type(detail).__name__,
        "source": source,
        "account": "000000000000",
        "time": "2026-11-24T09:15:03Z",
        "region": "us-east-1",
        "resources": [],
        "detail": detail.model_dump(mode="json"),
    }
    if replay_name:
        raw["replay-name"] = replay_name
    return parse_event(raw)


def run(world: World, *events: BusEvent) -> list[EventDetail]:
    """Each event delivered on its own (no batch)."""
    return [out for e in events for out in world.coordinator.process(e)]


def run_batch(world: World, events: list[BusEvent]) -> list[EventDetail]:
    world.coordinator.prepare(events)
    return run(world, *events)


def only(details: Sequence[EventDetail], kind: type[Any]) -> Any:
    (found,) = [d for d in details if isinstance(d, kind)]
    return found


def turn(**intent: Any) -> list[BusEvent]:
    """The sample turn's message and every result its reply waits for (the intent changed)."""
    return [event(t, **(intent if t == "IntentDetected" else {})) for t in COMPLETE]


def test_a_complete_turn_is_answered_once_with_typed_results(world: World) -> None:
    out = run(world, *turn())
    assembled: TurnAssembled = only(out, TurnAssembled)
    sent: ReplySent = only(out, ReplySent)
    assert sorted(assembled.results.present()) == sorted(COMPLETE)
    assert assembled.meta.producer == "aggregator" and not assembled.degraded and not sent.degraded
    # The customer reads the cockpit's guidance for the light, on the connection the message came from.
    (frame,) = world.pusher.frames(SAMPLE.connection_id)
    assert frame["turn_id"] == SAMPLE.meta.turn_id and frame["text"] == sent.text
    assert "tire" in sent.text.lower() and sent.delivered and not sent.deadline_fired
    assert "CockpitGuidance" in sent.contributors and "RecommendationsMade" not in sent.contributors
    stored = world.stored_turn()
    assert (stored.turn_id, stored.reply, stored.intent) == (sent.meta.turn_id, sent.text, "vehicle_problem")
    assert world.turns.outcome("aggregator", sent.meta.turn_id) == "delivered"
    (deadline,) = world.bus.scheduled
    assert deadline.deadline_s == 3 and deadline.meta.turn_id == assembled.meta.turn_id


def test_the_response_agent_publishes_the_reply_that_was_sent(world: World) -> None:
    out = run(world, *turn())
    assembled: TurnAssembled = only(out, TurnAssembled)
    sent: ReplySent = only(out, ReplySent)
    of_record = answer(assembled, assembled.meta.model_copy(update={"producer": "response"}))
    assert (of_record.text, of_record.route, of_record.quick_actions, of_record.sources) == (
        sent.text,
        sent.route,
        sent.quick_actions,
        sent.sources,
    )


def test_nothing_is_sent_before_the_turn_is_complete(world: World) -> None:
    assert run(world, *turn()[:-1]) == []
    assert world.frames() == []


@pytest.mark.parametrize("seed", range(5))
def test_duplicates_and_reordering_answer_once(world: World, seed: int) -> None:
    deliveries = turn() + random.Random(seed).sample(turn(), 4)
    random.Random(seed).shuffle(deliveries)
    half = len(deliveries) // 2
    out = run_batch(world, deliveries[:half]) + run(world, *deliveries[half:])
    assert len([d for d in out if isinstance(d, TurnAssembled)]) == 1
    assert len(world.frames()) == 1
    # The deadline after it changes nothing.
    assert run(world, event("TurnDeadline")) == [] and len(world.frames()) == 1


def test_a_batch_records_each_turn_in_one_write_and_schedules_its_deadlines_in_one_request(world: World) -> None:
    out = run_batch(world, turn())
    assert sorted(only(out, TurnAssembled).results.present()) == sorted(COMPLETE)
    assert len(world.bus.scheduled) == 1


def test_a_claimant_that_crashed_mid_reply_is_relieved_by_the_redelivery(world: World) -> None:
    push = world.pusher.push

    def crash(*args: Any, **kwargs: Any) -> bool:
        world.pusher.push = push  # type: ignore[method-assign]
        raise ConnectionError("the invocation died before the push")

    world.pusher.push = crash  # type: ignore[method-assign]
    deliveries = turn()
    with pytest.raises(ConnectionError):
        run(world, *deliveries)
    assert world.frames() == []
    # SQS redelivers the completing result after its visibility timeout, longer than the claim lease.
    world.clock.advance(CLAIM_LEASE_S + 1)
    sent: ReplySent = only(run(world, deliveries[-1]), ReplySent)
    assert sent.delivered and len(world.frames()) == 1


def test_the_deadline_replies_degraded_with_what_arrived(world: World) -> None:
    run(world, *turn()[:4])
    sent: ReplySent = only(run(world, event("TurnDeadline")), ReplySent)
    assert sent.deadline_fired and sent.degraded and sent.delivered
    assert {"ProfileLoaded", "CockpitGuidance"} <= set(sent.missing)
    assert "may be incomplete" in sent.text
    assert world.frames()[0]["degraded"] is True
    assert world.stored_turn().reply == sent.text
    # The rest arriving late finds the turn answered.
    assert run(world, *turn()[4:]) == []
    assert len(world.frames()) == 1


def test_the_deadline_routes_what_it_holds(world: World) -> None:
    run(
        world,
        event("ConversationReceived"),
        event("IntentDetected", intent="roadside_assistance"),
        event("SentimentAnalyzed"),
    )
    sent: ReplySent = only(run(world, event("TurnDeadline")), ReplySent)
    assert (sent.route.kind, sent.route.queue, sent.route.priority) == ("human", "roadside", "urgent")
    assert "RouteDecided" in sent.contributors
    assert world.calls == ["enter_queue", "push"]
    entry = world.handoff.entry(sent.meta.conversation_id)
    assert entry is not None and (entry.queue, entry.priority, entry.status) == ("roadside", "urgent", "waiting")


def test_the_deadline_without_intent_or_sentiment_stays_with_the_bot(world: World) -> None:
    run(world, event("ConversationReceived"))
    sent: ReplySent = only(run(world, event("TurnDeadline")), ReplySent)
    assert sent.route.kind == "bot" and sent.text.startswith("Sorry")
    assert world.calls == ["push"]
    assert world.handoff.entry(sent.meta.conversation_id) is None


def test_the_deadline_does_nothing_once_the_turn_is_claimed(world: World) -> None:
    run(world, *turn()[:-1])
    turn_id = SAMPLE.meta.turn_id
    assert world.turns.store(join_scope("aggregator")).claim(turn_id)  # another invocation is replying
    assert run(world, event("TurnDeadline")) == []
    assert world.calls == [] and world.frames() == []


def test_the_deadline_of_an_unknown_turn_does_nothing(world: World) -> None:
    assert run(world, event("TurnDeadline")) == []


def test_a_complaint_enters_the_staff_queue_before_the_push(world: World) -> None:
    sent: ReplySent = only(run(world, *turn(intent="complaint")), ReplySent)
    assert (sent.route.kind, sent.route.queue, sent.route.priority) == ("human", "customer_care", "high")
    assert world.calls == ["enter_queue", "push"]
    entry = world.handoff.entry(sent.meta.conversation_id)
    assert entry is not None
    assert (entry.queue, entry.priority, entry.status, entry.customer_id) == (
        "customer_care",
        "high",
        "waiting",
        sent.meta.customer_id,
    )
    assert [e.conversation_id for e in world.handoff.waiting_in("customer_care")] == [sent.meta.conversation_id]


def test_a_replayed_turn_is_never_pushed_and_its_reply_is_recorded(world: World) -> None:
    replay = "replay-1"
    out = run(world, *(event(t, replay_name=replay) for t in COMPLETE))
    assembled: TurnAssembled = only(out, TurnAssembled)
    sent: ReplySent = only(out, ReplySent)
    assert assembled.meta.replay == replay
    turn_id = assembled.meta.turn_id
    assert not sent.delivered and sent.latency_ms == 0.0
    assert world.calls == [] and world.frames() == [] and world.stored_turn().reply is None
    seen, replies = world.replays.turns(replay)
    assert seen == {turn_id}
    assert replies[turn_id]["text"] == sent.text and replies[turn_id]["deadline_fired"] is False
    assert world.turns.outcome(join_scope("aggregator", replay), turn_id) == "replayed"
    # The original turn's join is untouched.
    assert world.turns.store(join_scope("aggregator")).load(turn_id) is None


def test_a_replayed_deadline_records_a_degraded_reply(world: World) -> None:
    replay = "replay-2"
    run(world, event("ConversationReceived", replay_name=replay))
    deadline = only(world.bus.scheduled, TurnDeadline)
    sent: ReplySent = only(run(world, caused(deadline, "aicc.aggregator")), ReplySent)
    assert sent.deadline_fired and not sent.delivered
    seen, replies = world.replays.turns(replay)
    assert seen == set(replies) == {sent.meta.turn_id}
    (reply,) = replies.values()
    assert reply["deadline_fired"] is True and reply["degraded"] is True
    assert world.calls == [] and world.stored_turn().reply is None


def test_a_gone_connection_is_recorded_and_still_replied_to(world: World) -> None:
    world.pusher.close(SAMPLE.connection_id)
    sent: ReplySent = only(run(world, *turn()), ReplySent)
    assert not sent.delivered and world.frames() == []
    assert world.turns.outcome("aggregator", sent.meta.turn_id) == "gone"
    assert world.pusher.connections.of_user(sent.meta.customer_id) == []  # the gone connection is dropped
    assert world.stored_turn().reply == sent.text


def test_latency_is_measured_from_the_message(world: World) -> None:
    world.coordinator.now = lambda: SAMPLE.meta.occurred_at + timedelta(milliseconds=250)
    sent: ReplySent = only(run(world, *turn()), ReplySent)
    assert sent.latency_ms == pytest.approx(250.0)
    assert datetime.now(UTC) > SAMPLE.meta.occurred_at


def offer() -> BusEvent:
    generated = event("OfferGenerated")
    assert isinstance(generated.detail, OfferGenerated) and generated.detail.offer is not None
    return generated


def test_an_offer_follows_the_reply_once(world: World) -> None:
    run(world, *turn())
    generated = offer()
    assert run(world, generated) == []
    reply, follow_up = world.pusher.frames(SAMPLE.connection_id)
    assert reply["type"] == "reply" and follow_up["type"] == "offer"
    assert isinstance(generated.detail, OfferGenerated) and generated.detail.offer is not None
    assert follow_up["headline"] == generated.detail.offer.headline and follow_up["turn_id"] == SAMPLE.meta.turn_id
    # A redelivery, or a second copy, never offers twice.
    run(world, generated, offer())
    assert len(world.frames()) == 2


def test_an_ineligible_or_replayed_offer_is_never_pushed(world: World) -> None:
    run(world, *turn())
    run(world, event("OfferGenerated", eligible=False, offer=None), event("OfferGenerated", replay_name="r-1"))
    assert [f["type"] for f in world.frames()] == ["reply"]


def test_intent_and_sentiment_samples_are_typed(world: World) -> None:
    # The samples this suite is built on parse as their contract models.
    assert isinstance(event("IntentDetected").detail, IntentDetected)
    assert isinstance(event("SentimentAnalyzed").detail, SentimentAnalyzed)
