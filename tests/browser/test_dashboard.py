"""The analytics dashboard against `aicc up`: after a few conversations its numbers are those of
`aicc stats --json`, its charts are titled SVG, and axe finds nothing serious."""

from __future__ import annotations

import re
import time
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.harness import Pages, axe_violations
from tests.browser.stack import Stack, click_action, connected, say, sign_in

HEADINGS = ("Turns", "Intents", "Sentiment", "Escalations", "Reply latency", "Degraded share", "Bookings")
# The analytics agent counts a turn a moment after its reply: both sides are read again until
# `aicc stats` reads the same twice around the page (bounded).
ATTEMPTS = 10
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def lookup(summary: dict[str, Any], path: str) -> Any:
    """The value at a key path; a count the command leaves out of a breakdown (a sentiment no turn
    had) is 0, a figure it does not print at all is a KeyError."""
    *parents, leaf = path.split(".")
    value: Any = summary
    for key in parents:
        value = value[key]
    return value.get(leaf, 0) if parents else value[leaf]


def shown(text: str) -> tuple[float, float]:
    """The number an element shows and how far rounding to its decimals may move it."""
    match = NUMBER.search(text)
    assert match, f"no number in {text!r}"
    digits = match.group().replace(",", "")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    return float(digits), 0.5 * 10**-decimals


def figures(page: Page) -> dict[str, str]:
    return {
        element.get_attribute("data-figure") or "": element.inner_text()
        for element in page.locator("[data-figure]").all()
    }


def mismatches(summary: dict[str, Any], on_page: dict[str, str]) -> list[str]:
    wrong = []
    for path, text in on_page.items():
        try:
            expected = float(lookup(summary, path))
        except KeyError:
            wrong.append(f"{path}: page shows {text!r}, aicc stats --json has no such figure")
            continue
        number, slack = shown(text)
        # A share may be shown as a percentage.
        if "%" in text:
            expected *= 100
        if abs(number - expected) > slack + 1e-9:
            wrong.append(f"{path}: page shows {text!r}, aicc stats says {lookup(summary, path)}")
    return wrong


def make_some_traffic(pages: Pages, stack: Stack) -> None:
    page = pages.open("customer")
    sign_in(page, stack, "cust-0004")
    connected(page)
    say(page, "my brakes make a grinding noise")
    click_action(page, "Book a service appointment")
    click_action(page, re.compile(r"^Book \w{3} \d{2}"))
    say(page, "My car broke down on the freeway, I need a tow")


def test_the_dashboards_numbers_equal_aicc_stats(pages: Pages, stack: Stack) -> None:
    make_some_traffic(pages, stack)
    page = pages.open("dashboard")
    sign_in(page, stack, stack.demo_user("oem_staff"))
    expect(page).to_have_url(f"{stack.url}/console.html")
    page.get_by_role("link", name=re.compile("dashboard", re.IGNORECASE)).click()
    expect(page).to_have_url(f"{stack.url}/dashboard.html")
    for heading in HEADINGS:
        expect(page.get_by_role("heading", name=heading)).to_be_visible()

    days = page.get_by_role("spinbutton", name="Days")
    expect(days).to_have_value("1")
    # Analytics records a turn a moment after its reply: wait (bounded) until the traffic is counted.
    counted = time.monotonic() + 30
    while not (stack.stats(1)["turns"] >= 4 and stack.stats(1).get("bookings", 0) >= 1) and time.monotonic() < counted:
        time.sleep(0.5)
    for _ in range(ATTEMPTS):
        before = stack.stats(1)
        page.reload()
        expect(page.locator('[data-figure="turns"]')).to_have_text(NUMBER)
        on_page = figures(page)
        if stack.stats(1) == before:
            break
    summary = before
    # The figures include bookings made: the command prints them as the page shows them.
    assert "bookings" in summary, f"aicc stats --json has no bookings: {sorted(summary)}"
    assert summary["turns"] >= 4 and summary["escalations"] >= 1 and summary["bookings"] >= 1
    # Every figure the command prints is on the page, and each equals it.
    for key in ("turns", "escalations", "p50_ms", "p95_ms", "degraded_share", "bookings"):
        assert key in on_page, f"no data-figure={key!r} on the dashboard"
    for intent in summary["intents"]:
        assert f"intents.{intent}" in on_page, f"intent {intent} is not on the dashboard"
    assert mismatches(summary, on_page) == []

    # Charts people look at rather than read: inline SVG, each titled.
    charts = page.locator("svg")
    expect(charts.first).to_be_visible()
    for chart in charts.all():
        expect(chart.locator("title")).not_to_have_count(0)

    # Another number of days asks the API for that many days, and shows what it answers.
    with page.expect_response(lambda response: "/stats?days=7" in response.url) as answered:
        days.fill("7")
        days.press("Enter")
    assert answered.value.status == 200
    expect(page.locator('[data-figure="turns"]')).to_have_text(NUMBER)
    assert mismatches(stack.stats(7), figures(page)) == []


def test_the_stats_api_is_for_oem_staff_only(pages: Pages, stack: Stack) -> None:
    """The dashboard's API answers a dealer 403: the dashboard is no way round it."""
    page = pages.open()
    sign_in(page, stack, stack.demo_user("dealer", "dlr-harbor"))
    config = page.evaluate("() => fetch('/config.json').then(r => r.json())")
    status = page.evaluate(
        """([url]) => fetch(url + '/stats?days=1', {headers: {Authorization: 'Bearer '
           + sessionStorage.getItem('aicc.token')}}).then(r => r.status)""",
        [config["api_url"]],
    )
    assert status == 403


def test_axe_finds_no_serious_violation_on_the_dashboard(pages: Pages, stack: Stack) -> None:
    page = pages.open()
    sign_in(page, stack, stack.demo_user("oem_staff"))
    page.goto(f"{stack.url}/dashboard.html")
    expect(page.locator('[data-figure="turns"]')).to_have_text(NUMBER)
    assert axe_violations(page) == []
