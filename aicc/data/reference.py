"""Cached loaders for the reference data shipped in `aicc/data`."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

SITE = "https://www.aurora-motors.example"


def _load(name: str) -> Any:
    return json.loads(resources.files("aicc.data").joinpath(name).read_text())


@cache
def catalog() -> dict[str, Any]:
    return _load("catalog.json")


@cache
def dealers() -> dict[str, dict[str, Any]]:
    return {d["dealer_id"]: d for d in _load("dealers.json")}


def dealer_uri(dealer_id: str) -> str:
    return f"{SITE}/dealers/{dealer_id}"
