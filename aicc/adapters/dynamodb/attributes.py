"""DynamoDB's attribute-value format, written once: wrapping values for a request, unwrapping an item.

Numbers go over the wire as strings (DynamoDB's `N`); readers return floats or ints, never
`Decimal`. Structured documents are stored as one JSON string (`S`) where they are read whole:
no float <-> Decimal conversion and one attribute to project.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

Item = dict[str, Any]


def s(value: str) -> dict[str, Any]:
    return {"S": value}


def n(value: float | int) -> dict[str, Any]:
    return {"N": str(value) if isinstance(value, int) else f"{value:.3f}"}


def flag(value: bool) -> dict[str, Any]:
    return {"BOOL": value}


def doc(value: Any) -> dict[str, Any]:
    """A JSON document stored as one string attribute."""
    return {"S": json.dumps(value, separators=(",", ":"))}


def strings(values: Mapping[str, str]) -> Item:
    """An item (or key) of string attributes only."""
    return {name: {"S": value} for name, value in values.items()}


def text(item: Mapping[str, Any], name: str) -> str | None:
    value = item.get(name)
    return value.get("S") if value else None


def required_text(item: Mapping[str, Any], name: str) -> str:
    found = text(item, name)
    if found is None:
        raise KeyError(f"item has no string attribute {name!r}")
    return found


def number(item: Mapping[str, Any], name: str) -> float | None:
    value = item.get(name)
    return float(value["N"]) if value and "N" in value else None


def boolean(item: Mapping[str, Any], name: str) -> bool | None:
    value = item.get(name)
    return bool(value["BOOL"]) if value and "BOOL" in value else None


def document(item: Mapping[str, Any], name: str) -> Any:
    found = text(item, name)
    return json.loads(found) if found is not None else None


def plain(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item of scalar attributes as plain values (S -> str, N -> float, BOOL -> bool)."""
    out: dict[str, Any] = {}
    for name, value in item.items():
        if "S" in value:
            out[name] = value["S"]
        elif "N" in value:
            out[name] = float(value["N"])
        elif "BOOL" in value:
            out[name] = bool(value["BOOL"])
        elif "NULL" in value:
            out[name] = None
        else:
            raise ValueError(f"attribute {name!r} is not a scalar")
    return out
