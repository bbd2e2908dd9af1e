"""Reply-path hops per turn type, read from synthetic event logs of today's shape and the two-hop one."""

from __future__ import annotations

from aicc.bench.hops import TurnPath, hop_report, turn_path
from tests.bench_turns import buying, by_deadline, five_hops, two_hops


def test_todays_chain_is_five_deliveries_from_the_message_to_the_push() -> None:
    log = five_hops()
    path = turn_path(log.turn_id, log.events)
    assert path is not None
    assert path.hops == 5
    assert [link.split(" ")[0] for link in path.chain] == [
        "ConversationReceived",
        "SentimentAnalyzed",
        "RouteDecided",
        "TurnAssembled",
        "ResponseComposed",
        "ReplySent",
    ]


def test_a_join_waits_for_every_input_not_only_the_one_that_caused_it() -> None:
    log = two_hops()
    path = turn_path(log.turn_id, log.events)
    assert path is not None
    nodes = {n.detail_type: n for n in path.nodes}
    # Knowledge caused the push, but the aggregator had joined intent and sentiment too.
    joined = {nodes[t].event_id for t in ("IntentDetected", "SentimentAnalyzed", "KnowledgeRetrieved")}
    assert joined <= set(nodes["ReplySent"].inputs)
    assert path.nodes[0].detail_type == "ConversationReceived" and path.nodes[-1].detail_type == "ReplySent"


def test_the_two_hop_shape_reads_as_two_and_leaves_out_what_came_after_the_push() -> None:
    log = two_hops()
    path = turn_path(log.turn_id, log.events)
    assert path is not None
    assert (path.hops, path.dag_hops) == (2, 2)
    assert {n.detail_type for n in path.nodes} == {
        "ConversationReceived",
        "IntentDetected",
        "SentimentAnalyzed",
        "KnowledgeRetrieved",
        "ReplySent",
    }


def test_hops_are_reported_per_turn_type() -> None:
    logs = [
        five_hops("t-1", "greeting"),
        five_hops("t-2", "other"),
        buying("t-3"),
        two_hops("t-4", "vehicle_problem"),
        five_hops("t-5", "other", flow="servicing"),
        by_deadline("t-6"),
    ]
    paths = [p for p in (turn_path(log.turn_id, log.events) for log in logs) if p is not None]
    report = hop_report(paths, sampled=len(logs))

    by_type = {kind: (row["turns"], row["hops_max"]) for kind, row in report["by_turn_type"].items()}
    assert by_type == {
        "greeting": (1, 5),
        "questions": (1, 5),
        "buying": (1, 6),
        "warning lights": (1, 2),
        "booking": (1, 5),
    }
    # The deadline's reply is not on a bus chain from the message: counted as untraced.
    assert (report["traced_turns"], report["untraced_turns"]) == (5, 1)
    assert report["max_hops"] == 6
    assert "OfferGenerated (marketing)" in report["by_turn_type"]["buying"]["longest_chain"]


def test_a_path_survives_the_json_round_trip_for_project_only() -> None:
    log = buying()
    path = turn_path(log.turn_id, log.events)
    assert path is not None
    assert TurnPath.of(path.public()) == path
