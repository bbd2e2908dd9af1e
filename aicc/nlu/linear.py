"""Pure-Python inference for the shipped multinomial logistic-regression heads.

The weights file is gzip JSON: a shared vocabulary (newline-joined feature names) and, per head, labels,
biases and an int16 weight matrix (row per feature, little-endian, base64) with one scale factor. Loading
it is a decompress, a split and an `array.frombytes`; nothing heavy is imported.
"""

from __future__ import annotations

import base64
import gzip
import json
import math
import sys
import threading
from array import array
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

MODEL_PATH = Path(__file__).parent / "data" / "model.json.gz"
_load_lock = threading.Lock()


@dataclass(frozen=True)
class LinearHead:
    labels: tuple[str, ...]
    bias: tuple[float, ...]
    weights: array  # int16, len(vocabulary) * len(labels)
    scale: float

    def probabilities(self, vector: dict[str, float], vocabulary: dict[str, int]) -> list[float]:
        width = len(self.labels)
        totals = [0.0] * width
        weights = self.weights
        for name, value in vector.items():
            row = vocabulary.get(name)
            if row is None:
                continue
            start = row * width
            for k, weight in enumerate(weights[start : start + width]):
                totals[k] += weight * value
        scores = [bias + total * self.scale for bias, total in zip(self.bias, totals, strict=True)]
        top = max(scores)
        exps = [math.exp(score - top) for score in scores]
        norm = sum(exps)
        return [e / norm for e in exps]


@dataclass(frozen=True)
class LinearModel:
    name: str
    vocabulary: dict[str, int]
    heads: dict[str, LinearHead]
    meta: dict[str, Any]


def _decode_head(raw: dict[str, Any]) -> LinearHead:
    weights = array("h")
    weights.frombytes(base64.b64decode(raw["weights"]))
    if sys.byteorder == "big":
        weights.byteswap()
    return LinearHead(labels=tuple(raw["labels"]), bias=tuple(raw["bias"]), weights=weights, scale=float(raw["scale"]))


def read_model(path: Path) -> LinearModel:
    payload = json.loads(gzip.decompress(path.read_bytes()))
    vocabulary = {name: index for index, name in enumerate(payload["vocabulary"].split("\n"))}
    heads = {name: _decode_head(raw) for name, raw in payload["heads"].items()}
    meta = {key: value for key, value in payload.items() if key not in ("vocabulary", "heads")}
    return LinearModel(name=payload["model"], vocabulary=vocabulary, heads=heads, meta=meta)


@cache
def _cached_model() -> LinearModel:
    return read_model(MODEL_PATH)


def shipped_model() -> LinearModel:
    """The shipped model, read once per process on first use (thread-safe)."""
    with _load_lock:
        return _cached_model()


def encode_head(labels: list[str], bias: list[float], weights: list[float]) -> dict[str, Any]:
    """Quantise a trained head to int16 for the weights file (training side)."""
    largest = max((abs(weight) for weight in weights), default=0.0) or 1.0
    scale = largest / 32767.0
    quantised = array("h", (round(weight / scale) for weight in weights))
    if sys.byteorder == "big":
        quantised.byteswap()
    return {
        "labels": labels,
        "bias": [round(value, 6) for value in bias],
        "scale": scale,
        "weights": base64.b64encode(quantised.tobytes()).decode("ascii"),
    }
