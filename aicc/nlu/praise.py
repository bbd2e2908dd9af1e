"""Praise: a customer thanking or complimenting the people or the work, with nothing to fix.

The classifier reads the content words of praise ("did an amazing job on my car", "fixed my truck")
as a booking, a problem or a complaint; the words of appraisal and whom they are for say otherwise.
Praise is never a complaint and never apologised for. A message that also reports a problem, turns
("but", "still"), asks or requests something is not praise: it is answered for what it asks.
"""

from __future__ import annotations

import re
from difflib import get_close_matches

# Appraisal that is always about someone, named or not ("Daniel went above and beyond", "you rock").
_FOR_SOMEONE = re.compile(
    r"\b(above and beyond|(the )?extra mile|shout[- ]?out|kudos|props|hats off|legends?|mvp)\b|"
    r"\b(you|u|y'?all|guys|team|crew|they|she|he) rock(s|ed)?\b",
    re.IGNORECASE,
)
# Appraisal of people or work, in the words customers use for it.
_APPRAISAL = re.compile(
    r"\b(amazing|awesome|fantastic|great|excellent|wonderful|outstanding|superb|brilliant|terrific|stellar|"
    r"incredible|phenomenal|top[- ]notch|first[- ]class|helpful|friendly|professional|courteous|kind|"
    r"impressed|grateful|appreciated?|nice|lovely|smooth|knowledgeable|patient|the best|"
    r"(big|huge|many|special|massive) thanks|(thanks|thank you|thank u|thx|ty) (so|very) much|"
    r"(happy|pleased|delighted|thrilled|satisfied) with|(super|very|really|so) (happy|pleased|satisfied)|"
    r"(love|loved) (the|how|what|my)|good (job|work|service)|(5|five) stars?|10 ?/ ?10)\b|" + _FOR_SOMEONE.pattern,
    re.IGNORECASE,
)
# Whom or what the appraisal is for: the people, the dealer's work, the service.
_TARGET = re.compile(
    r"\b(you|you guys|y'?all|team|staff|crew|folks|people|guys|advisors?|technicians?|techs?|mechanics?|drivers?|"
    r"service|dealer\w*|job|work|they|them|he|she|everyone|everybody|whoever|u|ur|help|experience|visit|"
    r"turnaround|process|repair|department|dept|everything)\b|\b(at|from) \w+",
    re.IGNORECASE,
)
# A problem, a turn or a hedge: the message is a grievance or a mixed review, not praise.
_PROBLEM = re.compile(
    r"\b(but|however|although|though|except|still|again|not|never|no|nobody|wasn'?t|weren'?t|didn'?t|"
    r"don'?t|doesn'?t|isn'?t|won'?t|can'?t|couldn'?t|lost|los[et]|losing|broke\w*|damag\w*|scratch\w*|dent\w*|wast\w*|late|"
    r"worse|wrong|rude|problem|issue|broken|noise|leak\w*|warning|stuck|stranded|sorry|complain\w*|"
    r"charged|bill\w*|refund|nothing|useless|terrible|awful|horrible|worst|ridiculous|unacceptable|"
    r"disappoint\w*|frustrat\w*|angry|upset|annoy\w*|sarcas\w*|yeah right|thanks a lot for)\b",
    re.IGNORECASE,
)
# Asking or requesting something, or answering the assistant ("the second one, you guys are great"): answered
# for what it asks (a compliment question is handled apart).
_REQUEST = re.compile(
    r"\?|\b(can|could|would|will) (you|i|they|someone)\b|\b(i|we) (need|want|would like|'d like)\b|"
    r"\b(please|pls|book|schedule)\b|^\W*(how|what|when|where|which|why|is|are|do|does)\b|"
    r"\b(first|second|third|1st|2nd|3rd|last|earliest|later) one\b|\b(option|slot)\b|^\W*(yes|yeah|yep|sure)\b",
    re.IGNORECASE,
)


# Asking to relay the praise is part of it, not a request: "please pass that on", "let her know".
_RELAY = re.compile(
    r"\b(please |pls |can you |could you )?(pass (that|this|it|my thanks) (on|along)|let (them|him|her) know|"
    r"tell (them|him|her))\b\W*",
    re.IGNORECASE,
)
# The single words of appraisal, which a typo should not hide ("awsome", "fantastc", "amazng").
_APPRAISAL_WORDS = (
    "amazing", "awesome", "fantastic", "excellent", "wonderful", "outstanding", "superb", "brilliant", "terrific",
    "incredible", "phenomenal", "helpful", "friendly", "professional", "courteous", "impressed", "grateful",
    "knowledgeable", "appreciate",
)  # fmt: skip


def _spelled_right(text: str) -> str:
    """The text with near-misses of the appraisal words corrected (a letter or two off, the first two
    letters right: comparing only those candidates keeps it cheap)."""
    words = re.split(r"(\W+)", text)
    return "".join(_corrected(word.lower()) if len(word) >= 5 else word for word in words)


def _corrected(word: str) -> str:
    candidates = _BY_START.get(word[:2])
    if not candidates:
        return word
    return (get_close_matches(word, candidates, n=1, cutoff=0.8) or [word])[0]


_BY_START: dict[str, list[str]] = {}
for _word in _APPRAISAL_WORDS:
    _BY_START.setdefault(_word[:2], []).append(_word)


def praises(text: str) -> bool:
    """True when the message thanks or compliments the people or their work and reports, asks or
    requests nothing ("big thanks to the folks at lakeside", "you guys were great")."""
    text = _RELAY.sub(" ", text)
    if _PROBLEM.search(text) or _REQUEST.search(text):
        return False
    if _FOR_SOMEONE.search(text):
        return True
    if not _TARGET.search(text):
        return False
    # The typo check only for a message that is otherwise praise: it is the slow part.
    return bool(_APPRAISAL.search(text) or _APPRAISAL.search(_spelled_right(text)))
