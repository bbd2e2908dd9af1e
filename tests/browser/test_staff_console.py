"""The staff console against `aicc up`, with a customer's page open beside it: a roadside handoff on
top of the queue, take, reply and hand back seen by the customer, the transcript, the customer panel
and agent assist, the queue pushed live, dealer isolation, hostile text, and an axe scan."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.browser.harness import Pages, axe_violations
from tests.browser.stack import Stack, connected, messages, say, sign_in

ROADSIDE = "My car broke down on the freeway, I need a tow"
BUYING = "I'm ready to buy a Borealis this week, can a salesperson call me?"
# The customer page's handoff line after a hand back (the page may word it its own way).
BACK_WITH_THE_ASSISTANT = re.compile(r"\bassistant\b")


def customer_page(pages: Pages, stack: Stack, user_id: str) -> Page:
    page = pages.open(f"customer-{user_id}")
    sign_in(page, stack, user_id)
    connected(page)
    return page


def console_page(pages: Pages, stack: Stack, user_id: str) -> Page:
    page = pages.open(f"console-{user_id}")
    sign_in(page, stack, user_id)
    expect(page).to_have_url(f"{stack.url}/console.html")
    expect(page.get_by_role("region", name="Queue")).to_be_visible()
    return page


def queue_rows(console: Page) -> Locator:
    return console.get_by_role("region", name="Queue").locator("[data-conversation-id]")


def row_of(console: Page, customer_id: str) -> Locator:
    return queue_rows(console).filter(has_text=customer_id)


def test_a_roadside_case_is_handed_off_tops_the_queue_and_staff_take_reply_and_hand_back(
    pages: Pages, stack: Stack
) -> None:
    customer = customer_page(pages, stack, "cust-0005")
    reply = say(customer, ROADSIDE)
    expect(reply).to_contain_text("roadside assistance team")
    handoff = customer.locator(".handoff")
    expect(handoff).to_contain_text(re.compile("roadside", re.IGNORECASE))

    console = console_page(pages, stack, stack.demo_user("oem_staff"))
    # Most urgent first: the roadside case is the top row (the queue refreshes by itself).
    expect(queue_rows(console).first).to_contain_text("cust-0005")
    row = row_of(console, "cust-0005")

    row.get_by_role("button", name="Take").click()
    # No longer waiting: a person is there (the page may word it its own way).
    expect(handoff).to_contain_text(re.compile("joined|is in this conversation"))
    expect(row.get_by_role("button", name="Open")).to_be_visible()

    # The whole history, with what the assistant made of each turn.
    transcript = console.get_by_role("region", name="Transcript")
    expect(transcript).to_contain_text(ROADSIDE)
    expect(transcript).to_contain_text("roadside assistance team")
    expect(transcript).to_contain_text("roadside_assistance")

    console.get_by_role("textbox", name="Reply").fill("A tow truck is on its way, about 30 minutes.")
    console.get_by_role("button", name="Send reply").click()
    expect(messages(customer, "staff").last).to_contain_text("A tow truck is on its way")

    # The customer's answer reaches the person, not the assistant.
    assistant_replies = messages(customer, "assistant").count()
    customer.get_by_role("textbox", name="Message").fill("Thank you, I'm waiting by the car")
    customer.get_by_role("button", name="Send").click()
    expect(transcript).to_contain_text("I'm waiting by the car")
    expect(messages(customer, "assistant")).to_have_count(assistant_replies)

    console.get_by_role("button", name="Hand back").click()
    expect(handoff).to_contain_text(BACK_WITH_THE_ASSISTANT)
    expect(row_of(console, "cust-0005")).to_have_count(0)
    # The assistant answers again.
    say(customer, "what does my warranty cover?")


def test_a_new_roadside_case_tops_an_open_consoles_queue_without_a_reload_or_a_poll(pages: Pages, stack: Stack) -> None:
    customer = customer_page(pages, stack, "cust-0005")
    console = console_page(pages, stack, stack.demo_user("oem_staff"))
    # A poll an hour apart: only the server's push can bring the case while the test waits.
    console.goto(f"{stack.url}/console.html?poll_s=3600")
    expect(console.locator("#connection")).to_have_text("Connected")
    expect(row_of(console, "cust-0005")).to_have_count(0)

    expect(say(customer, ROADSIDE)).to_contain_text("roadside assistance team")
    expect(queue_rows(console).first).to_contain_text("cust-0005")
    expect(queue_rows(console).first).to_contain_text(re.compile("urgent", re.IGNORECASE))

    # Leave the queue as it was for the other tests.
    row_of(console, "cust-0005").get_by_role("button", name="Take").click()
    console.get_by_role("button", name="Hand back").click()
    expect(row_of(console, "cust-0005")).to_have_count(0)


def test_the_console_shows_the_customer_panel_and_suggested_replies_of_a_taken_conversation(
    pages: Pages, stack: Stack
) -> None:
    customer = customer_page(pages, stack, "cust-0001")
    say(customer, "Are there any recalls on my car?")
    say(customer, "I'd like to talk to a person")

    console = console_page(pages, stack, stack.demo_user("oem_staff"))
    row_of(console, "cust-0001").get_by_role("button", name="Take").click()

    panel = console.get_by_role("region", name="Customer")
    expect(panel).to_contain_text("Ava Thompson")
    expect(panel).to_contain_text("Aster")
    expect(panel).to_contain_text("R-2021-022")

    summary = console.get_by_role("region", name="Summary")
    expect(summary).to_contain_text(re.compile("recall", re.IGNORECASE))

    suggestions = console.get_by_role("region", name="Suggested replies")
    insert = suggestions.get_by_role("button", name="Insert").first
    expect(insert).to_be_visible()
    expect(suggestions.get_by_role("link").first).to_be_visible()
    reply_box = console.get_by_role("textbox", name="Reply")
    expect(reply_box).to_have_value("")
    insert.click()
    expect(reply_box).not_to_have_value("")

    console.get_by_role("button", name="Hand back").click()
    expect(customer.locator(".handoff")).to_contain_text(BACK_WITH_THE_ASSISTANT)


def test_a_dealer_sees_only_their_dealerships_conversations(pages: Pages, stack: Stack) -> None:
    harbor_customer = customer_page(pages, stack, "cust-0004")  # Harbor City's customer
    expect(say(harbor_customer, BUYING)).to_contain_text("Harbor City")
    north_customer = customer_page(pages, stack, "cust-0006")  # North Hills'
    expect(say(north_customer, BUYING)).to_contain_text("North Hills")

    # OEM staff see both: what the dealer does not see is there to be seen.
    oem = console_page(pages, stack, stack.demo_user("oem_staff"))
    expect(row_of(oem, "cust-0004")).to_have_count(1)
    expect(row_of(oem, "cust-0006")).to_have_count(1)

    dealer = console_page(pages, stack, stack.demo_user("dealer", "dlr-harbor"))
    expect(row_of(dealer, "cust-0004")).to_have_count(1)
    expect(row_of(dealer, "cust-0006")).to_have_count(0)
    expect(dealer.get_by_role("region", name="Queue")).not_to_contain_text("North Hills")
    # No other dealership's sales queue at all, whoever's customer it is.
    for row in queue_rows(dealer).all():
        expect(row).not_to_contain_text(re.compile("dlr-(north|lakeside)"))


HOSTILE = (
    '<img src=x onerror="window.__pwned = 1">',
    "<script>window.__pwned = 2</script>",
)


def test_markup_from_a_customer_shows_as_text_in_the_console_and_never_runs(pages: Pages, stack: Stack) -> None:
    customer = customer_page(pages, stack, "cust-0002")
    say(customer, "I'd like to talk to a person")
    for text in HOSTILE:
        say(customer, text)

    console = console_page(pages, stack, stack.demo_user("oem_staff"))
    row_of(console, "cust-0002").get_by_role("button", name="Take").click()
    transcript = console.get_by_role("region", name="Transcript")
    for text in HOSTILE:
        expect(transcript).to_contain_text(text)
    # No element made of the text: the pages have no inline script of their own (CSP forbids it).
    expect(console.locator("img[src='x'], script:not([src])")).to_have_count(0)
    assert console.evaluate("() => window.__pwned") is None
    expect(customer.locator("img[src='x'], script:not([src])")).to_have_count(0)
    assert customer.evaluate("() => window.__pwned") is None

    console.get_by_role("button", name="Hand back").click()


def test_axe_finds_no_serious_violation_on_the_console_with_a_conversation_open(pages: Pages, stack: Stack) -> None:
    customer = customer_page(pages, stack, "cust-0003")
    say(customer, "I'd like to talk to a person")
    console = console_page(pages, stack, stack.demo_user("oem_staff"))
    row_of(console, "cust-0003").get_by_role("button", name="Take").click()
    expect(console.get_by_role("region", name="Transcript")).to_contain_text("talk to a person")
    expect(console.get_by_role("region", name="Customer")).to_contain_text("Sofia Rossi")
    assert axe_violations(console) == []
    console.get_by_role("button", name="Hand back").click()
