"""EventBridge: replay as AWS replays (a correctness fix) and three speed-ups."""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable
from typing import Any

from aicc.embedded.moto.registry import Kind, Originals, Patch, Replacements, Target

MODELS = "moto.events.models"

# --- replay -------------------------------------------------------------------------------------

_REPLAY = Target(MODELS, "Replay.replay_events")


def _epoch(value: Any) -> float:
    if isinstance(value, int | float):
        return float(value)
    from datetime import datetime

    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def _honest_replay(originals: Originals) -> Replacements:
    import moto.events.models as events_models

    def replay_events(self: Any, archive: Any) -> None:
        backend = events_models.events_backends[self.account_id][self.region]
        bus = backend.describe_event_bus(self.destination["Arn"].split("/")[-1])
        start, end = _epoch(self.event_start_time), _epoch(self.event_end_time)
        wanted = set(self.destination.get("FilterArns") or [])
        rules = [
            rule
            for rule in bus.rules.values()
            if not rule.name.startswith("Events-Archive-") and (not wanted or rule.arn in wanted)
        ]
        for event in list(archive.events):
            if not start <= _epoch(event["time"]) < end:
                continue
            replayed = dict(event, **{"id": str(events_models.random.uuid4()), "replay-name": self.name})
            for rule in rules:
                rule.send_to_targets(replayed)  # type: ignore[arg-type]
        self.state = events_models.ReplayState.COMPLETED
        self.end_time = events_models.unix_time()

    return {_REPLAY: replay_events}


REPLAY_WINDOW_AND_FILTERS = Patch(
    name="events-replay-window-and-filters",
    kind=Kind.CORRECTNESS,
    targets=(_REPLAY,),
    build=_honest_replay,
    why=(
        "moto replays every archived event into every rule, untransformed. EventBridge replays only the "
        "archived events inside [EventStartTime, EventEndTime), only into the rules in Destination.FilterArns "
        "(all rules when there is none), through each target's input transformer, never into the archive again."
    ),
)

# --- one flattened copy per event ---------------------------------------------------------------


def _for_last_event(cache: threading.local, event: Any, compute: Callable[[Any], Any]) -> Any:
    """`compute(event)`, kept for the last event seen on this thread (by identity).

    PutEvents hands one dict to every rule and target and none changes it, so work that depends on
    the event alone is done once. The cache holds a reference, so a new event can't reuse the id.
    """
    cached = getattr(cache, "last", None)
    if cached is None or cached[0] is not event:
        cached = cache.last = (event, compute(event))
    return cached[1]


_MATCHES = Target(MODELS, "EventPattern.matches_event")
_flattened_event = threading.local()


def _literal_fields(pattern: Any) -> dict[str, frozenset[str]]:
    """The pattern's top-level `source`/`detail-type` when each lists plain strings only."""
    literals = {}
    for field in ("source", "detail-type"):
        values = pattern._pattern.get(field)
        if isinstance(values, list) and values and all(isinstance(v, str) for v in values):
            literals[field] = frozenset(values)
    return literals


def _flatten_once(originals: Originals) -> Replacements:
    def matches_event(self: Any, event: Any) -> bool:
        if not self._pattern:
            return True
        literals = self.__dict__.get("_aicc_literals")
        if literals is None:
            literals = self._aicc_literals = _literal_fields(self)
        for field, allowed in literals.items():
            value = event.get(field)
            if isinstance(value, str) and value not in allowed:
                return False
        flat = _for_last_event(_flattened_event, event, lambda e: self._flatten_dict(json.loads(json.dumps(e))))
        return bool(self._does_event_match(flat, self._pattern))

    return {_MATCHES: matches_event}


FLATTEN_EACH_EVENT_ONCE = Patch(
    name="events-flatten-each-event-once",
    kind=Kind.SPEEDUP,
    targets=(_MATCHES,),
    build=_flatten_once,
    why=(
        "moto's EventPattern.matches_event round-trips the event through JSON and flattens it once per rule. "
        "Matching only reads the flattened copy, so the copy made for one rule serves the next ones for the "
        "same event object. A pattern whose source/detail-type list plain strings rejects an event whose value "
        "is not among them first: moto ANDs top-level fields, and such a list matches a string only by equality. "
        "tests/embedded/test_motoserver_event_matching.py decides random patterns and events both ways."
    ),
)

# --- one default shape per event ----------------------------------------------------------------

_TEMPLATE_PARSE = Target("moto.events.utils", "EventTemplateParser.parse")
_transformed_event = threading.local()


def _transform_once(originals: Originals) -> Replacements:
    original = originals[_TEMPLATE_PARSE]

    def parse(input_template: Any, input_paths_map: Any, event: Any) -> Any:
        shapes: dict[tuple[Any, str], str] = _for_last_event(_transformed_event, event, lambda _: {})
        key = (input_template, json.dumps(input_paths_map, sort_keys=True))
        if key not in shapes:
            shapes[key] = json.dumps(original(input_template, input_paths_map, event))
        return json.loads(shapes[key])

    return {_TEMPLATE_PARSE: staticmethod(parse)}


TRANSFORM_EACH_EVENT_ONCE = Patch(
    name="events-transform-each-event-once",
    kind=Kind.SPEEDUP,
    targets=(_TEMPLATE_PARSE,),
    build=_transform_once,
    why=(
        "For each matching rule's target moto fills its input template (the default one, or the target's input "
        "transformer) from the event: JSONPath lookups, the whole event as a string, replacements, a parse. The "
        "result depends only on the template, the paths and the event, which no target changes, so it is kept as "
        "JSON per template for the last event and each target gets a fresh copy (moto's SQS target rewrites the "
        "copy's `time`). Every rule of the stack uses the same transformer, so a PutEvents shapes each event once."
    ),
)

# --- JSONPath parsing ---------------------------------------------------------------------------

_JSONPATH_PARSE = Target("jsonpath_ng.ext", "parse")


def _cached_jsonpath(originals: Originals) -> Replacements:
    return {_JSONPATH_PARSE: functools.lru_cache(maxsize=4096)(originals[_JSONPATH_PARSE])}


CACHE_JSONPATH_PARSING = Patch(
    name="events-cache-jsonpath-parsing",
    kind=Kind.SPEEDUP,
    targets=(_JSONPATH_PARSE,),
    build=_cached_jsonpath,
    why=(
        "EventBridge re-parses the JSONPath of every input path of every matching rule target on each PutEvents "
        "(a PLY grammar). moto imports jsonpath_ng.ext.parse inside the function, so the module attribute is "
        "what it calls; parsed expressions are immutable, so sharing them across threads is safe."
    ),
)

# --- one event message per event ----------------------------------------------------------------

_PUT_EVENTS = Target(MODELS, "EventsBackend.put_events")


def _one_message_per_event(originals: Originals) -> Replacements:
    import copy
    import warnings

    import moto.events.models as events_models

    original = originals[_PUT_EVENTS]

    def put_events(self: Any, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if len(events) > 10 or any(not (e.get("Source") and e.get("DetailType") and e.get("Detail")) for e in events):
            # moto's own answer for a rejected request or entry (its error texts, one place).
            return original(self, events)
        entries: list[dict[str, Any]] = []
        for event in events:
            try:
                detail = json.loads(event["Detail"])
            except ValueError:
                entries.append({"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."})
                continue
            if not isinstance(detail, dict):
                warnings.warn(
                    f"EventDetail should be of type dict - types such as {type(detail)} are ignored by AWS",
                    stacklevel=2,
                )
            event_id = str(events_models.random.uuid4())
            entries.append({"EventId": event_id})
            event_bus = self.describe_event_bus(self._normalize_event_bus_arn(event.get("EventBusName")))
            message = copy.deepcopy(events_models._BASE_EVENT_MESSAGE)
            message["id"] = event_id
            message["detail-type"] = event["DetailType"]
            message["source"] = event["Source"]
            message["account"] = self.account_id
            message["time"] = event.get("Time", events_models.unix_time())
            message["region"] = self.region_name
            message["resources"] = event.get("Resources", [])
            message["detail"] = detail
            message["ingestion-time"] = events_models.unix_time()
            for rule in list(event_bus.rules.values()):
                rule.send_to_targets(message)
        return entries

    return {_PUT_EVENTS: put_events}


ONE_MESSAGE_PER_EVENT = Patch(
    name="events-one-message-per-event",
    kind=Kind.SPEEDUP,
    targets=(_PUT_EVENTS,),
    build=_one_message_per_event,
    why=(
        "moto's PutEvents builds the event message anew for every rule on the bus (a deepcopy and a parse of "
        "Detail each), so the once-per-event matching and shaping above found a new object at every rule and "
        "redid their work. One message per event, handed to every rule, is what EventBridge sends: one id, one "
        "time. Rules and targets only read it (targets shape their own copy, the archive keeps it as is). "
        "Requests moto rejects, or whose entries lack Source, DetailType or Detail, go to moto's own code. "
        "tests/embedded/test_motoserver_event_matching.py compares what every queue receives both ways."
    ),
)

PATCHES = (
    REPLAY_WINDOW_AND_FILTERS,
    FLATTEN_EACH_EVENT_ONCE,
    TRANSFORM_EACH_EVENT_ONCE,
    CACHE_JSONPATH_PARSING,
    ONE_MESSAGE_PER_EVENT,
)
