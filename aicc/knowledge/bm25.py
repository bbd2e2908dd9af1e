"""Okapi BM25 over pre-tokenized documents, pure Python (a few hundred passages need no numpy)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

K1 = 1.2
B = 0.75


class Bm25Index:
    def __init__(self, documents: Sequence[Sequence[str]], *, k1: float = K1, b: float = B) -> None:
        self.document_count = len(documents)
        lengths = [len(terms) for terms in documents]
        average_length = (sum(lengths) / len(lengths)) if lengths else 0.0
        self._postings: dict[str, list[tuple[int, float]]] = {}
        for doc_index, terms in enumerate(documents):
            # BM25's length normalisation depends only on the document, so fold it in once here
            # and keep per-query work to one multiply-add per posting.
            norm = k1 * (1.0 - b + b * (lengths[doc_index] / average_length if average_length else 0.0))
            for term, frequency in Counter(terms).items():
                weight = frequency * (k1 + 1.0) / (frequency + norm)
                self._postings.setdefault(term, []).append((doc_index, weight))
        self._idf = {term: self._idf_for(len(postings)) for term, postings in self._postings.items()}

    def _idf_for(self, document_frequency: int) -> float:
        # Lucene's variant: always positive, so a term in most documents still counts a little.
        return math.log(1.0 + (self.document_count - document_frequency + 0.5) / (document_frequency + 0.5))

    def knows(self, term: str) -> bool:
        return term in self._postings

    def idf(self, term: str) -> float:
        found = self._idf.get(term)
        return found if found is not None else self._idf_for(0)

    def scores(self, terms: Sequence[str]) -> dict[int, float]:
        """BM25 score per document index for the unique `terms`; documents matching none are absent."""
        totals: dict[int, float] = {}
        for term in dict.fromkeys(terms):
            postings = self._postings.get(term)
            if not postings:
                continue
            idf = self._idf[term]
            for doc_index, weight in postings:
                totals[doc_index] = totals.get(doc_index, 0.0) + idf * weight
        return totals
