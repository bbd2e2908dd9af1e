"""Typo tolerance for questions: a word the corpus has never seen, close to one it has, is that word.

Customers type "tire presure", "how ofen shoud i rotate", "wat oil dose my truk take". Each word the
vocabulary does not know is replaced by the closest known word (Damerau-Levenshtein: one edit for
words of 4-7 letters, two from 8 letters; a 3-letter word only becomes a question word) that starts
with the same letter, the commonest on a tie. What stays true:
- a word the vocabulary knows is never changed, so exact matches rank exactly as before;
- the first letter is kept, because typos rarely hit it and real words outside the corpus mostly
  differ there from a corpus word ("weather" is not "leather", "dose" is not "hose");
- a capitalised word after the first is a name and stays as typed ("the weather in Paris");
- a misspelt question word ("shoud", "dose" for "does") is corrected to that word, which the search
  then drops like any other question word.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from aicc.knowledge.text import SCAFFOLD_WORDS, SYNONYM_WORDS, edit_distance, raw_words, stem

_TYPED_WORD = re.compile(r"[A-Za-z]+")
MIN_LENGTH = 3
# Question words win a tie with topic words: "shoud" is "should", not a rarer word one edit away.
_SCAFFOLD_COUNT = 10**6


def max_edits(word: str) -> int:
    return 2 if len(word) >= 8 else 1


class Speller:
    def __init__(self, texts: Iterable[str]) -> None:
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(word for word in raw_words(text) if word.isalpha())
        for word in SYNONYM_WORDS:
            counts[word] += 1
        for word in SCAFFOLD_WORDS:
            counts[word] = _SCAFFOLD_COUNT
        self._counts = counts
        # "buying" is known when "buy" is: another inflection of a known word is no typo
        self._stems = frozenset(stem(word) for word in counts)
        self._by_initial: dict[str, list[str]] = {}
        for word in sorted(counts):
            self._by_initial.setdefault(word[0], []).append(word)
        self._fixed: dict[str, str] = {}

    def knows(self, word: str) -> bool:
        if word in self._counts:
            return True
        stemmed = stem(word)
        return stemmed != word and len(stemmed) >= 4 and stemmed in self._stems

    def correct_word(self, word: str) -> str:
        """The vocabulary word `word` was meant as; `word` itself when known or nothing is close."""
        word = word.lower()
        if len(word) < MIN_LENGTH or not word.isalpha() or self.knows(word):
            return word
        found = self._fixed.get(word)
        if found is None:
            found = self._closest(word)
            self._fixed[word] = found
        return found

    def _closest(self, word: str) -> str:
        limit = max_edits(word)
        best: tuple[int, int, int, str] | None = None
        for candidate in self._by_initial.get(word[0], ()):
            if len(candidate) < MIN_LENGTH:
                continue
            scaffold = self._counts[candidate] >= _SCAFFOLD_COUNT
            if len(word) < 4 and not scaffold:
                continue
            distance = edit_distance(word, candidate, limit)
            if distance > limit:
                continue
            # a letter left out ("ofen", "presure") is the commonest slip: it wins a tie
            key = (distance, 0 if len(candidate) > len(word) else 1, -self._counts[candidate], candidate)
            if best is None or key < best:
                best = key
        return best[3] if best is not None else word

    def correct(self, text: str) -> str:
        """`text` with each unknown word replaced by the word it was meant as."""
        return _TYPED_WORD.sub(lambda match: self._replace(match.group(0), match.start()), text)

    def _replace(self, typed: str, at: int) -> str:
        if at > 0 and typed[0].isupper():
            return typed  # a name ("Paris", "Costco"), not a misspelt word
        fixed = self.correct_word(typed)
        return typed if fixed == typed.lower() else fixed
