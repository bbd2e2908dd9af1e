"""The shipped knowledge corpus: well-formed, citable, consistent with the catalog and dealer data."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

import pytest

from aicc.knowledge import load_corpus
from aicc.knowledge.corpus import CorpusPassage

DATA = Path(__file__).resolve().parents[2] / "aicc" / "data"
CATALOG = json.loads((DATA / "catalog.json").read_text())
DEALERS = json.loads((DATA / "dealers.json").read_text())
MODEL_YEARS = {model["name"]: set(model["years"]) for model in CATALOG["models"]}


@pytest.fixture(scope="module")
def corpus() -> list[CorpusPassage]:
    return load_corpus()


def by_id(corpus: list[CorpusPassage], doc_id: str) -> CorpusPassage:
    return next(passage for passage in corpus if passage.doc_id == doc_id)


def test_corpus_size_is_a_real_first_corpus(corpus: list[CorpusPassage]) -> None:
    assert 120 <= len(corpus) <= 200
    kinds = Counter(passage.kind for passage in corpus)
    assert set(kinds) == {"manual", "faq", "policy"}


def test_doc_ids_and_uris_are_unique(corpus: list[CorpusPassage]) -> None:
    assert len({p.doc_id for p in corpus}) == len(corpus)
    assert len({p.uri for p in corpus}) == len(corpus), "every passage is citable on its own"


def test_every_uri_is_https_on_a_reserved_example_domain(corpus: list[CorpusPassage]) -> None:
    for passage in corpus:
        parsed = urlparse(passage.uri)
        assert parsed.scheme == "https", passage.doc_id
        assert parsed.hostname is not None and parsed.hostname.endswith(".example"), passage.doc_id


def test_every_passage_has_real_text(corpus: list[CorpusPassage]) -> None:
    for passage in corpus:
        assert passage.title.strip() and passage.section.strip(), passage.doc_id
        sentences = re.findall(r"[.!?](?:\s|$)", passage.text)
        assert len(sentences) >= 2, passage.doc_id
        assert 100 <= len(passage.text) <= 900, passage.doc_id


def test_applicability_matches_the_catalog(corpus: list[CorpusPassage]) -> None:
    all_years = set().union(*MODEL_YEARS.values())
    for passage in corpus:
        assert set(passage.models) <= set(MODEL_YEARS), passage.doc_id
        allowed_years = set().union(*(MODEL_YEARS[m] for m in passage.models)) if passage.models else all_years
        assert set(passage.years) <= allowed_years, passage.doc_id


def test_every_model_has_its_own_manual_passages(corpus: list[CorpusPassage]) -> None:
    for model in MODEL_YEARS:
        own = [p for p in corpus if p.kind == "manual" and p.models == (model,)]
        assert len(own) >= 10, model


def test_warning_lights_state_severity_and_whether_it_is_safe_to_drive(corpus: list[CorpusPassage]) -> None:
    lights = [p for p in corpus if "warning_light" in p.topics and p.section == "Warning lights"]
    names = " ".join(p.title.lower() for p in lights)
    for light in (
        "check engine",
        "tire pressure",
        "battery",
        "oil pressure",
        "brake",
        "coolant",
        "airbag",
        "abs",
        "traction",
        "high-voltage",
    ):
        assert light in names, light
    for passage in lights:
        if passage.severity is None:  # the colour legend, not a light
            continue
        assert passage.safe_to_drive is not None, passage.doc_id
        assert passage.severity.lower() in passage.text.lower(), passage.doc_id
        if passage.severity == "critical":
            assert passage.safe_to_drive is False, passage.doc_id


def test_combustion_only_lights_do_not_apply_to_the_electric_cirrus(corpus: list[CorpusPassage]) -> None:
    for doc_id in (
        "manual-warning-lights-check-engine-light",
        "manual-warning-lights-oil-pressure-warning-light",
        "manual-warning-lights-coolant-temperature-warning-light",
    ):
        assert not by_id(corpus, doc_id).applies_to_model("Cirrus")


def test_recalls_are_concrete(corpus: list[CorpusPassage]) -> None:
    recalls = [p for p in corpus if p.recall_id]
    assert len(recalls) >= 3
    for recall in recalls:
        recall_id = recall.recall_id or ""
        assert re.fullmatch(r"R-\d{4}-\d{3}", recall_id), recall.doc_id
        assert recall_id in recall.text and recall.recall_severity is not None
        assert len(recall.models) == 1 and recall.years, "a recall names the model and years it affects"
        assert "Remedy:" in recall.text
    assert by_id(corpus, "recall-R-2023-014").applies_to_model("Borealis")
    assert by_id(corpus, "recall-R-2023-014").applies_to_year(2023)


def test_cirrus_maintenance_has_no_oil_changes(corpus: list[CorpusPassage]) -> None:
    cirrus_maintenance = [
        p for p in corpus if p.models == ("Cirrus",) and ("schedule" in p.doc_id or "oil" in p.doc_id)
    ]
    assert len(cirrus_maintenance) == 2
    for passage in cirrus_maintenance:
        assert re.search(r"\bno oil change|never needs an oil change|needs no oil changes", passage.text)


def test_shared_facts_are_stated_consistently(corpus: list[CorpusPassage]) -> None:
    texts = {p.doc_id: p.text for p in corpus}
    warranty = texts["policy-warranty-overview"]
    for fact in ("3 years or 36,000 miles", "5 years or 60,000 miles", "8 years or 100,000 miles", "7 years"):
        assert fact in warranty
    assert "+1-800-555-0199" in texts["faq-roadside-assistance-how-to-get-help"]
    # a phone number that looks like roadside's must be roadside's
    for doc_id, text in texts.items():
        for number in re.findall(r"\+1-800-555-\d{4}", text):
            assert number in {"+1-800-555-0199", "+1-800-555-0142", "+1-800-555-0166"}, doc_id


def test_dealer_passages_come_from_dealers_json(corpus: list[CorpusPassage]) -> None:
    for dealer in DEALERS:
        passage = by_id(corpus, f"faq-dealers-{dealer['dealer_id'].removeprefix('dlr-')}")
        assert dealer["phone"] in passage.text and dealer["address"] in passage.text
        for hours in dealer["hours"].values():
            if hours != "closed":
                assert hours in passage.text


def test_kendra_metadata_marks_all_model_passages(corpus: list[CorpusPassage]) -> None:
    general = by_id(corpus, "manual-all-models-bluetooth-pairing").kendra_metadata()
    assert general["DocumentId"] == "manual-all-models-bluetooth-pairing"
    assert general["Attributes"]["models"] == ["all"]
    assert general["Attributes"]["_source_uri"].startswith("https://")
    recall = by_id(corpus, "recall-R-2023-014").kendra_metadata()
    assert recall["Attributes"]["models"] == ["Borealis"]
    assert recall["Attributes"]["model_years"] == ["2023"]
