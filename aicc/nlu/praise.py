"""Praise: a customer thanking or complimenting the people or the work, with nothing to fix.

The classifier reads the content words of praise ("did an amazing job on my car", "fixed my truck")
as a booking, a problem or a complaint; the words of appraisal and whom they are for say otherwise.
Praise is never a complaint and never apologised for. A message that also reports a problem, turns
("but", "still"), asks or requests something is not praise: it is answered for what it asks.
"""

from __future__ import annotations

import re

# Appraisal of people or work, in the words customers use for it.
_APPRAISAL = re.compile(
    r"\b(amazing|awesome|fantastic|great|excellent|wonderful|outstanding|superb|brilliant|terrific|stellar|"
    r"incredible|phenomenal|top[- ]notch|first[- ]class|helpful|friendly|professional|courteous|kind|"
    r"impressed|above and beyond|shout[- ]?out|kudos|props|hats off|grateful|appreciated?|"
    r"(big|huge|many|special|massive) thanks|thanks (so|very) much|thank you (so|very) much|"
    r"(happy|pleased|delighted|thrilled) with|(love|loved) (the|how|what|my)|good (job|work|service))\b",
    re.IGNORECASE,
)
# Whom or what the appraisal is for: the people, the dealer's work, the service.
_TARGET = re.compile(
    r"\b(you|you guys|y'?all|team|staff|crew|folks|people|guys|advisors?|technicians?|techs?|mechanics?|drivers?|"
    r"service|dealer\w*|job|work|they|them|he|she|everyone|everybody|whoever)\b|\b(at|from) \w+",
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


def praises(text: str) -> bool:
    """True when the message thanks or compliments the people or their work and reports, asks or
    requests nothing ("big thanks to the folks at lakeside", "you guys were great")."""
    return (
        bool(_APPRAISAL.search(text))
        and bool(_TARGET.search(text))
        and not _PROBLEM.search(text)
        and not _REQUEST.search(text)
    )
