"""Structured reference data: well-formed, citable and consistent with the catalog and the knowledge corpus."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import urlparse

from aicc.data import reference
from aicc.data.vin import decode
from aicc.knowledge import load_corpus
from aicc.seed import demo_customers

CORPUS = {p.doc_id: p for p in load_corpus()}
MODELS = reference.models_by_name()


def _walk(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _all_data() -> list[Any]:
    return [
        reference.catalog(),
        reference.recalls(),
        reference.warranty_terms(),
        reference.warning_lights(),
        reference.features(),
        reference.maintenance_schedule(),
        reference.accessories(),
        reference.service_plans(),
        reference.offers(),
    ]


def test_every_uri_in_the_data_is_https_on_an_example_domain() -> None:
    uris = [value for data in _all_data() for key, value in _walk(data) if key.endswith("uri") and value]
    assert len(uris) > 100
    for uri in uris:
        parsed = urlparse(uri)
        assert parsed.scheme == "https", uri
        assert parsed.hostname and parsed.hostname.endswith(".example"), uri


def test_every_cited_passage_exists_and_its_uri_matches_the_corpus() -> None:
    checked = 0
    for data in _all_data():
        for key, value in _walk(data):
            if key == "doc_id" and value:
                assert value in CORPUS, value
                checked += 1
    assert checked > 50
    lights = reference.warning_lights()
    for light in lights["lights"]:
        for entry in [light, *light["variants"]]:
            assert CORPUS[entry["doc_id"]].uri == entry["uri"], entry["doc_id"]
    for recall in reference.recalls():
        assert CORPUS[recall["doc_id"]].uri == recall["uri"]
    for coverage in reference.warranty_terms()["coverages"]:
        assert CORPUS[coverage["doc_id"]].uri == coverage["uri"]
    for schedule in reference.maintenance_schedule()["schedules"]:
        assert CORPUS[schedule["doc_id"]].uri == schedule["uri"]
    for accessory in reference.accessories():
        assert CORPUS[accessory["doc_id"]].uri == accessory["uri"]


def test_every_recall_id_appears_in_the_corpus_with_the_same_facts() -> None:
    corpus_recalls = {p.recall_id: p for p in CORPUS.values() if p.recall_id}
    data_recalls = {r["recall_id"]: r for r in reference.recalls()}
    assert set(data_recalls) == set(corpus_recalls) == {
        "R-2023-014", "R-2022-031", "R-2024-007", "R-2021-022", "R-2025-003"
    }  # fmt: skip
    for recall_id, recall in data_recalls.items():
        passage = corpus_recalls[recall_id]
        assert recall_id in passage.text
        assert recall["severity"] == passage.recall_severity
        assert tuple(recall["models"]) == passage.models and tuple(recall["years"]) == passage.years
        for trim in recall["trims"]:
            assert trim in passage.text


def test_warranty_terms_agree_with_the_policy() -> None:
    overview = CORPUS["policy-warranty-overview"].text
    by_code = {c["code"]: c for c in reference.warranty_terms()["coverages"]}
    assert (by_code["basic"]["months"], by_code["basic"]["miles"]) == (36, 36000)
    assert (by_code["powertrain"]["months"], by_code["powertrain"]["miles"]) == (60, 60000)
    assert (by_code["ev_battery"]["months"], by_code["ev_battery"]["miles"]) == (96, 100000)
    assert (by_code["corrosion"]["months"], by_code["corrosion"]["miles"]) == (84, None)
    for phrase in ("3 years or 36,000 miles", "5 years or 60,000 miles", "8 years or 100,000 miles", "7 years"):
        assert phrase in overview


def test_catalog_models_and_prices_agree_with_the_model_faq() -> None:
    for name, model in MODELS.items():
        faq = CORPUS[f"faq-models-{name.lower()}"].text
        assert model["faq_uri"] == CORPUS[f"faq-models-{name.lower()}"].uri
        for trim in model["trims"]:
            assert f"{trim['name']} from ${trim['price']:,}" in faq, trim["sku"]
            assert trim["powertrain"] in {"gasoline", "hybrid", "plug_in_hybrid", "electric"}


def test_catalog_towing_and_range_are_the_figures_of_the_passage_they_cite() -> None:
    for name, model in MODELS.items():
        for trim in model["trims"]:
            towing = trim["towing"]
            cited = CORPUS[towing["doc_id"]]
            assert cited.uri == towing["uri"]
            if towing["lb"]:
                assert f"{towing['lb']:,} lb" in cited.text, trim["sku"]
            else:
                assert f"{name} is not approved for towing" in cited.text
            for entry in trim.get("electric_range", []):
                cited = CORPUS[entry["doc_id"]]
                assert cited.uri == entry["uri"] and f"{entry['miles']} miles" in cited.text, trim["sku"]
                assert set(entry["years"]) <= set(model["years"])
            if trim["powertrain"] == "electric":
                assert {y for e in trim["electric_range"] for y in e["years"]} == set(model["years"]), trim["sku"]


def test_accessory_prices_and_fitment_agree_with_the_parts_faq() -> None:
    skus = [a["sku"] for a in reference.accessories()]
    assert len(skus) == len(set(skus)) >= 15
    for accessory in reference.accessories():
        assert f"${accessory['price']:,}" in CORPUS[accessory["doc_id"]].text, accessory["sku"]
        assert set(accessory["models"]) <= set(MODELS)
        for trim in accessory["trims"]:
            assert reference.trim_by_name(trim) is not None, trim


def test_warning_lights_cover_the_corpus_and_never_call_critical_safe() -> None:
    lights = reference.warning_lights()["lights"]
    corpus_lights = {p.doc_id for p in CORPUS.values() if p.section == "Warning lights" and p.severity is not None}
    assert {light["doc_id"] for light in lights} == corpus_lights
    for light in lights:
        passage = CORPUS[light["doc_id"]]
        assert (light["severity"], light["safe_to_drive"]) == (passage.severity, passage.safe_to_drive)
        assert light["steps"], light["code"]
        if light["severity"] == "critical":
            assert light["safe_to_drive"] is False


def test_maintenance_schedule_covers_every_model_and_powertrain() -> None:
    covered = {(s["model"], p) for s in reference.maintenance_schedule()["schedules"] for p in s["powertrains"]}
    for name, model in MODELS.items():
        for trim in model["trims"]:
            assert (name, trim["powertrain"]) in covered
    cirrus = next(s for s in reference.maintenance_schedule()["schedules"] if s["model"] == "Cirrus")
    assert not any(item["service"] == "oil_change" for item in cirrus["items"]), "the Cirrus has no oil changes"


def test_offers_and_plans_are_well_formed() -> None:
    ids = [o["offer_id"] for o in reference.offers()]
    assert len(ids) == len(set(ids)) >= 6
    for offer in reference.offers():
        assert date.fromisoformat(offer["valid_from"]) <= date.fromisoformat(offer["valid_until"])
        assert "{first_name}" in offer["body_template"]
        assert offer["intents"]
    for plan in reference.service_plans():
        assert set(plan["price_by_model"]) == set(MODELS)


def test_demo_vins_decode_to_their_model_and_year() -> None:
    for customer in demo_customers():
        for vehicle in customer["vehicles"]:
            decoded = decode(vehicle["vin"])
            assert decoded is not None
            assert (decoded.model, decoded.model_year) == (vehicle["model"], vehicle["model_year"])
