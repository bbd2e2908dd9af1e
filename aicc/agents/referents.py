"""Follow-ups that only make sense with what came before, resolved against the dialog state.

"what about the other one?", "and my other car?", "what about my aster?" ask the previous question
again about another vehicle; "can i still use a supercharger?" asks about the warning light in focus.
The ingress resolves such a message into the question it stands for, so every agent (intent,
knowledge, facts, cockpit) answers that question; what the customer typed stays in the transcript.
Pure functions over the dialog state: a message that is not such a follow-up is left as it is.
"""

from __future__ import annotations

import re

from aicc.data.reference import catalog
from aicc.nlu.entities import extract_entities
from contracts.common import DialogState, OwnedVehicle


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# At most this many words: a longer message says what it asks and is read as it stands.
MAX_FOLLOW_UP_WORDS = 9
# "what if i'm hauling a load of firewood in the bed?" names its condition, so it may be longer.
MAX_CONDITION_WORDS = 14
# The same situation under another condition: "what if ...", "can i still ...", "even if ...".
_CONDITION_RE = re.compile(
    r"^\W*(?:(?:ok|so|and|but|hmm)\W+)*"
    r"(?:what if|and if|even if|but if|what about if|(?:even|and|also|what about) (?:when|while|with)"
    r"|(?:can|could|should|do|is) (?:i|it) still)\b",
    re.I,
)
# The warning lights and features a follow-up continues, in the words a customer would use.
_WORDS_FOR = {"ev_system": "check EV system light"}

_OTHER_RE = re.compile(
    r"\b(?:the|my|our|that|your)\s+other\s*(?:one|car|vehicle|truck|suv|van|ride)?\b|\bthe other\b", re.I
)
# Words that carry no question of their own around a referent: "ok and what about ... then?"
_FILLER = _word_set(
    "what about how and for with the same question ok okay so then also regarding re my of is it on too as well "
    "hmm um one that thing there in case plus again same goes does do same here now"
)
_BOOKING_RE = re.compile(
    r"\b(?:book\w*|schedul\w*|appointments?|reservations?|slots?|cancel\w*|reschedul\w*|test[- ]?drives?)\b", re.I
)
# "my buddy's dune trail", "my wife's car": a car that is not the customer's.
_SOMEONE_ELSES_RE = re.compile(
    r"\b(?:my|a|our)\s+(?:buddy|friend|wife|husband|partner|son|daughter|dad|mom|mum|father|mother|brother|sister|"
    r"neighbou?r|boss|coworker|colleague|girlfriend|boyfriend|kid)'?s\b",
    re.I,
)
# "sorry, i meant my aster": the customer corrects the car the previous question named.
_CORRECTION_RE = re.compile(r"\b(?:i\s+meant?|i\s+mean|meant\s+to\s+say|not\s+(?:my|the)\b)", re.I)
_VEHICLE_NOUN_RE = re.compile(r"\b(?:my|the|our)\s+(?:car|vehicle|truck|suv|van|ride)\b", re.I)
_WORD_RE = re.compile(r"[A-Za-z0-9$][A-Za-z0-9$,.'-]*")


def resolve(text: str, dialog: DialogState, *, in_flow: bool = False) -> str | None:
    """The question this follow-up stands for, or None when the message is read as it stands.
    `in_flow`: a booking waits for its next step, where "the other one" is a slot, not a car."""
    if in_flow or _BOOKING_RE.search(text):
        return None  # "can i still book for friday?" is a booking request, read as it stands
    in_place = _other_named_in_place(text, dialog)
    if not dialog.last_question:
        return in_place
    if _CONDITION_RE.search(text) and len(_words(text)) <= MAX_CONDITION_WORDS:
        return _under_condition(text, dialog)
    if len(_words(text)) > MAX_FOLLOW_UP_WORDS:
        return in_place
    about = _other_vehicle(text, dialog) or _named_vehicle(text, dialog)
    if about is not None:
        return _asked_about(dialog.last_question, about, dialog)
    # "how often should i do that?" names no car: the knowledge search reads it with the conversation's topic.
    return in_place


def focus(dialog: DialogState, question: str | None = None) -> OwnedVehicle | None:
    """The vehicle in focus: the one the state holds, else the one the last question named."""
    held = next((v for v in dialog.vehicles if v.vin == dialog.vehicle_vin), None)
    if held is not None:
        return held
    named = extract_entities(question or dialog.last_question or "").model
    return next((v for v in dialog.vehicles if named and v.model.lower() == named.lower()), None)


def _words(text: str) -> list[str]:
    return [w.lower().strip(".,'") for w in _WORD_RE.findall(text)]


def _only_filler(text: str) -> bool:
    return all(w in _FILLER for w in _words(text))


def _other_vehicle(text: str, dialog: DialogState) -> OwnedVehicle | str | None:
    """ "the other one", "my other car": the customer's vehicle that is not in focus (of two)."""
    match = _OTHER_RE.search(text)
    if match is None or not _only_filler(text[: match.start()] + " " + text[match.end() :]):
        return None
    return _the_other(dialog)


def _the_other(dialog: DialogState) -> OwnedVehicle | None:
    current = focus(dialog)
    others = [v for v in dialog.vehicles if current is None or v.vin != current.vin]
    return others[0] if current is not None and len(others) == 1 else None


def _other_named_in_place(text: str, dialog: DialogState) -> str | None:
    """ "is the other one covered too?" -> "is my Borealis covered too?": a question of its own about the
    customer's other car names that car."""
    match = _OTHER_RE.search(text)
    car = _the_other(dialog) if match is not None else None
    if match is None or car is None or _only_filler(text[: match.start()] + " " + text[match.end() :]):
        return None
    return f"{text[: match.start()]}my {car.model}{text[match.end() :]}"


def _named_vehicle(text: str, dialog: DialogState) -> OwnedVehicle | str | None:
    """ "what about my aster?", "and for the borealis?": the customer's car of that model, else the model."""
    model = extract_entities(text).model
    if model is None:
        return None
    trim = next((t for t in _trims(model) if re.search(rf"\b{re.escape(t)}\b", text, re.I)), None)
    rest = re.sub(rf"\b(?:\d{{4}}\s+)?{re.escape(trim or model)}\w*\b", " ", text, flags=re.I)
    someone_elses = _SOMEONE_ELSES_RE.search(rest)
    rest = _SOMEONE_ELSES_RE.sub(" ", rest)
    correction = _CORRECTION_RE.search(rest)
    if correction is None and not _only_filler(rest):
        # "what about my aster's brakes?" names more than a car: read as it stands.
        return None
    if someone_elses:
        return trim or model  # "my buddy's dune trail": that model, not the customer's own
    asked = extract_entities(dialog.last_question or "").model
    current = focus(dialog)
    if (asked or (current.model if current else "")).lower() == model.lower():
        return None  # the same car again: nothing to resolve
    owned = [v for v in dialog.vehicles if v.model.lower() == model.lower()]
    return owned[0] if len(owned) == 1 else trim or model


def _trims(model: str) -> list[str]:
    """The model's trim names, longest first ("Dune Work Truck" before "Dune Trail")."""
    trims = [t["name"] for m in catalog()["models"] if m["name"] == model for t in m.get("trims", [])]
    return sorted(trims, key=len, reverse=True)


def _asked_about(question: str, about: OwnedVehicle | str, dialog: DialogState) -> str:
    """The previous question with its vehicle swapped for `about` (a car of theirs, or a model)."""
    name = about.model if isinstance(about, OwnedVehicle) else about
    current = focus(dialog, question)
    said = extract_entities(question).model or (current.model if current else None)
    if said and re.search(rf"\b{re.escape(said)}\b", question, re.I):
        if not isinstance(about, OwnedVehicle):
            question = re.sub(rf"\b(?:my|our)\s+(?:\d{{4}}\s+)?(?={re.escape(said)}\b)", "the ", question, flags=re.I)
        return re.sub(rf"\b{re.escape(said)}\b", name, question, flags=re.I)
    if _VEHICLE_NOUN_RE.search(question):
        return _VEHICLE_NOUN_RE.sub(f"my {name}" if isinstance(about, OwnedVehicle) else f"the {name}", question)
    whose = f"my {about.model_year or ''} {name}" if isinstance(about, OwnedVehicle) else f"the {name}"
    return f"{question.rstrip()} (about {' '.join(whose.split())})"


def _under_condition(text: str, dialog: DialogState) -> str | None:
    """ "can i still use a supercharger on the way?": the light (or topic) in focus, with the car, so the
    answer is about that situation; None when the message names its own subject."""
    entities = extract_entities(text)
    if entities.warning_light:
        return None
    # "is it safe to keep driving it?" reads as unclassified ("other") and the light still is the subject.
    explained = dialog.last_intent in {"vehicle_problem", "vehicle_feature_help", "other"}
    light = dialog.warning_light if explained and f"guidance:{dialog.warning_light}" in dialog.said else None
    subject = _WORDS_FOR.get(light, f"{light.replace('_', ' ')} light") if light else None
    if subject is None:
        return None  # no light in focus: the knowledge search reads the follow-up with the conversation's topic
    car = focus(dialog)
    named = f" on my {car.model}" if car is not None and not entities.model else ""
    return f"{text.rstrip()} ({subject}{named})"
