"""Text normalisation and sparse features shared by training and inference.

Changing anything here changes what the shipped weights mean, so bump FEATURE_VERSION (it is part of the
training-data hash, which makes the staleness test fail until the weights are retrained).
"""

from __future__ import annotations

import itertools
import math
import re

FEATURE_VERSION = "features/2"

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
_VIN_RE = re.compile(r"\b[a-hj-npr-z0-9]{17}\b")
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[!?]")
_CHAR_NGRAM_SIZES = (3, 4, 5)
# Word features carry the meaning; character n-grams only add typo tolerance, so they weigh less.
_CHAR_WEIGHT = 0.4
# Emojis and emoticons carry much of the mood in chat messages; they become two placeholder words.
_POSITIVE_EMOJI = (
    "\U0001f600\U0001f601\U0001f602\U0001f603\U0001f604\U0001f605\U0001f606\U0001f609\U0001f60a\U0001f60d"
    "\U0001f60e\U0001f618\U0001f642\U0001f917\U0001f929\U0001f973\U0001f44d\U0001f44f\U0001f64c\U0001f64f"
    "\U0001f389\U0001f38a\U0001f525\U0001f4af\U0001f4aa\u2764\u2665\U0001f496\U0001f499\U0001f49a"
    "\U0001f49b\U0001f49c\U0001f5a4\u2705\u2728\u2b50\U0001f31f\U0001f60c\U0001f970\U0001f91d"
)
_NEGATIVE_EMOJI = (
    "\U0001f620\U0001f621\U0001f624\U0001f92c\U0001f629\U0001f62b\U0001f62d\U0001f622\U0001f61e\U0001f61f"
    "\U0001f614\U0001f615\U0001f641\u2639\U0001f644\U0001f612\U0001f611\U0001f610\U0001f62c\U0001f630"
    "\U0001f628\U0001f627\U0001f626\U0001f631\U0001f480\U0001f44e\U0001f4a9\U0001f92f\U0001f975\U0001f976"
    "\U0001f97a\U0001f623\U0001f616\U0001f613\U0001f925\U0001f926\U0001f937\U0001f6a8\u26a0"
)
_EMOJI_WORDS = str.maketrans(
    {**{ch: " emojipos " for ch in _POSITIVE_EMOJI}, **{ch: " emojineg " for ch in _NEGATIVE_EMOJI}}
)
_EMOTICON_RE = re.compile(r"(?<![\w/]):-?\)+|(?<![\w/]):-?d\b|<3|(?<![\w/]):'?-?\(+|(?<![\w/:])[:;]-?[/\\](?![/\w])")


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens with apostrophes dropped ("won't" -> "wont"); VINs become one placeholder."""
    lowered = text.translate(_APOSTROPHES).translate(_EMOJI_WORDS).lower()
    lowered = _VIN_RE.sub(" vinnumber ", lowered)
    if ":" in lowered or "<3" in lowered:
        lowered = _EMOTICON_RE.sub(_emoticon_word, lowered)
    return [token.replace("'", "") for token in _TOKEN_RE.findall(lowered)]


def _emoticon_word(match: re.Match[str]) -> str:
    return " emojineg " if "(" in match.group(0) or "/" in match.group(0) or "\\" in match.group(0) else " emojipos "


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
