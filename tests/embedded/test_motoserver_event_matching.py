"""The stand-in's rule matching (one flattened copy per event, an early no on source and detail-type)
decides every pattern and event exactly as moto's own matching."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from moto.events.models import EventPattern

from aicc.embedded.motoserver import flatten_each_event_once

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


@pytest.fixture(scope="module")
def moto_matches() -> Iterator[Any]:
    """moto's own `matches_event`; the stand-in's replaces it while this module runs."""
    original = EventPattern.matches_event
    if getattr(original, "_aicc_cached", False):
        pytest.skip("moto is already patched in this process")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(EventPattern, "matches_event", original)  # restored when the module is done
        flatten_each_event_once()
        assert getattr(EventPattern.matches_event, "_aicc_cached", False)
        yield original


@settings(max_examples=300, deadline=None)
@given(patterns=st.lists(_PATTERNS, min_size=1, max_size=4), event=_EVENTS)
def test_every_pattern_decides_every_event_as_moto_does(
    moto_matches: Any, patterns: list[dict[str, Any]], event: dict[str, Any]
) -> None:
    loaded = [EventPattern(None, p) for p in patterns]
    assert [p.matches_event(event) for p in loaded] == [moto_matches(p, event) for p in loaded]
