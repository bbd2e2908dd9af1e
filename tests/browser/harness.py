"""Headless Chromium (Debian's, driven by Playwright) for the browser tier: a browser per module, a
page per test, axe-core from tests/browser/node_modules, and the screenshot and console log of every
page of a failed test under tests/browser/artifacts/ (AICC_BROWSER_ARTIFACTS overrides it).

A plugin module rather than conftest.py itself so that a pytest run in a temporary directory (the
harness's own test of screenshot-on-failure) loads exactly the same fixtures and hook."""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
# Debian's chromium; Playwright's own browser download cannot work here (scripts/browser_deps.sh).
# --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start. The rest keep the
# browser off the network and quiet: nothing but the page under test may load.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
# Bounded waits: a reply on the embedded stack takes well under a second; a loaded CI machine and a
# first turn (cold handlers) get a generous margin.
WAIT_MS = 20_000


def artifacts_dir() -> Path:
    return Path(os.environ.get("AICC_BROWSER_ARTIFACTS", HERE / "artifacts"))


def launch(playwright: Playwright) -> Browser:
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: run ./scripts/browser_deps.sh (./scripts/test does)")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keeps each phase's report on the item, so fixtures can tell at teardown that the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def failed(item: pytest.Item) -> bool:
    return any(getattr(getattr(item, f"report_{when}", None), "failed", False) for when in ("setup", "call"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Module scope: Playwright's sync API keeps its own event loop, which must be gone before the
    # other tiers' asyncio.run() in the same session.
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


class Pages:
    """Opens pages (each in a context of its own: its own sessionStorage, as a second person's
    browser); on failure saves each page's screenshot and console log, named by test and page."""

    def __init__(self, browser: Browser, item: pytest.Item) -> None:
        self.browser = browser
        self.item = item
        self.opened: list[tuple[str, Page, list[str]]] = []

    def open(self, name: str = "page", *, width: int = 1280, height: int = 800) -> Page:
        context = self.browser.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(WAIT_MS)
        page = context.new_page()
        console: list[str] = []

        def log(message: ConsoleMessage) -> None:
            console.append(f"{message.type}: {message.text}")

        page.on("console", log)
        page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
        self.opened.append((name, page, console))
        return page

    def errors(self, page: Page) -> list[str]:
        """The page's uncaught exceptions and console errors so far."""
        (console,) = [c for _, p, c in self.opened if p is page]
        return [line for line in console if line.startswith(("pageerror:", "error:"))]

    def close(self) -> None:
        save = failed(self.item)
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", self.item.nodeid.split("::", 1)[-1])
        for name, page, console in self.opened:
            if save:
                folder = artifacts_dir()
                folder.mkdir(parents=True, exist_ok=True)
                try:
                    page.screenshot(path=str(folder / f"{stem}-{name}.png"), full_page=True)
                except Exception as error:  # the page may be what broke; the log is still worth having
                    console.append(f"screenshot failed: {error}")
                (folder / f"{stem}-{name}.console.log").write_text(f"url: {page.url}\n" + "\n".join(console) + "\n")
            page.context.close()


@pytest.fixture
def pages(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Pages]:
    opened = Pages(browser, request.node)
    yield opened
    opened.close()


@pytest.fixture
def page(pages: Pages) -> Page:
    return pages.open()


def axe_violations(page: Page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict[str, Any]]:
    """axe-core's WCAG 2 A/AA rules (and its best practices) over the page as it is now; the
    violations of the given impacts, each with the selectors of its nodes."""
    if not AXE.exists():
        raise RuntimeError(f"{AXE} is missing: npm ci in tests/browser (./scripts/browser_deps.sh does)")
    # From the page's own origin: the pages' CSP (script-src 'self') refuses an inline script, and
    # the scan must see the page under its real policy.
    origin = page.evaluate("() => location.origin")
    url = f"{origin}/__axe-core__/axe.min.js"
    page.route(url, lambda route: route.fulfill(path=AXE, content_type="text/javascript"))
    page.add_script_tag(url=url)
    results = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}, resultTypes: ['violations']})"
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]],
        }
        for violation in results["violations"]
        if violation["impact"] in impacts
    ]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def static_site(tmp_path: Path) -> Iterator[Callable[[str, str], str]]:
    """`static_site(name, html)` writes a page into a temporary folder served on loopback and
    returns its URL (for the harness's own tests: no stack needed)."""
    root = tmp_path / "site"
    root.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def publish(name: str, html: str) -> str:
        (root / name).write_text(html)
        return f"http://127.0.0.1:{server.server_address[1]}/{name}"

    yield publish
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
