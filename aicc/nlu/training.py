"""Offline training: expand the template files into examples and fit the linear heads (pure Python).

Never imported at runtime. `scripts/train_nlu.py` drives it; the staleness test uses `training_data_hash`.

Template syntax (aicc/nlu/data/train_*.txt): `@intent sentiment` opens a section; every other non-comment
line is one template; `text => label` overrides the sentiment of that line. Inside a template `{slot}` draws
a filler from slots.txt, `(a|b|c)` picks one alternative (may nest, may be empty), `[x]` is optional and a
backslash makes the next character literal.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from aicc.nlu.features import FEATURE_VERSION, extract_features

DATA_DIR = Path(__file__).parent / "data"
SLOTS_FILE = DATA_DIR / "slots.txt"
SENTIMENTS = ("positive", "neutral", "negative")
TRAINING_CONFIG = "expand=10;augment=2;epochs=14;l2=0;lr=0.5;min_df=2;seed=13"
SEED = 13
SAMPLES_PER_TEMPLATE = 10


def template_files() -> list[Path]:
    return sorted(DATA_DIR.glob("train_*.txt"))


def training_data_hash() -> str:
    """Hash of everything the weights are a function of: data files, feature version, training config."""
    digest = hashlib.sha256()
    for path in [SLOTS_FILE, *template_files()]:
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes().replace(b"\r\n", b"\n"))
        digest.update(b"\0")
    digest.update(FEATURE_VERSION.encode())
    digest.update(TRAINING_CONFIG.encode())
    return digest.hexdigest()


# --- template grammar -------------------------------------------------------------------------------

Node = tuple[str, object]  # ("text", str) | ("slot", str) | ("alt", list[list[Node]])


def parse_template(source: str) -> list[Node]:
    nodes, position = _parse_sequence(source, 0, closers="")
    if position != len(source):
        raise ValueError(f"unbalanced template: {source!r}")
    return nodes


def _parse_sequence(source: str, position: int, closers: str) -> tuple[list[Node], int]:
    nodes: list[Node] = []
    text: list[str] = []

    def flush() -> None:
        if text:
            nodes.append(("text", "".join(text)))
            text.clear()

    while position < len(source):
        char = source[position]
        if char == "\\" and position + 1 < len(source):
            text.append(source[position + 1])
            position += 2
            continue
        if char in closers or (char == "|" and closers):
            break
        if char in "([":
            flush()
            closer = ")" if char == "(" else "]"
            options: list[list[Node]] = []
            position += 1
            while True:
                option, position = _parse_sequence(source, position, closers=closer)
                options.append(option)
                if position >= len(source):
                    raise ValueError(f"unclosed group in template: {source!r}")
                if source[position] == "|":
                    position += 1
                    continue
                position += 1  # the closer
                break
            if closer == "]":
                options.append([])
            nodes.append(("alt", options))
            continue
        if char == "{":
            end = source.index("}", position)
            flush()
            nodes.append(("slot", source[position + 1 : end]))
            position = end + 1
            continue
        text.append(char)
        position += 1
    flush()
    return nodes, position


def _render(nodes: list[Node], slots: dict[str, list[list[Node]]], rng: random.Random) -> str:
    parts: list[str] = []
    for kind, value in nodes:
        if kind == "text":
            parts.append(str(value))
        elif kind == "slot":
            fillers = slots[str(value)]
            parts.append(_render(rng.choice(fillers), slots, rng))
        else:
            options: list[list[Node]] = value  # type: ignore[assignment]
            parts.append(_render(rng.choice(options), slots, rng))
    return "".join(parts)


def _variant_count(nodes: list[Node], slots: dict[str, list[list[Node]]]) -> int:
    count = 1
    for kind, value in nodes:
        if kind == "slot":
            count *= len(slots[str(value)])
        elif kind == "alt":
            options: list[list[Node]] = value  # type: ignore[assignment]
            count *= sum(_variant_count(option, slots) for option in options)
        count = min(count, 10_000)
    return count


def load_slots(path: Path = SLOTS_FILE) -> dict[str, list[list[Node]]]:
    slots: dict[str, list[list[Node]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("$"):
            continue
        name, _, values = line[1:].partition("=")
        slots[name.strip()] = [parse_template(value.strip()) for value in values.split(" | ")]
    return slots


@dataclass(frozen=True)
class Template:
    intent: str
    sentiment: str
    nodes: list[Node]
    source: str


def load_templates(paths: Sequence[Path] | None = None) -> list[Template]:
    templates: list[Template] = []
    for path in paths if paths is not None else template_files():
        intent = sentiment = ""
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("@"):
                intent, sentiment = line[1:].split()
                continue
            label = sentiment
            if " => " in line:
                line, label = (part.strip() for part in line.rsplit(" => ", 1))
            if label not in SENTIMENTS or not intent:
                raise ValueError(f"{path.name}: bad section or label for {raw!r}")
            templates.append(Template(intent, label, parse_template(line), line))
    return templates


# --- augmentation -----------------------------------------------------------------------------------

_PREFIXES = [
    "hi, ",
    "hello, ",
    "hey ",
    "good morning, ",
    "excuse me, ",
    "quick question: ",
    "so ",
    "um ",
    "yes, ",
    "ok so ",
    "I was wondering, ",
    "Hi there. ",
    "Hello Aurora, ",
    "hey guys ",
    "question - ",
]
_SUFFIXES = [
    " thanks",
    " please",
    " pls",
    " thx",
    " asap",
    "?",
    " thank you",
    " cheers",
    " :)",
    "!!",
    " ty",
    " if that's ok",
    ". Thanks in advance.",
]
_POSITIVE_OPENERS = [
    "Love my car! ",
    "You guys have been great so far. ",
    "Really happy with the Aster. ",
    "Great experience buying from you. ",
    "So excited! ",
    "Thanks for the quick reply earlier! ",
]
_NEGATIVE_OPENERS = [
    "Ugh. ",
    "This is so frustrating. ",
    "I'm really annoyed, ",
    "Seriously, ",
    "argh ",
    "Not impressed so far. ",
    "I'm fed up. ",
    "Ridiculous. ",
]
# Background sentences customers put before the actual request; they must not change the intent.
_CONTEXT_OPENERS = [
    "I bought my car from you last year. ",
    "I have a 2022 Aster with about 40k miles. ",
    "Quick background, I own a Cirrus. ",
    "This is about my wife's car. ",
    "I've had my Dune for three years now. ",
    "Long-time customer here. ",
    "Hope you're well. ",
    "Sorry to bother you. ",
    "First time using this chat. ",
    "My name is Sam and I drive a Borealis. ",
    "I got my car at the North Hills dealer. ",
    "So here's the thing. ",
]
_POSITIVE_EMOJI = [" \U0001f60a", " \U0001f44d", " \U0001f64f", " :)", " \U0001f525", " \u2764\ufe0f", " \U0001f600"]
_NEGATIVE_EMOJI = [" \U0001f621", " \U0001f62d", " \U0001f644", " :(", " \U0001f624", " \U0001f629", " \U0001f44e"]
# Intents where a positive/negative opener leaves the intent unchanged and plausibly flips the mood.
_POSITIVE_OK = {
    "vehicle_feature_help",
    "purchase_inquiry",
    "test_drive",
    "connected_services",
    "service_booking",
    "trade_in",
    "parts_accessories",
    "financing",
}
_NEGATIVE_OK = {
    "vehicle_problem",
    "service_booking",
    "connected_services",
    "vehicle_feature_help",
    "warranty_inquiry",
    "financing",
    "parts_accessories",
    "recall_inquiry",
    "human_agent",
}


def _typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    candidates = [i for i, word in enumerate(words) if len(word) >= 4 and word.isalpha()]
    if not candidates:
        return text
    index = rng.choice(candidates)
    word = words[index]
    cut = rng.randrange(1, len(word) - 1)
    operation = rng.randrange(3)
    if operation == 0:
        word = word[:cut] + word[cut + 1] + word[cut] + word[cut + 2 :]
    elif operation == 1:
        word = word[:cut] + word[cut + 1 :]
    else:
        word = word[:cut] + word[cut] + word[cut:]
    words[index] = word
    return " ".join(words)


# Chat spellings: applied word by word to some renderings so the model sees "u", "pls", "tmrw" and friends.
_SLANG = {
    "you": "u",
    "your": "ur",
    "you're": "ur",
    "please": "pls",
    "tomorrow": "tmrw",
    "tonight": "tonite",
    "right now": "rn",
    "want to": "wanna",
    "going to": "gonna",
    "trying to": "tryna",
    "you guys": "yall",
    "because": "bc",
    "thanks": "thx",
    "really": "rly",
    "though": "tho",
    "probably": "prob",
    "appointment": "appt",
    "with": "w/",
    "are": "r",
    "okay": "ok",
    "something": "smth",
    "don't": "dont",
    "can't": "cant",
    "I'm": "im",
    "Can you": "can u",
    "Are you": "r u",
    "Please": "pls",
}
_SLANG_RE = re.compile(r"\b(" + "|".join(re.escape(key) for key in sorted(_SLANG, key=len, reverse=True)) + r")\b")


def _slang(text: str) -> str:
    return _SLANG_RE.sub(lambda match: _SLANG[match.group(0)], text)


def augment(text: str, intent: str, sentiment: str, rng: random.Random) -> tuple[str, str]:
    """Style noise (case, punctuation, typos, fillers) plus occasional mood openers that change sentiment."""
    roll = rng.random()
    if sentiment == "neutral" and intent in _POSITIVE_OK and roll < 0.05:
        text, sentiment = rng.choice(_POSITIVE_OPENERS) + text, "positive"
    elif sentiment == "neutral" and intent in _NEGATIVE_OK and roll > 0.95:
        text, sentiment = rng.choice(_NEGATIVE_OPENERS) + text, "negative"
    if intent not in ("greeting", "other"):
        if rng.random() < 0.08:
            text = rng.choice(_CONTEXT_OPENERS) + text[:1].lower() + text[1:]
        if rng.random() < 0.15:
            text = rng.choice(_PREFIXES) + text[:1].lower() + text[1:]
        if rng.random() < 0.12:
            text = text.rstrip(".?!") + rng.choice(_SUFFIXES)
    if sentiment != "neutral" and rng.random() < 0.1:
        text += rng.choice(_POSITIVE_EMOJI if sentiment == "positive" else _NEGATIVE_EMOJI)
    if rng.random() < 0.12:
        text = _slang(text)
    if rng.random() < 0.15:
        text = _typo(text, rng)
    if rng.random() < 0.3:
        text = text.lower()
    if rng.random() < 0.15:
        text = text.rstrip(".?!")
    return " ".join(text.split()), sentiment


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    sentiment: str


def build_examples(seed: int = SEED) -> list[Example]:
    """Deterministic expansion: each template yields up to SAMPLES_PER_TEMPLATE distinct renderings."""
    rng = random.Random(seed)
    slots = load_slots()
    examples: list[Example] = []
    seen: set[tuple[str, str]] = set()
    for template in load_templates():
        variants = _variant_count(template.nodes, slots)
        wanted = 1 if variants == 1 else min(SAMPLES_PER_TEMPLATE, variants)
        attempts = 0
        produced = 0
        while produced < wanted and attempts < wanted * 4:
            attempts += 1
            text = " ".join(_render(template.nodes, slots, rng).split())
            if variants > 1:
                text, sentiment = augment(text, template.intent, template.sentiment, rng)
            else:
                sentiment = template.sentiment
            key = (text.lower(), template.intent)
            if key in seen:
                continue
            seen.add(key)
            examples.append(Example(text, template.intent, sentiment))
            produced += 1
        if variants == 1:
            # Free-form lines are rarer than template renderings; one noisy copy gives them more weight.
            text, sentiment = augment(template.source, template.intent, template.sentiment, rng)
            if (text.lower(), template.intent) not in seen:
                seen.add((text.lower(), template.intent))
                examples.append(Example(text, template.intent, sentiment))
    return examples


# --- logistic regression ----------------------------------------------------------------------------

SparseRow = list[tuple[int, float]]


@dataclass
class TrainedHead:
    labels: list[str]
    bias: list[float]
    weights: list[list[float]]  # one row per feature index


def build_vocabulary(vectors: Sequence[dict[str, float]], min_df: int = 2) -> list[str]:
    counts: dict[str, int] = {}
    for vector in vectors:
        for name in vector:
            counts[name] = counts.get(name, 0) + 1
    return sorted(name for name, count in counts.items() if count >= min_df)


def to_rows(vectors: Sequence[dict[str, float]], vocabulary: dict[str, int]) -> list[SparseRow]:
    return [[(vocabulary[name], value) for name, value in vector.items() if name in vocabulary] for vector in vectors]


def train_head(
    rows: Sequence[SparseRow],
    targets: Sequence[str],
    labels: Sequence[str],
    n_features: int,
    epochs: int = 14,
    learning_rate: float = 0.5,
    l2: float = 0.0,
    seed: int = SEED,
) -> TrainedHead:
    """Multinomial logistic regression by SGD with a decaying step and lazily applied L2 on touched rows."""
    width = len(labels)
    index_of = {label: i for i, label in enumerate(labels)}
    weights = [[0.0] * width for _ in range(n_features)]
    bias = [0.0] * width
    order = list(range(len(rows)))
    rng = random.Random(seed)
    step = 0
    total_steps = epochs * len(rows)
    for _ in range(epochs):
        rng.shuffle(order)
        for position in order:
            row = rows[position]
            gold = index_of[targets[position]]
            scores = bias[:]
            for feature, value in row:
                feature_weights = weights[feature]
                for k in range(width):
                    scores[k] += feature_weights[k] * value
            top = max(scores)
            exps = [math.exp(score - top) for score in scores]
            norm = sum(exps)
            gradient = [e / norm for e in exps]
            gradient[gold] -= 1.0
            rate = learning_rate * (1.0 - step / total_steps) + 0.01
            step += 1
            active = [(k, g * rate) for k, g in enumerate(gradient) if g > 1e-4 or g < -1e-4]
            decay = 1.0 - rate * l2
            for feature, value in row:
                feature_weights = weights[feature]
                if decay != 1.0:
                    for k in range(width):
                        feature_weights[k] *= decay
                for k, scaled in active:
                    feature_weights[k] -= scaled * value
            for k, scaled in active:
                bias[k] -= scaled * 0.1
    return TrainedHead(list(labels), bias, weights)


def predict(head: TrainedHead, row: SparseRow) -> str:
    scores = head.bias[:]
    for feature, value in row:
        for k, weight in enumerate(head.weights[feature]):
            scores[k] += weight * value
    return head.labels[max(range(len(scores)), key=scores.__getitem__)]


def featurize(examples: Sequence[Example]) -> list[dict[str, float]]:
    return [extract_features(example.text) for example in examples]
