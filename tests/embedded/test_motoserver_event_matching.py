"""The stand-in's rule matching (one flattened copy per event, an early no on source and detail-type)
decides every pattern and event exactly as moto's own matching, and its once-per-event shaping gives
each target what moto's own template filling gives it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from moto.events.models import EventPattern

from aicc.embedded.moto.patches import PATCHES
from aicc.embedded.moto.patches.events import FLATTEN_EACH_EVENT_ONCE, TRANSFORM_EACH_EVENT_ONCE
from tests.embedded.patched import answers_as_moto

_WORDS = st.sampled_from(["aicc.intent", "aicc.routing", "IntentDetected", "RouteDecided", "x", ""])
_NAMED = st.one_of(
    st.builds(lambda w: {"prefix": w}, _WORDS),
    st.builds(lambda ws: {"anything-but": ws}, st.lists(_WORDS, min_size=1, max_size=2)),
    st.builds(lambda b: {"exists": b}, st.booleans()),
)
# A field's filters: plain strings only (the early-no case), or mixed with named filters.
_FILTERS = st.one_of(
    st.lists(_WORDS, min_size=1, max_size=3),
    st.lists(st.one_of(_WORDS, _NAMED), min_size=1, max_size=3),
)
_PATTERNS = st.fixed_dictionaries(
    {},
    optional={
        "source": _FILTERS,
        "detail-type": _FILTERS,
        "detail": st.fixed_dictionaries({}, optional={"intent": _FILTERS, "route": st.just({"kind": ["bot"]})}),
    },
)
_EVENTS = st.fixed_dictionaries(
    {"id": st.just("e1"), "time": st.just("2026-11-25T00:00:00Z")},
    optional={
        "source": st.one_of(_WORDS, st.lists(_WORDS, max_size=2)),
        "detail-type": st.one_of(_WORDS, st.integers(0, 2)),
        "detail": st.fixed_dictionaries(
            {}, optional={"intent": _WORDS, "route": st.fixed_dictionaries({"kind": st.sampled_from(["bot", "human"])})}
        ),
    },
)


def _moto_original(owner: Any, name: str, patch: str) -> Iterator[Any]:
    """moto's own `owner.name`, while the stand-in's replaces it for a module (the registry restores it)."""
    if PATCHES.is_applied(patch):
        pytest.skip("moto is already patched in this process")
    original = getattr(owner, name)
    with PATCHES.applied(patch):
        assert getattr(owner, name) is not original
        yield original


@pytest.fixture(scope="module")
def moto_matches() -> Iterator[Any]:
    yield from _moto_original(EventPattern, "matches_event", FLATTEN_EACH_EVENT_ONCE.name)


@settings(max_examples=300, deadline=None)
@given(patterns=st.lists(_PATTERNS, min_size=1, max_size=4), event=_EVENTS)
def test_every_pattern_decides_every_event_as_moto_does(
    moto_matches: Any, patterns: list[dict[str, Any]], event: dict[str, Any]
) -> None:
    loaded = [EventPattern(None, p) for p in patterns]
    assert [p.matches_event(event) for p in loaded] == [moto_matches(p, event) for p in loaded]


@pytest.fixture(scope="module")
def moto_transform() -> Iterator[Any]:
    from moto.events.utils import EventTemplateParser

    yield from _moto_original(EventTemplateParser, "parse", TRANSFORM_EACH_EVENT_ONCE.name)


_DETAILS = st.recursive(
    st.one_of(st.text(max_size=8), st.integers(), st.booleans(), st.none()),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=200, deadline=None)
@given(details=st.lists(st.dictionaries(st.text(max_size=6), _DETAILS, max_size=4), min_size=1, max_size=3))
def test_each_target_gets_the_event_moto_would_give_it(moto_transform: Any, details: list[dict[str, Any]]) -> None:
    from moto.events.utils import EventTemplateParser

    for n, detail in enumerate(details):
        event = {
            "version": "0",
            "id": f"e{n}",
            "detail-type": "IntentDetected",
            "source": "aicc.intent",
            "account": "123456789012",
            "time": 1795575238.5 + n,
            "region": "us-east-1",
            "resources": [],
            "detail": detail,
            "ingestion-time": 1795575238.6 + n,
        }
        expected = moto_transform(None, {}, event)
        for _target in range(3):  # one event, several rules' targets
            shaped = EventTemplateParser.parse(None, {}, event)
            assert shaped == expected
            shaped["time"] = "rewritten by this target"  # as moto's SQS target does; others must not see it
        transformers = [
            ('{"d": <d>}', {"d": "$.detail"}),
            ("<aws.events.event.json>", {}),  # the stack's: the whole envelope
            ('{"source": "<s>"}', {"s": "$.source"}),
        ]
        for _target in range(2):
            for template, paths in transformers:
                shaped = EventTemplateParser.parse(template, paths, event)
                assert shaped == moto_transform(template, paths, event)
                if isinstance(shaped, dict):
                    shaped["time"] = "rewritten by this target"


def _deliveries(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """What each queue and the archive hold after one PutEvents on a bus with several rules, id and time aside."""
    import boto3
    from moto import mock_aws
    from moto.events.models import events_backends

    def anonymous(body: Any) -> Any:
        if isinstance(body, dict):
            return {k: anonymous(v) for k, v in body.items() if k not in ("id", "time", "ingestion-time")}
        return body

    with mock_aws():
        events = boto3.client("events", region_name="us-east-1")
        sqs = boto3.client("sqs", region_name="us-east-1")
        events.create_event_bus(Name="bus")
        bus_arn = events.describe_event_bus(Name="bus")["Arn"]
        events.create_archive(ArchiveName="all", EventSourceArn=bus_arn)
        rules = {
            "intent": {"source": ["aicc.intent"]},
            "results": {"detail-type": ["IntentDetected", "RouteDecided"]},
            "bots": {"detail": {"route": {"kind": ["bot"]}}},
            "everything": {"source": [{"prefix": "aicc"}]},
        }
        for name, pattern in rules.items():
            url = sqs.create_queue(QueueName=name)["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            events.put_rule(Name=name, EventBusName="bus", EventPattern=json.dumps(pattern))
            target: dict[str, Any] = {"Id": "q", "Arn": arn}
            if name == "bots":
                target["InputTransformer"] = {"InputPathsMap": {"k": "$.detail.route.kind"}, "InputTemplate": '"<k>"'}
            events.put_targets(Rule=name, EventBusName="bus", Targets=[target])
        answer = events.put_events(Entries=[dict(e, EventBusName="bus") for e in entries])
        held: dict[str, Any] = {"failed": answer["FailedEntryCount"]}
        held["entries"] = [sorted(e) for e in answer["Entries"]]
        for name in rules:
            url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            held[name] = sorted(json.dumps(anonymous(json.loads(m["Body"])), sort_keys=True) for m in messages)
        archive = events_backends["123456789012"]["us-east-1"].archives["all"]
        held["archive"] = sorted(json.dumps(anonymous(e), sort_keys=True) for e in archive.events)
        return held


_ENTRIES = st.lists(
    st.fixed_dictionaries(
        {
            "Source": st.sampled_from(["aicc.intent", "aicc.routing", "other", ""]),
            "DetailType": st.sampled_from(["IntentDetected", "RouteDecided", "x"]),
            "Detail": st.one_of(
                st.builds(lambda kind: json.dumps({"route": {"kind": kind}}), st.sampled_from(["bot", "human"])),
                st.just("{not json"),
            ),
        }
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=15, deadline=None)
@given(entries=_ENTRIES)
def test_every_queue_receives_what_moto_would_deliver(entries: list[dict[str, Any]]) -> None:
    from moto.events.models import EventsBackend

    from aicc.embedded.moto.patches.events import ONE_MESSAGE_PER_EVENT

    if PATCHES.is_applied(ONE_MESSAGE_PER_EVENT.name):
        pytest.skip("moto is already patched in this process")
    answers_as_moto(EventsBackend, "put_events", ONE_MESSAGE_PER_EVENT.name, lambda: _deliveries(entries))
