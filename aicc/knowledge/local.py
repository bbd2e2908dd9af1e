"""The local (embedded default) provider: BM25 over the shipped corpus, plus applicability and intent.

Ranking, in order of strength:
1. Applicability. A `model`/`model_year` passed by the caller is the customer's vehicle: passages for
   other models or years are dropped. Models and years named in the query itself ("my 2023
   Borealis") are applied softly (non-matching passages are heavily penalised, not dropped), and
   a query naming a different model than the caller's wins: a Borealis owner asking about the
   Cirrus wants Cirrus answers.
2. Lexical relevance: BM25 divided by the sum of the query terms' IDF. A passage is only returned
   when it also covers at least `MIN_COVERAGE` of the query's IDF mass, with words the corpus has
   never seen ("weather", "poem") counted at full IDF: that is how off-topic questions get []
   rather than the least bad passage that happens to share one word ("all-weather floor mats").
3. Mild boosts: passages written for the customer's model (and model year) beat all-model ones,
   passages on the intent's topic beat others, and passages holding the kind of quantity asked for
   ("how much" -> a price, "how long" -> a duration, "what pressure" -> psi) beat ones that only
   share its words.
4. The conversation, for a follow-up: `context` (the words of the entities in focus) joins the
   query at a lower weight, and `topic` (the passage last cited) is a prior: that passage and its
   section are favoured, and a passage of that section needs less of the message's words, because
   "is the tire rotation extra?" after the price list asks about the price list. Only passages
   that match a word of the message itself are returned.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass

from aicc.knowledge.bm25 import Bm25Index
from aicc.knowledge.corpus import CorpusPassage, body_nouns, corpus
from aicc.knowledge.spelling import Speller
from aicc.knowledge.text import AMOUNT_OR_REFERENT_TERMS, has_unit, tokenize
from contracts.events import Passage

MIN_RELEVANCE = 0.3
MIN_COVERAGE = 0.5
TITLE_WEIGHT = 2
MODEL_SPECIFIC_BOOST = 1.25
YEAR_SPECIFIC_BOOST = 1.15
INTENT_TOPIC_BOOST = 1.3
SOFT_MISMATCH_PENALTY = 0.25
QUANTITY_BOOST = 1.3
QUANTITY_OF_BOOST = 2.0
QUANTITY_WINDOW = 40
UNIT_MISMATCH_PENALTY = 0.6
CONTEXT_WEIGHT = 0.5
TOPIC_BOOST = 2.0
TOPIC_SECTION_BOOST = 1.5
TOPIC_SECTION_COVERAGE = 0.3
MAX_K = 20

INTENT_TOPICS: dict[str, frozenset[str]] = {
    "service_booking": frozenset({"service_booking", "dealer", "maintenance"}),
    "vehicle_feature_help": frozenset({"feature", "charging", "hybrid", "towing"}),
    "vehicle_problem": frozenset({"warning_light", "maintenance"}),
    "roadside_assistance": frozenset({"roadside"}),
    "recall_inquiry": frozenset({"recall"}),
    "warranty_inquiry": frozenset({"warranty"}),
    "purchase_inquiry": frozenset({"purchase", "financing"}),
    "test_drive": frozenset({"test_drive", "dealer"}),
    "financing": frozenset({"financing"}),
    "trade_in": frozenset({"trade_in"}),
    "parts_accessories": frozenset({"parts_accessories"}),
    "complaint": frozenset({"complaint", "customer_care"}),
    "connected_services": frozenset({"connected_services"}),
    "human_agent": frozenset({"customer_care"}),
}

_YEAR_RANGE = range(1990, 2100)

# The kind of quantity a question asks for -> how a passage states one. Checked on the raw texts.
_QUANTITIES: list[tuple[re.Pattern[str], re.Pattern[str]]] = [
    (
        # "how much is/does", never "how much can it tow"
        re.compile(
            r"\bhow much (?:is|are|does|do|would|will|for|to)\b|\b(?:price|prices|cost|costs|fee|extra|pay)\b", re.I
        ),
        re.compile(r"\$\d"),
    ),
    (
        re.compile(r"\bhow long\b|\bhow much time\b|\bhow many (?:minutes|hours|days)\b|\blast\b|\blifespan\b", re.I),
        re.compile(r"\b\d+(?: to \d+)? (?:years?|months?|hours?|minutes?|days?)\b", re.I),
    ),
    (re.compile(r"\bpressure|\bpsi\b|\binflate", re.I), re.compile(r"\bpsi\b", re.I)),
    (re.compile(r"\bhow fast\b|\bcharging speed|\bhow quick", re.I), re.compile(r"\bkW\b|per hour", re.I)),
]


@dataclass(frozen=True)
class _Target:
    models: frozenset[str]
    years: frozenset[int]
    strict: bool


class LocalKnowledgeIndex:
    def __init__(self, passages: tuple[CorpusPassage, ...]) -> None:
        self.passages = passages
        documents = [tokenize(" ".join([p.title] * TITLE_WEIGHT + [p.section, p.text])) for p in passages]
        self._index = Bm25Index(documents)
        self._terms = [frozenset(terms) for terms in documents]
        self._sections = {p.doc_id: p.section for p in passages}
        self._by_doc_id = {p.doc_id: index for index, p in enumerate(passages)}
        self.speller = Speller(" ".join([p.title, p.section, p.text, *p.models]) for p in passages)
        # Model names come from the corpus itself so the index can never disagree with its data.
        self._models_by_term: dict[str, str] = {}
        for passage in passages:
            for model in passage.models:
                for term in tokenize(model):
                    self._models_by_term[term] = model
        # "my truck", "your suv": the kind of car names the model when only one model is of that kind
        for noun, model in body_nouns().items():
            for term in tokenize(noun):
                self._models_by_term.setdefault(term, model)

    def _has(self, doc_index: int, term: str) -> bool:
        return term in self._terms[doc_index]

    def canonical_model(self, model: str | None) -> str | None:
        """'cirrus', 'Aurora Cirrus', 'Borealis Plug-in Hybrid' -> the corpus model name; None if unknown."""
        if not model:
            return None
        for term in tokenize(model):
            found = self._models_by_term.get(term)
            if found is not None:
                return found
        return None

    def search(
        self,
        query: str,
        *,
        model: str | None = None,
        model_year: int | None = None,
        intent: str | None = None,
        k: int = 3,
        context: str | None = None,
        topic: str | None = None,
    ) -> list[Passage]:
        k = min(k, MAX_K)
        if k <= 0:
            return []
        query = self.speller.correct(query)
        terms, named_models, named_years = self._analyse(query)
        # An amount the corpus never states ("i still owe about 8k", "an 8,000 lb camper") is the
        # customer's data, not a topic.
        terms = [t for t in terms if not (t.isdigit() or has_unit(t)) or self._index.knows(t)]
        units = [t for t in terms if has_unit(t)]
        if not terms:
            return []
        weights = dict.fromkeys(terms, 1.0)
        if context:
            extra, context_models, _ = self._analyse(context)
            weights.update((term, CONTEXT_WEIGHT) for term in extra if term not in weights)
            named_models = named_models or context_models  # a model the message names wins over the one in focus
        section = self._sections.get(topic or "")
        target = self._target(model, model_year, named_models, named_years)
        # Candidates match a word of the message itself: never a passage the context alone found.
        own = self._index.scores(terms)
        if not own and not topic:
            return []
        from_context: dict[int, float] = {}
        for term, weight in weights.items():
            if weight < 1.0:
                for doc_index, score in self._index.scores([term]).items():
                    from_context[doc_index] = from_context.get(doc_index, 0.0) + weight * score
        term_idf = {term: self._index.idf(term) * weight for term, weight in weights.items()}
        ideal = sum(term_idf.values())
        # Coverage is of the message's own words: the context ranks, it never makes a passage relevant.
        own_idf = {term: idf for term, idf in term_idf.items() if weights[term] == 1.0}
        own_ideal = sum(own_idf.values())
        topics = INTENT_TOPICS.get(intent or "", frozenset())
        quantities = [stated for asked, stated in _QUANTITIES if asked.search(query)]
        # what the amount is asked of: "a tire rotation" in "how long does a tire rotation take?"
        asked_of = {t for t in own_idf if t not in AMOUNT_OR_REFERENT_TERMS}
        ranked: list[tuple[float, int]] = []
        for doc_index, bm25 in own.items():
            relevance = (bm25 + from_context.get(doc_index, 0.0)) / ideal
            if relevance < MIN_RELEVANCE:
                continue
            passage = self.passages[doc_index]
            in_section = section is not None and passage.section == section
            covered = sum(idf for term, idf in own_idf.items() if self._has(doc_index, term))
            if covered / own_ideal < (TOPIC_SECTION_COVERAGE if in_section else MIN_COVERAGE):
                continue
            factor = _applicability(passage, target)
            if factor == 0.0:
                continue
            if any(not self._has(doc_index, unit) for unit in units):
                # "the 12-volt battery" is not the high-voltage one, however well the rest matches
                factor *= UNIT_MISMATCH_PENALTY
            if topics and not topics.isdisjoint(passage.topics):
                factor *= INTENT_TOPIC_BOOST
            states = any(stated.search(passage.text) for stated in quantities)
            if states:
                factor *= QUANTITY_BOOST
                if _states_it_of(passage.text, quantities, asked_of):
                    factor *= QUANTITY_OF_BOOST
            if in_section and (states or not quantities):
                # a passage of the topic that lacks the quantity asked for cannot be the answer
                factor *= TOPIC_BOOST if passage.doc_id == topic else TOPIC_SECTION_BOOST
            boosted = relevance * factor
            if boosted < MIN_RELEVANCE:
                continue
            ranked.append((boosted, doc_index))
        # ties broken by corpus order so results are deterministic
        ranked.sort(key=lambda item: (-item[0], item[1]))
        self._amount_of_topic(ranked, topic, terms, quantities)
        return [self.passages[doc_index].to_passage(_squash(boosted)) for boosted, doc_index in ranked[:k]]

    def _amount_of_topic(
        self, ranked: list[tuple[float, int]], topic: str | None, terms: list[str], quantities: list[re.Pattern[str]]
    ) -> None:
        """A follow-up that asks for an amount the passage just cited states ("how long does it take?"
        after a recall whose remedy takes 45 minutes) is answered by that passage, first, when the
        message names nothing else the passage lacks."""
        doc_index = self._by_doc_id.get(topic or "")
        if doc_index is None or not quantities:
            return
        if not any(stated.search(self.passages[doc_index].text) for stated in quantities):
            return
        if any(t not in AMOUNT_OR_REFERENT_TERMS and not self._has(doc_index, t) for t in terms):
            return
        best = ranked[0][0] if ranked else MIN_RELEVANCE
        ranked[:] = [(best * TOPIC_BOOST, doc_index)] + [item for item in ranked if item[1] != doc_index]

    def _analyse(self, query: str) -> tuple[list[str], set[str], set[int]]:
        """Query terms, plus the model names and model years the query mentions.

        Model names and years are applicability, not topic: "oil change for my 2024 Cirrus" should
        rank by "oil change" among Cirrus passages, not favour any passage that repeats "Cirrus".
        They stay as terms only when nothing else is left ("tell me about the Cirrus").
        """
        terms = tokenize(query)
        named_models: set[str] = set()
        named_years: set[int] = set()
        topic_terms: list[str] = []
        for term in terms:
            model = self._models_by_term.get(term)
            if model is not None:
                named_models.add(model)
            elif term.isdigit() and len(term) == 4 and int(term) in _YEAR_RANGE:
                named_years.add(int(term))
            else:
                topic_terms.append(term)
        return (topic_terms or terms), named_models, named_years

    def _target(
        self, model: str | None, model_year: int | None, named_models: set[str], named_years: set[int]
    ) -> _Target:
        own_model = self.canonical_model(model)
        if named_models and named_models != {own_model}:
            return _Target(frozenset(named_models), frozenset(named_years), strict=False)
        if own_model is not None or model_year is not None:
            years = {model_year} if model_year is not None else named_years
            models = {own_model} if own_model is not None else set()
            return _Target(frozenset(models), frozenset(years), strict=True)
        return _Target(frozenset(named_models), frozenset(named_years), strict=False)


def _applicability(passage: CorpusPassage, target: _Target) -> float:
    """0 to drop the passage, a penalty below 1 for a soft mismatch, a boost above 1 for a specific fit."""
    factor = 1.0
    if target.models:
        if not passage.models:
            pass
        elif target.models.isdisjoint(passage.models):
            if target.strict:
                return 0.0
            factor *= SOFT_MISMATCH_PENALTY
        elif len(passage.models) == 1:
            # written for this model (its manual) rather than a policy that names several models
            factor *= MODEL_SPECIFIC_BOOST
    if target.years and passage.years:
        if target.years.isdisjoint(passage.years):
            if target.strict:
                return 0.0
            factor *= SOFT_MISMATCH_PENALTY
        else:
            # a recall or manual edition for exactly this model year beats the generic answer
            factor *= YEAR_SPECIFIC_BOOST
    return factor


def _states_it_of(text: str, quantities: list[re.Pattern[str]], asked_of: set[str]) -> bool:
    """Whether the passage states the amount asked right after the words it is asked of ("Typical
    durations: ... tire rotation 30 minutes"), rather than somewhere in a text that shares the words."""
    if not asked_of:
        return False
    for stated in quantities:
        for found in stated.finditer(text):
            if asked_of <= set(tokenize(text[max(0, found.start() - QUANTITY_WINDOW) : found.start()])):
                return True
    return False


def _squash(boosted: float) -> float:
    """Map relevance (0..~3) onto [0, 1) monotonically: 0.3 -> 0.26, 1 -> 0.63, 2 -> 0.86."""
    return round(1.0 - math.exp(-boosted), 4)


_lock = threading.Lock()
_index: LocalKnowledgeIndex | None = None


def local_index() -> LocalKnowledgeIndex:
    """The process-wide index, built on first use (a warm Lambda builds it once)."""
    global _index
    if _index is None:
        with _lock:
            if _index is None:
                _index = LocalKnowledgeIndex(corpus())
    return _index


def search_local(
    query: str,
    *,
    model: str | None = None,
    model_year: int | None = None,
    intent: str | None = None,
    k: int = 3,
    context: str | None = None,
    topic: str | None = None,
) -> list[Passage]:
    return local_index().search(
        query, model=model, model_year=model_year, intent=intent, k=k, context=context, topic=topic
    )
