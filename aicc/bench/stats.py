"""Percentiles as every bench figure reports them."""

from __future__ import annotations

import math


def percentiles(samples: list[float]) -> dict[str, float | None]:
    """Nearest-rank percentiles (the smallest sample with at least q of them at or below it)."""
    if not samples:
        return {"p50": None, "p95": None, "p99": None, "max": None}
    ordered = sorted(samples)

    def rank(q: float) -> float:
        return round(ordered[max(0, math.ceil(q * len(ordered)) - 1)], 1)

    return {"p50": rank(0.50), "p95": rank(0.95), "p99": rank(0.99), "max": round(ordered[-1], 1)}
