"""Knowledge in a conversation: follow-ups searched with what the conversation is about, catalog prices,
a used car looked up by its VIN, and recommendations only for a shopper who asks to be shown something."""

from __future__ import annotations

import pytest

from aicc.agents.cdh import asked_facts
from aicc.agents.compose import answer
from aicc.agents.dialog import advance
from aicc.agents.recommendations import asks_for_suggestion
from aicc.knowledge.context import cited_topic, is_follow_up, model_in_focus
from aicc.knowledge.corpus import corpus
from aicc.knowledge.local import search_local as search
from contracts.common import DialogState, Source
from contracts.events import ResponseComposed
from tests.composed_turns import turn_results


@pytest.fixture(autouse=True)
def _local_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AICC_KNOWLEDGE_PROVIDER", "local")


def turn(customer_id: str, text: str, dialog: DialogState) -> tuple[ResponseComposed, DialogState]:
    """One turn composed from the agents' own results, and the dialog state after it."""
    assembled, meta = turn_results(customer_id, text, dialog)
    reply = answer(assembled, meta)
    return reply, advance(dialog, assembled.results, reply)


def conversation(customer_id: str, *texts: str) -> list[str]:
    dialog = DialogState()
    replies = []
    for text in texts:
        reply, dialog = turn(customer_id, text, dialog)
        replies.append(reply.text)
    return replies


def test_a_follow_up_is_searched_within_the_passage_just_cited() -> None:
    alone = search("what if i go over the miles", k=1)
    assert not alone or alone[0].doc_id != "faq-financing-leasing"
    found = search("what if i go over the miles", k=1, topic="faq-financing-leasing")
    assert found[0].doc_id == "faq-financing-leasing"
    # a sibling passage of the same section when the message names it
    assert search("what about the battery?", k=1, topic="policy-warranty-basic")[0].doc_id == (
        "policy-warranty-ev-battery"
    )


def test_the_conversation_never_finds_a_passage_the_message_does_not_match() -> None:
    found = search("how much can the dune tow", k=3, topic="faq-financing-leasing", context="Cirrus")
    assert found and all(p.doc_id != "faq-financing-leasing" for p in found)


def test_a_price_question_prefers_the_passage_that_states_a_price() -> None:
    assert search("how much is an oil change for a dune?", k=1)[0].doc_id == "faq-service-service-prices"


@pytest.mark.parametrize(
    ("text", "leans"),
    [
        ("even when towing?", True),
        ("how long do those last usually", True),
        ("is the tire rotation extra?", True),
        ("how do i change the battery in my key fob?", False),
        ("can i lease instead of buying? what are the terms", False),
    ],
)
def test_what_counts_as_a_follow_up(text: str, leans: bool) -> None:
    assert is_follow_up(text) is leans


def test_the_topic_and_the_model_in_focus_come_from_the_passage_last_cited() -> None:
    towing = next(p for p in corpus() if p.doc_id == "manual-dune-towing-capacity")
    cited = [Source(title="Aurora Harbor City", uri="https://www.aurora-motors.example/dealers/harbor-city")]
    assert cited_topic([*cited, Source(title=towing.title, uri=towing.uri)]) == "manual-dune-towing-capacity"
    assert model_in_focus(DialogState(topic="manual-dune-towing-capacity", model="Aster")) == "Dune"
    assert model_in_focus(DialogState(topic="faq-financing-leasing", model="Aster")) == "Aster"


def test_price_questions_ask_for_a_cars_price_unless_they_name_a_service_or_an_accessory() -> None:
    assert "price" in asked_facts("what does it cost?")[0]
    assert "price" in asked_facts("my daughter needs a first car, cheapest thing you sell?")[0]
    assert "price" not in asked_facts("how much is an oil change for a dune?")[0]
    assert "price" not in asked_facts("how much are roof bars for the borealis?")[0]
    assert "price" not in asked_facts("how much can my truck tow?")[0]


def test_the_price_of_the_model_in_focus_and_the_cheapest_of_the_line_up() -> None:
    # Charlotte (2021 Aster, household of 6) asks about the Borealis, then its price.
    replies = conversation("cust-0013", "how many seats does the borealis have?", "how much does it start at?")
    assert "$38,900" in replies[1] and "Borealis" in replies[1]
    cheapest = conversation("cust-0019", "what's the cheapest car you sell?")[0]
    assert "Aster S at $24,900" in cheapest


def test_a_used_car_is_looked_up_by_its_vin_and_not_confused_with_the_customers_own() -> None:
    # Sofia owns a 2024 Aster; 5ARBX1E2XPH000777 is a 2023 Borealis with recall R-2023-014.
    first, second = conversation(
        "cust-0003",
        "I'm looking at a used car, VIN 5ARBX1E2XPH000777. does it have any open recalls?",
        "would that be fixed for free even though i'm not the first owner?",
    )
    assert "2023 Borealis" in first and "R-2023-014" in first
    assert "Your 2024 Aster" not in first
    assert "free" in second and "I can't help" not in second


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("we're a family of 6 now, which of your cars would fit us?", True),
        ("I need a truck that can pull an 8,000 lb camper, what do you have", True),
        ("suv under 40k?", True),
        ("is a tesla model y better than your cirrus?", True),
        ("any special deals on the cirrus?", False),
        ("i only get like 250 in winter, is that normal?", False),
        ("what about my buddy's dune trail?", False),
    ],
)
def test_recommendations_only_when_the_customer_asks_to_be_shown_something(text: str, asks: bool) -> None:
    assert asks_for_suggestion(text) is asks


def test_a_feature_that_came_with_a_later_model_year_is_not_on_an_older_car() -> None:
    # Ava drives a 2021 Aster; the digital key came to the Aster with the 2024 model year.
    said = conversation("cust-0001", "can i use my phone as a key?")[0]
    assert "not on your 2021 Aster" in said and "2024" in said


def test_the_price_of_a_service_just_discussed_is_not_the_cars_price() -> None:
    # Zoe's 2024 Cirrus: after its maintenance, "the annual one" is the annual inspection.
    replies = conversation("cust-0021", "what maintenance does my cirrus actually need?", "how much is the annual one?")
    assert "$149" in replies[1]
    assert "starts at" not in replies[1]


def test_a_question_on_the_requests_topic_is_answered_beside_the_booking_steps() -> None:
    # Olivia asks to take a Cirrus home for a day: the 24-hour extended test drive, not a roadside policy.
    said = conversation("cust-0009", "can i take a cirrus home for a day to try charging it?")[0]
    assert "24-hour" in said and "21" in said


def test_an_amount_of_the_customers_own_is_not_a_topic_and_deals_are_offers() -> None:
    assert search("i still owe about 8k on it, is that a problem?", k=1, topic="faq-trade-in-documents")[0].doc_id == (
        "faq-trade-in-loan-payoff"
    )
    assert search("any special deals on the cirrus?", k=1)[0].doc_id == "faq-financing-apr-rates"


def test_needing_a_ride_finds_the_shuttle() -> None:
    assert (
        search("do you guys have a shuttle? i'll need a ride to work", k=1)[0].doc_id == "faq-service-loaners-shuttle"
    )


def test_a_recall_notice_is_not_the_topic_of_a_turn_that_did_not_ask_about_recalls() -> None:
    recall = next(p for p in corpus() if p.doc_id == "recall-R-2021-022")
    prices = next(p for p in corpus() if p.doc_id == "faq-service-service-prices")
    cited = [Source(title=recall.title, uri=recall.uri), Source(title=prices.title, uri=prices.uri)]
    assert cited_topic(cited, "service_booking") == "faq-service-service-prices"
    assert cited_topic(cited, "recall_inquiry") == "recall-R-2021-022"
