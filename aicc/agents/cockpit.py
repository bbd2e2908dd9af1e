"""Cockpit assistant: step-by-step guidance for a warning light or a feature, for the customer's model/year.

Deterministic and offline: warning lights come from the warning-light table (severity, safe to drive,
steps, per-model variants), features from the owner's-manual passages listed in `features.json`. A
topic the data does not cover is "unknown" with no steps: the assistant never invents guidance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from aicc.agents.handoff import TOW_DISTANCE, about_the_roadside_case
from aicc.agents.intent import local_reading
from aicc.data.reference import canonical_model, features, knowledge_passages, passage_title, warning_lights
from aicc.data.vin import decode
from aicc.ports.customers import Customers
from contracts.common import DialogState, Source
from contracts.events import CockpitGuidance, ConversationReceived, EventMeta, IntentDetected

UNKNOWN = "unknown"
MAX_FEATURE_STEPS = 6
_FLASHING_RE = re.compile(r"\b(flash\w*|blink\w*)\b", re.I)
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"(])")


@dataclass(frozen=True)
class VehicleContext:
    model: str | None = None
    model_year: int | None = None
    trim: str | None = None


def resolve_vehicle(intent: IntentDetected, customer: dict[str, Any] | None) -> VehicleContext:
    """The car the question is about: the VIN named, else the model/year named, else the customer's car."""
    owned: list[dict[str, Any]] = list((customer or {}).get("vehicles", []))
    entities = intent.entities
    if entities.vin:
        decoded = decode(entities.vin)
        if decoded is not None:
            trim = next((v.get("trim") for v in owned if v.get("vin") == decoded.vin), None)
            return VehicleContext(decoded.model, decoded.model_year, trim)
    model = canonical_model(entities.model)
    if model is not None:
        same_model = [v for v in owned if v.get("model") == model]
        if entities.model_year is not None:
            same_model = [v for v in same_model if v.get("model_year") == entities.model_year]
        if same_model:
            vehicle = same_model[0]
            return VehicleContext(model, int(vehicle["model_year"]), vehicle.get("trim"))
        # A model they don't own (or a year they didn't buy): answer for what they named.
        return VehicleContext(model, entities.model_year, None)
    if owned:
        vehicle = owned[0]
        return VehicleContext(str(vehicle["model"]), int(vehicle["model_year"]), vehicle.get("trim"))
    return VehicleContext()


# --- topic ----------------------------------------------------------------------------------------


@cache
def _keyword_index() -> list[tuple[re.Pattern[str], int, str, str]]:
    """(pattern, keyword length, 'light' | 'feature', code), longest keywords first."""
    index: list[tuple[re.Pattern[str], int, str, str]] = []
    for light in warning_lights()["lights"]:
        for keyword in light["keywords"]:
            index.append((_keyword_re(keyword), len(keyword), "light", light["code"]))
    for feature in features():
        for keyword in feature["keywords"]:
            index.append((_keyword_re(keyword), len(keyword), "feature", feature["code"]))
    index.sort(key=lambda entry: -entry[1])
    return index


def _keyword_re(keyword: str) -> re.Pattern[str]:
    # Word boundaries so 'range' does not match 'arrange' nor 'esc' 'escape'.
    return re.compile(r"(?<![\w-])" + re.escape(keyword.lower()) + r"(?![\w-])")


def _light(code: str) -> dict[str, Any] | None:
    return next((light for light in warning_lights()["lights"] if light["code"] == code), None)


def _feature(code: str) -> dict[str, Any] | None:
    return next((feature for feature in features() if feature["code"] == code), None)


def _light_for_model(code: str, model: str | None, text: str) -> str:
    """The light this model actually shows, e.g. 'check engine' on a Cirrus is its 'Check EV system' light."""
    table = warning_lights()
    if _FLASHING_RE.search(text):
        code = table.get("flashing_codes", {}).get(code, code)
    if model is not None:
        code = table.get("aliases", {}).get(code, {}).get(model, code)
    elif code == "ev_battery":
        return UNKNOWN  # EV system vs. hybrid system depends on the car
    return code


def find_topic(intent: IntentDetected, model: str | None) -> tuple[str, str]:
    """('light' | 'feature' | 'none', code): the warning light named by the intent agent, else a keyword."""
    named = intent.entities.warning_light
    if named:
        code = _light_for_model(named, model, intent.text)
        worse = _more_severe_keyword_light(intent.text, code, model)
        if worse is not None:
            return "light", worse
        if _light(code) is not None:
            return "light", code
        feature = next((f for f in features() if named in f.get("entity_codes", [])), None)
        if feature is not None:
            return "feature", feature["code"]
    text = intent.text.lower()
    for pattern, _length, kind, code in _keyword_index():
        if pattern.search(text):
            if kind == "light":
                resolved = _light_for_model(code, model, intent.text)
                if _light(resolved) is not None:
                    return "light", resolved
                continue
            return "feature", code
    return "none", UNKNOWN


def _more_severe_keyword_light(text: str, named: str, model: str | None) -> str | None:
    """A critical light the words describe when the light named is not critical: "STOP SAFELY NOW and a
    battery with a thermometer" is the high-voltage battery, not the 12-volt battery light."""
    light = _light(named)
    if light is not None and light["severity"] == "critical":
        return None
    lowered = text.lower()
    for pattern, _length, kind, code in _keyword_index():
        if kind == "light" and code != named and pattern.search(lowered):
            resolved = _light_for_model(code, model, text)
            found = _light(resolved)
            if found is not None and found["severity"] == "critical":
                return resolved
    return None


# --- guidance -------------------------------------------------------------------------------------


def _applies(entry: dict[str, Any], model: str | None, year: int | None) -> bool:
    models = entry.get("models") or []
    years = entry.get("years") or []
    if models and (model is None or model not in models):
        return False
    return not (years and (year is None or year not in years))


def _source(doc_id: str, uri: str) -> Source:
    return Source(title=passage_title(doc_id), uri=uri)


def _light_guidance(code: str, vehicle: VehicleContext, meta: EventMeta) -> CockpitGuidance:
    light = _light(code)
    assert light is not None
    base = CockpitGuidance(meta=meta, topic=code, model=vehicle.model, model_year=vehicle.model_year)
    if vehicle.model is not None and light["models"] and vehicle.model not in light["models"]:
        return base  # e.g. an oil pressure light on the electric Cirrus: nothing in the manual to say
    steps = list(light["steps"])
    sources = [_source(light["doc_id"], light["uri"])]
    variant = next((v for v in light["variants"] if _applies(v, vehicle.model, vehicle.model_year)), None)
    if variant is not None:
        if "steps" in variant:
            steps = list(variant["steps"])
        steps = list(variant.get("prepend", [])) + steps
        sources.insert(0, _source(variant["doc_id"], variant["uri"]))
    return base.model_copy(
        update={
            "steps": steps,
            "severity": light["severity"],
            "safe_to_drive": light["safe_to_drive"],
            "sources": list({s.uri: s for s in sources}.values()),
        }
    )


def _feature_guidance(code: str, vehicle: VehicleContext, meta: EventMeta) -> CockpitGuidance:
    feature = _feature(code)
    assert feature is not None
    base = CockpitGuidance(meta=meta, topic=code, model=vehicle.model, model_year=vehicle.model_year)
    passages = knowledge_passages()
    for doc_id in feature["doc_ids"]:
        passage = passages.get(doc_id)
        if passage is None:
            continue
        applicability = {"models": passage.get("models"), "years": passage.get("years")}
        if _applies(applicability, vehicle.model, vehicle.model_year):
            # The manual passage itself is the guidance: its sentences, in order, cited.
            steps = [s.strip() for s in _SENTENCE_RE.split(passage["text"]) if s.strip()][:MAX_FEATURE_STEPS]
            return base.model_copy(
                update={"steps": steps, "sources": [Source(title=passage["title"], uri=passage["uri"])]}
            )
    return base  # the feature exists, but not on this model/year (or the car is unknown)


# The harmless cause a light's guidance rules out first: the step whose simple fix puts the light out
# ("First check the parking brake: ... release it and the light should go out", the loose fuel cap).
_HARMLESS_FIX = re.compile(r"\bgo(es)? out\b", re.I)
# The light stays on after all: "it's still on", "won't go out", "keeps coming back".
_PERSISTS = re.compile(
    r"\bstill (on|there|lit|showing|here|comes? on|coming on|red)\b|"
    r"\b(stays?|stayed|remains?|keeps?) (on|lit|coming)\b|"
    r"\b(won'?t|wont|will not|didn'?t|doesn'?t|did not|does not|not) (go(ing)?|gone|turn(ing)?|went) (out|off|away)\b|"
    r"\b(hasn'?t|has not|never) (gone|turned) (out|off)\b|\bkeeps? coming back\b",
    re.I,
)
# Done, or not the cause: "i already released it", "it's not the parking brake", "the cap is fine".
_RULED_OUT = re.compile(
    r"\b(already|released|not|isn'?t|wasn'?t|fine|ok|okay|good|tight\w*|checked|off|down|disengaged|done)\b", re.I
)
_WORD = re.compile(r"[a-z]{4,}")


def fault_steps(text: str, steps: list[str]) -> list[str] | None:
    """The light's guidance without its harmless cause, when the message rules that cause out ("parking
    brake is off and it's still on", "I already released it", "tires are fine but it's still on"): what the
    light means when it is not the harmless cause. None when the message rules nothing out."""
    harmless = [step for step in steps if _HARMLESS_FIX.search(step)]
    rest = [step for step in steps if step not in harmless]
    if not harmless or not rest:
        return None
    named = {word[:5] for step in harmless for word in _WORD.findall(step.lower())} - {"light", "check", "first"}
    names_the_cause = any(word[:5] in named for word in _WORD.findall(text.lower()))
    if _PERSISTS.search(text) or (_RULED_OUT.search(text) and names_the_cause):
        return rest
    return None


# The intents the cockpit assistant has something to add to.
TOPICS = frozenset({"vehicle_feature_help", "vehicle_problem"})
# A follow-up about the light in focus that names no light of its own.
_FOLLOW_UP = re.compile(r"\b(it|its|it's|still|safe|drive|driving|light|on|reset|what now)\b", re.IGNORECASE)


def message_guidance(message: ConversationReceived, meta: EventMeta, *, customers: Customers) -> CockpitGuidance:
    """The cockpit agent on a message: guidance when it is about a feature or a warning light, else
    a result that says so (its relevance check is the local reading of the message)."""
    reading = local_reading(message, meta)
    in_focus = message.dialog.warning_light
    escalation = message.dialog.escalation
    # During an emergency about a light ("can i let it cool down and keep going?"), its steps still apply.
    about_light = message.dialog.last_intent in TOPICS or (escalation is not None and escalation.queue == "roadside")
    follows_up = in_focus is not None and about_light and _FOLLOW_UP.search(message.text)
    emergency = reading.intent == "roadside_assistance"  # "engine temp in the red and steam": the light's steps
    if reading.intent not in TOPICS and not follows_up and not emergency:
        return CockpitGuidance(meta=meta, topic=UNKNOWN, relevant=False)
    named = reading.entities
    if named.vin is None and named.model is None and message.dialog.vehicle_vin:
        reading = _with_entities(reading, vin=message.dialog.vehicle_vin)  # the car this conversation is about
    guidance = customer_guidance(reading, meta, customers=customers)
    if guidance.topic == UNKNOWN and in_focus is not None:
        # "is it safe to keep driving it?": the light this conversation is about.
        guidance = customer_guidance(_with_entities(reading, warning_light=in_focus), meta, customers=customers)
    if emergency and (guidance.severity is None or not guidance.steps):
        # In an emergency only a warning light's steps help: never a feature's how-to.
        return CockpitGuidance(meta=meta, topic=UNKNOWN, relevant=False)
    if guidance.severity is None and about_a_tow(message.text, message.dialog):
        # "how far can they tow me" is about the tow, never the car's range: the roadside policy answers it.
        return CockpitGuidance(meta=meta, topic=UNKNOWN, relevant=False)
    return guidance


def about_a_tow(text: str, dialog: DialogState) -> bool:
    """The message asks how far a tow goes, or asks about the roadside case while one is open."""
    escalation = dialog.escalation
    emergency = escalation is not None and escalation.queue == "roadside"
    return bool(TOW_DISTANCE.search(text)) or (emergency and about_the_roadside_case(text))


def _with_entities(reading: IntentDetected, **entities: Any) -> IntentDetected:
    return reading.model_copy(update={"entities": reading.entities.model_copy(update=entities)})


def customer_guidance(intent: IntentDetected, meta: EventMeta, *, customers: Customers) -> CockpitGuidance:
    """`guide` for the turn's customer, whose stored cars it reads through the port."""
    return guide(intent, customers.get(meta.customer_id), meta)


def guide(intent: IntentDetected, customer: dict[str, Any] | None, meta: EventMeta) -> CockpitGuidance:
    """Guidance for the warning light or feature the message is about, specific to the model/year."""
    vehicle = resolve_vehicle(intent, customer)
    kind, code = find_topic(intent, vehicle.model)
    if kind == "light":
        return _light_guidance(code, vehicle, meta)
    if kind == "feature":
        return _feature_guidance(code, vehicle, meta)
    return CockpitGuidance(meta=meta, topic=UNKNOWN, model=vehicle.model, model_year=vehicle.model_year)
