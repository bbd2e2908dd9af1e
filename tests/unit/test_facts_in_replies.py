"""Facts computed, not quoted: what a demo customer reads when they ask about their own car's warranty,
recalls, maintenance and specifications (issue 13). Each turn is composed from the agents' own results
(intent, sentiment, knowledge, profile, CDH insights) as the aggregator composes it."""

from __future__ import annotations

import re

import pytest

from aicc.agents.cdh import asked_facts
from tests.composed_turns import reply


def test_a_slipping_transmission_past_60000_miles_hears_that_powertrain_coverage_ended() -> None:
    # Ava: 2021 Aster bought 2021-01-31, 70,900 miles: the 60,000-mile limit came before the 5-year date.
    text = reply("cust-0001", "my transmission is slipping, is that covered under warranty?").text
    assert re.search(r"Powertrain coverage[^.]*ended at 60,000 miles", text), text
    assert "70,900" in text
    assert "Corrosion" not in text and "2028" not in text, "the corrosion cover has nothing to do with it"
    assert not re.search(r"Powertrain coverage[^.]*runs until", text), text


def test_powertrain_coverage_that_ended_by_date_says_the_day() -> None:
    # James: 2021 Borealis bought 2021-01-20, 49,900 miles: five years passed before 60,000 miles.
    text = reply("cust-0012", "is my engine still under warranty?").text
    assert re.search(r"Powertrain coverage[^.]*ended on 20 Jan 2026", text), text


def test_powertrain_coverage_in_force_says_both_limits() -> None:
    # Noah: 2023 Cirrus bought 2023-06-07, 28,200 miles.
    text = reply("cust-0004", "is a problem with the drive unit covered by warranty?").text
    assert re.search(r"Powertrain coverage[^.]*until 7 Jun 2028 or 60,000 miles", text), text
    assert "ended" not in text


def test_a_general_warranty_question_lists_what_is_in_force_and_what_ended() -> None:
    text = reply("cust-0001", "is my car still under warranty?").text
    assert "Corrosion perforation until 31 Jan 2028" in text, text
    for ended in ("Basic (bumper-to-bumper)", "Powertrain", "Roadside Assistance"):
        assert re.search(rf"Ended:[^.]*{re.escape(ended)}", text), ended


def test_two_vehicles_asking_about_recalls_hear_about_both() -> None:
    # Ethan: a 2022 Aster with R-2021-022 open and a 2025 Borealis EX with none.
    text = reply("cust-0010", "do either of my vehicles have open recalls?").text
    assert re.search(r"2022 Aster[^.]*R-2021-022", text), text
    assert re.search(r"2025 Borealis[^.]*no open recalls", text), text
    # Mia: each of her two vehicles has its own recall.
    text = reply("cust-0005", "do either of my vehicles have open recalls?").text
    assert re.search(r"2023 Borealis[^.]*R-2023-014", text), text
    assert re.search(r"2024 Dune[^.]*R-2024-007", text), text


def test_towing_capacity_of_my_truck_comes_from_the_catalog_for_that_truck() -> None:
    # Mia owns a Borealis Plug-in Hybrid (3,500 lb) and a Dune Work Truck (9,000 lb).
    answered = reply("cust-0005", "how much can my truck tow?")
    assert "9,000 lb" in answered.text, answered.text
    assert "3,500" not in answered.text and "You might like" not in answered.text
    assert any(s.uri.endswith("/models#dune") for s in answered.sources)


def test_an_aster_is_not_approved_for_towing() -> None:
    text = reply("cust-0001", "can my aster tow a trailer?").text
    assert "not approved for towing" in text, text
    assert " lb" not in text.split("not approved for towing")[0]


def test_range_is_the_owners_model_year_and_trim() -> None:
    # A 2023 Cirrus Standard Range: 250 miles (the 2024-2025 car gets 260).
    assert "range of 250 miles" in reply("cust-0004", "what's the range of my cirrus?").text
    # A 2024 Cirrus Long Range: 320 miles.
    assert "320 miles" in reply("cust-0008", "how far can my car go on a full charge?").text


def test_seats_of_a_model_the_customer_does_not_own() -> None:
    text = reply("cust-0001", "does the borealis have 7 seats?").text  # Ava drives an Aster
    assert "Borealis has 7 seats" in text, text
    assert "5 seats" not in text


def test_an_ev_owner_asking_for_the_next_oil_change_hears_there_is_none_and_what_is_due() -> None:
    # Noah's 2023 Cirrus at 28,200 miles: tire rotation at 30,000 is next.
    text = reply("cust-0004", "when's my next oil change due?").text
    assert re.search(r"never needs an oil change", text), text
    assert "Tire rotation at 30,000 miles" in text
    assert "Oil and filter" not in text


def test_the_next_oil_change_is_the_due_one_from_the_schedule() -> None:
    # Ava's 2021 Aster S at 70,900 miles, every 7,500 miles or 12 months from 31 Jan: 75,000 miles or 31 Jan 2027.
    text = reply("cust-0001", "when's my next oil change due?").text
    assert re.search(r"oil and filter change[^.]*75,000 miles or by 31 Jan 2027", text), text


@pytest.mark.parametrize(
    "text",
    [
        "I need a tow, my car broke down on the highway",
        "I want to buy a cirrus long range this week. who do i talk to?",
        "book me a service next tuesday",
        "my oil light is on",
    ],
)
def test_messages_that_ask_for_no_fact_get_none_added(text: str) -> None:
    asked, coverage, _ = asked_facts(text)
    assert (asked, coverage) == ([], None)


def test_a_towing_answer_is_not_followed_by_i_could_not_find_that() -> None:
    assert "couldn't find" not in reply("cust-0005", "how much can my truck tow?").text
