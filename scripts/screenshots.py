"""The screenshots of docs/web.md (docs/web/*.png), taken from the real stack rather than by hand.

Starts its own `aicc up --fresh` on free ports, writes six days of analytics history before today
(the dashboard's trend needs more than one day; today's figures are the scene's own turns), and
plays a short scene with the demo users in headless Chromium:

- the demo sign-in page (signin.png);
- cust-0004 books a service by clicking quick actions (chat.png);
- cust-0002, on a 360x780 phone, has a roadside emergency and asks a follow-up; OEM staff take it
  and answer (chat-phone.png): the console shows the transcript with intent, sentiment and route,
  the customer panel, suggested replies with their sources and the summary (console.png);
- the dashboard over seven days (dashboard.png).

Every step waits (bounded) for what the picture is meant to show, so a page that broke fails the
script instead of producing a wrong picture.

Run: .venv/bin/python scripts/screenshots.py [--out docs/web]
Needs Debian's chromium and Playwright: ./scripts/browser_deps.sh.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

from aicc.adapters.dynamodb.analytics import DynamoDBAnalytics  # noqa: E402
from aicc.agents.analytics import daily_increments  # noqa: E402
from aicc.ports.analytics import TurnRecord  # noqa: E402
from tests.browser.harness import WAIT_MS, launch  # noqa: E402
from tests.browser.stack import Stack, click_action, connected, messages, say, sign_in  # noqa: E402

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 780}
SLOT = re.compile(r"^Book \w{3} \d{2} \w{3}, \d{2}:\d{2}$")
ROADSIDE = "My car broke down on the highway and smoke is coming from the engine, I need a tow"
FOLLOW_UP = "Does my roadside assistance cover the tow?"
STAFF_REPLY = "Hi Liam, a tow truck is on its way, about 30 minutes. Please wait away from the car."

# What a past day's turns were about (weights roughly as a contact center sees them).
INTENT_WEIGHTS = {
    "service_booking": 24,
    "vehicle_feature_help": 16,
    "vehicle_problem": 12,
    "warranty_inquiry": 9,
    "recall_inquiry": 7,
    "purchase_inquiry": 7,
    "test_drive": 5,
    "roadside_assistance": 4,
    "financing": 4,
    "connected_services": 4,
    "greeting": 5,
    "complaint": 3,
}
ESCALATE = {
    "roadside_assistance": "roadside",
    "complaint": "customer_care",
    "purchase_inquiry": "sales#dlr-harbor",
    "financing": "sales#dlr-north",
}
LATENCY_MS = (40, 60, 90, 120, 140, 180, 230, 280, 360, 480, 700)


def past_turns(day: str, rng: random.Random) -> list[TurnRecord]:
    """One past day of turns, as the analytics agent would have recorded them."""
    intents, weights = zip(*INTENT_WEIGHTS.items(), strict=True)
    records = []
    for _ in range(rng.randint(28, 60)):
        intent = rng.choices(intents, weights)[0]
        negative = 0.5 if intent in ("vehicle_problem", "complaint", "roadside_assistance") else 0.1
        sentiment = rng.choices(("positive", "neutral", "negative"), (0.3, 0.6 - negative, negative + 0.1))[0]
        queue = ESCALATE.get(intent) if rng.random() < 0.6 else None
        booked = intent if intent in ("service_booking", "test_drive") and rng.random() < 0.45 else None
        records.append(
            TurnRecord(
                turn_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                conversation_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                day=day,
                intent=intent,
                sentiment=sentiment,
                route_kind="human" if queue else "bot",
                route_queue=queue,
                route_priority=("urgent" if queue == "roadside" else "normal") if queue else None,
                latency_ms=float(rng.choice(LATENCY_MS)),
                degraded=rng.random() < 0.04,
                booked={"service_booking": "service", "test_drive": "test_drive"}.get(booked or ""),
            )
        )
    return records


def write_history(stack: Stack, days: int) -> int:
    """`days` days before today of turns, through the analytics port, into the stack's tables."""
    os.environ.clear()
    os.environ.update(stack.aws_env())
    analytics = DynamoDBAnalytics()
    rng = random.Random(15)  # the same pictures each run
    today = datetime.now(UTC).date()
    written = 0
    for back in range(days, 0, -1):
        for record in past_turns((today - timedelta(days=back)).isoformat(), rng):
            written += analytics.record_turn(record, daily_increments(record))
    return written


def page_of(browser: Browser, viewport: dict[str, int]) -> Page:
    context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    context.set_default_timeout(WAIT_MS)
    return context.new_page()


def shot(page: Page, path: Path) -> None:
    """The viewport as a 256-colour PNG: flat UI colours and anti-aliased text survive a palette
    (undithered, so text stays crisp) at a third of the size of a full-colour PNG."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    image = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    image.quantize(256, dither=Image.Dither.NONE).save(path, optimize=True)
    print(f"{path}  {path.stat().st_size / 1024:.0f} KB")


def settled(stack: Stack, turns: int) -> None:
    """Wait (bounded) until analytics has recorded `turns` turns today."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while stack.stats()["turns"] < turns:
        if time.monotonic() > deadline:
            raise RuntimeError(f"analytics did not record {turns} turns in time")
        time.sleep(0.5)


def scene(browser: Browser, stack: Stack, out: Path) -> None:
    signin = page_of(browser, DESKTOP)
    signin.goto(f"{stack.url}/signin.html")
    expect(signin.get_by_role("button", name=re.compile("oem-0001"))).to_be_visible()
    shot(signin, out / "signin.png")

    # A customer books a service by quick actions alone.
    booking = page_of(browser, DESKTOP)
    sign_in(booking, stack, "cust-0004")
    connected(booking)
    say(booking, "my brakes make a grinding noise")
    click_action(booking, "Book a service appointment")
    booked = click_action(booking, SLOT)
    expect(booked).to_contain_text("booked")
    shot(booking, out / "chat.png")

    # Another has a roadside emergency on the phone, and asks a follow-up.
    phone = page_of(browser, PHONE)
    sign_in(phone, stack, "cust-0002")
    connected(phone)
    expect(say(phone, ROADSIDE)).to_contain_text("roadside assistance team")
    phone.get_by_role("textbox", name="Message").fill(FOLLOW_UP)
    phone.get_by_role("button", name="Send").click()
    expect(messages(phone, "customer").last).to_contain_text(FOLLOW_UP)
    expect(messages(phone, "assistant")).to_have_count(2)
    # The transcript's intent, sentiment and route come from the event log, which analytics writes a
    # moment after each reply: wait until every turn so far is counted.
    settled(stack, turns=5)

    # OEM staff take it.
    console = page_of(browser, {"width": 1280, "height": 1250})
    sign_in(console, stack, stack.demo_user("oem_staff"))
    row = console.get_by_role("region", name="Queue").locator("[data-conversation-id]").filter(has_text="cust-0002")
    row.get_by_role("button", name="Take").click()
    transcript = console.get_by_role("region", name="Transcript")
    expect(transcript).to_contain_text("roadside_assistance")
    expect(transcript).to_contain_text(FOLLOW_UP)
    expect(console.get_by_role("region", name="Customer")).to_contain_text("Liam Garcia")
    suggestions = console.get_by_role("region", name="Suggested replies")
    expect(suggestions.get_by_role("button", name="Insert").first).to_be_visible()
    expect(suggestions.get_by_role("link").first).to_be_visible()
    expect(console.get_by_role("region", name="Summary")).to_contain_text(re.compile("roadside", re.IGNORECASE))
    console.get_by_role("textbox", name="Reply").fill(STAFF_REPLY)
    console.get_by_role("button", name="Send reply").click()
    expect(transcript).to_contain_text(STAFF_REPLY)
    expect(messages(phone, "staff").last).to_contain_text("tow truck")
    # The transcript from the customer's first message, with what the assistant made of it.
    transcript.locator('.msg[data-sender="customer"]').first.evaluate(
        """m => { const log = m.closest('.log');
                 log.scrollTop += m.getBoundingClientRect().top - log.getBoundingClientRect().top - 8;
                 window.scrollTo(0, 0); }"""
    )
    shot(console, out / "console.png")
    shot(phone, out / "chat-phone.png")

    dashboard = page_of(browser, {"width": 1280, "height": 1150})
    sign_in(dashboard, stack, stack.demo_user("oem_staff"))
    dashboard.goto(f"{stack.url}/dashboard.html?days=7")
    expect(dashboard.get_by_role("spinbutton", name="Days")).to_have_value("7")
    expect(dashboard.locator('[data-figure="turns"]')).to_have_text(re.compile(r"\d{3}"))
    shot(dashboard, out / "dashboard.png")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "web", help="where the PNGs go")
    parser.add_argument("--history-days", type=int, default=6, help="past days of analytics written before today")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="screenshots-") as root:
        stack = Stack(Path(root), fresh=True)
        stack.start()
        try:
            print(f"history: {write_history(stack, args.history_days)} turns over {args.history_days} days")
            with sync_playwright() as playwright:
                browser = launch(playwright)
                try:
                    scene(browser, stack, args.out)
                finally:
                    browser.close()
        finally:
            stack.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
