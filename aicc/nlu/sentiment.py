"""Local sentiment: the shipped sentiment head for the label, domain rules for urgency and cues.

General-purpose lexicons miss contact-centre distress ("the tow truck never showed up", "my car won't
start"), so the head is trained on domain messages and the rules below only ever push towards negative.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, cast

from aicc.nlu.features import extract_features
from aicc.nlu.linear import shipped_model
from aicc.nlu.praise import praises
from aicc.nlu.results import SentimentResult

if TYPE_CHECKING:
    from contracts.common import SentimentLabel, Urgency


def _patterns(*phrases: str) -> list[tuple[str, re.Pattern[str]]]:
    return [(phrase, re.compile(r"\b" + phrase + r"\b", re.I)) for phrase in phrases]


# Safety-critical: someone may be in danger right now.
CRITICAL_CUES = _patterns(
    r"smoke", r"smoking", r"on fire", r"fire", r"flames?", r"accident", r"crash(?:ed)?", r"collision",
    r"air ?bags? (?:went off|deployed|popped)",
    r"brakes? (?:failed|fail|gone|went out|not working|stopped working|gave out)",
    r"(?:steering|accelerator|gas pedal) (?:failed|locked|stuck|went out)", r"injur(?:ed|y|ies)", r"bleeding",
    r"ambulance", r"wheel came off", r"tire blew out", r"blowout", r"gas leak", r"smell of gas",
    r"(?:baby|kids?|child|children|dog) (?:in|inside) the (?:car|back)",
    r"(?:stuck|stalled|died) (?:in|on) (?:the )?(?:middle of|freeway|highway|interstate|intersection|railroad|tracks)",
    r"hit (?:a|by a) (?:deer|car|truck|pole)", r"rear[- ]ended",
    # the car itself says so: a "stop safely" message, or steam from an overheating engine
    r"stop safely", r"steam(?:ing)?",
)  # fmt: skip
# Stranded but safe, or a customer close to walking away.
HIGH_CUES = _patterns(
    r"stranded", r"stuck", r"broke down", r"broken down", r"tow(?: truck)?", r"locked out", r"locked (?:my )?keys?",
    r"flat tire", r"flat tyre", r"dead battery", r"battery (?:is )?dead", r"ran out of (?:gas|fuel|charge)",
    r"overheat(?:ed|ing)", r"(?:won'?t|wont|will not|doesn'?t) (?:start|turn over|move|restart)", r"stalled",
    r"lawyer", r"attorney", r"sue", r"bbb", r"furious", r"unacceptable", r"outrageous", r"disgusted",
    r"never (?:buying|buy|coming back)", r"worst", r"lemon", r"scam", r"asap", r"urgent(?:ly)?", r"emergency",
    r"help!+", r"please hurry",
)  # fmt: skip
# A problem or an unhappy customer.
MEDIUM_CUES = _patterns(
    r"noise", r"grinding", r"squeal\w*", r"rattl\w*", r"leak\w*", r"warning", r"light (?:is|came|keeps) on",
    r"check engine", r"not working", r"isn'?t working", r"stopped working", r"broken",
    r"keeps? (?:dying|freezing|crashing)",
    r"frustrat\w*", r"annoy\w*", r"disappoint\w*", r"angry", r"upset", r"ridiculous", r"terrible", r"horrible",
    r"awful", r"rude", r"complain\w*", r"refund", r"nobody", r"no one", r"never (?:called|showed|came|arrived)",
    r"still (?:not|hasn'?t|isn'?t|waiting)", r"waiting for", r"useless", r"ugh+", r"wtf", r"problem", r"issue",
)  # fmt: skip
POSITIVE_CUES = _patterns(
    r"thanks?", r"thank you", r"thx", r"appreciate\w*", r"great", r"awesome", r"excellent", r"amazing", r"love",
    r"perfect", r"helpful", r"wonderful", r"fantastic", r"happy", r"excited", r"cheers", r"the best",
)  # fmt: skip
# Words that leave no doubt about the mood even when the rest of the message is a plain question ("your prices
# are a ripoff, what does a Borealis cost?"): they turn a neutral reading negative, never a positive one.
UNMISTAKABLY_NEGATIVE = _patterns(
    r"rip-?\s?off", r"ripped off", r"lied(?: to (?:me|us))?", r"liars?", r"scammed", r"furious", r"livid",
    r"fuming", r"disgusted", r"disgusting", r"unacceptable", r"outrageous", r"pathetic", r"appalling", r"incompetent",
    r"fed up", r"sick (?:and tired )?of", r"pissed(?: off)?", r"wtf", r"worst", r"useless", r"garbage",
)  # fmt: skip
_EMOTICON_NEGATIVE = re.compile(r"[:;]-?[(\[/]|\bsmh\b|>:")
_SHOUTING = re.compile(r"\b[A-Z]{4,}\b.*\b[A-Z]{4,}\b|!{3,}")


def _matches(cues: list[tuple[str, re.Pattern[str]]], text: str) -> list[str]:
    return [match.group(0).lower() for _, pattern in cues if (match := pattern.search(text))]


def urgency_for(text: str, label: str) -> tuple[Urgency, list[str]]:
    """Urgency from domain cues; the cues are returned so routing decisions can be explained."""
    critical = _matches(CRITICAL_CUES, text)
    high = _matches(HIGH_CUES, text)
    medium = _matches(MEDIUM_CUES, text)
    if _SHOUTING.search(text):
        high.append("shouting")
    if _EMOTICON_NEGATIVE.search(text):
        medium.append("sad emoticon")
    cues = critical + high + medium
    if critical:
        return "critical", cues
    if high:
        return "high", cues
    if medium or label == "negative":
        return "medium", cues
    return "low", cues


def local_analyze_sentiment(text: str) -> SentimentResult:
    model = shipped_model()
    head = model.heads["sentiment"]
    probabilities = dict(zip(head.labels, head.probabilities(extract_features(text), model.vocabulary), strict=True))
    label = max(probabilities, key=probabilities.__getitem__)
    score = probabilities["positive"] - probabilities["negative"]
    urgency, cues = urgency_for(text, label)
    if urgency == "critical" and label != "negative":
        # Danger outranks whatever politeness the wording carries.
        label, score = "negative", min(score, -0.5)
    elif label == "neutral" and (strong := _matches(UNMISTAKABLY_NEGATIVE, text)):
        label, score = "negative", min(score, -0.4)
        cues += [cue for cue in strong if cue not in cues]
    elif praises(text):
        # Praise with nothing wrong is positive, however flat the head reads "big thanks to the folks".
        label, score = "positive", max(score, 0.4)
    cues += [cue for cue in _matches(POSITIVE_CUES, text) if label == "positive"]
    return SentimentResult(
        label=cast("SentimentLabel", label),
        score=round(max(-1.0, min(1.0, score)), 4),
        urgency=urgency,
        cues=cues,
        model=model.name,
    )
