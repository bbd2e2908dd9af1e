"""Text normalisation and sparse features shared by training and inference.

Changing anything here changes what the shipped weights mean, so bump FEATURE_VERSION (it is part of the
training-data hash, which makes the staleness test fail until the weights are retrained).
"""

from __future__ import annotations

import itertools
import math
import re

FEATURE_VERSION = "features/1"

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
_VIN_RE = re.compile(r"\b[a-hj-npr-z0-9]{17}\b")
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[!?]")
_CHAR_NGRAM_SIZES = (3, 4, 5)
# Word features carry the meaning; character n-grams only add typo tolerance, so they weigh less.
_CHAR_WEIGHT = 0.4


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens with apostrophes dropped ("won't" -> "wont"); VINs become one placeholder."""
    lowered = text.translate(_APOSTROPHES).lower()
    lowered = _VIN_RE.sub(" vinnumber ", lowered)
    return [token.replace("'", "") for token in _TOKEN_RE.findall(lowered)]


def _word_shape(token: str) -> str:
    if token.isdigit():
        return "#num"
    if any(ch.isdigit() for ch in token):
        return "#alnum"
    return token


def extract_features(text: str) -> dict[str, float]:
    """Unit-length sparse vector of word uni/bigrams, character n-grams and a length bucket."""
    tokens = [_word_shape(token) for token in tokenize(text)]
    features: dict[str, float] = {}
    padded = ["<s>", *tokens, "</s>"]
    for token in tokens:
        features["w:" + token] = 1.0
    for left, right in itertools.pairwise(padded):
        features["b:" + left + "_" + right] = 1.0
    for token in tokens:
        if len(token) < 3 or token.startswith("#"):
            continue
        marked = "<" + token + ">"
        for size in _CHAR_NGRAM_SIZES:
            for start in range(len(marked) - size + 1):
                features["c:" + marked[start : start + size]] = _CHAR_WEIGHT
    word_count = sum(1 for token in tokens if token not in ("!", "?"))
    features["len:" + (str(word_count) if word_count < 4 else "4-8" if word_count <= 8 else "9+")] = 1.0
    norm = math.sqrt(sum(value * value for value in features.values()))
    return {name: value / norm for name, value in features.items()}
