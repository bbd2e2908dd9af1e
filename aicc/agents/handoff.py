"""What the assistant still answers when a person takes over: the policy sentences for the message.

A customer handed to roadside assistance or customer care asked something ("do i need to call the
police?", "can i at least get a loaner?", "can it go higher?"), and the handoff alone does not answer
it. The answer is in the shipped knowledge: the roadside FAQ and the warning-light steps that send a
driver to roadside, and the customer-care, loaner and recall policies. This module picks the
sentences of those passages that answer the message, scored by the terms they share with it.

Customers describe a situation in their own words ("rear ended", "slid into a ditch", "just clicks")
while the policies use the programme's words ("collision", "winching", "jump-start"). `SITUATIONS`
bridges the two: each entry names a situation by its everyday cues and adds the policy's words for it
to the query. It is vocabulary, not answers: the sentences still come from the knowledge, so a new
policy sentence is found without a code change.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from aicc.data.reference import catalog, knowledge_passages
from aicc.knowledge.text import tokenize
from contracts.common import Source

CUSTOMER_CARE_PHONE = "+1-800-555-0142"
# Topics of the passages customer care would quote from (roadside: the "roadside" topic).
CARE_TOPICS = frozenset({"customer_care", "complaint"})
# The queue's own policies win over another queue's sentence that shares as many words.
QUEUE_BOOST = 1.5
SITUATION_WEIGHT = 2.0
# A sentence must share this much weighted IDF mass with the message to be an answer: a situation's
# word, or two rarer words of the message; one common word shared by chance is not enough.
MIN_SCORE = 7.0
# Sentences scoring below this share of the best one are left out: one answer, not a passage dump.
RELATIVE_CUTOFF = 0.6
# "What's the number?" is answered by a sentence that gives one.
_ASKS_FOR_A_NUMBER = re.compile(r"\b(number|phone)\b", re.IGNORECASE)
_PHONE_NUMBER = re.compile(r"\+?\d[\d-]{9,}\d")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"(])")

# How far a tow goes, in any words: the tow (or being taken somewhere) and a distance, a limit or a place
# far away ("how far can they tow me", "what's the max distance for the tow", "is there a mileage limit on
# the tow?", "will they take it all the way to my dealer 80 miles away?").
_TOWED = r"(tow\w*|take (it|me|her|him|the car|us)|haul\w*|flatbed)"
_DISTANCE = (
    r"(far\w*|furth\w*|mile\w*|distance|limit\w*|max\w*|how long a|all the way|kilomet\w*|km|long way|"
    r"radius|range)"
)
TOW_DISTANCE = re.compile(
    rf"\b{_TOWED}\b.*\b{_DISTANCE}\b|\b{_DISTANCE}\b.*\b{_TOWED}\b",
    re.IGNORECASE,
)
# What a driver waiting for roadside help asks about the case: how far the tow goes, how long the wait,
# what it costs, what is covered, police and insurance. During an open emergency such a question is for the
# roadside policy, whatever the classifier reads ("how far can they tow me" is no question about range).
_ROADSIDE_CASE = re.compile(
    r"\b(tow\w*|flatbed|cover\w*|free|cost\w*|pay|paying|charge[sd]?|fee|how much|police|cops?|911|"
    r"insurance|report|how long|how soon|eta|get here|arriv\w*|wait\w*|coming|on (their|the) way)\b",
    re.IGNORECASE,
)


def about_the_roadside_case(text: str) -> bool:
    """True when the message asks about the roadside case itself (tow, wait, cost, cover, police, insurance)."""
    return bool(TOW_DISTANCE.search(text) or _ROADSIDE_CASE.search(text))


# (cues in the customer's words, the policy's words for that situation)
SITUATIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(cues, re.IGNORECASE), words)
    for cues, words in (
        (
            r"\b(accident|crash\w*|collision|collided|rear[- ]?ended|backed into|hit (me|us|my)|fender[- ]?bender|"
            r"bumper|air ?bags?)\b",
            "collision accident",
        ),
        (r"\b(police|cops?|ambulance|hurt|injur\w*|bleeding|neck|pain)\b", "911 injured hurt emergency services"),
        (r"\binsurance\b", "insurance details"),
        (r"\bwhere\b.*\b(fix\w*|repair\w*)\b|\bbody ?shop\b", "collision center certified"),
        (r"\b(how long|how soon|when will|until (someone|they|help)|eta|get here|arriv\w*)\b", "arrives typically"),
        (r"\b(locked|lock me out|keys? (inside|in the car)|unlock\w*)\b", "lockout locked unlock"),
        (r"\b(no connection|no signal|can'?t connect|cannot connect|doesn'?t connect)\b", "cannot reach"),
        (r"\b(won'?t|wont|will not|doesn'?t) start\b|\bclick\w*\b|\bjump\w*\b", "jump start clicks discharged"),
        (r"\b(ditch|stuck|mud|snow|sand|slid|off the road)\b", "winching stuck"),
        (r"\b(out of|no) (charge|battery|juice|range)\b|\b0 ?%", "run out charge charging station"),
        (r"\b(out of|no) (gas|fuel)\b|\bempty tank\b", "fuel delivery"),
        (r"\b(flat|puncture\w*|blow ?out|blew out|spare)\b", "flat tire spare"),
        (TOW_DISTANCE.pattern, "towing within miles"),
        (r"\b(smoke|smoking|fire|flames?|hiss\w*|burning|popping|sweet smell)\b", "smoke hissing popping"),
        (r"\b(steam\w*|overheat\w*|boil\w*)\b", "steam coolant"),
        (r"\b(stay in|shoulder|dark|cold)\b", "unsafe stay seat belt hazard"),
        (r"\bcharger\b|\bcharging station\b", "charging station"),
        # "what can you do about it?" asks what happens to a case, not what roadside covers
        (
            r"\bwhat (does|do|will|can) (roadside|they|you)\b(?!.*\babout\b).*\b(do|cover)\b|\bcover\w*\b",
            "covers towing",
        ),
        (r"\b(higher|escalat\w*|supervisor|manager|above|over (their|your) head)\b", "escalated regional manager"),
        (
            r"\b(what happens|what now|now what|what next|next steps?|what do i do)\b|"
            r"\bwhat (can|will|are) (you|they) (do|going to do)\b.*\babout\b",
            "case number contacts",
        ),
        (r"\b(number|phone|call (you|them|myself|direct\w*))\b", "call"),
        (r"\b(wait|how long)\b", "agent joins within"),
        (r"\b(loaner|rental|courtesy car|ride)\b", "loaner"),
        (r"\b(compliment\w*|praise|feedback|survey|review)\b", "compliment feedback survey"),
        (r"\b(sell|sold|selling|next owner|new owner|carr(y|ies) over|transfer\w*)\b", "transfers next owner"),
        (
            r"\b(expir\w*|renew\w*|after (it|that|the coverage|coverage) (ends|runs out|expires))\b",
            "after coverage ends per-call rate",
        ),
        (r"\b(charged|paid|pay|bill\w*)\b.*\brecall|\brecall\b.*\b(charged|paid|pay|bill\w*)\b", "free"),
    )
)


@dataclass(frozen=True)
class PolicySentence:
    text: str
    doc_id: str
    title: str
    uri: str
    models: tuple[str, ...]
    terms: frozenset[str]
    queues: frozenset[str]  # the queues whose people would say it
    light: bool  # from a warning light's steps: advice for that light, not for every breakdown

    def source(self) -> Source:
        return Source(title=self.title, uri=self.uri)


@cache
def policy_sentences() -> tuple[PolicySentence, ...]:
    """Every sentence of the passages a person taking over would quote: the roadside and customer
    care topics, and any passage that sends the customer to one of them (by its phone number)."""
    found: list[PolicySentence] = []
    for doc_id, passage in knowledge_passages().items():
        text = str(passage["text"])
        topics = set(passage.get("topics") or [])
        queues = _queues(topics, text)
        if not queues:
            continue
        for sentence in _SENTENCE.split(text):
            if sentence.strip():
                found.append(
                    PolicySentence(
                        text=sentence.strip(),
                        doc_id=doc_id,
                        title=str(passage["title"]),
                        uri=str(passage["uri"]),
                        models=tuple(passage.get("models") or ()),
                        terms=frozenset(tokenize(sentence)),
                        queues=queues,
                        light="warning_light" in topics,
                    )
                )
    return tuple(found)


def _queues(topics: set[str], text: str) -> frozenset[str]:
    """The queues a passage belongs to: its topic says so, else whom its text sends the customer to."""
    if "roadside" in topics:
        return frozenset({"roadside"})
    if topics & CARE_TOPICS:
        return frozenset({"customer_care"})
    sends_to = {
        "roadside": "Roadside Assistance" in text,
        "customer_care": CUSTOMER_CARE_PHONE in text or "Customer Care" in text or "loaner" in text,
    }
    return frozenset(queue for queue, sent in sends_to.items() if sent)


@cache
def _idf() -> dict[str, float]:
    sentences = policy_sentences()
    counts = Counter(term for s in sentences for term in s.terms)
    return {term: math.log(1 + len(sentences) / count) for term, count in counts.items()}


def query_terms(text: str) -> dict[str, float]:
    """The message's terms with their weights: the policy's words for the situations it describes
    count double (they say what the message is about), model names not at all (applicability
    filters by model; a shared model name answers nothing)."""
    situation = set(tokenize(" ".join(words for cues, words in SITUATIONS if cues.search(text))))
    weights = {term: 1.0 for term in tokenize(text) if term not in _model_terms()}
    weights.update(dict.fromkeys(situation, SITUATION_WEIGHT))
    return weights


@cache
def _model_terms() -> frozenset[str]:
    return frozenset(term for model in catalog()["models"] for term in tokenize(str(model["name"])))


def answering_sentences(
    text: str, queue: str | None, model: str | None, *, limit: int = 2, lights: bool = True
) -> list[PolicySentence]:
    """The policy sentences that answer `text` for a customer driving `model` and waiting for `queue`,
    best first (or none). The queue's own policies first; another queue's only when none answers
    ("can I unlock it without the app?" asked of customer care is answered by the lockout steps).
    `lights=False` leaves out warning-light steps: after a crash, a light's advice ("avoid switching
    the vehicle off") is wrong."""
    own = _answering(text, queue, model, limit, own_queue=True, lights=lights)
    if own or queue == "roadside":
        return own  # someone in danger hears the roadside policy or the safety basics, never a case process
    return _answering(text, queue, model, limit, own_queue=False, lights=lights)


def _answering(
    text: str, queue: str | None, model: str | None, limit: int, *, own_queue: bool, lights: bool
) -> list[PolicySentence]:
    terms = query_terms(text)
    wants_number = bool(_ASKS_FOR_A_NUMBER.search(text))
    idf = _idf()
    scored: list[tuple[float, int, PolicySentence]] = []
    for order, sentence in enumerate(policy_sentences()):
        if sentence.models and (model is None or model not in sentence.models):
            continue
        if own_queue and queue not in sentence.queues:
            continue
        if sentence.light and not lights:
            continue
        if wants_number and not _PHONE_NUMBER.search(sentence.text):
            continue
        shared = sum(idf[t] * weight for t, weight in terms.items() if t in sentence.terms)
        score = shared * (QUEUE_BOOST if queue in sentence.queues else 1.0)
        if score >= MIN_SCORE:
            scored.append((score, order, sentence))
    if not scored:
        return []
    scored.sort(key=lambda entry: (-entry[0], entry[1]))
    best = scored[0][0]
    chosen: list[PolicySentence] = []
    for score, _order, sentence in scored:
        if score < best * RELATIVE_CUTOFF or len(chosen) == limit:
            break
        if all(sentence.text != c.text for c in chosen):
            chosen.append(sentence)
    return chosen
