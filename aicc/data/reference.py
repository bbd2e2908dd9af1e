"""Cached loaders for the reference data shipped in `aicc/data`.

Plain `json` only (no pydantic): agents call these at cold start and per message. Every fact a reply
may state carries a `uri` (a knowledge-corpus passage or an https://www.aurora-motors.example page).
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

SITE = "https://www.aurora-motors.example"

# Powertrain of a model when the trim is unknown: the catalog's only (or most common) one.
_DEFAULT_POWERTRAIN = {"Aster": "gasoline", "Borealis": "gasoline", "Cirrus": "electric", "Dune": "gasoline"}


def _load(name: str) -> Any:
    return json.loads(resources.files("aicc.data").joinpath(name).read_text(encoding="utf-8"))


@cache
def catalog() -> dict[str, Any]:
    return _load("catalog.json")


@cache
def dealers() -> dict[str, dict[str, Any]]:
    return {d["dealer_id"]: d for d in _load("dealers.json")}


def dealer_uri(dealer_id: str) -> str:
    return f"{SITE}/dealers/{dealer_id}"


@cache
def recalls() -> list[dict[str, Any]]:
    """Recalls by model, model years, trims (empty: all) and optional VIN serial range."""
    return list(_load("recalls.json")["recalls"])


@cache
def warranty_terms() -> dict[str, Any]:
    """Coverages (months, miles, powertrains) and the 'expiring soon' thresholds."""
    return dict(_load("warranty.json"))


@cache
def warning_lights() -> dict[str, Any]:
    """Warning lights by code with severity, safe_to_drive, steps and per-model variants; plus aliases."""
    return dict(_load("warning_lights.json"))


@cache
def features() -> list[dict[str, Any]]:
    """Vehicle features: keywords and the owner's-manual passages that explain them."""
    return list(_load("features.json")["features"])


@cache
def maintenance_schedule() -> dict[str, Any]:
    """Scheduled maintenance per model and powertrain, and the 'due soon' thresholds."""
    return dict(_load("maintenance_schedule.json"))


@cache
def accessories() -> list[dict[str, Any]]:
    return list(_load("accessories.json")["accessories"])


@cache
def service_plans() -> list[dict[str, Any]]:
    return list(_load("service_plans.json")["plans"])


@cache
def offers() -> list[dict[str, Any]]:
    return list(_load("offers.json")["offers"])


@cache
def knowledge_passages() -> dict[str, dict[str, Any]]:
    """The raw knowledge corpus by doc_id (for titles, texts and URIs of cited passages)."""
    folder = resources.files("aicc.data").joinpath("knowledge")
    passages: dict[str, dict[str, Any]] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            for passage in json.loads(entry.read_text(encoding="utf-8"))["passages"]:
                passages[passage["doc_id"]] = passage
    return passages


def passage_title(doc_id: str) -> str:
    passage = knowledge_passages().get(doc_id)
    return str(passage["title"]) if passage else doc_id


# --- catalog helpers ------------------------------------------------------------------------------


@cache
def models_by_name() -> dict[str, dict[str, Any]]:
    return {m["name"]: m for m in catalog()["models"]}


def canonical_model(name: str | None) -> str | None:
    """'cirrus', 'Aurora Cirrus', 'Borealis Plug-in Hybrid' -> the catalog model name; None if unknown."""
    if not name:
        return None
    by_lower = {n.lower(): n for n in models_by_name()}
    for word in name.lower().replace("-", " ").split():
        if word in by_lower:
            return by_lower[word]
    return None


def trim_by_name(trim: str | None) -> dict[str, Any] | None:
    if not trim:
        return None
    for model in catalog()["models"]:
        for entry in model["trims"]:
            if entry["name"].lower() == trim.lower():
                return dict(entry)
    return None


def powertrain(model: str, trim: str | None) -> str:
    """gasoline | hybrid | plug_in_hybrid | electric, from the trim when known."""
    found = trim_by_name(trim)
    if found is not None:
        return str(found["powertrain"])
    return _DEFAULT_POWERTRAIN.get(model, "gasoline")


# --- vehicles -------------------------------------------------------------------------------------


def in_service_date(vehicle: dict[str, Any]) -> date:
    """The purchase date, or 1 January of the model year when the record lacks one."""
    raw = vehicle.get("purchase_date")
    if raw:
        return date.fromisoformat(str(raw)[:10])
    return date(int(vehicle["model_year"]), 1, 1)


def vehicle_age_years(vehicle: dict[str, Any], today: date) -> float:
    return max(0.0, (today - in_service_date(vehicle)).days / 365.25)


def mileage_miles(vehicle: dict[str, Any]) -> int | None:
    mileage = vehicle.get("mileage")
    if mileage is None:
        return None
    if vehicle.get("mileage_unit") == "km":
        return round(int(mileage) / 1.609344)
    return int(mileage)


def vehicle_label(vehicle: dict[str, Any]) -> str:
    return f"{vehicle['model_year']} {vehicle['model']}"
