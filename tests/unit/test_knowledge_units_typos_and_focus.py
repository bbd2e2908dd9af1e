"""Retrieval that generalises over phrasing: a number with its unit, typos, and follow-ups about the
recall or the model the assistant just named."""

from __future__ import annotations

import pytest

from aicc.knowledge.local import local_index
from aicc.knowledge.local import search_local as search
from aicc.knowledge.text import edit_distance, has_unit, tokenize
from tests.unit.test_knowledge_in_conversation import conversation


@pytest.fixture(autouse=True)
def _local_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AICC_KNOWLEDGE_PROVIDER", "local")


@pytest.mark.parametrize("text", ["12-volt battery", "12 volt battery", "12v battery", "twelve-volt battery"])
def test_a_number_with_its_unit_is_one_token(text: str) -> None:
    assert tokenize(text) == ["12volt", "volt", "battery"]
    assert has_unit("12volt") and has_unit("9000lb") and not has_unit("2023") and not has_unit("volt")


@pytest.mark.parametrize(
    ("query", "model"),
    [
        ("how long does the 12 volt battery last", "Cirrus"),
        ("whats the lifespan of a 12v battery", None),
        ("how many years is the twelve-volt battery good for", "Cirrus"),
    ],
)
def test_the_12_volt_battery_is_not_the_high_voltage_one(query: str, model: str | None) -> None:
    found = search(query, model=model, k=1)
    assert found[0].doc_id == "manual-all-models-12-volt-battery"
    assert "4 to 6 years" in found[0].text


@pytest.mark.parametrize(
    ("query", "doc_id"),
    [
        ("wat oil dose my truk take", "manual-dune-oil-change-interval"),
        ("how ofen shoud i rotate tires", "manual-all-models-tire-rotation"),
        ("tire presure on my borealis", "manual-borealis-tire-pressure-reset"),
        ("wats the warrenty on the paint", "policy-warranty-corrosion"),
    ],
)
def test_typos_find_what_the_spelled_question_finds(query: str, doc_id: str) -> None:
    assert doc_id in [p.doc_id for p in search(query, k=3)]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("presure", "pressure"), ("ofen", "often"), ("truk", "truck"), ("shoud", "should"), ("dose", "does")],
)
def test_an_unknown_word_becomes_the_known_word_one_slip_away(typed: str, meant: str) -> None:
    assert local_index().speller.correct_word(typed) == meant


@pytest.mark.parametrize("word", ["weather", "buying", "camper", "lease", "pressure", "recall"])
def test_known_and_real_words_are_left_alone(word: str) -> None:
    assert local_index().speller.correct_word(word) == word


def test_edit_distance_counts_a_swap_as_one() -> None:
    assert edit_distance("dose", "does", 2) == 1
    assert edit_distance("presure", "pressure", 2) == 1
    assert edit_distance("weather", "pressure", 2) == 3


def test_off_topic_questions_still_find_nothing() -> None:
    assert search("write me a poem", k=3) == []
    assert search("recomend a good restaurant", k=3) == []


@pytest.mark.parametrize(
    "follow_up", ["how long does it take?", "how long is the repair", "ok and how much time will the fix take?"]
)
def test_how_long_after_a_recall_is_the_recall_remedy(follow_up: str) -> None:
    replies = conversation("cust-0016", "any recalls for my car?", follow_up)
    assert "R-2022-031" in replies[0]
    assert "45 minutes" in replies[1]


@pytest.mark.parametrize(
    ("customer", "asked", "follow_up"),
    [
        ("cust-0001", "cheapest suv?", "does it come as a plug-in?"),
        ("cust-0004", "what's your least expensive SUV", "is there a hybrid one?"),
        ("cust-0019", "which suv costs the least", "any phev version of it?"),
    ],
)
def test_a_follow_up_asks_about_the_model_just_named(customer: str, asked: str, follow_up: str) -> None:
    replies = conversation(customer, asked, follow_up)
    assert "Borealis" in replies[0]
    assert "$49,900" in replies[1]


@pytest.mark.parametrize(
    "query",
    ["how long does a tire rotation take?", "tire rotation, how many minutes?", "how much time for a tire rotaion"],
)
def test_an_amount_is_found_where_it_is_stated_of_the_thing_asked(query: str) -> None:
    found = search(query, model="Borealis", k=1)
    assert found[0].doc_id == "faq-service-what-to-expect"
    assert "tire rotation 30 minutes" in found[0].text
