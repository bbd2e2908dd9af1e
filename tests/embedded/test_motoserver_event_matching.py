"""The stand-in's rule matching (one flattened copy per event, an early no on source and detail-type)
decides every pattern and event exactly as moto's own matching, and its once-per-event shaping gives
each target what moto's own template filling gives it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from moto.events.models import EventPattern

from aicc.embedded.moto.patches import PATCHES
from aicc.embedded.moto.patches.events import FLATTEN_EACH_EVENT_ONCE, TRANSFORM_EACH_EVENT_ONCE

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
        with_transformer = {"InputPathsMap": {"d": "$.detail"}, "InputTemplate": '{"d": <d>}'}
        assert EventTemplateParser.parse(
            with_transformer["InputTemplate"], with_transformer["InputPathsMap"], event
        ) == moto_transform(with_transformer["InputTemplate"], with_transformer["InputPathsMap"], event)
