"""The customer chat page as customers use it, against `aicc up`: booking by clicking, a reload that
resumes, hostile text shown as text, the keyboard alone, a 360 px phone, and an axe scan."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.harness import Pages, axe_violations
from tests.browser.stack import Stack, click_action, connected, messages, say, sign_in, tab_to

# A slot button is labelled by its day and time, e.g. "Book Tue 01 Dec, 11:00".
SLOT = re.compile(r"^Book \w{3} \d{2} \w{3}, \d{2}:\d{2}$")


def test_a_customer_books_a_service_by_clicking_quick_actions(page: Page, stack: Stack) -> None:
    sign_in(page, stack, "cust-0004")
    expect(page).to_have_url(f"{stack.url}/")
    connected(page)

    first = say(page, "my brakes make a grinding noise")
    expect(first.get_by_role("button", name="Book a service appointment").first).to_be_visible()

    offer = click_action(page, "Book a service appointment")
    expect(offer).to_contain_text("Aurora Harbor City")
    expect(offer.get_by_role("button", name=SLOT)).to_have_count(3)

    booked = click_action(page, SLOT)
    expect(booked).to_contain_text("I've booked your service appointment")
    expect(booked).to_contain_text(re.compile(r"Your reference is [A-Z]{3}-\w{4}"))
    # Each click went as the customer's own message, in order.
    expect(messages(page, "customer")).to_have_count(3)


def test_a_reply_with_sources_shows_them_as_links(page: Page, stack: Stack) -> None:
    sign_in(page, stack, "cust-0003")
    connected(page)
    reply = say(page, "Hi, how do I pair my phone over Bluetooth?")
    expect(reply.get_by_role("link").first).to_be_visible()


def test_a_reload_mid_conversation_resumes_it(page: Page, stack: Stack) -> None:
    sign_in(page, stack, "cust-0001")
    connected(page)
    offer = say(page, "hi, i need an oil change for my aster at harbor city sometime next week")
    expect(offer.get_by_role("button", name=SLOT).first).to_be_visible()

    page.reload()
    connected(page)
    # The history is back: the customer's message and the slots offered.
    expect(messages(page, "customer").first).to_contain_text("oil change for my aster")
    expect(messages(page, "assistant").first).to_contain_text("Aurora Harbor City")

    # And it is the same conversation: "the earliest one" means the slots offered before the reload.
    booked = say(page, "the earliest one works for me")
    expect(booked).to_contain_text("I've booked")
    expect(booked).to_contain_text("Harbor City")


HOSTILE = (
    '<img src=x onerror="window.__pwned = 1">',
    "<script>window.__pwned = 2</script>",
)


def test_markup_from_a_customer_is_shown_as_text_and_never_runs(page: Page, stack: Stack) -> None:
    sign_in(page, stack, "cust-0002")
    connected(page)
    for text in HOSTILE:
        say(page, text)
    sent = messages(page, "customer")
    expect(sent.nth(0)).to_contain_text(HOSTILE[0])
    expect(sent.nth(1)).to_contain_text(HOSTILE[1])
    # No element made of the text: the page has no inline script of its own (CSP forbids it).
    expect(page.locator("img[src='x'], script:not([src])")).to_have_count(0)
    assert page.evaluate("() => window.__pwned") is None


def test_the_chat_is_usable_by_keyboard_alone(page: Page, stack: Stack) -> None:
    sign_in(page, stack, "cust-0003")
    connected(page)
    message = page.get_by_role("textbox", name="Message")
    # Tab from the top of the page reaches the Message box.
    tab_to(page, message, "Tab")
    page.keyboard.type("what does my warranty cover?")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send")).to_be_focused()
    page.keyboard.press("Enter")
    expect(messages(page, "assistant").first).to_contain_text("Powertrain")

    # A quick action is reachable and pressed with the keyboard too.
    action = messages(page, "assistant").last.get_by_role("button", name="Book a service appointment").first
    # Back from the Send button (the conversation is above the box).
    tab_to(page, action, "Shift+Tab")
    page.keyboard.press("Enter")
    expect(messages(page, "assistant").nth(1).get_by_role("button", name=SLOT).first).to_be_visible()


def test_the_chat_works_on_a_360_px_wide_phone(pages: Pages, stack: Stack) -> None:
    page = pages.open("phone", width=360, height=740)
    sign_in(page, stack, "cust-0006")
    connected(page)
    say(page, "Need to book an oil change at north hills")
    expect(page.get_by_role("button", name="Send")).to_be_in_viewport()
    expect(messages(page, "assistant").last.get_by_role("button", name=SLOT).first).to_be_in_viewport()
    # Nothing wider than the screen: no sideways scrolling.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360


def test_axe_finds_no_serious_violation_on_the_sign_in_and_chat_pages(page: Page, stack: Stack) -> None:
    page.goto(f"{stack.url}/signin.html")
    expect(page.get_by_role("button", name=re.compile("cust-0001"))).to_be_visible()
    assert axe_violations(page) == []

    sign_in(page, stack, "cust-0006")
    connected(page)
    reply = say(page, "Is there a recall on my aster?")
    expect(reply.get_by_role("button").first).to_be_visible()
    assert axe_violations(page) == []
