"""The Kendra provider: request shape, ResultItem -> Passage mapping, and fallback to the local index."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber

from aicc.knowledge import search, search_with_provider
from aicc.runtime.clients import client

INDEX_ID = "0123abcd-4567-89ef-0123-456789abcdef"


@pytest.fixture
def kendra(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubber]:
    monkeypatch.setenv("AICC_KNOWLEDGE_PROVIDER", "kendra")
    monkeypatch.setenv("AICC_KENDRA_INDEX_ID", INDEX_ID)
    with Stubber(client("kendra")) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def result_item(doc_id: str, confidence: str, *, section: str | None = None) -> dict[str, Any]:
    attributes = [{"Key": "section", "Value": {"StringValue": section}}] if section else []
    return {
        "Id": f"{doc_id}-result",
        "DocumentId": doc_id,
        "DocumentTitle": f"Title of {doc_id}",
        "Content": f"Content of {doc_id}.",
        "DocumentURI": f"https://owners.aurora-motors.example/manuals/{doc_id}",
        "DocumentAttributes": attributes,
        "ScoreAttributes": {"ScoreConfidence": confidence},
    }


def test_kendra_results_map_to_passages(kendra: Stubber) -> None:
    kendra.add_response(
        "retrieve",
        {
            "QueryId": "q-1",
            "ResultItems": [
                result_item("cirrus-range", "VERY_HIGH", section="Range and efficiency"),
                result_item("cirrus-charging", "MEDIUM"),
                result_item("unrelated", "LOW"),
            ],
        },
        expected_params={
            "IndexId": INDEX_ID,
            "QueryText": "how far can it go",
            "PageSize": 3,
            "AttributeFilter": {"ContainsAny": {"Key": "models", "Value": {"StringListValue": ["Cirrus", "all"]}}},
        },
    )
    result = search_with_provider("how far can it go", model="cirrus", model_year=2024)
    assert result.provider == "kendra"
    assert [p.doc_id for p in result.passages] == ["cirrus-range", "cirrus-charging"]
    first = result.passages[0]
    assert first.title == "Title of cirrus-range"
    assert first.text == "Content of cirrus-range."
    assert first.uri == "https://owners.aurora-motors.example/manuals/cirrus-range"
    assert first.section == "Range and efficiency"
    assert first.score == 1.0
    assert result.passages[1].score == 0.5 and result.passages[1].section is None


def test_no_model_means_no_attribute_filter(kendra: Stubber) -> None:
    kendra.add_response(
        "retrieve",
        {"ResultItems": []},
        expected_params={"IndexId": INDEX_ID, "QueryText": "roadside number", "PageSize": 2},
    )
    assert search("roadside number", k=2) == []


def test_kendra_error_falls_back_to_the_local_index(kendra: Stubber, caplog: pytest.LogCaptureFixture) -> None:
    kendra.add_client_error("retrieve", service_error_code="ThrottlingException", http_status_code=400)
    with caplog.at_level(logging.WARNING, logger="aicc.knowledge"):
        result = search_with_provider("how do I pair my phone")
    assert result.provider == "local-fallback"
    assert result.passages and "bluetooth" in result.passages[0].doc_id
    assert "ThrottlingException" in caplog.text
    assert "pair my phone" not in caplog.text, "customer text stays out of logs"


def test_missing_index_id_falls_back_to_the_local_index(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("AICC_KNOWLEDGE_PROVIDER", "kendra")
    monkeypatch.delenv("AICC_KENDRA_INDEX_ID", raising=False)
    with caplog.at_level(logging.WARNING, logger="aicc.knowledge"):
        result = search_with_provider("oil change interval", model="Cirrus")
    assert result.provider == "local-fallback"
    assert result.passages[0].doc_id == "manual-cirrus-oil-change-interval"
    assert "KendraNotConfiguredError" in caplog.text
